"""What measuring costs: the probe's distortion and the sampler's perturbation.

Speeds on a shared VM drift by tens of percent from second to second, so
every comparison here is made of runs next to each other, in alternating
order, and reported as the ratio B/A: its median over the pairs, a
distribution-free 95 % confidence interval of that median, the range, and
the ratio of the fastest B to the fastest A. A ratio of 1.02 means B took 2 %
longer. The probe's goals are printed at the end beside what was measured.

  0. probe cost in instructions: callgrind's count of instructions executed
     by the plain and the probed countdown (same work, chunk as calibrated
     here), above the interpreter's start-up; deterministic, whatever the
     machine is doing, but it does not predict wall time (the interpreter's
     branch prediction does more). Under valgrind every chunk takes longer
     than the gap threshold, so that run's threshold is set out of reach: the
     count is of the probe's steady path, as in a real run. Needs valgrind.
  1. probe distortion, in one process: the seed's countdown against the
     probed countdown (with its real Probe: turn cell, run_delay reads),
     alternately, many short pairs. Called again and again, both get
     specialized (CPython 3.11+), which a fresh target's single call is not
     on 3.11: a companion figure, not the goal.
  2. probe distortion through gilviz, the goal: fresh targets started by the
     runner, serial and 4 threads, each with and without the probe, the four
     in turn each round (the serial worker's start-to-stop time; the 4
     threads' wall, release to last stop). From the same runs: the edges
     (held time per clock read), overlaps of holds under one GIL, and the
     4-thread time over the serial time with the probe against without it
     (the goal on a free-threaded build).
  3. sampler perturbation through gilviz: the main job (4 threads, probed)
     and 4 processes with the sampler at --sample-hz against without it
     (the run's wall time, release to last stop).

    python scripts/bench_probe.py [--count 1e7] [--pairs 25] [--python PATH] [--no-sampler]
"""

import argparse
import math
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

from gilviz.agent.kernels import calibrate_chunk, countdown, countdown_probed  # noqa: E402
from gilviz.agent.probe import Probe  # noqa: E402
from gilviz.analysis import overlap_ns, probe_resolution_ns, wall_ns  # noqa: E402
from gilviz.analysis.load import (  # noqa: E402
    OTHER_LOAD_MEAN, OTHER_LOAD_PEAK, OTHER_LOAD_WINDOW_NS, load_figures)
from gilviz.cli.flags import interpreter, work_size  # noqa: E402
from gilviz.log import RunSpec  # noqa: E402
from gilviz.measure.runner import PROBE_CHUNK_TARGET_NS, PROBE_GAP_NS, run_target  # noqa: E402


def median_interval(ratios, confidence_z=1.96):
    """A distribution-free ~95 % confidence interval of the median: the order
    statistics whose ranks lie z*sqrt(n)/2 either side of the middle."""
    ordered = np.sort(ratios)
    n = len(ordered)
    half_width = confidence_z * math.sqrt(n) / 2
    low = max(0, int(math.floor(n / 2 - half_width)))
    high = min(n - 1, int(math.ceil(n / 2 + half_width)) - 1)
    return ordered[low], ordered[high]


def describe(ratios, minima=None):
    low, high = median_interval(ratios)
    text = "median %.3f  95%% CI %.3f-%.3f  range %.3f-%.3f  (%d pairs)" % (
        np.median(ratios), low, high, ratios.min(), ratios.max(), len(ratios))
    if minima is not None:
        text += "  minima %.3f" % minima
    return text


def in_rounds(rounds, measures):
    """Each of `measures` (name: function returning a number) once a round,
    in turn, the order reversed every other round; their values by name."""
    values = {name: [] for name in measures}
    names = list(measures)
    for each in range(rounds):
        for name in (names if each % 2 == 0 else names[::-1]):
            values[name].append(measures[name]())
        if each % 5 == 4:
            print(".", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return {name: np.asarray(value, dtype=float) for name, value in values.items()}


def abba(pairs, measure_a, measure_b):
    """measure_b() / measure_a() for `pairs` pairs in A B B A order."""
    ratios = []
    for pair in range(pairs):
        if pair % 2 == 0:
            a, b = measure_a(), measure_b()
        else:
            b, a = measure_b(), measure_a()
        ratios.append(b / a)
        if pair % 5 == 4:
            print(".", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return np.asarray(ratios)


INSTRUCTIONS_SCRIPT = """
import sys
sys.path.insert(0, %r)
from gilviz.agent.kernels import countdown, countdown_probed
from gilviz.agent.probe import Probe
mode, n, chunk = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
probe = Probe(chunk, 10**18, [None], 0)  # built in every mode: start-up counts it once
if mode == "plain":
    countdown(n)
elif mode == "probed":
    countdown_probed(n, probe)
probe.close()
""" % os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir)


def instructions(python, mode, count, chunk):
    """Instructions callgrind counts for one run of INSTRUCTIONS_SCRIPT."""
    result = subprocess.run(
        # --trace-children: an interpreter may be a script that execs the binary
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", "--trace-children=yes",
         python, "-c", INSTRUCTIONS_SCRIPT, mode, str(count), str(chunk)],
        capture_output=True, text=True, check=True,
        env=dict(os.environ, PYTHONHASHSEED="0"))  # dicts laid out alike in each run
    return int(re.search(r"Collected : (\d+)", result.stderr).group(1))


def probe_instructions(python, count, chunk):
    """Probed over plain countdown, in instructions above start-up."""
    start_up = instructions(python, "none", 0, chunk)
    plain = instructions(python, "plain", count, chunk) - start_up
    return (instructions(python, "probed", count, chunk) - start_up) / plain


def in_process_probe_distortion(count, pairs):
    chunk = calibrate_chunk(PROBE_CHUNK_TARGET_NS)

    def plain():
        began = time.perf_counter_ns()
        countdown(count)
        return time.perf_counter_ns() - began

    def probed():
        probe = Probe(chunk, PROBE_GAP_NS, [None], 0)
        began = time.perf_counter_ns()
        countdown_probed(count, probe)
        took = time.perf_counter_ns() - began
        probe.close()
        return took

    return abba(pairs, plain, probed)


PROBE_COST_GOAL = 0.05
"""Probed over plain, serial and 4 threads: the median and the ratio of minima within 5 %."""
EDGE_GOAL_NS = 10_000
FREE_THREADED_SCALING_GOAL = 0.10
"""Free-threaded build: the probed 4-thread/serial ratio within 10 % of the plain one's."""


def probe_cost_through_gilviz(args, spec):
    """Serial and 4 threads, plain and probed, in rounds: times, probed runs
    and every run."""
    probed_runs = {"serial": [], "threads": []}
    every_run = []

    def measure(backend, workers, probe):
        def one():
            run = run_target(spec(backend, workers, probe, 0))
            every_run.append(run)
            if probe:
                probed_runs[backend].append(run)
            if backend == "serial":
                return run.workers[0].stop_ns - run.workers[0].start_ns
            return wall_ns(run)
        return one

    times = in_rounds(args.pairs, {
        "serial plain": measure("serial", 1, False),
        "serial probed": measure("serial", 1, True),
        "threads plain": measure("threads", 4, False),
        "threads probed": measure("threads", 4, True),
    })
    return times, probed_runs, every_run


def within(value, goal):
    return "met" if abs(value - 1) <= goal else "not met"


def goal_rows(times, probed_runs, gil_enabled):
    """(goal, measured, verdict) for each of the probe's goals."""
    rows = []
    for backend, label in (("serial", "serial"), ("threads", "4 threads")):
        plain, probed = times[backend + " plain"], times[backend + " probed"]
        ratios = probed / plain
        low, high = median_interval(ratios)
        median = float(np.median(ratios))
        rows.append(("probed/plain %s, median of %d pairs, within +-5 %%" % (label, len(ratios)),
                     "%.3f (95 %% CI %.3f-%.3f)" % (median, low, high),
                     within(median, PROBE_COST_GOAL)))
        minima = probed.min() / plain.min()
        rows.append(("probed/plain %s, ratio of minima, within +-5 %%" % label,
                     "%.3f" % minima, within(minima, PROBE_COST_GOAL)))
    runs = probed_runs["serial"] + probed_runs["threads"]
    edges = [probe_resolution_ns(run) for run in runs]
    edges = [edge for edge in edges if edge is not None]
    if edges:
        rows.append(("probe edges (held time per clock read) <= %d us" % (EDGE_GOAL_NS // 1000),
                     "median %.1f us, largest %.1f us" % (np.median(edges) / 1e3,
                                                          max(edges) / 1e3),
                     "met" if max(edges) <= EDGE_GOAL_NS else "not met"))
    if gil_enabled:
        overlaps = [overlap_ns(run.holds.start_ns, run.holds.stop_ns)
                    for run in probed_runs["threads"]]
        rows.append(("no two holds of one GIL overlap (4 threads)",
                     "%d ns in %d runs" % (sum(overlaps), len(overlaps)),
                     "met" if sum(overlaps) == 0 else "not met"))
    scaling = ((times["threads probed"] / times["serial probed"])
               / (times["threads plain"] / times["serial plain"]))
    low, high = median_interval(scaling)
    rows.append(("free-threaded: probed 4-thread/serial ratio within 10 % of --no-probe's",
                 "%.3f (95 %% CI %.3f-%.3f)" % (np.median(scaling), low, high),
                 "n/a (GIL build)" if gil_enabled
                 else within(float(np.median(scaling)), FREE_THREADED_SCALING_GOAL)))
    return rows


def print_other_load(runs):
    figures = load_figures(runs)
    if figures is None:
        print("other load during the fresh targets' runs: not read")
        return
    mean, peak, steal = figures
    print("other load during the fresh targets' runs: %.2f cores on average, %.2f at most "
          "over %d ms, steal %.2f cores (%d runs)"
          % (mean, peak, OTHER_LOAD_WINDOW_NS // 1_000_000, steal, len(runs)))
    if mean > OTHER_LOAD_MEAN or peak >= OTHER_LOAD_PEAK:
        print("the machine was not quiet (gilviz's own rule: %.2f cores on average or %.1f at "
              "most): the wall-time verdicts below are not to be trusted"
              % (OTHER_LOAD_MEAN, OTHER_LOAD_PEAK))


def print_table(rows):
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for row in [("goal", "measured", "verdict")] + rows:
        print("  " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=work_size, default=10_000_000,
                        help="countdown iterations a run through gilviz (default 1e7)")
    parser.add_argument("--pairs", type=int, default=25,
                        help="pairs a comparison through gilviz (default 25)")
    parser.add_argument("--short-count", type=work_size, default=1_000_000,
                        help="iterations a run of the in-process comparison (default 1e6)")
    parser.add_argument("--short-pairs", type=int, default=201)
    parser.add_argument("--sample-hz", type=float, default=1000.0)
    parser.add_argument("--no-sampler", action="store_true",
                        help="skip the sampler's perturbation (3.)")
    parser.add_argument("--python", type=interpreter, default=sys.executable)
    args = parser.parse_args()

    def spec(backend, workers, probe, sample_hz):
        return RunSpec(kernel="countdown", backend=backend, workers=workers, work=args.count,
                       probe=probe, python=args.python, sample_hz=sample_hz)

    def run_measure(one_spec, measure):
        return lambda: measure(run_target(one_spec))

    facts = run_target(spec("serial", 1, True, 0))
    print("gilviz measurement cost · %s %s%s (%s) · %d cores · %s" % (
        facts.interpreter.implementation, facts.interpreter.version,
        "" if facts.interpreter.gil_enabled else " (free-threaded)", args.python,
        facts.interpreter.cpu_count, " ".join(sys.argv[1:]) or "defaults"))
    if shutil.which("valgrind"):
        chunk = facts.probe.chunk
        print("probe cost in instructions, chunk %d (as calibrated), %s iterations: "
              "probed / plain %.4f (callgrind)" % (
                  chunk, format(args.short_count, ","),
                  probe_instructions(args.python, args.short_count, chunk)))
    else:
        print("probe cost in instructions: skipped, no valgrind")
    if os.path.realpath(args.python) == os.path.realpath(sys.executable):
        ratios = in_process_probe_distortion(args.short_count, args.short_pairs)
        print("probe distortion, one process, %s iterations:     %s"
              % (format(args.short_count, ","), describe(ratios)))
    times, probed_runs, every_run = probe_cost_through_gilviz(args, spec)
    for backend, label in (("serial", "serial:   "), ("threads", "4 threads:")):
        plain, probed = times[backend + " plain"], times[backend + " probed"]
        print("probe distortion, fresh targets, %s %s  %s" % (
            label, format(args.count, ","),
            describe(probed / plain, probed.min() / plain.min())))
    if not args.no_sampler:
        for backend in ("threads", "processes"):
            ratios = abba(args.pairs, run_measure(spec(backend, 4, True, 0), wall_ns),
                          run_measure(spec(backend, 4, True, args.sample_hz), wall_ns))
            print("sampler perturbation, %4.0f Hz / off, 4 %-10s    %s"
                  % (args.sample_hz, backend + ":", describe(ratios)))
    print_other_load(every_run)
    print("the probe's goals:")
    print_table(goal_rows(times, probed_runs, facts.interpreter.gil_enabled))


if __name__ == "__main__":
    main()
