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

import json
import os
import platform
import sys
import traceback

from .backends import LAUNCHERS, gil_enabled, split_work
from .kernels import PROBED_KERNELS, calibrate_chunk, load_kernel, load_session
from .lifeline import StdinWatch
from .probe import clock
from .protocol import DONE, ERROR, EVENT, GO, READY, SHARE_COLLECTED
from .share import open_channel


def describe_interpreter():
    affinity = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "executable": sys.executable,
        "version": platform.python_version(),
        "implementation": platform.python_implementation(),
        "gil_enabled": gil_enabled(),
        "switch_interval_s": sys.getswitchinterval(),
        "cpu_count": os.cpu_count(),
        "affinity": affinity,
        "pid": os.getpid(),
    }


class Reporter(object):
    def __init__(self, fd):
        self._stream = os.fdopen(fd, "w")

    def send(self, event, **fields):
        fields[EVENT] = event
        self._stream.write(json.dumps(fields) + "\n")
        self._stream.flush()


def pin_to_cores(cores):
    """Pin this thread, and so every thread and process it starts later, to `cores`."""
    if not hasattr(os, "sched_setaffinity"):
        raise RuntimeError("cannot pin to cores on this platform (no os.sched_setaffinity)")
    try:
        os.sched_setaffinity(0, cores)  # 0: the calling thread; new threads inherit its mask
    except OSError as error:
        raise RuntimeError("cannot pin to cores %s: %s"
                           % (",".join(str(core) for core in cores), error.strerror)) from None


def collect_shared(channel, records):
    """Mark on each worker's record what the sharing mechanism delivered."""
    try:
        collected = channel.collect(records)
    finally:
        channel.close()
    now = clock()
    for index, count in collected:
        records[index]["marks"].append([now, SHARE_COLLECTED, count])


def run(config, reporter, commands):
    """One run: `commands` gives the orchestrator's lines (next_command) and
    is told when the run is over (finished)."""
    if config.get("switch_interval_s") is not None:
        sys.setswitchinterval(config["switch_interval_s"])
    if config.get("cores") is not None:
        pin_to_cores(config["cores"])
    config = dict(config, gil_enabled=gil_enabled())
    # Import the kernel once here: a missing module (numpy) fails the run with
    # one message before any worker starts, and forked workers inherit it.
    load_kernel(config["kernel"])
    probe = None
    if config["probe"]:
        if config["kernel"] not in PROBED_KERNELS:
            raise ValueError("the %s kernel has no probed form" % config["kernel"])
        config["chunk"] = calibrate_chunk(config["chunk_target_ns"])
        probe = {"chunk": config["chunk"], "gap_ns": config["gap_ns"]}

    session = load_session(config["kernel"])
    with session(config["params"], config["workers"], config["work"]) as params:
        config["params"] = params
        channel = config["channel"] = open_channel(params.get("share"), config["backend"],
                                                   config["workers"])
        launcher = LAUNCHERS[config["backend"]](config)
        shares = split_work(config["work"], config["workers"])
        for index, share in enumerate(shares):
            launcher.start(index, share)
        workers = [launcher.ready(index) for index in range(len(shares))]
        reporter.send(READY, interpreter=describe_interpreter(), probe=probe, workers=workers)

        command = commands.next_command()
        if command != GO:
            raise RuntimeError("expected %r from the orchestrator, got %r" % (GO, command))
        release_ns = clock()
        launcher.release()
        records = [launcher.result(index) for index in range(len(shares))]
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
