"""The words for analysis facts that every report and figure shares: the
caveats of a measurement, the band states, where a run ran, under which lock."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar, overload

from ..analysis import (NATIVE, NEW_GIL, NO_GIL, OFF_CPU, OLD_GIL, ON_CPU, RUNNING, SHARING,
                        SLEEPING, UNCLEAR, WAIT_CPU, WAIT_GIL, WAIT_IO, WAIT_LOCK, core_count,
                        gil_kind)
from ..analysis import caveats, selection
from ..analysis.plausibility import SPEED_MARGIN
from ..log import Role
from .format import format_cores, format_duration, format_interval, plural

if TYPE_CHECKING:
    from ..analysis.summary import RunStats
    from ..log import Run, RunSpec

Caveat = caveats.Caveat
"""A caveat record of any kind: what caveat_text words."""

STATE_NAMES = {
    WAIT_GIL: "waiting for the GIL",
    WAIT_CPU: "waiting for a CPU",
    UNCLEAR: "not running (cause unclear)",
    RUNNING: "running Python",
    ON_CPU: "on a CPU (sampled)",
    OFF_CPU: "off CPU (sampled)",
    WAIT_IO: "blocked on I/O (sampled)",
    SLEEPING: "in time.sleep (sampled)",
    NATIVE: "running in numpy, GIL released (sampled)",
    WAIT_LOCK: "blocked on a lock (sampled)",
    SHARING: "sharing its count: sending, or waiting for the lock",
}
"""A band state in a word or two, as a trace names its slices."""


def _sampler_behind(c: caveats.SamplerBehind) -> str:
    text = "sampler fell behind: %.0f Hz of %.0f requested, longest pause %.1f ms" % (
        c.achieved_hz, c.requested_hz, c.longest_pause_ns / 1e6)
    period_ns = 1e9 / c.requested_hz
    why = []
    if c.waited_for_cpu_ns:
        why.append("it waited %s for a CPU behind busy processes%s" % (
            format_duration(c.waited_for_cpu_ns),
            {True: ", even at a raised priority",
             False: " (its priority can be raised only by root or with CAP_SYS_NICE)",
             None: ""}[c.raised]))
    if c.round_cpu_ns is not None and c.round_cpu_ns > period_ns / 2:
        why.append("a round of reads took %s of CPU" % format_duration(c.round_cpu_ns))
    return text + ("; " + " and ".join(why) if why else "")


def _pool_members(caveat: caveats.PoolSharedMembers) -> str:
    return "the pool ran workers %s one after the other on one %s" % (
        ", ".join(map(str, caveat.workers)),
        "thread" if caveat.backend == "dummy-pool" else "process")


def _unexplained(caveat: caveats.UnexplainedPauses) -> str:
    return "%d pause%s (%.1f ms in all) not put down to the GIL or the OS" % (
        caveat.count, "" if caveat.count == 1 else "s", caveat.total_ns / 1e6)


def _late_start(caveat: caveats.LateStart) -> str:
    said = "worker %d started %.1f ms after the first" % (caveat.worker, caveat.late_ns / 1e6)
    if caveat.cpu_wait_ns < 0:
        return said
    return "%s; it was ready but had no CPU for %.1f ms of that (the OS's doing)" % (
        said, caveat.cpu_wait_ns / 1e6)


def _slowed_baselines(caveat: caveats.UnexplainedSpeedup) -> str:
    why = []
    if caveat.baseline_cpu_share < 0.9:
        why.append("they had a CPU for only %.0f%% of their time (other processes or the VM "
                   "took it)" % (100 * caveat.baseline_cpu_share))
    if caveat.baseline_cpu_ratio > SPEED_MARGIN:
        why.append("their work took %.2fx the CPU time a unit (the CPU ran slower for them: "
                   "the machine changed speed; or their work cost more: page faults)"
                   % caveat.baseline_cpu_ratio)
    elif caveat.baseline_cpu_ratio < 1 / SPEED_MARGIN:
        why.append("the run's work took %.2fx their CPU time a unit (the machine changed speed)"
                   % (1 / caveat.baseline_cpu_ratio))
    if caveat.workers == 1 and caveat.parallelism < 0.9:
        why.append("the run had a CPU for only %.0f%% of its time" % (100 * caveat.parallelism))
    because = "; " + " and ".join(why) if why else ""
    if caveat.reason == "one-worker":
        return ("one worker took %.2fx the serial time for the same work, where only the "
                "machine can move it from 1x%s" % (1 / caveat.speedup, because))
    if caveat.reason == "speed":
        return ("%.2fx faster than the serial runs is no speedup of this run: it had %.2f cores' "
                "worth of work running at once, but the machine ran at another speed%s"
                % (caveat.speedup, caveat.parallelism, because))
    return ("the serial runs were slower than the parallel work can explain: %.2fx faster with "
            "%.2f cores' worth of work running at once%s" % (
                caveat.speedup, caveat.parallelism, because))


UNITS_OF_WORK = {"countdown": "an iteration", "pi": "a sample"}


def _speed_change(caveat: caveats.SpeedChange) -> str:
    which = "serial runs" if caveat.role == Role.BASELINE else "runs"
    unit = UNITS_OF_WORK.get(caveat.kernel, "a unit of work")
    return ("the machine changed speed between runs: the %d %s took %s–%s of CPU time %s "
            "(%.2fx apart), and a ratio of two runs at different speeds measures that too" % (
                caveat.runs, which, format_duration(caveat.low_ns),
                format_duration(caveat.high_ns),
                unit, caveat.high_ns / caveat.low_ns))



def selection_text(error: selection.SelectionError) -> str:
    """A refused window or set of workers (analysis.selection), in words."""
    if isinstance(error, selection.WindowOutside):
        begin, end = error.window_ns
        return "window %g–%g ms is outside the run (0–%g ms)" % (
            begin / 1e6, end / 1e6, round(error.wall_ns / 1e6, 1))
    assert isinstance(error, selection.UnknownWorkers)  # the one other refusal
    return "no worker %s in this run: it has workers %s" % (
        ",".join(map(str, error.unknown)), ",".join(map(str, error.known)))


def unexplained_speedup(stats: RunStats) -> caveats.UnexplainedSpeedup | None:
    """The run's UnexplainedSpeedup caveat, or None: where there is one, no
    ratio to its baselines is stated as a speedup."""
    return next((c for c in stats.warnings if isinstance(c, caveats.UnexplainedSpeedup)), None)


def _other_load(caveat: caveats.OtherLoad) -> str:
    which = "this run" if caveat.during == "run" else "its serial runs"
    steal = (", and the hypervisor took %.1f core for other machines" % caveat.steal_cores
             if caveat.steal_cores >= 0.05 else "")
    return ("other processes used %.1f cores during %s (%.1f at most over 250 ms)%s: its "
            "times are not trustworthy" % (caveat.mean_cores, which, caveat.peak_cores, steal))


def _disturbed_runs(caveat: caveats.DisturbedRuns) -> str:
    parts = ["%s at %d worker%s (%d run%s)" % (backend, workers, "" if workers == 1 else "s",
                                                count, "" if count == 1 else "s")
             for backend, workers, count in caveat.points]
    if caveat.baselines:
        parts.append("the serial baselines (%d of %d)" % (caveat.baselines, caveat.baselines_run))
    return ("other processes took the CPU during %s: those speedups (ringed on the chart) are "
            "not trustworthy" % ", ".join(parts))


# A caveat's words take the caveat of their key's type: a pairing no annotation states.
CAVEAT_WORDS: dict[type[Caveat], Callable[[Any], str]] = {
    caveats.OtherLoad: _other_load,
    caveats.DisturbedRuns: _disturbed_runs,
    caveats.UnexplainedSpeedup: _slowed_baselines,
    caveats.SpeedChange: _speed_change,
    caveats.WorkerFailed: lambda c: "worker %d failed: %s" % (c.worker, c.error),
    caveats.KernelFallback: lambda c: c.message,
    caveats.PoolSharedMembers: _pool_members,
    caveats.WaitsUnreadable: lambda c: (
        "could not read what sleeping threads waited on (/proc/PID/task/*/syscall: no "
        "ptrace access): waits for the GIL, a lock, I/O or a sleep all show as 'off CPU'"),
    caveats.TimedWaitsAsGil: lambda c: (
        "from outside, a wait with a timeout (Event.wait(1), queue.get(timeout=...)) "
        "looks like a wait for the GIL"),
    caveats.QueuedAsRunning: lambda c: (
        "sampled running time exceeds the workers' CPU time by %.0f ms: "
        "some waits for a CPU show as running" % (c.excess_ns / 1e6)),
    caveats.SamplerBehind: _sampler_behind,
    caveats.PinningMismatch: lambda c: "asked to pin to cores %s, the target got %s" % (
        ",".join(map(str, c.asked)), ",".join(map(str, c.got))),
    caveats.CoarseProbe: lambda c: (
        "switch interval %.0f µs is close to the probe's %.0f µs resolution: "
        "short turns merge in the bands" % (c.switch_interval_s * 1e6, c.resolution_ns / 1e3)),
    caveats.LateStart: _late_start,
    caveats.ShortTurns: lambda c: (
        "most GIL turns (median %.0f µs) were no longer than the probe's %.0f µs chunk: "
        "their edges are exact to a chunk, and a turn inside one chunk is not seen" % (
            c.median_turn_ns / 1e3, c.resolution_ns / 1e3)),
    caveats.SystemTime: lambda c: (
        "%.0f%% of the target's CPU time went to the OS kernel (system time)" % (100 * c.share)),
    caveats.BaselineSystemTime: lambda c: (
        "the serial baselines spent %.0f%% of their CPU time in the OS kernel, this run "
        "%.0f%%: the ratio of wall times reflects that too" % (100 * c.baseline_share,
                                                               100 * c.run_share)),
    caveats.UnexplainedPauses: _unexplained,
    caveats.IncompleteSweep: lambda c: (
        "incomplete: the sweep stopped after %d of %d runs; %d of %d rounds complete" % (
            c.runs_done, c.runs_planned, c.rounds_done, c.rounds_planned)),
    caveats.RunsLeftOut: lambda c: "%s left out: a worker failed" % plural(c.count, "run"),
    caveats.SharingMismatch: lambda c: (
        "the counts shared through %s do not add up: %s collected, the workers counted %s"
        % (c.mechanism, "nothing" if c.collected_total is None else format(c.collected_total, ","),
           "?" if c.own_total is None else format(c.own_total, ","))),
}


def _cores(value: float) -> str:
    """"1.0 core", "1.4 cores"."""
    return "%.1f core%s" % (value, "" if round(value, 1) == 1 else "s")


def _failure(error: str | None) -> str | None:
    """The kind of a worker's error, where its message starts with one
    ("ZeroDivisionError: ..."), else None."""
    kind = (error or "").split(":")[0].strip()
    return kind if kind.isidentifier() else None


def _short_other_load(c: caveats.OtherLoad) -> str:
    return "other processes used %s%s: %s not trustworthy" % (
        _cores(c.mean_cores), "" if c.during == "run" else " beside the serial runs",
        "times" if c.during == "run" else "the ratio")


def _short_slowed_baselines(c: caveats.UnexplainedSpeedup) -> str:
    if c.reason == "one-worker":
        return "one worker took %.2fx the serial time: the machine's doing, not a slowdown" % (
            1 / c.speedup)
    if c.reason == "speed":
        return "%.2fx is no speedup: the machine ran at another speed for the serial runs" % (
            c.speedup)
    return "%.2fx is no speedup: the serial runs were slower than parallelism explains" % (
        c.speedup)


def _short_sampler_behind(c: caveats.SamplerBehind) -> str:
    return "sampler fell behind: %.0f Hz of %.0f, pauses up to %.0f ms" % (
        c.achieved_hz, c.requested_hz, c.longest_pause_ns / 1e6)


def _short_worker_failed(c: caveats.WorkerFailed) -> str:
    kind = _failure(c.error)
    return "worker %d failed%s" % (c.worker, ": " + kind if kind else "")


CAVEAT_SHORT: dict[type[Caveat], Callable[[Any], str]] = {
    caveats.OtherLoad: _short_other_load,
    caveats.DisturbedRuns: lambda c: (
        "other processes took the CPU in %s: ringed speedups not trustworthy"
        % plural(sum(count for _, _, count in c.points) + c.baselines, "run")),
    caveats.UnexplainedSpeedup: _short_slowed_baselines,
    caveats.SpeedChange: lambda c: "the machine changed speed between %s (%.2fx)" % (
        "serial runs" if c.role == Role.BASELINE else "runs", c.high_ns / c.low_ns),
    caveats.WorkerFailed: _short_worker_failed,
    caveats.KernelFallback: lambda c: "the kernel did not run as asked",
    caveats.PoolSharedMembers: lambda c: "the pool ran workers %s one after the other" % (
        ",".join(map(str, c.workers))),
    caveats.WaitsUnreadable: lambda c: "waits unreadable (no ptrace): all shown as 'off CPU'",
    caveats.TimedWaitsAsGil: lambda c: "timed waits look like GIL waits from outside",
    caveats.QueuedAsRunning: lambda c: "some waits for a CPU show as running (%.0f ms)" % (
        c.excess_ns / 1e6),
    caveats.SamplerBehind: _short_sampler_behind,
    caveats.PinningMismatch: lambda c: "pinned to cores %s, not %s as asked" % (
        ",".join(map(str, c.got)), ",".join(map(str, c.asked))),
    caveats.CoarseProbe: lambda c: "turns near the probe's %.0f µs resolution merge" % (
        c.resolution_ns / 1e3),
    caveats.LateStart: lambda c: "worker %d started %.1f ms late" % (c.worker, c.late_ns / 1e6),
    caveats.ShortTurns: lambda c: "most turns within one probe chunk (%.0f µs)" % (
        c.resolution_ns / 1e3),
    caveats.SystemTime: lambda c: "%.0f%% of the CPU time in the OS kernel" % (100 * c.share),
    caveats.BaselineSystemTime: lambda c: "OS kernel time: serial runs %.0f%%, this run %.0f%%" % (
        100 * c.baseline_share, 100 * c.run_share),
    caveats.UnexplainedPauses: lambda c: "%s (%.1f ms) unexplained" % (
        plural(c.count, "pause"), c.total_ns / 1e6),
    caveats.IncompleteSweep: lambda c: "incomplete: %d of %d runs" % (c.runs_done,
                                                                       c.runs_planned),
    caveats.RunsLeftOut: lambda c: "%s left out: a worker failed" % plural(c.count, "run"),
    caveats.SharingMismatch: lambda c: "%s: the counts do not add up" % c.mechanism,
}
"""Each caveat in a few words, complete, for a chart where the full words
(CAVEAT_WORDS) do not fit; the summary always gives them in full."""


class Worded(NamedTuple):
    """A caveat as a chart says it: in full, and in short where that does not fit."""

    full: str
    short: str


Said = TypeVar("Said", str, Worded)
"""A caveat's words: a string (the summary's) or Worded (a chart's)."""


def worded(caveat: Caveat, label: str | None = None) -> Worded:
    """The Worded `caveat`, each form after "`label`: " if given."""
    said = Worded(caveat_text(caveat), CAVEAT_SHORT[type(caveat)](caveat))
    return said if label is None else labelled(label, said)


@overload
def labelled(label: str, said: Worded) -> Worded: ...
@overload
def labelled(label: str, said: str) -> str: ...
def labelled(label: str, said: str | Worded) -> str | Worded:
    """"A: ..." of a caveat's words, a string or Worded."""
    if isinstance(said, Worded):
        return Worded(*("%s: %s" % (label, each) for each in said))
    return "%s: %s" % (label, said)


def partial_mark(incomplete: str | None) -> str | None:
    """A partial log's mark on its chart, from RunLog.incomplete: "partial:
    interrupted after 2 of 6 runs", "partial: run 2 of 2 failed" (why it
    failed is the summary's to say); None for a complete log."""
    if not incomplete:
        return None
    return "partial: " + incomplete.split(": ")[0]


def workload_label(spec: RunSpec) -> str:
    """What ran, in a few words: "countdown", "pi (seed kernel)", "script
    examples/hash.py", "module http.server", "bench:work", "process 1234"."""
    params = spec.params or {}
    if spec.kernel in ("script", "module"):
        return " ".join([spec.kernel, params.get("target", "?")] + list(params.get("args", [])))
    if spec.kernel == "attach":
        return "process %s" % params.get("pid", "?")
    if spec.kernel == "call":
        return params.get("function", "a function")
    return spec.workload()


def worker_label(run: Run, index: int) -> str:
    """A worker's name on a band or in a table: its thread's name in a
    program's run, else "thread 2", "process 0", "serial"."""
    worker = next((w for w in run.workers if w.index == index), None)
    if worker is not None and worker.name:
        return worker.name
    noun = run.spec.worker_noun
    return "serial" if noun == "serial" else "%s %d" % (noun, index)


def caveat_text(caveat: Caveat) -> str:
    """A caveat record (analysis.caveats) in words for the audience."""
    return CAVEAT_WORDS[type(caveat)](caveat)


def caveat_texts(records: Sequence[Caveat]) -> list[str]:
    return [caveat_text(record) for record in records]


def cores_phrase(run: Run) -> str:
    """"pinned to core 0", "pinned to cores 0-1", or "2 cores" (unpinned)."""
    interpreter = run.interpreter
    if run.spec.cores is not None and interpreter.affinity:
        return "pinned to core%s %s" % ("" if len(interpreter.affinity) == 1 else "s",
                                        format_cores(interpreter.affinity))
    return plural(core_count(interpreter), "core")


def cores_label(run: Run) -> str:
    """"1 core (0)", "2 cores (0-1)", or "unpinned (2 cores)"."""
    cores = run.interpreter.affinity
    if run.spec.cores is None or not cores:
        return "unpinned (%s)" % plural(core_count(run.interpreter), "core")
    return "%s (%s)" % (plural(len(cores), "core"), format_cores(cores))


def interpreter_label(run: Run) -> str:
    """"CPython 3.13.5", with a "t" for a free-threaded build: "CPython 3.13.5t"."""
    interpreter = run.interpreter
    return "%s %s%s" % (interpreter.implementation, interpreter.version,
                        "t" if interpreter.free_threaded else "")


def switch_interval_label(run: Run) -> str:
    """"5 ms": the switch interval the target ran with, where it has one to
    show (3.x: the convoy, a switch interval set or compared)."""
    seconds = run.interpreter.switch_interval_s
    assert seconds is not None  # 3.x always reports it
    return format_interval(seconds)


GIL_NAMES = {OLD_GIL: "old GIL", NEW_GIL: "new GIL", NO_GIL: "no GIL"}


def gil_name(run: Run) -> str:
    """"old GIL" (2.x), "new GIL" (3.2+) or "no GIL" (free-threaded, GIL off)."""
    return GIL_NAMES[gil_kind(run.interpreter)]


def handover_phrase(run: Run, always: bool = False) -> str | None:
    """How the GIL was handed over, where the run set it (or `always`):
    "switch interval 5 ms", "check interval 100 ticks"; None without a GIL
    or where the default was kept."""
    kind, interpreter = gil_kind(run.interpreter), run.interpreter
    if kind == OLD_GIL and (always or run.spec.check_interval is not None):
        if interpreter.check_interval is None:  # not readable (a process attached to)
            return "check interval unknown"
        return "check interval %s ticks" % format(interpreter.check_interval, ",")
    if kind == NEW_GIL and (always or run.spec.switch_interval_s is not None):
        if interpreter.switch_interval_s is None:
            return "switch interval unknown"
        return "switch interval %s" % format_interval(interpreter.switch_interval_s)
    return None


def gil_phrase(run: Run) -> str:
    """The lock a run ran under, in words: "old GIL, check interval 100
    ticks", "new GIL, switch interval 5 ms", "no GIL (free-threaded build)",
    "GIL on (free-threaded build, -X gil=1)"."""
    kind = gil_kind(run.interpreter)
    if kind == NO_GIL:
        return "no GIL (free-threaded build)"
    said = "%s, %s" % (GIL_NAMES[kind], handover_phrase(run, always=True))
    if run.interpreter.free_threaded:
        said += " (free-threaded build, GIL on)"
    return said


def task_phrase(params: dict[str, Any]) -> str | None:
    """What each task of the io kernel is, from its parameters; None if they
    do not say."""
    if "wait_s" not in params:
        return None
    if params.get("via", "echo") == "echo":
        return ("each task: one round trip to an echo server on 127.0.0.1 that answers after "
                "%.1f ms" % (1e3 * params["wait_s"]))
    return "each task: time.sleep(%.1f ms), standing in for I/O" % (1e3 * params["wait_s"])
