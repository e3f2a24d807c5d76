#!/usr/bin/env bash
# Threads benchmark: what `wasm::thread::scope` on real threads buys over running the same
# closures one after another, in one threaded module (//benchmarks/threads, --config=release,
# browser profile with `threads = True`) in node with worker_threads. The speed-up is bounded by
# the machine's cores; benchmarks/threads/bench.mjs prints it per chunk count and checks that
# both paths give the same checksum.
#
# Usage: benchmarks/threads.sh [ROUNDS]   (default 20000000 per chunk)
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
bazel build //benchmarks/threads:threads --config=release >"$log" 2>&1 \
  || { cat "$log" >&2; echo "error: bazel build //benchmarks/threads:threads failed" >&2; exit 1; }
# The output path depends on the profile's transition: take the one Bazel reports.
wasm=$(grep -o 'bazel-out/[^ ]*/benchmarks/threads/threads\.wasm' "$log" | tail -1)
[ -n "$wasm" ] && [ -f "$wasm" ] || { echo "error: no threads.wasm in Bazel's output" >&2; exit 1; }
node --no-warnings benchmarks/threads/bench.mjs "$wasm" "$@"
