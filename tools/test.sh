#!/usr/bin/env bash
# WasmRust quick start, command 2: every test.
#   the form gates (tools/lint.sh: rustfmt, buildifier, clippy);
#   cargo tests of the host tools; `bazel test //...` in dev and release, and in
#   dev for every other host profile;
#   the workspace-level integration tests in tests/ (reproducibility across
#   checkouts, bad input). Run tools/setup.sh first.
# Usage: tools/test.sh [integration]   (integration: only tests/*_test.sh)
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

if [ "${1:-}" != integration ]; then
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
fi

# The integration tests (tests/*_test.sh) run in TEST_LANES lanes at once (2 by
# default; 1 runs them one after another). Each has its own scratch directory,
# output base, Bazel server and ports, and much of their time is one rustc at a
# time (release: one codegen unit, fat LTO), so two lanes keep both cores busy.
# A lane takes the next test from one queue, longest first (as measured in CI),
# so the lanes finish close together; each test's output is printed whole when
# it ends.
LONGEST_FIRST="remote_cache_test bad_input_test remote_cache_slow_test remote_execution_test reproducibility_test incremental_test"
integration_tests() {
  local t
  for t in $LONGEST_FIRST; do [ ! -f "tests/$t.sh" ] || echo "tests/$t.sh"; done
  for t in tests/*_test.sh; do
    case " $LONGEST_FIRST " in *" $(basename "$t" .sh) "*) ;; *) echo "$t" ;; esac
  done
}
lane() { # DIR N: lane N runs tests from DIR/queue until it is empty
  local dir=$1 log=$1/log.$2 t t0 status verdict
  while t=$(flock "$dir/queue" sh -c 'head -n 1 "$1"; sed -i 1d "$1"' _ "$dir/queue") && [ -n "$t" ]; do
    t0=$SECONDS
    bash "$t" >"$log" 2>&1 && status=ok || status=FAILED
    verdict=$(printf '%-7s %5ss  %s' "$status" $((SECONDS - t0)) "$t")
    # One test's output at a time, whole, with its verdict.
    flock "$dir/queue" sh -c 'printf "\n==> %s\n" "$1"; cat "$2"; echo "$3" >>"$4"' _ "$t" "$log" "$verdict" "$dir/results"
  done
}
lanes_dir=$(mktemp -d)
integration_tests >"$lanes_dir/queue"
: >"$lanes_dir/results"
for i in $(seq "${TEST_LANES:-2}"); do
  lane "$lanes_dir" "$i" &
done
wait
while IFS= read -r line; do
  results+=("$line")
  case $line in FAILED*) failed=$((failed + 1)) ;; esac
done <"$lanes_dir/results"
rm -rf "$lanes_dir"

printf '\n==> summary\n'
printf '  %s\n' "${results[@]}"
echo
echo "tools/test.sh: $(( ${#results[@]} - failed )) passed, $failed failed"
[ "$failed" -eq 0 ]
