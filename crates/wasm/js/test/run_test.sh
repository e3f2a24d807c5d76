#!/bin/sh
# Runs wasmrust.test.mjs (node's test runner) against a fixture module built by Bazel.
# Usage: run_test.sh TEST.mjs FIXTURE.wasm
set -eu
WASMRUST_FIXTURE=$2 exec "${NODE:-/usr/bin/node}" --no-warnings --test "$1"
