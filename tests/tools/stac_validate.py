#!/usr/bin/python3
"""Validates a STAC catalogue written by geosweep, offline.

Usage: stac_validate.py SCHEMA FILE.json...

Each FILE is validated against SCHEMA (tests/tools/stac_schema.json, draft-07) with Debian's
python3-jsonschema, and then against the rules of STAC 1.0.0 that a JSON schema cannot say:
  - every extension whose fields a document uses (proj:, raster:, file:) is declared in its
    stac_extensions;
  - every relative href of a link or an asset names a file that exists;
  - an Item's bbox is that of its geometry, and start_datetime <= end_datetime.
Prints one line per problem, naming the file and the field, and exits 1 if there are any.
"""

import json
import os
import sys
import urllib.parse

import jsonschema

PREFIXES = {
    "proj:": "https://stac-extensions.github.io/projection/",
    "raster:": "https://stac-extensions.github.io/raster/",
    "file:": "https://stac-extensions.github.io/file/",
}


def fields_used(node):
    """The keys of `node` and of every object below it."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from fields_used(value)
    elif isinstance(node, list):
        for value in node:
            yield from fields_used(value)


def positions(coordinates):
    """The [x, y] pairs of a GeoJSON coordinates array, at any depth."""
    if coordinates and isinstance(coordinates[0], (int, float)):
        yield coordinates
    else:
        for c in coordinates:
            yield from positions(c)


def check(path, doc, schema):
    problems = []
    # An Item against the item rules, a Collection against the collection's, so that each
    # error names its field rather than "valid under none of oneOf".
    kind = {"Feature": "item", "Collection": "collection"}.get(doc.get("type"))
    if kind is not None:
        schema = {"$ref": f"#/definitions/{kind}", "definitions": schema["definitions"]}
    validator = jsonschema.Draft7Validator(schema)
    for error in sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.path]):
        where = "/".join(str(p) for p in error.absolute_path) or "(document)"
        problems.append(f"{where}: {error.message}")
    declared = doc.get("stac_extensions", [])
    used = set(fields_used({k: v for k, v in doc.items() if k != "links"}))
    for prefix, url in PREFIXES.items():
        if any(f.startswith(prefix) for f in used) and not any(
            d.startswith(url) for d in declared
        ):
            problems.append(f"stac_extensions: {prefix} fields used but {url}... not declared")
    base = os.path.dirname(os.path.abspath(path))
    refs = [("links", i, link.get("href", "")) for i, link in enumerate(doc.get("links", []))]
    refs += [("assets", k, a.get("href", "")) for k, a in doc.get("assets", {}).items()]
    for kind, key, href in refs:
        if "://" in href or href.startswith("/"):
            continue
        if not os.path.isfile(os.path.join(base, urllib.parse.unquote(href))):
            problems.append(f"{kind}/{key}/href: {href} does not exist")
    if doc.get("type") == "Feature" and isinstance(doc.get("geometry"), dict):
        xy = list(positions(doc["geometry"].get("coordinates", [])))
        if xy:
            bounds = [min(p[0] for p in xy), min(p[1] for p in xy),
                      max(p[0] for p in xy), max(p[1] for p in xy)]
            bbox = doc.get("bbox", [])
            if len(bbox) != 4 or any(abs(a - b) > 1e-9 for a, b in zip(bbox, bounds)):
                problems.append(f"bbox: {bbox} is not the geometry's bounds {bounds}")
        props = doc.get("properties", {})
        start, end = props.get("start_datetime"), props.get("end_datetime")
        if isinstance(start, str) and isinstance(end, str) and start > end:
            problems.append(f"properties/start_datetime: {start} is after end_datetime {end}")
    return problems


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        schema = json.load(f)
    jsonschema.Draft7Validator.check_schema(schema)
    failed = False
    for path in argv[2:]:
        try:
            with open(path) as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            print(f"{path}: {e}")
            failed = True
            continue
        for problem in check(path, doc, schema):
            print(f"{path}: {problem}")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
