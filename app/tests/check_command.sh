#!/bin/sh
# Runs a command component in wasmtime and compares its stdout with a file.
# Usage: check_command.sh WASMRUST_RUN COMPONENT EXPECTED_STDOUT ARGS...
set -eu
run=$1 component=$2 expected=$3
shift 3
actual=$("$run" run "$component" "$@")
if [ "$actual" = "$(cat "$expected")" ]; then
  echo "test $(basename "$component") $* ... ok"
  echo "1 passed, 0 failed"
else
  echo "test $(basename "$component") $* ... FAILED"
  echo "--- expected"; cat "$expected"; echo "--- actual"; echo "$actual"
  echo "0 passed, 1 failed"
  exit 1
fi
