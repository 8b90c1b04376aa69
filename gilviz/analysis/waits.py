"""The waits a kernel recorded itself, as marks with their length: io's
requests and sleeps, the convoy client's round trips."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from ..agent import protocol
from ..log import GilFlags, Marks, ThreadSamples
from .intervals import holding_at
from .states import OFF_CPU, SLEEPING, WAIT_IO

NATIVE_MARK, NATIVE_END_MARK = protocol.NATIVE, protocol.NATIVE_END
"""Mark kinds a kernel writes around its calls into compiled code."""

WAIT_MARKS = {protocol.REQUEST: WAIT_IO, protocol.SLEEP: SLEEPING}
"""Mark kinds whose value is the length (ns) of a wait that began at t_ns."""
ROUND_TRIP_MARKS = {protocol.ROUND_TRIP: WAIT_IO}
"""The convoy's round trips: waits of its client process, recorded by the I/O
thread that answered them (agent/convoy.py). They are not waits of that
thread, so they are left out of WAIT_MARKS (and of its band's states)."""


class Waits(NamedTuple):
    worker: NDArray[np.int32]
    start_ns: NDArray[np.int64]
    stop_ns: NDArray[np.int64]
    state: NDArray[np.int8]
    """WAIT_IO or SLEEPING."""


def wait_spans(marks: Marks, kinds: Mapping[str, int] = WAIT_MARKS) -> Waits:
    """The waits the kernel recorded as marks of `kinds` (kind: state),
    sorted by worker and start."""
    state = np.asarray([kinds.get(kind, -1) for kind in marks.kind.tolist()], np.int8)
    keep = state >= 0
    start = marks.t_ns[keep]
    stop = start + np.nan_to_num(marks.value[keep]).astype(np.int64)
    order = np.lexsort((start, marks.worker[keep]))
    return Waits(marks.worker[keep][order], start[order], stop[order], state[keep][order])


def recorded_waits(marks: Marks) -> bool:
    """Whether the kernel recorded any wait of WAIT_MARKS."""
    return bool(len(marks.kind)) and bool(np.isin(marks.kind, list(WAIT_MARKS)).any())


class WaitStats(NamedTuple):
    """How long the kernel's recorded waits of one kind took."""

    state: int
    """WAIT_IO or SLEEPING."""
    # The field hides tuple.count(), which mypy reports; readers know it by this name.
    count: int  # type: ignore[assignment]
    median_ns: int
    p99_ns: int
    max_ns: int


def wait_stats(waits: Waits) -> list[WaitStats]:
    """Figures for each kind of wait present, most frequent first."""
    stats = []
    for state in np.unique(waits.state):
        lengths = (waits.stop_ns - waits.start_ns)[waits.state == state]
        stats.append(WaitStats(state=int(state), count=len(lengths),
                               median_ns=int(np.median(lengths)),
                               p99_ns=int(np.percentile(lengths, 99)),
                               max_ns=int(lengths.max())))
    return sorted(stats, key=lambda each: -each.count)


def completed_per_second(waits: Waits) -> float | None:
    """Waits completed a second, from the first begun to the last ended (the
    throughput of one client's round trips); None without any."""
    if len(waits.start_ns) == 0:
        return None
    span = int(waits.stop_ns.max() - waits.start_ns.min())
    return len(waits.start_ns) * 1e9 / span if span > 0 else None


def waiting_share(waits: Waits, worker: int, wall_ns: int) -> float | None:
    """Share of `wall_ns` during which `worker` had a wait outstanding."""
    mine = waits.worker == worker
    if wall_ns <= 0 or not np.any(mine):
        return None
    return float((waits.stop_ns[mine] - waits.start_ns[mine]).sum()) / wall_ns


def with_waits(samples: ThreadSamples | GilFlags, states: NDArray[np.int8],
               waits: Waits) -> NDArray[np.int8]:
    """`states` where an off-CPU sample taken inside one of its worker's
    `waits` (wait_spans) takes that wait's state; the samples are the
    sampler's or the GIL flags' reads."""
    states = states.copy()
    for index in np.unique(waits.worker):
        rows = np.flatnonzero(samples.worker == index)
        own = waits.worker == index
        for kind in np.unique(waits.state[own]):
            spans = own & (waits.state == kind)
            inside = holding_at(waits.start_ns[spans], waits.stop_ns[spans], samples.t_ns[rows])
            states[rows[inside & (states[rows] == OFF_CPU)]] = kind
    return states
