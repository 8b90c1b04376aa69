"""How much of the target's CPU time the OS kernel took (system time), from
psutil's readings: a busy run that spent much of it there measures the
kernel's work (page faults, say) as much as the workload's."""

from __future__ import annotations

import numpy as np

from collections.abc import Iterable

from ..log.records import Run
from .caveats import BaselineSystemTime, SystemTime
from .runs import wall_ns

SYSTEM_SHARE_NOTED = 0.3
"""A run whose target spent more of its CPU time in the OS kernel gets a warning."""
BUSY_SHARE = 0.5
"""...if the workers used at least this much CPU time for each second of wall time."""
SYSTEM_SHARE_GAP = 0.2
"""Baselines whose system share exceeds the run's by more get a warning."""


def system_share(run: Run) -> float | None:
    """The share of the target processes' CPU time spent in the OS kernel
    (system time) while sampled, from psutil's readings; None without them."""
    user = system = 0.0
    for pid in np.unique(run.processes.pid):
        mine = np.flatnonzero(run.processes.pid == pid)
        if len(mine) > 1:
            user += run.processes.user_s[mine[-1]] - run.processes.user_s[mine[0]]
            system += run.processes.system_s[mine[-1]] - run.processes.system_s[mine[0]]
    return system / (user + system) if user + system > 0 else None


def busy_system_share(run: Run) -> float | None:
    """system_share of a run whose workers kept the CPU busy (BUSY_SHARE);
    None for one that mostly waited (I/O), whose few ms of CPU time are
    system calls by nature."""
    busy = sum(w.cpu_ns for w in run.workers if w.cpu_ns is not None)
    return system_share(run) if busy >= BUSY_SHARE * wall_ns(run) else None


def system_time(run: Run) -> SystemTime | None:
    """A SystemTime caveat where much of a busy run's CPU time was the OS
    kernel's, else None."""
    share = busy_system_share(run)
    if share is None or share <= SYSTEM_SHARE_NOTED:
        return None
    return SystemTime(share=share)


def baseline_system_time(run: Run, baselines: Iterable[Run]) -> BaselineSystemTime | None:
    """A BaselineSystemTime caveat where the serial baselines spent much more
    of their CPU time in the OS kernel than `run`: the ratio of wall times
    then measures that too, not only the workers' parallelism. None if not."""
    shares = [share for share in map(busy_system_share, baselines) if share is not None]
    mine = busy_system_share(run)
    if not shares or mine is None or np.median(shares) - mine <= SYSTEM_SHARE_GAP:
        return None
    return BaselineSystemTime(baseline_share=float(np.median(shares)), run_share=mine)
