#!/usr/bin/python3
"""geosweep's bfast kernels beside R's strucchange (what bfastmonitor() runs), in one run.

The same kind of series for both: seasonal NDVI-like values with 25 % cloudy looks, 137
history and 60 monitoring looks 8 days apart, k = 3 harmonics. R fits and monitors pixel by
pixel (tests/tools/bfast_reference.R: lm.fit, efp, mefp, monitor); geosweep runs its
bfast_bench (history, fit and monitoring over a 512 x 512 chunk, resident index). Both report
pixel-dates per second; the ratio is geosweep over R. Run by hand:

    bench/peers/bfast_r.py [--pixels 300] [--bench build/bench/bfast_bench]

Needs Rscript with r-cran-strucchange, numpy and a built bfast_bench.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def r_rate(pixels, history, monitor, seed):
    rng = np.random.default_rng(seed)
    days = 17532 + 8 * np.arange(history + monitor)
    t = (days - 10957) / 365.25
    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "in.csv")
        with open(path, "w") as out:
            out.write("pixel,day,value,monitor\n")
            for p in range(pixels):
                v = 0.75 + 0.08 * np.cos(2 * np.pi * t + rng.uniform(0, 6.3))
                v += rng.normal(0, 0.02, t.size)
                v[history + rng.integers(0, monitor):] -= 0.3 * (p % 2)
                cloudy = rng.uniform(size=t.size) < 0.25
                for i in range(t.size):
                    value = "NA" if cloudy[i] else "%.9g" % v[i]
                    out.write(f"{p},{days[i]},{value},{int(i >= history)}\n")
        start = time.monotonic()
        subprocess.run(["Rscript", os.path.join(ROOT, "tests/tools/bfast_reference.R"), path,
                        os.path.join(work, "out.csv"), "3", "0", "0.25", "0.05", "10"],
                       check=True)
        seconds = time.monotonic() - start
    return pixels * (history + monitor) / seconds, seconds


def geosweep_rate(bench):
    out = subprocess.run([bench, "--benchmark_filter=cpu", "--benchmark_format=json",
                          "--benchmark_min_time=0.5"], check=True, capture_output=True, text=True)
    runs = json.loads(out.stdout)["benchmarks"]
    return runs[0]["items_per_second"], runs[0]["name"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pixels", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bench", default=os.path.join(ROOT, "build/bench/bfast_bench"))
    args = parser.parse_args()
    r, seconds = r_rate(args.pixels, 137, 60, args.seed)
    g, name = geosweep_rate(args.bench)
    print(f"| tool | pixel-dates/s | |\n|---|---:|---|")
    print(f"| R strucchange (bfastmonitor's engine), {args.pixels} px, one core | {r:.3g} | "
          f"{seconds:.1f} s with R's start |")
    print(f"| geosweep bfast kernels, CPU ({name}) | {g:.3g} | |")
    print(f"\ngeosweep / R: {g / r:.0f}x")


if __name__ == "__main__":
    sys.exit(main())
