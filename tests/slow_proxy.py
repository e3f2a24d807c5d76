#!/usr/bin/env python3
"""A deliberately slow HTTP cache: forwards every request to a real cache late.

Used by tests/remote_cache_slow_test.sh to put a slow network in front of
nginx. Each request (GET, HEAD or PUT, body included) is read in full, held
for --delay seconds, then forwarded to the upstream cache on 127.0.0.1, and
the upstream's answer is sent back, or dropped if the client has given up
by then. So a PUT that Bazel abandoned on its --remote_timeout still reaches
the cache, as it would on a congested link. Listens on 127.0.0.1 only.
"""

import argparse
import http.client
import http.server
import sys
import time

# Not forwarded: hop-by-hop headers, and Content-Length (recomputed; Bazel's
# netty client sends it in lower case, so keeping it would send it twice and
# nginx answers a duplicate Content-Length with 400).
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "content-length", "expect"}


def read_body(handler):
    """The request body: Content-Length or chunked; b"" if there is none."""
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip(), 16)
            if size == 0:
                handler.rfile.readline()
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
    return handler.rfile.read(int(handler.headers.get("Content-Length", 0)))


def make_handler(upstream_port, delay):
    class SlowHandler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def forward(self):
            body = read_body(self)
            time.sleep(delay)
            conn = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            if self.command == "PUT":
                headers["Content-Length"] = str(len(body))
            conn.request(self.command, self.path, body=body if self.command == "PUT" else None, headers=headers)
            answer = conn.getresponse()
            data = answer.read()
            conn.close()
            try:
                self.send_response(answer.status)
                for k, v in answer.getheaders():
                    if k.lower() not in HOP_BY_HOP and k.lower() not in ("server", "date"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        do_GET = do_HEAD = do_PUT = forward

        def log_message(self, fmt, *args):
            pass

    return SlowHandler


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True, help="port to listen on (127.0.0.1)")
    parser.add_argument("--upstream", type=int, required=True, help="port of the real cache on 127.0.0.1")
    parser.add_argument("--delay", type=float, required=True, help="seconds to hold each request")
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(args.upstream, args.delay))
    server.daemon_threads = True
    print(f"slow proxy on 127.0.0.1:{args.port} -> 127.0.0.1:{args.upstream}, delay {args.delay} s", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
