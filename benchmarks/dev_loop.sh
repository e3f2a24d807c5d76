#!/usr/bin/env bash
# The dev loop of issue 22: wall time from a one-line edit in a leaf module of a
# ~10,000-line crate to a rebuilt module that node has instantiated and that
# answered for the new line, for WasmRust (Bazel) against cargo and Zig.
#
# benchmarks/devloop/gen.py writes the crate into benchmarks/devloop/crate/
# (the Bazel package //benchmarks/devloop/crate, git-ignored) and the same
# program in Zig. In one run, tools interleaved round by round:
#   - one clean build per variant (WasmRust: `bazel clean`, then a build in a
#     warm server with its external repositories fetched; cargo: an empty target
#     directory, so std is rebuilt by -Zbuild-std; Zig: empty caches);
#   - ROUNDS edits per variant of `pub const EDIT: u64 = N;` in src/leaf.rs
#     (leaf.zig), a new N each time, each timed from the edit to the answer:
#     the build, then node instantiates the module and calls `stamp()` and
#     `run(n)`. stamp() must be N * STAMP_MUL and run(n) - stamp() must be the
#     base every toolchain agreed on at its clean build, so a stale or wrong
#     module stops the run;
#   - one more WasmRust dev edit built with --profile, summarised with
#     `bazel analyze-profile`: the critical path's actions and Bazel's overhead.
#
# Each WasmRust variant has its own output base and Bazel server (started
# here, shut down at the end): switching --compilation_mode in one server
# discards Bazel 4.2.3's analysis cache, a cost a developer who stays in one
# config never pays, and a `bazel clean` there would not touch anyone's main
# output base. No convenience symlinks are written (--symlink_prefix=/), and no
# disk or remote cache is used.
#
# Prints a markdown table and writes it to benchmarks/.peers/devloop/results.md.
# The edit is reverted at the end.
#
# Usage: benchmarks/dev_loop.sh
# Environment:
#   ROUNDS=N         edits per variant (default 10)
#   RELEASE_ROUNDS=N edits per release variant (cargo-release, and WasmRust
#                    variants with --config=release): default 3 (at most ROUNDS),
#                    in the first rounds; each takes 20-40 s, and 10 would add
#                    5-10 minutes to the run
#   VARIANTS='name=bazel flags;...'  WasmRust variants ('' for none; default
#                    'dev=--config=dev;release=--config=release;release-iter=--config=release-iter'),
#                    e.g.
#                    VARIANTS='dev=--config=dev;dev-noinc=--config=dev --no//platforms:incremental'
#   PEERS='cargo-dev cargo-release zig'  peers to run (default all; '' for none)
#   LINES=N          size of the generated crate (default 10000)
#   PROFILE=0        skip the --profile edit
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# shellcheck source=benchmarks/peers.sh
source benchmarks/peers.sh
OUT=$ROOT/benchmarks/.peers/devloop
LOGS=$OUT/logs
CRATE=$ROOT/benchmarks/devloop/crate
TARGET=//benchmarks/devloop/crate:devloop

ROUNDS=${ROUNDS:-10}
RELEASE_ROUNDS=${RELEASE_ROUNDS:-3}
[ "$RELEASE_ROUNDS" -le "$ROUNDS" ] || RELEASE_ROUNDS=$ROUNDS
VARIANTS=${VARIANTS-dev=--config=dev;release=--config=release;release-iter=--config=release-iter}
PEERS=${PEERS-cargo-dev cargo-release zig}
LINES=${LINES:-10000}

# ---- Pinned tools
NODE=/usr/bin/node
RUSTC=/usr/bin/rustc        # Debian rustc-web 1.96 (rustup's 1.95 has no wasm32 std)
CARGO=/usr/bin/cargo
RUST_SRC_VENDOR=/usr/src/rustc-1.96.0/library/vendor
ZIG_VERSION=0.15.2          # PyPI `ziglang`, where benchmarks/size.sh installs it
ZIG=$ROOT/benchmarks/.peers/zig-$ZIG_VERSION/ziglang/zig
CARGO_FLAGS="--target wasm32-unknown-unknown -Zbuild-std=std,panic_abort"
ZIG_FLAGS="build-exe -target wasm32-freestanding -O Debug -fno-entry -rdynamic"
# Every WasmRust build: no symlinks in the checkout, no caches but the output base.
BAZEL_COMMON="--symlink_prefix=/ --disk_cache= --remote_cache= --color=no --curses=no"
# This checkout's output bases, one per variant (see above).
OB_ROOT=${XDG_CACHE_HOME:-$HOME/.cache}/wasmrust-devloop/$(printf %s "$ROOT" | md5sum | cut -c1-8)

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }

# ---- Variants: names and flags, in order
names=() flags=()
IFS=';' read -r -a specs <<<"$VARIANTS"
for s in "${specs[@]}"; do
  [[ $s == *=* ]] || die "VARIANTS entry '$s' is not name=flags"
  n=${s%%=*}
  [[ $n =~ ^[A-Za-z0-9_.-]+$ ]] || die "variant name '$n' (letters, digits, . _ -)"
  [[ -n ${s#*=} ]] || die "variant '$n' has no Bazel flags (e.g. $n=--config=dev)"
  case " ${names[*]} $PEERS " in *" $n "*) die "variant name '$n' used twice" ;; esac
  names+=("$n") flags+=("${s#*=}")
done
for p in $PEERS; do
  case $p in cargo-dev | cargo-release | zig) ;; *) die "unknown peer '$p' (cargo-dev cargo-release zig)" ;; esac
done
ALL=("${names[@]}" $PEERS)

# bz VARIANT COMMAND ARGS...: Bazel in that variant's output base.
bz() {
  local v=$1
  shift
  bazel --output_base="$OB_ROOT/$v" --max_idle_secs=900 "$@"
}
flags_of() {
  local i
  for i in "${!names[@]}"; do [[ ${names[$i]} != "$1" ]] || { echo "${flags[$i]}"; return; }; done
}
is_bazel() { [[ -n $(flags_of "$1") ]]; }
is_release() { [[ $1 == cargo-release || " $(flags_of "$1") " == *" --config=release "* ]]; }

# ---- Setup
[ -x "$NODE" ] || die "$NODE missing"
if [ ${#names[@]} -gt 0 ]; then
  command -v bazel >/dev/null || die "bazel missing: run tools/setup.sh"
  [ -x compiler/bin/wasmrust ] || die "compiler/bin/wasmrust missing: run tools/setup.sh"
fi
mkdir -p "$OUT" "$LOGS"
: >"$LOGS/build.log"
case " $PEERS " in *" cargo-"*)
  [ -x "$RUSTC" ] && [ -x "$CARGO" ] || die "$RUSTC / $CARGO missing: apt-get install rustc-web cargo-web"
  [ -d "$RUST_SRC_VENDOR" ] || die "$RUST_SRC_VENDOR missing: apt-get install rust-web-src" ;;
esac
case " $PEERS " in *" zig "*)
  if [ ! -x "$ZIG" ]; then
    log "pip install ziglang==$ZIG_VERSION into benchmarks/.peers/zig-$ZIG_VERSION"
    /usr/bin/python3 -m pip install -q --disable-pip-version-check --target "${ZIG%/ziglang/zig}" "ziglang==$ZIG_VERSION" \
      || die "pip install ziglang==$ZIG_VERSION failed"
  fi
  [ "$("$ZIG" version)" = "$ZIG_VERSION" ] || die "$ZIG is not Zig $ZIG_VERSION" ;;
esac

log "generating the crate (benchmarks/devloop/gen.py --lines $LINES)"
python3 benchmarks/devloop/gen.py "$CRATE" --lines "$LINES" --zig "$OUT/zig" >&2
meta() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$CRATE/devloop.json" "$1"; }
RUST_LINES=$(meta rust_lines) RUST_FILES=$(meta rust_files) ZIG_LINES=$(meta zig_lines) MODULES=$(meta modules) UNITS=$(meta units)
STAMP_MUL=$(meta stamp_mul) RUN_N=$(meta run_n) EDIT0=$(meta edit_default)
LEAF=$CRATE/src/leaf.rs ZIG_LEAF=$OUT/zig/leaf.zig

# The cargo peer: the generated Cargo.toml, pointed at the crate's sources;
# std's dependencies from rust-web-src's vendor directory (TOOLCHAIN.md A.4).
write_vendored_std_cargo_config "$OUT/cargo"
sed "s|^path = \"src/lib.rs\"|path = \"$CRATE/src/lib.rs\"|" "$CRATE/Cargo.toml" >"$OUT/cargo/Cargo.toml"

# ---- The edit, and its revert
cp "$LEAF" "$OUT/leaf.rs.orig"
cp "$ZIG_LEAF" "$OUT/leaf.zig.orig"
cleanup() {
  cp "$OUT/leaf.rs.orig" "$LEAF"
  cp "$OUT/leaf.zig.orig" "$ZIG_LEAF"
  local n
  for n in "${names[@]}"; do
    [ -d "$OB_ROOT/$n" ] && bz "$n" shutdown >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT
set_edit() {
  sed -i "s/^pub const EDIT: u64 = [0-9]*;/pub const EDIT: u64 = $1;/" "$LEAF" "$ZIG_LEAF"
  grep -qx "pub const EDIT: u64 = $1;" "$LEAF" && grep -qx "pub const EDIT: u64 = $1;" "$ZIG_LEAF" \
    || die "could not set EDIT to $1 in $LEAF / $ZIG_LEAF"
}

# ---- Builds: build VARIANT [clean]; module VARIANT prints the .wasm it builds
declare -A OUTPUT PROCESSES
module() { echo "${OUTPUT[$1]}"; }
build() {
  local v=$1 clean=${2:-}
  case $v in
    cargo-dev | cargo-release)
      local profile=dev dir=debug
      [ "$v" = cargo-release ] && profile=release dir=release
      OUTPUT[$v]=$OUT/cargo/target-$profile/wasm32-unknown-unknown/$dir/devloop.wasm
      [ -z "$clean" ] || rm -rf "$OUT/cargo/target-$profile"
      # shellcheck disable=SC2086
      (cd "$OUT/cargo" && env -u RUSTFLAGS -u CARGO_INCREMENTAL RUSTC_BOOTSTRAP=1 PATH=/usr/bin:$PATH RUSTC=$RUSTC \
        CARGO_TARGET_DIR="$OUT/cargo/target-$profile" "$CARGO" build --profile "$profile" $CARGO_FLAGS) >>"$LOGS/build.log" 2>&1 \
        || die "$v: cargo build failed (see $LOGS/build.log)"
      ;;
    zig)
      OUTPUT[$v]=$OUT/zig-out/devloop.wasm
      [ -z "$clean" ] || rm -rf "$OUT/zig-cache"
      mkdir -p "$OUT/zig-out"
      # shellcheck disable=SC2086
      (cd "$OUT/zig" && "$ZIG" $ZIG_FLAGS --cache-dir "$OUT/zig-cache/local" --global-cache-dir "$OUT/zig-cache/global" \
        main.zig -femit-bin="${OUTPUT[$v]}") >>"$LOGS/build.log" 2>&1 || die "$v: zig build failed (see $LOGS/build.log)"
      ;;
    *)
      # shellcheck disable=SC2086
      bz "$v" build $BAZEL_COMMON $(flags_of "$v") ${PROFILE_FLAG:-} "$TARGET" >"$LOGS/last.log" 2>&1 \
        || { cat "$LOGS/last.log" >>"$LOGS/build.log"; die "$v: bazel build $(flags_of "$v") failed (see $LOGS/build.log)"; }
      cat "$LOGS/last.log" >>"$LOGS/build.log"
      PROCESSES[$v]=$(grep -o 'INFO: [0-9]* processes[^.]*' "$LOGS/last.log" | tail -1 | sed 's/^INFO: //')
      ;;
  esac
}

# What WasmRust builds with: compiler/bin/wasmrust, the rules, the platforms,
# the crates the module links and the bazelrc. This tree may be worked on while
# the benchmark runs; a change would mix two versions in one table (and make the
# next "edit" rebuild the sysroot), so the run stops instead.
toolchain_state() {
  [ ${#names[@]} -gt 0 ] || return 0
  { sha256sum compiler/bin/wasmrust
    find .bazelrc WORKSPACE.bazel toolchains platforms crates -type f -not -path '*/target/*' -not -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha256sum
  } 2>/dev/null | sha256sum | cut -c1-16
}
check_toolchain() {
  [ "$(toolchain_state)" = "$TOOLCHAIN_STATE" ] \
    || die "compiler/bin/wasmrust, toolchains/, platforms/, crates/ or .bazelrc changed during the run ($1): the WasmRust figures would mix two versions; rerun"
}

# check VARIANT EDIT [BASE]: instantiate the module in node; stamp() must be
# EDIT * STAMP_MUL and run(RUN_N) - stamp() must be BASE. Prints the base.
CHECK_JS='
const [file, n, edit, mul, base] = process.argv.slice(1);
const M = 1n << 64n, u64 = (x) => BigInt.asUintN(64, BigInt(x));
const fail = (msg) => { console.error(`${file}: ${msg}`); process.exit(1); };
const module = new WebAssembly.Module(require("fs").readFileSync(file));
const imports = {};
for (const i of WebAssembly.Module.imports(module)) {
  (imports[i.module] ??= {})[i.name] = () => fail(`called the import ${i.module}.${i.name}`);
}
const x = new WebAssembly.Instance(module, imports).exports;
if (typeof x._initialize === "function") x._initialize();
const stamp = u64(x.stamp()), want = (BigInt(edit) * BigInt(mul)) % M;
if (stamp !== want) {
  let inv = 1n; // the inverse of the odd multiplier mod 2^64 names the EDIT the module was built from
  for (let i = 0; i < 7; i++) inv = (inv * (2n - BigInt(mul) * inv)) % M;
  fail(`stale or wrong module: it was built with EDIT = ${u64(stamp * ((inv + M) % M))}, the source says ${edit}`);
}
const got = (u64(x.run(Number(n))) - stamp + M) % M;
if (base !== undefined && got !== BigInt(base)) fail(`run(${n}) - stamp() = ${got}, every other build gave ${base}`);
console.log(String(got));
'
BASE=""
check() {
  local got
  got=$("$NODE" -e "$CHECK_JS" "$(module "$1")" "$RUN_N" "$2" "$STAMP_MUL" $BASE) || die "$1: the module gave a wrong answer (above)"
  [ -n "$BASE" ] || { BASE=$got; log "base checksum run($RUN_N) - stamp() = $BASE"; }
}

# bazel_output VARIANT: the target's .wasm (paths are per configuration).
bazel_output() {
  local rel
  # shellcheck disable=SC2086
  rel=$(bz "$1" cquery $BAZEL_COMMON $(flags_of "$1") "$TARGET" --output=starlark \
    --starlark:expr="target.files.to_list()[0].path" 2>>"$LOGS/build.log") || die "$1: bazel cquery failed (see $LOGS/build.log)"
  echo "$(bz "$1" info execution_root 2>>"$LOGS/build.log")/$rel"
}

ROWS=$OUT/samples.tsv   # variant, kind (clean|edit|profile), seconds total, build, check
: >"$ROWS"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
TOOLCHAIN_STATE=$(toolchain_state)
STARTED=$(now)

# ---- Clean builds
for v in "${ALL[@]}"; do
  if is_bazel "$v"; then
    log "$v: starting its Bazel server, fetching ($OB_ROOT/$v)"
    mkdir -p "$OB_ROOT"
    # shellcheck disable=SC2086
    bz "$v" build --nobuild $BAZEL_COMMON $(flags_of "$v") "$TARGET" >>"$LOGS/build.log" 2>&1 \
      || die "$v: bazel build --nobuild failed (see $LOGS/build.log)"
    OUTPUT[$v]=$(bazel_output "$v")
    bz "$v" clean >>"$LOGS/build.log" 2>&1
  fi
  log "$v: clean build"
  t0=$(now)
  build "$v" clean
  secs=$(since "$t0")
  check "$v" "$EDIT0"
  printf '%s\tclean\t%s\t%s\t0\n' "$v" "$secs" "$secs" >>"$ROWS"
  check_toolchain "after the clean build of $v"
done

# ---- Edits, round by round
edit=$EDIT0
for r in $(seq "$ROUNDS"); do
  log "round $r of $ROUNDS"
  for v in "${ALL[@]}"; do
    ! is_release "$v" || [ "$r" -le "$RELEASE_ROUNDS" ] || continue
    edit=$((edit + 1))
    t0=$(now)
    set_edit "$edit"
    build "$v"
    b=$(since "$t0")
    t1=$(now)
    check "$v" "$edit"
    c=$(since "$t1")
    printf '%s\tedit\t%s\t%s\t%s\n' "$v" "$(awk -v b="$b" -v c="$c" 'BEGIN { printf "%.3f", b + c }')" "$b" "$c" >>"$ROWS"
  done
  check_toolchain "in round $r"
done

# ---- Where a WasmRust dev edit goes: one more, with --profile
PROFILE_TEXT=""
pv=""
for v in "${names[@]}"; do [[ -n $pv || $(flags_of "$v") != *--config=dev* ]] || pv=$v; done
if [ "${PROFILE:-1}" != 0 ] && [ -n "$pv" ]; then
  log "$pv: one more edit with --profile"
  edit=$((edit + 1))
  rm -f "$OUT/profile.json"
  t0=$(now)
  set_edit "$edit"
  PROFILE_FLAG="--profile=$OUT/profile.json" build "$pv"
  b=$(since "$t0")
  check "$pv" "$edit"
  bz "$pv" analyze-profile "$OUT/profile.json" >"$OUT/analyze-profile.txt" 2>>"$LOGS/build.log" \
    || die "bazel analyze-profile failed (see $LOGS/build.log)"
  PROFILE_TEXT=$(python3 - "$OUT/analyze-profile.txt" "$b" "$pv" "$(flags_of "$pv")" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
wall, variant, flags = float(sys.argv[2]), sys.argv[3], sys.argv[4]
def secs(s):
    v, unit = s.split()
    return float(v) / (1000.0 if unit == "ms" else 1.0)
phases = [(m.group(1), secs(m.group(2))) for m in re.finditer(r"^Total (.+?) phase time\s+([\d.]+ m?s)", text, re.M)]
total = re.search(r"^Total run time\s+([\d.]+ m?s)", text, re.M)
crit = re.search(r"^Critical path \(([\d.]+ m?s)\):\n(.*?)(?:\n\s*\n|\Z)", text, re.M | re.S)
actions = []
if crit:
    for line in crit.group(2).splitlines():
        m = re.match(r"\s*([\d.]+ m?s)\s+[\d.]+%\s+(.*)", line)
        if m:
            actions.append((secs(m.group(1)), m.group(2).strip()))
print("Where one WasmRust `{}` rebuild goes (`{}`, `--profile`, `bazel analyze-profile`):\n".format(variant, flags))
print("| critical path action | s |\n|---|---:|")
for s, name in actions:
    print("| {} | {:.3f} |".format(name.replace("|", "\\|"), s))
action_s = sum(s for s, _ in actions)
print("| **critical path, actions** | **{:.3f}** |".format(action_s))
print()
if phases:
    print("Bazel phases: " + ", ".join("{} {:.3f} s".format(n, s) for n, s in phases) + ".")
t = secs(total.group(1)) if total else None
print("Edit to built module {:.3f} s (the `bazel build` client, wall); Bazel's own run time {}; "
      "Bazel's overhead (wall minus critical-path action time) {:.3f} s.".format(
          wall, "{:.3f} s".format(t) if t is not None else "n/a", wall - action_s))
EOF
)
  printf '%s\tprofile\t%s\t%s\t0\n' "$pv" "$b" "$b" >>"$ROWS"
  check_toolchain "in the --profile edit"
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
ELAPSED=$(since "$STARTED")

# ---- Report
declare -A BYTES DESC
for v in "${ALL[@]}"; do
  BYTES[$v]=$(stat -c %s "$(module "$v")")
  case $v in
    cargo-dev) DESC[$v]="\`cargo build $CARGO_FLAGS\` (profile.dev: opt 0, debug info, incremental)" ;;
    cargo-release) DESC[$v]="\`cargo build --release $CARGO_FLAGS\` (opt z, fat LTO, 1 CGU, panic=abort, strip)" ;;
    zig) DESC[$v]="\`zig $ZIG_FLAGS\`" ;;
    *) DESC[$v]="\`bazel build $TARGET $(flags_of "$v")\` (last edit: ${PROCESSES[$v]:-?})" ;;
  esac
done
REPORT=$(
  for v in "${ALL[@]}"; do printf '%s\t%s\t%s\n' "$v" "${BYTES[$v]}" "${DESC[$v]}"; done | python3 -c '
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
info = [l.rstrip("\n").split("\t") for l in sys.stdin]
edits, clean = {}, {}
for v, kind, total, build, check in rows:
    if kind == "edit":
        edits.setdefault(v, []).append((float(total), float(build), float(check)))
    elif kind == "clean":
        clean[v] = float(total)
med = {v: statistics.median(t for t, _, _ in s) for v, s in edits.items()}
refs = [r for r in ("cargo-dev", "cargo-release", "zig") if r in med]
head = ["variant", "clean (s)", "edits", "edit → runnable: median (s)", "min", "max", "build median", "node check median"]
head += ["÷ " + r for r in refs] + ["module bytes"]
print("| " + " | ".join(head) + " |")
print("|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|")
for v, size, _ in info:
    s = edits.get(v, [])
    cells = [v, "{:.1f}".format(clean[v])]
    if s:
        cells += [str(len(s)), "**{:.2f}**".format(med[v]), "{:.2f}".format(min(t for t, _, _ in s)), "{:.2f}".format(max(t for t, _, _ in s)),
                  "{:.2f}".format(statistics.median(b for _, b, _ in s)), "{:.2f}".format(statistics.median(c for _, _, c in s))]
        cells += ["{:.2f}x".format(med[v] / med[r]) for r in refs]
    else:
        cells += ["0"] + ["-"] * (5 + len(refs))
    cells.append("{:,}".format(int(size)).replace(",", " "))
    print("| " + " | ".join(cells) + " |")
print()
for v, _, desc in info:
    print("- `{}`: {}".format(v, desc))
' "$ROWS"
)
{
  echo "## Dev loop: one-line edit → runnable module (issue 22)"
  echo
  echo "Crate: $RUST_LINES lines of Rust in $MODULES modules + $((RUST_FILES - MODULES - 1)) shared + lib.rs ($UNITS units; \`benchmarks/devloop/gen.py --lines $LINES\`), $ZIG_LINES lines of Zig for the Zig peer. ROUNDS=$ROUNDS edits per variant ($RELEASE_ROUNDS for release ones), interleaved round by round; each timed from the edit of \`src/leaf.rs\` to node having instantiated the new module and checked \`stamp()\` and \`run($RUN_N)\`. Clean: one build from nothing but fetched external repositories and a running server (Bazel) or the installed toolchain (cargo, Zig). Ratios: median edit → runnable time over the peer's."
  echo
  echo "$REPORT"
  echo
  [ -z "$PROFILE_TEXT" ] || { echo "$PROFILE_TEXT"; echo; }
  echo "Machine: $(nproc) cores, load average $LOAD_BEFORE before and $LOAD_AFTER after (1, 5, 15 min). Whole run ${ELAPSED%.*} s. $(date -u '+%Y-%m-%d %H:%M UTC'), $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' + uncommitted changes'); $("$RUSTC" --version 2>/dev/null || echo rustc), $(case " $PEERS " in *" zig "*) echo "Zig $("$ZIG" version), " ;; esac)node $("$NODE" --version), Bazel $(dpkg-query -W -f '${Version}' bazel-bootstrap 2>/dev/null || echo '?')."
} | tee "$OUT/results.md"
