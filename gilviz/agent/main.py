"""The agent's entry point in the target process.

    orchestrator                          agent (this process)
    ------------                          --------------------
    config, one JSON line on stdin  --->  set the switch interval, pin to the
                                          cores, calibrate the probe, open the
                                          kernel's session, start the workers
                                          (each reports its ids, then waits)
    open /proc for the worker ids   <---  "ready" + interpreter facts (report fd)
    start the sampler, "go" on stdin --->  release all workers at one instant
                                          join them
    stop the sampler                <---  "done" + one record per worker

Every message is one JSON line on the report file descriptor, so that the
workload's own stdout and stderr stay free. The names of messages and keys are
in protocol.py. After the config, stdin is read by a thread of its own
(lifeline.StdinWatch): its end before "done" means the orchestrator is gone,
and the whole process group is killed.
"""

from __future__ import absolute_import

import json
import os
import platform
import multiprocessing
import sys
import sysconfig
import traceback

from .backends import LAUNCHERS, gil_enabled, split_work
from .compat import (HAS_SWITCH_INTERVAL, allowed_cpus, handover_facts, pin_to_cpus,
                     set_handover)
from .kernels import PROBED_KERNELS, calibrate_chunk, load_kernel, load_session
from .lifeline import StdinWatch
from .probe import clock
from .protocol import DONE, ERROR, EVENT, GO, READY, SHARING_COLLECTED


def describe_interpreter():
    facts = {
        "executable": sys.executable,
        "version": platform.python_version(),
        "implementation": platform.python_implementation(),
        "gil_enabled": gil_enabled(),
        "free_threaded": free_threaded_build(),
        "cpu_count": multiprocessing.cpu_count(),
        "affinity": allowed_cpus(),
        "pid": os.getpid(),
    }
    facts.update(handover_facts())
    return facts


def free_threaded_build():
    """Built with --disable-gil (3.13+), whether or not the GIL is on now."""
    return bool(sysconfig.get_config_var("Py_GIL_DISABLED"))


class Reporter(object):
    def __init__(self, fd):
        self._stream = os.fdopen(fd, "w")

    def send(self, event, **fields):
        fields[EVENT] = event
        self._stream.write(json.dumps(fields) + "\n")
        self._stream.flush()


def open_sharing(mechanism, backend, workers):
    """sharing.open_channel, imported only where a kernel shares its counts:
    sharing.py is 3.8 code, and the countdown's path must load on 2.7 too."""
    if mechanism is None:
        return None
    from .sharing import open_channel
    return open_channel(mechanism, backend, workers)


def collect_shared(channel, records):
    """Mark on each worker's record what the sharing mechanism delivered."""
    try:
        collected = channel.collect(records)
    finally:
        channel.close()
    now = clock()
    for index, count in collected:
        records[index]["marks"].append([now, SHARING_COLLECTED, count])


def run(config, reporter, commands):
    """One run: `commands` gives the orchestrator's lines (next_command) and
    is told when the run is over (finished)."""
    set_handover(config.get("switch_interval_s"), config.get("check_interval"))
    if config.get("cores") is not None:
        pin_to_cpus(config["cores"])
    config = dict(config, gil_enabled=gil_enabled())
    # Import the kernel once here: a missing module (numpy) fails the run with
    # one message before any worker starts, and forked workers inherit it.
    load_kernel(config["kernel"])
    probe = None
    if config["probe"]:
        if config["kernel"] not in PROBED_KERNELS:
            raise ValueError("the %s kernel has no probed form" % config["kernel"])
        old_gil = not HAS_SWITCH_INTERVAL  # Python 2: the GIL of the check interval
        config["chunk"] = calibrate_chunk(config["old_gil_chunk_target_ns" if old_gil
                                                 else "chunk_target_ns"])
        probe = {"chunk": config["chunk"], "gap_ns": config["gap_ns"]}

    session = load_session(config["kernel"])
    with session(config["params"], config["workers"], config["work"]) as params:
        config["params"] = params
        channel = config["channel"] = open_sharing(params.get("share"), config["backend"],
                                                   config["workers"])
        launcher = LAUNCHERS[config["backend"]](config)
        portions = split_work(config["work"], config["workers"])
        for index, portion in enumerate(portions):
            launcher.start(index, portion)
        workers = [launcher.ready(index) for index in range(len(portions))]
        reporter.send(READY, interpreter=describe_interpreter(), probe=probe, workers=workers)

        command = commands.next_command()
        if command != GO:
            raise RuntimeError("expected %r from the orchestrator, got %r" % (GO, command))
        release_ns = clock()
        launcher.release()
        records = [launcher.result(index) for index in range(len(portions))]
        end_ns = clock()
        if channel is not None:
            collect_shared(channel, records)
    commands.finished()
    reporter.send(DONE, release_ns=release_ns, end_ns=end_ns, workers=records)


def main(argv):
    if len(argv) != 2 or argv[0] != "--report-fd":
        sys.stderr.write("usage: agent --report-fd FD  (config as one JSON line on stdin)\n")
        return 2
    reporter = Reporter(int(argv[1]))
    commands = StdinWatch()
    try:
        config = json.loads(commands.read_first() or "null")
        if not isinstance(config, dict):
            raise ValueError("no config on stdin")
        commands.start()
        run(config, reporter, commands)
    except Exception as error:
        traceback.print_exc()
        reporter.send(ERROR, message="%s: %s" % (type(error).__name__, error))
        return 1
    return 0
