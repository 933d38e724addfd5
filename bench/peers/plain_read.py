#!/usr/bin/python3
"""The peer benchmark's reference: read pixels with GDAL and do nothing with them.

PLAN.json (written by read_plan.py) lists tasks, each a pixel window and the band files to
read it from: `{"tasks": [{"window": [x, y, width, height], "files": [...]}, ...]}`. THREADS
threads take the tasks in turn, each with its own GDAL datasets (GDAL's Python bindings
release the GIL while reading), and decode every window of every file once, as geosweep's
reader threads do, computing nothing. Prints one JSON line: tasks, windows read, pixels and
decoded bytes.

Usage: plain_read.py PLAN.json --threads N
"""

import argparse
import json
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

from osgeo import gdal

gdal.UseExceptions()


class Reader:
    """Per-thread open datasets, so that no two threads share one."""

    def __init__(self):
        self._local = threading.local()

    def band(self, path):
        cache = getattr(self._local, "datasets", None)
        if cache is None:
            cache = self._local.datasets = {}
        if path not in cache:
            cache[path] = gdal.Open(path)
        return cache[path].GetRasterBand(1)

    def read_task(self, task):
        """Decodes the task's window of each of its files; returns (windows, pixels, bytes)."""
        x, y, width, height = task["window"]
        decoded = 0
        for path in task["files"]:
            decoded += len(self.band(path).ReadRaster(x, y, width, height))
        files = len(task["files"])
        return files, files * width * height, decoded


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("plan", help="JSON read plan")
    parser.add_argument("--threads", type=int, required=True, help="reader threads")
    args = parser.parse_args(argv)
    with open(args.plan) as f:
        tasks = json.load(f)["tasks"]
    reader = Reader()
    with ThreadPoolExecutor(max_workers=max(1, args.threads)) as pool:
        results = list(pool.map(reader.read_task, tasks))
    windows, pixels, decoded = (sum(column) for column in zip(*results)) if results else (0, 0, 0)
    print(json.dumps({"tasks": len(tasks), "windows": windows, "pixels": pixels,
                      "bytes": decoded}))


if __name__ == "__main__":
    sys.exit(main())
