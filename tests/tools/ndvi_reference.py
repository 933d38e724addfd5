#!/usr/bin/python3
"""Independent NDVI reference for the real-data test: GDAL's Python bindings and numpy.

usage: ndvi_reference.py NIR.tif RED.tif OUT.f32
Writes NDVI = (nir - red) / (nir + red) as raw little-endian float32, row-major, computed in
float32 from the DNs; NaN where either DN is 0 (fill) or the sum is 0; clamped to [-1, 1].
"""
import sys

import numpy as np
from osgeo import gdal


def main() -> int:
    nir_path, red_path, out_path = sys.argv[1:4]
    gdal.UseExceptions()
    # Keep the datasets alive while their bands are read (GDAL's Python bindings crash otherwise).
    nir_ds, red_ds = gdal.Open(nir_path), gdal.Open(red_path)
    nir = nir_ds.GetRasterBand(1).ReadAsArray().astype(np.float32)
    red = red_ds.GetRasterBand(1).ReadAsArray().astype(np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        total = nir + red
        ndvi = (nir - red) / total
    ndvi = np.clip(ndvi, np.float32(-1), np.float32(1))
    ndvi[(nir == 0) | (red == 0) | (total == 0)] = np.nan
    ndvi.astype("<f4").tofile(out_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
