# Helpers for WasmRust's workspace-level integration tests (sourced).
# Each test copies the repository's tracked files (as a fresh clone would have
# them, uncommitted edits included) plus the installed host tools into a
# scratch directory and runs real Bazel there with its own output base.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCRATCH=${WASMRUST_TEST_TMP:-/tmp}/wasmrust-tests
mkdir -p "$SCRATCH"
FAILED=0
PASSED=0

# fresh_copy DEST: the tracked tree and compiler/bin's host tools at DEST.
fresh_copy() {
  local dest=$1
  rm -rf "$dest" && mkdir -p "$dest"
  git -C "$ROOT" ls-files -z --cached --others --exclude-standard | (cd "$ROOT" && tar --null -T - -cf -) | tar -xf - -C "$dest"
  cp "$ROOT"/compiler/bin/wasmrust "$ROOT"/compiler/bin/wasmrust-run "$dest/compiler/bin/"
}

# bazel_in DIR OUTPUT_USER_ROOT ARGS...: Bazel in DIR with its own server and output base.
bazel_in() {
  local dir=$1 root=$2
  shift 2
  (cd "$dir" && bazel --output_user_root="$root" "$@")
}

stop_bazel() {
  (cd "$1" && bazel --output_user_root="$2" shutdown) >/dev/null 2>&1 || true
}

pass() { PASSED=$((PASSED + 1)); echo "test $1 ... ok"; }
fail() { FAILED=$((FAILED + 1)); echo "test $1 ... FAILED"; shift; printf '    %s\n' "$@"; }

# expect_contains NAME FILE PATTERN...: every fixed-string PATTERN occurs in FILE.
expect_contains() {
  local name=$1 file=$2
  shift 2
  local p
  for p in "$@"; do
    if ! grep -qF -- "$p" "$file"; then
      fail "$name" "expected output to contain: $p" "--- output (last 30 lines) ---" "$(tail -30 "$file")"
      return 1
    fi
  done
  pass "$name"
}

# processes LOG: Bazel's own process summary ("42 processes: 22 remote cache hit, 20 internal").
processes() { grep -E '^INFO: [0-9]+ process' "$1" | tail -1 | sed 's/^INFO: //; s/\.$//'; }

# elapsed LOG: the build's wall time as Bazel reports it.
elapsed() { grep -oE 'Elapsed time: [0-9.]+s' "$1" | tail -1 | cut -d' ' -f3; }

# app_digests BAZEL_OUT: "sha256  bin/app/..." for every .wasm under app/, config dir stripped.
app_digests() {
  (cd "$1" && find . -path '*/bin/app/*' -name '*.wasm' -type f -print0 | sort -z | xargs -0 sha256sum | sed -E 's#\./[^/]+/bin/#bin/#')
}

finish() {
  echo
  echo "$(basename "$0" .sh): $PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}
