#!/usr/bin/env bash
# Third-party crates (@crates, docs/third-party-crates.md) are fetched once:
#  1. with an empty cargo home, the fetch downloads the crates from the registry;
#  2. a fresh output base with the network cut (every proxy variable pointing at
#     a closed port) fetches them again from cargo's cache, with the same BUILD file;
#  3. a second command does not re-fetch (the generated BUILD file is untouched),
#     nor does a touched but unchanged Cargo.lock;
#  4. a changed Cargo.lock does re-fetch.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

D=$SCRATCH/crates-fetch
rm -rf "$D" && mkdir -p "$D"
W=$D/wasmrust
fresh_copy "$W"
export CARGO_HOME=$D/cargo-home
NO_NET=(env HTTPS_PROXY=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 http_proxy=http://127.0.0.1:9)

generated() { echo "$(bazel_in "$W" "$1" info output_base 2>/dev/null)/external/crates/BUILD.bazel"; }

# 1. Online, empty cargo home.
if ! bazel_in "$W" "$D/root-online" fetch @crates//:serde >"$D/online.log" 2>&1; then
  fail crates_fetch_online "the fetch failed" "$(tail -20 "$D/online.log")"
else
  n=$(find "$CARGO_HOME/registry/cache" -name '*.crate' | wc -l)
  [ "$n" -ge 15 ] && pass "crates_fetch_online ($n crates downloaded into an empty cargo home)" \
    || fail crates_fetch_online "only $n crates in cargo's cache"
fi
stop_bazel "$W" "$D/root-online"

# 2. No network, new output base: served from cargo's cache.
if ! "${NO_NET[@]}" bash -c "cd '$W' && bazel --output_user_root='$D/root-offline' fetch @crates//:serde" >"$D/offline.log" 2>&1; then
  fail crates_fetch_offline "the fetch needed the network" "$(tail -20 "$D/offline.log")"
elif ! cmp -s "$(generated "$D/root-online")" "$(generated "$D/root-offline")"; then
  fail crates_fetch_offline "the generated BUILD file differs between the two fetches"
else
  pass "crates_fetch_offline (network cut; same generated BUILD file)"
fi

# 3. No re-fetch: not on a second command, not for a touched Cargo.lock.
build=$(generated "$D/root-offline")
before=$(stat -c %Y.%Z "$build")
sleep 1
touch "$W/third_party/crates/Cargo.lock"
"${NO_NET[@]}" bash -c "cd '$W' && bazel --output_user_root='$D/root-offline' build --nobuild @crates//:serde" >"$D/again.log" 2>&1
if [ "$(stat -c %Y.%Z "$build")" = "$before" ]; then
  pass "crates_not_refetched"
else
  fail crates_not_refetched "@crates was generated again for an unchanged Cargo.lock"
fi

# 4. A changed lock (a comment is enough for Bazel's content hash) re-fetches.
echo "# changed" >>"$W/third_party/crates/Cargo.lock"
"${NO_NET[@]}" bash -c "cd '$W' && bazel --output_user_root='$D/root-offline' build --nobuild @crates//:serde" >"$D/changed.log" 2>&1
if [ "$(stat -c %Y.%Z "$build" 2>/dev/null)" != "$before" ]; then
  pass "crates_refetched_when_lock_changes"
else
  fail crates_refetched_when_lock_changes "the BUILD file was not regenerated" "$(tail -5 "$D/changed.log")"
fi

stop_bazel "$W" "$D/root-online"
stop_bazel "$W" "$D/root-offline"
finish
