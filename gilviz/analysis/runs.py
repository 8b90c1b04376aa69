"""Facts of a run that every other analysis builds on: its wall time, which
workers share a GIL, where each worker stopped, the cores it could use."""

from __future__ import annotations

from collections.abc import Iterable

from ..log.records import Interpreter, Run


def wall_ns(run: Run) -> int:
    """From the release to the last worker's stop (the run's end if none stopped)."""
    stops = [w.stop_ns for w in run.workers if w.stop_ns is not None]
    return max(stops) if stops else run.end_ns


def median_run(runs: Iterable[Run]) -> Run:
    """The run whose wall time is the median (the lower one of an even count)."""
    order = sorted(runs, key=wall_ns)
    return order[(len(order) - 1) // 2]


def gil_of_workers(run: Run) -> dict[int, int]:
    """An id of the GIL each worker ran under: its pid; without a GIL, an id
    of its own."""
    if run.interpreter.gil_enabled:
        return {w.index: w.pid for w in run.workers}
    return {w.index: -1 - w.index for w in run.workers}


def shares_gil(run: Run) -> dict[int, bool]:
    """{worker index: whether another worker ran under its GIL}."""
    gil = gil_of_workers(run)
    return {index: sum(1 for other in gil.values() if other == mine) > 1
            for index, mine in gil.items()}


def stop_by_worker(run: Run) -> dict[int, int]:
    """{worker index: stop time} of the workers that stopped."""
    return {w.index: w.stop_ns for w in run.workers if w.stop_ns is not None}


def longest_sample_ns(run: Run) -> int:
    """How long one sample may stand for: three sampling periods. Only for a
    run whose sampler was on."""
    assert run.sampler is not None
    return int(3e9 / run.sampler.requested_hz)


def core_count(interpreter: Interpreter) -> int:
    """The cores the target could run on: its affinity where known, else the
    machine's CPU count."""
    return len(interpreter.affinity or []) or interpreter.cpu_count
