"""Intervals of many groups (workers, GILs) handled in one numpy pass.

Each group's times are shifted into a range of their own, so that one
sorted array serves every group and one searchsorted answers for all of
them: no loop over workers, whose count is unbounded (64 workers and a
million holds made a loop of full-length masks the slowest part of a
summary).
"""

from __future__ import annotations

import numpy as np

from .intervals import held_before, holding_at, merge_intervals


def sorted_distinct(values):
    """np.unique of many distinct values, by sorting: numpy's hashed unique
    took 2.3 s for 2 million times here, a sort 0.1 s."""
    values = np.sort(np.asarray(values), kind="stable")
    if len(values) == 0:
        return values
    keep = np.empty(len(values), bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def small_distinct(values):
    """np.unique of small non-negative integers (states, CPUs), by counting
    them: numpy hashed 3.5 million samples' CPUs in 30 ms, a count takes 10."""
    values = np.asarray(values)
    if len(values) == 0 or values.min() < 0:
        return np.unique(values)
    return np.flatnonzero(np.bincount(values)).astype(values.dtype)


def lookup(mapping, keys, dtype=np.int64):
    """mapping[key] for each of the integer `keys`, as an array."""
    keys = np.asarray(keys)
    if len(mapping) == 0 or len(keys) == 0:
        return np.zeros(len(keys), dtype)
    known = np.fromiter(mapping.keys(), np.int64, len(mapping))
    values = np.fromiter(mapping.values(), dtype, len(mapping))
    order = np.argsort(known)
    return values[order][np.searchsorted(known[order], keys)]


class Keys:
    """Times of several groups mapped onto one line: group g's times lie in
    [g * span, (g + 1) * span), with room for `margin_ns` on both sides."""

    def __init__(self, groups, times, margin_ns=0):
        every = np.concatenate([np.asarray(g, np.int64).ravel() for g in groups])
        if len(every) and every.min() >= 0:
            # Small non-negative ids (workers, GILs): a count finds them in
            # one pass, where np.unique would sort millions of them.
            self.groups = np.flatnonzero(np.bincount(every))
            self._rank = np.zeros(int(every.max()) + 1, np.int64)
            self._rank[self.groups] = np.arange(len(self.groups))
        else:
            self.groups, self._rank = np.unique(every), None
        present = [np.asarray(t).ravel() for t in times if len(t)]
        low = min(int(t.min()) for t in present) if present else 0
        high = max(int(t.max()) for t in present) if present else 0
        self.origin = low - abs(margin_ns)
        self.span = high - low + 2 * abs(margin_ns) + 1
        if len(self.groups) * self.span >= 2 ** 62:
            raise OverflowError("times span too much to key %d groups" % len(self.groups))

    def __call__(self, group, t):
        group = np.asarray(group, np.int64)
        rank = self._rank[group] if self._rank is not None else np.searchsorted(self.groups, group)
        return rank * self.span + (np.asarray(t, np.int64) - self.origin)


def grouped_holding_at(group, start_ns, stop_ns, t_group, t_ns, *margins_ns):
    """holding_at for each time against the intervals of its own group
    (each group's sorted and disjoint, as one worker's holds), once for
    each of `margins_ns` (0 if none given): one array per margin."""
    margins_ns = margins_ns or (0,)
    keys = Keys((group, t_group), (start_ns, stop_ns, t_ns), max(map(abs, margins_ns)))
    start, stop = keys(group, start_ns), keys(group, stop_ns)
    order = np.argsort(start, kind="stable")
    start, stop = start[order], stop[order]
    t = keys(t_group, t_ns)
    found = [holding_at(start, stop, t, margin) for margin in margins_ns]
    return found[0] if len(found) == 1 else found


def grouped_inside_any(group, start_ns, stop_ns, t_group, t_ns, margin_ns=0):
    """For each time, whether it lies inside any interval of its group
    shrunk by `margin_ns` at both ends; the intervals may overlap."""
    start = np.asarray(start_ns, np.int64) + margin_ns
    stop = np.asarray(stop_ns, np.int64) - margin_ns
    kept = stop >= start
    keys = Keys((group, t_group), (start[kept], stop[kept], t_ns))
    merged_start, merged_stop = merge_intervals(keys(group[kept], start[kept]),
                                                keys(group[kept], stop[kept]))
    return holding_at(merged_start, merged_stop, keys(t_group, t_ns))


def grouped_held_between(group, start_ns, stop_ns, t_group, begin_ns, end_ns):
    """For each (begin, end), the time its group's intervals (sorted and
    disjoint within a group) cover between the two."""
    keys = Keys((group, t_group), (start_ns, stop_ns, begin_ns, end_ns))
    start, stop = keys(group, start_ns), keys(group, stop_ns)
    order = np.argsort(start, kind="stable")
    start, stop = start[order], stop[order]
    return (held_before(start, stop, keys(t_group, end_ns))
            - held_before(start, stop, keys(t_group, begin_ns)))


def sums_by(index, values, minlength=0):
    """The sum of `values` for each integer index (exact for int64 sums below 2**53)."""
    index = np.asarray(index, np.int64)
    if len(index) == 0:
        return np.zeros(minlength, np.int64)
    totals = np.bincount(index, weights=np.asarray(values, np.float64), minlength=minlength)
    return np.rint(totals).astype(np.int64)
