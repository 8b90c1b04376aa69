"""The event log: typed records of one or more runs, and their file format.

A log file is one JSON document. Tables of events are stored column-wise (a
list per column) and loaded back as numpy arrays; thread states are stored as
one string, a character a sample. All times are integer nanoseconds of
time.perf_counter_ns (CLOCK_MONOTONIC, shared by every process on the host),
relative to the instant the run's workers were released.
"""

from __future__ import annotations

import datetime
import json
import os
from typing import NamedTuple, Optional

import numpy as np

from . import __version__

LOG_FORMAT_VERSION = "1.0"
# History of LOG_FORMAT_VERSION:
#   1.0  runs with spec, interpreter, probe settings, workers, probe holds,
#        thread / process / core samples and sampler statistics; kernel
#        marks; an optional sweep plan (speedup sweeps). Unreleased, so
#        fields were added without a new version: among them RunSpec.cores
#        (pinning), SamplerStats.cores (where the sampler ran), the roles
#        "a", "b", "alone" and "beside-cpu", and the thread samples' run_delay
#        and what a sleeping thread waited on.
SUPPORTED_VERSIONS = ("1.0",)


CONVOY_IO_WORKER = 0
"""In a convoy run, worker 0 is the I/O thread; the CPU-bound threads follow."""
CONVOY_SERVED_MARK = "served"
"""The convoy's mark of the moment its I/O thread had a request in hand."""


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
    switch_interval_s: Optional[float] = None
    """sys.setswitchinterval() applied in the target, or None to keep its default."""
    role: str = "main"
    """"main" for the run the user asked for, "baseline" for its serial reference,
    "warmup" for a run made only to warm the machine up (not counted), "a" / "b"
    for the two sides of a comparison, "alone" / "beside-cpu" for the convoy's
    I/O thread without and with CPU-bound threads."""
    params: Optional[dict] = None
    """Kernel parameters (JSON values), e.g. a seed; None for none."""
    cores: Optional[list] = None
    """CPU ids the target was pinned to (os.sched_setaffinity) before its
    workers started; None to leave it where the orchestrator may run."""

    @property
    def worker_noun(self):
        return {"threads": "thread", "processes": "process", "pool": "task",
                "dummy-pool": "task"}.get(self.backend, self.backend)

    @property
    def variant(self):
        """The kernel's variant (params["variant"]), e.g. "seed"; None for none."""
        return (self.params or {}).get("variant")

    def workload(self):
        """"countdown", "pi (seed kernel)"."""
        return "%s (%s kernel)" % (self.kernel, self.variant) if self.variant else self.kernel

    def describe(self):
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
    switch_interval_s: float
    """sys.getswitchinterval() in effect during the run."""
    cpu_count: int
    affinity: Optional[list]
    """CPUs the target may run on (os.sched_getaffinity), or None if unknown."""
    pid: int


class ProbeSettings(NamedTuple):
    chunk: int
    """Kernel iterations between two clock reads, calibrated in the target."""
    gap_ns: int
    """A longer pause between two clock reads counts as "not running"."""


class Worker(NamedTuple):
    index: int
    pid: int
    tid: Optional[int]
    """OS thread id (the pid for a process's main thread); None if it never started."""
    work: int
    """Work done, in the kernel's unit: the worker's share, or less where the
    kernel stopped early and said so (the convoy's CPU threads)."""
    start_ns: Optional[int]
    """When the worker started its work; None if it failed before."""
    stop_ns: Optional[int]
    cpu_ns: Optional[int]
    """CPU time of the worker's thread between start and stop."""
    error: Optional[str]
    """Why the worker failed, or None."""
    result: Optional[dict] = None
    """What the kernel returned, if anything."""


class Codec(NamedTuple):
    """How one column of a table goes to JSON and back."""

    encode: object
    decode: object


def _encode_numbers(array):
    """Lists for JSON; NaN becomes null, as JSON has no NaN."""
    if array.dtype.kind == "f" and np.isnan(array).any():
        return np.where(np.isnan(array), None, array.astype(object)).tolist()
    return array.tolist()


def _column(dtype):
    return Codec(_encode_numbers, lambda values: np.asarray(values, dtype=dtype))


def _decode_matrix(values):
    rows = np.asarray(values, dtype=np.float32)  # null -> NaN
    return rows.reshape(len(values), -1) if len(values) else np.zeros((0, 0), np.float32)


_matrix = Codec(_encode_numbers, _decode_matrix)
# One character a sample, stored as one string: "RRSR...".
_states = Codec(lambda array: "".join(array.tolist()),
                lambda text: np.array(list(text), dtype="<U1"))


class Holds(NamedTuple):
    """Probe intervals: when each worker was running Python code."""

    worker: np.ndarray
    start_ns: np.ndarray
    stop_ns: np.ndarray
    cpu_wait_ns: np.ndarray
    """run_delay accrued since the worker's previous interval began (or since it
    got ready): time runnable without a CPU. -1 where unknown."""


class Marks(NamedTuple):
    """Events a kernel recorded itself: chunk ends, requests, ..."""

    worker: np.ndarray
    t_ns: np.ndarray
    kind: np.ndarray
    """What happened, a short word defined by the kernel."""
    value: np.ndarray
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
"""Another system call (read, poll, sleep...), or none."""
WAIT_RUNNING = "r"
"""Running again by the time the file was read."""
WAIT_NOT_READ = "-"
"""Not read: the thread was running (state R)."""
WAIT_UNREADABLE = "?"
"""Could not be read (no ptrace access to the target)."""


class ThreadSamples(NamedTuple):
    """What the sampler read from /proc/PID/task/TID/stat, a row per read."""

    t_ns: np.ndarray
    worker: np.ndarray
    state: np.ndarray
    """Scheduler state: R running or runnable, S sleeping, D disk wait, ..."""
    cpu: np.ndarray
    """CPU the thread last ran on."""
    cpu_ticks: np.ndarray
    """utime + stime in clock ticks."""
    wait: np.ndarray
    """For a thread off a CPU, what it waited in: a WAIT_* code."""
    run_delay_ns: np.ndarray
    """/proc/.../schedstat field 2: total time runnable without a CPU, -1 if unknown."""


class ProcessSamples(NamedTuple):
    """psutil readings of the target's processes, at the coarse rate."""

    t_ns: np.ndarray
    pid: np.ndarray
    user_s: np.ndarray
    system_s: np.ndarray
    cpu: np.ndarray
    """psutil.Process.cpu_num(): CPU the process last ran on."""


class CoreSamples(NamedTuple):
    """psutil.cpu_percent(percpu=True) at the coarse rate."""

    t_ns: np.ndarray
    """End of each measurement window (it began at the previous row)."""
    percent: np.ndarray
    """Shape (rows, cores): utilisation of each core over the window, 0-100.
    The first row is all NaN: it marks where the first window began."""


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
    cores: Optional[list] = None
    """CPUs the sampler thread could run on: outside the target's pinned set
    where any were left, else shared with it. None if unknown."""


TABLE_COLUMNS = {
    Holds: {"worker": _column(np.int32), "start_ns": _column(np.int64),
            "stop_ns": _column(np.int64), "cpu_wait_ns": _column(np.int64)},
    Marks: {"worker": _column(np.int32), "t_ns": _column(np.int64), "kind": _column(str),
            "value": _column(np.float64)},
    ThreadSamples: {"t_ns": _column(np.int64), "worker": _column(np.int32), "state": _states,
                    "cpu": _column(np.int16), "cpu_ticks": _column(np.int64),
                    "wait": _states, "run_delay_ns": _column(np.int64)},
    ProcessSamples: {"t_ns": _column(np.int64), "pid": _column(np.int64),
                     "user_s": _column(np.float64), "system_s": _column(np.float64),
                     "cpu": _column(np.int16)},
    CoreSamples: {"t_ns": _column(np.int64), "percent": _matrix},
}


def empty_table(cls):
    return cls(**{name: codec.decode([]) for name, codec in TABLE_COLUMNS[cls].items()})


class Run(NamedTuple):
    """One measured run of the target process."""

    spec: RunSpec
    interpreter: Interpreter
    probe: Optional[ProbeSettings]
    started_at: str
    """Wall-clock start, ISO 8601 with time zone."""
    release_ns: int
    """Absolute perf_counter_ns of the release; every other time is relative to it."""
    end_ns: int
    """When the agent had collected all workers."""
    workers: tuple
    """Worker records, by index."""
    holds: Holds
    marks: Marks
    threads: ThreadSamples
    processes: ProcessSamples
    cores: CoreSamples
    sampler: Optional[SamplerStats]
    """None if the sampler was off."""


class SweepPlan(NamedTuple):
    """What a speedup sweep set out to run; the runs it finished are the log's runs."""

    backends: list
    """Backends in the order each round runs them, after the serial baseline."""
    worker_counts: list
    """Worker counts, ascending, run for every backend."""
    repeat: int
    """Rounds: each round runs the baseline and every configuration once."""
    warmup: int
    """Runs made before the first round and not counted (role "warmup")."""

    def round_length(self):
        return 1 + len(self.backends) * len(self.worker_counts)

    def planned_runs(self):
        return self.warmup + self.repeat * self.round_length()


class RunLog(NamedTuple):
    tool_version: str
    created: str
    runs: tuple
    sweep: Optional[SweepPlan] = None
    """The plan, if the runs are a speedup sweep."""

    def find(self, role):
        """The first run with this role, or None."""
        return next((run for run in self.runs if run.spec.role == role), None)


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).astimezone().isoformat(timespec="seconds")


def new_log(runs, sweep=None):
    return RunLog(tool_version=__version__, created=now_iso(), runs=tuple(runs), sweep=sweep)


def _encode(value):
    if type(value) in TABLE_COLUMNS:
        columns = TABLE_COLUMNS[type(value)]
        return {name: columns[name].encode(column) for name, column in value._asdict().items()}
    if hasattr(value, "_asdict"):
        return {key: _encode(item) for key, item in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [_encode(item) for item in value]
    return value


def _table(cls, data):
    columns = TABLE_COLUMNS[cls]
    return cls(**{name: columns[name].decode(data[name]) for name in cls._fields})


def _optional(cls, data):
    return None if data is None else cls(**data)


def _run(data):
    return Run(
        spec=RunSpec(**data["spec"]),
        interpreter=Interpreter(**data["interpreter"]),
        probe=_optional(ProbeSettings, data["probe"]),
        started_at=data["started_at"],
        release_ns=data["release_ns"],
        end_ns=data["end_ns"],
        workers=tuple(Worker(**worker) for worker in data["workers"]),
        holds=_table(Holds, data["holds"]),
        marks=_table(Marks, data["marks"]),
        threads=_table(ThreadSamples, data["threads"]),
        processes=_table(ProcessSamples, data["processes"]),
        cores=_table(CoreSamples, data["cores"]),
        sampler=_optional(SamplerStats, data["sampler"]),
    )


def dumps(log):
    document = {"format": "gilviz-log", "format_version": LOG_FORMAT_VERSION}
    document.update(_encode(log))
    return json.dumps(document, separators=(",", ":"), allow_nan=False)


def loads(text):
    document = json.loads(text)
    if not isinstance(document, dict) or document.get("format") != "gilviz-log":
        raise ValueError("not a gilviz event log")
    version = document.get("format_version")
    if version not in SUPPORTED_VERSIONS:
        raise ValueError("file format version %r not supported (this gilviz reads %s)"
                         % (version, ", ".join(SUPPORTED_VERSIONS)))
    return RunLog(
        tool_version=document["tool_version"],
        created=document["created"],
        runs=tuple(_run(run) for run in document["runs"]),
        sweep=_optional(SweepPlan, document.get("sweep")),
    )


def save(log, path):
    """Write the log atomically: a reader never sees half a file."""
    partial = "%s.partial" % path
    with open(partial, "w") as stream:
        stream.write(dumps(log))
    os.replace(partial, path)


def load(path):
    with open(path) as stream:
        return loads(stream.read())


def new_run_dir(out_dir, name):
    """A fresh directory out_dir/<timestamp>-<name>[-N] for one invocation."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = os.path.join(out_dir, "%s-%s" % (stamp, name))
    path, suffix = base, 1
    while True:
        try:
            os.makedirs(path)
            return path
        except FileExistsError:
            suffix += 1
            path = "%s-%d" % (base, suffix)
