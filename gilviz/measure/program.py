"""Runs a user's program (`gilviz run script.py`, `-m module`) and samples
every thread it starts, from outside.

    run_program(spec)
      |-- start the target with agent/program.py in a session of its own;
      |   stdin, stdout, stderr are gilviz's, commands go on a pipe of their
      |   own (the lifeline: its end kills the target's group)
      |-- config; "ready"; start the Sampler (no thread yet), on CPython
      |   3.15+ the FlagReader (the interpreter's own GIL flags), and "go"
      |-- until the target exits, every FOLLOW_S: the threads it reported
      |   or that appeared in /proc/PID/task (and its children's, with
      |   children) go to the sampler; the time limit is checked
      |-- "done" at the program's exit: the threads' names at the end
      |-- stop the Sampler and the FlagReader, kill the target's group,
      |   whatever happened above
      `-- a log.Run: a Worker per thread seen, named; the program's exit
          status in the main thread's result ({"exit_status": n})

A program may sleep or wait for input as long as it likes: no stall check,
only the time limit if given.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import time

from ..agent.protocol import DONE, ERROR, EVENT, GO, READY, RELEASED, THREAD
from ..log import EXIT_STATUS, Holds, Interpreter, Marks, Run, RunSpec, empty_table, now_iso
from .follow import FOLLOW_S, ThreadFollower
from .gilflags import FlagReader, start_reader
from .runner import READY_TIMEOUT_S, Message, Target, bootstrap, readable
from .sampler import Sampler
from .watch import RunWatch, TargetError

PROGRAM_BOOTSTRAP = bootstrap("program")
"""The entry point in the target of a user's program."""




class ProgramTarget(Target):
    """A Target whose standard streams are the program's (gilviz's own),
    with its commands on a pipe of their own."""

    def __init__(self, python: str) -> None:
        self.python = python
        report_read, report_write = os.pipe()
        command_read, command_write = os.pipe()
        try:
            self.process = subprocess.Popen(
                [python, "-c", PROGRAM_BOOTSTRAP, "--report-fd", str(report_write),
                 "--command-fd", str(command_read)],
                pass_fds=(report_write, command_read), close_fds=True, start_new_session=True)
        except OSError as error:
            for fd in (report_read, command_write):
                os.close(fd)
            raise TargetError("cannot start %s: %s" % (python, error.strerror or error)) from None
        finally:
            os.close(report_write)
            os.close(command_read)
        self._reports = report_read
        self._commands = command_write
        self._buffer = b""
        self.ended = False
        """The report pipe reached its end: the target (and its children) exited."""

    def send(self, line: str) -> None:
        try:
            os.write(self._commands, line.encode() + b"\n")
        except BrokenPipeError:
            raise self._died() from None

    def _last_words(self) -> str:
        return ""  # the program's output went to gilviz's own streams

    def messages(self, wait_s: float) -> list[Message]:
        """The messages that arrive within `wait_s` (all those complete already,
        or the first that comes); [] at the end of the reports."""
        if readable(self._reports, wait_s):
            chunk = os.read(self._reports, 1 << 20)
            if not chunk:
                self.ended = True
            self._buffer += chunk
        *lines, self._buffer = self._buffer.split(b"\n")
        found = []
        for line in lines:
            try:
                found.append(json.loads(line))
            except ValueError:
                raise TargetError("the target sent %r, not a message" % line[:80]) from None
        return found

    def close(self) -> None:
        """End the target's whole group (end_group) and close the pipes."""
        self.end_group()
        for fd in (self._reports, self._commands):
            os.close(fd)


def program_config(spec: RunSpec) -> Message:
    """The config line of a program's run (protocol.PROGRAM_KEYS)."""
    params = spec.params or {}
    return {"mode": spec.kernel, "target": params["target"], "args": params.get("args", [])}


def run_program(spec: RunSpec, timeout_s: float | None = None, children: bool = False) -> Run:
    """Run the program of `spec` (kernel "script" or "module"; params
    "target", "args") and return the measured Run. Raises TargetError if
    the target cannot start the program or the run takes over `timeout_s`.
    On return or on any exception, the target and its group are gone."""
    watch = RunWatch(timeout_s=timeout_s, stall_s=None)
    target = ProgramTarget(spec.python)
    sampler: Sampler | None = None
    follower: ThreadFollower | None = None
    flags: FlagReader | None = None
    done: Message = {}
    try:
        target.send(json.dumps(program_config(spec)))
        ready = target.receive(READY, watch, silence_s=READY_TIMEOUT_S)
        started_at = now_iso()
        facts = ready["interpreter"]
        sampler = Sampler([], hz=spec.sample_hz, target_cores=facts["affinity"])
        follower = ThreadFollower(sampler, target.pid, children,
                                  skip=[(t["pid"], t["tid"]) for t in ready["own_threads"]])
        sampler.start()
        flags = start_reader(spec.python, target.pid, facts["version"], sampler,
                             facts["affinity"])
        target.send(GO)
        released = target.receive(RELEASED, watch, silence_s=READY_TIMEOUT_S)
        follower.add(released["pid"], released["tid"], released["name"])
        next_scan = time.monotonic()
        exited = False
        while not target.ended and not exited:
            # A child the program left behind may hold the report pipe open
            # after the program exited: one more read, then no more waiting.
            exited = target.process.poll() is not None
            for message in target.messages(FOLLOW_S):
                if message[EVENT] == THREAD:
                    follower.add(message["pid"], message["tid"], message["name"])
                elif message[EVENT] == DONE:
                    done = message
                    for thread in message["threads"]:
                        follower.names[(thread["pid"], thread["tid"])] = thread["name"]
                elif message[EVENT] == ERROR:
                    raise TargetError("%s: %s" % (spec.python, message.get("message")))
            if time.monotonic() >= next_scan and not target.ended:
                follower.scan()
                next_scan = time.monotonic() + FOLLOW_S
            watch.check()
        status = target.process.wait()
        end_ns = done.get("end_ns") or time.perf_counter_ns()
    finally:
        # Each is ended even where one before it fails: the target above all.
        with contextlib.ExitStack() as ending:
            ending.callback(target.close)
            if follower is not None:
                ending.callback(follower.close)
                ending.callback(follower.read_cpu)
            if flags is not None:
                ending.callback(flags.stop)
            if sampler is not None:
                ending.callback(sampler.stop)
    release = released["release_ns"]
    status = status if status >= 0 else 128 - status  # killed by a signal: as a shell says
    workers, threads = follower.workers(
        sampler.thread_samples(release), end_ns - release, 1e9 / spec.sample_hz,
        main=(released["pid"], released["tid"]), result={EXIT_STATUS: status})
    gil_flags = reading = None
    if flags is not None:
        gil_flags, reading = flags.reading(
            release, end_ns, {w.tid: w.index for w in workers if w.pid == target.pid})
    return Run(
        spec=spec._replace(workers=len(workers)),
        interpreter=Interpreter(**ready["interpreter"]),
        probe=None, started_at=started_at, release_ns=release, end_ns=end_ns - release,
        workers=workers, holds=empty_table(Holds), marks=empty_table(Marks), threads=threads,
        processes=sampler.process_samples(release), cores=sampler.core_samples(release),
        sampler=sampler.stats(), gil_flags=gil_flags, flag_reading=reading,
    )
