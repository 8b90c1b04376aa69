"""What measuring costs: the probe's distortion and the sampler's perturbation.

In one run, alternating A B B A so that drift of the machine's speed hits
both sides alike, each pair in fresh target processes:

  1. probe distortion: the plain countdown (the seed's loop) against the
     probed one, same work, one worker, sampler off; the worker's own wall
     time (start to stop) is compared.
  2. sampler perturbation: the main job (4 threads, probed) and 4 processes,
     with the sampler at --sample-hz against without it; the run's wall time
     (release to last stop) is compared.

Prints, per comparison, the ratio B/A over the pairs: median, quartiles,
range. A ratio of 1.02 means B took 2 % longer.

    python scripts/bench_probe.py [--count 1e7] [--pairs 15] [--python PATH]
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

from gilviz.analysis import wall_ns  # noqa: E402
from gilviz.cli import interpreter, work_size  # noqa: E402
from gilviz.log import RunSpec  # noqa: E402
from gilviz.runner import run_target  # noqa: E402


def worker_wall_ns(run):
    worker = run.workers[0]
    return worker.stop_ns - worker.start_ns


def paired_ratios(spec_a, spec_b, pairs, measure):
    """measure(B) / measure(A) for `pairs` pairs run in A B B A order."""
    ratios = []
    for pair in range(pairs):
        order = (spec_a, spec_b) if pair % 2 == 0 else (spec_b, spec_a)
        walls = {id(spec): measure(run_target(spec)) for spec in order}
        ratios.append(walls[id(spec_b)] / walls[id(spec_a)])
        print(".", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return np.asarray(ratios)


def describe(ratios):
    q1, median, q3 = np.percentile(ratios, [25, 50, 75])
    return "median %.3f  quartiles %.3f-%.3f  range %.3f-%.3f  (%d pairs)" % (
        median, q1, q3, ratios.min(), ratios.max(), len(ratios))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=work_size, default=10_000_000)
    parser.add_argument("--pairs", type=int, default=15)
    parser.add_argument("--sample-hz", type=float, default=1000.0)
    parser.add_argument("--python", type=interpreter, default=sys.executable)
    args = parser.parse_args()

    def spec(backend, workers, probe, sample_hz):
        return RunSpec(kernel="countdown", backend=backend, workers=workers, work=args.count,
                       probe=probe, python=args.python, sample_hz=sample_hz)

    facts = run_target(spec("serial", 1, False, 0))
    print("gilviz measurement cost · %s %s · %d cores · count %s · %s" % (
        facts.interpreter.implementation, facts.interpreter.version, facts.interpreter.cpu_count,
        format(args.count, ","), " ".join(sys.argv[1:]) or "defaults"))

    probe = paired_ratios(spec("serial", 1, False, 0), spec("serial", 1, True, 0),
                          args.pairs, worker_wall_ns)
    print("probe distortion     probed / plain countdown, 1 worker:    " + describe(probe))
    for backend in ("threads", "processes"):
        ratios = paired_ratios(spec(backend, 4, True, 0), spec(backend, 4, True, args.sample_hz),
                               args.pairs, wall_ns)
        print("sampler perturbation %4.0f Hz / off, 4 %-10s          %s"
              % (args.sample_hz, backend + ":", describe(ratios)))


if __name__ == "__main__":
    main()
