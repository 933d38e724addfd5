#!/usr/bin/python3
"""geosweep's peer benchmark: geosweep beside a plain GDAL read, gdal_calc.py and OTB.

Run by hand, not by CI (see README.md). In one go it

1. makes (or reuses) a seeded two-date Sentinel-2-like pair (make_pair.py) and times, each
   --repeat times: a plain read of every pixel of every band file (plain_read.py), the same
   dNDVI change mask with gdal_calc.py and with OTB's BandMathX, and geosweep's bitemporal
   job with default outputs, with tables and change.nc only, and with tables only;
2. simulates (or reuses) geosweep's 7-date job (`geosweep simulate`) and times geosweep with
   default outputs beside a plain read of the very windows and bands geosweep reads;

and prints a Markdown table per case (wall time median and minimum, CPU time, peak RSS, bytes
written, ratios to the plain read and to gdal_calc), also saved to --results.

Every tool gets the same thread count (--threads, default: all cores). Inputs are read from
the page cache (each section starts by reading its files once): the table compares compute
and output work, not disks.

Usage: run.py [--size 8192] [--seed 1] [--repeat 3] [--threads N] [--only CASES]
              [--skip-multi] [--multi-size 2000] [--work DIR] [--geosweep PATH]
              [--backend cpu] [--results FILE]
"""

import argparse
import csv
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import make_pair  # noqa: E402
import read_plan  # noqa: E402

PYTHON = "/usr/bin/python3"  # Debian's, with GDAL and numpy (a pyenv python3 may lack them)
# GNU time measures CPU time and peak RSS of a child it forks itself: a child forked from this
# (much larger) Python process would start with its RSS as its own peak (see measure()).
TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None

# The `outputs:` of each geosweep variant, merged over the job's own (edit them here).
GEOSWEEP_VARIANTS = {
    "geosweep": ("geosweep, default outputs", {}),
    # change.nc with none of its optional layers: the change classes and patch numbers only.
    "geosweep-change": ("geosweep, tables + change raster",
                        {"cog": False, "alert_polygons": [], "layers": []}),
    "geosweep-tables": ("geosweep, tables only",
                        {"hdf5": False, "cog": False, "alert_polygons": []}),
}
PAIR_CASES = ["read", "gdal_calc", "otb", *GEOSWEEP_VARIANTS]
MULTI_CASES = ["multi-read", "multi-geosweep"]
LABELS = {"read": "plain read (GDAL, every pixel)", "gdal_calc": "gdal_calc.py",
          "otb": "otbcli_BandMathX", "multi-read": "plain read (GDAL, geosweep's windows)",
          "multi-geosweep": "geosweep, default outputs",
          **{k: label for k, (label, _) in GEOSWEEP_VARIANTS.items()}}

# dNDVI change mask: forest before (NDVI >= 0.6) whose NDVI fell by at least 0.25, as
# geosweep's bitemporal detector (docs/detector.md) before its minimum mapping unit.
# A, B: red and NIR before; C, D: red and NIR after (DN, reflectance x 10000).
GDAL_CALC_EXPR = ("((B.astype(float32) - A) / (B.astype(float32) + A) >= 0.6) & "
                  "(((D.astype(float32) - C) / (D.astype(float32) + C)) - "
                  "((B.astype(float32) - A) / (B.astype(float32) + A)) <= -0.25)")
OTB_EXPR = ("((im2b1 - im1b1) / (im2b1 + im1b1) >= 0.6) && "
            "(((im4b1 - im3b1) / (im4b1 + im3b1)) - ((im2b1 - im1b1) / (im2b1 + im1b1)) "
            "<= -0.25) ? 1 : 0")
MASK_CO = ["COMPRESS=DEFLATE", "TILED=YES", "BLOCKXSIZE=512", "BLOCKYSIZE=512"]

SUMMARY_RE = re.compile(r"on (\w+): .*?(\d+) chunks? of a (\d+) x (\d+) px grid, .*?"
                        r"([\d.]+) MB read in ([\d.]+) s")


def log(message):
    print(f"peers: {message}", file=sys.stderr, flush=True)


# --- measuring one command -------------------------------------------------------------------

@dataclass
class Sample:
    wall: float      # seconds
    cpu: float       # user + sys seconds, the process and its children
    rss_mib: float   # peak resident set size of the largest process, MiB
    written: int     # bytes under the output folder after the run
    rc: int


@dataclass
class Result:
    case: str
    samples: list = field(default_factory=list)
    skipped: str = ""        # why the case did not run
    run_dir: Path = None     # the last run's folder: out/, stdout.txt, stderr.txt
    stdout: str = ""         # the last run's standard output

    @property
    def failed(self):
        return next((s.rc for s in self.samples if s.rc != 0), 0)

    def wall_median(self):
        return statistics.median(s.wall for s in self.samples)


def folder_bytes(folder):
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


def fresh_run_dir(run_dir):
    """Empties run_dir and makes run_dir/out, where the command writes its outputs."""
    shutil.rmtree(run_dir, ignore_errors=True)
    (run_dir / "out").mkdir(parents=True)


def measure(command, env, run_dir):
    """Runs COMMAND once, its outputs in run_dir/out and its logs in run_dir. CPU time and peak
    RSS come from the kernel's accounting (wait4) of the process and its children, through
    /usr/bin/time where it exists; without it, from this process's own wait4, where the peak
    RSS is at least this Python process's RSS at the time of the fork (Linux carries the
    parent's high-water mark over exec)."""
    timing = run_dir / "time.txt"
    launcher = [TIME, "-f", "%U %S %M", "-o", str(timing)] if TIME else []
    with open(run_dir / "stdout.txt", "w") as so, open(run_dir / "stderr.txt", "w") as se:
        start = time.perf_counter()
        proc = subprocess.Popen(launcher + command, stdout=so, stderr=se, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = rc = os.waitstatus_to_exitcode(status)
    cpu, rss_kb = usage.ru_utime + usage.ru_stime, usage.ru_maxrss
    if TIME:  # its last line; a "Command exited with non-zero status" line may come first
        user, system, rss_kb = timing.read_text().split("\n")[-2].split()
        cpu, rss_kb = float(user) + float(system), int(rss_kb)
    return Sample(wall, cpu, rss_kb / 1024.0, folder_bytes(run_dir / "out"), rc)


def run_case(case, command_for, env, args):
    """Times a case --repeat times; command_for(run_dir) gives the command of one run."""
    run_dir = args.work / "runs" / case
    result = Result(case, run_dir=run_dir)
    for i in range(args.repeat):
        fresh_run_dir(run_dir)
        sample = measure(command_for(run_dir), env, run_dir)
        result.samples.append(sample)
        log(f"{case} {i + 1}/{args.repeat}: {sample.wall:.2f} s wall, {sample.cpu:.2f} s CPU, "
            f"{sample.rss_mib:.0f} MiB, rc {sample.rc}")
        if sample.rc != 0:
            tail = (run_dir / "stderr.txt").read_text()[-800:]
            log(f"{case} failed (exit code {sample.rc}); stderr ends:\n{tail}")
            break
    result.stdout = (run_dir / "stdout.txt").read_text()
    return result


def thread_env(threads, **extra):
    env = dict(os.environ, GDAL_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
    env.update({k: str(v) for k, v in extra.items()})
    return env


def warm_cache(paths):
    """Reads the files once so that every timed run finds them in the page cache."""
    for p in paths:
        with open(p, "rb") as f:
            while f.read(1 << 24):
                pass


# --- inputs ----------------------------------------------------------------------------------

def ensure_pair(args):
    """The two-date pair of --size and --seed, made once and reused."""
    folder = args.work / "inputs" / f"pair-n{args.size}-seed{args.seed}"
    if not make_pair.is_current(folder, args.size, args.seed):
        log(f"making the {args.size} x {args.size} px pair in {folder} ...")
        make_pair.make_pair(folder, args.size, args.seed, str(args.threads))
    return json.loads((folder / "manifest.json").read_text())


def geosweep_version(geosweep):
    out = subprocess.run([geosweep, "--version"], capture_output=True, text=True)
    lines = (out.stdout.strip() or out.stderr.strip() or "unknown version").splitlines()
    return lines[0] if lines[0].startswith("geosweep") else f"geosweep {lines[0]}"


def ensure_simulation(args):
    """`geosweep simulate` of --multi-size and --seed, made once per geosweep binary."""
    folder = args.work / "inputs" / f"sim-n{args.multi_size}-seed{args.seed}"
    binary = args.geosweep.stat()
    stamp = {"size": args.multi_size, "seed": args.seed,
             "geosweep": geosweep_version(args.geosweep),
             "binary": [str(args.geosweep), binary.st_size, binary.st_mtime_ns]}
    stamp_file = folder / "peers-stamp.json"
    if stamp_file.exists() and json.loads(stamp_file.read_text()) == stamp:
        return folder / "job.yaml"
    log(f"simulating the 7-date job at {args.multi_size} px in {folder} ...")
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run([args.geosweep, "simulate", "--out", str(folder), "--seed", str(args.seed),
                    "--size", str(args.multi_size)], check=True, stdout=subprocess.DEVNULL)
    stamp_file.write_text(json.dumps(stamp) + "\n")
    return folder / "job.yaml"


# --- geosweep jobs ---------------------------------------------------------------------------

def job_variant(base_job, outputs):
    """The base job with absolute paths and `outputs` merged over its own, as a function
    run_dir -> run_dir/job.yaml (written, with outputs.dir run_dir/out)."""
    base_job = Path(base_job).resolve()
    job = yaml.safe_load(base_job.read_text())
    if "dir" in job["scenes"]:
        job["scenes"]["dir"] = str(base_job.parent / job["scenes"]["dir"])
    for aoi in job["aois"]:
        if "geometry" in aoi:
            aoi["geometry"] = str(base_job.parent / aoi["geometry"])

    def write(run_dir):
        run_dir.mkdir(parents=True, exist_ok=True)
        job["outputs"] = {**job.get("outputs", {}), **outputs, "dir": str(run_dir / "out")}
        path = run_dir / "job.yaml"
        path.write_text(yaml.safe_dump(job, sort_keys=False))
        return path

    return write


def geosweep_command(args, write_job):
    """run_dir -> the geosweep command; the job is written beside the run's outputs."""
    def command(run_dir):
        job = write_job(run_dir)
        return [str(args.geosweep), "--backend", args.backend, "--threads", str(args.threads),
                "run", str(job)]
    return command


def validate(args, write_job, case):
    """geosweep validate on the variant's job; the error text when it fails."""
    job = write_job(args.work / "runs" / case)
    out = subprocess.run([str(args.geosweep), "validate", str(job)], capture_output=True,
                         text=True)
    if out.returncode == 0:
        return ""
    return (out.stderr or out.stdout).strip() or f"geosweep validate: exit code {out.returncode}"


def run_geosweep(case, args, base_job, outputs):
    write_job = job_variant(base_job, outputs)
    problem = validate(args, write_job, case)
    if problem:
        log(f"{case}: the job does not validate:\n{problem}")
        return Result(case, skipped=f"job invalid: {problem.splitlines()[0]}")
    # geosweep shares the threads out itself (--threads for its kernels, its reader threads
    # each with GDAL_NUM_THREADS = cores / readers): a global GDAL_NUM_THREADS would give every
    # reader all the cores.
    env = thread_env(args.threads)
    env.pop("GDAL_NUM_THREADS", None)
    return run_case(case, geosweep_command(args, write_job), env, args)


# --- the peers -------------------------------------------------------------------------------

def run_plain_read(case, args, plan):
    plan_file = args.work / "runs" / f"{case}.plan.json"
    plan_file.parent.mkdir(parents=True, exist_ok=True)
    plan_file.write_text(json.dumps(plan))
    command = [PYTHON, str(HERE / "plain_read.py"), str(plan_file),
               "--threads", str(args.threads)]
    # One thread per window (GDAL's own multi-threaded decoding would oversubscribe), and
    # geosweep's block cache of 64 MB (core/gdal_utils.cpp) unless GDAL_CACHEMAX is set.
    env = thread_env(args.threads, GDAL_NUM_THREADS=1,
                     GDAL_CACHEMAX=os.environ.get("GDAL_CACHEMAX", "64"))
    return run_case(case, lambda _: command, env, args)


def mask_inputs(pair):
    f = pair["files"]
    return [f["before"]["red"], f["before"]["nir"], f["after"]["red"], f["after"]["nir"]]


def run_gdal_calc(args, pair):
    exe = shutil.which("gdal_calc.py")
    if not exe:
        return Result("gdal_calc", skipped="gdal_calc.py not found (Debian: python3-gdal)")
    red_b, nir_b, red_a, nir_a = mask_inputs(pair)
    co = [x for option in MASK_CO + [f"NUM_THREADS={args.threads}"] for x in ("--co", option)]

    def command(run_dir):
        return [exe, "-A", red_b, "-B", nir_b, "-C", red_a, "-D", nir_a,
                "--calc", GDAL_CALC_EXPR, "--type", "Byte", "--format", "GTiff", *co,
                "--outfile", str(run_dir / "out" / "dndvi_mask.tif"), "--quiet"]
    return run_case("gdal_calc", command, thread_env(args.threads), args)


def ensure_otb(args):
    """otbcli_BandMathX, installed from Debian's otb-bin when missing and we are root; the
    path, or None and why not."""
    exe = shutil.which("otbcli_BandMathX")
    if exe:
        return exe, ""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return None, "otbcli_BandMathX not found and not root: install Debian's otb-bin"
    log("otbcli_BandMathX not found: apt-get install otb-bin ...")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "--no-install-recommends", "otb-bin"]
    with open(args.work / "apt-otb.log", "w") as apt_log:
        for attempt in ([install], [["apt-get", "update"], install]):
            if all(subprocess.run(c, env=env, stdout=apt_log, stderr=subprocess.STDOUT)
                   .returncode == 0 for c in attempt):
                break
    exe = shutil.which("otbcli_BandMathX")
    return (exe, "") if exe else (None, f"apt-get install otb-bin failed "
                                        f"(see {args.work / 'apt-otb.log'})")


def run_otb(args, pair):
    exe, why = ensure_otb(args)
    if not exe:
        log(f"otb skipped: {why}")
        return Result("otb", skipped=why)
    co = "".join(f"&gdal:co:{o}" for o in MASK_CO + [f"NUM_THREADS={args.threads}"])

    def command(run_dir):
        return [exe, "-il", *mask_inputs(pair), "-exp", OTB_EXPR,
                "-out", f"{run_dir / 'out' / 'dndvi_mask.tif'}?{co}", "uint8"]
    env = thread_env(args.threads, ITK_GLOBAL_DEFAULT_NUMBER_OF_THREADS=args.threads)
    return run_case("otb", command, env, args)


# --- checks ----------------------------------------------------------------------------------

def geosweep_summary(result):
    """(backend, chunks, width, height, MB read) from the run's summary line, or None."""
    m = SUMMARY_RE.search(result.stdout)
    if not m:
        return None
    return m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4)), float(m.group(5))


def read_note(result):
    """What geosweep says it read, from its summary line."""
    got = geosweep_summary(result)
    if got is None:
        return "no summary line in its output"
    backend, chunks, width, height, mb = got
    return f"backend {backend}, {chunks} chunks of a {width} x {height} px grid, {mb:.1f} MB read"


def plan_check(result, summary, plan):
    """Whether geosweep read the grid and chunks the plain read reads."""
    got = geosweep_summary(result)
    plan_mb = sum(2 * len(t["files"]) * t["window"][2] * t["window"][3]
                  for t in plan["tasks"]) / 1e6
    note = (f"{result.case}: {read_note(result)}; the plain read: {summary['chunks']} chunks of "
            f"{summary['grid'][0]} x {summary['grid'][1]} px, bands "
            f"{' '.join(summary['bands'])}, {plan_mb:.1f} MB as uint16")
    if got and ([got[2], got[3]] != summary["grid"] or got[1] != summary["chunks"] or
                abs(got[4] - plan_mb) > 0.01 * plan_mb + 0.1):
        note += " -- MISMATCH: the plain read does not read what geosweep reads"
    return note


def alerts_check(result, pair):
    """geosweep's alerts beside the planted clear-cuts, and what it read."""
    alerts = result.run_dir / "out" / "alerts.csv"
    rows = []
    if alerts.exists():
        with alerts.open(newline="") as f:
            rows = list(csv.DictReader(f))
    area = sum(float(r["area_ha"]) for r in rows)
    return (f"{result.case}: {len(rows)} alerts, {area:.2f} ha (planted: {pair['cuts']} "
            f"clear-cuts, {pair['cut_forest_ha']:.2f} ha of forest); {read_note(result)}")


# --- the table -------------------------------------------------------------------------------

def ratio(value, reference):
    return f"{value / reference:.2f}" if reference else "–"


def table(results, reference, calc):
    """Markdown rows; reference and calc: the plain read's and gdal_calc's median wall."""
    lines = ["| command | wall median s | wall min s | CPU s (user+sys) | peak RSS MiB | "
             "written MB | × plain read | × gdal_calc |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        label = LABELS[r.case]
        if r.skipped or not r.samples:
            lines.append(f"| {label} | skipped: {r.skipped} | | | | | | |")
            continue
        if r.failed:
            lines.append(f"| {label} | failed (exit code {r.failed}) | | | | | | |")
            continue
        wall = r.wall_median()
        lines.append(
            f"| {label} | {wall:.2f} | {min(s.wall for s in r.samples):.2f} | "
            f"{statistics.median(s.cpu for s in r.samples):.2f} | "
            f"{max(s.rss_mib for s in r.samples):.0f} | {r.samples[-1].written / 1e6:.2f} | "
            f"{ratio(wall, reference)} | {ratio(wall, calc)} |")
    return lines


def median_of(results, case):
    r = next((r for r in results if r.case == case), None)
    return r.wall_median() if r and r.samples and not r.failed else None


# --- the two sections ------------------------------------------------------------------------

def pair_section(args, cases, notes):
    pair = ensure_pair(args)
    files = [p for date in pair["files"].values() for p in date.values()]
    warm_cache(files)
    on_disk = sum(Path(p).stat().st_size for p in files) / 1e6
    results = []
    for case in cases:
        if case == "read":
            results.append(run_plain_read(case, args, read_plan.whole_files_plan(files)))
        elif case == "gdal_calc":
            results.append(run_gdal_calc(args, pair))
        elif case == "otb":
            results.append(run_otb(args, pair))
        else:
            r = run_geosweep(case, args, pair["job"], GEOSWEEP_VARIANTS[case][1])
            results.append(r)
            if r.samples and not r.failed:
                notes.append(alerts_check(r, pair))
    title = (f"## Two-date pair: {args.size} x {args.size} px, 2 dates x 4 bands "
             f"(uint16, DEFLATE, {on_disk:.0f} MB on disk), seed {args.seed}")
    return [title, "", *table(results, median_of(results, "read"),
                               median_of(results, "gdal_calc"))]


def multi_section(args, cases, notes):
    job = ensure_simulation(args)
    plan, summary = read_plan.job_plan(job)
    warm_cache({f for t in plan["tasks"] for f in t["files"]})
    results = []
    for case in cases:
        if case == "multi-read":
            results.append(run_plain_read(case, args, plan))
        else:
            r = run_geosweep(case, args, job, {})
            results.append(r)
            if r.samples and not r.failed:
                notes.append(plan_check(r, summary, plan))
    title = (f"## Multi-date: `geosweep simulate --size {args.multi_size} --seed {args.seed}`, "
             f"{summary['dates']} dates, {summary['grid'][0]} x {summary['grid'][1]} px grid "
             f"over the AOIs, bands {' '.join(summary['bands'])}")
    lines = [title, "", *table(results, median_of(results, "multi-read"), None)]
    read, run = median_of(results, "multi-read"), median_of(results, "multi-geosweep")
    if read and run:
        verdict = "meets" if read / run >= 0.7 else "misses"
        lines += ["", f"plain read / geosweep wall time: **{read / run:.2f}** "
                      f"({verdict} the target of 0.7 or more)"]
    return lines


def header(args):
    gdal_version = subprocess.run(["gdalinfo", "--version"], capture_output=True,
                                  text=True).stdout.strip()
    return [f"# geosweep peer benchmark ({datetime.now():%Y-%m-%d %H:%M})", "",
            f"- machine: {platform.node()}, {len(os.sched_getaffinity(0))} cores available, "
            f"{args.threads} threads for every tool, geosweep backend `{args.backend}`",
            f"- {geosweep_version(args.geosweep)} ({args.geosweep}); {gdal_version}",
            f"- each command {args.repeat} time(s), inputs in the page cache; CPU s: median "
            "user + sys of the process and its children; peak RSS: largest process, worst "
            "run" + ("" if TIME else " (no /usr/bin/time: includes this runner's own RSS)") +
            "; written: bytes in the output folder; × columns: median wall time over the "
            "plain read's and gdal_calc's", ""]


# --- command line ----------------------------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--size", type=int, default=8192, help="pair width and height, px")
    p.add_argument("--seed", type=int, default=1, help="seed of the pair and the simulation")
    p.add_argument("--repeat", type=int, default=3, help="runs per command")
    p.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)),
                   help="threads for every tool (default: all cores)")
    p.add_argument("--only", help="comma list of cases: " + ",".join(PAIR_CASES + MULTI_CASES))
    p.add_argument("--skip-multi", action="store_true", help="skip the multi-date case")
    p.add_argument("--multi-size", type=int, default=2000, help="simulated tile size, px")
    p.add_argument("--work", type=Path, default=Path("/tmp/geosweep-peers"),
                   help="work folder: inputs (kept), runs, results")
    p.add_argument("--geosweep", type=Path,
                   default=Path(os.environ.get("GEOSWEEP", REPO / "build/pipeline/geosweep")),
                   help="geosweep binary (default: $GEOSWEEP or build/pipeline/geosweep)")
    p.add_argument("--backend", default="cpu", choices=["cpu", "cuda", "auto"],
                   help="geosweep --backend (default cpu, like its peers)")
    p.add_argument("--results", type=Path, help="Markdown results (default: WORK/peers.md)")
    args = p.parse_args(argv)
    cases = PAIR_CASES + MULTI_CASES
    if args.only:
        wanted = [c.strip() for c in args.only.split(",") if c.strip()]
        unknown = [c for c in wanted if c not in cases]
        if unknown:
            p.error(f"--only: unknown case(s) {', '.join(unknown)}; cases: {', '.join(cases)}")
        cases = [c for c in cases if c in wanted]
    if args.skip_multi:
        cases = [c for c in cases if c not in MULTI_CASES]
    if args.repeat < 1 or args.threads < 1:
        p.error("--repeat and --threads must be at least 1")
    if args.size < 256 or args.multi_size < 160:
        p.error("--size must be at least 256 and --multi-size at least 160")
    if not os.access(args.geosweep, os.X_OK):
        p.error(f"geosweep not found at {args.geosweep} (build it, or give --geosweep/GEOSWEEP)")
    args.work = args.work.resolve()
    args.geosweep = args.geosweep.resolve()
    args.results = args.results or args.work / "peers.md"
    args.cases = cases
    return args


def main(argv=None):
    args = parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    notes = []
    lines = header(args)
    pair_cases = [c for c in args.cases if c in PAIR_CASES]
    multi_cases = [c for c in args.cases if c in MULTI_CASES]
    if pair_cases:
        lines += pair_section(args, pair_cases, notes) + [""]
    if multi_cases:
        lines += multi_section(args, multi_cases, notes) + [""]
    if notes:
        lines += ["Checks:", "", *[f"- {n}" for n in notes], ""]
    text = "\n".join(lines)
    args.results.write_text(text)
    print(text)
    log(f"results saved to {args.results}; the last run of each case is in {args.work / 'runs'}")


if __name__ == "__main__":
    sys.exit(main())
