#!/bin/sh
# Runs the calls in a spec file against a component in wasmtime.
# Usage: check_component.sh WASMRUST_RUN COMPONENT SPEC
set -eu
exec "$1" check "$2" "$3"
