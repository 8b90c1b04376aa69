"""What degraded a measurement, as typed records: analysis finds them,
report puts them into words (report.caveat_text), render shows those words.

Each record has a `kind`, a short stable name for code that tells them apart
(a property: a NamedTuple's class attributes would be fields to a type checker).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple, Union

from ..log.records import RoleName, Run


class WorkerFailed(NamedTuple):
    @property
    def kind(self) -> str:
        return "worker-failed"

    worker: int
    error: str
    """The worker's exception, as the target reported it."""


def kernel_fallbacks(runs: Iterable[Run]) -> list[KernelFallback]:
    """A KernelFallback for each distinct thing the kernels of `runs` said
    they did instead of what was asked (their results' "fallback")."""
    return [KernelFallback(message) for message in
            sorted({w.result["fallback"] for run in runs for w in run.workers
                    if w.result and w.result.get("fallback")})]


class KernelFallback(NamedTuple):
    """A kernel could not do what was asked and did something else."""

    @property
    def kind(self) -> str:
        return "kernel-fallback"

    message: str
    """What it did instead, as the kernel in the target said it."""


class PoolSharedMembers(NamedTuple):
    """A pool ran several workers one after the other on one thread or process."""

    @property
    def kind(self) -> str:
        return "pool-shared-members"

    workers: tuple[int, ...]
    """Indices of the workers that shared one pool member."""
    backend: str


class WaitsUnreadable(NamedTuple):
    """The sampler could not read what sleeping threads waited on (no ptrace
    access): GIL and lock waits show as off CPU."""

    @property
    def kind(self) -> str:
        return "waits-unreadable"


class QueuedAsRunning(NamedTuple):
    """Sampled running time exceeds the workers' CPU time: some waits for a
    CPU show as running."""

    @property
    def kind(self) -> str:
        return "queued-as-running"

    excess_ns: int


class SamplerBehind(NamedTuple):
    """The sampler read less often than asked, and what is known of why."""

    @property
    def kind(self) -> str:
        return "sampler-behind"

    achieved_hz: float
    requested_hz: float
    longest_pause_ns: int
    waited_for_cpu_ns: int | None = None
    """Time the sampler was runnable without a CPU (busy cores); None if unknown."""
    round_cpu_ns: int | None = None
    """The sampler's own CPU time a round; None if unknown."""
    raised: bool | None = None
    """Whether its priority was raised above the target's (nice < 0)."""


class PinningMismatch(NamedTuple):
    """The target did not get the cores it asked for."""

    @property
    def kind(self) -> str:
        return "pinning-mismatch"

    asked: tuple[int, ...]
    got: tuple[int, ...]


class CoarseProbe(NamedTuple):
    """GIL turns can be shorter than the probe's resolution: short turns
    merge in the bands."""

    @property
    def kind(self) -> str:
        return "coarse-probe"

    switch_interval_s: float
    resolution_ns: float


class SystemTime(NamedTuple):
    """Much of a busy run's CPU time went to the OS kernel."""

    @property
    def kind(self) -> str:
        return "system-time"

    share: float


class BaselineSystemTime(NamedTuple):
    """The serial baselines spent much more of their CPU time in the OS kernel
    than the run: the ratio of wall times reflects that too."""

    @property
    def kind(self) -> str:
        return "baseline-system-time"

    baseline_share: float
    run_share: float


class UnexplainedSpeedup(NamedTuple):
    """A ratio to the serial baselines that the runs' parallelism cannot
    explain (plausibility.unexplained_ratio): the machine, not the workers,
    moved it (the baselines were slowed, or one of them ran at another
    speed), so it is no speedup."""

    @property
    def kind(self) -> str:
        return "unexplained-speedup"

    speedup: float
    """The baselines' median wall time over the run's."""
    parallelism: float
    """The run's workers' CPU time over its wall time: cores' worth of work running."""
    baseline_cpu_share: float
    """The baselines' CPU time over their wall time (median): below 1, they
    waited for a CPU (other processes, the VM)."""
    baseline_cpu_ratio: float
    """The baselines' CPU time over the run's, for the same work (median):
    above 1, each unit of work cost them more (page faults, a slower CPU)."""
    workers: int = 2
    """The run's workers: one should take the serial time, neither more nor less."""
    reason: str = "parallelism"
    """Which rule the ratio failed (plausibility): "parallelism" (beyond what
    the run's parallelism explains), "speed" (the serial runs' work cost
    more CPU a unit) or "one-worker" (one worker off 1.0)."""


class SpeedChange(NamedTuple):
    """Runs of one configuration took CPU times a unit of work far apart:
    the machine changed speed between them, and ratios of runs at different
    speeds measure that as well."""

    @property
    def kind(self) -> str:
        return "speed-change"

    kernel: str
    """Whose unit of work: an iteration of the countdown, a sample of pi."""
    low_ns: float
    """The least CPU time a unit of work took, in ns."""
    high_ns: float
    runs: int
    """Runs compared."""
    role: RoleName
    """Which runs: "baseline" (the serial runs) or "main"."""


class OtherLoad(NamedTuple):
    """Other processes took CPU time while the runs were measured: the times
    measure the machine's other work too."""

    @property
    def kind(self) -> str:
        return "other-load"

    mean_cores: float
    """Other processes' CPU use over the runs, in cores (mean)."""
    peak_cores: float
    """The highest mean over any OTHER_LOAD_WINDOW_NS of them."""
    steal_cores: float
    """CPU the hypervisor gave to other machines, in cores (mean)."""
    during: str
    """RUN or BASELINES: which runs."""


class UnexplainedPauses(NamedTuple):
    """Probe gaps put down neither to the GIL nor to the OS."""

    @property
    def kind(self) -> str:
        return "unexplained-pauses"

    count: int  # type: ignore[assignment]  # hides tuple.count(), as Worker.index does index()
    total_ns: int


class IncompleteSweep(NamedTuple):
    @property
    def kind(self) -> str:
        return "incomplete-sweep"

    runs_done: int
    runs_planned: int
    rounds_done: int
    rounds_planned: int | None


class DisturbedRuns(NamedTuple):
    """Runs of a sweep during which other processes took the CPU."""

    @property
    def kind(self) -> str:
        return "disturbed-runs"

    points: tuple[tuple[str, int, int], ...]
    """(backend, workers, runs disturbed) of each configuration with any."""
    baselines: int
    """Serial baselines disturbed..."""
    baselines_run: int
    """...of so many."""


class RunsLeftOut(NamedTuple):
    """Runs of a sweep left out because a worker failed."""

    @property
    def kind(self) -> str:
        return "runs-left-out"

    count: int  # type: ignore[assignment]  # hides tuple.count(), as Worker.index does index()


class TimedWaitsAsGil(NamedTuple):
    """Seen from outside, a wait for the GIL is a futex wait with a timeout;
    a thread waiting with a timeout of its own (Event.wait(1), queue.get(
    timeout=...), Lock.acquire(timeout=...)) looks the same."""

    @property
    def kind(self) -> str:
        return "timed-waits-as-gil"


class SharingMismatch(NamedTuple):
    """What the sharing mechanism delivered to the agent is not what the
    workers counted: reports were lost, or arrived after the agent stopped
    waiting for them."""

    @property
    def kind(self) -> str:
        return "share-mismatch"

    mechanism: str
    own_total: int | None
    """The sum of the workers' own counts; None if a worker returned none."""
    collected_total: int | None
    """The sum of what was collected; None if nothing was."""


class LateStart(NamedTuple):
    """A worker started well after the first one, and not for want of the
    GIL; `cpu_wait_ns` of that time it was runnable but had no CPU (the OS's
    doing), -1 if unknown."""

    @property
    def kind(self) -> str:
        return "late-start"

    worker: int
    late_ns: int
    cpu_wait_ns: int


class ShortTurns(NamedTuple):
    """Half the GIL turns or more were shorter than the probe's resolution
    (the old GIL's fight): their lengths are not known, only that they were
    short; the hand-offs are counted still."""

    @property
    def kind(self) -> str:
        return "short-turns"

    median_turn_ns: int
    resolution_ns: float


Caveat = Union[WorkerFailed, KernelFallback, PoolSharedMembers, WaitsUnreadable, QueuedAsRunning,
               SamplerBehind, PinningMismatch, CoarseProbe, SystemTime, BaselineSystemTime,
               UnexplainedSpeedup, SpeedChange, OtherLoad, UnexplainedPauses, IncompleteSweep,
               DisturbedRuns, RunsLeftOut, TimedWaitsAsGil, SharingMismatch, LateStart,
               ShortTurns]
"""Any of the caveat records above."""
