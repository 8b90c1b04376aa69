"""What measuring costs: the probe's distortion and the sampler's perturbation.

Speeds on a shared VM drift by tens of percent from second to second, so
every comparison here is made of pairs run next to each other, in A B B A
order, and reported as the ratio B/A: its median over the pairs, a
distribution-free 95 % confidence interval of that median, and the range.
A ratio of 1.02 means B took 2 % longer.

  0. probe cost in instructions: callgrind's count of instructions executed
     by the plain and the probed countdown (same work, chunk as calibrated
     here), above the interpreter's start-up; deterministic, whatever the
     machine is doing. Under valgrind every chunk takes longer than the gap
     threshold, so that run's threshold is set out of reach: the count is of
     the probe's steady path, as in a real run. Needs valgrind.
  1. probe distortion, in one process: the seed's countdown against the
     probed countdown (with its real Probe: turn cell, run_delay reads),
     alternately, many short pairs; no process start or page faults between
     the two sides of a pair.
  2. probe distortion through gilviz: the same, each run a fresh target
     process started by the runner (the worker's start-to-stop time).
  3. sampler perturbation through gilviz: the main job (4 threads, probed)
     and 4 processes with the sampler at --sample-hz against without it
     (the run's wall time, release to last stop).

    python scripts/bench_probe.py [--count 1e7] [--pairs 25] [--python PATH]
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
from gilviz.analysis import wall_ns  # noqa: E402
from gilviz.cli.parser import interpreter, work_size  # noqa: E402
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


def describe(ratios):
    low, high = median_interval(ratios)
    return "median %.3f  95%% CI %.3f-%.3f  range %.3f-%.3f  (%d pairs)" % (
        np.median(ratios), low, high, ratios.min(), ratios.max(), len(ratios))


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
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         python, "-c", INSTRUCTIONS_SCRIPT, mode, str(count), str(chunk)],
        capture_output=True, text=True, check=True)
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
    parser.add_argument("--python", type=interpreter, default=sys.executable)
    args = parser.parse_args()

    def spec(backend, workers, probe, sample_hz):
        return RunSpec(kernel="countdown", backend=backend, workers=workers, work=args.count,
                       probe=probe, python=args.python, sample_hz=sample_hz)

    def run_measure(one_spec, measure):
        return lambda: measure(run_target(one_spec))

    def worker_wall(run):
        return run.workers[0].stop_ns - run.workers[0].start_ns

    facts = run_target(spec("serial", 1, True, 0))
    print("gilviz measurement cost · %s %s · %d cores · %s" % (
        facts.interpreter.implementation, facts.interpreter.version,
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
    ratios = abba(args.pairs, run_measure(spec("serial", 1, False, 0), worker_wall),
                  run_measure(spec("serial", 1, True, 0), worker_wall))
    print("probe distortion, fresh targets, %s iterations:  %s"
          % (format(args.count, ","), describe(ratios)))
    for backend in ("threads", "processes"):
        ratios = abba(args.pairs, run_measure(spec(backend, 4, True, 0), wall_ns),
                      run_measure(spec(backend, 4, True, args.sample_hz), wall_ns))
        print("sampler perturbation, %4.0f Hz / off, 4 %-10s    %s"
              % (args.sample_hz, backend + ":", describe(ratios)))


if __name__ == "__main__":
    main()
