"""What the probe does to the convoy's figures.

Runs the convoy's I/O thread beside one CPU thread with the probe and
without it, alternately, ROUNDS times (sampler off, so only the probe
differs), and prints each side's median request latency and throughput, and
the ratio probed / plain pair by pair (median and spread).

    python scripts/bench_convoy_probe.py [ROUNDS] [REQUESTS]
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

from gilviz.analysis import convoy_case  # noqa: E402 (path set above)
from gilviz.log import CONVOY_IO_WORKER, RunSpec  # noqa: E402
from gilviz.measure.runner import run_target  # noqa: E402


def convoy_latency(probe, requests):
    """(median, p99 latency in ns, answered a second) of one run with a CPU thread."""
    spec = RunSpec(kernel="convoy", backend="threads", workers=2, work=2 * 10**9, probe=probe,
                   python=sys.executable, sample_hz=0,
                   params={"requests": requests, "size": 32, "pause_s": 0.001,
                           "time_limit_s": 60})
    case = convoy_case(run_target(spec), CONVOY_IO_WORKER)
    return case.latency.median_ns, case.latency.p99_ns, case.per_second


def spread(ratios):
    ratios = np.asarray(ratios)
    return "%.2f× (%.2f–%.2f× over %d pairs)" % (np.median(ratios), ratios.min(), ratios.max(),
                                                 len(ratios))


def main(argv):
    rounds = int(argv[0]) if argv else 5
    requests = int(argv[1]) if len(argv) > 1 else 100
    results = {True: [], False: []}
    for number in range(rounds):
        for probe in (False, True):  # alternately, so that drift hits both alike
            results[probe].append(convoy_latency(probe, requests))
        print("round %d: median latency plain %.2f ms, probed %.2f ms"
              % (number + 1, results[False][-1][0] / 1e6, results[True][-1][0] / 1e6))
    for probe, name in ((False, "plain "), (True, "probed")):
        print("%s: median latency %.2f ms, p99 %.2f ms, %.0f answered/s (medians of %d runs)"
              % ((name,) + tuple(np.median(results[probe], axis=0) * (1e-6, 1e-6, 1))
                 + (rounds,)))
    pairs = list(zip(results[True], results[False]))
    print("probed / plain, median latency: " + spread([p[0] / q[0] for p, q in pairs]))
    print("probed / plain, throughput:     " + spread([p[2] / q[2] for p, q in pairs]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
