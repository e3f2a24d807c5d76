#!/bin/sh
# Usage: fx_exports_test.sh MODULE.wasm NAME present|absent
# Checks whether the export name NAME occurs in MODULE (as its bytes).
set -eu
if grep -q -a -F "$2" "$1"; then found=present; else found=absent; fi
if [ "$found" = "$3" ]; then
  echo "ok: $2 is $found in $1"
else
  echo "FAILED: $2 is $found in $1, expected $3" >&2
  exit 1
fi
