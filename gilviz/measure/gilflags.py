"""The GIL flags of a CPython 3.15+ target, read by its own interpreter.

    start_reader(python, pid, ...)  a FlagReader where the target has flags
                              to read and sampling is on, else None
    FlagReader(python, pid)   starts agent/gilflags.py with `python` (the
                              target's interpreter, whose _remote_debugging
                              must match the target's version), pinned
                              outside the target's cores where it was pinned
    .start() ... .stop()      a thread collects its lines; stop asks it to
                              end (a line on its stdin) and waits
    .reading(release, end, index_of)  the reads as a log.GilFlags table and
                              a log.FlagReading, threads given to workers by
                              `index_of` (tid -> index)

Each read costs the reader ~50 us of CPU (a 4-thread target, here), so at
2 kHz it takes a tenth of a core: beside workers that fill every core the
summary says what it took (SamplerStats-like figures in the log).
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from .. import agent
from ..log import FlagReading, GilFlags, empty_table

if TYPE_CHECKING:
    from .sampler import Sampler

READER_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(agent.__file__)), "gilflags.py")

FLAG_HZ = 2000.0
"""Reads a second: turns of the new GIL (5 ms) get ten, as the probe's."""
MIN_VERSION = (3, 15)
"""The first CPython whose threads' GIL flags _remote_debugging reads."""
STOP_TIMEOUT_S = 5


def reads_flags(version: str) -> bool:
    """Whether an interpreter of `version` ("3.15.2") has GIL flags to read."""
    try:
        numbers = tuple(int(part) for part in version.split(".")[:2])
    except ValueError:
        return False
    return numbers >= MIN_VERSION


def start_reader(python: str, pid: int, version: str, sampler: Sampler,
                 target_cores: Sequence[int] | None = None) -> FlagReader | None:
    """A started FlagReader of process `pid` where its interpreter (of
    `version`) has GIL flags to read and `sampler` reads thread states (its
    hz > 0), else None. The reader's CPU time is the sampler's to count as
    gilviz's own, not as other load."""
    if not sampler.hz or not reads_flags(version):
        return None
    reader = FlagReader(python, pid, FLAG_HZ, target_cores)
    try:
        sampler.count_as_own(reader.pid)
        reader.start()
    except BaseException:
        reader.stop()  # no reader left behind
        raise
    return reader


class FlagReader:
    """Reads a 3.15+ target's GIL flags from another process (see above)."""

    def __init__(self, python: str, pid: int, hz: float = FLAG_HZ,
                 target_cores: Sequence[int] | None = None) -> None:
        self.hz = hz
        self.failure: str | None = None
        """Why the reader produced nothing, or None."""
        self._lines: list[bytes] = []
        self._process = subprocess.Popen(
            [python, "-s", "-S", READER_SCRIPT, str(pid), repr(hz)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True)
        self._pin_outside(target_cores)
        self._thread = threading.Thread(target=self._collect, name="gilviz-flags", daemon=True)
        self.cpu_ns: int | None = None
        """The reader's CPU time, once stopped."""

    def _pin_outside(self, target_cores: Sequence[int] | None) -> None:
        """Keep the reader off the cores the target was pinned to, where
        others are left (as the sampler does)."""
        if not target_cores or not hasattr(os, "sched_setaffinity"):
            return
        outside = set(os.sched_getaffinity(0)) - set(target_cores)
        if outside:
            try:
                os.sched_setaffinity(self._process.pid, outside)
            except OSError:
                pass

    @property
    def pid(self) -> int:
        return self._process.pid

    def start(self) -> None:
        self._thread.start()

    def _collect(self) -> None:
        assert self._process.stdout is not None  # a pipe
        for line in self._process.stdout:
            self._lines.append(line)

    def stop(self) -> None:
        """Ask the reader to end, wait for its last lines and reap it, with
        its CPU time."""
        assert self._process.stdin is not None and self._process.stdout is not None \
            and self._process.stderr is not None  # each a pipe
        try:
            self._process.stdin.write(b"stop\n")
            self._process.stdin.close()
        except OSError:
            pass
        if self._thread.ident is not None:  # started
            self._thread.join(STOP_TIMEOUT_S)
        if self._thread.is_alive() or self._thread.ident is None:
            self._process.kill()  # a reader that does not end is ended
            if self._thread.ident is not None:
                self._thread.join()
        _, status, usage = os.wait4(self._process.pid, 0)
        self._process.returncode = os.waitstatus_to_exitcode(status)
        self.cpu_ns = int((usage.ru_utime + usage.ru_stime) * 1e9)
        errors = self._process.stderr.read().decode(errors="replace").strip()
        self._process.stderr.close()
        self._process.stdout.close()
        if not self._lines and errors:
            self.failure = errors.splitlines()[-1]

    def reading(self, release_ns: int, end_ns: int,
                index_of: Mapping[int | None, int]) -> tuple[GilFlags, FlagReading]:
        """(GilFlags, FlagReading): each read of a thread that `index_of`
        (tid -> worker index) knows from the release to `end_ns` (both
        absolute), its time from the release."""
        flags, code = self._flags(release_ns, end_ns - release_ns, index_of)
        return flags, FlagReading(requested_hz=self.hz, reads=self.reads(), cpu_ns=self.cpu_ns,
                                  code=list(code), failure=self.failure)

    def _flags(self, release_ns: int, until_ns: int,
               index_of: Mapping[int | None, int]) -> tuple[GilFlags, tuple[str, ...]]:
        """(GilFlags table, names of the code): each read of a thread that
        `index_of` (tid -> worker index) knows, its time from `release_ns`,
        up to `until_ns`."""
        names, t_ns, worker, status, code = [], [], [], [], []
        for line in self._lines:
            fields = line.split()
            if not fields:
                continue
            if fields[0] == b"F":
                names.append(b" ".join(fields[2:]).decode(errors="replace"))
                continue
            t = int(fields[0]) - release_ns
            if not 0 <= t <= until_ns:
                continue
            for field in fields[1:]:
                tid, bits, where = field.split(b":")
                index = index_of.get(int(tid))
                if index is not None:
                    t_ns.append(t)
                    worker.append(index)
                    status.append(int(bits))
                    code.append(int(where))
        if not t_ns:
            return empty_table(GilFlags), tuple(names)
        return GilFlags(np.asarray(t_ns, np.int64), np.asarray(worker, np.int32),
                        np.asarray(status, np.int16), np.asarray(code, np.int32)), tuple(names)

    def reads(self) -> int:
        """Reads the reader made."""
        return sum(1 for line in self._lines if not line.startswith(b"F "))
