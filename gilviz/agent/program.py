"""Runs a user's program in the target: a script or a module, as `python
script.py` and `python -m module` would, with the program's stdin, stdout
and stderr those of the target (gilviz's own) and its exit status the
target's.

    orchestrator                          agent (this process)
    config, one JSON line (command fd) -->  hook threading.Thread.start
                                     <---  "ready" + interpreter facts + own threads
    start the sampler, "go"         --->  run the program (runpy), with sys.argv its own
                                     <---  "released" + the main thread
                                     <---  "thread" for every thread it starts
      meanwhile: follow new threads        the program ends; its threads are joined
                                     <---  "done" (atexit) + the names at the end
    the target exits with the program's status

Commands come on a descriptor of their own, not stdin, which is the
program's; its end before "done" means the orchestrator is gone
(lifeline.StdinWatch): the whole process group is killed.

The hook reports a thread once, after start() returns (then its native id
is known): it costs nothing while threads run.
"""

import atexit
import json
import os
import runpy
import sys
import threading
import traceback

from .lifeline import StdinWatch
from .main import describe_interpreter
from .probe import clock
from .protocol import DONE, ERROR, EVENT, GO, MODULE, READY, RELEASED, SCRIPT, THREAD

NAME_LIMIT = 200
"""Characters of a thread's name sent: a report line stays one atomic write."""


class LineReporter(object):
    """One JSON line a message, each in a single write(): threads of the
    program report without a lock, and lines never interleave (a pipe keeps
    writes of up to PIPE_BUF, 4096 bytes, whole)."""

    def __init__(self, fd):
        self.fd = fd

    def send(self, event, **fields):
        fields[EVENT] = event
        data = (json.dumps(fields) + "\n").encode()
        while data:
            data = data[os.write(self.fd, data):]


def thread_fields(thread):
    return {"pid": os.getpid(), "tid": getattr(thread, "native_id", None),
            "name": str(thread.name)[:NAME_LIMIT]}


def hook_thread_starts(reporter):
    """Report every thread the program starts, with its name and native id."""
    original = threading.Thread.start

    def start(self, *args, **kwargs):
        original(self, *args, **kwargs)
        try:
            reporter.send(THREAD, **thread_fields(self))
        except OSError:  # the orchestrator is gone: the lifeline ends this process
            pass

    threading.Thread.start = start


def report_end(reporter, agent_pid, commands):
    """At exit, after the program's threads were joined: "done"."""
    if os.getpid() != agent_pid:  # a forked child of the program exiting
        return
    end_ns = clock()
    commands.finished()
    threads = [thread_fields(thread) for thread in threading.enumerate()
               if thread.name != "gilviz-stdin-watch"]
    try:
        reporter.send(DONE, end_ns=end_ns, threads=threads)
    except OSError:
        pass


def program_traceback(error):
    """Print `error`'s traceback as Python would for the program: without
    the frames of this module and runpy above the program's own."""
    tb = error.__traceback__
    own = (os.path.abspath(__file__), os.path.abspath(runpy.__file__), "<frozen runpy>")
    while tb is not None and tb.tb_frame.f_code.co_filename in own + (__file__,):
        tb = tb.tb_next
    sys.excepthook(type(error), error.with_traceback(tb), tb)


def exit_status(code):
    """The exit status of a SystemExit's code, as the interpreter gives it."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    sys.stderr.write("%s\n" % (code,))
    return 1


def run_program(config):
    """Run the program the config names, as the interpreter would; its exit status."""
    args = [str(arg) for arg in config.get("args", [])]
    try:
        if config["mode"] == SCRIPT:
            path = config["target"]
            sys.argv = [path] + args
            sys.path[0] = os.path.dirname(os.path.abspath(path))
            runpy.run_path(path, run_name="__main__")
        elif config["mode"] == MODULE:
            sys.argv = [config["target"]] + args
            sys.path[0] = os.getcwd()
            runpy.run_module(config["target"], run_name="__main__", alter_sys=True)
        else:
            raise ValueError("no program mode %r" % config["mode"])
    except SystemExit as ending:
        return exit_status(ending.code)
    except BaseException as error:  # the program's: its traceback, status 1, as python does
        program_traceback(error)
        return 1
    return 0


def main(argv):
    if len(argv) != 4 or argv[0] != "--report-fd" or argv[2] != "--command-fd":
        sys.stderr.write("usage: program --report-fd FD --command-fd FD\n")
        return 2
    reporter = LineReporter(int(argv[1]))
    commands = StdinWatch(int(argv[3]))
    try:
        config = json.loads(commands.read_first() or "null")
        if not isinstance(config, dict):
            raise ValueError("no config on the command descriptor")
        commands.start()
        reporter.send(READY, interpreter=describe_interpreter(), probe=None, workers=[],
                      own_threads=[{"pid": os.getpid(), "tid": commands.native_id,
                                    "name": "gilviz-stdin-watch"}])
        command = commands.next_command()
        if command != GO:
            raise RuntimeError("expected %r from the orchestrator, got %r" % (GO, command))
    except Exception as error:
        traceback.print_exc()
        reporter.send(ERROR, message="%s: %s" % (type(error).__name__, error))
        return 1
    hook_thread_starts(reporter)
    atexit.register(report_end, reporter, os.getpid(), commands)
    reporter.send(RELEASED, release_ns=clock(), **thread_fields(threading.current_thread()))
    return run_program(config)
