#!/usr/bin/python3
"""A remote scene archive for tests: an HTTP/1.1 server on 127.0.0.1 that serves a folder with
the range requests GDAL's /vsicurl/ makes (HEAD, GET with "Range: bytes=a-b"), and can be slow,
fail or stall like a real archive on a bad day.

Prints "PORT <n>" on its first stdout line once it listens (port 0 asks the kernel for a free
one). Then, for each request in arrival order (numbered from 0):

  number >= --stall-from  accepts the connection, reads the request and never answers (the
                          connection stays open until the client gives up); 0: every request
  number < --fail-first   answers --fail-status (default 503)
  otherwise               serves the file: 200 (whole file, or HEAD), 206 (a range), 404

Every answer waits --delay-seconds first: a slow but healthy archive. Each request is logged as
one JSON line {"index": 0, "method": "GET", "path": "/a/B04.tif", "range": "bytes=0-16383",
"status": 206} appended to --log (written when the request arrives, status as planned), so a
test can count requests even when it stalls. Stop it with SIGTERM.
"""

import argparse
import json
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True, help="folder to serve")
    parser.add_argument("--log", required=True, help="file the requests are appended to")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--stall-from", type=int, default=-1,
                        help="never answer this request and the later ones")
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--fail-status", type=int, default=503)
    parser.add_argument("--delay-seconds", type=float, default=0.0)
    args = parser.parse_args()
    root = os.path.realpath(args.root)

    lock = threading.Lock()
    counter = {"next": 0}
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *log_args):  # quiet: tests read --log
            pass

        def local_file(self):
            path = os.path.realpath(os.path.join(root, unquote(urlsplit(self.path).path).lstrip("/")))
            if (path == root or path.startswith(root + os.sep)) and os.path.isfile(path):
                return path
            return None

        def plan(self, index):
            if 0 <= args.stall_from <= index:
                return None
            if index < args.fail_first:
                return args.fail_status
            path = self.local_file()
            if path is None:
                return 404
            return 206 if self.headers.get("Range") and self.command == "GET" else 200

        def handle_any(self):
            with lock:
                index = counter["next"]
                counter["next"] += 1
            status = self.plan(index)
            entry = {"index": index, "method": self.command, "path": self.path,
                     "range": self.headers.get("Range"), "status": status}
            with lock:
                with open(args.log, "a", encoding="utf-8") as log:
                    log.write(json.dumps(entry) + "\n")
            if status is None:  # stall: hold the connection open, say nothing
                stop.wait()
                self.close_connection = True
                return
            if args.delay_seconds > 0:
                time.sleep(args.delay_seconds)
            try:
                self.answer(status)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up

        def answer(self, status):
            if status in (200, 206):
                path = self.local_file()
                size = os.path.getsize(path)
                first, last = 0, size - 1
                if status == 206:
                    m = re.match(r"bytes=(\d+)-(\d*)$", self.headers.get("Range", ""))
                    if not m or int(m.group(1)) >= size:
                        self.send_response(416)
                        self.send_header("Content-Range", "bytes */%d" % size)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    first = int(m.group(1))
                    last = min(int(m.group(2)) if m.group(2) else size - 1, size - 1)
                self.send_response(status)
                self.send_header("Content-Type", "image/tiff")
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Length", str(last - first + 1))
                if status == 206:
                    self.send_header("Content-Range", "bytes %d-%d/%d" % (first, last, size))
                self.end_headers()
                if self.command == "GET":
                    with open(path, "rb") as f:
                        f.seek(first)
                        self.wfile.write(f.read(last - first + 1))
                return
            body = ("simulated answer %d" % status).encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body) if self.command == "GET" else 0))
            self.end_headers()
            if self.command == "GET":
                self.wfile.write(body)

        do_GET = do_HEAD = handle_any

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    stop.set()
    return 0


if __name__ == "__main__":
    sys.exit(main())
