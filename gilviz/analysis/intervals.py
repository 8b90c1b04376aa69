"""Arithmetic on intervals: time held, depth (how many open at once),
overlap, unions, and the hand-offs and turns of holds that share a GIL."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .ordering import group_order


def held_before(start_ns: ArrayLike, stop_ns: ArrayLike, t_ns: ArrayLike) -> NDArray[np.int64]:
    """Total time inside the sorted, disjoint intervals before each time t."""
    start = np.asarray(start_ns, dtype=np.int64)
    stop = np.asarray(stop_ns, dtype=np.int64)
    t = np.asarray(t_ns, dtype=np.int64)
    if len(start) == 0:
        return np.zeros(t.shape, np.int64)
    length = stop - start
    completed = np.zeros(len(start) + 1, np.int64)
    np.cumsum(length, out=completed[1:])
    # The last interval begun by t; -1 (the last in the array, answered
    # below) where none has. In place: a million times made ten temporary
    # arrays of them, which took longer than the search.
    last = np.searchsorted(start, t, side="right")
    last -= 1
    held = t - start[last]
    np.clip(held, 0, length[last], out=held)
    held += completed[last]
    held[last < 0] = 0
    return held


def holding_at(start_ns: ArrayLike, stop_ns: ArrayLike, t_ns: ArrayLike,
               margin_ns: int = 0) -> NDArray[np.bool_]:
    """For each time, whether it lies inside one of the sorted, disjoint
    intervals shrunk by `margin_ns` at both ends (grown, for a negative margin)."""
    start = np.asarray(start_ns, dtype=np.int64)
    stop = np.asarray(stop_ns, dtype=np.int64)
    t = np.asarray(t_ns, dtype=np.int64)
    if len(start) == 0:
        return np.zeros(t.shape, dtype=bool)
    # The last interval that (shrunk or grown) begins at or before t is the
    # only one that can hold t: the intervals are disjoint and sorted.
    index = np.searchsorted(start, t - margin_ns, side="right") - 1
    valid = index >= 0
    clipped = np.clip(index, 0, None)
    return valid & (t >= start[clipped] + margin_ns) & (t <= stop[clipped] - margin_ns)


def depth_steps(start_ns: ArrayLike,
                stop_ns: ArrayLike) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """How many of the intervals are open over time, as a step function:
    depth[i] holds from times[i] to times[i + 1] (and is 0 after the last)."""
    start = np.asarray(start_ns, dtype=np.int64)
    stop = np.asarray(stop_ns, dtype=np.int64)
    # At equal times, close before open: the stops first, in a stable sort
    # (timsort, which takes a log's holds, in time order, as two runs: 5 ms
    # for a million holds where np.lexsort of times and steps took 11).
    times = np.concatenate((stop, start))
    steps = np.concatenate((-np.ones(len(stop), np.int64), np.ones(len(start), np.int64)))
    order = np.argsort(times, kind="stable")
    return times[order], np.cumsum(steps[order])


def time_at_depth(times: NDArray[np.int64], depth: NDArray[np.int64], at_least: int) -> int:
    """Total time of a depth_steps function at `at_least` or more."""
    if len(times) == 0:
        return 0
    return int(np.diff(times)[depth[:-1] >= at_least].sum())


def overlap_ns(start_ns: ArrayLike, stop_ns: ArrayLike, at_least: int = 2) -> int:
    """Total time during which `at_least` of the intervals are open at once."""
    return time_at_depth(*depth_steps(start_ns, stop_ns), at_least)


def depth_integral(times: ArrayLike, depth: NDArray[np.int64],
                   t_ns: ArrayLike) -> NDArray[np.float64]:
    """The integral of a depth_steps function from the start to each time t."""
    times = np.asarray(times, dtype=np.int64)
    t = np.asarray(t_ns, dtype=np.int64)
    if len(times) == 0:
        return np.zeros(t.shape, np.float64)
    done = np.concatenate(([0.0], np.cumsum(np.diff(times) * depth[:-1], dtype=np.float64)))
    index = np.searchsorted(times, t, side="right") - 1
    clipped = np.clip(index, 0, None)
    partial = depth[clipped] * (t - times[clipped]).astype(np.float64)
    return np.where(index >= 0, done[clipped] + partial, 0.0)


def merge_intervals(start_ns: ArrayLike,
                    stop_ns: ArrayLike) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The union of intervals, as sorted, disjoint (start, stop) arrays."""
    times, depth = depth_steps(start_ns, stop_ns)
    if len(times) == 0:
        return times, times
    opens = np.flatnonzero((depth > 0) & (np.concatenate(([0], depth[:-1])) == 0))
    closes = np.flatnonzero((depth == 0) & (np.concatenate(([0], depth[:-1])) > 0))
    return times[opens], times[closes]


def holds_in_time_order(start_ns: ArrayLike, gil: ArrayLike) -> Iterator[NDArray[np.intp]]:
    """For each GIL, the indices of its holds in the order they began."""
    gil = np.asarray(gil)
    if len(gil) == 0:
        return
    order = group_order(gil, np.asarray(start_ns, dtype=np.int64))
    gil = gil[order]
    yield from np.split(order, np.flatnonzero(gil[1:] != gil[:-1]) + 1)


def handoff_times(worker: ArrayLike, start_ns: ArrayLike, gil: ArrayLike) -> NDArray[np.int64]:
    """When the running worker changed among workers sharing one GIL: the
    start of each hold that follows another worker's hold.

    `gil` gives, per hold, an id of the GIL it belongs to (the process id).
    """
    worker = np.asarray(worker)
    start = np.asarray(start_ns, dtype=np.int64)
    times: list[NDArray[np.int64]] = []
    for order in holds_in_time_order(start, gil):
        changed = worker[order][1:] != worker[order][:-1]
        times.append(start[order][1:][changed])
    if len(times) == 1:
        return times[0]  # in time order already
    return np.sort(np.concatenate(times)) if times else np.zeros(0, np.int64)


def turn_lengths(worker: ArrayLike, start_ns: ArrayLike, stop_ns: ArrayLike,
                 gil: ArrayLike) -> NDArray[np.int64]:
    """Length of each turn: from a hand-off to the next, consecutive holds
    of one worker within one GIL merged, so that an OS pause that split a
    worker's hold does not split its turn."""
    worker = np.asarray(worker)
    start = np.asarray(start_ns, dtype=np.int64)
    stop = np.asarray(stop_ns, dtype=np.int64)
    lengths: list[NDArray[np.int64]] = []
    for order in holds_in_time_order(start, gil):
        first = np.concatenate(([True], worker[order][1:] != worker[order][:-1]))
        last = np.concatenate((first[1:], [True]))
        lengths.append(stop[order][last] - start[order][first])
    return np.concatenate(lengths) if lengths else np.zeros(0, np.int64)
