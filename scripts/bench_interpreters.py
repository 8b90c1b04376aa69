"""Does gilviz tell the old GIL, the new GIL and no GIL as they are?

For each interpreter, the ratio threads / serial of the countdown is
measured two ways in one session, interleaved round by round so that drift
of the machine's speed hits both alike:

  plain   the countdown timed without gilviz: a fresh process of that
          interpreter runs the seed's loop in one thread, then split between
          N threads started together, and prints both wall times;
  gilviz  the same work through gilviz (run_target, probed by default): the
          serial baseline and the N-thread run, each a fresh target, their
          wall times from the release to the last worker's stop.

Each round gives one ratio of each kind; printed are the median over the
rounds with its distribution-free 95 % interval, the range, the ratio of the
minima (the quietest runs), and how far the gilviz ratio is from the plain
one (goal: within 15 %). The plain loop is written for 2.7 and 3.x alike.

    python scripts/bench_interpreters.py [--count 1e7] [--threads 2] [--rounds 7]
        [--no-probe] [--python PATH ...]   (default: pyenv's 2.7 and 3.13, and a
                                            free-threaded 3.13t where found)
"""

import argparse
import glob
import json
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

from bench_probe import median_interval  # noqa: E402
from gilviz.analysis import wall_ns  # noqa: E402
from gilviz.api.options import interpreter, python_facts, work_size  # noqa: E402
from gilviz.log import RunSpec  # noqa: E402
from gilviz.measure.runner import run_target  # noqa: E402

# The countdown without gilviz, in the syntax of 2.7 and 3.x: serial in one
# worker thread (as gilviz's serial baseline), then split between N threads.
PLAIN = r"""
import json, sys, threading, time
def countdown(n):
    while n > 0:
        n -= 1
def timed(shares):
    threads = [threading.Thread(target=countdown, args=(share,)) for share in shares]
    began = time.time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.time() - began
count, workers = int(sys.argv[1]), int(sys.argv[2])
base, extra = divmod(count, workers)
shares = [base + (1 if i < extra else 0) for i in range(workers)]
print(json.dumps({"serial": timed([count]), "threads": timed(shares)}))
"""
FREE_THREADED = "/root/.cache/gilviz-pythons/3.13t/bin/python3.13t"
AGREEMENT_GOAL = 0.15


def default_pythons():
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    found = []
    for pattern in ("2.7.*", "3.13.*"):
        found += sorted(glob.glob(os.path.join(root, "versions", pattern, "bin", "python")))[-1:]
    if os.path.exists(FREE_THREADED):
        found.append(FREE_THREADED)
    return found


def plain_ratio(python, count, workers):
    answer = subprocess.run([python, "-c", PLAIN, str(count), str(workers)],
                            capture_output=True, text=True, check=True, timeout=600)
    times = json.loads(answer.stdout)
    return times["threads"] / times["serial"]


def gilviz_ratio(python, count, workers, probe):
    spec = RunSpec(kernel="countdown", backend="serial", workers=1, work=count, probe=probe,
                   python=python, sample_hz=1000.0)
    serial = run_target(spec, timeout_s=600)
    threads = run_target(spec._replace(backend="threads", workers=workers), timeout_s=600)
    return wall_ns(threads) / wall_ns(serial)


def describe(ratios):
    ratios = np.asarray(ratios)
    low, high = median_interval(ratios)
    return "median %.2fx  95%% CI %.2f-%.2f  range %.2f-%.2f" % (
        np.median(ratios), low, high, ratios.min(), ratios.max())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=work_size, default=10**7)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--no-probe", action="store_true")
    parser.add_argument("--python", action="append", type=interpreter)
    args = parser.parse_args()
    pythons = args.python or [interpreter(path) for path in default_pythons()]
    plain = {python: [] for python in pythons}
    measured = {python: [] for python in pythons}
    for number in range(args.rounds):
        for python in pythons:
            # Alternate which comes first, so that neither always follows the other.
            steps = [(plain, lambda: plain_ratio(python, args.count, args.threads)),
                     (measured, lambda: gilviz_ratio(python, args.count, args.threads,
                                                     not args.no_probe))]
            for results, measure in steps[::1 if number % 2 == 0 else -1]:
                results[python].append(measure())
        print("round %d/%d done" % (number + 1, args.rounds), file=sys.stderr, flush=True)

    print("countdown %s, %d threads over serial, %d rounds, gilviz %s; load average %s"
          % (format(args.count, ","), args.threads, args.rounds,
             "without the probe" if args.no_probe else "probed",
             " ".join("%.1f" % each for each in os.getloadavg())))
    for python in pythons:
        facts = python_facts(python)
        name = "%d.%d%s" % (facts.version + ("t" if facts.free_threaded else "",))
        ratio_plain, ratio_gilviz = np.median(plain[python]), np.median(measured[python])
        minima = min(measured[python]) / min(plain[python])
        off = ratio_gilviz / ratio_plain - 1
        print("%-6s plain  %s" % (name, describe(plain[python])))
        print("%-6s gilviz %s" % ("", describe(measured[python])))
        print("%-6s gilviz / plain: medians %+.0f%%, ratio of minima %.2f -> %s"
              % ("", 100 * off, minima,
                 "within %.0f %%" % (100 * AGREEMENT_GOAL) if abs(off) <= AGREEMENT_GOAL
                 else "NOT within %.0f %%" % (100 * AGREEMENT_GOAL)))


if __name__ == "__main__":
    main()
