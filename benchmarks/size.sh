#!/usr/bin/env bash
# Size and memory benchmarks: WasmRust against peers (issue 4 part 2, issue 9 part 4).
#
# Builds every reference program in benchmarks/size/ with WasmRust (Bazel,
# --config=release, browser profile = wasm32-unknown-unknown core modules) and
# with the peers: plain cargo (same Rust sources), Zig, AssemblyScript and
# C (clang + wasi-libc). For each module it records raw and gzip -9 bytes, the
# clean build time, the rebuild time after a one-line change, the declared
# initial/maximum memory pages and, after the same workload in node, the peak
# memory pages (and the SHA-256 kernel's run time). benchmarks/size/driver.mjs
# checks every module's answers; a wrong answer stops the run. It also records
# the Bazel server's peak memory for `bazel build //app:component --config=release`.
#
# Prints the table (markdown) on stdout and writes benchmarks/RESULTS.md.
# Peers are installed, pinned, into benchmarks/.peers/ (git-ignored); the Debian
# packages are installed with apt-get when missing (needs root).
#
# Usage: benchmarks/size.sh
# Environment (for trying a change; RESULTS.md wants the full run):
#   REPORT_ONLY=1              reuse the last run's builds and figures; redo the sha256 timing and the report
#   SKIP_PROGRAMS=1            reuse the last run's program figures; redo the Bazel memory figures and the report
#   SHA_ROUNDS=N               interleaved sha256 timing rounds (default 5; 0 with REPORT_ONLY=1: reuse the last times)
#   SKIP_BAZEL_MEMORY=1        skip the //app:component memory figures
#   PROGRAMS="add json"        only these programs;  TOOLCHAINS="zig clang"  only these toolchains
#                              (a partial run writes benchmarks/.peers/RESULTS.partial.md)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SIZE=$ROOT/benchmarks/size
PEERS=$ROOT/benchmarks/.peers
OUT=$PEERS/out
LOGS=$PEERS/logs

# ---- Pinned versions
ZIG_VERSION=0.15.2          # PyPI `ziglang`
AS_VERSION=0.28.20          # npm `assemblyscript`
APT_PACKAGES="clang-22 lld-22 wasi-libc libclang-rt-22-dev-wasm32"
CLANG=/usr/bin/clang-22
NODE=/usr/bin/node
RUSTC=/usr/bin/rustc        # Debian rustc-web 1.96 (rustup's 1.95 has no wasm32 std)
CARGO=/usr/bin/cargo
RUST_SRC_VENDOR=/usr/src/rustc-1.96.0/library/vendor

ZIG=$PEERS/zig-$ZIG_VERSION/ziglang/zig
ASC=$PEERS/as-$AS_VERSION/node_modules/.bin/asc

# ---- Flags, one place (also written to RESULTS.md)
ZIG_FLAGS="build-exe -target wasm32-freestanding -O ReleaseSmall -fno-entry -rdynamic"
AS_FLAGS="-O3z --runtime incremental"
C_FLAGS="--target=wasm32-wasi -Oz -mexec-model=reactor -Wl,--strip-all -Wno-deprecated"
CARGO_PROFILE='opt-level = "z", lto = true, codegen-units = 1, panic = "abort", strip = true'
CARGO_FLAGS="build --release --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort"
BAZEL_FLAGS="--config=release --config=browser"

# A partial run (PROGRAMS= or TOOLCHAINS= set) writes its report to $PEERS, not benchmarks/RESULTS.md.
RESULTS=$ROOT/benchmarks/RESULTS.md
[ -n "${PROGRAMS:-}${TOOLCHAINS:-}" ] && RESULTS=$PEERS/RESULTS.partial.md
PROGRAMS=${PROGRAMS:-add hello hello_std strings sha256 json}
TOOLCHAINS=${TOOLCHAINS:-wasmrust cargo zig assemblyscript clang}

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# Source file of PROGRAM for a language extension (hello_std is Rust-only).
source_of() {
  local prog=$1 ext=$2 dir=$1
  [ "$prog" = hello_std ] && dir=hello
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
  mkdir -p "$c/.cargo"
  cat >"$c/.cargo/config.toml" <<EOF
[source.crates-io]
replace-with = "rust-src-vendor"
[source.rust-src-vendor]
directory = "$RUST_SRC_VENDOR"
EOF
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
}

# ---- Builds. build_<toolchain> PROGRAM OUTFILE [clean]
bazel_out() {
  # The newest output of the target (the browser profile's transition picks the directory).
  find -L bazel-out/ -path "*/bin/benchmarks/size/$1.wasm" -printf '%T@ %p\n' 2>/dev/null | sort -n | tail -1 | cut -d' ' -f2
}
build_wasmrust() {
  local prog=$1 out=$2 clean=${3:-}
  [ -n "$clean" ] && bazel clean >>"$LOGS/bazel.log" 2>&1
  # shellcheck disable=SC2086
  bazel build "//benchmarks/size:$prog" $BAZEL_FLAGS >>"$LOGS/bazel.log" 2>&1 \
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
  case $1 in wasmrust | cargo) echo rs ;; zig) echo zig ;; assemblyscript) echo ts ;; clang) echo c ;; esac
}

# One row of $ROWS (JSON lines): build clean, check and measure, then rebuild after an edit.
measure() {
  local tc=$1 prog=$2 ext src out t0 clean_s incr_s run
  ext=$(ext_of "$tc")
  src=$(source_of "$prog" "$ext")
  [ -f "$src" ] || return 0
  out=$OUT/$tc/$prog.wasm
  mkdir -p "$OUT/$tc"
  log "$tc: $prog"
  t0=$(now); "build_$tc" "$prog" "$out" clean; clean_s=$(elapsed "$t0")
  local drv=$prog
  [ "$prog" = hello_std ] && drv=hello
  run=$("$NODE" "$SIZE/driver.mjs" "$drv" "$out") || die "$tc/$prog: driver check failed (above)"
  begin_edit "$src"
  t0=$(now); "build_$tc" "$prog" "$OUT/$tc/$prog.edited.wasm"; incr_s=$(elapsed "$t0")
  restore_edits
  cmp -s "$out" "$OUT/$tc/$prog.edited.wasm" && die "$tc/$prog: the one-line edit did not change the module"
  rm -f "$OUT/$tc/$prog.edited.wasm"
  printf '{"toolchain":"%s","program":"%s","bytes":%s,"gzip":%s,"clean_s":%s,"incr_s":%s,"run":%s}\n' \
    "$tc" "$prog" "$(stat -c %s "$out")" "$(gzip -9 -c "$out" | wc -c)" "$clean_s" "$incr_s" "$run" >>"$ROWS"
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
      [ -f "$OUT/$tc/sha256.wasm" ] || continue
      ms=$("$NODE" "$SIZE/driver.mjs" sha256 "$OUT/$tc/sha256.wasm" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["sha256_ms"])') \
        || die "$tc/sha256: driver check failed (above)"
      printf '%s\t%s\t%s\n' "$tc" "$round" "$ms" >>"$PEERS/sha256_times.tsv"
    done
  done
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
    "$RESULTS" "$PEERS/sha256_times.tsv" "$PEERS/programs_secs" "$PEERS/memory_secs" <<'PY'
import json, sys, datetime, os
rows_f, mem_f, ver_f, flags_f, total, analysis_f, results_f, times_f, prog_f, memsecs_f = sys.argv[1:]
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
for r in rows:
    if r["program"] == "sha256" and r["toolchain"] in best:
        r["run"]["sha256_ms"] = best[r["toolchain"]]
mem = {m["what"]: m for m in (json.loads(l) for l in open(mem_f) if l.strip())}
def tsv(f):
    return dict(l.rstrip("\n").split("\t", 1) for l in open(f) if "\t" in l)
versions = tsv(ver_f); flags = tsv(flags_f)
PROGS = ["add", "hello", "hello_std", "strings", "sha256", "json"]
TCS = ["wasmrust", "cargo", "zig", "assemblyscript", "clang"]
PEERS = TCS[1:]
by = {(r["toolchain"], r["program"]): r for r in rows}

def fmt_max(v):
    return "none" if v is None else str(v)

head = ["program", "toolchain", "bytes", "gzip -9", "clean build (s)", "rebuild after 1-line edit (s)",
        "initial pages", "max pages", "peak pages", "sha256 16 MiB, node (ms)"]
lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
for p in PROGS:
    for t in TCS:
        r = by.get((t, p))
        if not r:
            continue
        run = r["run"]
        name = f"**{t}**" if t == "wasmrust" else t
        lines.append("| " + " | ".join(str(x) for x in [
            p, name, r["bytes"], r["gzip"], r["clean_s"], r["incr_s"], run["initial_pages"],
            fmt_max(run["max_pages"]), run["peak_pages"], run.get("sha256_ms", "")]) + " |")
table = "\n".join(lines)
print(table)

# Goals (a partial run, PROGRAMS=/TOOLCHAINS=, checks what it can)
goals = []
def goal(name, ok, detail):
    goals.append((name, ok, detail))
def all_goals():
    for p in ["add", "hello", "strings", "sha256", "json"]:
        w = by[("wasmrust", p)]
        best = min((by[(t, p)] for t in PEERS if (t, p) in by), key=lambda r: r["bytes"])
        d = w["bytes"] - best["bytes"]
        goal(f"size {p} <= smallest peer", d <= 0,
             f"{w['bytes']} B vs {best['toolchain']} {best['bytes']} B" + (f": {d:+} B ({w['bytes'] / best['bytes']:.2f}x)" if d > 0 else ""))
    hs = by[("wasmrust", "hello_std")]["bytes"]
    goal("hello with std idioms (String/format!) < 2 KB", hs < 2048, f"{hs} B" + (f": {hs - 2048:+} B over 2048" if hs >= 2048 else ""))
    w = by[("wasmrust", "sha256")]["run"]["sha256_ms"]
    fast = min((by[(t, "sha256")] for t in PEERS), key=lambda r: r["run"]["sha256_ms"])
    speed = fast["run"]["sha256_ms"] / w
    goal("sha256 speed >= 0.95x fastest peer (node)", speed >= 0.95,
         f"{w} ms vs {fast['toolchain']} {fast['run']['sha256_ms']} ms = {speed:.2f}x")
    for key, label in [("initial_pages", "initial pages"), ("peak_pages", "peak pages")]:
        for p in ["add", "hello", "strings", "sha256", "json"]:
            wv = by[("wasmrust", p)]["run"][key]
            best = min((by[(t, p)] for t in PEERS), key=lambda r: r["run"][key])
            bv = best["run"][key]
            goal(f"{label} {p} <= smallest peer", wv <= bv,
                 f"{wv} vs {best['toolchain']} {bv}" + (f": {wv - bv:+} pages ({(wv - bv) * 64} KiB)" if wv > bv else ""))

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
        f"{len(rounds)} such medians, the toolchains taking turns), in node",
        "only (`wasmrust-run` runs components, not core modules). `hello_std` is the Rust-only variant built with",
        "`String` and `format!`.", "", table, "",
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
