"""Runs one measurement: the target process, its agent and the sampler.

    run_target(spec)
      |-- start the target interpreter with the agent, loaded by file path
      |-- send the config; the agent starts its workers, replies "ready" + ids
      |-- open the workers' /proc files, start the Sampler thread
      |-- send "go"; the agent releases the workers and waits for them
      |-- the agent replies "done" + worker records; stop the Sampler
      `-- assemble a log.Run, times relative to the release
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import tempfile

import numpy as np

from .. import agent
from ..log import (CoreSamples, Holds, Interpreter, Marks, ProbeSettings, ProcessSamples,
                  Run, ThreadSamples, Worker, empty_table, now_iso)
from .sampler import Sampler

AGENT_DIR = os.path.dirname(os.path.abspath(agent.__file__))

# Loads the agent by path under its own name, without putting the
# orchestrator's site-packages on the target's sys.path: the target may be
# another Python version with its own numpy.
BOOTSTRAP = """\
import importlib.util, sys
spec = importlib.util.spec_from_file_location(
    "gilviz_agent", %r, submodule_search_locations=[%r])
module = importlib.util.module_from_spec(spec)
sys.modules["gilviz_agent"] = module
spec.loader.exec_module(module)
from gilviz_agent.main import main
sys.exit(main(sys.argv[1:]))
""" % (os.path.join(AGENT_DIR, "__init__.py"), AGENT_DIR)

PROBE_CHUNK_TARGET_NS = 20_000
"""About one clock read every 20 us: interval edges known to that, at ~1 % cost."""
PROBE_GAP_NS = 100_000
"""A pause of over 100 us between two clock reads counts as not running."""
READY_TIMEOUT_S = 120


class TargetError(RuntimeError):
    """The target process failed; the message says how, in one line."""


def agent_config(spec):
    return {
        "kernel": spec.kernel,
        "backend": spec.backend,
        "workers": spec.workers,
        "work": spec.work,
        "probe": spec.probe,
        "chunk_target_ns": PROBE_CHUNK_TARGET_NS,
        "gap_ns": PROBE_GAP_NS,
        "switch_interval_s": spec.switch_interval_s,
        "cores": spec.cores,
        "params": spec.params or {},
    }


class Target:
    """The target process and the two channels to its agent."""

    def __init__(self, python):
        self.python = python
        self._output = tempfile.TemporaryFile()
        read_end, write_end = os.pipe()
        try:
            self.process = subprocess.Popen(
                [python, "-c", BOOTSTRAP, "--report-fd", str(write_end)],
                stdin=subprocess.PIPE, stdout=self._output, stderr=subprocess.STDOUT,
                pass_fds=(write_end,), close_fds=True,
            )
        except OSError as error:
            os.close(read_end)
            raise TargetError("cannot start %s: %s" % (python, error.strerror or error)) from None
        finally:
            os.close(write_end)
        self._reports = os.fdopen(read_end, "r")

    def send(self, line):
        try:
            self.process.stdin.write(line.encode() + b"\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            self.process.wait()
            raise TargetError("%s exited with status %s%s"
                              % (self.python, self.process.returncode, self._last_words())) from None

    def receive(self, expected, timeout_s=None):
        """The next message, which must be `expected`. With `timeout_s`, a
        target that says nothing for that long is killed: only for messages
        no read has been buffered ahead of (the first), as select sees the
        descriptor, not the file's buffer."""
        if timeout_s is not None:
            answered, _, _ = select.select([self._reports], [], [], timeout_s)
            if not answered:
                self.process.kill()
                self.process.wait()
                raise TargetError("%s sent no %r within %d s: ended%s"
                                  % (self.python, expected, timeout_s, self._last_words()))
        line = self._reports.readline()
        if not line:
            self.process.wait()
            raise TargetError("%s exited with status %s before %r%s"
                              % (self.python, self.process.returncode, expected, self._last_words()))
        message = json.loads(line)
        if message["event"] == "error":
            self.process.wait()
            raise TargetError("%s: %s" % (self.python, message["message"]))
        if message["event"] != expected:
            raise TargetError("agent sent %r, expected %r" % (message["event"], expected))
        return message

    def _last_words(self):
        self._output.seek(0)
        lines = self._output.read().decode(errors="replace").strip().splitlines()
        return ": " + lines[-1] if lines else ""

    def close(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._reports.close()
        try:
            self.process.stdin.close()
        except BrokenPipeError:  # unsent bytes to a target that is gone
            pass
        self._output.close()


def _worker(record, release_ns):
    def relative(value):
        return None if value is None else value - release_ns

    return Worker(
        index=record["index"], pid=record["pid"], tid=record.get("tid"), work=record["work"],
        start_ns=relative(record["start_ns"]), stop_ns=relative(record["stop_ns"]),
        cpu_ns=record["cpu_ns"], error=record["error"], result=record.get("result"),
    )


def _holds(records, release_ns):
    """The probes' flat (start, stop, cpu_wait) lists as one Holds table."""
    rows = [(record["index"],) + tuple(record["holds"][i:i + 3])
            for record in records for i in range(0, len(record["holds"]), 3)]
    if not rows:
        return empty_table(Holds)
    table = np.asarray(rows, dtype=np.int64)
    return Holds(
        worker=table[:, 0].astype(np.int32),
        start_ns=table[:, 1] - release_ns,
        stop_ns=table[:, 2] - release_ns,
        cpu_wait_ns=table[:, 3],
    )


def _marks(records, release_ns):
    rows = [(record["index"], t, kind, value)
            for record in records for t, kind, value in record.get("marks", [])]
    if not rows:
        return empty_table(Marks)
    worker, t, kind, value = zip(*rows)
    return Marks(
        worker=np.asarray(worker, np.int32),
        t_ns=np.asarray(t, np.int64) - release_ns,
        kind=np.asarray(kind, str),
        value=np.asarray([np.nan if v is None else v for v in value], np.float64),
    )


def attribute_samples(samples, members, workers):
    """Give each thread sample to the worker its thread was running.

    The sampler reads the threads the agent named when ready (`members`,
    (index, pid, tid)); with a pool those are the pool's members, and the
    workers are its tasks, which the pool hands out as it likes. A sample of
    a member goes to the last of its tasks begun by then (or its first, before
    any began); a member that ran no task has its samples left out.
    """
    ran_by = {}
    for worker in sorted(workers, key=lambda w: w.start_ns or 0):
        ran_by.setdefault((worker.pid, worker.tid), []).append(worker)
    if all([w.index for w in ran_by.get((pid, tid), [])] == [index]
           for index, pid, tid in members):
        return samples  # each member ran the worker of its own index
    owner = np.full(len(samples.t_ns), -1, np.int32)
    for index, pid, tid in members:
        mine = np.flatnonzero(samples.worker == index)
        ran = ran_by.get((pid, tid))
        if not ran or len(mine) == 0:
            continue
        starts = np.asarray([w.start_ns or 0 for w in ran], np.int64)
        which = np.clip(np.searchsorted(starts, samples.t_ns[mine], side="right") - 1, 0, None)
        owner[mine] = np.asarray([w.index for w in ran], np.int32)[which]
    kept = owner >= 0
    columns = {name: column[kept] for name, column in samples._asdict().items()}
    columns["worker"] = owner[kept]
    return ThreadSamples(**columns)


def run_target(spec, timeout_s=None):
    """Run `spec` in a fresh target process and return the measured Run;
    a run that takes longer than `timeout_s` (None: no limit) is ended."""
    target = Target(spec.python)
    sampler = None
    try:
        target.send(json.dumps(agent_config(spec)))
        ready = target.receive("ready", timeout_s=READY_TIMEOUT_S)
        started_at = now_iso()
        ids = [(w["index"], w["pid"], w["tid"]) for w in ready["workers"]]
        if spec.sample_hz > 0:
            sampler = Sampler(ids, hz=spec.sample_hz,
                              target_cores=ready["interpreter"]["affinity"])
            sampler.start()
        target.send("go")
        done = target.receive("done", timeout_s=timeout_s)
        target.process.wait()
    finally:
        if sampler is not None:
            sampler.stop()
        target.close()

    release = done["release_ns"]
    workers = tuple(_worker(record, release) for record in done["workers"])
    threads = empty_table(ThreadSamples)
    if sampler is not None:
        threads = attribute_samples(sampler.thread_samples(release), ids, workers)
    return Run(
        spec=spec,
        interpreter=Interpreter(**ready["interpreter"]),
        probe=ProbeSettings(**ready["probe"]) if ready["probe"] else None,
        started_at=started_at,
        release_ns=release,
        end_ns=done["end_ns"] - release,
        workers=workers,
        holds=_holds(done["workers"], release),
        marks=_marks(done["workers"], release),
        threads=threads,
        processes=sampler.process_samples(release) if sampler else empty_table(ProcessSamples),
        cores=sampler.core_samples(release) if sampler else empty_table(CoreSamples),
        sampler=sampler.stats() if sampler else None,
    )
