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

# app_digests BAZEL_OUT: "sha256  bin/..." for every .wasm under app/ and
# tests/crates/, every sysroot .rlib and every third-party crate's .rlib/.so,
# config dir stripped.
app_digests() {
  (cd "$1" && find . \( -path '*/bin/app/*' -o -path '*/bin/tests/crates/*' -o -path '*/bin/external/crates/*' -o -path '*/bin/toolchains/*' \) \
    \( -name '*.wasm' -o -name '*.rlib' -o -name '*.so' \) -type f -print0 | sort -z | xargs -0 sha256sum | sed -E 's#\./[^/]+/bin/#bin/#')
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# port_open PORT: something accepts TCP connections on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_until SECONDS COMMAND...: poll COMMAND every 0.5 s until it succeeds.
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -ge "$deadline" ] && return 1
    sleep 0.5
  done
}

# cache_hits LOG: N of "N remote cache hit" in Bazel's process summary (0 if none).
cache_hits() { processes "$1" | grep -oE '[0-9]+ remote cache hit' | grep -oE '^[0-9]+' || echo 0; }

# ran_locally LOG: true if Bazel's summary counts any action executed on this machine.
ran_locally() { processes "$1" | grep -qE 'sandbox|local|processwrapper|worker'; }

# expect_all_hits NAME LOG_COLD LOG_CACHED OUT_COLD OUT_CACHED: the cached build
# executed nothing (every action a remote cache hit, at least 20) and its
# outputs equal the cold build's. Prints both wall times.
expect_all_hits() {
  local name=$1 cold=$2 cached=$3 out_cold=$4 out_cached=$5 summary hits
  summary=$(processes "$cached")
  hits=$(cache_hits "$cached")
  if ran_locally "$cached"; then
    fail "$name" "some actions ran locally: $summary"
  elif [ "$hits" -lt 20 ]; then
    fail "$name" "only $hits remote cache hits: $summary"
  elif ! diff <(app_digests "$out_cold") <(app_digests "$out_cached") >/dev/null; then
    fail "$name" "outputs differ"
  else
    pass "$name ($summary; $(app_digests "$out_cached" | wc -l) outputs identical; wall: cold $(elapsed "$cold"), cached $(elapsed "$cached"))"
  fi
}

# start_nginx_cache DIR PORT: nginx with WebDAV PUT on 127.0.0.1:PORT storing
# under DIR/store, access log DIR/access.log (method, status, path per line).
# stop_nginx_cache DIR stops it.
start_nginx_cache() {
  local d=$1 port=$2
  mkdir -p "$d/store" "$d/tmp"
  cat >"$d/nginx.conf" <<CONF
daemon on; user nobody nogroup; pid $d/nginx.pid; error_log $d/error.log; worker_processes 1;
events { worker_connections 256; }
http {
  log_format cache '\$request_method \$status \$uri';
  access_log $d/access.log cache; client_body_temp_path $d/tmp;
  server {
    listen 127.0.0.1:$port;
    location / { root $d/store; dav_methods PUT; create_full_put_path on;
                 dav_access user:rw group:r all:r; client_max_body_size 1g; }
  }
}
CONF
  # nginx's worker runs as nobody: a root-owned store gives HTTP 500 on PUT.
  chown -R nobody:nogroup "$d/store" "$d/tmp"
  nginx -c "$d/nginx.conf" -e "$d/error.log"
}
stop_nginx_cache() { nginx -c "$1/nginx.conf" -s stop 2>/dev/null || true; }

# ac_puts ACCESS_LOG [FROM_LINE]: "COUNT /ac/KEY" for every successful
# PUT of an action-cache entry from line FROM_LINE (1 if not given) on.
ac_puts() { tail -n +"${2:-1}" "$1" | awk '$1 == "PUT" && $2 ~ /^2/ && $3 ~ /^\/ac\// { print $3 }' | sort | uniq -c; }

finish() {
  echo
  echo "$(basename "$0" .sh): $PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}
