#!/usr/bin/python3
"""Independent reference for landcover_test: the hectares of each land-cover class inside a
polygon, with gdalwarp (nearest neighbour, exact transformation) and numpy.

usage: landcover_reference.py RASTER POLYGONS EPSG X0 Y0 PIXEL WIDTH HEIGHT
The class raster is warped with gdal.Warp onto the north-up grid of EPSG (origin X0, Y0, square
PIXEL metres, WIDTH x HEIGHT); every polygon of the vector file's first layer is reprojected
with OGR and burnt with gdal.RasterizeLayer (a pixel is inside when its centre is). Prints one
line per class code found inside, 'CODE PIXELS HECTARES' (code -1: not covered by the raster),
a pixel being PIXEL^2 m^2 of a projected grid.
"""
import sys

import numpy as np
from osgeo import gdal, ogr, osr

gdal.UseExceptions()


def main():
    raster, polygons, epsg = sys.argv[1], sys.argv[2], int(sys.argv[3])
    x0, y0, pixel = (float(v) for v in sys.argv[4:7])
    width, height = int(sys.argv[7]), int(sys.argv[8])
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(epsg)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    bounds = (x0, y0 - height * pixel, x0 + width * pixel, y0)
    warped = gdal.Warp("", raster, format="MEM", dstSRS=srs.ExportToWkt(), outputBounds=bounds,
                       width=width, height=height, resampleAlg="near", errorThreshold=0,
                       outputType=gdal.GDT_Int32, dstNodata=-1)
    codes = warped.GetRasterBand(1).ReadAsArray()

    inside_ds = gdal.GetDriverByName("MEM").Create("", width, height, 1, gdal.GDT_Byte)
    inside_ds.SetGeoTransform((x0, pixel, 0.0, y0, 0.0, -pixel))
    inside_ds.SetProjection(srs.ExportToWkt())
    source = ogr.Open(polygons)
    layer = source.GetLayer(0)
    layer_srs = layer.GetSpatialRef()
    layer_srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    to_grid = osr.CoordinateTransformation(layer_srs, srs)
    memory = ogr.GetDriverByName("Memory").CreateDataSource("")
    burnt = memory.CreateLayer("aoi", srs, ogr.wkbMultiPolygon)
    for feature in layer:
        geometry = feature.GetGeometryRef().Clone()
        geometry.Transform(to_grid)
        out = ogr.Feature(burnt.GetLayerDefn())
        out.SetGeometry(geometry)
        burnt.CreateFeature(out)
    gdal.RasterizeLayer(inside_ds, [1], burnt, burn_values=[1])
    inside = inside_ds.GetRasterBand(1).ReadAsArray() == 1

    values, counts = np.unique(codes[inside], return_counts=True)
    for code, count in zip(values, counts):
        print(int(code), int(count), repr(float(count) * pixel * pixel / 10000.0))


if __name__ == "__main__":
    main()
