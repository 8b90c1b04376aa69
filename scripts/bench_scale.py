"""gilviz at scale: synthetic logs of 64 workers taking ~50 us turns of one
GIL round robin, sampled at 1 kHz from outside (10k, 100k and 1M holds, with
~3.5 samples a hold), timed through each stage that handles a whole log.

Each stage runs on the same log, once (one run is enough to see a goal met
or missed; read each figure as +-2x on this machine's shared cores):
save and load the log, summarize it, export its trace, and build the
timeline (view, figure, PNG at the default size) with matplotlib already
imported. The peak RSS is the process's after all sizes.

    python scripts/bench_scale.py [--sizes 10000,100000,1000000] [--out DIR]
"""

import argparse
import os
import resource
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

from gilviz.analysis import summarize, timeline_view  # noqa: E402
from gilviz.log import (CoreSamples, Holds, Interpreter, LoadSamples, Marks,  # noqa: E402
                        ProbeSettings, ProcessSamples, Run, RunSpec, SamplerStats, ThreadSamples,
                        Worker, empty_table, load, new_log, save)
from gilviz.render import save_png, timeline_figure  # noqa: E402  (matplotlib imported here)
from gilviz.render.trace import save_trace  # noqa: E402

WORKERS = 64
HOLD_NS = 50_000
HANDOFF_NS = 5_000
SAMPLE_PERIOD_NS = 1_000_000
GOALS = {"save": 1.0, "load": 1.0, "summarize": 0.5, "trace": 3.0, "figure": 1.0}
"""Seconds, for the 1M-hold log."""
PEAK_RSS_GOAL_MB = None
"""No goal is set for the peak RSS; it was 1.83 GB before the stages above
were made to scale."""


def synthetic_run(holds, seed=1):
    """A run of `holds` round-robin holds over WORKERS threads, sampled at 1 kHz."""
    rng = np.random.default_rng(seed)
    length = HOLD_NS + rng.integers(-10_000, 10_000, holds)
    start = np.cumsum(length + HANDOFF_NS) - length - HANDOFF_NS
    stop = start + length
    worker = (np.arange(holds) % WORKERS).astype(np.int32)
    end = int(stop[-1])
    ticks = np.arange(0, end, SAMPLE_PERIOD_NS, dtype=np.int64)
    rows = len(ticks) * WORKERS
    t = np.repeat(ticks, WORKERS) + np.tile(np.arange(WORKERS) * 3_000, len(ticks))
    sample_worker = np.tile(np.arange(WORKERS, dtype=np.int32), len(ticks))
    holder = worker[np.clip(np.searchsorted(start, t, side="right") - 1, 0, holds - 1)]
    running = holder == sample_worker
    threads = ThreadSamples(
        t_ns=t, worker=sample_worker, state=np.where(running, "R", "S").astype("<U1"),
        cpu=(sample_worker % 2).astype(np.int16), cpu_ticks=(t // 10_000_000 // WORKERS),
        wait=np.where(running, "-", "t").astype("<U1"),
        run_delay_ns=t // 100)
    cores_t = np.arange(0, end + 50_000_000, 50_000_000, dtype=np.int64)
    spec = RunSpec(kernel="countdown", backend="threads", workers=WORKERS, work=WORKERS * 1000,
                   probe=True, python=sys.executable, sample_hz=1000.0)
    workers = tuple(Worker(index=i, pid=100, tid=200 + i, work=1000, start_ns=0, stop_ns=end,
                           cpu_ns=end // WORKERS, error=None) for i in range(WORKERS))
    nan_row = np.full(len(cores_t), np.nan)
    nan_row[1:] = 0.5
    return Run(
        spec=spec,
        interpreter=Interpreter(executable=sys.executable, version="3.11.7",
                                implementation="CPython", gil_enabled=True,
                                switch_interval_s=0.005, cpu_count=2, affinity=[0, 1], pid=100),
        probe=ProbeSettings(chunk=100, gap_ns=100_000), started_at="2026-01-01T00:00:00+00:00",
        release_ns=10 ** 12, end_ns=end, workers=workers,
        holds=Holds(worker, start.astype(np.int64), stop.astype(np.int64),
                    rng.integers(0, 5_000, holds)),
        marks=empty_table(Marks), threads=threads, processes=empty_table(ProcessSamples),
        cores=CoreSamples(cores_t, np.tile(nan_row[:, None], (1, 2)).astype(np.float32)),
        sampler=SamplerStats(requested_hz=1000.0, achieved_hz=1000.0, ticks=len(ticks),
                             max_interval_ns=SAMPLE_PERIOD_NS, late_ticks=0, cpu_ns=0),
        load=LoadSamples(cores_t, *(nan_row.copy() for _ in range(5))),
    ), rows


def timed(action):
    began = time.perf_counter()
    result = action()
    return time.perf_counter() - began, result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--out", default=None,
                        help="directory for the logs (default: a temporary one)")
    args = parser.parse_args(argv)
    sizes = [int(float(size)) for size in args.sizes.split(",")]
    directory = args.out or tempfile.mkdtemp(prefix="gilviz-scale-")
    rows = []
    for holds in sizes:
        run, samples = synthetic_run(holds)
        log = new_log([run])
        path = os.path.join(directory, "run-%d.json" % holds)
        save_s, _ = timed(lambda: save(log, path))
        load_s, loaded = timed(lambda: load(path))
        assert np.array_equal(loaded.runs[0].holds.start_ns, run.holds.start_ns)
        summarize_s, stats = timed(lambda: summarize(run))
        trace_s, trace_path = timed(lambda: save_trace(run, stats, os.path.join(
            directory, "trace-%d.json" % holds)))
        figure_s, _ = timed(lambda: save_png(timeline_figure(run, stats, timeline_view(run, stats)),
                                             os.path.join(directory, "timeline-%d.png" % holds)))
        rows.append((holds, samples, os.path.getsize(path), os.path.getsize(trace_path),
                     {"save": save_s, "load": load_s, "summarize": summarize_s,
                      "trace": trace_s, "figure": figure_s}))
        for each in (path, trace_path):
            os.unlink(each)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("gilviz at scale · %d workers, ~%d us holds, 1 kHz samples" % (WORKERS, HOLD_NS // 1000))
    print("%-8s %-10s %-10s %8s %8s %10s %8s %-12s %8s" % (
        "holds", "samples", "run.json", "save s", "load s", "summarize", "trace s", "trace file",
        "figure s"))
    for holds, samples, size, trace_size, times in rows:
        print("%-8s %-10s %7.1f MB %8.2f %8.2f %10.2f %8.2f %9.1f MB %8.2f" % (
            format(holds, ","), format(samples, ","), size / 1e6, times["save"], times["load"],
            times["summarize"], times["trace"], trace_size / 1e6, times["figure"]))
    largest, _, _, _, times = rows[-1]
    print()
    print("%-34s | %-12s | %s" % ("goal (%s holds)" % format(largest, ","), "measured", "met"))
    for stage, goal in GOALS.items():
        print("%-34s | %-12s | %s" % ("%s <= %.1f s" % (stage, goal), "%.2f s" % times[stage],
                                      "yes" if times[stage] <= goal else "no"))
    print("%-34s | %-12s | %s" % ("peak RSS (was 1.83 GB)", "%.0f MB" % peak, "-"))


if __name__ == "__main__":
    main()
