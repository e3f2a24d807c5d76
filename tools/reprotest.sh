#!/usr/bin/env bash
# tools/reprotest.sh [OUTDIR]: an independent reproducibility check of the
# README's build with Debian's reprotest (and diffoscope when they differ).
#
# It copies this checkout's tracked files (uncommitted edits included, as
# tests/lib.sh's fresh_copy does) and the host tools in compiler/bin/ to
# OUTDIR/src, then runs
#     reprotest -s OUTDIR/src BUILD 'reprotest-out/component.wasm'
# where BUILD is `bazel build //app:component --config=release` with its own
# output root inside the build tree (shut down when the build ends, so no
# server outlives it) and the component copied to reprotest-out/. reprotest
# builds twice from fresh copies, a control build and an experiment that
# varies reprotest's default variations (environment, build_path, kernel,
# aslr, num_cpus, time, fileordering, domain_host, home, locales, exec_path,
# timezone, umask; user_group is off, see below), and compares the bytes.
# On a difference it runs diffoscope (report in OUTDIR/store/) and
# `wasmrust diff`. It prints the variations, the result, the wall time and
# the component's sha256; the full log is OUTDIR/reprotest.log.
#
# Exit status: 0 reproducible, 1 not reproducible, 2 could not run.
# Takes two cold builds, about 9-12 minutes on 2 cores (the control build
# runs on one CPU: reprotest's default). Needs root, FUSE (/dev/fuse), the
# pinned toolchain and host tools (`bash tools/setup.sh`), and
#     apt-get install -y --no-install-recommends reprotest diffoscope-minimal disorderfs faketime locales-all
# OUTDIR defaults to /tmp/wasmrust-reprotest; its src/, store/ and tmp/ are
# replaced on every run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${1:-/tmp/wasmrust-reprotest}
INSTALL="apt-get install -y --no-install-recommends reprotest diffoscope-minimal disorderfs faketime locales-all"

# ---- What the default variations need.
missing=""
for tool in reprotest diffoscope faketime disorderfs fusermount setarch unshare taskset; do
  command -v "$tool" >/dev/null || missing="$missing $tool"
done
if [ -n "$missing" ]; then
  echo "error: missing:$missing; install them with: $INSTALL" >&2
  exit 2
fi
[ -e /dev/fuse ] || { echo "error: no /dev/fuse: the fileordering variation (disorderfs) needs FUSE" >&2; exit 2; }
for tool in compiler/bin/wasmrust compiler/bin/wasmrust-run; do
  [ -x "$tool" ] || { echo "error: $tool is missing: run \`bash tools/setup.sh tools\` first" >&2; exit 2; }
done

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
rm -rf "$OUT/src" "$OUT/store" "$OUT/tmp" "$OUT/reprotest.log" "$OUT/summary.txt" "$OUT/build-command.sh"
mkdir -p "$OUT/src" "$OUT/tmp"

# ---- The source reprotest copies: a fresh clone's files plus the host tools
# (not the checkout itself: its target/ and bazel-* links are not sources).
git -C "$ROOT" ls-files -z --cached --others --exclude-standard | tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -xf - -C "$OUT/src"
cp compiler/bin/wasmrust compiler/bin/wasmrust-run "$OUT/src/compiler/bin/"

# ---- Anything of this run's left behind if it is interrupted: Bazel servers
# (by the pid in their output base) and disorderfs mounts, under OUT/tmp only.
cleanup() {
  local pidfile pid mnt
  for pidfile in $(find "$OUT/tmp" -path '*/server/server.pid.txt' 2>/dev/null); do
    pid=$(cat "$pidfile" 2>/dev/null || true)
    # only a server whose command line names this run's scratch directory
    if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$OUT/tmp/"; then
      kill "$pid" 2>/dev/null || true
    fi
  done
  for mnt in $(awk -v d="$OUT/tmp/" 'index($2, d) == 1 { print $2 }' /proc/mounts); do
    fusermount -u "$mnt" 2>/dev/null || true
  done
  rm -rf "$OUT/tmp" 2>/dev/null || true
}
trap cleanup EXIT

# ---- The build reprotest runs (sh -ec, in the copied tree).
# * --output_user_root inside the tree: reprotest sets HOME to the tree for the
#   control build and to /nonexistent/second-build for the experiment, where
#   Bazel's default output root would be created outside reprotest's scratch
#   directory and never removed.
# * The time variation runs the command under faketime, but Bazel's client
#   drops LD_PRELOAD before it starts its server ("WARNING: ignoring
#   LD_PRELOAD in environment.") and --incompatible_strict_action_env keeps it
#   from the actions, so faketime's settings are forwarded to the actions the
#   way tools/audit.py does; the control build runs without them.
# * The shutdown in the EXIT trap stops the server even when the build fails,
#   so reprotest can unmount disorderfs and remove its copies.
# * The component is copied into the tree: bazel-out/ is a link into the output
#   base, which reprotest moves back from const_build_path before it collects
#   artifacts. It lies under bazel-out/k8-opt-ST-<hash>/ (the profile's
#   transition), not bazel-bin/.
BUILD='R="$PWD/.reprotest-bazel"
trap '"'"'bazel --output_user_root="$R" shutdown >/dev/null 2>&1 || true'"'"' EXIT
set --
case "${LD_PRELOAD:-}" in *libfaketime*)
  set -- --action_env=LD_PRELOAD="$LD_PRELOAD" --action_env=FAKETIME="$FAKETIME" --action_env=FAKETIME_DONT_FAKE_MONOTONIC=1 --action_env=NO_FAKE_STAT=1
  echo "reprotest.sh: faketime FAKETIME=$FAKETIME forwarded to the actions" >&2 ;;
esac
bazel --output_user_root="$R" build //app:component --config=release "$@"
set -- bazel-out/*/bin/app/component.wasm
if [ $# -ne 1 ] || [ ! -f "$1" ]; then echo "reprotest.sh: expected one bazel-out/*/bin/app/component.wasm, found: $*" >&2; exit 1; fi
mkdir -p reprotest-out && cp "$1" reprotest-out/component.wasm
echo "reprotest.sh: built $1 as $(id -un), host $(hostname), kernel $(uname -r), $(nproc) CPU(s), HOME=$HOME TZ=$TZ LANG=$LANG umask $(umask)" >&2'

# ---- Variations: reprotest's default (+all), less the ones that cannot run here.
VARY=(
  # user_group: reprotest ignores it without a second user to build as
  # (user_group.available), and that also needs domain_host.use_sudo=1: not a default.
  --vary=-user_group
)

diffoscope_pkg=$(dpkg-query -W -f '${db:Status-Status} ${Package} ${Version}\n' diffoscope diffoscope-minimal 2>/dev/null | awk '$1 == "installed" { print $2, $3 }' | paste -sd, - || true)
versions="reprotest $(dpkg-query -W -f '${Version}' reprotest), ${diffoscope_pkg:-diffoscope $(diffoscope --version | cut -d' ' -f2)}"
echo "reprotest.sh: $versions; two cold builds of //app:component --config=release, log: $OUT/reprotest.log" >&2
printf '%s\n' "$BUILD" >"$OUT/build-command.sh"
start=$SECONDS
set +e
TMPDIR="$OUT/tmp" reprotest --verbosity 1 --store-dir "$OUT/store" "${VARY[@]}" \
  -s "$OUT/src" "$BUILD" 'reprotest-out/component.wasm' >"$OUT/reprotest.log" 2>&1
status=$?
set -e
wall=$((SECONDS - start))

# ---- Summary.
log=$OUT/reprotest.log
control=$OUT/store/control/source-root/reprotest-out/component.wasm
experiment=$OUT/store/experiment-1/source-root/reprotest-out/component.wasm
sha() { if [ -f "$1" ]; then sha256sum "$1" | cut -d' ' -f1; else echo "-"; fi; }
case $status in
  0) result="REPRODUCIBLE (reprotest: Reproduction successful)" ;;
  1) result="NOT REPRODUCIBLE (diffoscope report: $OUT/store/experiment-1.diffoscope.out)" ;;
  *) result="COULD NOT RUN (reprotest exit $status; see $log)" ;;
esac
{
  echo "versions:   $versions"
  echo "command:    TMPDIR=$OUT/tmp reprotest --verbosity 1 --store-dir $OUT/store ${VARY[*]} -s $OUT/src \"\$(cat $OUT/build-command.sh)\" reprotest-out/component.wasm"
  grep -oE 'build "experiment-1": .*' "$log" | sed 's/^build "experiment-1": /variations: /' || true
  # the experiment's settings, as reprotest logs them (the control build's come before its 'build "experiment-1"' line)
  sed -n '/build "experiment-1"/,$p' "$log" | grep -E 'INFO:reprotest.build:[A-Z_]+ variation|IGNORING|reprotest.sh: faketime' \
    | sed -E 's/^INFO:reprotest.build://; s/^/            /' || true
  grep -E '^reprotest.sh: built' "$log" | sed -n '1s/^reprotest.sh: /control:    /p; 2s/^reprotest.sh: /experiment: /p' || true
  echo "result:     $result"
  echo "wall time:  ${wall}s; Bazel: $(grep -oE 'Elapsed time: [0-9.]+s' "$log" | cut -d' ' -f3 | paste -sd/ -) (control/experiment)"
  echo "sha256:     control    $(sha "$control")"
  echo "            experiment $(sha "$experiment")"
} | tee "$OUT/summary.txt"
if [ "$status" -eq 1 ] && [ -f "$control" ] && [ -f "$experiment" ]; then
  echo "--- wasmrust diff control experiment" | tee -a "$OUT/summary.txt"
  compiler/bin/wasmrust diff "$control" "$experiment" 2>&1 | tee -a "$OUT/summary.txt" || true
  echo "--- diffoscope (first 40 lines of $OUT/store/experiment-1.diffoscope.out)"
  head -40 "$OUT/store/experiment-1.diffoscope.out" 2>/dev/null || true
elif [ "$status" -gt 1 ]; then
  echo "--- errors in $log"
  grep -E '^(ERROR: |error: |FAILED: |reprotest.sh: expected)|^[A-Za-z]*Error: ' "$log" | head -20 || true
fi
case $status in 0) exit 0 ;; 1) exit 1 ;; *) exit 2 ;; esac
