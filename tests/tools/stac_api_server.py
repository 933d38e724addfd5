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

Prints "PORT <n>" on its first stdout line once it listens (port 0 asks the kernel for a free
one). Each request is appended to --log as one JSON line {"method": "POST", "path":
"/search", "body": {...} or null, "status": 200, "returned": 2}. Stop it with SIGTERM.
"""

import argparse
import json
import sys
import threading
from datetime import datetime, timezone
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
    args = parser.parse_args()
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
            self.wfile.write(body)

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
            self.reply(200, {"type": "FeatureCollection", "features": page, "links": links,
                             "numberMatched": len(found), "numberReturned": len(page)})

        def log(self, entry):
            with lock:
                with open(args.log, "a", encoding="utf-8") as log:
                    log.write(json.dumps(entry) + "\n")

        do_GET = do_POST = handle_search

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
