#!/usr/bin/env bash
# WasmRust quick start, command 2: every test.
#   the form gates (tools/lint.sh: rustfmt, buildifier, clippy);
#   cargo tests of the host tools; `bazel test //...` in dev and release, and in
#   dev for every other host profile;
#   the workspace-level integration tests in tests/ (reproducibility across
#   checkouts, bad input). Run tools/setup.sh first.
set -uo pipefail
cd "$(dirname "$0")/.."

results=()
failed=0
step() { # NAME COMMAND...
  local name=$1 t0=$SECONDS
  shift
  printf '\n==> %s\n' "$name"
  if "$@"; then
    results+=("$(printf 'ok      %5ss  %s' $((SECONDS - t0)) "$name")")
  else
    results+=("$(printf 'FAILED  %5ss  %s' $((SECONDS - t0)) "$name")")
    failed=$((failed + 1))
  fi
}

CARGO=$(bash tools/setup.sh which-cargo)
# The host tools' flags (tools/setup.sh), so the test build reuses theirs.
RUSTFLAGS=$(bash tools/setup.sh host-rustflags)
export RUSTFLAGS
for gate in rustfmt buildifier clippy; do
  step "lint: $gate" bash tools/lint.sh "$gate"
done
step "cargo test (host tools)" "$CARGO" test --release --locked --workspace
step "bazel test //... (dev)" bazel test //... --config=dev
step "bazel test //... (release)" bazel test //... --config=release
# Every host profile: profile-following targets build for it and `wasm_test`s
# run in its runtime (Chromium, node, wasmi; wasmtime is the default above).
for profile in browser node embedded; do
  step "bazel test //... (dev, $profile)" bazel test //... --config=dev --config=$profile
done
# SIMD is opt-in (--config=simd): its tests run in Chromium, node and wasmtime.
step "bazel test //tests/simd/... (dev, simd)" bazel test //tests/simd/... --config=dev --config=simd
for t in tests/*_test.sh; do
  step "$t" bash "$t"
done

printf '\n==> summary\n'
printf '  %s\n' "${results[@]}"
echo
echo "tools/test.sh: $(( ${#results[@]} - failed )) passed, $failed failed"
[ "$failed" -eq 0 ]
