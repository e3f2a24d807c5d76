# Peer tools shared by the benchmark scripts (sourced; not run on its own).
#
#   source benchmarks/peers.sh
#   WB=$(install_wasm_bindgen)     # path of the wasm-bindgen CLI, WASM_BINDGEN_VERSION
#
# Every tool is pinned and installed once into benchmarks/.peers/ (git-ignored);
# a second call only checks the version and prints the path. Progress goes to
# stderr, so `$(...)` captures the path alone.

# The wasm-bindgen crate and its CLI must be the same version (the CLI refuses a
# module whose schema version differs). 0.2.129 is the newest release whose CLI
# installs here with --locked: 0.2.130's lock file wants webpki-roots 1.0.11,
# which the crate registry reachable from this machine does not offer. The CLI
# declares rust-version 1.86, so rustup's 1.95 cargo builds it; Debian's
# rustc-web 1.96 builds the crate for wasm32.
WASM_BINDGEN_VERSION=0.2.129

PEERS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEERS_DIR=$PEERS_ROOT/benchmarks/.peers

# Host cargo for host tools: rustup's stable (TOOLCHAIN.md §D), else Debian's.
_peers_host_cargo() {
  if [ -x "$HOME/.cargo/bin/cargo" ]; then echo "$HOME/.cargo/bin/cargo"; else echo /usr/bin/cargo; fi
}

# Prints the path of wasm-bindgen $WASM_BINDGEN_VERSION, building it with
# `cargo install --locked` on first use (about 3-5 min on 2 cores).
install_wasm_bindgen() {
  local lock root=$PEERS_DIR/wasm-bindgen-$WASM_BINDGEN_VERSION
  local bin=$root/bin/wasm-bindgen log=$PEERS_DIR/logs/wasm-bindgen-install.log
  mkdir -p "$PEERS_DIR/logs"
  # Two scripts may ask at once (size.sh, boundary.sh): one installs, the other waits.
  exec {lock}>"$PEERS_DIR/.wasm-bindgen.lock"
  flock "$lock"
  if [ ! -x "$bin" ] || [ "$("$bin" --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
    printf '==> cargo install wasm-bindgen-cli@%s into %s\n' "$WASM_BINDGEN_VERSION" "${root#"$PEERS_ROOT"/}" >&2
    # The host cargo's own rustc (a caller's RUSTC= would be Debian's wasm-capable one);
    # a private target dir, removed afterwards.
    if ! env -u RUSTC -u RUSTC_BOOTSTRAP -u RUSTFLAGS -u CARGO_TARGET_DIR nice -n 10 "$(_peers_host_cargo)" install --locked --quiet --version "=$WASM_BINDGEN_VERSION" \
      --root "$root" --target-dir "$root/target" wasm-bindgen-cli >"$log" 2>&1; then
      printf 'error: cargo install wasm-bindgen-cli@%s failed (see %s)\n' "$WASM_BINDGEN_VERSION" "$log" >&2
      exec {lock}>&-
      return 1
    fi
    rm -rf "$root/target"
    [ "$("$bin" --version 2>/dev/null)" = "wasm-bindgen $WASM_BINDGEN_VERSION" ] || {
      printf 'error: %s is not wasm-bindgen %s\n' "$bin" "$WASM_BINDGEN_VERSION" >&2
      exec {lock}>&-
      return 1
    }
  fi
  exec {lock}>&-
  echo "$bin"
}

# write_vendored_std_cargo_config DIR: DIR/.cargo/config.toml pointing cargo at
# the vendored sources of std's dependencies in Debian's rust-web-src, so
# `-Zbuild-std` builds offline (TOOLCHAIN.md A.4).
write_vendored_std_cargo_config() {
  mkdir -p "$1/.cargo"
  cat >"$1/.cargo/config.toml" <<EOF
[source.crates-io]
replace-with = "rust-src-vendor"
[source.rust-src-vendor]
directory = "/usr/src/rustc-1.96.0/library/vendor"
EOF
}
