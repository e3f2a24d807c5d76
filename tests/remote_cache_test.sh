#!/usr/bin/env bash
# Shared remote cache across checkouts, against a real server: nginx with
# WebDAV PUT on 127.0.0.1 as Bazel's HTTP cache.
#  1. checkout A builds //app:component, a module for each other profile, and
#     a test module using third-party crates (serde + derive, serde_json, sha2:
#     proc macros, build scripts) with --config=release, and uploads;
#  2. checkout B, at another path with an empty output base, builds the same
#     targets with every action a remote cache hit (zero local executions,
#     counted from Bazel's own process summary) and byte-identical outputs,
#     and uploads nothing (no PUT in nginx's access log);
#  3. with every cached blob corrupted, Bazel does not use them and the
#     outputs stay correct;
#  4. the rebuild in 3 re-uploads every action's result under the key A
#     used, byte-identical to A's (so no key ever holds two results), and
#     the corrupted CAS blobs are replaced by good ones;
#  5. poisoned action-cache entries, as anyone who may PUT to the cache can
#     write them: one points //app:component's last action at the
#     un-normalized component (a valid, wrong module), one is another action's
#     entry copied over numbers_test_embedded's. A reader (--config=cache)
#     gets the wrong component silently and writes nothing; `tools/audit.py
#     recheck --repair` names exactly those two entries, agrees with every
#     other, and overwrites them; then a reader gets the right bytes again;
#  6. with the cache server down, an edit still builds, locally.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

D=$SCRATCH/cache
rm -rf "$D" && mkdir -p "$D"
PORT=$(free_port)
trap 'stop_nginx_cache "$D"' EXIT
start_nginx_cache "$D" "$PORT" || { fail nginx_start "nginx did not start" "$(cat "$D/error.log")"; finish; exit 1; }

CACHE="--remote_cache=http://127.0.0.1:$PORT"
A=$SCRATCH/cache/a/wasmrust
B=$SCRATCH/cache/b/elsewhere/wasmrust-two
fresh_copy "$A"
fresh_copy "$B"


# The headline target; the same crate's test module for every other profile
# (so all four sysroots are among the hits); and a module using crates.io code
# (tests/crates: proc macros and build scripts).
TARGETS="//app:component //app:numbers_test_browser //app:numbers_test_node //app:numbers_test_embedded //tests/crates:crates_test_wasmtime"

# shellcheck disable=SC2086
if ! bazel_in "$A" "$D/root-a" build $TARGETS --config=release "$CACHE" >"$D/a.log" 2>&1; then
  fail remote_cache_upload "build A failed" "$(tail -20 "$D/a.log")"
else
  uploads=$(find "$D/store/cas" -type f 2>/dev/null | wc -l)
  [ "$uploads" -gt 20 ] && pass "remote_cache_upload ($uploads blobs; A: $(processes "$D/a.log"))" \
    || fail remote_cache_upload "only $uploads blobs in the cache"
fi

lines_a=$(wc -l <"$D/access.log")
# shellcheck disable=SC2086
if ! bazel_in "$B" "$D/root-b" build $TARGETS --config=release "$CACHE" >"$D/b.log" 2>&1; then
  fail remote_cache_cross_checkout_hits "build B failed" "$(tail -20 "$D/b.log")"
else
  expect_all_hits remote_cache_cross_checkout_hits "$D/a.log" "$D/b.log" "$A/bazel-out" "$B/bazel-out"
  # A hit must not write anything back: no PUT at all during B.
  puts_b=$(tail -n +"$((lines_a + 1))" "$D/access.log" | awk '$1 == "PUT"' | wc -l)
  gets_b=$(tail -n +"$((lines_a + 1))" "$D/access.log" | awk '$1 == "GET"' | wc -l)
  if [ "$puts_b" -eq 0 ]; then
    pass "remote_cache_hits_upload_nothing (B: $gets_b GETs, 0 PUTs)"
  else
    fail remote_cache_hits_upload_nothing "B, all hits, still sent $puts_b PUTs"
  fi
fi

# Every blob in the cache corrupted (same size, other bytes): the digests no
# longer match, so Bazel must not use them; the build stays correct.
(cd "$D/store/ac" && sha256sum -- *) >"$D/ac-before-corrupt.sha256"
lines_b=$(wc -l <"$D/access.log")
find "$D/store/cas" -type f -print0 | xargs -0 -n1 sh -c 'n=$(stat -c %s "$0"); head -c "$n" /dev/zero | tr "\\0" x >"$0.bad" && mv "$0.bad" "$0"'
C=$SCRATCH/cache/c/wasmrust
fresh_copy "$C"
# C rebuilds the headline component and the crates.io module: every action
# kind (a std sysroot, proc macros, build scripts, compile, link, wasm-opt,
# component) without the other three profiles' sysroots, which differ only in
# their target (tests/reproducibility_test.sh rebuilds those from cold).
C_TARGETS="//app:component //tests/crates:crates_test_wasmtime"
# shellcheck disable=SC2086
if ! bazel_in "$C" "$D/root-corrupt" build $C_TARGETS --config=release "$CACHE" >"$D/corrupt.log" 2>&1; then
  fail remote_cache_corrupt_blobs_not_used "the build failed on corrupted blobs" "$(grep -E 'ERROR|WARNING' "$D/corrupt.log" | head -5)"
elif [ "$(app_digests "$C/bazel-out" | grep -c /app/component.wasm)" -ne 1 ]; then
  fail remote_cache_corrupt_blobs_not_used "the build succeeded but left no app/component.wasm" "$(tail -5 "$D/corrupt.log")"
elif differing=$(comm -13 <(app_digests "$A/bazel-out" | sort) <(app_digests "$C/bazel-out" | sort)) && [ -n "$differing" ]; then
  fail remote_cache_corrupt_blobs_not_used "a corrupted blob reached the outputs: these differ from A's" "$differing"
else
  pass "remote_cache_corrupt_blobs_not_used ($(processes "$D/corrupt.log"); its $(app_digests "$C/bazel-out" | wc -l) outputs identical to A's)"
fi
stop_bazel "$C" "$D/root-corrupt"

# C ran every action again and uploaded its results under the keys A had
# used: a non-reproducible action would now hold a second, different result
# under one key. Every re-PUT /ac/ entry must be byte-identical to A's, and
# every CAS blob must be back to the bytes its name (sha256) says.
reput=$(ac_puts "$D/access.log" $((lines_b + 1)) | awk '{print $2}' | sed 's#^/ac/##')
n_reput=$(echo "$reput" | grep -c . || true)
changed=$(for key in $reput; do
  grep -qx "$(sha256sum "$D/store/ac/$key" | cut -d' ' -f1)  $key" "$D/ac-before-corrupt.sha256" || echo "$key"
done | wc -l)
# The blobs C fetched (and found corrupt) must be good again. Blobs it never
# fetched stay corrupt: the Action and Command protos of actions that were hits
# because all their outputs are empty files (nothing to download or verify).
fetched=$(tail -n +"$((lines_b + 1))" "$D/access.log" | awk '$1 == "GET" && $3 ~ /^\/cas\//' | sed 's#.*/cas/##' | sort -u)
n_fetched=$(echo "$fetched" | grep -c . || true)
bad_blobs=$(cd "$D/store/cas" && for f in $fetched; do [ ! -f "$f" ] || [ "$(sha256sum "$f" | cut -d' ' -f1)" = "$f" ] || echo "$f"; done | wc -l)
if [ "$n_reput" -lt 20 ] || [ "$n_fetched" -lt 20 ]; then
  fail remote_cache_reupload_same_result "only $n_reput action-cache entries re-uploaded and $n_fetched CAS blobs fetched by C"
elif [ "$changed" -ne 0 ]; then
  fail remote_cache_reupload_same_result "$changed action-cache keys now hold a different result than A uploaded"
elif [ "$bad_blobs" -ne 0 ]; then
  fail remote_cache_reupload_same_result "$bad_blobs of the $n_fetched CAS blobs C fetched still do not match their digest"
else
  pass "remote_cache_reupload_same_result ($n_reput action-cache keys PUT again by C, all byte-identical to A's; the $n_fetched CAS blobs C fetched match their digests again)"
fi

# Poisoned entries (5). ac_entry.py reads and forges the ActionResult protos.
AC=$D/store/ac
entry() { python3 "$ROOT/tests/ac_entry.py" find "$AC" "$1"; }
read -r key_c _ _ < <(entry /bin/app/component.wasm)
read -r _ raw_sha raw_size < <(entry /bin/app/component/component.raw.wasm)
read -r key_e _ _ < <(entry /bin/app/numbers_test_embedded.wasm)
read -r key_o _ _ < <(entry /bin/app/app_core.wasm)
component_sha() { app_digests "$1/bazel-out" | awk '$2 ~ /\/app\/component\.wasm$/ {print $1}'; }
good_sha=$(component_sha "$A")
if [ -z "$key_c" ] || [ -z "$raw_sha" ] || [ -z "$key_e" ] || [ -z "$key_o" ] || [ -z "$good_sha" ]; then
  fail remote_cache_poisoned_entry_is_silent "the entries to poison are not in the cache" "$(ls "$AC" | wc -l) entries"
else
  python3 "$ROOT/tests/ac_entry.py" point "$AC/$key_c" "$raw_sha" "$raw_size"
  cp "$AC/$key_o" "$AC/$key_e"
  E=$SCRATCH/cache/e/wasmrust
  fresh_copy "$E"
  lines_p=$(wc -l <"$D/access.log")
  if ! bazel_in "$E" "$D/root-poisoned" build //app:component --config=release --config=cache "$CACHE" >"$D/poisoned.log" 2>&1; then
    fail remote_cache_poisoned_entry_is_silent "the reader's build failed" "$(tail -20 "$D/poisoned.log")"
  else
    got=$(component_sha "$E")
    puts=$(tail -n +"$((lines_p + 1))" "$D/access.log" | awk '$1 == "PUT"' | wc -l)
    if [ "$got" != "$raw_sha" ]; then
      fail remote_cache_poisoned_entry_is_silent "the reader got $got, not the poisoned entry's $raw_sha: the test no longer poisons"
    elif [ "$puts" -ne 0 ]; then
      fail remote_cache_poisoned_entry_is_silent "--config=cache sent $puts PUTs: a reader must not write the cache"
    else
      pass "remote_cache_poisoned_entry_is_silent (the threat: exit 0, no warning, component.wasm is the un-normalized $raw_size B module; --config=cache sent 0 PUTs)"
    fi
  fi
  stop_bazel "$E" "$D/root-poisoned"

  WASMRUST_AUDIT_TMP=$SCRATCH/cache/audit python3 "$ROOT/tools/audit.py" recheck //app:component //app:numbers_test_embedded \
    --config=release --remote_cache="http://127.0.0.1:$PORT" --repair --json "$D/recheck.json" >"$D/recheck.txt" 2>&1
  status=$?
  verdict=$(python3 - "$D/recheck.json" "$raw_sha" "$good_sha" <<'PY' 2>&1
import json, sys
r = json.load(open(sys.argv[1]))
raw, good = sys.argv[2], sys.argv[3]
bad = {b["action"]: b["problems"] for b in r["bad"]}
comp = [p for name, ps in bad.items() if "//app:component " in name for p in ps]
emb = [p for name, ps in bad.items() if "//app:numbers_test_embedded " in name for p in ps]
problems = []
if len(bad) != 2:
    problems.append(f"{len(bad)} bad entries named, expected 2: {sorted(bad)}")
if not any(p["problem"] == "differs" and p["sha256_cache"] == raw and p["sha256_local"] == good for p in comp):
    problems.append(f"the component's entry is not named with the poisoned and the real digest: {comp}")
if not any(p["problem"] == "missing" and p["path"].endswith("/app/numbers_test_embedded.wasm") for p in emb):
    problems.append(f"numbers_test_embedded's entry is not named as missing its output: {emb}")
if r["agree"] < 20:
    problems.append(f"only {r['agree']} cached results checked and agreeing")
if not r.get("after_repair", {}).get("ok"):
    problems.append(f"after --repair: {r.get('after_repair')}")
print("; ".join(problems) if problems else f"{r['cache_hits']} cached results checked, {r['agree']} agree; "
      f"after the repair {r['after_repair']['cache_hits']} hits, all agreeing")
sys.exit(1 if problems else 0)
PY
  )
  checked=$?
  if [ "$status" -ne 1 ] || [ "$checked" -ne 0 ]; then
    fail audit_recheck_finds_poisoned_entries "exit $status (expected 1): $verdict" "$(tail -25 "$D/recheck.txt")"
  else
    pass "audit_recheck_finds_poisoned_entries ($verdict)"
  fi

  # After the repair a reader gets the real bytes, every action from the cache.
  F=$SCRATCH/cache/f/wasmrust
  fresh_copy "$F"
  if ! bazel_in "$F" "$D/root-repaired" build //app:component //app:numbers_test_embedded --config=release --config=cache "$CACHE" >"$D/repaired.log" 2>&1; then
    fail remote_cache_repaired "the reader's build failed after the repair" "$(grep ERROR "$D/repaired.log" | head -5)"
  elif [ "$(component_sha "$F")" != "$good_sha" ] || ran_locally "$D/repaired.log"; then
    fail remote_cache_repaired "after the repair: $(processes "$D/repaired.log"); component $(component_sha "$F" | cut -c1-12), expected ${good_sha:0:12}"
  else
    pass "remote_cache_repaired ($(processes "$D/repaired.log"); component.wasm ${good_sha:0:12}, A's bytes)"
  fi
  stop_bazel "$F" "$D/root-repaired"
fi

stop_nginx_cache "$D"
# A changed test in B's `numbers` crate: the test module's compile, link and
# wasm-opt actions have keys no cache holds, so Bazel looks them up on the dead
# server, runs them locally, and fails to upload; the build must still succeed.
sed -i 's/primes_below(2).is_empty())/primes_below(2).is_empty() \&\& primes_below(1).is_empty())/' "$B/app/numbers/lib.rs"
if ! grep -q 'primes_below(1)' "$B/app/numbers/lib.rs"; then
  fail remote_cache_server_down_builds_locally "the test's edit of app/numbers/lib.rs did not apply (the file changed?): fix the sed above"
elif ! bazel_in "$B" "$D/root-b" build //app:numbers_test_embedded --config=release "$CACHE" >"$D/down.log" 2>&1; then
  fail remote_cache_server_down_builds_locally "the build failed with the cache down" "$(tail -20 "$D/down.log")"
elif ! grep -q 'linux-sandbox' "$D/down.log"; then
  fail remote_cache_server_down_builds_locally "no action ran locally: the edit did not reach the build" "$(tail -5 "$D/down.log")"
else
  pass "remote_cache_server_down_builds_locally ($(processes "$D/down.log"))"
fi

stop_bazel "$A" "$D/root-a"
stop_bazel "$B" "$D/root-b"
finish
