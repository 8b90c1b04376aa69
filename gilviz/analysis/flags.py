"""The interpreter's own GIL flags (CPython 3.15+, log.GilFlags): the bands
they draw, which code held the GIL and which waited for it, and the probe
checked against them.

Each read says, per thread, whether it holds the GIL, has asked for it, and
is on a CPU. A thread that holds it runs Python (RUNNING); one that asked
waits for it (WAIT_GIL, read, not inferred from a futex); one on a CPU
without it runs native code that let the GIL go (NATIVE: hashing, numpy,
compression); one off a CPU without asking sleeps, waits on I/O or a lock,
which the /proc sampler tells apart as it does without flags.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from ..log import (FLAG_GIL_REQUESTED, FLAG_HAS_GIL, FLAG_ON_CPU, FlagReading, GilFlags, Holds, Run,
                   ThreadSamples)
from .intervals import holding_at
from .runs import gil_of_workers, stop_by_worker
from .waits import Waits, with_waits
from .states import (NATIVE, OFF_CPU, RUNNING, SLEEPING, WAIT_CPU, WAIT_GIL, WAIT_IO, WAIT_LOCK,
                     Segments, merge_adjacent, segments_of)

OFF_CPU_WAITS = (SLEEPING, WAIT_IO, WAIT_LOCK, WAIT_CPU)
"""What /proc tells of a thread off a CPU that the flags do not."""
LONGEST_READS = 3
"""A read stands for the time to the next, at most this many periods (the
reader paused: time nobody looked at is not filled in)."""
TOP_CODE = 5
"""Functions named per thread and overall, at most."""
LEAST_SHARE = 0.005
"""...each with at least this share of the reads: less rounds to 0 %."""


def flag_states(flags: GilFlags) -> NDArray[np.int8]:
    """The band state of each read (see above); off a CPU: OFF_CPU."""
    status = flags.status.astype(np.int64)
    states = np.full(len(status), OFF_CPU, np.int8)
    states[(status & FLAG_ON_CPU) != 0] = NATIVE
    states[(status & FLAG_GIL_REQUESTED) != 0] = WAIT_GIL
    states[(status & FLAG_HAS_GIL) != 0] = RUNNING
    return states


def with_proc_waits(flags: GilFlags, states: NDArray[np.int8], samples: ThreadSamples,
                    proc_states: NDArray[np.int8]) -> NDArray[np.int8]:
    """`states` where a read off a CPU takes what the first /proc sample of
    the same thread at or after it says it waited on (sleep, I/O, a lock)."""
    states = states.copy()
    off = states == OFF_CPU
    for index in np.unique(flags.worker[off]):
        rows = np.flatnonzero(off & (flags.worker == index))
        mine = np.flatnonzero(samples.worker == index)
        if len(mine) == 0:
            continue
        at = np.clip(np.searchsorted(samples.t_ns[mine], flags.t_ns[rows]), 0, len(mine) - 1)
        seen = proc_states[mine[at]]
        waiting = np.isin(seen, OFF_CPU_WAITS)
        states[rows[waiting]] = seen[waiting]
    return states


def flags_read(run: Run) -> tuple[GilFlags, FlagReading]:
    """The GIL flags of a run that read them, and how they were read."""
    if run.gil_flags is None or run.flag_reading is None:
        raise ValueError("the run read no GIL flags")
    return run.gil_flags, run.flag_reading


def read_spans(run: Run) -> tuple[NDArray[np.intp], NDArray[np.int64], NDArray[np.int64]]:
    """(rows, start, stop): the span each flag read of a worker stands for,
    until its next read (at most LONGEST_READS periods) or its stop."""
    flags, reading = flags_read(run)
    longest = int(LONGEST_READS * 1e9 / reading.requested_hz)
    parts: list[tuple[NDArray[np.intp], NDArray[np.int64], NDArray[np.int64]]] = []
    for index, stop in stop_by_worker(run).items():
        rows = np.flatnonzero((flags.worker == index) & (flags.t_ns < stop))
        t = flags.t_ns[rows]
        parts.append((rows, t, np.minimum(np.append(t[1:], stop), t + longest)))
    if not parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    rows, starts, stops = (np.concatenate(column) for column in zip(*parts))
    return rows, starts, stops


def code_spans(run: Run) -> tuple[NDArray[np.int32], NDArray[np.int64], NDArray[np.int64],
                                  NDArray[np.int8], NDArray[np.int32]]:
    """Where each worker's innermost Python function stayed the same, in one
    state: Segments-like (worker, start_ns, stop_ns, state) and the code of
    each, for the trace's nested slices."""
    rows, start, stop = read_spans(run)
    flags, _ = flags_read(run)
    worker, state, code = flags.worker[rows], flag_states(flags)[rows], flags.code[rows]
    if len(rows) == 0:  # no read fell within a worker's run
        return worker, start, stop, state, code
    joined = np.concatenate(([False], (worker[1:] == worker[:-1]) & (state[1:] == state[:-1])
                             & (code[1:] == code[:-1]) & (start[1:] == stop[:-1])))
    first = np.flatnonzero(~joined)
    last = np.append(first[1:], len(rows)) - 1
    return worker[first], start[first], stop[last], state[first], code[first]


def flag_segments(run: Run, proc_states: NDArray[np.int8] | None = None,
                  waits: Waits | None = None) -> Segments:
    """What each worker was doing over time, from the flags: each read's
    state until the next read (at most LONGEST_READS periods), runs of one
    state joined; reads off a CPU refined by the /proc samples' states
    (`proc_states`, one a row of run.threads) and by the waits the kernel
    recorded itself (`waits`, waits.wait_spans), where given."""
    flags, _ = flags_read(run)
    states = flag_states(flags)
    if proc_states is not None and len(run.threads.t_ns):
        states = with_proc_waits(flags, states, run.threads, proc_states)
    if waits is not None:
        states = with_waits(flags, states, waits)
    rows, start, stop = read_spans(run)
    return merge_adjacent(segments_of([(flags.worker[rows], start, stop, states[rows])]))


class CodeShare(NamedTuple):
    """Where a thread (or all threads) held or waited for the GIL."""

    code: str
    """"function (file)": the innermost Python function."""
    share: float
    """Share of the reads of its thread (or of all threads) found there."""


class GilCode(NamedTuple):
    """Which code held the GIL, and which waited for it."""

    held: dict[int, list[CodeShare]]
    """{worker index: [CodeShare] where it held the GIL, largest first}."""
    waited: dict[int, list[CodeShare]]
    """{worker index: [CodeShare] where it waited for the GIL}."""
    held_overall: list[CodeShare]
    """[CodeShare] over all threads: shares of all the reads that found some
    thread holding the GIL."""
    reads: int
    """Reads of the threads, all together."""


def _top(codes: NDArray[np.int32], names: Sequence[str], total: int,
         at_most: int = TOP_CODE) -> list[CodeShare]:
    if not len(codes) or not total:
        return []
    found, counts = np.unique(codes, return_counts=True)
    order = np.argsort(-counts, kind="stable")[:at_most]
    order = order[counts[order] >= LEAST_SHARE * total]
    return [CodeShare(names[c] if 0 <= c < len(names) else "(no Python frame)",
                      float(counts[i] / total)) for i, c in ((i, found[i]) for i in order)]


def gil_code(run: Run) -> GilCode | None:
    """A GilCode of a run with flags, else None."""
    if run.gil_flags is None or not len(run.gil_flags.t_ns):
        return None
    flags, reading = flags_read(run)
    names = reading.code
    states = flag_states(flags)
    held, waited = {}, {}
    for worker in run.workers:
        mine = flags.worker == worker.index
        reads = int(np.count_nonzero(mine))
        held[worker.index] = _top(flags.code[mine & (states == RUNNING)], names, reads)
        waited[worker.index] = _top(flags.code[mine & (states == WAIT_GIL)], names, reads)
    holding = states == RUNNING
    return GilCode(held, waited, _top(flags.code[holding], names, int(np.count_nonzero(holding))),
                   len(flags.t_ns))


class FlagAgreement(NamedTuple):
    """The probe's holds against the interpreter's own flags."""

    agreeing: int
    """Reads inside a hold (clear of its edges) that found the thread holding
    the GIL, plus reads outside every hold of the thread that found it not."""
    compared: int

    @property
    def share(self) -> float:
        return self.agreeing / self.compared if self.compared else 0.0


def flag_agreement(flags: GilFlags, holds: Holds, margin_ns: int) -> FlagAgreement:
    """How often the probe's `holds` and the flags agree on whether a worker
    held the GIL, reads within `margin_ns` of a hold's edge left out."""
    agreeing = compared = 0
    for index in np.unique(flags.worker):
        rows = flags.worker == index
        mine = holds.worker == index
        order = np.argsort(holds.start_ns[mine])
        start, stop = holds.start_ns[mine][order], holds.stop_ns[mine][order]
        t = flags.t_ns[rows]
        inside = holding_at(start, stop, t, margin_ns)
        near = holding_at(start, stop, t, -margin_ns) & ~inside  # close to an edge
        has = (flags.status[rows].astype(np.int64) & FLAG_HAS_GIL) != 0
        counted = ~near
        agreeing += int(np.count_nonzero(counted & (inside == has)))
        compared += int(np.count_nonzero(counted))
    return FlagAgreement(agreeing, compared)


class FlagTurns(NamedTuple):
    handoff_ns: NDArray[np.int64]
    """When the GIL went from one worker to another, as the reads show it."""
    turn_ns: NDArray[np.int64]
    """Lengths of the turns between two hand-offs of one GIL."""
    failed: dict[int, int]
    """{worker index: reads that found it on a CPU, asking for the GIL it did
    not have: woken, and not (yet) given it}."""


def flag_turns(run: Run) -> FlagTurns:
    """The hand-offs, turns and failed wake-ups of the workers sharing a
    GIL, from the flags."""
    flags, _ = flags_read(run)
    states = flag_states(flags)
    status = flags.status.astype(np.int64)
    failed = {}
    for worker in run.workers:
        mine = flags.worker == worker.index
        failed[worker.index] = int(np.count_nonzero(
            mine & ((status & FLAG_ON_CPU) != 0) & (states == WAIT_GIL)))
    handoffs, turns = [], []
    gil = gil_of_workers(run)
    for each in set(gil.values()):
        members = [index for index, owner in gil.items() if owner == each]
        rows = np.flatnonzero(np.isin(flags.worker, members) & (states == RUNNING))
        rows = rows[np.argsort(flags.t_ns[rows], kind="stable")]
        holder = flags.worker[rows]
        changed = np.flatnonzero(holder[1:] != holder[:-1]) + 1
        handoffs.append(flags.t_ns[rows][changed])
        turns.append(np.diff(handoffs[-1]))
    empty = np.zeros(0, np.int64)
    return FlagTurns(np.sort(np.concatenate(handoffs)) if handoffs else empty,
                     np.concatenate(turns) if turns else empty, failed)
