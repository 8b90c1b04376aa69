"""What kind of lock a run's interpreter had, and what follows from it.

    old GIL  CPython 2.x: the holder offers the GIL every check interval of
             "ticks" (bytecode instructions); on several cores the waiting
             threads fight for it.
    new GIL  CPython 3.2+: a waiting thread asks for the GIL after the
             switch interval (5 ms by default) and the holder hands it over.
    no GIL   a free-threaded build (3.13t) with the GIL off: threads run at
             once, their bands overlap, and nothing is handed over.
"""

from __future__ import annotations

from typing import NamedTuple, cast

from ..log.records import Interpreter, Run
from .caveats import LateStart
from .runs import core_count, shares_gil
from .system import busy_system_share

OLD_GIL, NEW_GIL, NO_GIL = "old-gil", "new-gil", "no-gil"
LATE_START_NS = 5_000_000
"""A worker starting this long after the first one started late (a switch
interval: under a GIL a thread may wait that long for its first turn)."""


def gil_kind(interpreter: Interpreter) -> str:
    """OLD_GIL, NEW_GIL or NO_GIL for a log.Interpreter."""
    if not interpreter.gil_enabled:
        return NO_GIL
    if interpreter.check_interval is not None or interpreter.version.startswith("2."):
        return OLD_GIL
    return NEW_GIL


class Battle(NamedTuple):
    """The old GIL's threads fighting for it: the finding of an old-GIL run.

    Every check interval the holder lets go and takes it straight back;
    letting go wakes a waiting thread, which on another core runs, finds
    the GIL taken again and goes back to sleep. So the GIL changes hands
    thousands of times a second, most wake-ups fail, and the threads spend
    much of their CPU time in the OS kernel, signalling each other.
    """

    cores: int
    """Cores the threads could run on: one core leaves nobody to fight."""
    handoffs_per_s: float
    """Times a second the GIL went to another thread (the probe's)."""
    failed_wakeups_per_s: float | None
    """Times a second a thread went back to sleep without a turn: its sleeps
    (voluntary context switches) less the turns it began; None if unread."""
    kernel_share: float | None
    """Share of the target's CPU time spent in the OS kernel; None if unsampled."""


def old_gil_battle(run: Run, handoffs: int | None, wall_ns: int) -> Battle | None:
    """The Battle of an old-GIL run whose workers shared the GIL, else None."""
    if gil_kind(run.interpreter) != OLD_GIL or not handoffs or wall_ns <= 0:
        return None
    seconds = wall_ns / 1e9
    sleeps = [w.sleeps for w in run.workers if w.error is None]
    failed = None
    if sleeps and None not in sleeps:
        # Each sleep ends in a wake-up: those that began a turn are hand-offs.
        failed = max(0, sum(cast(list[int], sleeps)) - handoffs) / seconds
    return Battle(cores=core_count(run.interpreter), handoffs_per_s=handoffs / seconds,
                  failed_wakeups_per_s=failed, kernel_share=busy_system_share(run))


def late_starts(run: Run, threshold_ns: int = LATE_START_NS) -> list[LateStart]:
    """A LateStart for each worker that began `threshold_ns` or more after the
    first one, where that is not the GIL's doing: without a GIL, or where it
    was runnable without a CPU for at least half of the delay. (Under a GIL a
    thread may wait a turn or two before its first clock read.) The probe's
    first interval carries the run_delay accrued from the worker's getting
    ready to its start; without the probe, cpu_wait_ns is -1 (unknown)."""
    starts = {w.index: w.start_ns for w in run.workers if w.start_ns is not None}
    if len(starts) < 2:
        return []
    first = min(starts.values())
    # Workers that can run at once take the cores first: with more of them
    # than cores, the later ones wait for a CPU by design, not by accident.
    in_start_order = sorted(starts, key=lambda index: starts[index])
    beyond_cores = set(in_start_order[core_count(run.interpreter):])
    shared = shares_gil(run)
    found = []
    for index, start in sorted(starts.items()):
        late = int(start - first)
        if late < threshold_ns or (index in beyond_cores and not shared[index]):
            continue
        mine = run.holds.worker == index
        waited = int(run.holds.cpu_wait_ns[mine][0]) if mine.any() else -1
        if run.interpreter.gil_enabled and waited < late / 2:
            continue
        found.append(LateStart(worker=index, late_ns=late, cpu_wait_ns=waited))
    return found


class Ideal(NamedTuple):
    """What the workers of a run could do at best, for a verdict's yardstick."""

    parallel: int
    """Workers that can run at once: the workers, at most the cores."""
    ratio: float
    """The best wall time over serial: 1 / parallel."""


def ideal_ratio(workers: int, cores: int | None) -> Ideal:
    """The Ideal of `workers` on `cores` (None: unknown, taken as enough)."""
    parallel = workers if cores is None else max(1, min(workers, cores))
    return Ideal(parallel=parallel, ratio=1.0 / parallel)
