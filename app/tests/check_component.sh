#!/bin/sh
# Runs the calls in spec files against a component in wasmtime.
# Usage: check_component.sh WASMRUST_RUN COMPONENT SPEC... [--wasi-only]
set -eu
run=$1
shift
exec "$run" check "$@"
