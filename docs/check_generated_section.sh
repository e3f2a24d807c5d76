#!/bin/sh
# Checks that the part of DOC between the GENERATED markers equals GENERATED.
# Usage: check_generated_section.sh DOC GENERATED
set -eu
doc=$1 generated=$2
actual=$(sed -n '/<!-- BEGIN GENERATED/,/<!-- END GENERATED/p' "$doc" | sed '1d;$d')
if [ "$actual" = "$(cat "$generated")" ]; then
  echo "test $doc matches its generated table ... ok"
  echo "1 passed, 0 failed"
else
  echo "test $doc matches its generated table ... FAILED"
  echo "the table in $doc is out of date with platforms/profiles.bzl; regenerate it with:"
  echo "  bazel build //docs:host_profiles_table && python3 docs/update_generated_section.py docs/host-profiles.md bazel-bin/docs/host_profiles_table.md"
  echo "--- expected"; cat "$generated"; echo "--- found"; echo "$actual"
  echo "0 passed, 1 failed"
  exit 1
fi
