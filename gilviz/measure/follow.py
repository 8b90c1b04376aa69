"""Follows the threads of a program that starts and ends them as it likes:
each new one is handed to the sampler, and at the end each thread seen
becomes a Worker of the run, named.

Threads are found two ways: the agent reports each thread the program
starts through threading (with its name), and /proc/PID/task is listed
every FOLLOW_S for any other (started from C, or in a process attached to,
where no agent runs). With `children`, the target's child processes are
followed as well.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import psutil

from ..log import ThreadSamples, Worker

if TYPE_CHECKING:
    from .sampler import Sampler

FOLLOW_S = 0.005
"""How often /proc is listed for new threads: a thread started through
threading is reported at once; others are found within this long."""


def task_ids(pid: int) -> list[int]:
    """The thread ids of a process, [] if it is gone."""
    try:
        return [int(name) for name in os.listdir("/proc/%d/task" % pid)]
    except OSError:
        return []


def comm_name(pid: int, tid: int) -> str | None:
    """The kernel's name of a thread (/proc/.../comm), or None."""
    try:
        with open("/proc/%d/task/%d/comm" % (pid, tid)) as stream:
            return stream.read().strip() or None
    except OSError:
        return None


class ThreadFollower:
    """Adds every thread of the followed processes to `sampler` (an index
    each, in the order found), except those in `skip` ((pid, tid) pairs)."""

    def __init__(self, sampler: Sampler, root_pid: int, children: bool = False,
                 skip: Iterable[tuple[int, int]] = ()) -> None:
        self.sampler = sampler
        self.root_pid = root_pid
        self.children = children
        self.skip = set(skip)
        self.index_of: dict[tuple[int, int], int] = {}
        """{(pid, tid): worker index}"""
        self.names: dict[tuple[int, int], str] = {}
        """{(pid, tid): the latest name reported}"""
        self._cpu: dict[tuple[int, int], list[int | None]] = {}
        """{(pid, tid): [schedstat fd or None, first on-CPU ns, last]}: read at
        every scan, as a thread's CPU time cannot be read once it has ended."""

    def processes(self) -> list[int]:
        pids = [self.root_pid]
        if self.children:
            try:
                pids += [child.pid for child in psutil.Process(self.root_pid).children(True)]
            except psutil.Error:
                pass
        return pids

    def add(self, pid: int, tid: int | None, name: str | None = None) -> None:
        """Follow one thread (if not followed yet or skipped); note its name."""
        if tid is None or (pid, tid) in self.skip:
            return
        if name is not None:
            self.names[(pid, tid)] = name
        if (pid, tid) in self.index_of:
            return
        try:
            self.sampler.add(len(self.index_of), pid, tid)
        except OSError:  # it has ended already
            return
        self.index_of[(pid, tid)] = len(self.index_of)
        try:
            fd = os.open("/proc/%d/task/%d/schedstat" % (pid, tid), os.O_RDONLY)
        except OSError:
            return
        self._cpu[(pid, tid)] = [fd, None, None]
        self.read_cpu()

    def read_cpu(self) -> None:
        """Each followed thread's on-CPU time so far (schedstat field 1, ns;
        a pread is ~1.4 us); a thread that has gone keeps its last reading."""
        for entry in self._cpu.values():
            if entry[0] is None:
                continue
            try:
                raw = os.pread(entry[0], 128, 0)
            except OSError:
                raw = b""
            if not raw:
                os.close(entry[0])
                entry[0] = None
                continue
            entry[2] = int(raw.split()[0])
            if entry[1] is None:
                entry[1] = entry[2]

    def close(self) -> None:
        for entry in self._cpu.values():
            if entry[0] is not None:
                os.close(entry[0])
                entry[0] = None

    def cpu_ns(self, key: tuple[int, int]) -> int | None:
        entry = self._cpu.get(key)
        if entry is None or entry[1] is None or entry[2] is None:  # not read yet
            return None
        return entry[2] - entry[1]

    def scan(self) -> None:
        """Follow the threads that appeared in /proc since the last scan, and
        read every thread's CPU time."""
        self.read_cpu()
        for pid in self.processes():
            for tid in task_ids(pid):
                if (pid, tid) not in self.index_of:
                    self.add(pid, tid)

    def workers(self, samples: ThreadSamples, end_ns: int, period_ns: float,
                main: tuple[int, int] | None = None, result: dict[str, Any] | None = None,
                ) -> tuple[tuple[Worker, ...], ThreadSamples]:
        """(workers, samples): a Worker per thread that has samples, renumbered
        in the order found, and `samples` with their worker column renumbered.
        A thread's span runs from its first sample to a period after its
        last (or to `end_ns`, the main thread (pid, tid) `main` to the end);
        `result` goes to the main thread's record."""
        found = sorted(self.index_of.items(), key=lambda item: item[1])
        kept = [(key, index) for key, index in found
                if np.any(samples.worker == index)]
        new_index = np.full(len(found) + 1, -1, np.int32)
        workers = []
        for position, ((pid, tid), index) in enumerate(kept):
            new_index[index] = position
            mine = samples.worker == index
            times = samples.t_ns[mine]
            stop = end_ns if (pid, tid) == main else min(int(times[-1] + period_ns), end_ns)
            name = self.names.get((pid, tid)) or comm_name(pid, tid) or "thread %d" % tid
            workers.append(Worker(
                index=position, pid=pid, tid=tid, work=0, start_ns=max(0, int(times[0])),
                stop_ns=max(stop, max(0, int(times[0]))),
                cpu_ns=self.cpu_ns((pid, tid)), error=None,
                result=result if (pid, tid) == main else None, name=name))
        columns = samples._asdict()
        keep = new_index[samples.worker] >= 0
        columns = {key: column[keep] for key, column in columns.items()}
        columns["worker"] = new_index[samples.worker[keep]]
        return tuple(workers), ThreadSamples(**columns)
