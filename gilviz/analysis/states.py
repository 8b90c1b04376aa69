"""The states a worker's band shows over time, and the table of segments
that holds them.

A *hold* is an interval in which the probe saw a worker run Python code
(under a GIL build: holding the GIL); a *gap* lies between two holds of a
worker. The first three states are the kinds of gap (see gaps); the others
come from the probe's holds or from the sampler.
"""

from __future__ import annotations

from typing import NamedTuple

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

WAIT_GIL, WAIT_CPU, UNCLEAR = 0, 1, 2
RUNNING, ON_CPU, OFF_CPU, WAIT_IO, SLEEPING, NATIVE, WAIT_LOCK = 3, 4, 5, 6, 7, 8, 9
SHARING = 10
"""Inside a report through a sharing mechanism (pi --share), from the
kernel's own marks: sending, or waiting for the shared value's lock.

RUNNING comes from the probe, or from the sampler for a thread on a CPU
outside its kernel's native sections; NATIVE is one inside them. ON_CPU /
OFF_CPU come from the sampler alone (state R, or anything else) where nothing
more can be told; WAIT_LOCK from a sampled untimed futex wait. WAIT_IO and
SLEEPING are OFF_CPU samples taken while the kernel's own marks say that the
worker waited for a reply or slept."""

STATES = 11
"""Band states are the small integers below this."""

ON_A_CPU = (RUNNING, NATIVE, ON_CPU)
"""The states of a worker that had a CPU."""


class Segments(NamedTuple):
    worker: NDArray[np.int32]
    start_ns: NDArray[np.int64]
    stop_ns: NDArray[np.int64]
    state: NDArray[np.int8]
    """One of the band states: WAIT_GIL ... SHARING."""


SegmentColumns = tuple[NDArray[np.int32], NDArray[np.int64], NDArray[np.int64], NDArray[np.int8]]
"""The columns of some segments (worker, start, stop, state), before they are one table."""


def segments_of(parts: Sequence[SegmentColumns]) -> Segments:
    """One Segments table of (worker, start, stop, state) column tuples."""
    if not parts:
        empty = np.zeros(0, np.int64)
        return Segments(empty.astype(np.int32), empty, empty, empty.astype(np.int8))
    return Segments(*(np.concatenate(column) for column in zip(*parts)))


def merge_adjacent(segments: Segments) -> Segments:
    """Join each segment to the one before when it continues it: same worker
    and state, no time between. Segments must be in order within a worker."""
    if len(segments.start_ns) < 2:
        return segments
    continues = ((segments.worker[1:] == segments.worker[:-1])
                 & (segments.state[1:] == segments.state[:-1])
                 & (segments.start_ns[1:] == segments.stop_ns[:-1]))
    first = np.concatenate(([True], ~continues))
    last = np.concatenate((~continues, [True]))
    return Segments(segments.worker[first], segments.start_ns[first], segments.stop_ns[last],
                    segments.state[first])


def time_by_state(segments: Segments, index: int) -> dict[int, int]:
    """{state: ns} of one worker's segments."""
    mine = segments.worker == index
    lengths = segments.stop_ns[mine] - segments.start_ns[mine]
    return {int(state): int(lengths[segments.state[mine] == state].sum())
            for state in np.unique(segments.state[mine])}
