#!/usr/bin/python3
"""Reads one value of a geosweep change.nc with xarray, by map coordinate, as an analyst would.

usage: xarray_read.py CHANGE_NC GROUP VARIABLE X Y
Prints the value at the pixel nearest to (X, Y) and whether the variable points at a grid
mapping with a crs_wkt: "<value> <crs_ok>".
"""
import sys

import xarray as xr


def main() -> int:
    path, group, variable, x, y = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
    # The defaults an analyst uses: fill values masked, day numbers decoded to dates.
    with xr.open_dataset(path, group=group, engine="h5netcdf") as ds:
        value = ds[variable].sel(x=x, y=y, method="nearest").item()
        crs_ok = 1 if "crs_wkt" in ds["crs"].attrs and ds[variable].attrs.get("grid_mapping") == "crs" else 0
        print(f"{value!r} {crs_ok}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
