"""How far the states `gilviz run` samples from outside agree with the probe.

    python scripts/bench_own_code.py [--pairs 3] [--count 1e7]

For each pair: (1) the probed countdown on 4 threads, sampled as well; its
samples classified as `gilviz run` classifies a program's (no probe, no
marks) and compared sample by sample with the probe's holds: agreement is
the share of samples where "on a CPU" (sampled) and "inside a hold" (probe)
say the same, and the sampled hand-offs are set beside the probe's. (2) The
seed's countdown written as a user's script (4 threads of `while n > 0:
n -= 1`) under `gilviz run`: its sampled hand-offs a second beside (1)'s.
"""

import argparse
import os
import statistics
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from gilviz import api  # noqa: E402
from gilviz.analysis import ON_A_CPU, holding_at  # noqa: E402
from gilviz.analysis.program import program_states, sampled_turns  # noqa: E402

SCRIPT = """\
import sys, threading
def countdown(n):
    while n > 0:
        n -= 1
n = int(sys.argv[1]) // 4
threads = [threading.Thread(target=countdown, args=(n,)) for _ in range(4)]
for t in threads: t.start()
for t in threads: t.join()
"""


def agreement(run):
    """(share of samples agreeing, sampled hand-offs, probe hand-offs, samples)."""
    states = program_states(run)
    samples = run.threads
    inside = np.zeros(len(samples.t_ns), bool)
    for worker in run.workers:
        rows = samples.worker == worker.index
        mine = run.holds.worker == worker.index
        inside[rows] = holding_at(run.holds.start_ns[mine], run.holds.stop_ns[mine],
                                  samples.t_ns[rows])
    stops = {w.index: w.stop_ns for w in run.workers}
    within = (samples.t_ns >= 0) & (samples.t_ns < np.asarray(
        [stops[int(i)] for i in samples.worker], np.int64))
    on_cpu = np.isin(states, ON_A_CPU)
    agree = float(np.mean(on_cpu[within] == inside[within]))
    probe_handoffs = api.results.summarize(run).handoffs
    return agree, len(sampled_turns(run, states).handoff_ns), probe_handoffs, int(within.sum())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--count", type=float, default=1e7)
    args = parser.parse_args()
    count = int(args.count)
    with tempfile.TemporaryDirectory() as directory:
        script = os.path.join(directory, "countdown_script.py")
        with open(script, "w") as stream:
            stream.write(SCRIPT)
        rows = []
        for pair in range(args.pairs):
            probed = api.run("countdown", threads=4, count=count, repeat=1, baseline=False)
            run = probed.log.runs[0]
            agree, sampled, probe, samples = agreement(run)
            wall = probed.summary.stats.wall_ns / 1e9
            own = api.run_script(script, args=[str(count)])
            own_stats = own.summary.stats
            own_wall = own_stats.wall_ns / 1e9
            rows.append((agree, sampled / probe if probe else float("nan"),
                         probe / wall, own_stats.handoffs / own_wall))
            print("pair %d: probed run %d samples, agreement %.1f%%, hand-offs sampled %d vs "
                  "probe %d (%.2fx); per second: probe %.0f, user script (sampled) %.0f"
                  % (pair + 1, samples, 100 * agree, sampled, probe, rows[-1][1],
                     rows[-1][2], rows[-1][3]))
    agree, ratio, probe_rate, own_rate = zip(*rows)
    print("median over %d pairs: agreement %.1f%% (%.1f-%.1f%%); sampled/probe hand-offs "
          "%.2fx (%.2f-%.2fx); hand-offs a second, probe %.0f, user script %.0f"
          % (len(rows), 100 * statistics.median(agree), 100 * min(agree), 100 * max(agree),
             statistics.median(ratio), min(ratio), max(ratio), statistics.median(probe_rate),
             statistics.median(own_rate)))


if __name__ == "__main__":
    main()
