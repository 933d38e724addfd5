#!/usr/bin/python3
"""A STAC API for tests: an HTTP/1.1 server on 127.0.0.1 whose /search answers from a fixed set
of STAC items, as Earth Search or the Planetary Computer would, written from the STAC API
Item Search specification (v1.0.0) without geosweep's code.

Items come from --items FILE... (each an item or an ItemCollection). /search takes POST (a JSON
body) and GET (query parameters) with:

  collections   a list (POST) or comma-separated (GET); items of other collections are left out
  bbox          [west, south, east, north]; west > east crosses the antimeridian; an item is
                kept when its bbox meets it
  datetime      "a/b" (either end may be ".."); an item is kept when properties.datetime is in it
  limit         items per page (default 10)
  filter        CQL2 JSON: {"op": "and", "args": [...]}, or a comparison ("<", "<=", ">", ">=",
                "=") of {"property": NAME} and a number
  query         the query extension: {"eo:cloud_cover": {"lt": 20, "gte": 0, ...}}
  token         the page to answer ("p<offset>"), from a "next" link

Matches are sorted by datetime, then id. A page with more matches after it has a "next" link:
--paging post (default) gives {"method": "POST", "body": {"token": ...}, "merge": true} on
/search; --paging get gives a GET href with every parameter and the token. --repeat-last makes
each page after the first start with the previous page's last item again (an API whose pages
overlap). The first --fail-first requests get --fail-status with "Retry-After:
--retry-after". Any other path is 404.

Assets, for jobs that read what they find (each request logged too, with the body bytes sent):

  --assets DIR        GET and HEAD /assets/<path> serve DIR/<path>, with single byte ranges
                      ("Range: bytes=a-b" or "a-"); an item href starting with
                      http://stac-api.invalid is answered with this server's address instead
  --s3-bucket NAME    GET and HEAD /NAME/<key> serve DIR/<key> as an S3-compatible store
                      addressed by path; --requester-pays answers 403 AccessDenied to a
                      request without "x-amz-request-payer: requester", as a requester-pays
                      bucket does
  --token-seconds N   GET /token/<collection> answers {"token": "se=...&sig=...",
                      "msft:expiry": now + N s} as the Planetary Computer's SAS API does;
                      --require-token answers 403 to an asset request without the sig of a
                      token that has not expired
  --require-header H  every request without header H ("Name: value") is answered 401

Prints "PORT <n>" on its first stdout line once it listens (port 0 asks the kernel for a free
one). Each request is appended to --log as one JSON line {"method": "POST", "path":
"/search", "body": {...} or null, "status": 200, "returned": 2}. Stop it with SIGTERM.
"""

import argparse
import json
import os
import secrets
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit


def load_items(files):
    items = []
    for name in files:
        with open(name, encoding="utf-8") as f:
            doc = json.load(f)
        items.extend(doc["features"] if doc.get("type") == "FeatureCollection" else [doc])
    return items


def parse_time(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def meets(a, b):
    """Whether two [w, s, e, n] boxes share a point; either may cross the antimeridian."""
    if a[1] > b[3] or b[1] > a[3]:
        return False

    def spans(box):  # longitude intervals
        return [(box[0], 180.0), (-180.0, box[2])] if box[0] > box[2] else [(box[0], box[2])]

    return any(x0 <= y1 and y0 <= x1 for x0, x1 in spans(a) for y0, y1 in spans(b))


def compare(op, value, number):
    return {"<": value < number, "<=": value <= number, ">": value > number,
            ">=": value >= number, "=": value == number}[op]


def cql2(expr, item):
    op = expr["op"]
    if op == "and":
        return all(cql2(e, item) for e in expr["args"])
    if op == "or":
        return any(cql2(e, item) for e in expr["args"])
    prop, number = expr["args"]
    value = item["properties"].get(prop["property"])
    return value is not None and compare(op, value, number)


QUERY_OPS = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">=", "eq": "="}


def matches(item, search):
    if search.get("collections") and item.get("collection") not in search["collections"]:
        return False
    if search.get("bbox") and not meets(item["bbox"], search["bbox"]):
        return False
    if search.get("datetime"):
        first, _, last = search["datetime"].partition("/")
        when = parse_time(item["properties"]["datetime"])
        if first not in ("", "..") and when < parse_time(first):
            return False
        if last and last != ".." and when > parse_time(last):
            return False
    if search.get("filter") and not cql2(search["filter"], item):
        return False
    for prop, ops in (search.get("query") or {}).items():
        value = item["properties"].get(prop)
        for op, number in ops.items():
            if value is None or not compare(QUERY_OPS[op], value, number):
                return False
    return True


def from_query_string(query):
    q = {k: v[0] for k, v in parse_qs(query).items()}
    search = {}
    if "collections" in q:
        search["collections"] = q["collections"].split(",")
    if "bbox" in q:
        search["bbox"] = [float(v) for v in q["bbox"].split(",")]
    for key in ("datetime", "token"):
        if key in q:
            search[key] = q[key]
    if "limit" in q:
        search["limit"] = int(q["limit"])
    for key in ("filter", "query"):
        if key in q:
            search[key] = json.loads(q[key])
    return search, q


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", nargs="+", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--paging", choices=["post", "get"], default="post")
    parser.add_argument("--repeat-last", action="store_true")
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--fail-status", type=int, default=503)
    parser.add_argument("--retry-after", type=int, default=1)
    parser.add_argument("--assets")
    parser.add_argument("--s3-bucket")
    parser.add_argument("--requester-pays", action="store_true")
    parser.add_argument("--token-seconds", type=int, default=0)
    parser.add_argument("--require-token", action="store_true")
    parser.add_argument("--require-header")
    args = parser.parse_args()
    tokens = {}  # sig -> expiry (seconds since the epoch)
    items = sorted(load_items(args.items), key=lambda i: (i["properties"]["datetime"], i["id"]))
    lock = threading.Lock()
    counter = {"next": 0}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *log_args):  # quiet: tests read --log
            pass

        def reply(self, status, doc, headers=()):
            body = json.dumps(doc).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/geo+json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def route(self):
            url = urlsplit(self.path)
            if args.require_header:
                name, _, value = args.require_header.partition(":")
                if self.headers.get(name.strip()) != value.strip():
                    self.log({"method": self.command, "path": url.path, "status": 401})
                    return self.reply(401, {"code": "Unauthorized"})
            if args.token_seconds and url.path.startswith("/token/"):
                return self.handle_token(url)
            if args.assets and url.path.startswith("/assets/"):
                return self.handle_asset(url, url.path[len("/assets/"):])
            if args.assets and args.s3_bucket and url.path.startswith("/%s/" % args.s3_bucket):
                return self.handle_asset(url, url.path[len(args.s3_bucket) + 2:], s3=True)
            return self.handle_search()

        def handle_token(self, url):
            expiry = time.time() + args.token_seconds
            sig = secrets.token_hex(8)
            with lock:
                tokens[sig] = expiry
            when = datetime.fromtimestamp(expiry, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            self.log({"method": self.command, "path": url.path, "status": 200})
            self.reply(200, {"msft:expiry": when, "token": "se=%d&sig=%s" % (expiry, sig)})

        def handle_asset(self, url, relative, s3=False):
            entry = {"method": self.command, "path": url.path, "status": 200, "bytes": 0,
                     "token": "sig=" in url.query,
                     "payer": self.headers.get("x-amz-request-payer"),
                     "auth": (self.headers.get("Authorization") or "").split(" ")[0] or None,
                     "range": self.headers.get("Range")}
            file = os.path.realpath(os.path.join(args.assets, relative))
            denied = None
            if s3 and args.requester_pays and entry["payer"] != "requester":
                denied = "requester pays"
            if args.require_token:
                sig = parse_qs(url.query).get("sig", [""])[0]
                with lock:
                    valid = tokens.get(sig, 0) > time.time()
                if not valid:
                    denied = "no valid token"
            if denied:
                entry["status"] = 403
                self.log(entry)
                body = ("<Error><Code>AccessDenied</Code><Message>%s</Message></Error>"
                        % denied).encode()
                self.send_response(403)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)
                return None
            if not file.startswith(os.path.realpath(args.assets) + os.sep) or \
                    not os.path.isfile(file):
                entry["status"] = 404
                self.log(entry)
                return self.reply(404, {"code": "NotFound"})
            size = os.path.getsize(file)
            first, last = 0, size - 1
            ranged = self.headers.get("Range", "").startswith("bytes=")
            if ranged:
                a, _, b = self.headers["Range"][6:].partition("-")
                first, last = int(a), min(int(b) if b else size - 1, size - 1)
            length = max(0, last - first + 1)
            self.send_response(206 if ranged else 200)
            self.send_header("Content-Type", "image/tiff")
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Last-Modified", self.date_time_string(int(os.path.getmtime(file))))
            if ranged:
                self.send_header("Content-Range", "bytes %d-%d/%d" % (first, last, size))
            self.send_header("Content-Length", str(length if ranged else size))
            self.end_headers()
            if self.command != "HEAD":
                with open(file, "rb") as f:
                    f.seek(first)
                    data = f.read(length)
                self.wfile.write(data)
                entry["bytes"] = len(data)
            entry["status"] = 206 if ranged else 200
            self.log(entry)
            return None

        def handle_search(self):
            with lock:
                index = counter["next"]
                counter["next"] += 1
            url = urlsplit(self.path)
            body = None
            if self.command == "POST":
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                search, query = body, None
            else:
                search, query = from_query_string(url.query)
            entry = {"index": index, "method": self.command, "path": url.path, "body": body,
                     "query": url.query, "status": 200, "returned": 0}
            if url.path != "/search":
                entry["status"] = 404
                self.log(entry)
                return self.reply(404, {"code": "NotFound", "description": url.path})
            if index < args.fail_first:
                entry["status"] = args.fail_status
                self.log(entry)
                return self.reply(args.fail_status, {"code": "Busy"},
                                  [("Retry-After", str(args.retry_after))])
            found = [i for i in items if matches(i, search)]
            limit = int(search.get("limit", 10))
            offset = int(search.get("token", "p0")[1:])
            start = offset - 1 if args.repeat_last and offset > 0 else offset
            page = found[start:offset + limit]
            links = []
            if offset + limit < len(found):
                token = "p%d" % (offset + limit)
                base = "http://%s:%d/search" % self.server.server_address
                if args.paging == "post":
                    links.append({"rel": "next", "href": base, "method": "POST",
                                  "body": {"token": token}, "merge": True})
                else:
                    params = dict(query or {})
                    params["token"] = token
                    links.append({"rel": "next", "href": base + "?" + urlencode(params),
                                  "method": "GET"})
            entry["returned"] = len(page)
            self.log(entry)
            root = "http://%s:%d" % self.server.server_address
            page = json.loads(json.dumps(page).replace("http://stac-api.invalid", root))
            self.reply(200, {"type": "FeatureCollection", "features": page, "links": links,
                             "numberMatched": len(found), "numberReturned": len(page)})

        def log(self, entry):
            with lock:
                with open(args.log, "a", encoding="utf-8") as log:
                    log.write(json.dumps(entry) + "\n")

        do_GET = do_POST = do_HEAD = route

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
