"""Facts of a run that every other analysis builds on: its wall time, which
workers share a GIL, where each worker stopped, the cores it could use."""

from __future__ import annotations


def wall_ns(run):
    """From the release to the last worker's stop (the run's end if none stopped)."""
    stops = [w.stop_ns for w in run.workers if w.stop_ns is not None]
    return max(stops) if stops else run.end_ns


def median_run(runs):
    """The run whose wall time is the median (the lower one of an even count)."""
    order = sorted(runs, key=wall_ns)
    return order[(len(order) - 1) // 2]


def gil_of_workers(run):
    """An id of the GIL each worker ran under: its pid; without a GIL, an id
    of its own."""
    if run.interpreter.gil_enabled:
        return {w.index: w.pid for w in run.workers}
    return {w.index: -1 - w.index for w in run.workers}


def shares_gil(run):
    """{worker index: whether another worker ran under its GIL}."""
    gil = gil_of_workers(run)
    return {index: sum(1 for other in gil.values() if other == mine) > 1
            for index, mine in gil.items()}


def stop_by_worker(run):
    """{worker index: stop time} of the workers that stopped."""
    return {w.index: w.stop_ns for w in run.workers if w.stop_ns is not None}


def longest_sample_ns(run):
    """How long one sample may stand for: three sampling periods."""
    return int(3e9 / run.sampler.requested_hz)


def core_count(interpreter):
    """The cores the target could run on: its affinity where known, else the
    machine's CPU count."""
    return len(interpreter.affinity or []) or interpreter.cpu_count
