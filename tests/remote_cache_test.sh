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
#  5. with the cache server down the build still succeeds, locally.
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
# shellcheck disable=SC2086
if ! bazel_in "$C" "$D/root-corrupt" build $TARGETS --config=release "$CACHE" >"$D/corrupt.log" 2>&1; then
  fail remote_cache_corrupt_blobs_not_used "the build failed on corrupted blobs" "$(grep -E 'ERROR|WARNING' "$D/corrupt.log" | head -5)"
elif ! diff <(app_digests "$A/bazel-out") <(app_digests "$C/bazel-out") >/dev/null; then
  fail remote_cache_corrupt_blobs_not_used "a corrupted blob reached the outputs"
else
  pass "remote_cache_corrupt_blobs_not_used ($(processes "$D/corrupt.log"); outputs identical to A's)"
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

stop_nginx_cache "$D"
# A new output base, so nothing is in Bazel's local caches either.
if ! bazel_in "$A" "$D/root-c" build //app:component --config=release "$CACHE" >"$D/down.log" 2>&1; then
  fail remote_cache_server_down_builds_locally "the build failed with the cache down" "$(tail -20 "$D/down.log")"
else
  pass "remote_cache_server_down_builds_locally ($(processes "$D/down.log"))"
fi

stop_bazel "$A" "$D/root-a"
stop_bazel "$B" "$D/root-b"
stop_bazel "$A" "$D/root-c"
finish
