"""How much CPU other processes took during a run: the machine's busy time
minus the target's and gilviz's own, in cores, window by window.

    busy    = CPUs x window - idle - iowait - steal     (/proc/stat, 10 ms units)
    target  = CPU clock of every process of the target's session
    gilviz  = CPU clock of this process (its sampler thread included)
    other   = busy - target - gilviz

The per-process clocks are exact: clock_gettime() on a process's CPU clock
(0.5 us a read here, allowed on any process) counts to the nanosecond,
including the slice it is running. /proc/stat counts in 10 ms units, so one
50 ms window of `other` may be off by ~0.2 core each way, even below zero;
the mean over a run is not. Walking every process with psutil instead cost
8.6 ms a call here (84 processes), 17 % of a core at 20 calls a second; this
costs ~25 us a call.

The target is the leader of its own session (the runner starts it so), and
every process it starts stays in that session: a scan of /proc for them
(1.7 ms here) is made at the start and then once a second, to catch servers
and clients the kernels start during the run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable

import numpy as np

from ..log import LoadSamples

RESCAN_NS = 1_000_000_000
"""How often the target's session is looked for new processes."""
USER_HZ = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_clock(pid: int) -> int:
    """The clock id of a process's CPU clock, as clock_getcpuclockid(3)
    makes it (CPUCLOCK_SCHED of the whole process): ~pid << 3 | 2."""
    return ((~pid) << 3) | 2


def session_of(pid: int) -> int | None:
    """Field 6 of /proc/PID/stat: the process's session id; None if it is gone."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as stream:
            raw = stream.read()
        return int(raw[raw.rindex(b")") + 2:].split()[3])
    except (OSError, ValueError, IndexError):
        return None


def session_members(session: int) -> list[int]:
    """Pids of the processes of a session, by a walk over /proc."""
    members = []
    for name in os.listdir("/proc"):
        if name.isdigit() and session_of(int(name)) == session:
            members.append(int(name))
    return members


def advance(clocks: dict[int, int | None]) -> int:
    """CPU ns the processes of `clocks` (pid -> their CPU clock at the last
    read, None for not yet read) used since, each clock moved to now; a
    process gone is dropped, what it used since the last read lost."""
    used = 0
    for pid, before in list(clocks.items()):
        try:
            total = time.clock_gettime_ns(cpu_clock(pid))
        except OSError:
            del clocks[pid]
            continue
        if before is not None:
            used += total - before
        clocks[pid] = total
    return used


class LoadMeter:
    """Reads the machine's and the target's CPU time at each read(now).

    `target_pids` are the target's processes known at the start; `session`
    (the target's pid) finds those it starts later, if given.
    """

    def __init__(self, target_pids: Iterable[int], session: int | None = None,
                 clock: Callable[[], int] = time.perf_counter_ns) -> None:
        self._clock = clock
        self._session = session
        self._stat: int | None = os.open("/proc/stat", os.O_RDONLY)
        self._cpus = os.cpu_count() or 1
        # pid -> last CPU ns, of the target's processes and of gilviz's own helpers
        self._target: dict[int, int | None] = {pid: None for pid in target_pids}
        self._helpers: dict[int, int | None] = {}
        self._helpers_ns = 0
        self._next_scan = 0
        self._last: tuple[int, float, float, int] | None = None  # (t, unused_s, steal_s, own_ns)
        self._rows: list[tuple[int, float, float, float, float]] = []

    def close(self) -> None:
        if self._stat is not None:
            os.close(self._stat)
            self._stat = None

    def _machine(self) -> tuple[float, float]:
        """(seconds idle + iowait + steal, seconds of steal) since boot."""
        assert self._stat is not None, "read after close()"
        line = os.pread(self._stat, 512, 0).split(b"\n", 1)[0].split()
        # cpu user nice system idle iowait irq softirq steal guest guest_nice
        idle, iowait = int(line[4]), int(line[5])
        steal = int(line[8]) if len(line) > 8 else 0
        return (idle + iowait + steal) / USER_HZ, steal / USER_HZ

    def _target_ns(self, now: int) -> int:
        """CPU ns the target's processes used since the last read; a process
        found since adds only what it used since it was found."""
        if self._session is not None and now >= self._next_scan:
            # A process first seen after the first read was born since: all
            # its CPU time falls within the run (in this window or earlier ones).
            born_since = 0 if self._last is not None else None
            for pid in session_members(self._session):
                self._target.setdefault(pid, born_since)
            self._next_scan = now + RESCAN_NS
        return advance(self._target)

    def count_as_own(self, pid: int) -> None:
        """Count process `pid`, started by gilviz to measure (the GIL flag
        reader), as gilviz's own: not as other load. All its CPU time falls
        within the run: it was started for it."""
        self._helpers[pid] = 0

    def _helpers_used_ns(self) -> int:
        self._helpers_ns += advance(self._helpers)
        return self._helpers_ns

    def read(self, now: int | None = None) -> None:
        now = self._clock() if now is None else now
        unused_s, steal_s = self._machine()
        target = self._target_ns(now)
        own = time.process_time_ns() + self._helpers_used_ns()
        if self._last is None:
            self._rows.append((now, np.nan, np.nan, np.nan, np.nan))
        else:
            t, unused_before, steal_before, own_before = self._last
            window = (now - t) / 1e9
            if window > 0:
                busy = self._cpus - (unused_s - unused_before) / window
                self._rows.append((now, busy, target / 1e9 / window,
                                   (own - own_before) / 1e9 / window,
                                   (steal_s - steal_before) / window))
        self._last = (now, unused_s, steal_s, own)

    def samples(self, origin_ns: int) -> LoadSamples:
        rows = np.asarray(self._rows, np.float64).reshape(-1, 5)
        busy, target, own, steal = rows[:, 1], rows[:, 2], rows[:, 3], rows[:, 4]
        return LoadSamples(
            t_ns=np.asarray([row[0] for row in self._rows], np.int64) - origin_ns,
            busy=busy, target=target, gilviz=own, other=busy - target - own, steal=steal)
