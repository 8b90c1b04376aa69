"""Typed records of measured runs: what was asked, what the target said
about itself, what the probe and the sampler saw.

All times are integer nanoseconds of time.perf_counter_ns (CLOCK_MONOTONIC,
shared by every process on the host), relative to the instant the run's
workers were released. Tables of events are NamedTuples of numpy columns.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any, Final, Literal, NamedTuple, get_args

import numpy as np
from numpy.typing import NDArray

from .. import __version__
from ..agent import protocol

CONVOY_IO_WORKER: Final = protocol.CONVOY_IO_WORKER
"""In a convoy run, worker 0 is the I/O thread; the CPU-bound threads follow."""
CONVOY_SERVED_MARK: Final = protocol.SERVED
"""The convoy's mark of the moment its I/O thread had a request in hand."""

RoleName = Literal["main", "baseline", "warmup", "a", "b", "c", "d", "alone", "beside-cpu",
                   "share"]
"""What a run is for in its job: RunSpec.role, one of the values of Role."""


class Role:
    """The roles a run can have (RunSpec.role), by name."""

    MAIN: Final = "main"
    """The run the user asked for."""
    BASELINE: Final = "baseline"
    """Its serial reference: the same work on one worker."""
    WARMUP: Final = "warmup"
    """A run made only to warm the machine up, not counted."""
    SIDES: Final[tuple[RoleName, ...]] = ("a", "b", "c", "d")
    """The sides of a comparison, in the order given (a comparison of
    interpreters has a baseline of each)."""
    ALONE: Final = "alone"
    """The convoy's I/O thread without CPU-bound threads."""
    BESIDE_CPU: Final = "beside-cpu"
    """The convoy's I/O thread beside them."""
    SHARING: Final = "share"
    """The runs of `gilviz share`, one a sharing mechanism and backend
    (params["share"])."""


ROLES: tuple[RoleName, ...] = get_args(RoleName)
"""Every role, as the log may hold it."""

JsonObject = dict[str, Any]
"""A JSON object as the log holds it (RunSpec.params, Worker.result): what
its values are depends on the key and on the kernel that reads or wrote it."""


class RunSpec(NamedTuple):
    """What was asked for: enough to run the same measurement again."""

    kernel: str
    """Workload name, e.g. "countdown"."""
    backend: str
    """"serial", "threads", "processes", "pool" (multiprocessing.Pool.map) or
    "dummy-pool" (multiprocessing.dummy.Pool.map, threads)."""
    workers: int
    """Number of workers the work was split between."""
    work: int
    """Total work (countdown: iterations; io: tasks), split evenly between the workers."""
    probe: bool
    """Whether the kernel ran in its probed form."""
    python: str
    """Path of the target interpreter."""
    sample_hz: float
    """Requested thread sampling rate; 0 means the sampler was off."""
    switch_interval_s: float | None = None
    """sys.setswitchinterval() applied in the target, or None to keep its default."""
    role: RoleName = Role.MAIN
    """What the run is for in its job: one of Role's."""
    params: JsonObject | None = None
    """Kernel parameters (JSON values), e.g. a seed; None for none."""
    cores: list[int] | None = None
    """CPU ids the target was pinned to (os.sched_setaffinity) before its
    workers started; None to leave it where the orchestrator may run."""
    check_interval: int | None = None
    """2.x: sys.setcheckinterval() applied in the target (ticks), or None to
    keep its default (100)."""
    gil: int | None = None
    """A free-threaded build's GIL asked off (0) or on (1), as -X gil=; None
    to keep its default."""

    @property
    def worker_noun(self) -> str:
        return {"threads": "thread", "processes": "process", "pool": "task",
                "dummy-pool": "task"}.get(self.backend, self.backend)

    @property
    def variant(self) -> str | None:
        """The kernel's variant (params["variant"]), e.g. "seed"; None for none."""
        return (self.params or {}).get("variant")

    def workload(self) -> str:
        """"countdown", "pi (seed kernel)"."""
        return "%s (%s kernel)" % (self.kernel, self.variant) if self.variant else self.kernel

    def describe(self) -> str:
        """"4 threads", "1 process", "serial", "4 Pool processes"."""
        if self.backend == "serial":
            return "serial"
        noun = {"pool": "Pool process", "dummy-pool": "dummy Pool thread"}.get(
            self.backend, self.worker_noun)
        plural = "es" if noun.endswith("s") else "s"
        return "%d %s%s" % (self.workers, noun, "" if self.workers == 1 else plural)


class Interpreter(NamedTuple):
    """Facts about the target interpreter, read inside it."""

    executable: str
    version: str
    """platform.python_version()."""
    implementation: str
    gil_enabled: bool
    switch_interval_s: float | None
    """sys.getswitchinterval() in effect during the run; None on 2.x, whose
    old GIL has a check interval instead."""
    cpu_count: int
    affinity: list[int] | None
    """CPUs the target may run on (os.sched_getaffinity), or None if unknown."""
    pid: int
    check_interval: int | None = None
    """2.x: sys.getcheckinterval() in effect, in "ticks" (bytecode
    instructions between two chances to hand the GIL over); None on 3.x."""
    free_threaded: bool | None = None
    """Built with --disable-gil (Py_GIL_DISABLED), whether or not the GIL was
    on during the run (gil_enabled says that); None in logs that predate it."""


class ProbeSettings(NamedTuple):
    chunk: int
    """Kernel iterations between two clock reads, calibrated in the target."""
    gap_ns: int
    """A longer pause between two clock reads counts as "not running"."""


class Worker(NamedTuple):
    # The field hides tuple.index(), which mypy reports; it is the log's key
    # and every reader's name for a worker's number.
    index: int  # type: ignore[assignment]
    pid: int
    tid: int | None
    """OS thread id (the pid for a process's main thread); None if it never started."""
    work: int
    """Work done, in the kernel's unit: the worker's share, or less where the
    kernel stopped early and said so (the convoy's CPU threads)."""
    start_ns: int | None
    """When the worker started its work; None if it failed before."""
    stop_ns: int | None
    cpu_ns: int | None
    """CPU time of the worker's thread between start and stop."""
    error: str | None
    """Why the worker failed, or None."""
    result: JsonObject | None = None
    """What the kernel returned, if anything."""
    name: str | None = None
    """The thread's name (threading.Thread.name) in a program's run; None in a kernel's."""
    sleeps: int | None = None
    """Times the worker's thread went to sleep from just before its release to
    its stop (its voluntary context switches: each a wait for the GIL, a lock
    or I/O, then a wake-up); None where not read (format 1.1 and before)."""


EXIT_STATUS = "exit_status"
"""The key of a program's exit status in its main thread's Worker.result."""


class Holds(NamedTuple):
    """Probe intervals: when each worker was running Python code."""

    worker: NDArray[np.int32]
    start_ns: NDArray[np.int64]
    stop_ns: NDArray[np.int64]
    cpu_wait_ns: NDArray[np.int64]
    """run_delay accrued since the worker's previous interval began (or since it
    got ready): time runnable without a CPU. -1 where unknown."""


class GilFlags(NamedTuple):
    """The interpreter's own GIL flags of each worker's thread, read from
    outside by CPython 3.15+'s _remote_debugging (measure/gilflags.py)."""

    t_ns: NDArray[np.int64]
    worker: NDArray[np.int32]
    status: NDArray[np.int16]
    """THREAD_STATUS bits: FLAG_HAS_GIL, FLAG_ON_CPU, FLAG_UNKNOWN, FLAG_GIL_REQUESTED."""
    code: NDArray[np.int32]
    """The thread's innermost Python function, an index into FlagReading.code; -1 if none."""


FLAG_HAS_GIL = 1
FLAG_ON_CPU = 2
FLAG_UNKNOWN = 4
FLAG_GIL_REQUESTED = 8


class FlagReading(NamedTuple):
    """How the GIL flags were read."""

    requested_hz: float
    reads: int
    """Reads made: each of every thread at once."""
    cpu_ns: int | None
    """CPU time of the process that read them (it runs beside the target)."""
    code: list[str]
    """The functions the reads found, by GilFlags.code: "function (file)"."""
    failure: str | None = None
    """Why the reader read nothing (its last words), or None."""


class Marks(NamedTuple):
    """Events a kernel recorded itself: chunk ends, requests, ..."""

    worker: NDArray[np.int32]
    t_ns: NDArray[np.int64]
    kind: NDArray[np.str_]
    """What happened, a short word defined by the kernel."""
    value: NDArray[np.float64]
    """A number that goes with it (a count, a latency in ns), NaN if none."""


# What a thread off a CPU was waiting in, from /proc/PID/task/TID/syscall.
WAIT_TIMED = "t"
"""A futex wait with a timeout: how CPython waits for the GIL."""
WAIT_UNTIMED = "u"
"""A FUTEX_WAIT_BITSET without a timeout: a blocking lock acquire (sem_wait)."""
WAIT_MUTEX = "m"
"""A plain FUTEX_WAIT without a timeout: a low-level mutex (pthread_mutex_lock),
such as the one guarding the GIL's own state; which one cannot be told."""
WAIT_OTHER = "o"
"""Another system call, or none."""
WAIT_SLEEP = "z"
"""nanosleep or clock_nanosleep, or select / pselect6 on no file: time.sleep."""
WAIT_IO = "i"
"""A call that waits on a file, socket or pipe: read, recv, accept, poll,
select, epoll_wait..., or on a child (wait4)."""
WAIT_RUNNING = "r"
"""Running again by the time the file was read."""
WAIT_NOT_READ = "-"
"""Not read: the thread was running (state R)."""
WAIT_UNREADABLE = "?"
"""Could not be read (no ptrace access to the target)."""


class ThreadSamples(NamedTuple):
    """What the sampler read from /proc/PID/task/TID/stat, a row per read."""

    t_ns: NDArray[np.int64]
    worker: NDArray[np.int32]
    state: NDArray[np.str_]
    """Scheduler state: R running or runnable, S sleeping, D disk wait, ..."""
    cpu: NDArray[np.int16]
    """CPU the thread last ran on."""
    cpu_ticks: NDArray[np.int64]
    """utime + stime in clock ticks."""
    wait: NDArray[np.str_]
    """For a thread off a CPU, what it waited in: a WAIT_* code."""
    run_delay_ns: NDArray[np.int64]
    """/proc/.../schedstat field 2: total time runnable without a CPU, -1 if unknown."""


class ProcessSamples(NamedTuple):
    """psutil readings of the target's processes, at the coarse rate."""

    t_ns: NDArray[np.int64]
    pid: NDArray[np.int64]
    user_s: NDArray[np.float64]
    system_s: NDArray[np.float64]
    cpu: NDArray[np.int16]
    """psutil.Process.cpu_num(): CPU the process last ran on."""


class CoreSamples(NamedTuple):
    """psutil.cpu_percent(percpu=True) at the coarse rate."""

    t_ns: NDArray[np.int64]
    """End of each measurement window (it began at the previous row)."""
    percent: NDArray[np.float32]
    """Shape (rows, cores): utilisation of each core over the window, 0-100.
    The first row is all NaN: it marks where the first window began."""


class LoadSamples(NamedTuple):
    """The whole machine's CPU use over windows of ~50 ms, in cores (1.0: one
    CPU busy for the whole window), read whether the thread sampler is on or not."""

    t_ns: NDArray[np.int64]
    """End of each window; it began at the previous row. The first row, all
    NaN, marks where the first window began."""
    busy: NDArray[np.float64]
    """CPUs busy with any process: CPUs x window - idle - iowait - steal
    (/proc/stat, in 10 ms units: one window may be off by ~0.2 core)."""
    target: NDArray[np.float64]
    """CPU used by the target's processes (its session), from their CPU clocks (exact)."""
    gilviz: NDArray[np.float64]
    """CPU used by the orchestrator itself, its sampler included (exact)."""
    other: NDArray[np.float64]
    """busy - target - gilviz: other processes. A single window may be off
    by ~0.2 core either way, even below zero; a mean over many is not."""
    steal: NDArray[np.float64]
    """CPU time the hypervisor gave to other machines, in cores."""


class SamplerStats(NamedTuple):
    requested_hz: float
    achieved_hz: float
    ticks: int
    max_interval_ns: int
    """Longest time between two sampling rounds."""
    late_ticks: int
    """Rounds that began after the next one was due."""
    cpu_ns: int
    """CPU time the sampler itself used."""
    cores: list[int] | None = None
    """CPUs the sampler thread could run on: outside the target's pinned set
    where any were left, else shared with it. None if unknown."""
    nice: int | None = None
    """The sampler thread's nice value: below 0 where it raised its priority
    above a target with more processes than cores. None if unknown."""
    cpu_wait_ns: int | None = None
    """Time the sampler thread was runnable but had no CPU (its run_delay):
    what the target's busy workers kept it waiting. None if unknown."""


class Run(NamedTuple):
    """One measured run of the target process."""

    spec: RunSpec
    interpreter: Interpreter
    probe: ProbeSettings | None
    started_at: str
    """Wall-clock start, ISO 8601 with time zone."""
    release_ns: int
    """Absolute perf_counter_ns of the release; every other time is relative to it."""
    end_ns: int
    """When the agent had collected all workers."""
    workers: tuple[Worker, ...]
    """Worker records, by index."""
    holds: Holds
    marks: Marks
    threads: ThreadSamples
    processes: ProcessSamples
    cores: CoreSamples
    sampler: SamplerStats | None
    """None if the sampler was off."""
    load: LoadSamples | None = None
    """The machine's CPU use during the run, other processes' included;
    None where it was not measured (logs of format 1.0)."""
    gil_flags: GilFlags | None = None
    """The interpreter's own GIL flags (CPython 3.15+); None where not read."""
    flag_reading: FlagReading | None = None
    """How they were read; None where they were not."""

    def failed_workers(self) -> tuple[Worker, ...]:
        """The workers that failed (a killed process, an exception in the
        kernel), each with its Worker.error; empty if all ran to the end. A
        run with any is no measure of the speed of its configuration."""
        return tuple(worker for worker in self.workers if worker.error is not None)


class SweepPlan(NamedTuple):
    """What a speedup sweep set out to run; the runs it finished are the log's runs."""

    backends: list[str]
    """Backends in the order each round runs them, after the serial baseline."""
    worker_counts: list[int]
    """Worker counts, ascending, run for every backend."""
    repeat: int
    """Rounds: each round runs the baseline and every configuration once."""
    warmup: int
    """Runs made before the first round and not counted (role "warmup")."""

    def round_length(self) -> int:
        return 1 + len(self.backends) * len(self.worker_counts)

    def planned_runs(self) -> int:
        return self.warmup + self.repeat * self.round_length()


class RunLog(NamedTuple):
    tool_version: str
    created: str
    runs: tuple[Run, ...]
    sweep: SweepPlan | None = None
    """The plan, if the runs are a speedup sweep."""
    incomplete: str | None = None
    """Why the runs stop short of what was planned (a failed run, an
    interruption), or None: every planned run is here."""

    def find(self, role: RoleName) -> Run | None:
        """The first run with this role (one of Role's), or None."""
        return next((run for run in self.runs if run.spec.role == role), None)


def now_iso() -> str:
    return datetime.datetime.now(datetime.timezone.utc).astimezone().isoformat(timespec="seconds")


def new_log(runs: Iterable[Run], sweep: SweepPlan | None = None,
            incomplete: str | None = None) -> RunLog:
    return RunLog(tool_version=__version__, created=now_iso(), runs=tuple(runs), sweep=sweep,
                  incomplete=incomplete)
