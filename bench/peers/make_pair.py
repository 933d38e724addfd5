#!/usr/bin/python3
"""Writes the peer benchmark's main input: a two-date Sentinel-2 L2A-like pair.

Layout (what geosweep's `sentinel2-l2a` catalog reads from `scenes: {dir: scenes}`):

    OUT/scenes/S2A_33UVT_20230715_0_L2A/{B02,B03,B04,B08}.tif   before
    OUT/scenes/S2B_33UVT_20240719_0_L2A/{B02,B03,B04,B08}.tif   after, with clear-cuts
    OUT/aoi.geojson     one polygon covering the extent (in the scenes' CRS)
    OUT/job.yaml        bitemporal dNDVI job, default outputs
    OUT/truth.csv       the planted clear-cuts
    OUT/manifest.json   size, seed, generator hash and file paths; written last

Each band: N x N uint16 surface reflectance DN (reflectance x 10000), 512-px tiles, DEFLATE
with PREDICTOR=2, UTM 33N (EPSG:32633) at 10 m. Scene folders carry no SCL file, so geosweep
uses them unmasked. Each band file carries BOA_ADD_OFFSET=0 and QUANTIFICATION_VALUE=10000:
without them geosweep would apply the -1000 offset of processing baseline 04.00 to these
2023/2024 dates, and the DN would no longer be plain reflectance x 10000 as gdal_calc and OTB
see them.

The landscape: smooth multi-scale fields place forest (~70 %), pasture and bare ground; a
canopy texture shared by both dates and all bands (shadows), a smooth brightness field
(terrain, plus a little per-date atmosphere) and per-date sensor noise make DEFLATE behave as
on real data. Forest: NIR ~3000 +- 300, red ~300 +- 60 (NDVI ~0.82). In the second date a few
rectangles of forest are cleared (NDVI ~0.3, a fall of ~0.5). Same --size and --seed, same
files.

Usage: make_pair.py --out DIR [--size 8192] [--seed 1] [--threads N]
"""

import argparse
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

import numpy as np
from osgeo import gdal, ogr, osr

gdal.UseExceptions()
ogr.UseExceptions()
osr.UseExceptions()

EPSG = 32633                    # WGS 84 / UTM zone 33N
ORIGIN = (399960.0, 5800020.0)  # upper-left corner of Sentinel-2 tile 33UVT
PIXEL = 10.0                    # metres
TILE = 512                      # GeoTIFF block size
TILE_ID = "33UVT"
SCENES = {"before": "S2A_33UVT_20230715_0_L2A", "after": "S2B_33UVT_20240719_0_L2A"}
BANDS = {"blue": "B02", "green": "B03", "red": "B04", "nir": "B08"}

# Mean DN per land-cover class and band (blue, green, red, nir).
FOREST, PASTURE, BARE, CLEARCUT = 0, 1, 2, 3
CLASS_MEANS = np.array([
    [250, 450, 300, 3000],    # forest:   NDVI 0.82
    [450, 800, 700, 2700],    # pasture:  NDVI 0.59 (just under forest_min 0.6)
    [900, 1200, 1500, 2100],  # bare ground, tracks, settlements: NDVI 0.17
    [700, 950, 1100, 2000],   # clear-cut (slash, soil): NDVI 0.29
], dtype=np.float32)
# Relative standard deviations per band (blue, green, red, nir): the canopy texture (the same
# pattern in both dates) and the sensor noise (new in each date). With the brightness field
# they give forest red ~300 +- 60 and NIR ~3000 +- 300.
TEXTURE_SD = np.array([0.15, 0.12, 0.16, 0.075], dtype=np.float32)
NOISE_SD = np.array([0.11, 0.08, 0.11, 0.045], dtype=np.float32)

CUTS_PER_MPX = 6.0          # clear-cuts per 1024 x 1024 px (~105 km2)
CUT_SIDE_PX = (12, 70)      # side of a clear-cut: 120 m to 700 m
CUT_MIN_FOREST = 0.8        # share of forest a clear-cut's rectangle must hold


def smooth_field(rng, n, scale_px):
    """Unit-variance noise of n x n px, smooth at about scale_px: a coarse random grid
    interpolated with Gaussian weights (two small matrix products, no FFT needed)."""
    cells = max(2, int(np.ceil(n / scale_px)) + 2)
    coarse = rng.standard_normal((cells, cells), dtype=np.float32)
    centres = (np.arange(cells, dtype=np.float32) - 1.0) * scale_px
    pixels = np.arange(n, dtype=np.float32) + 0.5
    weights = np.exp(-0.5 * ((pixels[:, None] - centres[None, :]) / (0.6 * scale_px)) ** 2)
    weights /= weights.sum(axis=1, keepdims=True)
    field = weights @ coarse @ weights.T
    field -= field.mean()
    field /= field.std() + 1e-12
    return field.astype(np.float32, copy=False)


def canopy_texture(rng, n):
    """Unit-variance texture correlated over 2 to 3 px (tree crowns): white noise under a
    3 x 3 box filter."""
    noise = rng.standard_normal((n + 2, n + 2), dtype=np.float32)
    rows = noise[:-2] + noise[1:-1] + noise[2:]
    box = rows[:, :-2] + rows[:, 1:-1] + rows[:, 2:]
    box /= 3.0  # a sum of 9 unit normals has sd 3
    return box


def land_cover(rng, n):
    """Class map: forest about 70 %, bare ground about 3 %, pasture the rest, in blobs of a few
    hundred metres to a few kilometres."""
    field = smooth_field(rng, n, 200.0) + 0.5 * smooth_field(rng, n, 50.0)
    sample = field[::7, ::7]
    bare_below, forest_above = np.quantile(sample, [0.03, 0.30])
    classes = np.full((n, n), PASTURE, dtype=np.uint8)
    classes[field > forest_above] = FOREST
    classes[field < bare_below] = BARE
    return classes


def plant_clearcuts(rng, classes):
    """Picks non-overlapping rectangles that are mostly forest; returns them as
    (col, row, width, height, forest_px)."""
    n = classes.shape[0]
    wanted = max(3, int(round(CUTS_PER_MPX * (n / 1024.0) ** 2)))
    taken = np.zeros_like(classes, dtype=bool)
    cuts = []
    for _ in range(wanted * 20):
        if len(cuts) == wanted:
            break
        w, h = rng.integers(CUT_SIDE_PX[0], CUT_SIDE_PX[1] + 1, size=2)
        col, row = rng.integers(0, n - w), rng.integers(0, n - h)
        window = (slice(row, row + h), slice(col, col + w))
        forest_px = int(np.count_nonzero(classes[window] == FOREST))
        halo = (slice(max(0, row - 3), row + h + 3), slice(max(0, col - 3), col + w + 3))
        if forest_px < CUT_MIN_FOREST * w * h or taken[halo].any():
            continue
        taken[window] = True
        cuts.append((int(col), int(row), int(w), int(h), forest_px))
    return cuts


def band_dn(rng, classes, band, texture, brightness):
    """One band's DN: class mean, times the brightness and the texture, plus sensor noise;
    clipped to 1..65534 (0 is no data, 65535 saturated for geosweep)."""
    mean = CLASS_MEANS[classes, band]
    dn = mean * (1.0 + brightness) * (1.0 + TEXTURE_SD[band] * texture)
    dn += mean * NOISE_SD[band] * rng.standard_normal(classes.shape, dtype=np.float32)
    return np.clip(np.rint(dn), 1, 65534).astype(np.uint16)


def srs():
    s = osr.SpatialReference()
    s.ImportFromEPSG(EPSG)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


def write_band(path, dn, code, threads):
    """A tiled DEFLATE GeoTIFF with the Sentinel-2 radiometry metadata geosweep reads."""
    n = dn.shape[0]
    options = [f"BLOCKXSIZE={TILE}", f"BLOCKYSIZE={TILE}", "TILED=YES", "COMPRESS=DEFLATE",
               "PREDICTOR=2", "BIGTIFF=IF_SAFER", f"NUM_THREADS={threads}"]
    ds = gdal.GetDriverByName("GTiff").Create(str(path), n, n, 1, gdal.GDT_UInt16, options)
    ds.SetGeoTransform((ORIGIN[0], PIXEL, 0.0, ORIGIN[1], 0.0, -PIXEL))
    ds.SetProjection(srs().ExportToWkt())
    band = ds.GetRasterBand(1)
    band.SetDescription(code)
    band.SetNoDataValue(0)
    band.SetMetadataItem("BOA_ADD_OFFSET", "0")
    band.SetMetadataItem("QUANTIFICATION_VALUE", "10000")
    band.WriteArray(dn)
    ds.FlushCache()
    ds = None


def write_scene(folder, rng, classes, texture, brightness, threads):
    folder.mkdir(parents=True)
    paths = {}
    for index, (name, code) in enumerate(BANDS.items()):
        path = folder / f"{code}.tif"
        write_band(path, band_dn(rng, classes, index, texture, brightness), code, threads)
        paths[name] = str(path)
    return paths


def write_aoi(path, n):
    """The extent as one polygon in the scenes' CRS, 1 m inside the edges: every pixel centre is
    inside, and the rounding of geosweep's round trip through WGS84 cannot add a column."""
    inset = 1.0
    x0, y0 = ORIGIN[0] + inset, ORIGIN[1] - inset
    x1, y1 = ORIGIN[0] + n * PIXEL - inset, ORIGIN[1] - n * PIXEL + inset
    ring = ogr.Geometry(ogr.wkbLinearRing)
    for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)):
        ring.AddPoint_2D(x, y)
    polygon = ogr.Geometry(ogr.wkbPolygon)
    polygon.AddGeometry(ring)
    ds = ogr.GetDriverByName("GeoJSON").CreateDataSource(str(path))
    layer = ds.CreateLayer("extent", srs(), ogr.wkbPolygon)
    layer.CreateField(ogr.FieldDefn("name", ogr.OFTString))
    feature = ogr.Feature(layer.GetLayerDefn())
    feature.SetField("name", "extent")
    feature.SetGeometry(polygon)
    layer.CreateFeature(feature)
    ds = None


JOB_TEMPLATE = """\
# Written by bench/peers/make_pair.py --size {n} --seed {seed}: a two-date pair with {cuts}
# planted clear-cuts (truth.csv). The peer benchmark (bench/peers/run.py) copies it per run,
# changing only outputs.
job: peers-pair-n{n}-seed{seed}
sensor: sentinel2-l2a
scenes:
  dir: scenes
aois:
  - name: extent
    geometry: aoi.geojson
period:
  baseline: [2023-06-01, 2023-09-30]
  monitor: [2024-06-01, 2024-09-30]
indices: [ndvi]
change:
  method: bitemporal
  index: ndvi
  drop: 0.25
  forest_min: 0.6
  min_area_ha: 0.5
outputs:
  dir: out
"""


def write_truth(path, cuts):
    lines = ["cut,col,row,width,height,forest_px,forest_ha,west,south,east,north"]
    for i, (col, row, w, h, forest_px) in enumerate(cuts, start=1):
        west, north = ORIGIN[0] + col * PIXEL, ORIGIN[1] - row * PIXEL
        east, south = west + w * PIXEL, north - h * PIXEL
        ha = forest_px * PIXEL * PIXEL / 1e4
        lines.append(f"{i},{col},{row},{w},{h},{forest_px},{ha:.2f},"
                     f"{west:.0f},{south:.0f},{east:.0f},{north:.0f}")
    path.write_text("\n".join(lines) + "\n")


def generator_hash():
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def is_current(out, size, seed):
    """True when OUT holds a complete pair made by this generator with this size and seed."""
    try:
        manifest = json.loads((Path(out) / "manifest.json").read_text())
    except (OSError, ValueError):
        return False
    return (manifest.get("size") == size and manifest.get("seed") == seed and
            manifest.get("generator") == generator_hash())


def make_pair(out, size, seed, threads):
    """Writes the pair into OUT (replacing it), via a temporary folder renamed at the end."""
    out = Path(out)
    tmp = out.with_name(out.name + f".tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    classes = land_cover(rng, size)
    texture = canopy_texture(rng, size)
    terrain = 0.04 * smooth_field(rng, size, 300.0)
    cuts = plant_clearcuts(rng, classes)
    files = {}
    for date, scene in SCENES.items():
        if date == "after":
            for col, row, w, h, _ in cuts:
                classes[row:row + h, col:col + w] = CLEARCUT
        brightness = terrain + 0.02 * smooth_field(rng, size, 500.0)  # plus this date's haze
        files[date] = write_scene(tmp / "scenes" / scene, rng, classes, texture, brightness,
                                  threads)
        del brightness
    write_aoi(tmp / "aoi.geojson", size)
    (tmp / "job.yaml").write_text(JOB_TEMPLATE.format(n=size, seed=seed, cuts=len(cuts)))
    write_truth(tmp / "truth.csv", cuts)
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    # Paths in the manifest point into OUT, not the temporary folder.
    files = {date: {b: p.replace(str(tmp), str(out)) for b, p in bands.items()}
             for date, bands in files.items()}
    manifest = {"size": size, "seed": seed, "generator": generator_hash(), "epsg": EPSG,
                "pixel_m": PIXEL, "tile": TILE, "cuts": len(cuts),
                "cut_forest_ha": round(sum(c[4] for c in cuts) * PIXEL * PIXEL / 1e4, 2),
                "files": files, "job": str(out / "job.yaml")}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="output folder (replaced)")
    parser.add_argument("--size", type=int, default=8192, help="width and height in px")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    parser.add_argument("--threads", default="ALL_CPUS", help="DEFLATE threads when writing")
    args = parser.parse_args(argv)
    if args.size < 256:
        parser.error("--size must be at least 256")
    manifest = make_pair(args.out, args.size, args.seed, args.threads)
    print(f"make_pair: {args.size} x {args.size} px, seed {args.seed}, {manifest['cuts']} "
          f"clear-cuts ({manifest['cut_forest_ha']} ha of forest) in {args.out}")


if __name__ == "__main__":
    sys.exit(main())
