"""What the sampler costs a 4-thread countdown, and what it costs itself.

Fresh targets through gilviz, in A B B A pairs: the sampler at the default
rate (B) against --sample-hz 0 (A), each run's wall time from the release to
the last worker's stop. Other jobs on a shared machine move speeds by tens of
percent, so the figure is the median ratio B/A over the pairs with its 95 %
interval, and the ratio of the minima; the other processes' mean CPU use
during the runs is printed beside it, as it says how far to trust them.

    python scripts/bench_sampler.py [--pairs 25] [--count 1e7] [--threads 4] [--sample-hz HZ]
"""

import argparse
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir))
sys.path.insert(0, HERE)

from bench_probe import abba, describe  # noqa: E402  (paths set just above)
from gilviz.analysis import wall_ns  # noqa: E402
from gilviz.cli.flags import work_size  # noqa: E402
from gilviz.log import RunSpec  # noqa: E402
from gilviz.measure.runner import run_target  # noqa: E402
from gilviz.measure.sampler import DEFAULT_HZ  # noqa: E402

GOAL_RATIO = 1.03


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=25)
    parser.add_argument("--count", type=work_size, default=10_000_000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--sample-hz", type=float, default=DEFAULT_HZ)
    args = parser.parse_args(argv)

    def spec(hz):
        return RunSpec(kernel="countdown", backend="threads", workers=args.threads,
                       work=args.count, probe=True, python=sys.executable, sample_hz=hz)

    walls = {0: [], args.sample_hz: []}
    other, rounds = [], []

    def measure(hz):
        def one():
            run = run_target(spec(hz))
            walls[hz].append(wall_ns(run))
            other.append(float(np.nanmean(run.load.other)))
            if run.sampler is not None and run.sampler.ticks:
                rounds.append((run.sampler.cpu_ns / run.sampler.ticks, run.sampler.achieved_hz))
            return wall_ns(run)
        return one

    ratios = abba(args.pairs, measure(0), measure(args.sample_hz))
    minima = min(walls[args.sample_hz]) / min(walls[0])
    cost, achieved = np.median(np.asarray(rounds), axis=0)
    print("sampler cost · countdown %s iterations, %d threads · %.0f Hz against off"
          % (format(args.count, ","), args.threads, args.sample_hz))
    print("other processes during the runs: mean %.2f cores (median of runs; range %.2f-%.2f)"
          % (np.median(other), min(other), max(other)))
    print("sampler: %.1f us CPU a round, %.0f Hz achieved (medians)" % (cost / 1e3, achieved))
    print("%-34s | %-52s | %s" % ("goal", "measured", "met"))
    print("%-34s | %-52s | %s" % ("wall with / without <= %.2f" % GOAL_RATIO, describe(ratios),
                                  "yes" if np.median(ratios) <= GOAL_RATIO else "no"))
    print("%-34s | %-52s | %s" % ("ratio of minima <= %.2f" % GOAL_RATIO, "%.3f" % minima,
                                  "yes" if minima <= GOAL_RATIO else "no"))


if __name__ == "__main__":
    main()
