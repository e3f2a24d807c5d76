#!/usr/bin/env bash
# Remote execution against a real REAPI engine: Bazel's own RemoteWorker
# (src/tools/remote of Bazel 4.2.3), compiled from Debian's
# bazel-bootstrap-source package against the jar Debian's Bazel ships, and
# started on 127.0.0.1. The worker runs each action in its own directory from
# the inputs Bazel uploaded, outside any sandbox of ours, so a build that
# passes proves every tool and input is declared.
#  1. //app:component --config=release, every action executed remotely
#     (Bazel's own process summary), outputs byte-identical to a local build;
#  2. from a second output base, every action is a remote cache hit.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

D=$SCRATCH/rexec
SOURCE_PKG=bazel-bootstrap-source=4.2.3+ds-9
rm -rf "$D/work" "$D/cas" "$D/root-"* && mkdir -p "$D/work" "$D/cas"

# The worker is a pinned dependency like the compiler: built from the package,
# never copied into this repository.
if [ ! -f "$D/remote-worker.jar" ]; then
  (cd "$D" && rm -rf src java classes && apt-get download "$SOURCE_PKG" >apt.log 2>&1 && dpkg-deb -x bazel-bootstrap-source_*.deb src \
    && cp -r src/usr/src/bazel-bootstrap/src/tools/remote/src/main/java java \
    && sed -i 's|NettyServerBuilder.forPort(workerOptions.listenPort)|NettyServerBuilder.forAddress(new java.net.InetSocketAddress("127.0.0.1", workerOptions.listenPort))|' \
         java/com/google/devtools/build/remote/worker/RemoteWorker.java \
    && grep -q 'InetSocketAddress("127.0.0.1"' java/com/google/devtools/build/remote/worker/RemoteWorker.java \
    && mkdir -p classes && javac -nowarn -encoding UTF-8 -cp /usr/share/bazel/A-server.jar -d classes $(find java -name '*.java') 2>/dev/null \
    && jar cf remote-worker.jar -C classes .) \
    || { fail remote_worker_build "could not build Bazel's RemoteWorker from $SOURCE_PKG"; finish; exit 1; }
fi

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
: >"$D/worker.pid"
java -Xmx1g -cp "$D/remote-worker.jar:/usr/share/bazel/A-server.jar" com.google.devtools.build.remote.worker.RemoteWorker \
  --listen_port="$PORT" --work_path="$D/work" --cas_path="$D/cas" --pid_file="$D/worker.pid" >"$D/worker.log" 2>&1 &
WORKER=$!
trap 'kill $WORKER 2>/dev/null' EXIT
for _ in $(seq 60); do [ -s "$D/worker.pid" ] && break; sleep 0.5; done
[ -s "$D/worker.pid" ] || { fail remote_worker_start "the worker did not start" "$(tail -20 "$D/worker.log")"; finish; exit 1; }

A=$D/checkout/wasmrust
fresh_copy "$A"
REXEC=(--config=rexec --remote_executor="grpc://127.0.0.1:$PORT")
out_dir() { bazel_in "$A" "$1" info output_path 2>/dev/null; }

if ! bazel_in "$A" "$D/root-local" build //app:component --config=release >"$D/local.log" 2>&1; then
  fail remote_execution_local_reference "local build failed" "$(tail -20 "$D/local.log")"
else
  app_digests "$(out_dir "$D/root-local")" >"$D/local.sha256"
fi

if ! bazel_in "$A" "$D/root-remote" build //app:component --config=release "${REXEC[@]}" >"$D/remote.log" 2>&1; then
  fail remote_execution_all_actions "remote build failed" "$(tail -30 "$D/remote.log")"
else
  summary=$(processes "$D/remote.log")
  remote=$(echo "$summary" | grep -oE '[0-9]+ remote(,|$)' | grep -oE '^[0-9]+' || echo 0)
  app_digests "$(out_dir "$D/root-remote")" >"$D/remote.sha256"
  if echo "$summary" | grep -qE 'linux-sandbox|local|processwrapper'; then
    fail remote_execution_all_actions "some actions ran locally: $summary"
  elif [ "$remote" -lt 20 ]; then
    fail remote_execution_all_actions "only $remote actions ran remotely: $summary"
  elif ! diff "$D/local.sha256" "$D/remote.sha256"; then
    fail remote_execution_all_actions "remote outputs differ from the local build's"
  else
    pass "remote_execution_all_actions ($summary; $(wc -l <"$D/remote.sha256") outputs identical to local; wall $(elapsed "$D/remote.log"))"
  fi
fi

if ! bazel_in "$A" "$D/root-remote2" build //app:component --config=release "${REXEC[@]}" >"$D/remote2.log" 2>&1; then
  fail remote_execution_cache_hits "second remote build failed" "$(tail -20 "$D/remote2.log")"
else
  summary=$(processes "$D/remote2.log")
  if echo "$summary" | grep -qE '[0-9]+ remote(,|$)|linux-sandbox|local'; then
    fail remote_execution_cache_hits "actions executed again: $summary"
  else
    pass "remote_execution_cache_hits ($summary; wall $(elapsed "$D/remote2.log"))"
  fi
fi

for r in local remote remote2; do stop_bazel "$A" "$D/root-$r"; done
finish
