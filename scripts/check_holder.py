"""Are gilviz's held shares the interpreter's own? Checked against py-spy.

While gilviz measures a countdown on N threads, this script asks py-spy,
again and again, which thread state the target's interpreter holds as
current: `py-spy dump` reads it from outside and marks that thread
"active+gil". At each dump the holder is one worker or none. Over the
dumps, each worker's share of instants holding the GIL is set beside the
held share gilviz gives the same runs (held time over the run's wall time,
from the probe's holds). Where both measure the same thing they agree to
within a few points; the goal is 10.

py-spy pauses the target for each dump (~1 ms here), so the dumps come
every `--every` (20 ms) to leave the battle mostly undisturbed; pass
--nonblocking to read without pausing (the holder may then be read from
a state that changed halfway). Needs py-spy (pip install py-spy) and ptrace
rights over the target (root, or a parent's).

    python scripts/check_holder.py [--python PY27] [--threads 2,4] [--repeat 5]
        [--count 1e7] [--every 20ms] [--nonblocking]
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import threading
import time

import numpy as np
import psutil

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

import gilviz  # noqa: E402
from gilviz.analysis import load_figures, summarize  # noqa: E402
from gilviz.api.options import duration, worker_counts  # noqa: E402

HOLDER = re.compile(r"^Thread (\w+) \(active\+gil\)(?:[^\n]*)\n(?:    [^\n]*\n)*",
                    re.MULTILINE)
"""A thread py-spy found holding the GIL, with its stack: blocking, py-spy names
threads by their OS id; --nonblocking, by their pthread id (hex), which
gilviz does not know, so that only whether a worker held it is told."""


def py27():
    root = subprocess.run(["pyenv", "root"], capture_output=True, text=True).stdout.strip()
    return os.path.join(root or os.path.expanduser("~/.pyenv"), "versions", "2.7.18", "bin",
                        "python")


def agent_targets():
    """Processes below this one that run gilviz's agent."""
    found = []
    for child in psutil.Process().children(recursive=True):
        try:
            if "--report-fd" in " ".join(child.cmdline() or []):
                found.append(child)
        except psutil.Error:  # gone, or a zombie, since it was listed
            pass
    return found


def dump_holders(stop, every_s, nonblocking, seen):
    """Until `stop` is set: dump every target found, `seen` gets
    (pid, holder tid or None) for each dump of a running target."""
    py_spy = shutil.which("py-spy") or os.path.join(os.path.dirname(sys.executable), "py-spy")
    command = [py_spy, "dump"] + (["--nonblocking"] if nonblocking else [])
    while not stop.is_set():
        for target in agent_targets():
            try:
                out = subprocess.run(command + ["--pid", str(target.pid)], capture_output=True,
                                     text=True, timeout=5).stdout
            except (subprocess.TimeoutExpired, OSError):
                continue
            holder = HOLDER.search(out)
            if holder is None:
                seen.append((target.pid, None, out))
            elif "countdown" not in holder.group(0):
                seen.append((target.pid, "other", out))  # not a worker: the agent's own thread
            else:
                name = holder.group(1)
                seen.append((target.pid, int(name) if name.isdigit() else "worker", out))
        time.sleep(every_s)


def check(python, threads, repeat, count, every_s, nonblocking):
    stop, seen = threading.Event(), []
    dumper = threading.Thread(target=dump_holders, args=(stop, every_s, nonblocking, seen))
    dumper.start()
    try:
        result = gilviz.run("countdown", threads=threads, python=python, repeat=repeat,
                            count=count, baseline=False)
    finally:
        stop.set()
        dumper.join()
    rows = []
    loads = []
    for run in result.log.runs:
        workers = {w.tid: w.index for w in run.workers}
        # Dumps taken while every worker counted down (no worker had finished).
        dumps = [holder for pid, holder, out in seen if pid == run.interpreter.pid
                 and out.count("countdown") >= len(workers)]
        if not dumps:
            continue
        stats = summarize(run)
        figures = load_figures([run])
        loads.append(figures[0] if figures is not None else float("nan"))
        outside = [sum(holder == tid for holder in dumps) / len(dumps) for tid in workers]
        if nonblocking:  # who held it is not known, only that a worker did
            outside = [sum(holder == "worker" for holder in dumps) / len(dumps)] + \
                [0.0] * (len(workers) - 1)
        gilviz_shares = [w.hold_share for w in stats.workers]
        rows.append((len(dumps), outside, gilviz_shares))
    return rows, loads


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--python", default=py27())
    parser.add_argument("--threads", type=worker_counts, default=[2, 4])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--count", type=float, default=1e7)
    parser.add_argument("--every", type=duration, default=0.02)
    parser.add_argument("--nonblocking", action="store_true")
    args = parser.parse_args(argv)
    print("countdown %d on %s, py-spy dump every %.0f ms%s; load average %s"
          % (args.count, args.python, args.every * 1e3,
             " (nonblocking)" if args.nonblocking else "", os.getloadavg()))
    for threads in args.threads:
        rows, loads = check(args.python, threads, args.repeat, int(args.count), args.every,
                            args.nonblocking)
        if not rows:
            print("%d threads: no dump caught a worker in the countdown" % threads)
            continue
        dumps = sum(n for n, _, _ in rows)
        outside = np.average([sum(o) for _, o, _ in rows], weights=[n for n, _, _ in rows])
        inside = np.mean([sum(g) for _, _, g in rows])
        per_worker = np.average([o for _, o, _ in rows], axis=0, weights=[n for n, _, _ in rows])
        gilviz_worker = np.mean([g for _, _, g in rows], axis=0)
        print("%d threads, %d runs, %d dumps, other load %.2f cores on average"
              % (threads, len(rows), dumps, np.nanmean(loads)))
        print("  a worker held the GIL: py-spy %.0f %% of instants, gilviz %.0f %% of the time"
              " (%+.0f points)" % (100 * outside, 100 * inside, 100 * (inside - outside)))
        if not args.nonblocking:
            print("  per worker: py-spy %s, gilviz %s" % (
                " ".join("%.0f%%" % (100 * s) for s in per_worker),
                " ".join("%.0f%%" % (100 * s) for s in gilviz_worker)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
