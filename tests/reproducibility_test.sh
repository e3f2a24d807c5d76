#!/usr/bin/env bash
# Bit-reproducibility: //app:component --config=release built from two fresh
# copies at different absolute paths, with separate output bases and different
# TZ, LANG and umask, gives byte-identical outputs (every .wasm and .rlib).
set -uo pipefail
source "$(dirname "$0")/lib.sh"

A=$SCRATCH/repro/a/wasmrust
B=$SCRATCH/repro/b/some/deeper/path/checkout-two
fresh_copy "$A"
fresh_copy "$B"

build() { # DIR OUTPUT_ROOT TZ LANG UMASK
  # (LANG/LC_ALL need not name an installed locale: what matters is that no
  # action sees them.)
  (umask "$5"; cd "$1" && env TZ="$3" LANG="$4" LC_ALL="$4" \
     bazel --output_user_root="$2" build //app:component --config=release --disk_cache= --noremote_accept_cached >"$2.log" 2>&1)
}

digests() { # DIR: "sha256  path" of every output, relative to its bazel-out config dir
  (cd "$1/bazel-out" && find . -path '*/bin/*' \( -name '*.wasm' -o -name '*.rlib' -o -name '*.so' \) -type f -print0 \
     | sort -z | xargs -0 sha256sum | sed -E 's#\./[^/]+/bin/#bin/#')
}

ok=1
build "$A" "$SCRATCH/repro/root-a" UTC C.UTF-8 022 || { fail reproducibility_build_a "bazel failed" "$(tail -20 "$SCRATCH/repro/root-a.log")"; ok=0; }
build "$B" "$SCRATCH/repro/root-b" Asia/Tokyo de_DE.UTF-8 077 || { fail reproducibility_build_b "bazel failed" "$(tail -20 "$SCRATCH/repro/root-b.log")"; ok=0; }
if [ $ok = 1 ]; then
  digests "$A" >"$SCRATCH/repro/a.sha256"
  digests "$B" >"$SCRATCH/repro/b.sha256"
  n=$(wc -l <"$SCRATCH/repro/a.sha256")
  if [ "$n" -lt 10 ]; then
    fail reproducibility_outputs_compared "only $n outputs found"
  elif diff -u "$SCRATCH/repro/a.sha256" "$SCRATCH/repro/b.sha256"; then
    pass "reproducibility_release_component ($n outputs identical; component $(grep 'app/component.wasm' "$SCRATCH/repro/a.sha256" | cut -c1-16))"
  else
    fail reproducibility_release_component "outputs differ between $A and $B (diff above)"
  fi
fi
stop_bazel "$A" "$SCRATCH/repro/root-a"
stop_bazel "$B" "$SCRATCH/repro/root-b"
finish
