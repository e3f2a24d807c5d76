#!/bin/sh
# Runs heap_test.mjs in node 20 (WASI preview 1 from `node:wasi`).
# Usage: heap_test.sh HEAP_TEST_MJS MODULE...   (the modules heap_test.mjs names)
set -eu
NODE=${NODE:-/usr/bin/node}
exec "$NODE" --no-warnings "$@"
