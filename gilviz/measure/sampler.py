"""Samples the target's workers from outside the measured process.

Runs as a thread of the orchestrator, paced by sleeping, so it never
competes for the target's GIL; where the target is pinned to some cores and
others are left, the thread pins itself to those others, so that it takes no
CPU time from the target either; beside more busy processes than cores it
raises its priority and asks for short time slices (RAISED_NICE,
SHORT_SLICE_NS), so that its rounds begin when they are due. Each round
reads /proc/PID/task/TID/stat of every worker thread through file
descriptors kept open (a pread is ~3 us; opening the file each time costs
~11 us) and keeps what it read in a batch; every FLUSH_SAMPLES samples, and
at least every 50 ms, the batch becomes a chunk of compact numpy columns
(SAMPLE_DTYPE, 32 bytes a sample), so memory grows by 32 bytes a sample, not
by the ~660 of the raw reads, and nothing is left to parse when the run
ends. psutil's per-core utilisation and per-process CPU times are read at a
coarser rate, as they change only on scheduler ticks (4 ms here), and so is
the other processes' CPU use (load.py). With `hz` 0 only those coarse reads
are made: the other load is measured in every run.

Each round also reads every thread's schedstat: its run_delay, the time it
has been runnable without a CPU, which grows by the length of each such wait
when the wait ends.

A thread found off a CPU also has its /proc/PID/task/TID/syscall read: the
system call it sleeps in. A futex wait with a timeout is how CPython waits
for the GIL (a pthread_cond_timedwait of the switch interval, 3.2 to 3.13);
a FUTEX_WAIT_BITSET without one is a blocking lock acquire (threading.Lock,
and so numpy's RandomState lock: a sem_wait); a plain FUTEX_WAIT without one
is a pthread mutex, which may be the GIL's own: that one is not told apart.
Reading it needs ptrace access to the
target, which a parent has unless the system forbids it; without it the
samples say so ('?') and the chart says "cannot tell".
"""

from __future__ import annotations

import ctypes
import os
import platform
import struct
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import psutil
from numpy.typing import NDArray

from ..log import (WAIT_NOT_READ, CoreSamples, LoadSamples, ProcessSamples, SamplerStats,
                   ThreadSamples)
from .load import USER_HZ, LoadMeter
from .watch import TargetError
from .procparse import (RUNNING, STAT_PROCESSOR, STAT_STIME, STAT_UTIME,  # noqa: F401
                        WAIT_BYTES, parse_run_delay, parse_schedstat_lines, parse_stat,
                        parse_stat_lines, parse_stat_row, parse_syscall)

clock = time.perf_counter_ns
NOT_READ = WAIT_BYTES[WAIT_NOT_READ]

DEFAULT_HZ = 1000.0
CORE_INTERVAL_NS = 50_000_000
IDLE_PERIOD_NS = 10_000_000
FLUSH_SAMPLES = 1024
"""Samples a batch holds before it is parsed: with 64 workers a batch of
50 ms took ~4 ms to parse in one round, and each such round made the next
few late; 1024 take ~1 ms, a parse costing little more a sample."""
RAISED_NICE = -20
"""The sampler thread's nice value beside more busy processes than cores.
The scheduler shares the cores by weight, and the sampler needs about a
quarter of a core beside 64 processes on 2 cores: at nice -10 (9x a nice 0
process's weight) it reached 460 Hz of 1000. Where the kernel groups
processes by session (autogroup, on here), a weight counts only within
the sampler's own session: the target runs in a session of its own, and
each busy session gets an equal share whatever the nice values in it
(the sampler at nice 0 reached as many rounds here as at -20)."""
SHORT_SLICE_NS = 100_000
"""The time slice the sampler thread asks for beside more busy processes
than cores, the shortest Linux allows. On EEVDF (Linux 6.12+) a thread
woken with a shorter slice than the running one may take the CPU at once,
instead of waiting for the running one's slice to end at a scheduler tick
(4 ms here); its share of the CPU stays what its weight gives. Beside 64
processes on 2 cores, in 7 runs each taken in turn with runs without it,
it made more rounds in every pair (median +8 %, range +2 to +16 %) and
waited a median 140 us a round for a CPU instead of 342 us."""
SCHED_SETATTR = ({"x86_64": 314, "aarch64": 274}.get(platform.machine())
                 if struct.calcsize("P") == 8 else None)
"""sched_setattr(2)'s system call number here; None on machines not described
(a 32-bit Python on a 64-bit kernel among them: its calls are numbered apart)."""
SAMPLE_DTYPE = np.dtype([("t_ns", "<i8"), ("run_delay_ns", "<i8"), ("cpu_ticks", "<i8"),
                         ("worker", "<i4"), ("cpu", "<i2"), ("state", "S1"), ("wait", "S1")])
"""A thread sample as the sampler keeps it: 32 bytes."""


def own_run_delay() -> int | None:
    """How long this thread has been runnable without a CPU, in ns; None
    if the kernel does not say."""
    try:
        with open("/proc/thread-self/schedstat", "rb") as stream:
            delay = parse_run_delay(stream.read())
    except OSError:
        return None
    return delay if delay >= 0 else None


def request_slice(tid: int, nice: int, slice_ns: int) -> bool:
    """Ask for time slices of `slice_ns` for thread `tid`, whose nice value
    is `nice` (sched_setattr sets both). A kernel before 6.12 takes the
    request and ignores it. False where it was refused or cannot be made."""
    if SCHED_SETATTR is None:
        return False
    # struct sched_attr: size, policy (SCHED_OTHER), flags, nice, priority,
    # runtime (the slice, for SCHED_OTHER), deadline, period.
    attr = ctypes.create_string_buffer(struct.pack("<IIQiIQQQ", 48, 0, 0, nice, 0, slice_ns, 0, 0))
    return ctypes.CDLL(None, use_errno=True).syscall(SCHED_SETATTR, tid, attr, 0) == 0


def open_optional(path: str) -> int | None:
    try:
        return os.open(path, os.O_RDONLY)
    except OSError:
        return None


class Sampler:
    """Reads the workers' thread states at `hz` until stopped (none if `hz`
    is 0), and the machine's CPU use every `core_interval_ns`.

    `workers` is a list of (index, pid, tid). A worker whose thread has gone is
    no longer read. `target_cores` are the CPUs the target may run on, if known;
    `session` the target's session id, whose processes are the target's.
    """

    def __init__(self, workers: Sequence[tuple[int, int, int]], hz: float = DEFAULT_HZ,
                 core_interval_ns: int = CORE_INTERVAL_NS,
                 target_cores: Sequence[int] | None = None, session: int | None = None) -> None:
        self.hz = hz
        self.target_cores = target_cores
        self.cores: list[int] | None = None
        self.nice: int | None = None
        self.core_interval_ns = core_interval_ns
        self._files: list[list[Any]] = []
        for index, pid, tid in workers:
            self._files.append(self._open_task(index, pid, tid))
        self._processes = [psutil.Process(pid) for pid in sorted({w[1] for w in workers})]
        self._added: list[list[Any]] = []
        self._adding = threading.Lock()
        self._load = LoadMeter([process.pid for process in self._processes], session)
        # Read since the last flush: times, stat lines, schedstat lines, workers, waits.
        self._batch: tuple[list[int], list[bytes], list[bytes], list[int], list[bytes]] = (
            [], [], [], [], [])
        self._chunks: list[NDArray[np.void]] = []  # numpy arrays of SAMPLE_DTYPE
        self.failure: Exception | None = None
        """The exception that ended the sampling thread early, or None."""
        self._cores: list[tuple[int, list[float]]] = []
        self._process_rows: list[tuple[int, int, float, float, int]] = []
        self._tick_times: list[int] = []
        self._late = 0
        self._cpu_ns = 0
        self._cpu_wait_ns: int | None = None
        self._process_fds: dict[int, int | None] = {}  # pid -> /proc/PID/stat descriptor
        self._running = False
        self._thread = threading.Thread(target=self._loop, name="gilviz-sampler", daemon=True)

    @staticmethod
    def _open_task(index: int, pid: int, tid: int) -> list[Any]:
        """A thread's entry in the rounds: [index, stat, schedstat and syscall
        fds, then the last schedstat read and the wait then (NOT_READ: on a
        CPU)]. A list, as the rounds unpack it and update it in place; the
        types of its fields are declared in _read_threads."""
        task = "/proc/%d/task/%d/" % (pid, tid)
        return [index, os.open(task + "stat", os.O_RDONLY), open_optional(task + "schedstat"),
                open_optional(task + "syscall"), None, NOT_READ]

    def add(self, index: int, pid: int, tid: int) -> None:
        """Sample one more thread from the next round on (a thread that
        appeared during the run); OSError if it has gone already."""
        entry = self._open_task(index, pid, tid)
        with self._adding:
            self._added.append(entry)
            if pid not in {process.pid for process in self._processes}:
                try:
                    self._processes.append(psutil.Process(pid))
                except psutil.Error:
                    pass

    def start(self) -> None:
        # The first call only sets the reference point: its row, all NaN,
        # marks where the first measurement window begins.
        cores = psutil.cpu_percent(percpu=True)
        now = clock()
        self._cores.append((now, [float("nan")] * len(cores)))
        self._load.read(now)
        self._running = True
        self._thread.start()

    def stop(self) -> None:
        """Stop sampling (within one period) and release the /proc files."""
        self._running = False
        if self._thread.ident is not None:
            self._thread.join()
        for _, *fds, _, _ in self._files + self._added:
            for fd in fds:
                if fd is not None:
                    os.close(fd)
        for fd in self._process_fds.values():
            if fd is not None:
                os.close(fd)
        self._files = []
        self._added = []
        self._process_fds = {}
        self._load.close()

    def _read_threads(self, live: list[list[Any]]) -> None:
        """One round: only reads, each thread's stat and schedstat, and the
        syscall of one off a CPU unless its schedstat says it has not run
        since the last round (then it still waits in the same call). What
        was read is parsed at the next flush."""
        times, stats, schedstats, workers, waits = self._batch
        # The fields of an entry (_open_task); declared, as the entry is a list.
        index: int
        fd: int
        schedstat_fd: int | None
        syscall_fd: int | None
        seen: bytes | None
        waited: bytes
        for entry in list(live):
            index, fd, schedstat_fd, syscall_fd, seen, waited = entry
            t = clock()
            try:
                raw = os.pread(fd, 1024, 0)
                delays = os.pread(schedstat_fd, 128, 0) if schedstat_fd is not None else b""
            except OSError:  # the thread has exited
                raw = b""
            if not raw:
                live.remove(entry)
                continue
            if raw[raw.rindex(b")") + 2] == RUNNING:
                wait = waited = NOT_READ
            elif waited is NOT_READ or delays != seen or not delays:
                try:
                    waits_on = os.pread(syscall_fd, 256, 0) if syscall_fd is not None else None
                except OSError:
                    waits_on = None
                wait = waited = WAIT_BYTES[parse_syscall(waits_on)]
            else:
                wait = waited
            entry[4], entry[5] = delays, waited
            times.append(t)
            stats.append(raw)
            schedstats.append(delays)
            workers.append(index)
            waits.append(wait)

    def _flush(self) -> None:
        """The batch, parsed, into a chunk of numpy columns."""
        times, stats, schedstats, workers, waits = self._batch
        if not times:
            return
        rows = np.empty(len(times), SAMPLE_DTYPE)
        rows["t_ns"] = times
        rows["worker"] = workers
        rows["state"], rows["cpu"], rows["cpu_ticks"] = parse_stat_lines(stats)
        rows["run_delay_ns"] = parse_schedstat_lines(schedstats)
        rows["wait"] = np.frombuffer(b"".join(waits), "S1")
        self._chunks.append(rows)
        self._batch = ([], [], [], [], [])

    def _read_coarse(self, now: int) -> None:
        self._flush()
        self._load.read(now)
        self._cores.append((now, psutil.cpu_percent(percpu=True)))
        # /proc/PID/stat through a kept descriptor, ~3 us a process; psutil's
        # oneshot() opened and parsed files for each, ~60 us (4 ms a read at 64).
        for process in list(self._processes):
            raw = self._process_stat(process.pid)
            if raw:
                fields = raw[raw.rindex(b")") + 2:].split(None, STAT_PROCESSOR + 1)
                self._process_rows.append((now, process.pid, int(fields[STAT_UTIME]) / USER_HZ,
                                           int(fields[STAT_STIME]) / USER_HZ,
                                           int(fields[STAT_PROCESSOR])))

    def _process_stat(self, pid: int) -> bytes:
        """A process's /proc/PID/stat line; b"" if it has gone."""
        fd = self._process_fds.get(pid)
        if fd is None:
            fd = self._process_fds[pid] = open_optional("/proc/%d/stat" % pid)
        try:
            return os.pread(fd, 1024, 0) if fd is not None else b""
        except OSError:
            return b""

    def _pin_outside_target(self) -> list[int] | None:
        """Pin this thread to the cores the target may not use, if there are
        any; returns the cores this thread may run on (None if unknown)."""
        if not hasattr(os, "sched_setaffinity"):
            return None
        me = threading.get_native_id()
        outside = os.sched_getaffinity(me) - set(self.target_cores or ())
        if self.target_cores and outside:
            os.sched_setaffinity(me, outside)  # this thread only: the target keeps its mask
        return sorted(os.sched_getaffinity(me))

    def _raise_priority(self) -> int | None:
        """With more workers than cores, each round would wait behind them
        for a CPU (3-4 Hz of 1000 with 64 processes on 2 cores; 587 Hz with
        64 threads): raise this thread's priority where allowed (root or
        CAP_SYS_NICE), and ask for short slices, so that a round begins
        when it is due rather than at the next tick (SHORT_SLICE_NS).
        Returns this thread's nice value after trying, or None where it did
        not try (or cannot tell)."""
        me = threading.get_native_id()
        if len(self._files) <= len(self.cores or os.sched_getaffinity(0)):
            return None
        try:
            os.setpriority(os.PRIO_PROCESS, me, RAISED_NICE)
        except OSError:  # not allowed: the summary says what that cost
            pass
        try:
            nice = os.getpriority(os.PRIO_PROCESS, me)
        except OSError:
            return None
        request_slice(me, nice, SHORT_SLICE_NS)  # refused: the rounds come later, as measured
        return nice

    def count_as_own(self, pid: int) -> None:
        """Count process `pid`, started by gilviz to measure, as gilviz's own
        CPU use, not as other load (LoadMeter.count_as_own)."""
        self._load.count_as_own(pid)

    def _loop(self) -> None:
        try:
            self._sample()
        except Exception as error:  # said by stats(): a run must not look sampled when not
            self.failure = error

    def _sample(self) -> None:
        self.cores = self._pin_outside_target()
        self.nice = self._raise_priority()
        cpu_began = time.thread_time_ns()
        waited_before = own_run_delay()
        # Without thread reads, wake every IDLE_PERIOD_NS all the same: stop()
        # waits for the loop to notice, and a run should not end 50 ms late.
        period = int(1e9 / self.hz) if self.hz > 0 else IDLE_PERIOD_NS
        live = list(self._files) if self.hz > 0 else []
        next_tick = clock()
        next_coarse = next_tick + self.core_interval_ns
        # time.sleep, not Event.wait: a wait builds a lock each call, which
        # doubled the cost of a round here.
        taken = 0
        while self._running:
            if len(self._added) > taken:  # threads added during the run
                with self._adding:
                    live.extend(self._added[taken:])
                    taken = len(self._added)
            self._tick_times.append(clock())
            if live:
                self._read_threads(live)
                if len(self._batch[0]) >= FLUSH_SAMPLES:
                    self._flush()
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
        waited = own_run_delay()
        if waited is not None and waited_before is not None:
            self._cpu_wait_ns = waited - waited_before

    def thread_samples(self, origin_ns: int) -> ThreadSamples:
        self._flush()
        rows = np.concatenate(self._chunks) if self._chunks else np.zeros(0, SAMPLE_DTYPE)
        return ThreadSamples(
            t_ns=rows["t_ns"] - origin_ns,
            worker=rows["worker"].copy(),
            state=rows["state"].astype("<U1"),
            cpu=rows["cpu"].copy(),
            cpu_ticks=rows["cpu_ticks"].copy(),
            wait=rows["wait"].astype("<U1"),
            run_delay_ns=rows["run_delay_ns"].copy(),
        )

    def process_samples(self, origin_ns: int) -> ProcessSamples:
        rows = self._process_rows
        t, pid, user, system, cpu = zip(*rows) if rows else ((),) * 5
        return ProcessSamples(
            t_ns=np.asarray(t, np.int64) - origin_ns,
            pid=np.asarray(pid, np.int64),
            user_s=np.asarray(user, np.float64),
            system_s=np.asarray(system, np.float64),
            cpu=np.asarray(cpu, np.int16),
        )

    def load_samples(self, origin_ns: int) -> LoadSamples:
        return self._load.samples(origin_ns)

    def core_samples(self, origin_ns: int) -> CoreSamples:
        t = np.asarray([row[0] for row in self._cores], np.int64) - origin_ns
        percent = np.asarray([row[1] for row in self._cores], np.float32)
        return CoreSamples(t_ns=t, percent=percent.reshape(len(t), -1))

    def stats(self) -> SamplerStats:
        """SamplerStats of the rounds made; TargetError if the sampler failed."""
        if self.failure is not None:
            raise TargetError("the sampler failed: %s: %s"
                              % (type(self.failure).__name__, self.failure))
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
            nice=self.nice,
            cpu_wait_ns=self._cpu_wait_ns,
        )
