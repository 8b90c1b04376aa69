"""The rate the sampler reaches beside more busy processes than cores.

Fresh targets through gilviz: a countdown split between --processes worker
processes (64 by default, on this machine's cores), sampled at --sample-hz.
Each run prints the rate reached, what a round cost the sampler in CPU time,
how long it waited for a CPU a round (its own run_delay: the scheduler's
share of the shortfall), its rounds that came late, and the other processes'
mean CPU use during the run (cores), as the rate depends on it. Then goal |
measured | met over the runs.

    python scripts/bench_sampler_rate.py [--runs 5] [--processes 64] [--count 2e8]
"""

import argparse
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir))

from gilviz.analysis import wall_ns  # noqa: E402  (path set just above)
from gilviz.cli.flags import work_size  # noqa: E402
from gilviz.log import RunSpec  # noqa: E402
from gilviz.measure.runner import run_target  # noqa: E402
from gilviz.measure.sampler import DEFAULT_HZ  # noqa: E402

GOAL_HZ = 500.0


def one_run(args):
    """(Hz, CPU us a round, wait us a round, late rounds, other cores, wall s) of one run."""
    spec = RunSpec(kernel="countdown", backend="processes", workers=args.processes,
                   work=args.count, probe=True, python=sys.executable, sample_hz=args.sample_hz)
    run = run_target(spec)
    stats = run.sampler
    rounds = max(stats.ticks, 1)
    waited = stats.cpu_wait_ns / rounds / 1e3 if stats.cpu_wait_ns is not None else float("nan")
    return (stats.achieved_hz, stats.cpu_ns / rounds / 1e3, waited, stats.late_ticks,
            float(np.nanmean(run.load.other)), wall_ns(run) / 1e9)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--processes", type=int, default=64)
    parser.add_argument("--count", type=work_size, default=200_000_000)
    parser.add_argument("--sample-hz", type=float, default=DEFAULT_HZ)
    args = parser.parse_args(argv)
    print("sampler rate · countdown %s iterations, %d processes on %d cores · %.0f Hz asked"
          % (format(args.count, ","), args.processes, os.cpu_count(), args.sample_hz))
    print("%4s %8s %14s %15s %6s %13s %7s" % ("run", "Hz", "CPU us/round", "wait us/round",
                                               "late", "other cores", "wall s"))
    rows = []
    for number in range(args.runs):
        rows.append(one_run(args))
        print("%4d %8.0f %14.1f %15.1f %6d %13.2f %7.1f" % ((number + 1,) + rows[-1]),
              flush=True)
    hz, cost, waited, _, other, _ = np.asarray(rows).T
    print("medians: %.0f Hz (range %.0f-%.0f), %.1f us CPU a round, %.1f us waited a round; "
          "other processes %.2f cores (range %.2f-%.2f)"
          % (np.median(hz), hz.min(), hz.max(), np.median(cost), np.median(waited),
             np.median(other), other.min(), other.max()))
    print("%-34s | %-30s | %s" % ("goal", "measured", "met"))
    print("%-34s | %-30s | %s" % ("rate >= %.0f Hz (median of runs)" % GOAL_HZ,
                                  "%.0f Hz" % np.median(hz),
                                  "yes" if np.median(hz) >= GOAL_HZ else "no"))
    print("%-34s | %-30s | %s" % ("rate >= %.0f Hz (slowest run)" % GOAL_HZ, "%.0f Hz" % hz.min(),
                                  "yes" if hz.min() >= GOAL_HZ else "no"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
