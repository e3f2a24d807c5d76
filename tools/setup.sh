#!/usr/bin/env bash
# WasmRust quick start, command 1 (as root on Debian 12; idempotent):
#   1. installs the pinned Debian packages (versions from toolchains/toolchain.lock.json
#      plus Bazel's), running apt-get only when something is missing or different,
#      and BuildGrid (PyPI, tools/buildgrid-requirements.txt) into its own venv for the tests,
#      buildifier (npm registry, sha256-pinned) and rustfmt/clippy for tools/lint.sh;
#   2. builds the host tools from this repository's Cargo workspace (--locked) and
#      installs them in compiler/bin/, where Bazel actions take them as inputs;
#   3. runs `bazel build //app:component --config=release` and prints the output's
#      path, size and sha256.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

log() { printf '\n==> %s\n' "$*" >&2; }

# Pinned packages: everything in the toolchain lock, plus the build tools
# (cargo-web: Debian's cargo of the same release as rustc-web, with which
# @crates vendors and plans third-party crates; it compiles nothing).
TOOLS_PACKAGES="bazel-bootstrap=4.2.3+ds-9 bazel-platforms=0.0.2-2 cargo-web=1.96.0+dfsg1-1~deb12u2 python3 git ca-certificates gcc"
# What the tests start or run (not pinned: they check the build, they are not part of it;
# Debian's security updates move chromium forward), except python3-venv: BuildGrid's
# venv must get the Python 3.11 its requirements were locked on. wasm_test runs
# browser-profile tests in chromium and node-profile tests in node >= 20 (check_node);
# the audit shifts the actions' clock with faketime.
TEST_PACKAGES="nginx-light bc chromium faketime python3-venv=3.11.2-1+b1"
# BuildGrid (PyPI), the REAPI cache of tests/remote_cache_grpc_test.sh, in its own venv;
# every version, its dependencies' included, is fixed in tools/buildgrid-requirements.txt.
BUILDGRID_VERSION=0.4.4
BUILDGRID_VENV=${WASMRUST_BUILDGRID_VENV:-/opt/wasmrust/buildgrid-venv}
lock_packages() {
  /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join(f"{k}={v}" for k,v in sorted(d["packages"].items())))' \
    toolchains/toolchain.lock.json
}

missing_packages() {
  local spec pkg want have
  for spec in "$@"; do
    pkg=${spec%%=*}
    want=${spec#*=}
    [ "$want" = "$spec" ] && want=""
    have=$(dpkg-query -W -f '${Version}' "$pkg" 2>/dev/null || true)
    if [ -z "$have" ] || { [ -n "$want" ] && [ "$have" != "$want" ]; }; then
      echo "$spec"
    fi
  done
}

install_packages() {
  if [ ! -x /usr/bin/python3 ]; then
    log "installing python3 (reads the toolchain lock)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 >/dev/null
  fi
  # shellcheck disable=SC2046
  local want missing
  want="$(lock_packages) $TOOLS_PACKAGES $TEST_PACKAGES $*"
  # shellcheck disable=SC2086
  missing=$(missing_packages $want)
  if [ -n "$missing" ]; then
    log "installing pinned packages: $(echo $missing)"
    apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends --allow-downgrades $missing >/dev/null
  else
    log "pinned packages already installed"
  fi
}

# The node profile's runtime: node 20 or newer (this machine image ships it;
# Debian 12's own nodejs is 18, which lacks parts of node:wasi the runner uses).
check_node() {
  local major
  if ! command -v node >/dev/null; then
    log "installing nodejs"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs >/dev/null
  fi
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -lt 20 ]; then
    echo "error: node $(node --version 2>/dev/null) is too old for the node profile's tests; install node 20 or newer (e.g. from NodeSource) and rerun" >&2
    exit 1
  fi
}

install_buildgrid() {
  local have
  have=$("$BUILDGRID_VENV/bin/pip" show buildgrid 2>/dev/null | sed -n 's/^Version: //p' || true)
  if [ "$have" = "$BUILDGRID_VERSION" ] \
     && "$BUILDGRID_VENV/bin/pip" freeze 2>/dev/null | cmp -s - <(grep -v '^#' tools/buildgrid-requirements.txt); then
    log "BuildGrid $BUILDGRID_VERSION already installed in $BUILDGRID_VENV"
    return
  fi
  log "installing BuildGrid $BUILDGRID_VERSION into $BUILDGRID_VENV (pip, tools/buildgrid-requirements.txt)"
  grep -qx "buildgrid==$BUILDGRID_VERSION" tools/buildgrid-requirements.txt \
    || { echo "error: tools/buildgrid-requirements.txt does not pin buildgrid==$BUILDGRID_VERSION" >&2; exit 1; }
  rm -rf "$BUILDGRID_VENV"
  /usr/bin/python3 -m venv "$BUILDGRID_VENV"
  "$BUILDGRID_VENV/bin/pip" install --quiet --disable-pip-version-check --no-cache-dir \
    -r tools/buildgrid-requirements.txt
  "$BUILDGRID_VENV/bin/bgd" --help >/dev/null
}

# buildifier, the Starlark formatter and linter tools/lint.sh runs. Debian 12 has no
# package for it; the npm registry's @bazel/buildifier tarball carries the upstream
# release binaries, so it is fetched from there, its sha256 checked before it is
# unpacked, and the binary's sha256 checked again.
BUILDIFIER_VERSION=8.2.1
BUILDIFIER_TGZ_SHA256=b96ea9b13003036c801f52bee6f9b0314738f8432e5cb9d814c89f59292604ee
BUILDIFIER_SHA256=6ceb7b0ab7cf66fceccc56a027d21d9cc557a7f34af37d2101edb56b92fcfa1a
BUILDIFIER=${WASMRUST_BUILDIFIER:-/opt/wasmrust/buildifier-$BUILDIFIER_VERSION/buildifier}
install_buildifier() {
  if [ -x "$BUILDIFIER" ] && echo "$BUILDIFIER_SHA256  $BUILDIFIER" | sha256sum -c --status; then
    log "buildifier $BUILDIFIER_VERSION already installed ($BUILDIFIER)"
    return
  fi
  log "installing buildifier $BUILDIFIER_VERSION (npm registry, sha256-checked) into $(dirname "$BUILDIFIER")"
  local tmp
  tmp=$(mktemp -d)
  /usr/bin/python3 - "https://registry.npmjs.org/@bazel/buildifier/-/buildifier-$BUILDIFIER_VERSION.tgz" "$tmp/b.tgz" "$BUILDIFIER_TGZ_SHA256" <<'PY'
import hashlib, sys, urllib.request
url, dest, want = sys.argv[1:]
data = urllib.request.urlopen(url, timeout=120).read()
have = hashlib.sha256(data).hexdigest()
if have != want:
    sys.exit(f"error: {url} has sha256 {have}, tools/setup.sh pins {want}; nothing was installed")
open(dest, "wb").write(data)
PY
  tar -xzf "$tmp/b.tgz" -C "$tmp" package/buildifier-linux_amd64
  echo "$BUILDIFIER_SHA256  $tmp/package/buildifier-linux_amd64" | sha256sum -c --status \
    || { echo "error: buildifier-linux_amd64 in the pinned tarball does not match BUILDIFIER_SHA256 (tools/setup.sh)" >&2; exit 1; }
  install -D -m 0755 "$tmp/package/buildifier-linux_amd64" "$BUILDIFIER"
  rm -rf "$tmp"
}

# rustfmt and clippy, the Rust gates of tools/lint.sh, from the same rustup toolchain.
check_rust_components() {
  local cargo
  cargo=$(find_cargo)
  if ! "$cargo" fmt --version >/dev/null 2>&1 || ! "$cargo" clippy --version >/dev/null 2>&1; then
    if command -v rustup >/dev/null; then
      log "installing rustfmt and clippy (rustup component add)"
      rustup component add rustfmt clippy
    else
      echo "error: $cargo has no rustfmt or clippy; install them (rustup component add rustfmt clippy) and rerun" >&2
      exit 1
    fi
  fi
}

find_cargo() {
  # Host tools build with the machine's stable Rust (rustup); the wasm toolchain is Debian's.
  for c in "${CARGO:-}" "${HOME:-/root}/.cargo/bin/cargo" /root/.cargo/bin/cargo /usr/local/cargo/bin/cargo "$(command -v cargo || true)"; do
    if [ -n "$c" ] && [ -x "$c" ]; then echo "$c"; return; fi
  done
  echo "error: no cargo found for the host tools; install Rust with rustup (stable >= 1.95) or set CARGO" >&2
  exit 1
}

# rustc flags for the host tools: build-script outputs (OUT_DIR, under target/)
# are include!d by some crates (cranelift), so without this the checkout's path
# ends up in wasmrust-run's panic messages and the tools differ per checkout.
# tools/test.sh uses the same flags, so `cargo test` reuses this build.
host_rustflags() { echo "--remap-path-prefix=$ROOT=/wasmrust"; }

build_host_tools() {
  local cargo
  cargo=$(find_cargo)
  export RUSTFLAGS
  RUSTFLAGS=$(host_rustflags)
  log "building host tools (cargo build --release --locked, RUSTFLAGS=$RUSTFLAGS)"
  # --workspace --all-targets: the same feature resolution `cargo test` uses,
  # so tools/test.sh reuses this build instead of compiling wasmtime again.
  "$cargo" build --release --locked --workspace --all-targets
  for tool in wasmrust wasmrust-run; do
    if ! cmp -s "target/release/$tool" "compiler/bin/$tool"; then
      install -m 0755 "target/release/$tool" "compiler/bin/$tool"
    fi
  done
}

build_app() {
  log "bazel build //app:component --config=release"
  local out
  out=$(bazel build //app:component --config=release 2>&1 | tee /dev/stderr | grep -o 'bazel-out/[^ ]*/app/component.wasm' | tail -1)
  if [ -z "$out" ] || [ ! -f "$out" ]; then
    echo "error: the build did not report bazel-out/.../app/component.wasm" >&2
    exit 1
  fi
  printf '\ncomponent: %s\nbytes:     %s\nsha256:    %s\n' "$out" "$(stat -c %s "$out")" "$(sha256sum "$out" | cut -d' ' -f1)"
}

case "${1:-all}" in
  packages) shift; install_packages "$@"; check_node; install_buildgrid; install_buildifier ;;
  tools) build_host_tools ;;
  which-cargo) find_cargo ;;
  which-buildifier) echo "$BUILDIFIER" ;;
  host-rustflags) host_rustflags ;;
  all)
    t0=$SECONDS; install_packages; check_node; install_buildgrid; install_buildifier; check_rust_components; t1=$SECONDS; build_host_tools; t2=$SECONDS; build_app
    printf 'setup: packages %ss, host tools %ss, component %ss\n' $((t1 - t0)) $((t2 - t1)) $((SECONDS - t2))
    ;;
  *) echo "usage: tools/setup.sh [all|packages [EXTRA_PKG...]|tools|which-cargo|which-buildifier|host-rustflags]" >&2; exit 2 ;;
esac
