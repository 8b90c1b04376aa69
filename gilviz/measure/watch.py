"""Tells a target that works from one that is stopped, stuck or over its time.

The runner asks `RunWatch.check()` every half second or so while it waits for
the agent's next message. A check reads /proc/PID/stat of the target and of
each worker process (a few microseconds each): its state, and the CPU time of
all its threads. It raises TargetError when

  - the whole run took longer than `timeout_s`;
  - one of these processes has been stopped (state T, SIGSTOP or a debugger)
    for `stall_s`: the agent would wait for it forever;
  - none of them used any CPU time for `stall_s`: a deadlock, or a target
    waiting on something that never comes.

CPU time moves in clock ticks (10 ms), so one check is no proof of a stall;
`stall_s` of several seconds leaves a wide margin. A kernel that waits
without using the CPU for longer than `stall_s` (an io task of a very long
wait) needs a larger `stall_s`, or None to turn the check off.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .procparse import parse_stat_row

STOPPED_STATES = ("T", "t")
"""Stopped by a signal, or by a tracer."""


class TargetError(RuntimeError):
    """The target process failed; the message says how, in one line."""


def read_stat(pid: int) -> tuple[str, int] | None:
    """(state, utime + stime in ticks) of a process, or None if it is gone."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as stream:
            raw = stream.read()
    except OSError:
        return None
    try:
        state, _, ticks = parse_stat_row(raw)
    except (ValueError, IndexError):  # gone while being read
        return None
    if state in (b"Z", b"X"):  # exited, not yet reaped
        return None
    return state.decode(), ticks


class RunWatch:
    """Watches the processes of one run. `clock` returns seconds (injected in tests)."""

    def __init__(self, timeout_s: float | None = None, stall_s: float | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 read: Callable[[int], tuple[str, int] | None] = read_stat) -> None:
        self.timeout_s = timeout_s
        self.stall_s = stall_s
        self._clock = clock
        self._read = read
        self._began = clock()
        self._processes: dict[int, str] = {}
        self._ticks: int | None = None
        self._progress_at = self._began
        self._stopped_since: dict[int, float] = {}

    def watch(self, pid: int, name: str) -> None:
        """Add a process to watch; `name` says what it is, e.g. "worker process 2"."""
        self._processes[pid] = name

    def wait_s(self, poll_s: float) -> float:
        """How long to wait for the target before the next check: `poll_s`,
        or less when the time limit falls sooner (a 1 ms limit must end a
        0.1 s run, which said "done" before a check every `poll_s` came)."""
        if self.timeout_s is None:
            return poll_s
        return max(0.0, min(poll_s, self._began + self.timeout_s - self._clock()))

    def check(self) -> None:
        now = self._clock()
        if self.timeout_s is not None and now - self._began > self.timeout_s:
            raise TargetError("the run did not end within its time limit of %g s" % self.timeout_s)
        if self.stall_s is None:
            return
        ticks = 0
        stopped: str | None = None
        for pid, name in self._processes.items():
            stat = self._read(pid)
            if stat is None:
                self._stopped_since.pop(pid, None)
                continue
            state, used = stat
            ticks += used
            if state in STOPPED_STATES:
                since = self._stopped_since.setdefault(pid, now)
                stopped = stopped or "%s (pid %d) stopped (state %s) for %d s" % (
                    name, pid, state, now - since)
                if now - since >= self.stall_s:
                    raise TargetError(stopped)
            else:
                self._stopped_since.pop(pid, None)
        if ticks != self._ticks:
            self._ticks, self._progress_at = ticks, now
        elif now - self._progress_at >= self.stall_s:
            # A stopped process is why nothing moves: say that, not the symptom.
            raise TargetError(stopped or "the target made no progress (no CPU time used) for %d s"
                              % (now - self._progress_at))
