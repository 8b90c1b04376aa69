"""Samples the target's workers from outside the measured process.

Runs as a thread of the orchestrator, paced by sleeping, so it never competes
for the target's GIL; where the target is pinned to some cores and others are
left, the thread pins itself to those others, so that it takes no CPU time
from the target either. Each round reads /proc/PID/task/TID/stat of every worker
thread through file descriptors kept open (a pread is ~3 us; opening the file
each time costs ~11 us) and keeps the raw bytes: parsing waits until the run
is over. psutil's per-core utilisation and per-process CPU times are read at a
coarser rate, as they change only on scheduler ticks (4 ms here).
"""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import psutil

from .log import CoreSamples, ProcessSamples, SamplerStats, ThreadSamples

clock = time.perf_counter_ns

DEFAULT_HZ = 1000.0
CORE_INTERVAL_NS = 50_000_000


def parse_stat(raw):
    """(state, cpu, utime + stime ticks) from a /proc/.../stat line.

    The command name, field 2, may hold spaces and parentheses: split after
    its last ')'.
    """
    fields = raw[raw.rindex(b")") + 2:].split()
    return fields[0].decode(), int(fields[36]), int(fields[11]) + int(fields[12])


class Sampler:
    """Reads the workers' thread states at `hz` until stopped.

    `workers` is a list of (index, pid, tid). A worker whose thread has gone is
    no longer read. `target_cores` are the CPUs the target may run on, if known.
    """

    def __init__(self, workers, hz=DEFAULT_HZ, core_interval_ns=CORE_INTERVAL_NS,
                 target_cores=None):
        self.hz = hz
        self.target_cores = target_cores
        self.cores = None
        self.core_interval_ns = core_interval_ns
        self._files = []
        for index, pid, tid in workers:
            path = "/proc/%d/task/%d/stat" % (pid, tid)
            self._files.append((index, os.open(path, os.O_RDONLY)))
        self._processes = [psutil.Process(pid) for pid in sorted({w[1] for w in workers})]
        self._reads = []
        self._cores = []
        self._process_rows = []
        self._tick_times = []
        self._late = 0
        self._cpu_ns = 0
        self._running = False
        self._thread = threading.Thread(target=self._loop, name="gilviz-sampler", daemon=True)

    def start(self):
        # The first call only sets the reference point: its row, all NaN,
        # marks where the first measurement window begins.
        cores = psutil.cpu_percent(percpu=True)
        self._cores.append((clock(), [float("nan")] * len(cores)))
        self._running = True
        self._thread.start()

    def stop(self):
        """Stop sampling (within one period) and release the /proc files."""
        self._running = False
        if self._thread.ident is not None:
            self._thread.join()
        for _, fd in self._files:
            os.close(fd)
        self._files = []

    def _read_threads(self, live):
        reads = self._reads
        for entry in list(live):
            index, fd = entry
            t = clock()
            try:
                raw = os.pread(fd, 1024, 0)
            except OSError:  # the thread has exited
                raw = b""
            if raw:
                reads.append((t, index, raw))
            else:
                live.remove(entry)

    def _read_coarse(self, now):
        self._cores.append((now, psutil.cpu_percent(percpu=True)))
        for process in self._processes:
            try:
                with process.oneshot():
                    times, cpu = process.cpu_times(), process.cpu_num()
            except psutil.Error:
                continue
            self._process_rows.append((now, process.pid, times.user, times.system, cpu))

    def _pin_outside_target(self):
        """Pin this thread to the cores the target may not use, if there are
        any; returns the cores this thread may run on (None if unknown)."""
        if not hasattr(os, "sched_setaffinity"):
            return None
        me = threading.get_native_id()
        outside = os.sched_getaffinity(me) - set(self.target_cores or ())
        if self.target_cores and outside:
            os.sched_setaffinity(me, outside)  # this thread only: the target keeps its mask
        return sorted(os.sched_getaffinity(me))

    def _loop(self):
        self.cores = self._pin_outside_target()
        cpu_began = time.thread_time_ns()
        period = int(1e9 / self.hz)
        live = list(self._files)
        next_tick = clock()
        next_coarse = next_tick + self.core_interval_ns
        # time.sleep, not Event.wait: a wait builds a lock each call, which
        # doubled the cost of a round here.
        while self._running:
            self._tick_times.append(clock())
            self._read_threads(live)
            now = clock()
            if now >= next_coarse:
                self._read_coarse(now)
                next_coarse += self.core_interval_ns
            next_tick += period
            delay = next_tick - clock()
            if delay > 0:
                time.sleep(delay / 1e9)
            else:  # fell behind: start afresh rather than burst to catch up
                self._late += 1
                next_tick = clock()
        self._read_coarse(clock())
        self._cpu_ns = time.thread_time_ns() - cpu_began

    def thread_samples(self, origin_ns):
        rows = [(t, index) + parse_stat(raw) for t, index, raw in self._reads]
        t, worker, state, cpu, ticks = zip(*rows) if rows else ((),) * 5
        return ThreadSamples(
            t_ns=np.asarray(t, np.int64) - origin_ns,
            worker=np.asarray(worker, np.int32),
            state=np.array(state, dtype="<U1"),
            cpu=np.asarray(cpu, np.int16),
            cpu_ticks=np.asarray(ticks, np.int64),
        )

    def process_samples(self, origin_ns):
        rows = self._process_rows
        t, pid, user, system, cpu = zip(*rows) if rows else ((),) * 5
        return ProcessSamples(
            t_ns=np.asarray(t, np.int64) - origin_ns,
            pid=np.asarray(pid, np.int64),
            user_s=np.asarray(user, np.float64),
            system_s=np.asarray(system, np.float64),
            cpu=np.asarray(cpu, np.int16),
        )

    def core_samples(self, origin_ns):
        t = np.asarray([row[0] for row in self._cores], np.int64) - origin_ns
        percent = np.asarray([row[1] for row in self._cores], np.float32)
        return CoreSamples(t_ns=t, percent=percent.reshape(len(t), -1))

    def stats(self):
        ticks = np.asarray(self._tick_times, np.int64)
        intervals = np.diff(ticks)
        duration = ticks[-1] - ticks[0] if len(ticks) > 1 else 0
        return SamplerStats(
            requested_hz=self.hz,
            achieved_hz=float(len(intervals) * 1e9 / duration) if duration else 0.0,
            ticks=len(ticks),
            max_interval_ns=int(intervals.max()) if len(intervals) else 0,
            late_ticks=self._late,
            cpu_ns=self._cpu_ns,
            cores=self.cores,
        )
