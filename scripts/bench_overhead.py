"""What `gilviz countdown --threads 4` costs beyond its runs' own wall time:
start-up, targets, analysis, drawing, saving (goal: <= 1.5 s in all).

Runs the command N times with --timings in fresh processes, each time beside
the same command with the runs' spare work off (matplotlib imported after
the runs, not while the targets start: measure/spare.py), in interleaved
pairs whose order alternates. Prints each stage's median, goal | measured |
met, and what shows that the spare work leaves the runs alone: the runs'
wall and CPU time and the probe's calibrated chunk on both sides, and
gilviz's CPU time from each run's go to its done. The other load is
gilviz's own measure of it: other processes' CPU during the runs, in cores,
from each run's log (analysis.load_figures).

    python scripts/bench_overhead.py [--times 5]
"""

import argparse
import glob
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, os.pardir)
sys.path.insert(0, ROOT)

from gilviz.analysis import load_figures  # noqa: E402
from gilviz.log import load  # noqa: E402
from gilviz.measure.runner import MAIN_THREAD_CPU  # noqa: E402

GOAL_S = 1.5
MAIN_THREAD_GOAL_S = 0.01
"""gilviz's main thread from each run's go to its done, all six runs: it only
waits then (its select wakes each 0.5 s) and parses the "done" message."""
BEYOND = "beyond the runs' own wall time"
ROW = re.compile(r"^  (.+?)\s+([0-9.]+) s$")
COMMAND = ["countdown", "--threads", "4", "--timings"]
WITHOUT_SPARE_WORK = (
    "import sys\n"
    "from gilviz.cli import commands, drawing, main\n"
    "commands.drawing_imports = lambda: drawing.SpareWork([], 'none')\n"
    "sys.exit(main(sys.argv[1:]))\n")


def one_run(out_dir, spare):
    """(timings rows, gilviz CPU rows, the RunLog) of one fresh command."""
    start = ["-m", "gilviz"] if spare else ["-c", WITHOUT_SPARE_WORK]
    text = subprocess.run([sys.executable] + start + COMMAND + ["--out", out_dir], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout
    stages, cpu = {}, {}
    rows = stages
    for line in text.splitlines():
        if line.startswith("gilviz's CPU time"):
            rows = cpu
        match = ROW.match(line)
        if match:
            rows[match.group(1)] = float(match.group(2))
    (log_path,) = glob.glob(os.path.join(out_dir, "*", "run.json"))
    return stages, cpu, load(log_path)


def spread(values, unit="s", digits=3):
    return "median %.*f %s (%.*f-%.*f)" % (digits, statistics.median(values), unit, digits,
                                          min(values), digits, max(values))


def run_figures(logs, backend):
    """Per backend: walls (s), CPU of all workers (s), the sampler's longest
    pause (ms) and rate (Hz), probe chunks."""
    runs = [run for log in logs for run in log.runs if run.spec.backend == backend]
    sampled = [run.sampler for run in runs if run.sampler]
    return ([run.end_ns / 1e9 for run in runs],
            [sum(w.cpu_ns for w in run.workers) / 1e9 for run in runs],
            [stats.max_interval_ns / 1e6 for stats in sampled],
            [stats.achieved_hz for stats in sampled],
            [run.probe.chunk for run in runs if run.probe])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--times", type=int, default=5)
    args = parser.parse_args(argv)
    sides = {True: [], False: []}
    with tempfile.TemporaryDirectory(prefix="gilviz-overhead-") as scratch:
        for index in range(args.times):
            for spare in ((True, False) if index % 2 == 0 else (False, True)):
                out_dir = os.path.join(scratch, "%d-%s" % (index, spare))
                sides[spare].append(one_run(out_dir, spare))
    print("gilviz countdown --threads 4 --timings · %d fresh runs a side, in interleaved pairs"
          % args.times)
    rows = [stages for stages, _, _ in sides[True]]
    for label in rows[0]:
        print("  %-42s %s" % (label, spread([row.get(label, 0.0) for row in rows])))
    beyond = {spare: [stages[BEYOND] for stages, _, _ in runs] for spare, runs in sides.items()}
    ratios = [a / b for a, b in zip(beyond[True], beyond[False])]
    loads = {spare: [load_figures(log.runs)[0] for _, _, log in runs]
             for spare, runs in sides.items()}
    print("pairs, beyond the runs with | without spare work (other load during their runs, "
          "cores):")
    print("  " + "  ".join("%.2f|%.2f s (%.2f|%.2f)" % (a, b, la, lb) for a, b, la, lb in zip(
        beyond[True], beyond[False], loads[True], loads[False])))
    print("without the spare work: beyond the runs %s; with/without: median of pairs %.2fx,"
          " ratio of minima %.2fx" % (spread(beyond[False]), statistics.median(ratios),
                                      min(beyond[True]) / min(beyond[False])))
    print("\nthe runs themselves, with spare work | without:")
    for backend in ("serial", "threads"):
        with_, without = (run_figures([log for _, _, log in sides[s]], backend)
                          for s in (True, False))
        for name, unit, digits, a, b in zip(
                ("wall", "workers' CPU", "sampler's longest pause", "sampler's rate",
                 "probe chunk"), ("s", "s", "ms", "Hz", ""), (3, 3, 1, 0, 0), with_, without):
            if a and b:
                print("  %-7s %-23s %s | %s   ratio of medians %.3f" % (
                    backend, name, spread(a, unit, digits), spread(b, unit, digits),
                    statistics.median(a) / statistics.median(b)))
    for spare in (True, False):
        cpu = [cpu for _, cpu, _ in sides[spare]]
        print("gilviz's CPU from go to done, %s spare work: %s" % (
            "with" if spare else "without",
            "; ".join("%s %s" % (label, spread([row[label] for row in cpu]))
                      for label in cpu[0])))
    other = loads[True] + loads[False]
    print("\n%-26s | %-26s | %-3s | %s" % ("goal", "measured", "met",
                                          "other load during the runs"))
    print("%-26s | %-26s | %-3s | %s" % (
        "beyond the runs <= %.1f s" % GOAL_S,
        "median %.2f s (min %.2f)" % (statistics.median(beyond[True]), min(beyond[True])),
        "yes" if statistics.median(beyond[True]) <= GOAL_S else "no",
        spread(other, "cores", 2)))
    main_thread = [cpu[MAIN_THREAD_CPU] for _, cpu, _ in sides[True]]
    print("%-26s | %-26s | %-3s |" % (
        "main thread, go to done", "max %.3f s (6 runs)" % max(main_thread),
        "yes" if max(main_thread) <= MAIN_THREAD_GOAL_S else "no"))
    print("  (<= %.2f s: it only waits while the targets run; the spare work is done between "
          "runs)" % MAIN_THREAD_GOAL_S)


if __name__ == "__main__":
    main()
