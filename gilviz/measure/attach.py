"""Samples a Python process that is already running (`gilviz attach PID`),
from outside only: no agent, no probe, nothing changed in the process.

    attach_process(pid, duration_s)
      |-- facts about the interpreter: its executable, asked for its version
      |-- start the Sampler; every FOLLOW_S, the threads in /proc/PID/task
      |   (and its children's, with children) go to it
      |-- after duration_s, or when the process exits: stop
      `-- a log.Run: a Worker per thread seen, named by the kernel's comm

The process's threads have no Python names here (Python before 3.14 does
not give them to the OS): the main thread is "main", the others "thread
TID" unless the program named them for the OS.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import time

import psutil

from ..log import Holds, Interpreter, Marks, Run, RunSpec, empty_table, now_iso
from .follow import FOLLOW_S, ThreadFollower, comm_name
from .gilflags import FlagReader, start_reader
from .sampler import Sampler

clock = time.perf_counter_ns

FACTS = ("import platform, sys, sysconfig; print(platform.python_version()); "
         "print(platform.python_implementation()); "
         "print(int(bool(sysconfig.get_config_var('Py_GIL_DISABLED'))))")
FACTS_TIMEOUT_S = 20
PYTHON_FILE = re.compile(rb"/(lib)?python[0-9.]*t?(\.so[0-9.]*)?\n")
"""A mapped file that is a Python interpreter or its library: .../python3.14,
.../libpython3.11.so.1.0 (an interpreter started through the dynamic loader,
as a wrapper script may start it, has the loader as its executable)."""


def python_process(pid: int) -> psutil.Process:
    """The psutil.Process of a Python interpreter; ValueError (one line) if
    there is no process `pid` or it is not Python."""
    try:
        process = psutil.Process(pid)
        executable = process.exe()
    except psutil.NoSuchProcess:
        raise ValueError("no process %d" % pid) from None
    except psutil.AccessDenied:
        executable = ""
    if pid == os.getpid():
        raise ValueError("process %d is gilviz itself" % pid)
    if "python" in os.path.basename(executable).lower():
        return process
    try:
        with open("/proc/%d/maps" % pid, "rb") as stream:
            if PYTHON_FILE.search(stream.read()):
                return process
    except OSError:
        pass
    raise ValueError("process %d (%s) is not a Python interpreter"
                     % (pid, os.path.basename(executable) or "unknown"))


def launcher_of(process: psutil.Process) -> str:
    """The command that started the interpreter: its executable, or where the
    dynamic loader started it for a wrapper script (ld.so --argv0 SCRIPT ...),
    that script, which runs it as it was run."""
    try:
        command = process.cmdline()
    except psutil.Error:
        command = []
    if "--argv0" in command[:-1]:
        return command[command.index("--argv0") + 1]
    return process.exe()


def interpreter_of(process: psutil.Process) -> Interpreter:
    """Interpreter facts of a running process, as far as they can be told
    from outside: the version its executable gives; whether its build has a
    GIL (PYTHON_GIL=0 or -X gil=0 turn it off in a free-threaded build)."""
    executable = launcher_of(process)
    version, implementation, free_threaded = "unknown", "Python", False
    try:
        answer = subprocess.run([executable, "-c", FACTS], capture_output=True, text=True,
                                timeout=FACTS_TIMEOUT_S)
        lines = answer.stdout.split()
        if answer.returncode == 0 and len(lines) == 3:
            version, implementation, free_threaded = lines[0], lines[1], lines[2] == "1"
    except (OSError, subprocess.TimeoutExpired):
        pass
    gil = not free_threaded
    try:
        gil = gil and not (process.environ().get("PYTHON_GIL") == "0"
                           or "gil=0" in " ".join(process.cmdline()))
    except psutil.Error:
        pass
    try:
        affinity = sorted(process.cpu_affinity())
    except (psutil.Error, AttributeError):
        affinity = None
    # The switch (or check) interval lives in the process's memory: from
    # outside it cannot be read, so it is not said.
    return Interpreter(executable=executable, version=version, implementation=implementation,
                       gil_enabled=gil, switch_interval_s=None,
                       cpu_count=os.cpu_count() or 1, affinity=affinity, pid=process.pid)


def attach_process(spec: RunSpec, duration_s: float, children: bool = False) -> Run:
    """Sample process spec.params["pid"] for `duration_s` (less if it exits)
    and return the Run; ValueError if it is not a Python process."""
    pid = (spec.params or {})["pid"]
    process = python_process(pid)
    interpreter = interpreter_of(process)
    started_at = now_iso()
    sampler = Sampler([], hz=spec.sample_hz)
    follower = ThreadFollower(sampler, pid, children)
    process_name = comm_name(pid, pid)
    flags: FlagReader | None = None
    try:
        sampler.start()
        flags = start_reader(interpreter.executable, pid, interpreter.version, sampler,
                             interpreter.affinity)
        release = clock()
        follower.scan()
        end = release + int(duration_s * 1e9)
        while clock() < end and process.is_running() and \
                process.status() != psutil.STATUS_ZOMBIE:
            time.sleep(FOLLOW_S)
            follower.scan()
        end = min(end, clock())
    except psutil.NoSuchProcess:
        end = clock()
    finally:
        with contextlib.ExitStack() as ending:  # each ended even where one before it fails
            ending.callback(follower.close)
            ending.callback(follower.read_cpu)
            if flags is not None:
                ending.callback(flags.stop)
            ending.callback(sampler.stop)
    for (thread_pid, tid) in follower.index_of:
        name = comm_name(thread_pid, tid)
        if tid == thread_pid:
            follower.names[(thread_pid, tid)] = "main" if thread_pid == pid else \
                "process %d" % thread_pid
        elif name is None or name == process_name:
            follower.names[(thread_pid, tid)] = "thread %d" % tid
    workers, threads = follower.workers(sampler.thread_samples(release), end - release,
                                        1e9 / spec.sample_hz, main=(pid, pid))
    gil_flags = reading = None
    if flags is not None:
        gil_flags, reading = flags.reading(release, end,
                                           {w.tid: w.index for w in workers if w.pid == pid})
    return Run(
        spec=spec._replace(workers=max(1, len(workers)), python=interpreter.executable),
        interpreter=interpreter, probe=None, started_at=started_at, release_ns=release,
        end_ns=end - release, workers=workers, holds=empty_table(Holds),
        marks=empty_table(Marks), threads=threads, processes=sampler.process_samples(release),
        cores=sampler.core_samples(release), sampler=sampler.stats(), gil_flags=gil_flags,
        flag_reading=reading,
    )
