#!/bin/sh
# Runs a node test script in node 20 (WASI preview 1 from `node:wasi`).
# Usage: node_test.sh SCRIPT.mjs ARGS...
set -eu
NODE=${NODE:-/usr/bin/node}
exec "$NODE" --no-warnings "$@"
