#!/usr/bin/env bash
# Builds the end-to-end fixtures for wasmrust.test.mjs with Debian's rustc (see TOOLCHAIN.md §A).
#   SYSROOT  a wasm32-unknown-unknown sysroot with core + alloc (+ compiler_builtins)
#   MACROS   libwasm_macros.so built by the same rustc (RUSTC=/usr/bin/rustc cargo build -p wasm-macros)
#   OUT      output directory
# Writes $OUT/fixture.wasm and checks that linear_dropped.rs fails to link naming the type.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
crate=$(cd "$here/../.." && pwd)
RUSTC=${RUSTC:-/usr/bin/rustc}
T=wasm32-unknown-unknown
mkdir -p "$OUT"
common=(--sysroot "$SYSROOT" --target $T --edition 2024 -Cpanic=abort -Clinker=/usr/bin/rust-lld)
"$RUSTC" "${common[@]}" --crate-type rlib --crate-name wasm --cfg 'feature="alloc"' -Copt-level=z \
  "$crate/src/lib.rs" --out-dir "$OUT"
ext=(--extern "wasm=$OUT/libwasm.rlib" --extern "wasm_macros=$MACROS" -L "$OUT")
"$RUSTC" "${common[@]}" "${ext[@]}" --crate-type cdylib -Copt-level=z "$here/fixture.rs" -o "$OUT/fixture.wasm"
if "$RUSTC" "${common[@]}" "${ext[@]}" --crate-type cdylib -Copt-level=z "$here/linear_dropped.rs" \
    -o "$OUT/linear_dropped.wasm" 2> "$OUT/linear_dropped.log"; then
  echo "FAIL: linear_dropped.rs linked" >&2; exit 1
fi
grep -q 'undefined symbol: wasmrust_linear_value_dropped__Ticket' "$OUT/linear_dropped.log" \
  || { cat "$OUT/linear_dropped.log" >&2; echo "FAIL: link error does not name the type" >&2; exit 1; }
echo "ok: fixture.wasm built; dropping a linear Ticket fails to link"
