"""Parsing what the sampler reads from /proc/PID/task/TID/: stat, schedstat
and syscall.

The sampler's rounds only read; a batch of raw lines is parsed here when it
is flushed (every 50 ms), all lines at once with numpy: parsing each line
in Python as it was read cost ~2.5 us a thread a round, as much as the
read itself. The one-line parsers below are the reference the batch
parsers are tested against.
"""

from __future__ import annotations

import platform
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from ..log import (WAIT_MUTEX, WAIT_NOT_READ, WAIT_OTHER, WAIT_RUNNING, WAIT_TIMED,
                  WAIT_UNREADABLE, WAIT_UNTIMED)
from ..log.records import WAIT_IO, WAIT_SLEEP

FUTEX_SYSCALL = {"x86_64": 202, "aarch64": 98}.get(platform.machine())
"""The futex system call's number here; None on machines not described."""
FUTEX_WAIT, FUTEX_WAIT_BITSET = 0, 9
"""The futex operations that sleep (op & 0x7f). glibc's pthread_mutex_lock
sleeps in FUTEX_WAIT; sem_wait and the condition waits in FUTEX_WAIT_BITSET."""
RUNNING = ord("R")
SLEEP_SYSCALLS = {"x86_64": (35, 230), "aarch64": (101, 115)}.get(platform.machine(), ())
"""nanosleep, clock_nanosleep: time.sleep from 3.11 on."""
SELECT_SYSCALLS = {"x86_64": (23, 270), "aarch64": (72,)}.get(platform.machine(), ())
"""select, pselect6: time.sleep before 3.11 selects on no file (nfds 0)."""
IO_SYSCALLS = {
    # read write readv writev pread64 poll accept connect sendto recvfrom recvmsg
    # wait4 epoll_wait ppoll epoll_pwait accept4 epoll_pwait2
    "x86_64": (0, 1, 19, 20, 17, 7, 43, 42, 44, 45, 47, 61, 232, 271, 281, 288, 441),
    "aarch64": (63, 64, 65, 66, 67, 73, 202, 203, 206, 207, 212, 260, 22, 242, 441),
}.get(platform.machine(), ())
"""System calls that wait on a file, a socket, a pipe or a child."""
def parse_stat(raw: bytes) -> tuple[str, int, int]:
    """(state, cpu, utime + stime ticks) from a /proc/.../stat line.

    The command name, field 2, may hold spaces and parentheses: split after
    its last ')'.
    """
    fields = raw[raw.rindex(b")") + 2:].split()
    return fields[0].decode(), int(fields[36]), int(fields[11]) + int(fields[12])


def parse_stat_row(raw: bytes) -> tuple[bytes, int, int]:
    """(state byte, cpu, utime + stime ticks) from a stat line: parse_stat
    without decoding, splitting only as far as the fields it needs."""
    after = raw.rindex(b")") + 2
    fields = raw[after:].split(None, 37)
    return fields[0], int(fields[36]), int(fields[11]) + int(fields[12])


WAIT_BYTES = {code: code.encode() for code in (WAIT_MUTEX, WAIT_NOT_READ, WAIT_OTHER,
                                               WAIT_RUNNING, WAIT_TIMED, WAIT_UNREADABLE,
                                               WAIT_UNTIMED, WAIT_SLEEP, WAIT_IO)}


def parse_syscall(raw: bytes | None, futex: int | None = FUTEX_SYSCALL) -> str:
    """What a /proc/.../syscall line says the thread waits on: a WAIT_* code.

    The line is "nr arg0 ... arg5 sp pc", "running", or "-1 sp pc" outside a
    system call; futex(uaddr, op, val, timeout, ...) has its timeout at arg3.
    b"" means the file was not read, None that it could not be.
    """
    if raw is None:
        return WAIT_UNREADABLE
    if not raw:
        return WAIT_NOT_READ
    fields = raw.split()
    if fields[0] == b"running":
        return WAIT_RUNNING
    number = int(fields[0])
    if number in SLEEP_SYSCALLS or (number in SELECT_SYSCALLS and len(fields) > 1
                                    and int(fields[1], 16) == 0):
        return WAIT_SLEEP
    if number in IO_SYSCALLS or number in SELECT_SYSCALLS:
        return WAIT_IO
    if futex is None or number != futex or len(fields) < 5:
        return WAIT_OTHER
    operation = int(fields[2], 16) & 0x7F
    if operation not in (FUTEX_WAIT, FUTEX_WAIT_BITSET):
        return WAIT_OTHER
    if int(fields[4], 16):
        return WAIT_TIMED
    return WAIT_MUTEX if operation == FUTEX_WAIT else WAIT_UNTIMED


def parse_run_delay(raw: bytes) -> int:
    """Field 2 of /proc/.../schedstat: ns spent runnable without a CPU; -1 if unread."""
    return int(raw.split()[1]) if raw else -1


STAT_STATE, STAT_UTIME, STAT_STIME, STAT_PROCESSOR = 0, 11, 12, 36
"""Fields of a stat line counted from the state (field 3 in proc(5)), after
the command name."""


def _separators(data: NDArray[np.uint8]) -> NDArray[np.intp]:
    """Positions of the spaces and newlines in `data` (a uint8 array)."""
    return np.flatnonzero((data == 32) | (data == 10))


def _fields(data: NDArray[np.uint8], separators: NDArray[np.intp], first: NDArray[np.intp],
            offsets: Sequence[int]) -> list[NDArray[np.int64]]:
    """The non-negative integer fields at `offsets` (separators after
    `first`, the separator before field 0 of each line), as int64 arrays.

    Digit by digit, all lines at once, as wide as the widest value: a
    matrix of 19 digits a value (the widest an int64 holds) cost 15 times
    as much, most of it on digits beyond the value."""
    values = []
    for offset in offsets:
        begin = separators[first + offset] + 1
        width = separators[first + offset + 1] - begin
        value = np.zeros(len(begin), np.int64)
        for column in range(int(width.max(initial=0))):
            inside = column < width
            digit = data[np.where(inside, begin + column, 0)].astype(np.int64) - 48
            value = np.where(inside, value * 10 + digit, value)
        values.append(value)
    return values


def _joined(lines: Sequence[bytes]) -> tuple[NDArray[np.uint8], NDArray[np.int64],
                                            NDArray[np.int64]]:
    """The lines as one uint8 array, and where each begins and ends."""
    lengths = np.fromiter(map(len, lines), np.int64, len(lines))
    ends = np.cumsum(lengths)
    return np.frombuffer(b"".join(lines), np.uint8), ends - lengths, ends


def parse_stat_lines(lines: Sequence[bytes]) -> tuple[NDArray[np.bytes_], NDArray[np.int16],
                                                      NDArray[np.int64]]:
    """(state bytes S1, cpu int16, utime + stime ticks int64) of stat lines,
    each ending with a newline: parse_stat_row for many lines at once."""
    if not lines:
        return np.zeros(0, "S1"), np.zeros(0, np.int16), np.zeros(0, np.int64)
    data, begins, ends = _joined(lines)
    parens = np.flatnonzero(data == ord(")"))
    last_paren = parens[np.searchsorted(parens, ends) - 1]  # the command may hold ')'
    separators = _separators(data)
    first = np.searchsorted(separators, last_paren + 1)
    utime, stime, processor = _fields(data, separators, first,
                                      (STAT_UTIME, STAT_STIME, STAT_PROCESSOR))
    state = data[last_paren + 2].view("S1")
    return state, processor.astype(np.int16), utime + stime


def parse_schedstat_lines(lines: Sequence[bytes]) -> NDArray[np.int64]:
    """The run_delay (field 2) of schedstat lines, -1 for those not read (b"")."""
    read = np.fromiter(map(len, lines), np.int64, len(lines)) > 0
    delays = np.full(len(lines), -1, np.int64)
    if read.any():
        data, begins, _ = _joined([line for line in lines if line])
        separators = _separators(data)
        first = np.searchsorted(separators, begins)
        delays[read] = _fields(data, separators, first, (0,))[0]
    return delays
