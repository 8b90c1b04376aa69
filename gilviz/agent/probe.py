"""The in-kernel GIL probe: turns a worker's timestamps into "running" intervals.

A probed kernel reads the clock every `chunk` iterations (about every 20 us)
and calls `Probe.switched` when it finds it was away: either the clock jumped
by more than `gap_ns`, or another worker sharing this interpreter's GIL wrote
its mark into the shared `turn` cell since our last timestamp. The second test
catches even a very short turn of another thread (one that finishes its work,
say), which a gap threshold alone would merge into ours.

A worker's timestamps are all taken while it runs Python code, so on a GIL
build two workers' intervals cannot overlap; each edge is exact to one chunk.

After each absence the worker reads its own run_delay from
/proc/thread-self/schedstat: the time it was runnable but had no CPU. A gap
with run_delay close to its length was the OS's doing, not the GIL's.
"""

import os
import time

clock = time.perf_counter_ns

SCHEDSTAT_PATH = "/proc/thread-self/schedstat"


class RunDelay(object):
    """This thread's cumulative run_delay (ns), read from /proc; None off Linux."""

    def __init__(self):
        try:
            self._fd = os.open(SCHEDSTAT_PATH, os.O_RDONLY)
        except OSError:
            self._fd = None

    def read(self):
        if self._fd is None:
            return None
        return int(os.pread(self._fd, 128, 0).split()[1])

    def close(self):
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class Probe(object):
    """Collects one worker's running intervals.

    `holds` is a flat list: start_ns, stop_ns, cpu_wait_ns for each interval,
    where cpu_wait_ns is the run_delay accrued since the previous interval
    began (or, for the first, since the worker got ready); -1 if unknown.
    """

    def __init__(self, chunk, gap_ns, turn, me):
        self.chunk = chunk
        self.gap_ns = gap_ns
        self.turn = turn
        self.me = me
        self.holds = []
        self._run_delay = RunDelay()
        self._delay_mark = self._run_delay.read()
        self._start = None

    def _cpu_wait(self):
        now = self._run_delay.read()
        if now is None:
            return -1
        waited = now - self._delay_mark
        self._delay_mark = now
        return waited

    def begin(self, now):
        self.turn[0] = self.me
        self._start = now
        self._waited = self._cpu_wait()

    def switched(self, last, now):
        """The worker ran until `last`, then not, and runs again since `now`."""
        self.holds.extend((self._start, last, self._waited))
        self.begin(now)

    def end(self, last):
        self.holds.extend((self._start, last, self._waited))
        self._run_delay.close()
