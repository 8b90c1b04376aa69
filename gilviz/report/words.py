"""The words for analysis facts that every report and figure shares: the
caveats of a measurement, the band states, where a run ran, under which lock."""

from __future__ import annotations

from ..analysis import (NATIVE, NEW_GIL, NO_GIL, OFF_CPU, OLD_GIL, ON_CPU, RUNNING, SLEEPING,
                        UNCLEAR, WAIT_CPU, WAIT_GIL, WAIT_IO, WAIT_LOCK, core_count, gil_kind)
from ..analysis import caveats
from .format import format_cores, format_interval, plural

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
}
"""A band state in a word or two, as a trace names its slices."""


def _pool_members(caveat):
    return "the pool ran workers %s one after the other on one %s" % (
        ", ".join(map(str, caveat.workers)),
        "thread" if caveat.backend == "dummy-pool" else "process")


def _unexplained(caveat):
    return "%d pause%s (%.1f ms in all) not put down to the GIL or the OS" % (
        caveat.count, "" if caveat.count == 1 else "s", caveat.total_ns / 1e6)


def _late_start(caveat):
    said = "worker %d started %.1f ms after the first" % (caveat.worker, caveat.late_ns / 1e6)
    if caveat.cpu_wait_ns < 0:
        return said
    return "%s; it was ready but had no CPU for %.1f ms of that (the OS's doing)" % (
        said, caveat.cpu_wait_ns / 1e6)


CAVEAT_WORDS = {
    caveats.WorkerFailed: lambda c: "worker %d failed: %s" % (c.worker, c.error),
    caveats.KernelFallback: lambda c: c.message,
    caveats.PoolSharedMembers: _pool_members,
    caveats.WaitsUnreadable: lambda c: (
        "could not read what sleeping threads waited on (no ptrace access): "
        "GIL and lock waits show as 'off CPU'"),
    caveats.QueuedAsRunning: lambda c: (
        "sampled running time exceeds the workers' CPU time by %.0f ms: "
        "some waits for a CPU show as running" % (c.excess_ns / 1e6)),
    caveats.SamplerBehind: lambda c: (
        "sampler fell behind: %.0f Hz of %.0f requested, longest pause %.1f ms" % (
            c.achieved_hz, c.requested_hz, c.longest_pause_ns / 1e6)),
    caveats.PinningMismatch: lambda c: "asked to pin to cores %s, the target got %s" % (
        ",".join(map(str, c.asked)), ",".join(map(str, c.got))),
    caveats.CoarseProbe: lambda c: (
        "switch interval %.0f µs is close to the probe's %.0f µs resolution: "
        "short turns merge in the bands" % (c.switch_interval_s * 1e6, c.resolution_ns / 1e3)),
    caveats.LateStart: _late_start,
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
    caveats.RunsLeftOut: lambda c: "%d runs left out: a worker failed" % c.count,
}


def caveat_text(caveat):
    """A caveat record (analysis.caveats) in words for the audience."""
    return CAVEAT_WORDS[type(caveat)](caveat)


def caveat_texts(records):
    return [caveat_text(record) for record in records]


def cores_phrase(run):
    """"pinned to core 0", "pinned to cores 0-1", or "2 cores" (unpinned)."""
    interpreter = run.interpreter
    if run.spec.cores is not None and interpreter.affinity:
        return "pinned to core%s %s" % ("" if len(interpreter.affinity) == 1 else "s",
                                        format_cores(interpreter.affinity))
    return plural(core_count(interpreter), "core")


def cores_label(run):
    """"1 core (0)", "2 cores (0-1)", or "unpinned (2 cores)"."""
    cores = run.interpreter.affinity
    if run.spec.cores is None or not cores:
        return "unpinned (%s)" % plural(core_count(run.interpreter), "core")
    return "%s (%s)" % (plural(len(cores), "core"), format_cores(cores))


def interpreter_label(run):
    """"CPython 3.13.5", with a "t" for a free-threaded build: "CPython 3.13.5t"."""
    interpreter = run.interpreter
    return "%s %s%s" % (interpreter.implementation, interpreter.version,
                        "t" if interpreter.free_threaded else "")


GIL_NAMES = {OLD_GIL: "old GIL", NEW_GIL: "new GIL", NO_GIL: "no GIL"}


def gil_name(run):
    """"old GIL" (2.x), "new GIL" (3.2+) or "no GIL" (free-threaded, GIL off)."""
    return GIL_NAMES[gil_kind(run.interpreter)]


def handover_phrase(run, always=False):
    """How the GIL was handed over, where the run set it (or `always`):
    "switch interval 5 ms", "check interval 100 ticks"; None without a GIL
    or where the default was kept."""
    kind, interpreter = gil_kind(run.interpreter), run.interpreter
    if kind == OLD_GIL and (always or run.spec.check_interval is not None):
        return "check interval %s ticks" % format(interpreter.check_interval, ",")
    if kind == NEW_GIL and (always or run.spec.switch_interval_s is not None):
        return "switch interval %s" % format_interval(interpreter.switch_interval_s)
    return None


def gil_phrase(run):
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


def task_phrase(params):
    """What each task of the io kernel is, from its parameters; None if they
    do not say."""
    if "wait_s" not in params:
        return None
    if params.get("via", "echo") == "echo":
        return ("each task: one round trip to an echo server on 127.0.0.1 that answers after "
                "%.1f ms" % (1e3 * params["wait_s"]))
    return "each task: time.sleep(%.1f ms), standing in for I/O" % (1e3 * params["wait_s"])
