"""Figures the scheduler decides, measured rather than asserted in tests.

- hand-offs with a 0.5 ms and a 20 ms switch interval (2 countdown threads,
  the same work), alternately: their ratio, at most the intervals' ratio of 40
  (fewer when turns end early, or the run is short beside a 20 ms turn);
- the convoy's CPU thread: how much of its 1e8 countdown it had done when the
  I/O thread's client finished (it stops then);
- the sampler at 1 kHz beside 4 countdown threads: the rate it achieved.

    python scripts/bench_scheduler.py [--pairs N]
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

from gilviz.analysis import summarize  # noqa: E402
from gilviz.log import RunSpec  # noqa: E402
from gilviz.measure.runner import run_target  # noqa: E402


def countdown(**fields):
    spec = dict(kernel="countdown", backend="threads", workers=2, work=4_000_000, probe=True,
                python=sys.executable, sample_hz=0)
    spec.update(fields)
    return RunSpec(**spec)


def spread(values, unit=""):
    values = np.asarray(values, dtype=float)
    return "median %.3g%s (%.3g–%.3g over %d)" % (np.median(values), unit, values.min(),
                                                 values.max(), len(values))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=5, help="runs of each kind (default: 5)")
    args = parser.parse_args(argv)

    ratios = []
    for _ in range(args.pairs):
        short = summarize(run_target(countdown(switch_interval_s=0.0005))).handoffs
        long = summarize(run_target(countdown(switch_interval_s=0.02))).handoffs
        ratios.append(short / max(long, 1))
    print("hand-offs, 0.5 ms / 20 ms switch interval: %s (at most 40, the intervals' ratio)"
          % spread(ratios, "x"))

    done = []
    for _ in range(args.pairs):
        run = run_target(RunSpec(kernel="convoy", backend="threads", workers=2, work=2 * 10**8,
                                 probe=True, python=sys.executable, sample_hz=0,
                                 params={"requests": 50, "size": 32, "pause_s": 0.0002,
                                         "time_limit_s": 60}))
        done.append(run.workers[1].work / 1e8)
    print("convoy: share of its 1e8 countdown the CPU thread did before the client was done: %s"
          % spread(done))

    rates = []
    for _ in range(args.pairs):
        run = run_target(countdown(workers=4, work=10_000_000, sample_hz=1000))
        rates.append(run.sampler.achieved_hz)
    print("sampler at 1 kHz beside 4 countdown threads: %s" % spread(rates, " Hz"))


if __name__ == "__main__":
    main()
