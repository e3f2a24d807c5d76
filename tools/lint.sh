#!/usr/bin/env bash
# The form gates over the tracked tree (tools/test.sh runs each as a step):
#   rustfmt     every tracked .rs file is rustfmt's output (rustfmt.toml; the
#               trybuild fixtures under */tests/ui/ are exempt: their expected
#               .stderr files quote line numbers);
#   clippy      `cargo clippy --workspace --all-targets` with -D warnings, over
#               the lints each crate declares in its Cargo.toml;
#   buildifier  every BUILD/.bzl/WORKSPACE/MODULE file is buildifier's output and
#               has no lint warning except the ones listed in BUILDIFIER_WARNINGS.
#
# Usage: tools/lint.sh [--fix] [rustfmt|clippy|buildifier]...   (default: all three)
#   --fix rewrites files with rustfmt and buildifier (and `buildifier -lint=fix`)
#   instead of checking them; clippy has no --fix here (its fixes need reading).
set -uo pipefail
cd "$(dirname "$0")/.."

fix=0
if [ "${1:-}" = "--fix" ]; then
  fix=1
  shift
fi
[ $# -gt 0 ] || set -- rustfmt clippy buildifier

CARGO=$(bash tools/setup.sh which-cargo)
# rustfmt from the same toolchain as cargo: PATH need not have ~/.cargo/bin.
RUSTFMT=$(dirname "$CARGO")/rustfmt
[ -x "$RUSTFMT" ] || RUSTFMT=rustfmt
BUILDIFIER=$(bash tools/setup.sh which-buildifier)

# Lints left off, each for a reason:
#   native-sh-*, native-cc-*, native-java-*: Bazel 4.2.3 (the one Debian has) has
#     no rules_shell/rules_cc/rules_java to load them from; the third_party stubs
#     exist precisely to stand in for those repositories offline.
#   bzl-visibility: platforms/ and docs/ load toolchains/private/*.bzl; the build
#     settings move to a package of their own with the toolchain provider (issue 20).
BUILDIFIER_WARNINGS=-bzl-visibility,-native-sh-binary,-native-sh-test,-native-cc-binary,-native-cc-import,-native-cc-library,-native-cc-objc-library,-native-cc-proto,-native-cc-test,-native-cc-toolchain,-native-cc-toolchain-suite,-native-java-binary,-native-java-import,-native-java-library,-native-java-lite-proto,-native-java-plugin,-native-java-proto,-native-java-runtime,-native-java-test,-native-java-toolchain

rust_files() { git ls-files -z '*.rs' ':!:**/tests/ui/**'; }
starlark_files() { git ls-files -z 'BUILD' '*/BUILD' 'BUILD.bazel' '*.BUILD' '*.bzl' 'WORKSPACE' 'WORKSPACE.bazel' 'MODULE.bazel'; }

gate_rustfmt() {
  if [ "$fix" = 1 ]; then
    rust_files | xargs -0 "$RUSTFMT"
    return
  fi
  local out ok=0
  out=$(mktemp)
  rust_files | xargs -0 "$RUSTFMT" --check >"$out" 2>&1 || ok=1
  if [ "$ok" = 1 ]; then
    sed -n '1,60p' "$out"
    echo "rustfmt: $(grep -c '^Diff in' "$out") hunks differ; run: bash tools/lint.sh --fix rustfmt" >&2
  fi
  rm -f "$out"
  return $ok
}

gate_clippy() {
  # The host tools' flags (tools/setup.sh), so build scripts and proc macros are
  # shared with `cargo build --release`.
  RUSTFLAGS=$(bash tools/setup.sh host-rustflags) \
    "$CARGO" clippy --release --locked --workspace --all-targets --quiet -- -D warnings
}

gate_buildifier() {
  if [ "$fix" = 1 ]; then
    starlark_files | xargs -0 "$BUILDIFIER" -mode=fix -lint=fix --warnings="$BUILDIFIER_WARNINGS"
  elif ! starlark_files | xargs -0 "$BUILDIFIER" -mode=check -lint=warn --warnings="$BUILDIFIER_WARNINGS"; then
    echo "buildifier: run: bash tools/lint.sh --fix buildifier (lint warnings it cannot fix name their rule)" >&2
    return 1
  fi
}

status=0
for gate in "$@"; do
  case $gate in
    rustfmt | clippy | buildifier) "gate_$gate" || status=1 ;;
    *) echo "usage: tools/lint.sh [--fix] [rustfmt|clippy|buildifier]..." >&2; exit 2 ;;
  esac
done
exit $status
