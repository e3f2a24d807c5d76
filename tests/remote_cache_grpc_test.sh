#!/usr/bin/env bash
# Shared remote cache over REAPI (gRPC), against a real server: BuildGrid
# (PyPI, pinned and installed into its own venv by tools/setup.sh) serving
# Action Cache, CAS and ByteStream from tests/buildgrid-cache.yml on 127.0.0.1.
#  1. the server starts and answers GetCapabilities;
#  2. checkout A, the trusted writer, builds //app:component --config=release
#     --config=cache-writer and uploads its results;
#  3. checkout B, a reader (--config=cache) at another path with an empty
#     output base, builds the same target with every action a remote cache hit (zero local executions,
#     counted from Bazel's own process summary) and byte-identical outputs.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

BGD_VENV=${WASMRUST_BUILDGRID_VENV:-/opt/wasmrust/buildgrid-venv}
BGD=$BGD_VENV/bin/bgd
D=$SCRATCH/cache-grpc
rm -rf "$D" && mkdir -p "$D/store"

if [ ! -x "$BGD" ]; then
  fail buildgrid_start "no BuildGrid at $BGD_VENV: run tools/setup.sh packages"
  finish
  exit 1
fi
PORT=$(free_port)
REMOTE=grpc://127.0.0.1:$PORT
sed -e "s|@ADDRESS@|127.0.0.1:$PORT|" -e "s|@STORE@|$D/store|" "$ROOT/tests/buildgrid-cache.yml" >"$D/buildgrid.yml"
"$BGD" server start --pid-file "$D/bgd.pid" "$D/buildgrid.yml" >"$D/bgd.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null' EXIT
t0=$SECONDS
# Ready when GetCapabilities answers (what Bazel asks first).
if wait_until 60 "$BGD" capabilities --remote "http://127.0.0.1:$PORT"; then
  pass "buildgrid_start (BuildGrid $("$BGD_VENV/bin/pip" show buildgrid 2>/dev/null | sed -n 's/^Version: //p') on $REMOTE, ready in $((SECONDS - t0)) s)"
else
  fail buildgrid_start "BuildGrid did not answer GetCapabilities within 60 s" "$(tail -20 "$D/bgd.log")"
  finish
  exit 1
fi

CACHE=(--remote_cache="$REMOTE")
A=$D/a/wasmrust
B=$D/b/elsewhere/wasmrust-two
fresh_copy "$A"
fresh_copy "$B"

if ! bazel_in "$A" "$D/root-a" build //app:component --config=release --config=cache-writer "${CACHE[@]}" >"$D/a.log" 2>&1; then
  fail grpc_cache_upload "build A failed" "$(tail -20 "$D/a.log")"
else
  blobs=$(find "$D/store" -type f | wc -l)
  if [ "$blobs" -gt 20 ]; then
    pass "grpc_cache_upload ($blobs blobs, $(du -sm "$D/store" | cut -f1) MB in BuildGrid's CAS; A: $(processes "$D/a.log"))"
  else
    fail grpc_cache_upload "only $blobs blobs in BuildGrid's CAS"
  fi
fi

if ! bazel_in "$B" "$D/root-b" build //app:component --config=release --config=cache "${CACHE[@]}" >"$D/b.log" 2>&1; then
  fail grpc_cache_cross_checkout_hits "build B failed" "$(tail -20 "$D/b.log")"
else
  expect_all_hits grpc_cache_cross_checkout_hits "$D/a.log" "$D/b.log" "$A/bazel-out" "$B/bazel-out"
fi

stop_bazel "$A" "$D/root-a"
stop_bazel "$B" "$D/root-b"
finish
