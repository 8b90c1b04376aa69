"""What `gilviz countdown --threads 4` costs beyond its runs' own wall time:
start-up, targets, analysis, drawing, saving (goal: <= 3 s in all).

Runs the command N times with --timings in fresh processes and prints each
stage's median, the other processes' load at the time (from /proc/loadavg),
and goal | measured | met.

    python scripts/bench_overhead.py [--times 5]
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, os.pardir)
GOAL_S = 3.0
ROW = re.compile(r"^  (.+?)\s+([0-9.]+) s$")


def one_run(out_dir):
    command = [sys.executable, "-m", "gilviz", "countdown", "--threads", "4", "--timings",
               "--out", out_dir]
    text = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return {m.group(1): float(m.group(2)) for m in map(ROW.match, text.splitlines()) if m}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--times", type=int, default=5)
    args = parser.parse_args(argv)
    rows, loads = [], []
    with tempfile.TemporaryDirectory(prefix="gilviz-overhead-") as out_dir:
        for _ in range(args.times):
            with open("/proc/loadavg") as stream:
                loads.append(float(stream.read().split()[0]))
            rows.append(one_run(out_dir))
    print("gilviz countdown --threads 4 --timings · %d fresh runs · load average %.1f-%.1f"
          % (args.times, min(loads), max(loads)))
    for label in rows[0]:
        values = [row.get(label, 0.0) for row in rows]
        print("  %-42s median %6.3f s  (%.3f-%.3f)" % (label, statistics.median(values),
                                                      min(values), max(values)))
    beyond = [row["beyond the runs' own wall time"] for row in rows]
    print("%-34s | %-30s | %s" % ("goal", "measured", "met"))
    print("%-34s | %-30s | %s" % ("beyond the runs <= %.0f s" % GOAL_S,
                                  "median %.2f s (min %.2f)" % (statistics.median(beyond),
                                                                min(beyond)),
                                  "yes" if statistics.median(beyond) <= GOAL_S else "no"))


if __name__ == "__main__":
    main()
