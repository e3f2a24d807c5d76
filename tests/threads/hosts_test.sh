#!/usr/bin/env bash
# The threaded browser-profile test module (//tests/threads:threads_test_browser_threaded) on the
# other hosts that run threaded core modules: node (worker_threads, through the crate's JS thread
# host) and wasmtime (wasmrust-run's host threads over a SharedMemory). Chromium runs it as its
# own wasm_test. The same seven tests must pass on each, `concurrent` included.
#   hosts_test.sh MODULE_RUNNER_SCRIPT NODE_RUNNER WASMRUST_RUN
set -euo pipefail
module=${1%.sh}.wasm node_runner=$2 run=$3

status=0
echo "== node $(node --version) (worker_threads)"
node --no-warnings "$node_runner" "$module" || status=1
echo "== wasmtime (wasmrust-run, host threads)"
"$run" test --runtime wasmtime "$module" || status=1
exit "$status"
