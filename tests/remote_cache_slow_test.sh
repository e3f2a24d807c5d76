#!/usr/bin/env bash
# A slow HTTP cache never fails or poisons the build. nginx (WebDAV, as in
# remote_cache_test.sh) sits behind tests/slow_proxy.py, which holds every
# request DELAY seconds (longer than Bazel's --remote_timeout) before passing
# it on, so every lookup and upload times out on Bazel's side while the
# uploads still reach the cache late, as over a congested link.
#  1. reference: checkout A builds //app:component --config=release
#     --config=cache-writer straight against nginx (fast), filling the cache;
#  2. checkout B, empty output base, --config=cache-writer (so it would upload)
#     through the slow proxy
#     with --remote_timeout=2: the build succeeds by running every action
#     locally, its outputs equal the reference's, and it finishes within a
#     bound derived from the reference's cold time;
#  3. the timed-out uploads leave nothing half-done: A PUT each action-cache
#     key once; B's blobs still reach the cache late (proxy -> nginx), but
#     Bazel writes an action result only after all its blobs are stored, so
#     B adds no action-cache entry, A's entries are unchanged, and every CAS
#     blob matches its digest. (That a re-executed action re-uploads the same
#     result under its key is checked in remote_cache_test.sh, where the
#     uploads succeed.)
set -uo pipefail
source "$(dirname "$0")/lib.sh"

DELAY=5
TIMEOUT=2
D=$SCRATCH/cache-slow
rm -rf "$D" && mkdir -p "$D"
NGINX_PORT=$(free_port)
start_nginx_cache "$D" "$NGINX_PORT" || { fail nginx_start "nginx did not start" "$(cat "$D/error.log")"; finish; exit 1; }
PROXY_PORT=$(free_port)
python3 "$ROOT/tests/slow_proxy.py" --port "$PROXY_PORT" --upstream "$NGINX_PORT" --delay "$DELAY" 2>"$D/proxy.log" &
PROXY=$!
trap 'kill $PROXY 2>/dev/null; stop_nginx_cache "$D"' EXIT
wait_until 20 port_open "$PROXY_PORT" || { fail slow_proxy_start "the slow proxy did not start" "$(cat "$D/proxy.log")"; finish; exit 1; }

A=$D/a/wasmrust
B=$D/b/elsewhere/wasmrust-two
fresh_copy "$A"
fresh_copy "$B"

if ! bazel_in "$A" "$D/root-a" build //app:component --config=release --config=cache-writer \
     --remote_cache="http://127.0.0.1:$NGINX_PORT" >"$D/a.log" 2>&1; then
  fail slow_cache_reference_build "reference build A failed" "$(tail -20 "$D/a.log")"
  finish
  exit 1
fi
app_digests "$A/bazel-out" >"$D/a.sha256"
(cd "$D/store/ac" && sha256sum -- *) >"$D/ac-after-a.sha256"
lines_a=$(wc -l <"$D/access.log")
ac_puts "$D/access.log" >"$D/puts-a"

if ! bazel_in "$B" "$D/root-b" build //app:component --config=release --config=cache-writer \
     --remote_cache="http://127.0.0.1:$PROXY_PORT" --remote_timeout="$TIMEOUT" >"$D/b.log" 2>&1; then
  fail slow_cache_builds_locally "the build failed with a slow cache" "$(grep -E 'ERROR|WARNING' "$D/b.log" | head -5)"
else
  cold=$(elapsed "$D/a.log")
  wall_b=$(printf '%.0f' "$(elapsed "$D/b.log" | tr -d s)")
  # Every action pays at most one lookup and one upload round of timeouts.
  actions=$(wc -l <"$D/puts-a")
  bound=$(printf '%.0f' "$(echo "2 * ${cold%s} + $actions * 2 * $TIMEOUT + 60" | bc)")
  timeouts=$(grep -c 'timed out\|TimeoutException\|Timeout' "$D/b.log" || true)
  app_digests "$B/bazel-out" >"$D/b.sha256"
  if [ "$(cache_hits "$D/b.log")" -ne 0 ]; then
    fail slow_cache_builds_locally "cache hits through a proxy slower than --remote_timeout: $(processes "$D/b.log")"
  elif ! diff "$D/a.sha256" "$D/b.sha256" >/dev/null; then
    fail slow_cache_builds_locally "outputs differ from the reference build's"
  elif [ "$wall_b" -gt "$bound" ]; then
    fail slow_cache_builds_locally "took $(elapsed "$D/b.log"), bound ${bound}s (reference cold build ${cold})"
  else
    pass "slow_cache_builds_locally ($(processes "$D/b.log"); $(wc -l <"$D/b.sha256") outputs identical to the reference; wall: reference cold ${cold}, slow cache $(elapsed "$D/b.log") (bound ${bound}s); $timeouts timeout warnings)"
  fi
fi

# B's uploads were abandoned by Bazel but reach nginx DELAY s later: wait
# until the proxy has gone quiet, then look at what they left in the store.
prev=-1
for _ in $(seq 60); do
  now=$(wc -l <"$D/access.log")
  [ "$now" -eq "$prev" ] && break
  prev=$now
  sleep "$DELAY"
done
late=$(tail -n +"$((lines_a + 1))" "$D/access.log")
late_cas=$(echo "$late" | awk '$1 == "PUT" && $2 ~ /^2/ && $3 ~ /^\/cas\//' | wc -l)
late_ac=$(echo "$late" | awk '$1 == "PUT" && $3 ~ /^\/ac\//' | wc -l)
late_bad=$(echo "$late" | awk '$2 !~ /^[23]/ && $2 != 404' | wc -l)
n_a=$(wc -l <"$D/puts-a")
twice_a=$(awk '$1 > 1' "$D/puts-a" | wc -l)
ac_changed=$( (cd "$D/store/ac" && sha256sum -- *) | diff - "$D/ac-after-a.sha256" | grep -c '^[<>]' || true)
bad_blobs=$(cd "$D/store/cas" && for f in *; do [ "$(sha256sum "$f" | cut -d' ' -f1)" = "$f" ] || echo "$f"; done | wc -l)
if [ "$n_a" -lt 20 ] || [ "$twice_a" -ne 0 ]; then
  fail slow_cache_no_partial_results "reference build A: $n_a action-cache keys PUT, $twice_a of them more than once"
elif [ "$late_cas" -eq 0 ]; then
  fail slow_cache_no_partial_results "none of B's abandoned uploads reached nginx: nothing checked" "$(echo "$late" | sort | uniq -c | head)"
elif [ "$late_bad" -ne 0 ]; then
  fail slow_cache_no_partial_results "$late_bad of B's late requests failed at nginx" "$(echo "$late" | awk '$2 !~ /^[23]/ && $2 != 404' | head -3)"
elif [ "$late_ac" -ne 0 ] || [ "$ac_changed" -ne 0 ]; then
  fail slow_cache_no_partial_results "B's timed-out uploads wrote $late_ac action-cache entries ($ac_changed differ from A's)"
elif [ "$bad_blobs" -ne 0 ]; then
  fail slow_cache_no_partial_results "$bad_blobs CAS blobs do not match their digest"
else
  pass "slow_cache_no_partial_results (A: $n_a action results, each PUT once; B: $late_cas blob uploads landed late, 0 action results, so no entry points at a missing blob; all $(ls "$D/store/cas" | wc -l) blobs match their digests)"
fi

stop_bazel "$A" "$D/root-a"
stop_bazel "$B" "$D/root-b"
finish
