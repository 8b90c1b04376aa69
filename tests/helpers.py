"""Shared builders for the tests: hand-made runs whose every figure is known
exactly, stand-ins for the runner, and small checks of written files.
Imported by the test modules; conftest.py holds the fixtures."""

import glob
import io
import os
import struct
import subprocess
import sys
import threading
import time

import numpy as np
import psutil

from gilviz.log import (CoreSamples, Holds, Interpreter, Marks, ProbeSettings, ProcessSamples,
                        Run, RunSpec, SamplerStats, SweepPlan, ThreadSamples, Worker,
                        empty_table, new_log)

MS = 1_000_000


def holds_table(rows):
    """rows of (worker, start_ns, stop_ns, cpu_wait_ns)."""
    if not rows:
        return empty_table(Holds)
    worker, start, stop, wait = zip(*rows)
    return Holds(np.asarray(worker, np.int32), np.asarray(start, np.int64),
                 np.asarray(stop, np.int64), np.asarray(wait, np.int64))


def samples_table(rows, cpu=None, wait=None, run_delay=None):
    """rows of (t_ns, worker, state); per row too, if given: the CPU (else 0),
    the wait code (else "-", not read) and run_delay (else -1, unknown)."""
    if not rows:
        return empty_table(ThreadSamples)
    t, worker, state = zip(*rows)
    count = len(t)
    return ThreadSamples(np.asarray(t, np.int64), np.asarray(worker, np.int32),
                         np.array(state, dtype="<U1"),
                         np.asarray(cpu if cpu is not None else [0] * count, np.int16),
                         np.zeros(count, np.int64),
                         np.array(list(wait if wait is not None else "-" * count), dtype="<U1"),
                         np.asarray(run_delay if run_delay is not None else [-1] * count,
                                    np.int64))


CHUNK_NS = 20_000
"""The probe's chunk time in runs built by hand."""


def probed_work(holds, index, chunk_ns=CHUNK_NS, chunk=100):
    """Iterations of a worker whose probe read the clock once before its
    first chunk and after each, its holds holding chunks of `chunk_ns`."""
    mine = [(start, stop) for worker, start, stop, _ in holds if worker == index]
    if not mine:
        return 1000
    chunks = sum((stop - start) // chunk_ns for start, stop in mine) + len(mine) - 1
    return chunk * max(chunks, 1)


def make_run(workers, holds=(), samples=(), backend="threads", probe=True, sampler=True,
             gil_enabled=True, pids=None, role="main", chunk_ns=CHUNK_NS):
    """A Run built by hand. `workers` is a list of (start_ns, stop_ns). Each
    worker's work is what a probe reading the clock every 100 iterations and
    every `chunk_ns` of its holds would have done (1000 without holds)."""
    pids = pids or [100] * len(workers)
    records = tuple(
        Worker(index=i, pid=pids[i], tid=200 + i, work=probed_work(holds, i, chunk_ns),
               start_ns=start, stop_ns=stop, cpu_ns=stop - start, error=None)
        for i, (start, stop) in enumerate(workers))
    spec = RunSpec(kernel="countdown", backend=backend, workers=len(workers),
                   work=1000 * len(workers), probe=probe, python=sys.executable,
                   sample_hz=1000.0 if sampler else 0.0, role=role)
    interpreter = Interpreter(executable=sys.executable, version="3.11.7", implementation="CPython",
                              gil_enabled=gil_enabled, switch_interval_s=0.005, cpu_count=2,
                              affinity=[0, 1], pid=100)
    stats = SamplerStats(requested_hz=1000.0, achieved_hz=1000.0, ticks=10, max_interval_ns=MS,
                         late_ticks=0, cpu_ns=0) if sampler else None
    return Run(spec=spec, interpreter=interpreter,
               probe=ProbeSettings(chunk=100, gap_ns=100_000) if probe else None,
               started_at="2026-01-01T00:00:00+00:00", release_ns=0,
               end_ns=max(stop for _, stop in workers), workers=records,
               holds=holds_table(list(holds)), marks=empty_table(Marks),
               threads=samples_table(list(samples)), processes=empty_table(ProcessSamples),
               cores=empty_table(CoreSamples), sampler=stats)


def other_interpreters():
    """Installed CPythons other than the running one, as (version, path)."""
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    found = []
    for path in sorted(glob.glob(os.path.join(root, "versions", "3.*", "bin", "python"))):
        version = path.split(os.sep)[-3]
        if tuple(int(p) for p in version.split(".")[:2]) >= (3, 8):
            found.append((version, path))
    return found


def built_python_place(name):
    """Where ../shared/tools/build-python and debian-python put interpreter
    `name` ("3.13t", "3.14-debian"): under $XDG_CACHE_HOME or ~/.cache."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return os.path.join(cache, "gilviz-pythons", name)


def found_interpreter(variable, places, command):
    """The first of $`variable` and `places` that is an executable file, else
    `command` on PATH; None if none is."""
    import shutil
    for place in [os.environ.get(variable, "")] + list(places):
        if place and os.path.isfile(place) and os.access(place, os.X_OK):
            return place
    return shutil.which(command)


def free_threaded_interpreter():
    """A free-threaded CPython (3.13t): $GILVIZ_FREE_THREADED, where
    build-python 3.13t puts one, or python3.13t on PATH; else None."""
    return found_interpreter(
        "GILVIZ_FREE_THREADED",
        [os.path.join(built_python_place("3.13t"), "bin", "python3.13t")], "python3.13t")


NEWER_VERSIONS = ("3.14", "3.15")
"""CPythons newer than pyenv's here, installed from Debian's binary packages."""


def newer_interpreter(version):
    """CPython `version` ("3.14" or "3.15"): $GILVIZ_PYTHON_3_14 (_3_15),
    where debian-python puts it, or python3.14 on PATH; else None."""
    return found_interpreter(
        "GILVIZ_PYTHON_" + version.replace(".", "_"),
        [os.path.join(built_python_place(version + "-debian"), "python" + version)],
        "python" + version)


def every_interpreter():
    """Every CPython gilviz measures that is installed here, as (name, path):
    pyenv's 2.7 and 3.6+ (named by their version, "3.13.0"), 3.14 and 3.15
    where pyenv has none (named "3.14", "3.15"; see newer_interpreter) and a
    free-threaded build (named "free-threaded"). Empty where none is."""
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    found = []
    for path in sorted(glob.glob(os.path.join(root, "versions", "[23].*", "bin", "python"))):
        version = path.split(os.sep)[-3]
        numbers = tuple(int(p) for p in version.split(".")[:2])
        if numbers == (2, 7) or numbers >= (3, 6):
            found.append((version, path))
    for version in NEWER_VERSIONS:
        path = newer_interpreter(version)
        if path and not any(name.startswith(version + ".") for name, _ in found):
            found.append((version, path))
    free_threaded = free_threaded_interpreter()
    if free_threaded:
        found.append(("free-threaded", free_threaded))
    return found


def timed_run(backend="serial", workers=1, role="main", wall_s=1.0, cpu_share=1.0,
              kernel="countdown", work=1000, error=None, marks=None, params=None):
    """A run of a sweep, without probe or sampler: every worker stops at
    `wall_s` after using `cpu_share` of its time on a CPU; worker 0 failed
    with `error` if given."""
    wall = int(wall_s * 1e9)
    pids = [100 + i for i in range(workers)] if backend == "processes" else None
    run = make_run([(0, wall)] * workers, backend=backend, probe=False, sampler=False,
                   pids=pids, role=role)
    records = tuple(w._replace(work=work // workers, cpu_ns=int(cpu_share * wall),
                               error=error if w.index == 0 else None) for w in run.workers)
    return run._replace(spec=run.spec._replace(kernel=kernel, work=work, params=params),
                        workers=records, marks=marks if marks is not None else run.marks)


def failing_at(number, run):
    """`run` (a stand-in for run_target) that raises TargetError on call `number`."""
    from gilviz.measure.runner import TargetError
    calls = []

    def maybe_fail(spec, **options):
        calls.append(spec)
        if len(calls) == number:
            raise TargetError("the target died")
        return run(spec, **options)
    return maybe_fail


def png_size(path):
    """(width, height) of a PNG file, which must be one."""
    with open(path, "rb") as stream:
        header = stream.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def refused(argv, capsys):
    """gilviz's main(argv) ends with exit status 2: its one line on stderr."""
    import pytest
    from gilviz.cli import main
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def run_cli(argv):
    """gilviz's main in-process: (status, stdout, stderr)."""
    from gilviz.cli import main
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def sweep_log(rounds, serial_walls, thread_walls, process_walls, warmup=1, planned=None):
    """A sweep log of threads and processes at 1 and 2 workers."""
    runs = [timed_run("serial", 1, "warmup", wall_s=9.0)] * warmup
    for i in range(rounds):
        runs.append(timed_run("serial", 1, "baseline", wall_s=serial_walls[i]))
        for n in (1, 2):
            runs.append(timed_run("threads", n, wall_s=thread_walls[n][i]))
        for n in (1, 2):
            runs.append(timed_run("processes", n, wall_s=process_walls[n][i]))
    plan = SweepPlan(backends=["threads", "processes"], worker_counts=[1, 2],
                     repeat=planned or rounds, warmup=warmup)
    return new_log(runs, sweep=plan)


def battle_of(role="main", kernel="countdown", params=None, **spec):
    """Two threads taking turns for 15 ms (the battle fixture's run) in
    `role`, of `kernel` with `params` and other spec fields."""
    holds = [(0, 0, 5 * MS, 0), (1, 5 * MS + 50_000, 10 * MS, 0),
             (0, 10 * MS + 50_000, 15 * MS, 0)]
    run = make_run([(0, 15 * MS), (5 * MS + 50_000, 10 * MS)], holds, role=role)
    return run._replace(spec=run.spec._replace(kernel=kernel, params=params, **spec))


def hand_built_convoy():
    """A convoy log: the battle as the I/O thread "alone" (its spec says one
    worker) and beside a CPU thread, 12 round trips of 300 µs that the I/O
    thread (worker 0) answered."""
    from gilviz.log import CONVOY_SERVED_MARK, Marks
    count = 12
    start = np.arange(count, dtype=np.int64) * MS + 200_000
    marks = Marks(np.zeros(2 * count, np.int32), np.concatenate([start, start + 250_000]),
                  np.asarray(["round-trip"] * count + [CONVOY_SERVED_MARK] * count),
                  np.concatenate([np.full(count, 300_000.0), np.full(count, np.nan)]))
    params = {"requests": count, "size": 32, "pause_s": 0.001, "time_limit_s": 60}
    return new_log([battle_of(role, kernel="convoy", params=params,
                              workers=1 if role == "alone" else 2)._replace(marks=marks)
                    for role in ("alone", "beside-cpu")])


def marks_table(rows):
    """rows of (worker, t_ns, kind, value); value None for none."""
    if not rows:
        return empty_table(Marks)
    worker, t, kind, value = zip(*rows)
    return Marks(np.asarray(worker, np.int32), np.asarray(t, np.int64), np.array(kind),
                 np.asarray([np.nan if v is None else v for v in value], np.float64))


def sharing_run(mechanism="value", backend="processes", workers=2, reports=3, report_ns=2000,
              lock_ns=500, hits=(70, 80), collected=None, chunk_ns=100_000, role="main"):
    """A pi run whose `workers` each report `reports` times, every `chunk_ns`,
    each report taking `report_ns` (of it `lock_ns` waiting for the lock, for
    value and array). Worker i counts hits[i]; `collected` is what the
    mechanism delivered, (index, count) pairs (by default each worker's hits,
    or their sum on worker 0 for value)."""
    stop = reports * chunk_ns + report_ns
    run = make_run([(0, stop)] * workers, backend=backend, probe=False, sampler=False,
                   role=role)
    rows = []
    for index in range(workers):
        for number in range(reports):
            began = (number + 1) * chunk_ns - chunk_ns // 2
            rows.append((index, began - chunk_ns // 2, "native", None))
            rows.append((index, began, "native_end", 1000))
            rows.append((index, began, "share", report_ns))
            if mechanism in ("value", "array"):
                rows.append((index, began, "lock-wait", lock_ns))
    if collected is None:
        collected = ([(0, sum(hits[:workers]))] if mechanism == "value"
                     else [(index, hits[index]) for index in range(workers)])
    rows += [(index, stop, "share-collected", count) for index, count in collected]
    results = [dict(samples=1000 * reports, hits=hits[index], max_rss_bytes=1,
                    reported=hits[index]) for index in range(workers)]
    spec = run.spec._replace(kernel="pi", work=1000 * reports * workers,
                             params={"variant": "fast", "seed": 1, "chunk": 1000,
                                     "share": mechanism})
    return run._replace(spec=spec, marks=marks_table(rows),
                        workers=tuple(w._replace(result=r) for w, r in zip(run.workers, results)))


# Processes of a run, and checks that none outlives it.

def descendants(process, count, timeout_s=30.0):
    """The processes below `process` once there are at least `count` of them."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = process.children(recursive=True)
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError("fewer than %d processes started" % count)


def alive(processes):
    left = []
    for process in processes:
        try:
            if process.status() != psutil.STATUS_ZOMBIE:
                left.append(process)
        except psutil.NoSuchProcess:
            pass
    return left


def assert_gone(processes, within_s=5.0):
    deadline = time.monotonic() + within_s
    while alive(processes) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert alive(processes) == []


def during_run(count, fault, settle_s=1.0):
    """Start a thread that, once this process has `count` descendants and
    `settle_s` passed, calls fault(target, workers); it returns the list
    into which it puts every process it saw."""
    seen = []

    def inject():
        found = descendants(psutil.Process(), count)
        seen.extend(found)
        time.sleep(settle_s)
        fault(found[0], found[1:])
    threading.Thread(target=inject, daemon=True).start()
    return seen


def family_of_a_killed_orchestrator(argv, count):
    """Start `python -c ARGV...` as an orchestrator, wait until it has `count`
    descendants, SIGKILL it, and return every descendant it had by then."""
    orchestrator = subprocess.Popen([sys.executable, "-c"] + list(argv), cwd=os.getcwd())
    try:
        descendants(psutil.Process(orchestrator.pid), count)
        time.sleep(0.5)
        return psutil.Process(orchestrator.pid).children(recursive=True)
    finally:
        orchestrator.kill()
        orchestrator.wait()


QUIET_CORES = 0.1
"""Other load under which a run's figures are a verdict (the project's rule)."""


def was_quiet(run):
    """Whether other processes used under QUIET_CORES on average during `run`,
    by gilviz's own reading of the load: a figure of how well two sources
    agree is asserted only then, and is a note otherwise."""
    from gilviz.analysis.load import load_figures
    figures = load_figures([run])
    return figures is not None and figures[0] < QUIET_CORES
