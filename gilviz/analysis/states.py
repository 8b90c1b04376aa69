"""The states a worker's band shows over time, and the table of segments
that holds them.

A *hold* is an interval in which the probe saw a worker run Python code
(under a GIL build: holding the GIL); a *gap* lies between two holds of a
worker. The first three states are the kinds of gap (see gaps); the others
come from the probe's holds or from the sampler.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

WAIT_GIL, WAIT_CPU, UNCLEAR = 0, 1, 2
RUNNING, ON_CPU, OFF_CPU, WAIT_IO, SLEEPING, NATIVE, WAIT_LOCK = 3, 4, 5, 6, 7, 8, 9
SHARING = 10
"""Inside a report through a sharing mechanism (pi --share), from the
kernel's own marks: sending, or waiting for the shared value's lock."""
"""RUNNING comes from the probe, or from the sampler for a thread on a CPU
outside its kernel's native sections; NATIVE is one inside them. ON_CPU /
OFF_CPU come from the sampler alone (state R, or anything else) where nothing
more can be told; WAIT_LOCK from a sampled untimed futex wait. WAIT_IO and
SLEEPING are OFF_CPU samples taken while the kernel's own marks say that the
worker waited for a reply or slept."""

ON_A_CPU = (RUNNING, NATIVE, ON_CPU)
"""The states of a worker that had a CPU."""


class Segments(NamedTuple):
    worker: np.ndarray
    start_ns: np.ndarray
    stop_ns: np.ndarray
    state: np.ndarray
    """One of the band states: WAIT_GIL ... SHARING."""


def segments_of(parts):
    """One Segments table of (worker, start, stop, state) column tuples."""
    if not parts:
        empty = np.zeros(0, np.int64)
        return Segments(empty.astype(np.int32), empty, empty, empty.astype(np.int8))
    return Segments(*(np.concatenate(column) for column in zip(*parts)))


def merge_adjacent(segments):
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


def time_by_state(segments, index):
    """{state: ns} of one worker's segments."""
    mine = segments.worker == index
    lengths = segments.stop_ns[mine] - segments.start_ns[mine]
    return {int(state): int(lengths[segments.state[mine] == state].sum())
            for state in np.unique(segments.state[mine])}
