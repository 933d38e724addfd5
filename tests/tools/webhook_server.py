#!/usr/bin/python3
"""A webhook receiver for tests: an HTTP server on 127.0.0.1 that records every request.

Prints "PORT <n>" on its first stdout line once it listens (port 0 asks the kernel for a free
one), then answers each request, of any method and path, in arrival order (numbered from 0):

  number < --hang-first              waits --hang-seconds, then answers 503 (the client has
                                     usually given up by then)
  next --fail-first requests         answer --fail-status (default 500), with a Retry-After
                                     header when --retry-after is given
  every later request                answers 200 {"ok": true}

Every answer (after any hang) waits --delay-seconds first: a slow but healthy receiver.
A failure's body is "simulated failure of request N", or --fail-body with {authorization},
{header:NAME}, {path} and {headers} replaced by the request's Authorization header, its header
NAME, its path and its headers as JSON (a gateway that echoes the request, as some do in their
error pages). --location adds a Location
header to failures (for redirects).

Each request is recorded, before it is answered, as RECORD/NNNN.json (written to a temporary
name and renamed, so a reader never sees half a file):
  {"index": 0, "method": "POST", "path": "/hook", "headers": {"content-type": "..."},
   "body": "...", "status": 500}
Header names are lower-case. Stop it with SIGTERM.

With --tls-cert CERT --tls-key KEY (PEM files) it speaks HTTPS instead of HTTP: each accepted
connection is wrapped in TLS with that certificate. A client that gives up during the handshake
(it does not trust the certificate) leaves no record.
"""

import argparse
import json
import os
import re
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", required=True, help="folder for the recorded requests")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--fail-status", type=int, default=500)
    parser.add_argument("--retry-after", type=int, default=None)
    parser.add_argument("--hang-first", type=int, default=0)
    parser.add_argument("--hang-seconds", type=float, default=0.0)
    parser.add_argument("--delay-seconds", type=float, default=0.0,
                        help="wait this long before every answer")
    parser.add_argument("--fail-body", default=None,
                        help="body of failures: {authorization}, {path}, {headers} replaced")
    parser.add_argument("--location", default=None, help="Location header of failures")
    parser.add_argument("--tls-cert", default=None, help="PEM certificate: serve HTTPS")
    parser.add_argument("--tls-key", default=None, help="PEM private key of --tls-cert")
    args = parser.parse_args()
    if (args.tls_cert is None) != (args.tls_key is None):
        parser.error("--tls-cert and --tls-key go together")
    os.makedirs(args.record, exist_ok=True)

    lock = threading.Lock()
    counter = {"next": 0}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *log_args):  # quiet: tests read the records
            pass

        def handle_any(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
            with lock:
                index = counter["next"]
                counter["next"] += 1
            hang = index < args.hang_first
            if hang:
                status = 503
            elif index < args.hang_first + args.fail_first:
                status = args.fail_status
            else:
                status = 200
            record = {
                "index": index,
                "method": self.command,
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body.decode("utf-8", "replace"),
                "status": status,
            }
            final = os.path.join(args.record, "%04d.json" % index)
            with open(final + ".tmp", "w", encoding="utf-8") as out:
                json.dump(record, out, indent=1)
            os.replace(final + ".tmp", final)
            if hang:
                time.sleep(args.hang_seconds)
            if args.delay_seconds > 0:
                time.sleep(args.delay_seconds)
            if status < 300:
                answer = b'{"ok": true}'
            elif args.fail_body is not None:
                answer = re.sub(r"\{header:([A-Za-z0-9-]+)\}",
                                lambda m: self.headers.get(m.group(1)) or "",
                                args.fail_body
                                .replace("{authorization}", self.headers.get("Authorization") or "")
                                .replace("{path}", self.path)
                                .replace("{headers}", json.dumps(record["headers"]))).encode()
            else:
                answer = ("simulated failure of request %d" % index).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type",
                                 "application/json" if status < 300 else "text/plain")
                self.send_header("Content-Length", str(len(answer)))
                self.send_header("Connection", "close")
                if status >= 300 and args.retry_after is not None:
                    self.send_header("Retry-After", str(args.retry_after))
                if status >= 300 and args.location is not None:
                    self.send_header("Location", args.location)
                self.end_headers()
                self.wfile.write(answer)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout)
            self.close_connection = True

        do_POST = do_GET = do_PUT = do_PATCH = do_DELETE = handle_any

    tls_context = None
    if args.tls_cert:
        tls_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls_context.load_cert_chain(args.tls_cert, args.tls_key)

    class Server(ThreadingHTTPServer):
        def finish_request(self, request, client_address):
            if tls_context is None:
                return super().finish_request(request, client_address)
            # The handshake runs here, in the connection's own thread, so a client that stalls
            # or gives up does not hold up the others.
            request.settimeout(10)
            tls = tls_context.wrap_socket(request, server_side=True)  # takes over the socket
            try:
                tls.settimeout(None)
                super().finish_request(tls, client_address)
            finally:
                self.shutdown_request(tls)

        def handle_error(self, request, client_address):
            if tls_context is not None and isinstance(sys.exc_info()[1], OSError):
                return  # a failed handshake (ssl.SSLError) or a dropped connection
            super().handle_error(request, client_address)

    server = Server(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
