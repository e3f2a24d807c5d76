#!/usr/bin/env bash
# Boundary-cost benchmark: WasmRust's #[export] ABI + JS helper against wasm-bindgen, in node
# (issue 6 part 6).
#
# The same functions (benchmarks/boundary/kernels.rs: no-op, scalars, Option, a short and a
# 1 MiB string, a 1 MiB byte slice, a 1 MiB f64 slice in and a Vec<f64> out) are exported twice:
#   - WasmRust: benchmarks/boundary/wasmrust.rs with #[wasm::export], built by Bazel
#     (//benchmarks/boundary:boundary, --config=release --config=browser), called through
#     crates/wasm/js/wasmrust.mjs from signature descriptions (no generated glue);
#   - wasm-bindgen: benchmarks/boundary/bindgen.rs with #[wasm_bindgen], built with Debian's
#     cargo + rustc-web for wasm32-unknown-unknown (std from source, -Zbuild-std, as size.sh's
#     cargo peer), then `wasm-bindgen --target nodejs` (the CLI from benchmarks/peers.sh, the
#     crate pinned to the same version by benchmarks/boundary/bindgen.Cargo.lock).
# A third column calls the WasmRust module through JS lowered by hand from the documented ABI,
# separating what the ABI costs from what the generic helper adds.
# benchmarks/boundary/bench.mjs checks all three against a JS reference (a wrong answer stops
# the run), times every call in interleaved rounds and prints the tables.
#
# Prints the tables (markdown) on stdout and writes benchmarks/BOUNDARY.md (the explanation at
# its end comes from benchmarks/boundary/analysis.md). Builds go to benchmarks/.peers/boundary/
# (git-ignored).
#
# Usage: benchmarks/boundary.sh
# Environment:
#   SKIP_BUILD=1     reuse the last run's two modules; only time and report
#   ROUNDS=N         timing rounds (default 11); BATCH_MS=N  target ms per batch (default 100)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SRC=$ROOT/benchmarks/boundary
# shellcheck source=benchmarks/peers.sh
source "$ROOT/benchmarks/peers.sh" # install_wasm_bindgen, WASM_BINDGEN_VERSION
OUT=$ROOT/benchmarks/.peers/boundary
LOGS=$OUT/logs

# ---- Pinned tools (wasm-bindgen: WASM_BINDGEN_VERSION from peers.sh, crate and CLI alike)
NODE=/usr/bin/node
RUSTC=/usr/bin/rustc        # Debian rustc-web 1.96 (rustup's 1.95 has no wasm32 std)
CARGO=/usr/bin/cargo

# ---- Flags, one place (also written to BOUNDARY.md)
BAZEL_FLAGS="--config=release --config=browser"
CARGO_PROFILE='opt-level = "z", lto = true, codegen-units = 1, panic = "abort", strip = true'
CARGO_FLAGS="build --release --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort"
BINDGEN_FLAGS="--target nodejs"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

build_wasmrust() {
  local wasm
  log "bazel build //benchmarks/boundary:boundary $BAZEL_FLAGS"
  # shellcheck disable=SC2086
  nice -n 10 bazel build //benchmarks/boundary:boundary $BAZEL_FLAGS >"$LOGS/bazel.log" 2>&1 \
    || die "bazel build //benchmarks/boundary:boundary failed (see $LOGS/bazel.log)"
  # The output path depends on the profile's transition: take the one Bazel reports.
  wasm=$(grep -o 'bazel-out/[^ ]*/benchmarks/boundary/boundary\.wasm' "$LOGS/bazel.log" | tail -1)
  [ -n "$wasm" ] && [ -f "$wasm" ] || die "no boundary.wasm in Bazel's output (see $LOGS/bazel.log)"
  mkdir -p "$OUT/wasmrust"
  cp "$wasm" "$OUT/wasmrust/boundary.wasm"
  chmod u+w "$OUT/wasmrust/boundary.wasm"
}

# Version of a package in a Cargo.lock: lock_version LOCKFILE NAME
lock_version() { grep -A1 "^name = \"$2\"$" "$1" | sed -n 's/^version = "\(.*\)"/\1/p'; }

build_bindgen() {
  local wb dir=$OUT/bindgen lock=$SRC/bindgen.Cargo.lock
  wb=$(install_wasm_bindgen) || die "could not install the wasm-bindgen CLI (benchmarks/peers.sh)"
  mkdir -p "$dir"
  : >"$LOGS/cargo.log"
  # The crate and its dependencies come from crates.io, pinned by bindgen.Cargo.lock (kept in
  # the repo; generated once when missing). crates.io is not replaced by rust-web-src's vendor
  # directory, so -Zbuild-std takes std's dependencies from the registry too, at the versions
  # (and checksums) of std's own library/Cargo.lock, the ones that directory holds.
  cat >"$dir/Cargo.toml" <<EOF
[package]
name = "boundary_bindgen"
version = "0.0.0"
edition = "2024"

[lib]
path = "$SRC/bindgen.rs"
crate-type = ["cdylib"]

[dependencies]
wasm-bindgen = "=$WASM_BINDGEN_VERSION"

[profile.release]
$(echo "$CARGO_PROFILE" | tr ',' '\n' | sed 's/^ //')

[workspace]
EOF
  if [ ! -f "$lock" ]; then
    log "generating ${lock#"$ROOT"/} (keep it: it pins the wasm-bindgen module's crates)"
    (cd "$dir" && rm -f Cargo.lock && PATH=/usr/bin:$PATH RUSTC=$RUSTC "$CARGO" generate-lockfile) >>"$LOGS/cargo.log" 2>&1 \
      || die "cargo generate-lockfile failed (see $LOGS/cargo.log)"
    cp "$dir/Cargo.lock" "$lock"
  fi
  [ "$(lock_version "$lock" wasm-bindgen)" = "$WASM_BINDGEN_VERSION" ] \
    || die "${lock#"$ROOT"/} pins wasm-bindgen $(lock_version "$lock" wasm-bindgen), the CLI is $WASM_BINDGEN_VERSION (benchmarks/peers.sh): delete the lock file to regenerate it"
  cp "$lock" "$dir/Cargo.lock"
  log "cargo $CARGO_FLAGS --locked (wasm-bindgen $WASM_BINDGEN_VERSION)"
  # shellcheck disable=SC2086
  (cd "$dir" && RUSTC_BOOTSTRAP=1 PATH=/usr/bin:$PATH RUSTC=$RUSTC nice -n 10 "$CARGO" $CARGO_FLAGS --locked) >>"$LOGS/cargo.log" 2>&1 \
    || die "cargo build of the wasm-bindgen module failed (see $LOGS/cargo.log)"
  log "wasm-bindgen $BINDGEN_FLAGS"
  rm -rf "$dir/pkg"
  # shellcheck disable=SC2086
  "$wb" $BINDGEN_FLAGS --out-dir "$dir/pkg" "$dir/target/wasm32-unknown-unknown/release/boundary_bindgen.wasm" \
    >"$LOGS/wasm-bindgen.log" 2>&1 || die "wasm-bindgen failed (see $LOGS/wasm-bindgen.log)"
  echo "$wb" >"$OUT/wasm-bindgen-path"
}

# "key<TAB>value" lines for the report.
versions() {
  local wb; wb=$(cat "$OUT/wasm-bindgen-path")
  printf 'wasmrust\t%s\n' "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- crates benchmarks/boundary toolchains compiler || echo ' + uncommitted changes') (Bazel $(dpkg-query -W -f '${Version}' bazel-bootstrap), rustc-web $(dpkg-query -W -f '${Version}' rustc-web))"
  printf 'wasm-bindgen\t%s\n' "crate $(lock_version "$OUT/bindgen/Cargo.lock" wasm-bindgen) (crates.io, pinned with its dependencies by benchmarks/boundary/bindgen.Cargo.lock), CLI: $("$wb" --version) (benchmarks/peers.sh, cargo install --locked)"
  printf 'rust\t%s\n' "$("$RUSTC" --version) and $("$CARGO" --version) for both modules"
  printf 'node\t%s\n' "$("$NODE" --version) (V8 $("$NODE" -p process.versions.v8))"
  printf 'machine\t%s\n' "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), shared with other builds; load average (1, 5, 15 min) before timing: $LOAD_BEFORE, after: $LOAD_AFTER"
}

flags() {
  printf 'wasmrust\t%s\n' "bazel build //benchmarks/boundary:boundary $BAZEL_FLAGS (wasm_rust_binary kind=reactor profile=browser: wasm32-unknown-unknown, opt-level z, fat LTO, 1 CGU, panic=immediate-abort, wasm::alloc::Heap, wasm-opt -Oz)"
  printf 'wasm-bindgen\t%s\n' "RUSTC_BOOTSTRAP=1 cargo $CARGO_FLAGS --locked; [profile.release] $CARGO_PROFILE; crate-type cdylib (std's dlmalloc); wasm-bindgen $BINDGEN_FLAGS; no wasm-opt"
  printf 'timing\t%s\n' "node bench.mjs: ${ROUNDS:-11} rounds of one ~${BATCH_MS:-100} ms batch per call and side, the side going first rotating; warm-up ${WARMUP_MS:-300} ms per call and side"
}

main() {
  mkdir -p "$OUT" "$LOGS"
  command -v "$NODE" >/dev/null && command -v "$RUSTC" >/dev/null && command -v "$CARGO" >/dev/null \
    || die "needs $NODE, $RUSTC and $CARGO (apt-get install nodejs rustc-web cargo-web rust-web-src)"
  if [ "${SKIP_BUILD:-}" = 1 ]; then
    [ -f "$OUT/wasmrust/boundary.wasm" ] && [ -f "$OUT/bindgen/pkg/boundary_bindgen.js" ] \
      || die "SKIP_BUILD=1 needs a previous run's builds in ${OUT#"$ROOT"/}"
  else
    build_wasmrust
    build_bindgen
  fi
  LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
  log "node bench.mjs (load average $LOAD_BEFORE)"
  "$NODE" "$SRC/bench.mjs" "$OUT/wasmrust/boundary.wasm" "$ROOT/crates/wasm/js/wasmrust.mjs" \
    "$OUT/bindgen/pkg/boundary_bindgen.js" "$OUT/results.json" >"$OUT/tables.md" \
    || die "bench.mjs failed (above): no report written"
  LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
  cat "$OUT/tables.md"
  versions >"$OUT/versions.tsv"
  flags >"$OUT/flags.tsv"
  {
    echo "# Boundary cost: WasmRust's ABI + JS helper against wasm-bindgen, in node"
    echo
    echo "Generated by \`benchmarks/boundary.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'). Do not edit by hand; the"
    echo "explanation at the end comes from \`benchmarks/boundary/analysis.md\`."
    echo
    echo "## Versions"
    echo
    sed 's/^\([^\t]*\)\t/- **\1**: /' "$OUT/versions.tsv"
    echo
    echo "## Flags"
    echo
    sed 's/^\([^\t]*\)\t\(.*\)$/- **\1**: `\2`/' "$OUT/flags.tsv"
    echo
    echo "## Results"
    echo
    cat <<'EOF'
The same Rust bodies (`benchmarks/boundary/kernels.rs`) behind both modules, three ways of calling:

- *WasmRust, wasmrust.mjs*: the crate's JS helper, `WasmRust#bind` over signature descriptions
  (what a user calls);
- *wasm-bindgen*: its generated `--target nodejs` glue;
- *WasmRust ABI, hand-lowered JS*: the same WasmRust module called through JS written by hand per
  function from the `wasm::abi` docs (cached encoder, decoder and memory views, one reused return
  area): the floor a specialised helper could reach.

All three gave the reference answers on the same inputs (empty, short, non-ASCII and 1 MiB strings
and slices, None and overflow cases) before anything was timed. Times are the median over the rounds
of ns per call, and include everything a JS caller pays: converting and copying arguments into
linear memory, allocating and freeing there, the call, and reading the result back into a JS value.
*ratio*: time ÷ wasm-bindgen's (below 1: faster than wasm-bindgen). ± is half the range over the
rounds, relative to the median. MB/s: input bytes (10^6) per second.
EOF
    echo
    sed -n '1,/^$/p' "$OUT/tables.md" | sed '/^$/d'
    echo
    echo "### Module and glue bytes"
    echo
    sed -n '/^$/,$p' "$OUT/tables.md" | sed '/^$/d'
    echo
    cat "$SRC/analysis.md"
  } >"$ROOT/benchmarks/BOUNDARY.md"
  log "wrote benchmarks/BOUNDARY.md"
}

main "$@"
