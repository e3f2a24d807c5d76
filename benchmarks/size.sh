#!/usr/bin/env bash
# Size and memory benchmarks: WasmRust against peers (issue 4 part 2, issue 9 part 4).
#
# Builds every reference program in benchmarks/size/ with WasmRust (Bazel,
# --config=release, browser profile = wasm32-unknown-unknown core modules) and
# with the peers: plain cargo (same Rust sources), cargo + wasm-bindgen (the
# same programs with #[wasm_bindgen] exports: wasm plus JS glue), Zig,
# AssemblyScript and C (clang + wasi-libc). For each module it records raw and
# gzip -9 bytes, the clean build time, the rebuild time after a one-line
# change, the declared initial/maximum memory pages and, after the same workload
# in node, the peak memory pages (and the SHA-256 kernel's run time).
# benchmarks/size/driver.mjs checks every module's answers; a wrong answer stops
# the run. The `component` program (a WIT world, component/wit/words.wit) is
# built by WasmRust (wasmtime profile) and by cargo + wit-bindgen for
# wasm32-wasip2; `wasmrust-run check` checks both against component.expect.
# It also records the Bazel server's peak memory for
# `bazel build //app:component --config=release`.
#
# Prints the table (markdown) on stdout and writes benchmarks/RESULTS.md.
# Peers are installed, pinned, into benchmarks/.peers/ (git-ignored; the
# wasm-bindgen CLI by benchmarks/peers.sh); the Debian packages are installed
# with apt-get when missing (needs root). The crates the wasm-bindgen and
# wit-bindgen programs use come from the crate registry, pinned by the lock
# files in benchmarks/size/.
#
# Usage: benchmarks/size.sh
# Environment (for trying a change; RESULTS.md wants the full run):
#   REPORT_ONLY=1              reuse the last run's builds and figures; redo the sha256 timing and the report
#   SKIP_PROGRAMS=1            reuse the last run's program figures; redo the Bazel memory figures and the report
#   SHA_ROUNDS=N               interleaved sha256 timing rounds (default 5; 0 with REPORT_ONLY=1: reuse the last times)
#   SKIP_BAZEL_MEMORY=1        skip the //app:component memory figures
#   PROGRAMS="add json"        only these programs;  TOOLCHAINS="zig clang"  only these toolchains
#                              (a partial run writes benchmarks/.peers/RESULTS.partial.md)
#   programs:   add hello hello_std strings sha256 json component component_generated
#   toolchains: wasmrust cargo wasm-bindgen zig assemblyscript clang wit-bindgen
#               (component: wasmrust and wit-bindgen only; wit-bindgen: component only)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# shellcheck source=benchmarks/peers.sh
source benchmarks/peers.sh
SIZE=$ROOT/benchmarks/size
PEERS=$ROOT/benchmarks/.peers
OUT=$PEERS/out
LOGS=$PEERS/logs

# ---- Pinned versions
ZIG_VERSION=0.15.2          # PyPI `ziglang`
AS_VERSION=0.28.20          # npm `assemblyscript`
APT_PACKAGES="clang-22 lld-22 wasi-libc libclang-rt-22-dev-wasm32 binaryen"
WIT_BINDGEN_VERSION=0.63.0  # crate `wit-bindgen` (component peer); WASM_BINDGEN_VERSION: benchmarks/peers.sh
WASM_OPT=/usr/bin/wasm-opt  # Debian binaryen 108, for the wasm-bindgen peer
CLANG=/usr/bin/clang-22
NODE=/usr/bin/node
RUSTC=/usr/bin/rustc        # Debian rustc-web 1.96 (rustup's 1.95 has no wasm32 std)
CARGO=/usr/bin/cargo
RUST_SRC_VENDOR=/usr/src/rustc-1.96.0/library/vendor

ZIG=$PEERS/zig-$ZIG_VERSION/ziglang/zig
WASM_BINDGEN=$PEERS/wasm-bindgen-$WASM_BINDGEN_VERSION/bin/wasm-bindgen # install_wasm_bindgen's path
ASC=$PEERS/as-$AS_VERSION/node_modules/.bin/asc

# ---- Flags, one place (also written to RESULTS.md)
ZIG_FLAGS="build-exe -target wasm32-freestanding -O ReleaseSmall -fno-entry -rdynamic"
AS_FLAGS="-O3z --runtime incremental"
C_FLAGS="--target=wasm32-wasi -Oz -mexec-model=reactor -Wl,--strip-all -Wno-deprecated"
CARGO_PROFILE='opt-level = "z", lto = true, codegen-units = 1, panic = "abort", strip = true'
CARGO_FLAGS="build --release --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort"
WASM_BINDGEN_FLAGS="--target nodejs --no-typescript"
# What wasm-pack does in a release build (wasm-opt -O), with the features rustc's
# wasm32 target enables by default spelled out for binaryen 108.
WASM_OPT_FLAGS="-O --enable-bulk-memory --enable-sign-ext --enable-mutable-globals --enable-nontrapping-float-to-int --enable-multivalue --enable-reference-types"
WIT_CARGO_FLAGS="build --release --target wasm32-wasip2 -Zbuild-std=std,panic_abort"
# cargo has no self-contained wasi-libc for wasm32-wasip2 (TOOLCHAIN.md A.4): point the link at Debian's.
WIT_RUSTFLAGS="-Clink-arg=-L/usr/lib/wasm32-wasi"
BAZEL_COMPONENT_FLAGS="--config=release"
BAZEL_FLAGS="--config=release --config=browser"

# A partial run (PROGRAMS= or TOOLCHAINS= set) writes its report to $PEERS, not benchmarks/RESULTS.md.
RESULTS=$ROOT/benchmarks/RESULTS.md
[ -n "${PROGRAMS:-}${TOOLCHAINS:-}" ] && RESULTS=$PEERS/RESULTS.partial.md
PROGRAMS=${PROGRAMS:-add hello hello_std strings sha256 json component}
TOOLCHAINS=${TOOLCHAINS:-wasmrust cargo wasm-bindgen zig assemblyscript clang wit-bindgen}

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# Source file of PROGRAM for a language extension (hello_std is Rust-only;
# wasm_bindgen.rs / wit_bindgen.rs: the Rust program written for that tool).
source_of() {
  local prog=$1 ext=$2 dir=$1
  [ "$prog" = hello_std ] && dir=hello
  [ "$prog" = component_generated ] && dir=component
  echo "$SIZE/$dir/$prog.$ext"
}

# The line appended for the rebuild-after-a-one-line-change column: a new export,
# so the module really changes and no later action is skipped as unchanged.
edit_line() {
  local marker=$2
  case $1 in
    rs) echo "#[unsafe(no_mangle)] pub extern \"C\" fn edit_marker() -> i32 { $marker }" ;;
    zig) echo "export fn edit_marker() i32 { return $marker; }" ;;
    c) echo "__attribute__((export_name(\"edit_marker\"))) int edit_marker(void) { return $marker; }" ;;
    ts) echo "export function edit_marker(): i32 { return $marker; }" ;;
  esac
}

# Sources being edited are restored whatever happens.
EDITED=""
restore_edits() {
  local f
  for f in $EDITED; do
    [ -f "$PEERS/backup/$(basename "$f")" ] && cp "$PEERS/backup/$(basename "$f")" "$f"
  done
  EDITED=""
}
trap restore_edits EXIT
begin_edit() {
  mkdir -p "$PEERS/backup"
  cp "$1" "$PEERS/backup/$(basename "$1")"
  EDITED="$EDITED $1"
  edit_line "${1##*.}" "$(date +%s%N | cut -c8-16)" >>"$1"
}

# ---- Installation (idempotent)
install_apt() {
  local missing="" p
  for p in $APT_PACKAGES; do
    dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    [ "$(id -u)" = 0 ] || die "missing Debian packages:$missing; run: apt-get install -y$missing"
    log "apt-get install$missing"
    apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
}

install_peers() {
  mkdir -p "$PEERS" "$OUT" "$LOGS"
  install_apt
  for t in "$NODE" "$RUSTC" "$CARGO" "$CLANG" /usr/bin/python3 gzip; do
    command -v "$t" >/dev/null || die "$t not found"
  done
  [ -d "$RUST_SRC_VENDOR" ] || die "$RUST_SRC_VENDOR missing: apt-get install rust-web-src"
  [ -x "$WASM_OPT" ] || die "$WASM_OPT missing: apt-get install binaryen"
  if [ ! -x "$ZIG" ]; then
    log "pip install ziglang==$ZIG_VERSION into $PEERS/zig-$ZIG_VERSION"
    /usr/bin/python3 -m pip --version >/dev/null 2>&1 && PY=/usr/bin/python3 || PY=python3
    "$PY" -m pip install -q --disable-pip-version-check --target "$PEERS/zig-$ZIG_VERSION" "ziglang==$ZIG_VERSION" \
      || die "pip install ziglang==$ZIG_VERSION failed"
  fi
  [ "$("$ZIG" version)" = "$ZIG_VERSION" ] || die "$ZIG is not Zig $ZIG_VERSION"
  if [ ! -x "$ASC" ]; then
    log "npm install assemblyscript@$AS_VERSION into $PEERS/as-$AS_VERSION"
    npm install --prefix "$PEERS/as-$AS_VERSION" --no-audit --no-fund --save-exact "assemblyscript@$AS_VERSION" >"$LOGS/npm.log" 2>&1 \
      || die "npm install assemblyscript@$AS_VERSION failed (see $LOGS/npm.log)"
  fi
  [ "$("$ASC" --version | awk '{print $2}')" = "$AS_VERSION" ] || die "$ASC is not AssemblyScript $AS_VERSION"
  [ -x compiler/bin/wasmrust ] && [ -x compiler/bin/wasmrust-run ] \
    || die "compiler/bin/wasmrust{,-run} missing: run tools/setup.sh (or copy them from a built checkout)"
  # The cargo peer: one package per program over the same sources, std built
  # from Debian's rust-web-src (no prebuilt wasm32 std exists for either rustc here).
  local c=$PEERS/cargo prog
  write_vendored_std_cargo_config "$c"
  for prog in $PROGRAMS; do
    mkdir -p "$c/$prog"
    cat >"$c/$prog/Cargo.toml" <<EOF
[package]
name = "$prog"
version = "0.0.0"
edition = "2024"

[lib]
path = "$(source_of "$prog" rs)"
crate-type = ["cdylib"]

[profile.release]
$(echo "$CARGO_PROFILE" | tr ',' '\n' | sed 's/^ //')

[workspace]
EOF
  done
  case " $TOOLCHAINS " in *" wasm-bindgen "*) install_bindgen_packages ;; esac
  case " $TOOLCHAINS " in *" wit-bindgen "*) install_wit_bindgen_package ;; esac
}

# The packages of the wasm-bindgen and wit-bindgen peers. Unlike the plain cargo
# peer they need crates from the registry, so crates.io is not replaced by
# rust-web-src's vendor directory: -Zbuild-std takes std's own dependencies from
# the registry too, at the versions of std's Cargo.lock (the same versions as
# the vendor directory; for wasm32-wasip2 the vendored wit-bindgen 0.45.1 would
# not build anyway, TOOLCHAIN.md A.4). Every package of one tool has the same
# name and dependencies, so one lock file, kept in benchmarks/size/, pins them all;
# a missing lock file is generated once (cargo generate-lockfile) and kept.
# write_bindgen_package DIR NAME LIB SOURCE DEPENDENCY LOCKFILE
write_bindgen_package() {
  local dir=$1 name=$2 lib=$3 src=$4 dep=$5 lock=$6
  mkdir -p "$dir"
  cat >"$dir/Cargo.toml" <<EOF
[package]
name = "$name"
version = "0.0.0"
edition = "2024"

[lib]
name = "$lib"
path = "$src"
crate-type = ["cdylib"]

[dependencies]
$dep

[profile.release]
$(echo "$CARGO_PROFILE" | tr ',' '\n' | sed 's/^ //')

[workspace]
EOF
  if [ ! -f "$lock" ]; then
    log "generating ${lock#"$ROOT"/} (keep it: it pins every crate of the $name packages)"
    (cd "$dir" && PATH=/usr/bin:$PATH RUSTC=$RUSTC "$CARGO" generate-lockfile) >>"$LOGS/cargo.log" 2>&1 \
      || die "cargo generate-lockfile for $name failed (see $LOGS/cargo.log)"
    cp "$dir/Cargo.lock" "$lock"
  fi
  cp "$lock" "$dir/Cargo.lock"
}
# check_lock LOCKFILE CRATE VERSION: the kept lock file must pin CRATE at VERSION
# (a version bump in this script or peers.sh needs a new lock file).
check_lock() {
  local got
  got=$(awk -v n="$2" '$0 == "name = \"" n "\"" { getline; gsub(/version = |"/, ""); print; exit }' "$1")
  [ "$got" = "$3" ] || die "${1#"$ROOT"/} pins $2 ${got:-(none)}, not $3: delete it to regenerate it"
}
install_bindgen_packages() {
  WASM_BINDGEN=$(install_wasm_bindgen) || die "could not install wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  local prog
  for prog in $PROGRAMS; do
    [ -f "$(source_of "$prog" wasm_bindgen.rs)" ] || continue
    write_bindgen_package "$PEERS/wasm-bindgen/$prog" wasm-bindgen-bench "$prog" "$(source_of "$prog" wasm_bindgen.rs)" \
      "wasm-bindgen = \"=$WASM_BINDGEN_VERSION\"" "$SIZE/wasm-bindgen.Cargo.lock"
  done
  check_lock "$SIZE/wasm-bindgen.Cargo.lock" wasm-bindgen "$WASM_BINDGEN_VERSION"
}
install_wit_bindgen_package() {
  local dir=$PEERS/wit-bindgen/component
  write_bindgen_package "$dir" wit-bindgen-bench component "$(source_of component wit_bindgen.rs)" \
    "wit-bindgen = \"=$WIT_BINDGEN_VERSION\"" "$SIZE/component/wit-bindgen.Cargo.lock"
  check_lock "$SIZE/component/wit-bindgen.Cargo.lock" wit-bindgen "$WIT_BINDGEN_VERSION"
  # generate!'s `path` is relative to the package.
  ln -sfn "$SIZE/component/wit" "$dir/wit"
}

# ---- Builds. build_<toolchain> PROGRAM OUTFILE [clean] (toolchain with - as _)
bazel_out() {
  # The newest output of the target (the browser profile's transition picks the directory).
  find -L bazel-out/ -path "*/bin/benchmarks/size/$1.wasm" -printf '%T@ %p\n' 2>/dev/null | sort -n | tail -1 | cut -d' ' -f2
}
build_wasmrust() {
  local prog=$1 out=$2 clean=${3:-} flags=$BAZEL_FLAGS
  case $prog in component*) flags=$BAZEL_COMPONENT_FLAGS ;; esac
  [ -n "$clean" ] && bazel clean >>"$LOGS/bazel.log" 2>&1
  # shellcheck disable=SC2086
  bazel build "//benchmarks/size:$prog" $flags >>"$LOGS/bazel.log" 2>&1 \
    || die "bazel build //benchmarks/size:$prog failed (see $LOGS/bazel.log)"
  cp "$(bazel_out "$prog")" "$out"
}
build_cargo() {
  local prog=$1 out=$2 clean=${3:-}
  [ -n "$clean" ] && rm -rf "$PEERS/cargo/$prog/target"
  # shellcheck disable=SC2086
  (cd "$PEERS/cargo/$prog" && RUSTC_BOOTSTRAP=1 PATH=/usr/bin:$PATH RUSTC=$RUSTC "$CARGO" $CARGO_FLAGS) >>"$LOGS/cargo.log" 2>&1 \
    || die "cargo build of $prog failed (see $LOGS/cargo.log)"
  cp "$PEERS/cargo/$prog/target/wasm32-unknown-unknown/release/$prog.wasm" "$out"
}
# Paths in the new peers' panic messages are made relative (the plain cargo peer keeps them).
remap_flags() {
  echo "--remap-path-prefix=$ROOT/= --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}/registry/src/="
}
# cargo + wasm-bindgen, then wasm-opt as wasm-pack does in release. OUTFILE is
# DIR/PROGRAM/PROGRAM_bg.wasm; the glue is written beside it as PROGRAM.js.
build_wasm_bindgen() {
  local prog=$1 out=$2 clean=${3:-} dir=$PEERS/wasm-bindgen/$1
  [ -n "$clean" ] && rm -rf "$dir/target"
  # shellcheck disable=SC2086
  (cd "$dir" && RUSTC_BOOTSTRAP=1 PATH=/usr/bin:$PATH RUSTC=$RUSTC CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$(remap_flags)" \
    "$CARGO" $CARGO_FLAGS --locked) >>"$LOGS/wasm-bindgen.log" 2>&1 \
    || die "cargo build of the wasm-bindgen $prog failed (see $LOGS/wasm-bindgen.log)"
  rm -rf "$(dirname "$out")"
  # shellcheck disable=SC2086
  "$WASM_BINDGEN" $WASM_BINDGEN_FLAGS --out-dir "$(dirname "$out")" "$dir/target/wasm32-unknown-unknown/release/$prog.wasm" \
    >>"$LOGS/wasm-bindgen.log" 2>&1 || die "wasm-bindgen $prog failed (see $LOGS/wasm-bindgen.log)"
  # shellcheck disable=SC2086
  "$WASM_OPT" $WASM_OPT_FLAGS "$out" -o "$out" >>"$LOGS/wasm-bindgen.log" 2>&1 || die "wasm-opt of the wasm-bindgen $prog failed (see $LOGS/wasm-bindgen.log)"
}
# cargo + wit-bindgen for wasm32-wasip2: rustc links the component with wasm-component-ld.
build_wit_bindgen() {
  local prog=$1 out=$2 clean=${3:-} dir=$PEERS/wit-bindgen/$1
  [ -n "$clean" ] && rm -rf "$dir/target"
  # shellcheck disable=SC2086
  (cd "$dir" && RUSTC_BOOTSTRAP=1 PATH=/usr/bin:$PATH RUSTC=$RUSTC CARGO_TARGET_WASM32_WASIP2_RUSTFLAGS="$WIT_RUSTFLAGS $(remap_flags)" \
    "$CARGO" $WIT_CARGO_FLAGS --locked) >>"$LOGS/wit-bindgen.log" 2>&1 \
    || die "cargo build of the wit-bindgen $prog failed (see $LOGS/wit-bindgen.log)"
  cp "$dir/target/wasm32-wasip2/release/$prog.wasm" "$out"
}
build_zig() {
  local prog=$1 out=$2 clean=${3:-}
  [ -n "$clean" ] && rm -rf "$PEERS/zig-cache"
  # shellcheck disable=SC2086
  (cd "$SIZE/$prog" && "$ZIG" $ZIG_FLAGS --cache-dir "$PEERS/zig-cache/local" --global-cache-dir "$PEERS/zig-cache/global" \
    "$(source_of "$prog" zig)" -femit-bin="$out") >>"$LOGS/zig.log" 2>&1 || die "zig build of $prog failed (see $LOGS/zig.log)"
  rm -f "${out%.wasm}.wasm.o"
}
build_assemblyscript() {
  # shellcheck disable=SC2086
  "$ASC" "$(source_of "$1" ts)" -o "$2" $AS_FLAGS >>"$LOGS/asc.log" 2>&1 || die "asc build of $1 failed (see $LOGS/asc.log)"
}
build_clang() {
  # shellcheck disable=SC2086
  "$CLANG" $C_FLAGS -o "$2" "$(source_of "$1" c)" >>"$LOGS/clang.log" 2>&1 || die "clang build of $1 failed (see $LOGS/clang.log)"
}

ext_of() {
  case $1 in
    wasmrust | cargo) echo rs ;; wasm-bindgen) echo wasm_bindgen.rs ;; wit-bindgen) echo wit_bindgen.rs ;;
    zig) echo zig ;; assemblyscript) echo ts ;; clang) echo c ;;
  esac
}

# The module TOOLCHAIN built for PROGRAM under DIR, and what driver.mjs loads
# (wasm-bindgen: its glue, which loads the module).
module_of() {
  case $1 in wasm-bindgen) echo "$3/$2/$2_bg.wasm" ;; *) echo "$3/$2.wasm" ;; esac
}
driver_input() {
  case $1 in wasm-bindgen) echo "$3/$2/$2.js" ;; *) echo "$3/$2.wasm" ;; esac
}

gzip_bytes() { gzip -9 -c "$1" | wc -c; }

# One row of $ROWS (JSON lines): build clean, check and measure, then rebuild after an edit.
measure() {
  local tc=$1 prog=$2 ext src out edited t0 clean_s incr_s run js=""
  # The component program is a component: only WasmRust and the wit-bindgen peer build it.
  case $tc in wasmrust | wit-bindgen) ;; *) case $prog in component*) return 0 ;; esac ;; esac
  ext=$(ext_of "$tc")
  src=$(source_of "$prog" "$ext")
  [ -f "$src" ] || return 0
  out=$(module_of "$tc" "$prog" "$OUT/$tc")
  edited=$(module_of "$tc" "$prog" "$OUT/$tc/edited")
  mkdir -p "$(dirname "$out")" "$(dirname "$edited")"
  log "$tc: $prog"
  t0=$(now); "build_${tc//-/_}" "$prog" "$out" clean; clean_s=$(elapsed "$t0")
  local drv=$prog
  [ "$prog" = hello_std ] && drv=hello
  if [[ $prog = component* ]]; then
    compiler/bin/wasmrust-run check "$out" "$SIZE/component/component.expect" >"$LOGS/check.log" 2>&1 \
      || { cat "$LOGS/check.log" >&2; die "$tc/$prog: wasmrust-run check failed (above)"; }
    run='{}'
  else
    run=$("$NODE" "$SIZE/driver.mjs" "$drv" "$(driver_input "$tc" "$prog" "$OUT/$tc")") || die "$tc/$prog: driver check failed (above)"
  fi
  begin_edit "$src"
  t0=$(now); "build_${tc//-/_}" "$prog" "$edited"; incr_s=$(elapsed "$t0")
  restore_edits
  cmp -s "$out" "$edited" && die "$tc/$prog: the one-line edit did not change the module"
  rm -rf "$OUT/$tc/edited"
  if [ "$tc" = wasm-bindgen ]; then
    js=$(driver_input "$tc" "$prog" "$OUT/$tc")
    js=$(printf ',"js_bytes":%s,"js_gzip":%s' "$(stat -c %s "$js")" "$(gzip_bytes "$js")")
  fi
  printf '{"toolchain":"%s","program":"%s","bytes":%s,"gzip":%s%s,"clean_s":%s,"incr_s":%s,"run":%s}\n' \
    "$tc" "$prog" "$(stat -c %s "$out")" "$(gzip_bytes "$out")" "$js" "$clean_s" "$incr_s" "$run" >>"$ROWS"
}

# The SHA-256 run times again, all toolchains round-robin, best of ROUNDS medians:
# the machine is shared, so timing each module right after its own build would
# compare different loads.
time_sha256() {
  local round tc ms
  if [ "${SHA_ROUNDS:-5}" = 0 ] && [ -s "$PEERS/sha256_times.tsv" ]; then
    log "sha256 timing: SHA_ROUNDS=0, reusing $PEERS/sha256_times.tsv"
    return
  fi
  log "sha256 timing: ${SHA_ROUNDS:-5} interleaved rounds"
  : >"$PEERS/sha256_times.tsv"
  for round in $(seq "${SHA_ROUNDS:-5}"); do
    for tc in $TOOLCHAINS; do
      [ -f "$(driver_input "$tc" sha256 "$OUT/$tc")" ] || continue
      ms=$("$NODE" "$SIZE/driver.mjs" sha256 "$(driver_input "$tc" sha256 "$OUT/$tc")" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["sha256_ms"])') \
        || die "$tc/sha256: driver check failed (above)"
      printf '%s\t%s\t%s\n' "$tc" "$round" "$ms" >>"$PEERS/sha256_times.tsv"
    done
  done
  # The same workload in wasmtime (Cranelift): benchmarks/wasmtime-timer runs the core
  # modules in turns, ROUNDS times, best median each (wasm-bindgen's needs its JS glue).
  local timer=$ROOT/target/release/wasmtime-timer modules=()
  [ -x "$timer" ] || bash "$ROOT/tools/setup.sh" tools >>"$LOGS/wasmtime-timer.log" 2>&1 \
    || die "building benchmarks/wasmtime-timer failed (see $LOGS/wasmtime-timer.log)"
  for tc in $TOOLCHAINS; do
    [ "$tc" != wasm-bindgen ] && [ -f "$OUT/$tc/sha256.wasm" ] && modules+=("$OUT/$tc/sha256.wasm")
  done
  [ ${#modules[@]} -gt 0 ] || return 0
  log "sha256 timing in wasmtime: ${SHA_ROUNDS:-5} rounds"
  WASMTIME_TIMER_ROUNDS=${SHA_ROUNDS:-5} "$timer" "${modules[@]}" | sed "s|^$OUT/\([^/]*\)/sha256.wasm|\1|" \
    >"$PEERS/sha256_wasmtime.tsv" || die "wasmtime-timer: a module failed (above)"
}

# ---- Peak memory of the Bazel server (and of everything it runs) for //app:component.
# Samples every 0.2 s the RSS of the server and all its descendants (the sandboxed
# rustc / wasmrust actions); VmHWM is the JVM's own peak, read from /proc.
tree_rss_sampler() {
  local pid=$1 file=$2
  echo "0 0" >"$file"
  while kill -0 "$pid" 2>/dev/null; do
    ps -eo pid=,ppid=,rss= | awk -v root="$pid" -v file="$file" '
      { parent[$1] = $2; rss[$1] = $3 }
      END {
        total = 0; biggest = 0
        for (p in rss) {
          q = p; inside = 0
          for (i = 0; i < 64 && q > 1; i++) { if (q == root) { inside = 1; break } q = parent[q] }
          if (!inside) continue
          total += rss[p]
          if (p != root && rss[p] > biggest) biggest = rss[p]
        }
        getline prev < file; close(file); split(prev, old, " ")
        if (total < old[1]) total = old[1]
        if (biggest < old[2]) biggest = old[2]
        print total, biggest > file
      }'
    sleep 0.2
  done
}
bazel_memory() {
  local ob pid t0 secs hwm rss0 sampler f=app/src/text.rs
  ob=$(bazel info output_base 2>/dev/null)
  log "bazel memory: clean build of //app:component in a fresh server"
  bazel clean >>"$LOGS/bazel.log" 2>&1
  bazel shutdown >>"$LOGS/bazel.log" 2>&1
  bazel info release >/dev/null 2>&1 # starts the server
  pid=$(cat "$ob/server/server.pid.txt")
  tree_rss_sampler "$pid" "$PEERS/tree.clean" &
  sampler=$!
  echo 5 >"/proc/$pid/clear_refs" # reset VmHWM: the startup is not part of the build
  rss0=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  t0=$(now)
  bazel build //app:component --config=release >>"$LOGS/bazel.log" 2>&1 || die "bazel build //app:component failed"
  secs=$(elapsed "$t0")
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  kill "$sampler"; wait "$sampler" 2>/dev/null || true
  printf '{"what":"clean","secs":%s,"rss_before_kb":%s,"server_hwm_kb":%s,"tree_kb":%s,"action_kb":%s}\n' "$secs" "$rss0" "$hwm" \
    "$(cut -d' ' -f1 "$PEERS/tree.clean")" "$(cut -d' ' -f2 "$PEERS/tree.clean")" >>"$MEM"
  log "bazel memory: one-line change in $f, warm server"
  # The edit benchmarks/edit_rebuild.sh makes: a different separator, so the module changes.
  mkdir -p "$PEERS/backup"
  cp "$f" "$PEERS/backup/text.rs"
  EDITED=$f
  sed -i 's/words.join(" ")/words.join("  ")/' "$f"
  grep -q 'words.join("  ")' "$f" || die "could not edit $f (words.join(\" \") not found)"
  tree_rss_sampler "$pid" "$PEERS/tree.edit" &
  sampler=$!
  echo 5 >"/proc/$pid/clear_refs"
  rss0=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  t0=$(now)
  bazel build //app:component --config=release >>"$LOGS/bazel.log" 2>&1 || die "bazel rebuild of //app:component failed"
  secs=$(elapsed "$t0")
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  kill "$sampler"; wait "$sampler" 2>/dev/null || true
  restore_edits
  printf '{"what":"edit","secs":%s,"rss_before_kb":%s,"server_hwm_kb":%s,"tree_kb":%s,"action_kb":%s}\n' "$secs" "$rss0" "$hwm" \
    "$(cut -d' ' -f1 "$PEERS/tree.edit")" "$(cut -d' ' -f2 "$PEERS/tree.edit")" >>"$MEM"
  bazel build //app:component --config=release >>"$LOGS/bazel.log" 2>&1 # back to the committed source
}

# "key<TAB>value" lines; the report turns them into lists.
versions() {
  printf 'wasmrust\t%s\n' "$(git rev-parse --short HEAD) (Bazel $(dpkg-query -W -f '${Version}' bazel-bootstrap), rustc-web $(dpkg-query -W -f '${Version}' rustc-web), $(compiler/bin/wasmrust --version 2>/dev/null | head -1 || echo wasmrust), wasm-opt from the wasm-opt crate in compiler/)"
  printf 'cargo\t%s\n' "$("$CARGO" --version) / $("$RUSTC" --version)"
  printf 'wasm-bindgen\t%s\n' "wasm-bindgen $WASM_BINDGEN_VERSION (crate, pinned with its dependencies by benchmarks/size/wasm-bindgen.Cargo.lock) + $("$WASM_BINDGEN" --version 2>/dev/null || echo "wasm-bindgen CLI not installed") (cargo install --locked wasm-bindgen-cli@$WASM_BINDGEN_VERSION, benchmarks/peers.sh), $("$WASM_OPT" --version) (Debian binaryen $(dpkg-query -W -f '${Version}' binaryen)); same cargo and rustc as cargo"
  printf 'wit-bindgen\t%s\n' "wit-bindgen $WIT_BINDGEN_VERSION (crate, pinned by benchmarks/size/component/wit-bindgen.Cargo.lock); same cargo and rustc as cargo; $(/usr/lib/rustlib/x86_64-unknown-linux-gnu/bin/wasm-component-ld --version 2>/dev/null | head -1 || echo wasm-component-ld) (rust-web-llvm)"
  printf 'zig\t%s\n' "Zig $("$ZIG" version) (PyPI ziglang==$ZIG_VERSION)"
  printf 'assemblyscript\t%s\n' "AssemblyScript $("$ASC" --version | awk '{print $2}') (npm assemblyscript@$AS_VERSION, with the binaryen it depends on)"
  printf 'clang\t%s\n' "$("$CLANG" --version | head -1), wasi-libc $(dpkg-query -W -f '${Version}' wasi-libc), lld-22 $(dpkg-query -W -f '${Version}' lld-22)"
  printf 'node\t%s\n' "$("$NODE" --version)"
  printf 'rustup wasm targets\t%s\n' "$( (~/.cargo/bin/rustup target list --installed 2>/dev/null || true) | grep wasm || echo 'none: rustup has only the host target, so both Rust builds use Debian rustc-web 1.96 with std built from rust-web-src')"
  printf 'machine\t%s\n' "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), shared with other builds (load average at start $(cut -d' ' -f1-3 /proc/loadavg))"
}

flags() {
  printf 'wasmrust\t%s\n' "bazel build //benchmarks/size:PROGRAM $BAZEL_FLAGS (wasm_rust_binary kind=reactor profile=browser: wasm32-unknown-unknown, opt-level z, fat LTO, 1 CGU, panic=immediate-abort, wasm::alloc::Heap (the profile's allocator), linker exports dropped, wasm-opt -Oz, 32 KiB stack)"
  printf 'cargo\t%s\n' "RUSTC_BOOTSTRAP=1 cargo $CARGO_FLAGS; [profile.release] $CARGO_PROFILE; crate-type cdylib; no wasm-opt"
  printf 'wasm-bindgen\t%s\n' "as cargo (plus --locked, --remap-path-prefix for the checkout and the registry), then wasm-bindgen $WASM_BINDGEN_FLAGS, then wasm-opt $WASM_OPT_FLAGS (wasm-pack's release default, -O)"
  printf 'wit-bindgen\t%s\n' "RUSTC_BOOTSTRAP=1 cargo $WIT_CARGO_FLAGS --locked; rustflags $WIT_RUSTFLAGS and --remap-path-prefix as wasm-bindgen; [profile.release] as cargo; rustc links the component with wasm-component-ld; no wasm-opt"
  printf 'zig\t%s\n' "zig $ZIG_FLAGS"
  printf 'assemblyscript\t%s\n' "asc $AS_FLAGS"
  printf 'clang\t%s\n' "clang-22 $C_FLAGS (wasi-libc malloc; no wasm-opt)"
}

main() {
  local started; started=$(now)
  install_peers
  ROWS=$PEERS/rows.jsonl
  MEM=$PEERS/bazel_memory.jsonl
  local tc prog
  if [ "${REPORT_ONLY:-}" = 1 ]; then
    SKIP_PROGRAMS=1
    SKIP_BAZEL_MEMORY=1
  fi
  if [ "${SKIP_PROGRAMS:-}" = 1 ]; then
    [ -s "$ROWS" ] || die "SKIP_PROGRAMS=1 / REPORT_ONLY=1 need a previous run's $ROWS"
  else
    : >"$ROWS"
    : >"$LOGS/bazel.log"
    for tc in $TOOLCHAINS; do
      for prog in $PROGRAMS; do
        measure "$tc" "$prog"
      done
    done
    elapsed "$started" >"$PEERS/programs_secs"
  fi
  if [ "${SKIP_BAZEL_MEMORY:-}" != 1 ]; then
    : >"$MEM"
    local t0; t0=$(now)
    bazel_memory
    elapsed "$t0" >"$PEERS/memory_secs"
  fi
  time_sha256
  versions >"$PEERS/versions.tsv"
  flags >"$PEERS/flags.tsv"
  local total; total=$(elapsed "$started")
  /usr/bin/python3 - "$ROWS" "$MEM" "$PEERS/versions.tsv" "$PEERS/flags.tsv" "$total" "$SIZE/analysis.md" \
    "$RESULTS" "$PEERS/sha256_times.tsv" "$PEERS/programs_secs" "$PEERS/memory_secs" "$PEERS/sha256_wasmtime.tsv" <<'PY'
import json, sys, datetime, os
rows_f, mem_f, ver_f, flags_f, total, analysis_f, results_f, times_f, prog_f, memsecs_f, wasmtime_f = sys.argv[1:]
def secs(f):
    return float(open(f).read()) if os.path.exists(f) else 0.0
phases = f"programs {secs(prog_f) / 60:.1f} min, Bazel memory {secs(memsecs_f) / 60:.1f} min, last pass {float(total) / 60:.1f} min"
rows = [json.loads(l) for l in open(rows_f) if l.strip()]
# sha256: the best of the interleaved rounds replaces the time taken right after the build.
best = {}
rounds = set()
for l in open(times_f):
    tc, rnd, ms = l.split()
    rounds.add(rnd)
    best[tc] = min(best.get(tc, float("inf")), float(ms))
wasmtime_ms = {}
if os.path.exists(wasmtime_f):
    for l in open(wasmtime_f):
        tc, ms = l.split()
        wasmtime_ms[tc] = float(ms)
for r in rows:
    if r["program"] == "sha256" and r["toolchain"] in best:
        r["run"]["sha256_ms"] = best[r["toolchain"]]
    if r["program"] == "sha256" and r["toolchain"] in wasmtime_ms:
        r["run"]["sha256_wasmtime_ms"] = wasmtime_ms[r["toolchain"]]
mem = {m["what"]: m for m in (json.loads(l) for l in open(mem_f) if l.strip())} if os.path.exists(mem_f) else {}
def tsv(f):
    return dict(l.rstrip("\n").split("\t", 1) for l in open(f) if "\t" in l)
versions = tsv(ver_f); flags = tsv(flags_f)
PROGS = ["add", "hello", "hello_std", "strings", "sha256", "json", "component", "component_generated"]
TCS = ["wasmrust", "cargo", "wasm-bindgen", "zig", "assemblyscript", "clang", "wit-bindgen"]
# Peers that build the core-module programs (wit-bindgen builds only `component`).
PEERS = ["cargo", "wasm-bindgen", "zig", "assemblyscript", "clang"]
by = {(r["toolchain"], r["program"]): r for r in rows}
def shipped(r):
    """Bytes a host must load: the module, plus wasm-bindgen's JS glue."""
    return r["bytes"] + r.get("js_bytes", 0)
def shipped_name(r):
    return r["toolchain"] + (" (wasm + JS glue)" if "js_bytes" in r else "")

def fmt_max(v):
    return "none" if v is None else str(v)

head = ["program", "toolchain", "bytes", "gzip -9", "JS glue bytes", "JS glue gzip -9", "clean build (s)", "rebuild after 1-line edit (s)",
        "initial pages", "max pages", "peak pages", "sha256 16 MiB, node (ms)", "sha256 16 MiB, wasmtime (ms)"]
lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
for p in PROGS:
    for t in TCS:
        r = by.get((t, p))
        if not r:
            continue
        run = r["run"]
        name = f"**{t}**" if t == "wasmrust" else t
        pages = [run["initial_pages"], fmt_max(run["max_pages"]), run["peak_pages"]] if run else ["", "", ""]
        lines.append("| " + " | ".join(str(x) for x in [
            p, name, r["bytes"], r["gzip"], r.get("js_bytes", ""), r.get("js_gzip", ""), r["clean_s"], r["incr_s"],
            *pages, run.get("sha256_ms", ""), run.get("sha256_wasmtime_ms", "")]) + " |")
table = "\n".join(lines)
print(table)

# Goals (a partial run, PROGRAMS=/TOOLCHAINS=, checks what it can)
goals = []
def goal(name, ok, detail):
    goals.append((name, ok, detail))
def component_goals():
    w, c = by[("wasmrust", "component")], by[("wit-bindgen", "component")]
    d = w["bytes"] - c["bytes"]
    goal("size component <= cargo + wit-bindgen", d <= 0,
         f"{w['bytes']} B vs {c['bytes']} B" + (f": {d:+} B ({w['bytes'] / c['bytes']:.2f}x)" if d > 0 else ""))
    g, h = by[("wasmrust", "component_generated")], by[("wasmrust", "component")]
    goal("size component with generated bindings <= hand-written + 3 %", g["bytes"] <= h["bytes"] * 1.03,
         f"{g['bytes']} B vs {h['bytes']} B ({g['bytes'] / h['bytes'] - 1:+.1%})")
    goal("size component with generated bindings <= 0.35x cargo + wit-bindgen", g["bytes"] <= c["bytes"] * 0.35,
         f"{g['bytes']} B vs {c['bytes']} B ({g['bytes'] / c['bytes']:.2f}x)")
def all_goals():
    for p in ["add", "hello", "strings", "sha256", "json"]:
        w = by[("wasmrust", p)]
        best = min((by[(t, p)] for t in PEERS if (t, p) in by), key=shipped)
        d = w["bytes"] - shipped(best)
        goal(f"size {p} <= smallest peer", d <= 0,
             f"{w['bytes']} B vs {shipped_name(best)} {shipped(best)} B" + (f": {d:+} B ({w['bytes'] / shipped(best):.2f}x)" if d > 0 else ""))
    hs = by[("wasmrust", "hello_std")]["bytes"]
    goal("hello with std idioms (String/format!) < 2 KB", hs < 2048, f"{hs} B" + (f": {hs - 2048:+} B over 2048" if hs >= 2048 else ""))
    w = by[("wasmrust", "sha256")]["run"]["sha256_ms"]
    fast = min((by[(t, "sha256")] for t in PEERS), key=lambda r: r["run"]["sha256_ms"])
    speed = fast["run"]["sha256_ms"] / w
    goal("sha256 speed >= 0.95x fastest peer (node)", speed >= 0.95,
         f"{w} ms vs {fast['toolchain']} {fast['run']['sha256_ms']} ms = {speed:.2f}x")
    w = by[("wasmrust", "sha256")]["run"]["sha256_wasmtime_ms"]
    fast = min((by[(t, "sha256")] for t in PEERS if "sha256_wasmtime_ms" in by[(t, "sha256")]["run"]),
               key=lambda r: r["run"]["sha256_wasmtime_ms"])
    speed = fast["run"]["sha256_wasmtime_ms"] / w
    goal("sha256 speed >= 0.95x fastest peer (wasmtime)", speed >= 0.95,
         f"{w} ms vs {fast['toolchain']} {fast['run']['sha256_wasmtime_ms']} ms = {speed:.2f}x")
    for key, label in [("initial_pages", "initial pages"), ("peak_pages", "peak pages")]:
        for p in ["add", "hello", "strings", "sha256", "json"]:
            wv = by[("wasmrust", p)]["run"][key]
            best = min((by[(t, p)] for t in PEERS), key=lambda r: r["run"][key])
            bv = best["run"][key]
            goal(f"{label} {p} <= smallest peer", wv <= bv,
                 f"{wv} vs {best['toolchain']} {bv}" + (f": {wv - bv:+} pages ({(wv - bv) * 64} KiB)" if wv > bv else ""))

try:
    component_goals()
except KeyError as e:
    goal('component goals', False, f'partial run, not evaluated past {e!r}')
try:
    all_goals()
except (KeyError, ValueError) as e:
    goal('all goals', False, f'partial run, not evaluated past {e!r}')
glines = ["| goal | met | figures |", "|---|---|---|"]
for name, ok, detail in goals:
    glines.append(f"| {name} | {'yes' if ok else '**no**'} | {detail} |")

mlines = []
if mem:
    mlines = ["| build | wall (s) | server RSS when the build starts | Bazel server VmHWM | peak RSS, server + all its actions (0.2 s samples) | largest single process under the server |",
              "|---|---|---|---|---|---|"]
    for what, label in [("clean", "clean `bazel build //app:component --config=release`, fresh server"),
                        ("edit", "rebuild after a one-line edit of app/src/text.rs, warm server")]:
        if what in mem:
            m = mem[what]
            before = f"{m['rss_before_kb'] / 1024:.0f} MiB" if "rss_before_kb" in m else "not recorded"
            mlines.append(f"| {label} | {m['secs']} | {before} | {m['server_hwm_kb'] / 1024:.0f} MiB | {m['tree_kb'] / 1024:.0f} MiB | {m['action_kb'] / 1024:.0f} MiB |")

now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
out = [f"# Size and memory benchmarks: WasmRust against peers",
       "",
       f"Generated by `benchmarks/size.sh` on {now} (run time: {phases}). Do not edit by hand;",
       "the analysis at the end comes from `benchmarks/size/analysis.md`.",
       "",
       "## Versions", ""]
out += [f"- **{k}**: {v}" for k, v in versions.items()]
out += ["", "## Flags", ""]
out += [f"- **{k}**: `{v}`" for k, v in flags.items()]
out += ["", "## Results", "",
        "Programs and the workload each runs are in `benchmarks/size/` and `benchmarks/size/driver.mjs`; every module",
        "below gave the same answers on the same inputs. Pages are 64 KiB. *clean build*: every cache of that toolchain",
        "emptied first (Bazel: `bazel clean`, so the wasm32 sysroot is rebuilt; cargo: empty target dir, std rebuilt by",
        "`-Zbuild-std`; Zig: empty local and global cache; asc and clang keep no cache). *rebuild*: one line appended",
        "to the source (a new export, so the module really changes), caches warm. *peak pages*: `memory.buffer.byteLength`",
        "after the workload in node 20. sha256: median of 7 runs hashing a 1 MiB host-filled buffer 16 times (best of",
        f"{len(rounds)} such medians, the toolchains taking turns), in node and in wasmtime 48 (Cranelift, through",
        "`benchmarks/wasmtime-timer`, which checks every digest too; wasm-bindgen's module needs its JS glue, so it has",
        "no wasmtime time). `hello_std` is the Rust-only variant built with",
        "`String` and `format!`.",
        "",
        "*wasm-bindgen*: the same programs with `#[wasm_bindgen]` exports (`*.wasm_bindgen.rs`), built like *cargo*,",
        "then `wasm-bindgen --target nodejs` and `wasm-opt -O`. *bytes* is the `_bg.wasm`; a host also loads the",
        "JS glue, whose size is in its own columns. driver.mjs calls it through the glue, with JS strings and",
        "`Uint8Array`s: each sha256 call copies the 1 MiB into linear memory. *component*: the WIT world",
        "`component/wit/words.wit`, built by WasmRust (wasmtime profile, `--config=release`) and by cargo +",
        "wit-bindgen for wasm32-wasip2; *bytes* is the whole component (core modules, adapters, types). Both pass",
        "`wasmrust-run check` (wasmtime) on `component/component.expect`; they have no node workload, hence no pages.",
        "", table, "",
        "## Goals", "", "\n".join(glines), ""]
if mlines:
    out += ["## Bazel's own memory", "",
            "VmHWM is the peak resident set of the Bazel server (the JVM that analyses and schedules), read from",
            "`/proc/<pid>/status` with `server.pid.txt`; it was reset (`echo 5 > /proc/<pid>/clear_refs`) just before",
            "each build. The client's RSS (what `/usr/bin/time -v bazel build` shows) is only the small launcher. The actions",
            "(rustc, wasmrust) are separate processes under the server, so the last two columns sample the whole process tree.",
            "", "\n".join(mlines), ""]
if os.path.exists(analysis_f):
    out += [open(analysis_f).read().rstrip(), ""]
open(results_f, "w").write("\n".join(out))
PY
  log "wrote ${RESULTS#"$ROOT"/} (total $total s)"
}

main "$@"
