#!/usr/bin/env bash
# Shared remote cache across checkouts, against a real server: nginx with
# WebDAV PUT on 127.0.0.1 as Bazel's HTTP cache.
#  1. checkout A builds //app:component --config=release and uploads;
#  2. checkout B, at another path with an empty output base, builds the same
#     target with every action a remote cache hit (zero local executions,
#     counted from Bazel's own process summary) and byte-identical outputs;
#  3. with every cached blob corrupted, Bazel does not use them and the
#     outputs stay correct;
#  4. with the cache server down the build still succeeds, locally.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

D=$SCRATCH/cache
rm -rf "$D" && mkdir -p "$D/store" "$D/tmp"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$D/nginx.conf" <<CONF
daemon on; user nobody nogroup; pid $D/nginx.pid; error_log $D/error.log; worker_processes 1;
events { worker_connections 256; }
http {
  access_log $D/access.log; client_body_temp_path $D/tmp;
  server {
    listen 127.0.0.1:$PORT;
    location / { root $D/store; dav_methods PUT; create_full_put_path on;
                 dav_access user:rw group:r all:r; client_max_body_size 1g; }
  }
}
CONF
chown -R nobody:nogroup "$D/store" "$D/tmp"
stop_nginx() { nginx -c "$D/nginx.conf" -s stop 2>/dev/null || true; }
trap stop_nginx EXIT
nginx -c "$D/nginx.conf" -e "$D/error.log" || { fail nginx_start "nginx did not start" "$(cat "$D/error.log")"; finish; exit 1; }

CACHE="--remote_cache=http://127.0.0.1:$PORT"
A=$SCRATCH/cache/a/wasmrust
B=$SCRATCH/cache/b/elsewhere/wasmrust-two
fresh_copy "$A"
fresh_copy "$B"


if ! bazel_in "$A" "$D/root-a" build //app:component --config=release "$CACHE" >"$D/a.log" 2>&1; then
  fail remote_cache_upload "build A failed" "$(tail -20 "$D/a.log")"
else
  uploads=$(find "$D/store/cas" -type f 2>/dev/null | wc -l)
  [ "$uploads" -gt 20 ] && pass "remote_cache_upload ($uploads blobs; A: $(processes "$D/a.log"))" \
    || fail remote_cache_upload "only $uploads blobs in the cache"
fi

if ! bazel_in "$B" "$D/root-b" build //app:component --config=release "$CACHE" >"$D/b.log" 2>&1; then
  fail remote_cache_cross_checkout_hits "build B failed" "$(tail -20 "$D/b.log")"
else
  summary=$(processes "$D/b.log")
  hits=$(echo "$summary" | grep -oE '[0-9]+ remote cache hit' | grep -oE '^[0-9]+' || echo 0)
  if echo "$summary" | grep -qE 'linux-sandbox|local|processwrapper|worker'; then
    fail remote_cache_cross_checkout_hits "some actions ran locally: $summary"
  elif [ "$hits" -lt 20 ]; then
    fail remote_cache_cross_checkout_hits "only $hits remote cache hits: $summary"
  elif ! diff <(app_digests "$A/bazel-out") <(app_digests "$B/bazel-out") >/dev/null; then
    fail remote_cache_cross_checkout_hits "outputs differ"
  else
    pass "remote_cache_cross_checkout_hits ($summary; wall: cold $(elapsed "$D/a.log"), cached $(elapsed "$D/b.log"))"
  fi
fi

# Every blob in the cache corrupted (same size, other bytes): the digests no
# longer match, so Bazel must not use them; the build stays correct.
find "$D/store/cas" -type f -print0 | xargs -0 -n1 sh -c 'n=$(stat -c %s "$0"); head -c "$n" /dev/zero | tr "\\0" x >"$0.bad" && mv "$0.bad" "$0"'
C=$SCRATCH/cache/c/wasmrust
fresh_copy "$C"
if ! bazel_in "$C" "$D/root-corrupt" build //app:component --config=release "$CACHE" >"$D/corrupt.log" 2>&1; then
  fail remote_cache_corrupt_blobs_not_used "the build failed on corrupted blobs" "$(grep -E 'ERROR|WARNING' "$D/corrupt.log" | head -5)"
elif ! diff <(app_digests "$A/bazel-out") <(app_digests "$C/bazel-out") >/dev/null; then
  fail remote_cache_corrupt_blobs_not_used "a corrupted blob reached the outputs"
else
  pass "remote_cache_corrupt_blobs_not_used ($(processes "$D/corrupt.log"); outputs identical to A's)"
fi
stop_bazel "$C" "$D/root-corrupt"

stop_nginx
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
