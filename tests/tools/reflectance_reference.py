#!/usr/bin/python3
"""Independent reference for input_types_test: one band's reflectance with GDAL's Python
bindings and numpy, in float32, as docs/job-spec.md describes it.

usage: reflectance_reference.py IN OUT SCALE OFFSET NODATA SATURATED [X0 Y0 PIXEL WIDTH HEIGHT RESAMPLING]
NODATA: a number or 'none'; SATURATED: comma-separated codes or 'none'. DNs equal (in the
band's own type) to NODATA, to a saturated code or to the file's nodata, and DNs that are not
finite, and 65535 of a UInt16 band, are no data; reflectance = float32(DN) * SCALE + OFFSET. With the optional grid, the
band, its no-data DNs made NaN, is first warped with gdal.Warp (exact transformation) onto
that north-up grid of the band's CRS. Writes OUT as raw little-endian float32, row-major.
"""
import sys

import numpy as np
from osgeo import gdal

F = np.float32


def invalid_mask(dn, codes):
    bad = ~np.isfinite(dn.astype(np.float64))
    for code in codes:
        if np.issubdtype(dn.dtype, np.integer):
            info = np.iinfo(dn.dtype)
            if code != int(code) or not info.min <= code <= info.max:
                continue  # never a value of this type
        bad |= dn == dn.dtype.type(code)
    return bad


def main() -> int:
    gdal.UseExceptions()
    path, out = sys.argv[1], sys.argv[2]
    scale, offset = float(sys.argv[3]), float(sys.argv[4])
    codes = [] if sys.argv[5] == "none" else [float(sys.argv[5])]
    if sys.argv[6] != "none":
        codes += [float(v) for v in sys.argv[6].split(",")]
    ds = gdal.Open(path)
    band = ds.GetRasterBand(1)
    if band.GetNoDataValue() is not None:
        codes.append(band.GetNoDataValue())
    dn = band.ReadAsArray()
    if dn.dtype == np.uint16:
        codes.append(65535)  # the saturated code of every 16-bit band
    bad = invalid_mask(dn, codes)
    if len(sys.argv) > 7:
        x0, y0, pixel = (float(v) for v in sys.argv[7:10])
        width, height, how = int(sys.argv[10]), int(sys.argv[11]), sys.argv[12]
        values = dn.astype(np.float64)
        values[bad] = np.nan
        mem = gdal.GetDriverByName("MEM").Create("", ds.RasterXSize, ds.RasterYSize, 1,
                                                 gdal.GDT_Float64)
        mem.SetGeoTransform(ds.GetGeoTransform())
        mem.SetProjection(ds.GetProjection())
        mem.GetRasterBand(1).WriteArray(values)
        warped = gdal.Warp("", mem, format="MEM", outputBounds=(x0, y0 - height * pixel,
                           x0 + width * pixel, y0), width=width, height=height,
                           resampleAlg=how, srcNodata="nan", dstNodata="nan", errorThreshold=0,
                           outputType=gdal.GDT_Float64)
        dn = warped.GetRasterBand(1).ReadAsArray()
        bad = ~np.isfinite(dn)
    with np.errstate(invalid="ignore"):
        # (DN + 0) / 1 * scale + offset: the arithmetic of the profile with no quantification
        refl = (dn.astype(F) + F(0)) / F(1) * F(scale) + F(offset)
    refl[bad] = np.nan
    refl.astype("<f4").tofile(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
