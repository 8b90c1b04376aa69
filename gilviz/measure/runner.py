"""Runs one measurement: the target process, its agent and the sampler.

    run_target(spec)
      |-- start the target interpreter with the agent, loaded by file path,
      |   in a process group of its own
      |     meanwhile, until it waits for its config: steps of the
      |     orchestrator's spare work (spare.py)
      |-- send the config; the agent starts its workers, replies "ready" + ids
      |-- open the workers' /proc files, start the Sampler thread (with
      |   sample_hz 0 it reads only the machine's CPU use, every 50 ms)
      |-- send "go"; the agent releases the workers and waits for them
      |     meanwhile, every POLL_S: has the target died? (RunWatch) is it
      |     stopped, stuck, over its time limit? any of these: TargetError
      |-- the agent replies "done" + worker records; stop the Sampler
      |-- kill the target's process group, whatever happened above
      `-- assemble a log.Run, times relative to the release (assemble.py)
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence

import psutil

from .. import agent
from ..agent.lifeline import describe_exit
from ..agent.protocol import DONE, ERROR, EVENT, GO, READY
from ..log import Run, RunSpec, now_iso
from . import spare
from .assemble import Message, assemble_run
from .gilflags import FlagReader, start_reader
from .sampler import Sampler
from .timings import record, record_cpu, timed
from .watch import RunWatch, TargetError

AGENT_DIR = os.path.dirname(os.path.abspath(agent.__file__))

# Loads the agent by path under its own name, without putting the
# orchestrator's site-packages on the target's sys.path: the target may be
# another Python version with its own numpy. Python 2 has no importlib.util;
# its imp loads a package directory (imp is gone from 3.12, which has util).
BOOTSTRAP_TEMPLATE = """\
import sys
try:
    import importlib.util
except ImportError:
    import imp
    sys.dont_write_bytecode = True  # 2.x would write .pyc files beside the agent's sources
    imp.load_module("gilviz_agent", None, %(dir)r, ("", "", imp.PKG_DIRECTORY))
else:
    spec = importlib.util.spec_from_file_location(
        "gilviz_agent", %(init)r, submodule_search_locations=[%(dir)r])
    module = importlib.util.module_from_spec(spec)
    sys.modules["gilviz_agent"] = module
    spec.loader.exec_module(module)
from gilviz_agent.%(entry)s import main
sys.exit(main(sys.argv[1:]))
"""




def bootstrap(entry: str) -> str:
    """The -c code that loads the agent and runs main() of its `entry` module."""
    return BOOTSTRAP_TEMPLATE % {"dir": AGENT_DIR, "entry": entry,
                                 "init": os.path.join(AGENT_DIR, "__init__.py")}


BOOTSTRAP = bootstrap("main")
"""The kernels' entry point in the target."""

PROBE_CHUNK_TARGET_NS = 8_000
"""About one clock read every 8 us: interval edges known to that (see
scripts/bench_probe.py for what it costs)."""
OLD_GIL_CHUNK_TARGET_NS = 20_000
"""The same under the old GIL (Python 2), whose turns last 100 bytecodes: its
clock goes through ctypes (~0.6 us a read), and every read in the battle
moves it: at 8 us the probe drew 4 countdown threads 1.79x as slow as the
plain loop, at 20 us 1.31x (serial 1.10x and 1.04x; bench_probe.py, 25 pairs
each, quiet machine)."""
PROBE_GAP_NS = 100_000
"""A pause of over 100 us between two clock reads counts as not running."""
READY_TIMEOUT_S = 120
STALL_S = 10.0
"""A run whose processes used no CPU time, or one of which was stopped, for
this long is ended (see watch.py)."""
POLL_S = 0.5
"""How often the runner looks at the target while it waits for a message."""
GRACE_S = 0.2
"""How long a target has to exit on SIGTERM before its group gets SIGKILL."""
EXIT_WAIT_S = 5.0
"""How long a target that said "done" has to exit by itself."""
MESSAGE_LIMIT = 1 << 30
"""A report line longer than this is not a message from the agent."""

MAIN_THREAD_CPU = "main thread"
ALL_THREADS_CPU = "all its threads (the sampler's too)"
"""Labels of the orchestrator's CPU time from "go" to "done" (--timings):
the main thread only waits then; the sampler thread measures."""

__all__ = ["TargetError", "run_target", "agent_config", "Message", "Target"]


def readable(fd: int, wait_s: float) -> bool:
    """Whether `fd` has something to read (or its end) within `wait_s`: by
    poll, not select, which refuses descriptors numbered over 1024 (the
    sampler holds 3 a worker thread; a notebook may hold many)."""
    waiting = select.poll()
    waiting.register(fd, select.POLLIN)
    return bool(waiting.poll(max(wait_s, 0.0) * 1000))


def agent_config(spec: RunSpec) -> Message:
    return {
        "kernel": spec.kernel,
        "backend": spec.backend,
        "workers": spec.workers,
        "work": spec.work,
        "probe": spec.probe,
        "chunk_target_ns": PROBE_CHUNK_TARGET_NS,
        "old_gil_chunk_target_ns": OLD_GIL_CHUNK_TARGET_NS,
        "gap_ns": PROBE_GAP_NS,
        "switch_interval_s": spec.switch_interval_s,
        "check_interval": spec.check_interval,
        "cores": spec.cores,
        "params": spec.params or {},
    }


def interpreter_flags(spec: RunSpec) -> tuple[str, ...]:
    """The target interpreter's own flags: -X gil=0|1 where the spec asks
    for the GIL on or off (a free-threaded build; others refuse it)."""
    return () if spec.gil is None else ("-X", "gil=%d" % spec.gil)


class Target:
    """The target process, in a process group of its own, and the two
    channels to its agent. close() kills the whole group."""

    def __init__(self, python: str, interpreter_flags: Sequence[str] = ()) -> None:
        self.python = python
        self._output = tempfile.TemporaryFile()
        read_end, write_end = os.pipe()
        try:
            self.process = subprocess.Popen(
                [python] + list(interpreter_flags) + ["-c", BOOTSTRAP, "--report-fd",
                                                      str(write_end)],
                stdin=subprocess.PIPE, stdout=self._output, stderr=subprocess.STDOUT,
                pass_fds=(write_end,), close_fds=True, start_new_session=True,
            )
        except OSError as error:
            os.close(read_end)
            self._output.close()
            raise TargetError("cannot start %s: %s" % (python, error.strerror or error)) from None
        finally:
            os.close(write_end)
        self._reports = read_end
        self._buffer = b""

    @property
    def pid(self) -> int:
        return self.process.pid

    def send(self, line: str) -> None:
        assert self.process.stdin is not None  # a pipe
        try:
            self.process.stdin.write(line.encode() + b"\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            raise self._died() from None

    def _died(self, before: str | None = None) -> TargetError:
        """The TargetError for a target that is gone (or going)."""
        try:
            self.process.wait(timeout=GRACE_S)
        except subprocess.TimeoutExpired:
            pass
        when = " before %r" % before if before else ""
        return TargetError("the target (%s, pid %d) %s%s%s"
                           % (self.python, self.pid, describe_exit(self.process.returncode),
                              when, self._last_words()))

    def _next_line(self, expected: str, watch: RunWatch, silence_s: float | None) -> bytes:
        """The next report line; meanwhile `watch` is checked every POLL_S,
        and a target silent for `silence_s` (if not None) is given up."""
        silent_since = time.monotonic()
        while b"\n" not in self._buffer:
            if silence_s is not None and time.monotonic() - silent_since > silence_s:
                raise TargetError("%s said nothing for %d s after it started%s"
                                  % (self.python, silence_s, self._last_words()))
            if readable(self._reports, watch.wait_s(POLL_S)):
                chunk = os.read(self._reports, 1 << 20)
                if not chunk:
                    raise self._died(before=expected)
                self._buffer += chunk
                if len(self._buffer) > MESSAGE_LIMIT:
                    raise TargetError("the target sent a message of over %d bytes"
                                      % MESSAGE_LIMIT)
                continue
            if self.process.poll() is not None:
                raise self._died(before=expected)
            watch.check()
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line

    def started(self) -> bool:
        """Whether the target is waiting for its config, or has reported
        (an error) or ended. An interpreter starting up never sleeps (its
        files are read without waiting for anyone), so the first time it
        sleeps it reads its stdin: state S in /proc/PID/stat. Where that
        cannot be read, only once the target has ended."""
        if b"\n" in self._buffer or readable(self._reports, 0):
            return True
        try:
            with open("/proc/%d/stat" % self.pid, "rb") as stream:
                raw = stream.read()
        except OSError:
            return self.process.poll() is not None
        return raw[raw.rindex(b")") + 2:][:1] == b"S"

    def receive(self, expected: str, watch: RunWatch, silence_s: float | None = None) -> Message:
        """The next message, which must be `expected`."""
        line = self._next_line(expected, watch, silence_s)
        try:
            message = json.loads(line)
            event = message[EVENT]
        except (ValueError, TypeError, KeyError):
            raise TargetError("the target sent %r, not a message" % line[:80]) from None
        if event == ERROR:
            raise TargetError("%s: %s" % (self.python, message.get("message")))
        if event != expected:
            raise TargetError("agent sent %r, expected %r" % (event, expected))
        return message

    def _last_words(self) -> str:
        self._output.seek(0)
        lines = self._output.read().decode(errors="replace").strip().splitlines()
        return ": " + lines[-1] if lines else ""

    def _signal_group(self, number: int) -> None:
        try:
            os.killpg(self.pid, number)
        except (ProcessLookupError, PermissionError):  # the group is empty
            pass

    def end_group(self) -> None:
        """End the target and every process of its group (workers, servers,
        clients), stopped ones too: SIGTERM, then SIGKILL after GRACE_S."""
        if self.process.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.process.wait(timeout=GRACE_S)
            except subprocess.TimeoutExpired:
                pass
        self._signal_group(signal.SIGKILL)
        self.process.wait()

    def close(self) -> None:
        """End the target's whole group (end_group) and close the channels."""
        self.end_group()
        os.close(self._reports)
        assert self.process.stdin is not None  # a pipe
        try:
            self.process.stdin.close()
        except BrokenPipeError:  # unsent bytes to a target that is gone
            pass
        self._output.close()

    def wait_exit(self) -> None:
        """After "done": give the target EXIT_WAIT_S to exit by itself.

        Woken by its exit itself where a pidfd can tell (Linux 5.3+):
        Popen.wait(timeout) polls, its sleeps doubling from 0.5 ms, and so
        saw a target that exits ~5 ms after "done" only after 15.5 ms here,
        six times a countdown."""
        try:
            exited = os.pidfd_open(self.pid)
        except (AttributeError, OSError):  # no pidfd here: poll
            exited = None
        try:
            if exited is not None:
                readable(exited, EXIT_WAIT_S)
                self.process.poll()
            else:
                self.process.wait(timeout=EXIT_WAIT_S)
        except subprocess.TimeoutExpired:
            pass
        finally:
            if exited is not None:
                os.close(exited)


def _start_sampler(spec: RunSpec, ids: Sequence[tuple[int, int, int]], ready: Message,
                   session: int) -> Sampler:
    try:
        sampler = Sampler(ids, hz=spec.sample_hz, target_cores=ready["interpreter"]["affinity"],
                          session=session)
    except (OSError, psutil.Error) as error:  # a worker died before it was released
        raise TargetError("cannot sample the workers: %s" % error) from None
    sampler.start()
    return sampler


def run_target(spec: RunSpec, timeout_s: float | None = None,
               stall_s: float | None = STALL_S) -> Run:
    """Run `spec` in a fresh target process and return the measured Run.

    Raises TargetError if the target fails, dies, is stopped or makes no
    progress for `stall_s` (None: never given up for that), or the whole
    run takes over `timeout_s` (None: no limit). Whatever ends it, on return
    or on any exception (KeyboardInterrupt included), the target and every
    process it started are gone. A worker that failed does not fail the run:
    its Worker.error says what happened (see Run.failed_workers()).
    """
    watch = RunWatch(timeout_s=timeout_s, stall_s=stall_s)
    began = time.perf_counter()
    target = Target(spec.python, interpreter_flags(spec))
    watch.watch(target.pid, "the target")
    sampler: Sampler | None = None
    flags: FlagReader | None = None
    try:
        # While the interpreter starts up, the orchestrator's spare work
        # (spare.py); the config only once it waits for it, so that the
        # probe's calibration and the workers' start have the CPU as before.
        work = spare.active()
        spent = work.run_until(target.started) if work is not None else 0.0
        target.send(json.dumps(agent_config(spec)))
        ready = target.receive(READY, watch, silence_s=READY_TIMEOUT_S)
        record("targets' start", time.perf_counter() - began - spent)
        started_at = now_iso()
        ids = [(w["index"], w["pid"], w["tid"]) for w in ready["workers"]]
        noun = "pool member" if spec.backend == "pool" else "worker process"
        for index, pid, _ in ids:
            if pid != target.pid:
                watch.watch(pid, "%s %d" % (noun, index))
        # Even with the thread sampler off, the machine's CPU use is read
        # every 50 ms: a run beside other busy processes must say so.
        sampler = _start_sampler(spec, ids, ready, session=target.pid)
        # The interpreter's own GIL flags (3.15+), of workers in the target itself.
        if all(pid == target.pid for _, pid, _ in ids):
            flags = start_reader(spec.python, target.pid, ready["interpreter"]["version"],
                                 sampler, ready["interpreter"]["affinity"])
        went = time.perf_counter()
        cpu_before = time.thread_time(), time.process_time()
        target.send(GO)
        done = target.receive(DONE, watch)
        ended = time.perf_counter()
        record_cpu(MAIN_THREAD_CPU, time.thread_time() - cpu_before[0])
        record_cpu(ALL_THREADS_CPU, time.process_time() - cpu_before[1])
        record("runs (their own wall time)", (done["end_ns"] - done["release_ns"]) / 1e9)
        record("targets' start", ended - went - (done["end_ns"] - done["release_ns"]) / 1e9)
        target.wait_exit()
    finally:
        # Each is ended even where one before it fails: the target above all.
        with contextlib.ExitStack() as ending:
            ending.callback(target.close)
            if flags is not None:
                ending.callback(flags.stop)
            if sampler is not None:
                ending.callback(sampler.stop)

    record("targets' end", time.perf_counter() - ended)
    with timed("targets' end"):
        return assemble_run(spec, ready, done, ids, sampler, started_at, flags)
