"""Intervals of many groups (workers, GILs) handled in one numpy pass.

Each group's times are shifted into a range of their own, so that one
sorted array serves every group and one searchsorted answers for all of
them: no loop over workers, whose count is unbounded (64 workers and a
million holds made a loop of full-length masks the slowest part of a
summary).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from .intervals import held_before, holding_at
from .ordering import reordering


def sorted_distinct(values: ArrayLike) -> NDArray[Any]:
    """np.unique of many distinct values, by sorting: numpy's hashed unique
    took 2.3 s for 2 million times here, a sort 0.1 s."""
    values = np.sort(np.asarray(values), kind="stable")
    if len(values) == 0:
        return values
    keep = np.empty(len(values), bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def small_distinct(values: ArrayLike) -> NDArray[Any]:
    """np.unique of small non-negative integers (states, CPUs), by counting
    them: numpy hashed 3.5 million samples' CPUs in 30 ms, a count takes 10."""
    values = np.asarray(values)
    if len(values) == 0 or values.min() < 0:
        return np.unique(values)
    return np.flatnonzero(np.bincount(values)).astype(values.dtype)


def lookup(mapping: Mapping[int, int], keys: ArrayLike,
           dtype: DTypeLike = np.int64) -> NDArray[Any]:
    """mapping[key] for each of the integer `keys`, as an array."""
    keys = np.asarray(keys)
    if len(mapping) == 0 or len(keys) == 0:
        return np.zeros(len(keys), dtype)
    known = np.fromiter(mapping.keys(), np.int64, len(mapping))
    values = np.fromiter(mapping.values(), dtype, len(mapping))
    order = np.argsort(known)
    low, high = int(keys.min()), int(keys.max())
    if high - low <= 2 * len(keys):
        # Keys within a small range (worker indices): each of the range
        # searched for once and the keys looked up in that table, not a
        # million of them searched for.
        place = np.searchsorted(known[order], np.arange(low, high + 1))
        found: NDArray[Any] = values[order][np.take(place, keys - low if low else keys)]
        return found
    return values[order][np.searchsorted(known[order], keys)]


class Keys:
    """Times of several groups mapped onto one line: group g's times lie in
    [g * span, (g + 1) * span), with room for `margin_ns` on both sides."""

    def __init__(self, groups: Sequence[ArrayLike], times: Sequence[NDArray[np.int64]],
                 margin_ns: int = 0) -> None:
        ids = [np.asarray(g).ravel() for g in groups]
        present = [np.asarray(t).ravel() for t in times if len(t)]
        low = min(int(t.min()) for t in present) if present else 0
        high = max(int(t.max()) for t in present) if present else 0
        self.origin = low - abs(margin_ns)
        self.span = high - low + 2 * abs(margin_ns) + 1
        self._offset: NDArray[np.int64] | None = None
        self._rank: NDArray[np.int64] | None = None
        rank: NDArray[np.int64] | None = None
        if any(len(g) for g in ids) and min(int(g.min()) for g in ids if len(g)) >= 0:
            # Small non-negative ids (workers, GILs): a table finds them in
            # one pass, where np.unique would sort millions of them, and
            # gives each group's key less its time in one gather.
            seen = np.zeros(max(int(g.max()) for g in ids if len(g)) + 1, bool)
            for g in ids:
                seen[g] = True
            self.groups = np.flatnonzero(seen)
            rank = np.zeros(len(seen), np.int64)
            rank[self.groups] = np.arange(len(self.groups))
        else:
            self.groups = np.unique(np.concatenate([g.astype(np.int64) for g in ids]))
        if len(self.groups) * self.span >= 2 ** 62:
            raise OverflowError("times span too much to key %d groups" % len(self.groups))
        if rank is not None:
            self._rank = rank
            self._offset = rank * self.span - self.origin

    def rank(self, group: ArrayLike) -> NDArray[np.int64]:
        """The place of each group among all: 0, 1, ..."""
        if self._rank is not None:
            ranks: NDArray[np.int64] = np.take(self._rank, np.asarray(group))
            return ranks
        return np.searchsorted(self.groups, np.asarray(group, dtype=np.int64))

    def __call__(self, group: ArrayLike, t: ArrayLike) -> NDArray[np.int64]:
        t_ns = np.asarray(t, dtype=np.int64)
        if self._offset is not None:
            # np.take: twice as fast as indexing with the int32 ids of a log
            keys: NDArray[np.int64] = np.take(self._offset, np.asarray(group))
            if keys.shape != t_ns.shape:
                return keys + t_ns
            keys += t_ns  # in place: no second array of 3.5M samples' keys
            return keys
        return self.rank(group) * self.span + (t_ns - self.origin)


def _in_key_order(
        keys: Keys, group: ArrayLike, start_ns: NDArray[np.int64], stop_ns: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.intp] | None]:
    """The keys of intervals, sorted by start (ties in their order), and that
    order (None where they were in it already)."""
    group = np.asarray(group)
    order = reordering(group, start_ns)
    if order is None:  # no copy through the order
        return keys(group, start_ns), keys(group, stop_ns), None
    group = group[order]
    return (keys(group, np.asarray(start_ns)[order]), keys(group, np.asarray(stop_ns)[order]),
            order)


class GroupedIntervals:
    """The intervals of many groups (each group's sorted and disjoint, as one
    worker's holds), keyed and sorted once, to be asked about many times of
    the groups: those of `t_group` and `t_ns`, or any within them."""

    def __init__(self, group: NDArray[np.integer[Any]], start_ns: NDArray[np.int64],
                 stop_ns: NDArray[np.int64], t_group: NDArray[np.integer[Any]],
                 t_ns: NDArray[np.int64], margin_ns: int = 0) -> None:
        self.keys = Keys((group, t_group), (start_ns, stop_ns, t_ns), abs(margin_ns))
        self.start, self.stop = self.keys(group, start_ns), self.keys(group, stop_ns)
        if np.all(self.start[1:] >= self.start[:-1]):
            return  # in key order as they lie
        # The intervals of a group being sorted and disjoint, their stops
        # sort as their starts do: sorting each (8 ms a million) is the
        # order they would be taken in, without the order (the holds of 64
        # workers taken by worker: 45 ms, each row fetched from afar).
        self.start.sort()
        self.stop.sort()
        if not (np.all(self.start <= self.stop) and np.all(self.stop[:-1] <= self.start[1:])):
            self.start, self.stop, _ = _in_key_order(self.keys, group, start_ns, stop_ns)

    def holding_at(self, t_group: NDArray[np.integer[Any]], t_ns: NDArray[np.int64],
                   margin_ns: int = 0) -> NDArray[np.bool_]:
        """holding_at for each time against the intervals of its own group."""
        return holding_at(self.start, self.stop, self.keys(t_group, t_ns), margin_ns)

    def inside_count(self, t_group: NDArray[np.integer[Any]], t_ns: NDArray[np.int64],
                     margin_ns: int = 0) -> int:
        """How many of the times holding_at finds inside. Times that
        outnumber the intervals are sorted once and each interval's edges
        found among them, rather than each time searched for (3.5M samples
        against 1M holds: 0.45 s searched, 0.15 s so)."""
        if len(t_ns) < len(self.start):
            return int(np.count_nonzero(self.holding_at(t_group, t_ns, margin_ns)))
        keyed = self.keys(t_group, t_ns)
        keyed.sort()  # in place: a copy of 3.5M times is 28 MB more at the peak
        return _covered(keyed, self.start + margin_ns, self.stop - margin_ns)


def _covered(sorted_t: NDArray[np.int64], start: NDArray[np.int64], stop: NDArray[np.int64]) -> int:
    """How many of the sorted times lie in the union of the closed intervals
    [start, stop], sorted by start (an empty one, stop < start, holds none)."""
    first = np.searchsorted(sorted_t, start, side="left")
    beyond = np.searchsorted(sorted_t, stop, side="right")
    # Times an earlier interval already counted are not counted again (two
    # holds of a worker may touch at a single instant).
    counted = np.concatenate(([0], np.maximum.accumulate(beyond)))[:-1]
    return int(np.clip(beyond - np.maximum(first, counted), 0, None).sum())


def grouped_inside_any(group: ArrayLike, start_ns: ArrayLike, stop_ns: ArrayLike,
                       t_group: ArrayLike, t_ns: ArrayLike,
                       margin_ns: int = 0) -> NDArray[np.bool_]:
    """For each time, whether it lies inside any interval of its group
    shrunk by `margin_ns` at both ends; the intervals may overlap, and one
    shrunk to a single instant (or less) holds none."""
    t_group, t_ns = np.asarray(t_group), np.asarray(t_ns, np.int64)
    if len(t_ns) == 0:
        return np.zeros(0, bool)
    start = np.asarray(start_ns, np.int64) + margin_ns
    stop = np.asarray(stop_ns, np.int64) - margin_ns
    group = np.asarray(group)
    kept = stop > start
    if not kept.all():
        group, start, stop = group[kept], start[kept], stop[kept]
    if len(start) == 0:
        return np.zeros(len(t_ns), bool)
    keys = Keys((group, t_group), (start, stop, t_ns))
    start, stop, _ = _in_key_order(keys, group, start, stop)
    # The furthest any interval begun by then reaches: a time lies inside
    # one if the last to begin before it, or one begun earlier, reaches it.
    reach = np.maximum.accumulate(stop)
    t = keys(t_group, t_ns)
    last = np.searchsorted(start, t, side="right") - 1
    return (last >= 0) & (reach[last] >= t)


def _running_total(start: NDArray[np.int64], stop: NDArray[np.int64]) -> NDArray[np.int64]:
    """The time the intervals before each hold, and all of them: n + 1 values."""
    completed = np.zeros(len(start) + 1, np.int64)
    np.cumsum(stop - start, out=completed[1:])
    return completed


def _held_by_groups_before(keys: Keys, sorted_group: NDArray[np.integer[Any]],
                           completed: NDArray[np.int64],
                           group: NDArray[np.integer[Any]]) -> NDArray[np.int64]:
    """For each of `group`, the time held by the intervals of the groups
    keyed before it: held_before on the whole line counts them too."""
    if len(keys.groups) < 2:
        return np.zeros(len(group), np.int64)  # one GIL: none before it
    return completed[np.searchsorted(keys.rank(sorted_group), keys.rank(group), side="left")]


class GroupedHeld:
    """held_before against the intervals of each group (sorted by start
    within a group), keyed and sorted once: at every interval's edges, and
    at other times of the groups, which must lie among `t_ns`."""

    def __init__(self, group: ArrayLike, start_ns: ArrayLike, stop_ns: ArrayLike,
                 t_ns: ArrayLike = ()) -> None:
        self.group = np.asarray(group)
        self.start_ns = np.asarray(start_ns, np.int64)
        self.stop_ns = np.asarray(stop_ns, np.int64)
        self.keys = Keys((self.group,), (self.start_ns, self.stop_ns, np.asarray(t_ns, np.int64)))
        self.start, self.stop, self.order = _in_key_order(self.keys, self.group, self.start_ns,
                                                          self.stop_ns)
        self.completed = _running_total(self.start, self.stop)
        self.sorted_group = self.group if self.order is None else self.group[self.order]

    def before(self, t_group: NDArray[np.integer[Any]], t_ns: ArrayLike) -> NDArray[np.int64]:
        """held_before each time, against the intervals of its group."""
        return (held_before(self.start, self.stop, self.keys(t_group, t_ns))
                - _held_by_groups_before(self.keys, self.sorted_group, self.completed, t_group))

    def at_edges(self) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """(held_before each interval's start, held_before its stop), in the
        intervals' order.

        Where no interval of a group ends after the next one begins (the
        holds of one GIL), both are running totals of the intervals before,
        in the order they begin: no search. Else each edge is searched for."""
        start, stop, order, completed = self.start, self.stop, self.order, self.completed
        if np.all(stop[:-1] <= start[1:]):
            base = _held_by_groups_before(self.keys, self.sorted_group, completed,
                                          self.sorted_group)
            if order is None:
                return completed[:-1] - base, completed[1:] - base
            at_start, at_stop = np.empty_like(base), np.empty_like(base)
            at_start[order] = completed[:-1] - base
            at_stop[order] = completed[1:] - base
            return at_start, at_stop
        return self.before(self.group, self.start_ns), self.before(self.group, self.stop_ns)


def grouped_held_at_edges(group: ArrayLike, start_ns: ArrayLike,
                          stop_ns: ArrayLike) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """GroupedHeld.at_edges of the intervals."""
    return GroupedHeld(group, start_ns, stop_ns).at_edges()


def sums_by(index: ArrayLike, values: ArrayLike, minlength: int = 0) -> NDArray[np.int64]:
    """The sum of `values` for each integer index (exact for int64 sums below 2**53)."""
    index = np.asarray(index, np.int64)
    if len(index) == 0:
        return np.zeros(minlength, np.int64)
    totals = np.bincount(index, weights=np.asarray(values, np.float64), minlength=minlength)
    return np.rint(totals).astype(np.int64)
