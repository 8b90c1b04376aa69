"""What degraded a measurement, as typed records: analysis finds them,
report puts them into words (report.caveat_text), render shows those words.

Each record has a `kind`, a short stable name for code that tells them apart.
"""

from __future__ import annotations

from typing import NamedTuple, Optional


class WorkerFailed(NamedTuple):
    kind = "worker-failed"
    worker: int
    error: str
    """The worker's exception, as the target reported it."""


class KernelFallback(NamedTuple):
    """A kernel could not do what was asked and did something else."""

    kind = "kernel-fallback"
    message: str
    """What it did instead, as the kernel in the target said it."""


class PoolSharedMembers(NamedTuple):
    """A pool ran several workers one after the other on one thread or process."""

    kind = "pool-shared-members"
    workers: tuple
    """Indices of the workers that shared one pool member."""
    backend: str


class WaitsUnreadable(NamedTuple):
    """The sampler could not read what sleeping threads waited on (no ptrace
    access): GIL and lock waits show as off CPU."""

    kind = "waits-unreadable"


class QueuedAsRunning(NamedTuple):
    """Sampled running time exceeds the workers' CPU time: some waits for a
    CPU show as running."""

    kind = "queued-as-running"
    excess_ns: int


class SamplerBehind(NamedTuple):
    kind = "sampler-behind"
    achieved_hz: float
    requested_hz: float
    longest_pause_ns: int


class PinningMismatch(NamedTuple):
    """The target did not get the cores it asked for."""

    kind = "pinning-mismatch"
    asked: tuple
    got: tuple


class CoarseProbe(NamedTuple):
    """GIL turns can be shorter than the probe's resolution: short turns
    merge in the bands."""

    kind = "coarse-probe"
    switch_interval_s: float
    resolution_ns: float


class SystemTime(NamedTuple):
    """Much of a busy run's CPU time went to the OS kernel."""

    kind = "system-time"
    share: float


class BaselineSystemTime(NamedTuple):
    """The serial baselines spent much more of their CPU time in the OS kernel
    than the run: the ratio of wall times reflects that too."""

    kind = "baseline-system-time"
    baseline_share: float
    run_share: float


class UnexplainedPauses(NamedTuple):
    """Probe gaps put down neither to the GIL nor to the OS."""

    kind = "unexplained-pauses"
    count: int
    total_ns: int


class IncompleteSweep(NamedTuple):
    kind = "incomplete-sweep"
    runs_done: int
    runs_planned: int
    rounds_done: int
    rounds_planned: Optional[int]


class RunsLeftOut(NamedTuple):
    """Runs of a sweep left out because a worker failed."""

    kind = "runs-left-out"
    count: int


class LateStart(NamedTuple):
    """A worker started well after the first one, and not for want of the
    GIL; `cpu_wait_ns` of that time it was runnable but had no CPU (the OS's
    doing), -1 if unknown."""

    kind = "late-start"
    worker: int
    late_ns: int
    cpu_wait_ns: int
