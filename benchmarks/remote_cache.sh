#!/usr/bin/env bash
# Cold against cached wall time through a shared remote cache (nginx WebDAV on
# 127.0.0.1 as Bazel's HTTP cache, as in tests/remote_cache_test.sh):
#   cold:   checkout A, empty output base, empty cache: every action runs and uploads;
#   cached: checkout B at another path, empty output base: every action a remote hit.
# Prints one table with Bazel's own wall time and process summary for each.
# Takes one cold build (about 5 min on 2 cores) plus the cached one.
#
# Usage: benchmarks/remote_cache.sh [TARGET...]
#   (default: //app:component, each other profile's module, a third-party-crate module)
set -uo pipefail
source "$(dirname "$0")/../tests/lib.sh"

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(//app:component //app:numbers_test_browser //app:numbers_test_node
  //app:numbers_test_embedded //tests/crates:crates_test_wasmtime)
D=$SCRATCH/bench-cache
rm -rf "$D" && mkdir -p "$D"
PORT=$(free_port)
trap 'stop_nginx_cache "$D"; stop_bazel "$A" "$D/root-a"; stop_bazel "$B" "$D/root-b"' EXIT
start_nginx_cache "$D" "$PORT" || { echo "nginx did not start: $(cat "$D/error.log")" >&2; exit 1; }
CACHE="--remote_cache=http://127.0.0.1:$PORT"
A=$D/a/wasmrust
B=$D/b/elsewhere/wasmrust
fresh_copy "$A"
fresh_copy "$B"

for run in a b; do
  dir=$A
  [ $run = b ] && dir=$B
  if ! bazel_in "$dir" "$D/root-$run" build "${targets[@]}" --config=release "$CACHE" >"$D/$run.log" 2>&1; then
    echo "build $run failed:" >&2
    tail -20 "$D/$run.log" >&2
    exit 1
  fi
done

echo "targets: ${targets[*]} (--config=release)"
printf '%-8s %10s  %s\n' build "wall (s)" "Bazel's process summary"
printf '%-8s %10s  %s\n' cold "$(elapsed "$D/a.log")" "$(processes "$D/a.log")"
printf '%-8s %10s  %s\n' cached "$(elapsed "$D/b.log")" "$(processes "$D/b.log")"
cold=$(elapsed "$D/a.log")
cached=$(elapsed "$D/b.log")
echo "speed-up: $(echo "scale=1; ${cold%s} / ${cached%s}" | bc)x; outputs identical: $(
  diff <(app_digests "$A/bazel-out") <(app_digests "$B/bazel-out") >/dev/null && echo yes || echo NO)"
