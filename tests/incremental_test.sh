#!/usr/bin/env bash
# Incremental dev builds (docs/dev-loop.md): first-party crates compile in
# `wasmrust --persistent_worker`, which keeps rustc's incremental state.
#  1. a dev build runs those compiles in the worker, everything else as before;
#  2. an edit rebuilds incrementally; reverting it gives back the clean
#     build's bytes (so incremental state never changes what a source means);
#  3. the dev tests pass on incrementally rebuilt modules;
#  4. a worker killed mid-compile (with its rustc) leaves no corrupt state:
#     the next build discards the unfinished state, says so, and gives the
#     same bytes as an uninterrupted build of the same source;
#  5. incremental outputs never reach a shared cache: every build of A uses an
#     nginx HTTP cache, and a second checkout gets every other action from it
#     but compiles the first-party crates itself;
#  6. release-iteration compiles (--config=release-iter) are no-remote too when
#     they keep incremental state, and cacheable when they do not (aquery).
set -uo pipefail
source "$(dirname "$0")/lib.sh"

D=$SCRATCH/incremental
rm -rf "$D" && mkdir -p "$D"
W=$D/a/wasmrust
R=$D/root-a
fresh_copy "$W"
FLAGS="--config=dev --config=node"
TARGETS="//app:app_core //app:numbers_test_node"
log=$D/build.log
PORT=$(free_port)
trap 'stop_nginx_cache "$D/nginx"; stop_bazel "$W" "$R"; stop_bazel "$D/b/wasmrust" "$D/root-b"' EXIT
mkdir -p "$D/nginx"
start_nginx_cache "$D/nginx" "$PORT" || { fail nginx_start "nginx did not start" "$(cat "$D/nginx/error.log")"; finish; exit 1; }
CACHE="--remote_cache=http://127.0.0.1:$PORT"

build() { # build LOG EXTRA...: the dev build of $TARGETS in checkout A, with the cache
  local out=$1
  shift
  # shellcheck disable=SC2086
  bazel_in "$W" "$R" build $TARGETS $FLAGS "$CACHE" "$@" >"$out" 2>&1
}
module() { find "$W/bazel-out/" -path '*/bin/app/app_core.wasm' -newer "$1" | head -1; }
worker_count() { processes "$1" | grep -oE '[0-9]+ worker' | grep -oE '^[0-9]+' || echo 0; }

# The edit benchmarks/edit_rebuild.sh makes: the separator reverse-words joins with.
TEXT=$W/app/src/text.rs
cp "$TEXT" "$D/text.rs.orig"
edit_text() {
  cp "$D/text.rs.orig" "$TEXT"
  sed -i "s/words.join(\" \")/words.join(\"$1\")/" "$TEXT"
  grep -qF "words.join(\"$1\")" "$TEXT"
}

# 1. Clean dev build: the first-party crates in the worker.
touch "$D/t0"
if ! build "$log"; then
  fail incremental_compiles_run_in_the_worker "the build failed" "$(tail -20 "$log")"
  finish
  exit 1
fi
n=$(worker_count "$log")
if [ "$n" -ge 2 ]; then
  pass "incremental_compiles_run_in_the_worker ($(processes "$log"))"
else
  fail incremental_compiles_run_in_the_worker "expected the first-party compiles in a worker: $(processes "$log")"
fi
clean=$D/clean.wasm
cp "$(module "$D/t0")" "$clean"

# 2. Edit, rebuild, revert, rebuild.
edit_text "--"
touch "$D/t1"
if ! build "$log"; then
  fail incremental_rebuild "the rebuild after an edit failed" "$(tail -20 "$log")"
else
  edited=$D/edited.wasm
  cp "$(module "$D/t1")" "$edited"
  cp "$D/text.rs.orig" "$TEXT"
  touch "$D/t2"
  if ! build "$log"; then
    fail incremental_rebuild "the rebuild after reverting the edit failed" "$(tail -20 "$log")"
  elif cmp -s "$edited" "$clean"; then
    fail incremental_rebuild "the edit did not change the module"
  elif ! cmp -s "$(module "$D/t2")" "$clean"; then
    fail incremental_rebuild "after reverting the edit the module differs from the clean build" \
      "$("$W/compiler/bin/wasmrust" diff "$clean" "$(module "$D/t2")" 2>&1 | head -5)"
  else
    pass "incremental_rebuild (edit changed the module; revert gave the clean build's $(stat -c %s "$clean") bytes back)"
  fi
fi

# 3. The dev tests on an incrementally rebuilt crate.
NUMBERS=$W/app/numbers/lib.rs
cp "$NUMBERS" "$D/numbers.rs.orig"
printf '\n/// Added by tests/incremental_test.sh.\npub fn incremental_probe() -> u32 { 7 }\n' >>"$NUMBERS"
if bazel_in "$W" "$R" test //app:numbers_test_node $FLAGS "$CACHE" >"$log" 2>&1 && [ "$(worker_count "$log")" -ge 1 ]; then
  pass "dev_tests_pass_on_incremental_rebuild ($(processes "$log"))"
else
  fail dev_tests_pass_on_incremental_rebuild "$(processes "$log")" "$(tail -20 "$log")"
fi
cp "$D/numbers.rs.orig" "$NUMBERS"

# 4. Kill the worker, its child and rustc while app_core compiles; rebuild.
our_workers() { # the workers serving checkout A (their working directory is under $R)
  local p
  for p in $(pgrep -f -- '--persistent_worker'); do
    case "$(readlink "/proc/$p/cwd" 2>/dev/null)" in "$R"/*) echo "$p" ;; esac
  done
}
killed=""
for attempt in 1 2 3 4 5; do
  # A source no build has seen, so the compile really runs.
  edit_text "$(printf 'k%.0s' $(seq "$attempt"))"
  workers=$(our_workers)
  [ -n "$workers" ] || { fail worker_killed_mid_compile "no worker is running for checkout A"; break; }
  build "$D/killed.log" &
  bpid=$!
  while [ -z "$killed" ] && kill -0 "$bpid" 2>/dev/null; do
    for wp in $workers; do
      child=$(pgrep -P "$wp" | head -1)
      if [ -n "$child" ] && pgrep -P "$child" >/dev/null; then
        pkill -9 -P "$child"
        kill -9 "$child" "$wp"
        killed=$attempt
        break
      fi
    done
  done
  wait "$bpid"
  [ -n "$killed" ] && break
done
if [ -z "$killed" ]; then
  fail worker_killed_mid_compile "never saw the worker compiling in 5 builds"
else
  touch "$D/t3"
  if ! build "$log"; then
    fail worker_killed_mid_compile "the build after the kill failed" "$(tail -20 "$log")"
  elif ! grep -qF "did not finish; its incremental state was discarded" "$log"; then
    fail worker_killed_mid_compile "the unfinished incremental state was not discarded" "$(tail -20 "$log")"
  else
    after=$D/after-kill.wasm
    cp "$(module "$D/t3")" "$after"
    # The reference: the same source compiled from nothing, uninterrupted
    # (no incremental state, and the compile's output gone so Bazel reruns it).
    rm -rf "$W/bazel-out/_wasmrust_incremental"
    find "$W/bazel-out/" -path '*/bin/app/app_core/app_core.linked.wasm' -delete
    if ! build "$D/ref.log" || [ "$(worker_count "$D/ref.log")" -lt 1 ]; then
      fail worker_killed_mid_compile "the reference build failed or compiled nothing: $(processes "$D/ref.log")" "$(tail -20 "$D/ref.log")"
    # (Bazel reruns normalize only if the compile's output changed: compare the module in place.)
    elif ! cmp -s "$after" "$(find "$W/bazel-out/" -path '*/bin/app/app_core.wasm' | head -1)"; then
      fail worker_killed_mid_compile "the module built after the kill differs from an uninterrupted build of the same source"
    else
      pass "worker_killed_mid_compile (killed in build $killed; state discarded; module equals a from-scratch build of the same source)"
    fi
  fi
fi
cp "$D/text.rs.orig" "$TEXT"

# 5. The warm shared cache A filled does not hand incremental outputs to another checkout.
B=$D/b/wasmrust
fresh_copy "$B"
# shellcheck disable=SC2086
if ! bazel_in "$B" "$D/root-b" build $TARGETS $FLAGS "$CACHE" >"$D/b-cache.log" 2>&1; then
  fail incremental_outputs_not_shared "checkout B's build failed" "$(tail -20 "$D/b-cache.log")"
else
  summary=$(processes "$D/b-cache.log")
  if [ "$(cache_hits "$D/b-cache.log")" -lt 10 ] || [ "$(worker_count "$D/b-cache.log")" -lt 2 ] \
    || echo "$summary" | grep -qE 'sandbox|processwrapper|local'; then
    fail incremental_outputs_not_shared "expected cache hits for everything but the first-party compiles, which run in B's worker: $summary"
  else
    pass "incremental_outputs_not_shared (B: $summary)"
  fi
fi

# 6. Release-iteration compiles of first-party crates (aquery: analysis only)
# are no-remote when they keep incremental state, and cacheable when they do not.
# no_remote_compiles LOG: "N of M", the compile actions tagged no-remote.
no_remote_compiles() {
  awk '/^action /{n++} /ExecutionInfo: \{.*no-remote/{if (!seen[n]++) r++} END {printf "%d of %d", r, n}' "$1"
}
for variant in "incremental" "--no//platforms:incremental"; do
  # shellcheck disable=SC2086
  if ! bazel_in "$W" "$R" aquery --config=release-iter --config=node ${variant#incremental} 'mnemonic("WasmRustc.*", //app:app_core + //app:numbers)' >"$D/aquery.log" 2>&1; then
    fail "release_iteration_compiles ($variant)" "aquery failed" "$(tail -20 "$D/aquery.log")"
    continue
  fi
  got=$(no_remote_compiles "$D/aquery.log")
  want="2 of 2"
  [ "$variant" = incremental ] || want="0 of 2"
  if [ "$(grep -c -- '--release-iteration' "$D/aquery.log")" -eq 2 ] && [ "$got" = "$want" ]; then
    pass "release_iteration_compiles ($variant: --release-iteration, $got no-remote)"
  else
    fail "release_iteration_compiles ($variant)" "expected both first-party compiles with --release-iteration and $want no-remote, got $got no-remote" \
      "$(grep -E '^action|ExecutionInfo|release-iteration' "$D/aquery.log")"
  fi
done

finish
