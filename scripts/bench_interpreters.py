"""Does gilviz tell the old GIL, the new GIL and no GIL as they are, and what
does measuring cost?

For each interpreter and each thread count N, the ratio N threads / serial
of the countdown (wall times; the same work split between the threads) is
measured three ways, in rounds: each round runs all three for every
interpreter, their order reversed every other round, so that drift of the
machine's speed hits them alike.

  plain   the countdown without gilviz: a fresh process of the interpreter
          runs the loop in one worker thread, then split between N threads
          started together (each N in turn), and prints the wall times;
  gilviz  the same work through gilviz (run_target), as it measures by
          default: probed, the sampler at 1000 Hz. A fresh target for the
          serial baseline and one for each N; wall time from the release
          to the last worker's stop;
  bare    as gilviz, with probe=False and sample_hz=0: what gilviz minus
          bare shows is the cost of the probe and the sampler.

Per interpreter and N, each column gives the median ratio over the rounds
with its distribution-free 95 % interval, the range, and the ratio of the
minima (the fastest N-thread run over the fastest serial run: the quietest
runs); then gilviz against plain and against bare, by medians and by minima.

Other load, the CPU other processes used while a run ran, in cores on
average: for gilviz and bare from each run's log (run.load, which gilviz's
meter records in every run); for plain, measured here around the plain
process: the machine's busy time (psutil.cpu_times(): CPUs x wall minus idle,
iowait and steal, as gilviz's meter counts it) minus the plain process's CPU
time (its rusage) and this script's, over the wall time. A run shorter than
a few of the meter's 50 ms windows has no figure.

The goals: gilviz's median within 15 % of plain's; on a build without a GIL
(3.13t) also within 10 % of bare's. A verdict (within / outside goal) is
printed only if other processes used under 0.1 core on average over the whole
benchmark: beside other load, threads that would contend look as if they did
not, or the other way round.

    python scripts/bench_interpreters.py [--count 1e7] [--threads 2[,4...]] [--rounds 7]
        [--python PATH ...]

--python (repeatable) replaces the default set: every one present of
pyenv's 2.7, 3.11 and 3.13, the free-threaded 3.13t in ~/.cache/gilviz-pythons,
and Debian's 3.14 and 3.15 (~/.cache/gilviz-pythons/3.1x-debian, else
python3.14 / python3.15 on PATH). An interpreter that fails is reported and
left out of the rounds after.
"""

import argparse
import glob
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from typing import NamedTuple

import numpy as np
import psutil

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

from bench_probe import median_interval
from gilviz.analysis import load_figures, wall_ns
from gilviz.analysis.interpreters import NO_GIL, gil_kind
from gilviz.api.options import OptionError
from gilviz.cli.flags import interpreter, work_size, worker_counts
from gilviz.log import RunSpec
from gilviz.measure.runner import run_target
from gilviz.report.words import gil_name, interpreter_label

# The countdown without gilviz, in the syntax of 2.7 and 3.x: serial in one
# worker thread (as gilviz's serial baseline), then split between N threads
# for each N given ("2,4").
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
def split(count, workers):
    base, extra = divmod(count, workers)
    return [base + (1 if i < extra else 0) for i in range(workers)]
count, counts = int(sys.argv[1]), [int(n) for n in sys.argv[2].split(",")]
times = {"serial": timed([count])}
for workers in counts:
    times[str(workers)] = timed(split(count, workers))
print(json.dumps(times))
"""
PYENV_VERSIONS = ("2.7", "3.11", "3.13")
CACHE = os.path.expanduser("~/.cache/gilviz-pythons")
OTHER_PYTHONS = (
    (os.path.join(CACHE, "3.13t", "bin", "python3.13t"),),
    (os.path.join(CACHE, "3.14-debian", "python3.14"), "python3.14"),
    (os.path.join(CACHE, "3.15-debian", "python3.15"), "python3.15"),
)
"""Each: where to look, in order; the first found is taken."""
KINDS = ("plain", "gilviz", "bare")
GILVIZ_SAMPLE_HZ = 1000.0
PLAIN_GOAL = 0.15
"""gilviz's median ratio within 15 % of the plain loop's."""
PROBE_GOAL = 0.10
"""Without a GIL: gilviz's median ratio, and its workers' CPU time, within 10 % of bare's."""
QUIET_LOAD = 0.1
"""Cores other processes may use on average over the benchmark for a verdict."""
TIMEOUT_S = 600


class Round(NamedTuple):
    """One round of one kind for one interpreter."""

    serial_s: float
    threads_s: dict
    """N -> wall time of N threads."""
    loads: list
    """(other processes' cores on average or None, seconds) for each run."""
    threads_cpu_s: dict = None
    """N -> the N workers' CPU time (gilviz and bare; None for plain)."""


def pyenv_root():
    if shutil.which("pyenv"):
        answer = subprocess.run(["pyenv", "root"], capture_output=True, text=True)
        if answer.returncode == 0 and answer.stdout.strip():
            return answer.stdout.strip()
    return os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))


def default_pythons():
    """Paths of the default interpreters found here, each checked by gilviz."""
    versions = os.path.join(pyenv_root(), "versions")
    places = []
    for version in PYENV_VERSIONS:
        # The newest patch release installed: 2.7.18 for 2.7.
        found = sorted(glob.glob(os.path.join(versions, version + ".*", "bin", "python")),
                       key=lambda path: [int(part) for part in
                                         path.split(os.sep)[-3].split(".") if part.isdigit()])
        places.append(found[-1:])
    places += OTHER_PYTHONS
    pythons = []
    for candidates in places:
        for candidate in candidates:
            if os.path.isfile(candidate) or shutil.which(candidate):
                try:
                    path = interpreter(candidate)
                except argparse.ArgumentTypeError as error:  # not one gilviz runs
                    print("skipped %s: %s" % (candidate, error), file=sys.stderr)
                    continue
                if path not in pythons:
                    pythons.append(path)
                break
    return pythons


def unused_cpu_s():
    """Seconds all CPUs were idle, waiting for I/O or stolen, since boot."""
    times = psutil.cpu_times()
    return times.idle + getattr(times, "iowait", 0.0) + getattr(times, "steal", 0.0)


def children_cpu_s():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def plain_round(python, count, counts):
    """The plain loop in a fresh process, and the other load around it: the
    machine's busy time minus the child's CPU time (rusage of the reaped
    child) and this process's own, over the wall time."""
    cpus = psutil.cpu_count()
    own, children = time.process_time(), children_cpu_s()
    unused, began = unused_cpu_s(), time.perf_counter()
    answer = subprocess.run([python, "-c", PLAIN, str(count), ",".join(map(str, counts))],
                            capture_output=True, text=True, timeout=TIMEOUT_S)
    wall = time.perf_counter() - began
    unused = unused_cpu_s() - unused
    children, own = children_cpu_s() - children, time.process_time() - own
    if answer.returncode != 0:
        raise RuntimeError("the plain loop failed (exit %d): %s"
                           % (answer.returncode, " ".join(answer.stderr.split()[-30:])))
    times = json.loads(answer.stdout)
    other = (cpus * wall - unused - children - own) / wall
    return Round(times["serial"], {n: times[str(n)] for n in counts}, [(other, wall)])


def gilviz_round(python, count, counts, probe, sample_hz):
    """The serial baseline and each N threads through gilviz: (Round, the
    serial run, whose log says what the interpreter is)."""
    spec = RunSpec(kernel="countdown", backend="serial", workers=1, work=count, probe=probe,
                   python=python, sample_hz=sample_hz)
    serial = run_target(spec, timeout_s=TIMEOUT_S)
    runs = {n: run_target(spec._replace(backend="threads", workers=n), timeout_s=TIMEOUT_S)
            for n in counts}
    loads = []
    for run in [serial] + list(runs.values()):
        figures = load_figures([run])
        loads.append((figures and figures[0], wall_ns(run) / 1e9))
    cpu = {n: sum(w.cpu_ns for w in run.workers) / 1e9 for n, run in runs.items()}
    return Round(wall_ns(serial) / 1e9, {n: wall_ns(run) / 1e9 for n, run in runs.items()},
                 loads, cpu), serial


def mean_load(rounds):
    """(cores other processes used on average, weighted by the runs' time,
    or None; runs with a figure, runs)."""
    loads = [load for each in rounds for load in each.loads]
    known = [(cores, seconds) for cores, seconds in loads if cores is not None]
    if not known:
        return None, 0, len(loads)
    cores, seconds = np.asarray(known).T
    return float(np.average(cores, weights=seconds)), len(known), len(loads)


def ratios(rounds, n):
    return np.asarray([each.threads_s[n] / each.serial_s for each in rounds])


def ratio_of_minima(rounds, n):
    return min(each.threads_s[n] for each in rounds) / min(each.serial_s for each in rounds)


def percent(a, b):
    return "%+.0f%%" % (100 * (a / b - 1))


def print_rows(label, cells, width=22):
    print("  %-20s" % label + "".join(cell.ljust(width) for cell in cells).rstrip())


def print_interpreter(python, facts_run, results, counts, failure, overall_load):
    """The block of one interpreter: a table and a verdict for each N (a
    verdict only if `overall_load`, the benchmark's, is under QUIET_LOAD), and
    the other load its runs saw."""
    if facts_run is None:
        print("\n%s\n  no round completed" % python)
    else:
        print("\n%s · %s · %s" % (interpreter_label(facts_run), gil_name(facts_run), python))
    if failure:
        print("  FAILED in %s (%d rounds completed)" % (failure, len(results["plain"])))
    if not results["plain"]:
        return
    no_gil = gil_kind(facts_run.interpreter) == NO_GIL
    for n in counts:
        values = {kind: ratios(results[kind], n) for kind in KINDS}
        medians = {kind: float(np.median(values[kind])) for kind in KINDS}
        minima = {kind: ratio_of_minima(results[kind], n) for kind in KINDS}

        def against(kind, other):
            return "%s, %s" % (percent(medians[kind], medians[other]),
                               percent(minima[kind], minima[other]))

        print_rows("%d threads / serial" % n, KINDS)
        print_rows("median (95 % CI)", ["%.2f (%.2f-%.2f)" % ((medians[kind],)
                                                             + median_interval(values[kind]))
                                        for kind in KINDS])
        print_rows("range", ["%.2f-%.2f" % (values[kind].min(), values[kind].max())
                             for kind in KINDS])
        print_rows("ratio of minima", ["%.2f" % minima[kind] for kind in KINDS])
        print_rows("vs plain: med, min", ["", against("gilviz", "plain"), against("bare", "plain")])
        print_rows("vs bare: med, min", ["", against("gilviz", "bare")])
        cpu = {kind: float(np.median([each.threads_cpu_s[n] for each in results[kind]]))
               for kind in KINDS[1:]}
        print_rows("workers' CPU, s", ["", "%.3f (%s of bare)" % (
            cpu["gilviz"], percent(cpu["gilviz"], cpu["bare"])), "%.3f" % cpu["bare"]])
        off_plain = medians["gilviz"] / medians["plain"] - 1
        off_bare = medians["gilviz"] / medians["bare"] - 1
        off_cpu = cpu["gilviz"] / cpu["bare"] - 1
        met = abs(off_plain) <= PLAIN_GOAL and (
            not no_gil or (abs(off_bare) <= PROBE_GOAL and abs(off_cpu) <= PROBE_GOAL))
        goals = "gilviz %+.0f%% of plain (goal: within %.0f %%)" % (100 * off_plain,
                                                                   100 * PLAIN_GOAL)
        if no_gil:
            goals += ", %+.0f%% of bare and CPU %+.0f%% of bare's (goal: within %.0f %%)" % (
                100 * off_bare, 100 * off_cpu, 100 * PROBE_GOAL)
        if overall_load is not None and overall_load < QUIET_LOAD:
            print("  verdict: %s -> %s" % (goals, "within goal" if met else "outside goal"))
        else:
            print("  no verdict: other processes used %s cores on average "
                  "(a loaded machine hides contention)"
                  % ("?" if overall_load is None else "%.2f" % overall_load))
    cells = []
    for kind in KINDS:
        cores, known, runs = mean_load(results[kind])
        cells.append("n/a (runs too short)" if cores is None else
                     "%.2f" % cores + ("" if known == runs else " (%d/%d runs)" % (known, runs)))
    print_rows("other load, cores", cells)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=work_size, default=10**7,
                        help="countdown iterations, split between the threads (default 1e7)")
    parser.add_argument("--threads", type=worker_counts, default=[2],
                        help="thread counts compared with serial: 2, or 2,4 (default 2)")
    parser.add_argument("--rounds", type=int, default=7,
                        help="rounds, each running every kind once (default 7)")
    parser.add_argument("--python", action="append", type=interpreter, metavar="PATH",
                        help="an interpreter to measure; repeat for more (default: those "
                             "present of 2.7, 3.11, 3.13, 3.13t, 3.14, 3.15)")
    args = parser.parse_args()
    pythons = list(dict.fromkeys(args.python or default_pythons()))
    if not pythons:
        parser.error("no interpreter found: give --python PATH")
    counts = args.threads
    measures = {
        "plain": lambda python: (plain_round(python, args.count, counts), None),
        "gilviz": lambda python: gilviz_round(python, args.count, counts, True,
                                              GILVIZ_SAMPLE_HZ),
        "bare": lambda python: gilviz_round(python, args.count, counts, False, 0.0),
    }
    results = {python: {kind: [] for kind in KINDS} for python in pythons}
    facts_runs = dict.fromkeys(pythons)
    failures = {}
    for number in range(args.rounds):
        for python in pythons:
            if python in failures:
                continue
            this_round = {}
            try:
                for kind in KINDS[::1 if number % 2 == 0 else -1]:
                    this_round[kind], first_run = measures[kind](python)
                    facts_runs[python] = facts_runs[python] or first_run
            except (RuntimeError, OptionError, subprocess.SubprocessError, OSError,
                    ValueError) as error:  # TargetError is a RuntimeError
                failures[python] = "round %d: %s: %s" % (number + 1, type(error).__name__,
                                                          error)
                print("%s failed in %s" % (python, failures[python]), file=sys.stderr)
                continue
            for kind in KINDS:
                results[python][kind].append(this_round[kind])
        print("round %d/%d done" % (number + 1, args.rounds), file=sys.stderr, flush=True)

    print("countdown %s, %s threads over serial (wall times), %d rounds interleaved; "
          "%d cores; load average %s" % (
              format(args.count, ","), ",".join(map(str, counts)), args.rounds,
              psutil.cpu_count(), " ".join("%.1f" % each for each in os.getloadavg())))
    print("plain: the loop without gilviz · gilviz: run_target probed, sampler at %.0f Hz · "
          "bare: run_target, probe=False, sample_hz=0" % GILVIZ_SAMPLE_HZ)
    overall, known, runs = mean_load([each for python in pythons
                                      for kind in KINDS for each in results[python][kind]])
    if overall is not None:
        print("other load over the whole benchmark: %.3f cores on average (%d of %d runs with "
              "a figure; plain: measured around the loop; gilviz, bare: the runs' logs)"
              % (overall, known, runs))
    for python in pythons:
        print_interpreter(python, facts_runs[python], results[python], counts,
                          failures.get(python), overall)


if __name__ == "__main__":
    main()
