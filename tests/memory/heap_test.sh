#!/bin/sh
# Runs heap_test.mjs in node 20 (WASI preview 1 from `node:wasi`).
# Usage: heap_test.sh HEAP_TEST_MJS HEAP_WASM_NODE HEAP_DLMALLOC_NODE HEAP_WASM_BROWSER HEAP_DLMALLOC_BROWSER
set -eu
NODE=${NODE:-/usr/bin/node}
exec "$NODE" --no-warnings "$@"
