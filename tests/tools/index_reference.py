#!/usr/bin/python3
"""Independent reference for the real-data test: every spectral index with GDAL's Python
bindings and numpy, in float32, with the formulas of docs/indices.md.

usage: index_reference.py SCALE OFFSET NODATA BLUE GREEN RED NIR SWIR1 SWIR2 OUTDIR
Reflectance = DN * SCALE + OFFSET (NaN where DN == NODATA); writes OUTDIR/<index>.f32 as raw
little-endian float32, row-major.
"""
import sys

import numpy as np
from osgeo import gdal

F = np.float32


def read(path, scale, offset, nodata):
    ds = gdal.Open(path)  # keep the dataset alive while its band is read
    dn = ds.GetRasterBand(1).ReadAsArray()
    refl = dn.astype(F) * F(scale) + F(offset)
    refl[dn == nodata] = np.nan
    return refl


def normalized_difference(a, b):
    total = a + b
    v = (a - b) / total
    v = np.clip(v, F(-1), F(1))
    v[total == 0] = np.nan
    return v


def main() -> int:
    gdal.UseExceptions()
    scale, offset, nodata = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
    blue, green, red, nir, swir1, swir2 = (read(p, scale, offset, nodata) for p in sys.argv[4:10])
    out = sys.argv[10]
    with np.errstate(divide="ignore", invalid="ignore"):
        savi_den = nir + red + F(0.5)
        savi = F(1.5) * (nir - red) / savi_den
        savi[savi_den == 0] = np.nan
        t = F(2) * nir + F(1)
        radicand = t * t - F(8) * (nir - red)
        msavi = (t - np.sqrt(radicand)) / F(2)
        msavi[radicand < 0] = np.nan
        evi_den = nir + F(6) * red - F(7.5) * blue + F(1)
        evi = F(2.5) * (nir - red) / evi_den
        evi[evi_den == 0] = np.nan
        indices = {
            "ndvi": normalized_difference(nir, red),
            "nbr": normalized_difference(nir, swir2),
            "nbr2": normalized_difference(swir1, swir2),
            "ndmi": normalized_difference(nir, swir1),
            "ndwi": normalized_difference(green, nir),
            "mndwi": normalized_difference(green, swir1),
            "evi": evi,
            "savi": savi,
            "msavi": msavi,
            "bsi": normalized_difference(swir1 + red, nir + blue),
        }
    for name, values in indices.items():
        values.astype("<f4").tofile(f"{out}/{name}.f32")
    return 0


if __name__ == "__main__":
    sys.exit(main())
