"""What reading a CPython 3.15 target's own GIL flags costs, and how well
they agree with the probe.

Interleaved pairs of fresh targets: the same countdown on N threads with the
flag reader at 2 kHz (measure/gilflags.py) and without it, the sampler at
1 kHz in both. Printed: the median ratio of wall times with its
distribution-free 95 % interval, the range, the ratio of the minima, the
reader's CPU (in cores), how often the probe's holds and the flags agree on
who held the GIL, and the other load the runs saw. Goals: at most +3 % where
a core is free for the reader (4 threads under the GIL keep one core busy);
agreement at least 98 % at the default switch interval.

    python scripts/bench_flags.py [--python PY315] [--threads 4] [--pairs 15]
        [--count 1e7]
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

from bench_probe import median_interval  # noqa: E402
from gilviz.analysis import load_figures, summarize, wall_ns  # noqa: E402
from gilviz.cli.flags import interpreter, work_size, worker_count  # noqa: E402
from gilviz.log import RunSpec  # noqa: E402
from gilviz.measure import gilflags, runner  # noqa: E402

QUIET_LOAD = 0.1


def measured(spec, flags):
    """A run of `spec`, with or without the flag reader."""
    start = runner.start_reader
    runner.start_reader = start if flags else (lambda *args, **kwargs: None)
    try:
        return runner.run_target(spec)
    finally:
        runner.start_reader = start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", type=interpreter,
                        default=os.path.expanduser(
                            "~/.cache/gilviz-pythons/3.15-debian/python3.15"))
    parser.add_argument("--threads", type=worker_count, default=4)
    parser.add_argument("--pairs", type=int, default=15)
    parser.add_argument("--count", type=work_size, default=10**7)
    args = parser.parse_args()
    spec = RunSpec(kernel="countdown", backend="threads", workers=args.threads,
                   work=args.count, probe=True, python=args.python, sample_hz=1000.0)
    ratios, walls, agreement, reader_cores, loads = [], {True: [], False: []}, [], [], []
    for number in range(args.pairs):
        pair = {}
        for flags in ((True, False) if number % 2 == 0 else (False, True)):
            run = measured(spec, flags)
            pair[flags] = run
            walls[flags].append(wall_ns(run))
            figures = load_figures([run])
            loads.append(figures[0] if figures else float("nan"))
        ratios.append(wall_ns(pair[True]) / wall_ns(pair[False]))
        with_flags = pair[True]
        if with_flags.flag_reading is None:
            sys.exit("no flags were read: %s is not CPython 3.15+" % args.python)
        stats = summarize(with_flags)
        if stats.flag_agreement is not None:
            agreement.append(stats.flag_agreement.share)
        reader_cores.append(with_flags.flag_reading.cpu_ns / max(with_flags.end_ns, 1))
        print("pair %d/%d: %.3f" % (number + 1, args.pairs, ratios[-1]), file=sys.stderr)
    ratios = np.asarray(ratios)
    low, high = median_interval(ratios)
    load = float(np.nanmean(loads))
    print("countdown %s on %d threads, %s, %d interleaved pairs, flag reader at %.0f Hz"
          % (format(args.count, ","), args.threads, args.python, args.pairs, gilflags.FLAG_HZ))
    print("wall with / without the flag reader: median %+.1f %% (95 %% CI %+.1f to %+.1f %%), "
          "range %+.1f to %+.1f %%, minima %+.1f %%"
          % (100 * (np.median(ratios) - 1), 100 * (low - 1), 100 * (high - 1),
             100 * (ratios.min() - 1), 100 * (ratios.max() - 1),
             100 * (min(walls[True]) / min(walls[False]) - 1)))
    print("the reader's CPU: %.3f core (median)" % np.median(reader_cores))
    if agreement:
        print("probe and flags agree: median %.1f %% of reads (%.1f-%.1f %%)"
              % (100 * np.median(agreement), 100 * min(agreement), 100 * max(agreement)))
    print("other load: %.3f cores on average" % load)
    if load >= QUIET_LOAD:
        print("no verdict: the machine was not quiet")
        return
    print("goal +3 %% at most: %s; agreement 98 %% at least: %s" % (
        "met" if np.median(ratios) <= 1.03 else "not met",
        "met" if agreement and np.median(agreement) >= 0.98 else "not met"))


if __name__ == "__main__":
    main()
