"""Keeps every process of a run from outliving the process that started it.

The orchestrator starts the target in a process group of its own and kills
that group when a run ends, whatever ends it. Two cases are left to this
module, as the orchestrator cannot act in them:

  - the orchestrator itself is killed (SIGKILL): the target's stdin, whose
    only writer it was, reaches end of file; `StdinWatch` sees that and kills
    the whole group (target, workers, servers, clients);
  - the target is killed: each process it forked asked the kernel to kill it
    when its parent dies (`die_with_parent`, prctl PR_SET_PDEATHSIG), so that
    none is left writing a report into a pipe nobody reads.
"""

from __future__ import absolute_import

import os
import signal
import sys
import threading

PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid):
    """Ask the kernel to SIGKILL this process when its parent exits; if the
    parent (`parent_pid`) is gone already, exit at once. Linux only: elsewhere
    nothing is done, and the orchestrator's kill of the group remains."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (ImportError, OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # it died before the request took effect
        os._exit(1)


def signal_name(number):
    """" (SIGKILL)" for 9; "" for a number that names no signal."""
    try:
        return " (%s)" % signal.Signals(number).name
    except ValueError:
        return ""
    except AttributeError:  # 2.x: no signal.Signals
        names = sorted(name for name, value in vars(signal).items()
                       if value == number and name.startswith("SIG") and "_" not in name)
        return " (%s)" % names[-1] if names else ""


def describe_exit(code):
    """A process's exit as multiprocessing or subprocess gives it, in words:
    "was killed by signal 9 (SIGKILL)", "exited with status 1"."""
    if code is None:
        return "still running"
    if code < 0:
        return "was killed by signal %d%s" % (-code, signal_name(-code))
    return "exited with status %d" % code


class StdinWatch(object):
    """Reads the orchestrator's commands from stdin in a thread of its own.

    The thread sleeps in read() with the GIL released, so it costs the
    measured workers nothing. When stdin ends before `finished()` was called,
    the orchestrator is gone: the thread kills this process group.
    """

    def __init__(self, fd=0):
        self._fd = fd
        self._buffer = b""
        self._lines = []
        self._ready = threading.Condition()
        self._closed = False
        self._finished = False
        self._thread = None

    def _read_line(self):
        while b"\n" not in self._buffer:
            try:
                chunk = os.read(self._fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode()

    def read_first(self):
        """The first line (the config), read in the calling thread; None at end of file."""
        return self._read_line()

    def start(self):
        self._thread = threading.Thread(target=self._watch, name="gilviz-stdin-watch")
        self._thread.daemon = True
        self._thread.start()

    def _watch(self):
        while True:
            line = self._read_line()
            with self._ready:
                if line is None:
                    self._closed = True
                else:
                    self._lines.append(line.strip())
                self._ready.notify_all()
            if line is None:
                break
        with self._ready:
            if self._finished:
                return
        if os.getpgrp() == os.getpid():  # the group is ours: the orchestrator made it so
            try:
                os.killpg(0, signal.SIGKILL)  # this process and every one it started
            except OSError:
                pass
        os.kill(os.getpid(), signal.SIGKILL)

    @property
    def native_id(self):
        """The watching thread's OS thread id, once started (3.8+)."""
        return getattr(self._thread, "native_id", None)

    def next_command(self):
        """The next line the orchestrator sent; None if stdin ended."""
        with self._ready:
            while not self._lines and not self._closed:
                self._ready.wait()
            return self._lines.pop(0) if self._lines else None

    def finished(self):
        """The run is over: an end of stdin from now on is the normal end."""
        with self._ready:
            self._finished = True
