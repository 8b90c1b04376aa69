"""gilviz at scale: synthetic logs of 64 workers taking ~50 us turns of one
GIL round robin, sampled at 1 kHz from outside (10k, 100k and 1M holds, with
~3.5 samples a hold), timed through each stage that handles a whole log.

Each stage runs on the same log, once (the 1M log takes the stages seconds
each: one run is enough to see a goal met or missed); the peak RSS is the
process's after all sizes. A stage without a goal yet prints "-".

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

from gilviz.log import (CoreSamples, Holds, Interpreter, LoadSamples, Marks,  # noqa: E402
                        ProbeSettings, ProcessSamples, Run, RunSpec, SamplerStats, ThreadSamples,
                        Worker, empty_table, load, new_log, save)

WORKERS = 64
HOLD_NS = 50_000
HANDOFF_NS = 5_000
SAMPLE_PERIOD_NS = 1_000_000
GOALS = {"save": 1.0, "load": 1.0}
"""Seconds, for the 1M-hold log; other stages are timed without a goal here."""


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
        rows.append((holds, samples, os.path.getsize(path), {"save": save_s, "load": load_s}))
        os.unlink(path)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("gilviz at scale · %d workers, ~%d us holds, 1 kHz samples" % (WORKERS, HOLD_NS // 1000))
    print("%-8s %-10s %-10s %8s %8s %10s %8s %8s" % (
        "holds", "samples", "run.json", "save s", "load s", "summarize", "trace", "figure"))
    for holds, samples, size, times in rows:
        print("%-8s %-10s %7.1f MB %8.2f %8.2f %10s %8s %8s" % (
            format(holds, ","), format(samples, ","), size / 1e6, times["save"], times["load"],
            "-", "-", "-"))
    print("peak RSS %.0f MB" % peak)
    largest, _, _, times = rows[-1]
    print("%-34s | %-12s | %s" % ("goal (%s holds)" % format(largest, ","), "measured", "met"))
    for stage, goal in GOALS.items():
        print("%-34s | %-12s | %s" % ("%s <= %.1f s" % (stage, goal), "%.2f s" % times[stage],
                                      "yes" if times[stage] <= goal else "no"))


if __name__ == "__main__":
    main()
