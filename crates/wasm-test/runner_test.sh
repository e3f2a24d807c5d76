#!/usr/bin/env bash
# Each profile's `wasm_test` runner, on the fixture (fixture/lib.rs): the
# outcome of every test, the failure messages, the libtest summary, the exit
# status, and test selection by name.
#   runner_test.sh FIXTURE_SCRIPT...   (one per profile, from $(location))
set -uo pipefail

failed=0
check() { # NAME OUTPUT PATTERN...
  local name=$1 output=$2 missing=()
  shift 2
  for pattern in "$@"; do
    grep -qF -- "$pattern" <<<"$output" || missing+=("$pattern")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "test $name ... ok"
  else
    echo "test $name ... FAILED"
    printf '  missing: %s\n' "${missing[@]}"
    printf '%s\n' "$output" | sed 's/^/  | /'
    failed=$((failed + 1))
  fi
}

for fixture in "$@"; do
  profile=$(basename "$fixture" .sh)
  profile=${profile#fixture_}

  output=$("$fixture" 2>&1)
  status=$?
  check "$profile: every outcome" "$output" \
    "running 6 tests" \
    "test tests::passes ... ok" \
    "test tests::fails_an_assertion ... FAILED" \
    "the answer is off by one" \
    "left: 41" \
    "test tests::panics_as_expected ... ok" \
    "test tests::does_not_panic ... FAILED" \
    "note: test did not panic as expected" \
    "test tests::ignored ... ignored" \
    "test tests::traps_without_a_panic ... FAILED" \
    "trapped:" \
    "test result: FAILED. 2 passed; 3 failed; 1 ignored; 0 measured; 0 filtered out"
  check "$profile: exits 101 on failure (got $status)" "$status" "101"

  output=$("$fixture" tests::passes --exact 2>&1)
  status=$?
  check "$profile: selects by exact name" "$output" \
    "running 1 test" \
    "test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 5 filtered out"
  check "$profile: exits 0 on success (got $status)" "$status" "0"

  output=$(TESTBRIDGE_TEST_ONLY=panic "$fixture" 2>&1)
  check "$profile: honours --test_filter" "$output" \
    "test tests::panics_as_expected ... ok" \
    "test tests::does_not_panic ... FAILED" \
    "3 filtered out"
done

echo
echo "runner_test: $failed failed"
[ "$failed" -eq 0 ]
