"""gilviz at scale: synthetic logs of 64 workers taking ~50 us turns of one
GIL round robin, sampled at 1 kHz from outside (10k, 100k and 1M holds, with
~3.5 samples a hold), timed through each stage that handles a whole log.

Each stage runs once on the same log (one run is enough to see a goal met or
missed; read each figure as +-2x on a shared machine, and look at the other
load printed with it): save the log, load it back, and, as gilviz does with a
log it loads, summarize the loaded run, export its trace and build its
timeline (view, figure, PNG at the default size) with matplotlib already
imported. Each stage's wall time is printed with its CPU time, and each
goal beside its figure. The peak memory is the whole process's (its largest
resident set), and the stage in which it was reached is named.

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
from gilviz.measure.load import LoadMeter  # noqa: E402
from gilviz.render import save_png, timeline_figure  # noqa: E402  (matplotlib imported here)
from gilviz.render.trace import save_trace  # noqa: E402

WORKERS = 64
HOLD_NS = 50_000
HANDOFF_NS = 5_000
SAMPLE_PERIOD_NS = 1_000_000
STAGES = ("save", "load", "summarize", "trace", "timeline")
GOALS = {"save": 1.0, "load": 1.0, "summarize": 0.5, "trace": 3.0, "timeline": 0.5}
"""Seconds, for the 1M-hold log; "timeline" is the view, the figure and its PNG."""
PEAK_MEMORY_GOAL_MB = 500
"""The whole process's; it was 1.83 GB before the stages were made to scale,
1.09 GB before the log was analysed as loaded and the trace written a block
at a time."""
QUIET_LOAD = 0.1
"""Other processes' CPU, in cores, below which the machine counts as quiet."""


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


class Peaks:
    """The process's largest resident set in each stage, from Linux's
    high-water mark (VmHWM), reset as each stage begins; where it cannot
    be reset, only the whole run's (getrusage) is known."""

    def __init__(self):
        self.by_stage = {}
        self.resettable = self._reset()
        self.whole_mb = self._high_water_mb() or 0.0

    @staticmethod
    def _reset():
        try:
            with open("/proc/self/clear_refs", "w") as stream:
                stream.write("5")
            return True
        except OSError:
            return False

    @staticmethod
    def _high_water_mb():
        try:
            with open("/proc/self/status") as stream:
                for line in stream:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return None

    def stage_done(self, stage):
        if self.resettable:
            peak = self._high_water_mb()
            self.by_stage[stage] = max(self.by_stage.get(stage, 0.0), peak)
            self.whole_mb = max(self.whole_mb, peak)
            self._reset()

    def whole(self):
        """The process's peak, in MB."""
        if self.resettable:
            return self.whole_mb
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(action):
    """(wall s, CPU s of this process, result) of action()."""
    began, cpu = time.perf_counter(), time.process_time()
    result = action()
    return time.perf_counter() - began, time.process_time() - cpu, result


def out_directory(path):
    """--out: the directory, made if it does not exist."""
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as error:
        raise argparse.ArgumentTypeError("cannot make directory %s: %s"
                                         % (path, error.strerror)) from None
    return path


def measure(holds, directory, peaks, meter):
    """Each stage of a log of `holds` holds: {stage: (wall s, CPU s)}, the
    sample count, and the sizes of the log and trace files."""
    times = {}

    def stage(name, action):
        meter.read()
        wall, cpu, result = timed(action)
        meter.read()
        times[name] = (wall, cpu)
        peaks.stage_done(name)
        return result

    run, samples = synthetic_run(holds)
    peaks.stage_done("synthetic log")
    path = os.path.join(directory, "run-%d.json" % holds)
    stage("save", lambda: save(new_log([run]), path))
    starts = run.holds.start_ns
    # From here on, the loaded log alone, as gilviz analyses a log it loads.
    del run
    run = stage("load", lambda: load(path)).runs[0]
    assert np.array_equal(run.holds.start_ns, starts)
    del starts
    stats = stage("summarize", lambda: summarize(run))
    trace_path = stage("trace", lambda: save_trace(run, stats, os.path.join(
        directory, "trace-%d.json" % holds)))
    stage("timeline", lambda: save_png(timeline_figure(run, stats, timeline_view(run, stats)),
                                       os.path.join(directory, "timeline-%d.png" % holds)))
    sizes = os.path.getsize(path), os.path.getsize(trace_path)
    for each in (path, trace_path):
        os.unlink(each)
    return times, samples, sizes


def other_load(meter, longest_at_least_s=0.25):
    """(mean, largest in one stage) cores other processes used while the
    stages ran (measure/load.py: the busy CPUs less this process's own).
    The largest is of stages of `longest_at_least_s` or more (a shorter one
    is read to ~0.2 core); None where none was."""
    samples = meter.samples(0)
    window = np.diff(samples.t_ns) / 1e9
    other = samples.other[1:]
    # The meter reads before and after each stage: every other window is one.
    counted = (np.arange(len(other)) % 2 == 0) & (window > 0) & np.isfinite(other)
    if not counted.any():
        return None, None
    long = counted & (window >= longest_at_least_s)
    return (float(np.average(other[counted], weights=window[counted])),
            float(other[long].max()) if long.any() else None)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--out", type=out_directory, default=None,
                        help="directory for the logs, made if need be (default: a temporary one)")
    args = parser.parse_args(argv)
    sizes = [int(float(size)) for size in args.sizes.split(",")]
    directory = args.out or tempfile.mkdtemp(prefix="gilviz-scale-")
    peaks, meter = Peaks(), LoadMeter([])
    rows = []
    try:
        for holds in sizes:
            rows.append((holds,) + measure(holds, directory, peaks, meter))
        mean_load, most_load = other_load(meter)
    finally:
        meter.close()
    peak = peaks.whole()
    print("gilviz at scale · %d workers, ~%d us holds, 1 kHz samples" % (WORKERS, HOLD_NS // 1000))
    print("%-9s %-10s %-9s %-9s %9s %9s %9s %9s %10s" % (
        "holds", "samples", "run.json", "trace", "save s", "load s", "summary s", "trace s",
        "timeline s"))
    for holds, times, samples, (size, trace_size) in rows:
        print("%-9s %-10s %6.1f MB %6.1f MB" % (format(holds, ","), format(samples, ","),
                                                size / 1e6, trace_size / 1e6)
              + "".join(" %9.2f" % times[stage][0] for stage in STAGES[:-1])
              + " %10.2f" % times["timeline"][0])
    largest, times = rows[-1][0], rows[-1][1]
    print()
    print("%-40s | %-22s | %s" % ("goal (%s holds)" % format(largest, ","),
                                  "measured (CPU)", "met"))
    for stage, goal in GOALS.items():
        wall, cpu = times[stage]
        name = "timeline view + figure + PNG" if stage == "timeline" else stage
        print("%-40s | %-22s | %s" % ("%s <= %.1f s" % (name, goal),
                                      "%.2f s (%.2f s)" % (wall, cpu),
                                      "yes" if wall <= goal else "no"))
    print("%-40s | %-22s | %s" % ("peak memory <= %d MB (whole process)" % PEAK_MEMORY_GOAL_MB,
                                  "%.0f MB" % peak, "yes" if peak <= PEAK_MEMORY_GOAL_MB else "no"))
    if peaks.by_stage:
        print("peak memory by stage: " + ", ".join(
            "%s %.0f MB" % (stage, mb) for stage, mb in peaks.by_stage.items()))
    if mean_load is None:
        print("other load: not measured")
    else:
        print("other load while the stages ran: %.2f cores on average%s%s" % (
            mean_load, "" if most_load is None else ", %.2f in the busiest stage" % most_load,
            "" if mean_load < QUIET_LOAD else
            " (not a quiet machine: the wall times are longer than they would be)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
