#!/usr/bin/python3
"""Read plans for plain_read.py: which windows of which band files a plain read decodes.

- whole_files_plan: every pixel of every file, in chunk x chunk windows (the pair case).
- job_plan: the windows geosweep itself reads for a job, so that the plain read does the same
  I/O: the analysis grid over the AOIs, its chunks that touch an AOI, and per chunk and date
  the bands the job needs (its indices' bands, the colour bands when COGs are written, the
  causes' evidence bands when every scene has them) and the SCL quality band. It mirrors pipeline/src/grid/analysis_grid.cpp and aoi.cpp for the case
  the simulator writes: Sentinel-2 L2A scene folders sharing one CRS and pixel size. The
  runner checks the grid and chunk count against what `geosweep run` prints.

Usage (prints a summary): read_plan.py JOB.yaml
"""

import json
import math
import re
import sys
from datetime import date
from pathlib import Path

import yaml
from osgeo import gdal, ogr, osr

gdal.UseExceptions()
ogr.UseExceptions()
osr.UseExceptions()

# Bands of each index (docs/indices.md) and the colour bands of the COGs (cog_exporter.cpp).
INDEX_BANDS = {
    "ndvi": ["nir", "red"], "nbr": ["nir", "swir2"], "nbr2": ["swir1", "swir2"],
    "ndmi": ["nir", "swir1"], "ndwi": ["green", "nir"], "mndwi": ["green", "swir1"],
    "evi": ["nir", "red", "blue"], "savi": ["nir", "red"], "msavi": ["nir", "red"],
    "bsi": ["swir1", "red", "nir", "blue"],
}
COLOUR_BANDS = ["red", "green", "blue", "nir"]
# The causes' evidence (chunk_processor.cpp, evidence_layers: NBR, MNDWI, BSI, red, SWIR2),
# read only when every scene has all of them (run_plan.cpp, plan_causes).
EVIDENCE_BANDS = ["nir", "swir2", "green", "swir1", "red", "blue"]
S2_CODES = {"blue": "B02", "green": "B03", "red": "B04", "nir": "B08", "swir1": "B11",
            "swir2": "B12"}
S2_QUALITY = "SCL"


def whole_files_plan(paths, chunk=512):
    """Every pixel of every file, one task per file and chunk window."""
    tasks = []
    for path in paths:
        ds = gdal.Open(str(path))
        for y in range(0, ds.RasterYSize, chunk):
            for x in range(0, ds.RasterXSize, chunk):
                window = [x, y, min(chunk, ds.RasterXSize - x), min(chunk, ds.RasterYSize - y)]
                tasks.append({"window": window, "files": [str(path)]})
    return {"tasks": tasks}


# --- the scenes of a job ---------------------------------------------------------------------

def date_from_name(name):
    """The first 8-digit token that is a valid YYYYMMDD date, as geosweep reads scene names."""
    for token in re.findall(r"\d+", name):
        if len(token) == 8:
            try:
                return date(int(token[:4]), int(token[4:6]), int(token[6:]))
            except ValueError:
                continue
    return None


def in_period(day, period):
    first, last = (date.fromisoformat(str(d)) for d in period)
    return first <= day <= last


def band_file(folder, code):
    """The scene's file of a band code (archive-style names: B04.tif, ..._B04.tif)."""
    for f in sorted(folder.iterdir()):
        stem = f.stem
        if f.suffix.lower() in (".tif", ".tiff", ".jp2") and (stem == code or
                                                             stem.endswith("_" + code)):
            return f
    return None


def job_scenes(job, job_dir, bands):
    """(date, [files]) of every scene in a period, in date order; files: the bands, then SCL."""
    if job.get("sensor", "sentinel2-l2a") != "sentinel2-l2a" or "dir" not in job["scenes"]:
        raise SystemExit("read_plan: only sentinel2-l2a jobs with scenes.dir are supported")
    periods = [job["period"]["baseline"], job["period"]["monitor"]]
    scenes = []
    for folder in sorted(p for p in (job_dir / job["scenes"]["dir"]).iterdir() if p.is_dir()):
        day = date_from_name(folder.name)
        if day is None or not any(in_period(day, p) for p in periods):
            continue
        files = [band_file(folder, S2_CODES[b]) for b in bands]
        if None in files:
            raise SystemExit(f"read_plan: {folder} lacks one of the bands {bands}")
        quality = band_file(folder, S2_QUALITY)
        scenes.append((day, [str(f) for f in files] + ([str(quality)] if quality else [])))
    scenes.sort(key=lambda s: s[0])
    return scenes


def job_bands(job):
    """The bands geosweep reads for the job (run_plan.cpp: the indices', then colour)."""
    bands = []
    for index in job.get("indices", ["ndvi"]):
        bands += [b for b in INDEX_BANDS[index] if b not in bands]
    if job.get("outputs", {}).get("cog", True):
        bands += [b for b in COLOUR_BANDS if b not in bands]
    return bands


# --- the analysis grid -----------------------------------------------------------------------

def srs_from(definition):
    s = osr.SpatialReference()
    s.SetFromUserInput(definition)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


def aoi_geometry_wgs84(aoi, job_dir):
    """The AOI in lon/lat as geosweep loads it: a densified bbox, or the union of a file's
    polygons reprojected to WGS84."""
    wgs84 = srs_from("EPSG:4326")
    if "bbox" in aoi:
        w, s, e, n = aoi["bbox"]
        ring = ogr.Geometry(ogr.wkbLinearRing)
        for x, y in ((w, s), (e, s), (e, n), (w, n), (w, s)):
            ring.AddPoint_2D(x, y)
        polygon = ogr.Geometry(ogr.wkbPolygon)
        polygon.AddGeometry(ring)
        polygon.Segmentize(min(e - w, n - s) / 64.0)
        return polygon
    ds = ogr.Open(str(job_dir / aoi["geometry"]))
    layer = ds.GetLayer(0)
    layer_srs = layer.GetSpatialRef()
    transform = None
    if layer_srs is not None:
        layer_srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        if not layer_srs.IsSame(wgs84):
            transform = osr.CoordinateTransformation(layer_srs, wgs84)
    merged = ogr.Geometry(ogr.wkbMultiPolygon)
    for feature in layer:
        g = feature.GetGeometryRef().Clone()
        if transform:
            g.Transform(transform)
        parts = [g] if g.GetGeometryType() == ogr.wkbPolygon else [
            g.GetGeometryRef(i) for i in range(g.GetGeometryCount())]
        for part in parts:
            merged.AddGeometry(part)
    return merged.UnionCascaded()


def aoi_envelopes(job, job_dir, grid_srs):
    """Each AOI's envelope (min_x, min_y, max_x, max_y) in the grid's CRS."""
    to_grid = osr.CoordinateTransformation(srs_from("EPSG:4326"), grid_srs)
    envelopes = []
    for aoi in job["aois"]:
        g = aoi_geometry_wgs84(aoi, job_dir)
        g.Transform(to_grid)
        min_x, max_x, min_y, max_y = g.GetEnvelope()
        envelopes.append((min_x, min_y, max_x, max_y))
    return envelopes


def analysis_grid(first_band, envelopes):
    """The grid over the AOIs, on the first scene's pixel edges: (x0, y0, res, width, height)."""
    ds = gdal.Open(first_band)
    gt = ds.GetGeoTransform()
    res = gt[1]
    min_x = min(e[0] for e in envelopes)
    min_y = min(e[1] for e in envelopes)
    max_x = max(e[2] for e in envelopes)
    max_y = max(e[3] for e in envelopes)
    x0 = gt[0] + math.floor((min_x - gt[0]) / res) * res
    y0 = gt[3] + math.ceil((max_y - gt[3]) / res) * res
    width = max(1, math.ceil((max_x - x0) / res - 1e-9))
    height = max(1, math.ceil((y0 - min_y) / res - 1e-9))
    return x0, y0, res, width, height


def window_in(envelope, grid):
    """The AOI's pixel window in the grid (x, y, width, height), clipped to it."""
    x0, y0, res, width, height = grid
    cols = [(x - x0) / res for x in (envelope[0], envelope[2])]
    rows = [(y0 - y) / res for y in (envelope[1], envelope[3])]
    left, top = math.floor(min(cols)), math.floor(min(rows))
    right, bottom = math.ceil(max(cols)), math.ceil(max(rows))
    left, top = max(0, left), max(0, top)
    right, bottom = min(width, right), min(height, bottom)
    return left, top, max(0, right - left), max(0, bottom - top)


def intersects(a, b):
    return (min(a[0] + a[2], b[0] + b[2]) > max(a[0], b[0]) and
            min(a[1] + a[3], b[1] + b[3]) > max(a[1], b[1]))


def plan_chunks(grid, aoi_windows, chunk):
    """The grid's chunk windows that touch an AOI window (analysis_grid.cpp: plan_chunks)."""
    _, _, _, width, height = grid
    chunks = []
    for y in range(0, height, chunk):
        for x in range(0, width, chunk):
            c = (x, y, min(chunk, width - x), min(chunk, height - y))
            if any(intersects(c, w) for w in aoi_windows if w[2] > 0 and w[3] > 0):
                chunks.append(c)
    return chunks


def with_evidence(job, job_dir, bands):
    """The bands plus the causes' evidence bands where change.causes is on (the default) and
    every scene of the periods has them all, as geosweep decides."""
    if not job.get("change", {}).get("causes", True):
        return bands
    wanted = bands + [b for b in EVIDENCE_BANDS if b not in bands]
    try:
        job_scenes(job, job_dir, wanted)
    except SystemExit:
        return bands
    return wanted


def job_plan(job_path):
    """The plan of the windows geosweep reads for JOB (see the module's docstring), and a
    summary: grid size, chunks, dates, bands."""
    job_path = Path(job_path).resolve()
    job_dir = job_path.parent
    job = yaml.safe_load(job_path.read_text())
    bands = with_evidence(job, job_dir, job_bands(job))
    scenes = job_scenes(job, job_dir, bands)
    if not scenes:
        raise SystemExit(f"read_plan: {job_path}: no scene in the job's periods")
    first = scenes[0][1][bands.index("nir") if "nir" in bands else 0]
    first_ds = gdal.Open(first)
    grid_srs = srs_from(job.get("grid", {}).get("crs") or first_ds.GetProjection())
    if not grid_srs.IsSame(srs_from(first_ds.GetProjection())):
        raise SystemExit("read_plan: grids in another CRS than the scenes' are not supported")
    grid = analysis_grid(first, aoi_envelopes(job, job_dir, grid_srs))
    windows = [window_in(e, grid) for e in aoi_envelopes(job, job_dir, grid_srs)]
    chunk = int(job.get("processing", {}).get("chunk", 512))
    chunks = plan_chunks(grid, windows, chunk)
    gt = first_ds.GetGeoTransform()
    dx, dy = round((grid[0] - gt[0]) / gt[1]), round((grid[1] - gt[3]) / gt[5])
    by_date = {}
    for day, files in scenes:
        by_date.setdefault(day, []).extend(files)
    tasks = [{"window": [x + dx, y + dy, w, h], "files": files}
             for (x, y, w, h) in chunks for files in by_date.values()]
    summary = {"grid": [grid[3], grid[4]], "chunks": len(chunks), "dates": len(by_date),
               "scenes": len(scenes), "bands": bands + ([S2_QUALITY] if len(scenes[0][1]) >
                                                       len(bands) else [])}
    return {"tasks": tasks}, summary


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        raise SystemExit(__doc__.strip().splitlines()[-1])
    plan, summary = job_plan(args[0])
    print(json.dumps(summary))
    print(f"{len(plan['tasks'])} tasks, "
          f"{sum(len(t['files']) * t['window'][2] * t['window'][3] for t in plan['tasks'])} "
          "band-pixels")


if __name__ == "__main__":
    sys.exit(main())
