"""Where a command's time goes beyond the runs themselves (--timings).

Stages record themselves with timed(label) while a Timings is active (none
is, normally: then timed() costs one check). The runner splits each run into
the target's start, the run's own wall time and its end, and records the
CPU time the orchestrator used while the targets ran (record_cpu): that the
work it does beside the runs stays out of their measured phases is seen
there, not assumed.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator

_active: Timings | None = None


class Timings:
    """Seconds per stage, in the order the stages first ran; CPU seconds
    apart (`cpu`), as they overlap the stages."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self.clock = clock
        self.seconds: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    def add(self, label: str, seconds: float) -> None:
        self.seconds[label] = self.seconds.get(label, 0.0) + seconds

    def add_cpu(self, label: str, seconds: float) -> None:
        self.cpu[label] = self.cpu.get(label, 0.0) + seconds

    def __enter__(self) -> Timings:
        global _active
        _active = self
        return self

    def __exit__(self, *exc: object) -> None:
        global _active
        _active = None


@contextlib.contextmanager
def timed(label: str) -> Iterator[None]:
    """Time the block as `label` if a Timings is active."""
    timings = _active
    if timings is None:
        yield
        return
    began = timings.clock()
    try:
        yield
    finally:
        timings.add(label, timings.clock() - began)


def record(label: str, seconds: float) -> None:
    """Add `seconds` to `label` if a Timings is active."""
    if _active is not None:
        _active.add(label, seconds)


def record_cpu(label: str, seconds: float) -> None:
    """Add `seconds` of CPU time to `label` if a Timings is active."""
    if _active is not None:
        _active.add_cpu(label, seconds)
