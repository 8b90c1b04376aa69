"""The in-kernel GIL probe: turns a worker's timestamps into "running" intervals.

A probed kernel reads the clock every `chunk` iterations (about every 8 us)
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

Nothing the probe does while the worker runs may release the GIL: a waiting
thread could take it, and the probe would cause the very switches it
measures. os.pread releases it (measured: ~40 extra switches in a run of 4
countdown threads, most of them turns of a single clock read), so run_delay
is read through libc's pread called with the GIL held.
"""

from __future__ import absolute_import

import os

from .compat import clock

SCHEDSTAT_PATH = "/proc/thread-self/schedstat"
BUFFER_SIZE = 128


def gil_holding_pread():
    """libc's pread(fd, buffer, size, offset) through ctypes.PyDLL, which
    keeps the GIL during the call; None where ctypes or libc cannot do it."""
    try:
        import ctypes
        pread = ctypes.PyDLL(None).pread
    except (ImportError, OSError, AttributeError):
        return None
    pread.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_long)
    pread.restype = ctypes.c_ssize_t
    buffer = ctypes.create_string_buffer(BUFFER_SIZE)

    def read(fd):
        size = pread(fd, buffer, BUFFER_SIZE, 0)
        return buffer.raw[:size] if size > 0 else b""
    return read


class RunDelay(object):
    """This thread's cumulative run_delay (ns), read from /proc without
    releasing the GIL; None where that cannot be done (then it is unknown)."""

    def __init__(self):
        self._read = gil_holding_pread()
        self._fd = None
        if self._read is not None:
            try:
                self._fd = os.open(SCHEDSTAT_PATH, os.O_RDONLY)
            except OSError:
                pass

    def read(self):
        if self._fd is None:
            return None
        fields = self._read(self._fd).split()
        return int(fields[1]) if len(fields) > 1 else None

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
        if now is None or self._delay_mark is None:
            return -1
        waited = now - self._delay_mark
        self._delay_mark = now
        return waited

    def begin(self):
        """A hold begins: mark the turn cell, then read the clock. In that
        order: the GIL may change hands between any two bytecodes, and a
        hold that began at a clock read taken before the mark could begin
        before another worker's turn that came between them (seen in the
        convoy: holds overlapping by ~20 us). Returns the hold's start."""
        self.turn[0] = self.me
        self._start = clock()
        self._waited = self._cpu_wait()
        return self._start

    def switched(self, last):
        """The worker ran until `last`, then not, and runs again now; returns
        when its new hold began."""
        self.holds.extend((self._start, last, self._waited))
        return self.begin()

    def end(self, last):
        self.holds.extend((self._start, last, self._waited))

    def close(self):
        """Release the /proc file: after the worker's stop time is taken, as
        closing a file releases the GIL."""
        self._run_delay.close()
