"""Which stretch of a run to zoom in on: where the story is (the most
changes of state or hands, the fewest holes where the sampler paused), or
the most typical."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

from ..log import Run
from .intervals import depth_integral, depth_steps, handoff_times
from .keyed import lookup, sorted_distinct
from .placement import probe_holds
from .runs import gil_of_workers, shares_gil
from .sampled import run_segments
from .states import Segments

ZOOM_NS = 50_000_000
"""The widest zoom: ~50 ms shows the new GIL's turns of ~5 ms one by one."""
ZOOM_TURNS = 10
"""Median turns a zoom spans, so that a turn is a tenth of its width or so
(~100 px): the new GIL's 5 ms turns make a 50 ms zoom, the old GIL's turns
of tens of µs one of a millisecond, where a 50 ms zoom drew them narrower
than a pixel."""
NARROWEST_ZOOM_NS = 1_000_000
"""The narrowest zoom: a probe chunk (~8 µs, ~20 µs under the old GIL) still
wide enough to see."""


def zoom_width_ns(median_turn_ns: float | None) -> int:
    """How wide a zoom shows turns of `median_turn_ns` (None: unknown) one by one."""
    if not median_turn_ns:
        return ZOOM_NS
    return int(min(ZOOM_NS, max(NARROWEST_ZOOM_NS, ZOOM_TURNS * median_turn_ns)))


HOLE_PENALTY = 4
"""A window's changes count times (1 - the share of it not sampled) to this
power: a window a fifth of which is holes counts 41 % of its changes."""


def state_changes(segments: Segments) -> NDArray[np.int64]:
    """When a worker's band changes colour: the start of each segment that
    follows one of another state of the same worker. A segment that only
    resumes after a hole, in the same state, changes nothing."""
    order = np.lexsort((segments.start_ns, segments.worker))
    worker, state = segments.worker[order], segments.state[order]
    changed = (worker[1:] == worker[:-1]) & (state[1:] != state[:-1])
    return np.sort(segments.start_ns[order][1:][changed])


def switch_times(run: Run, segments: Segments | None = None) -> NDArray[np.int64]:
    """When the timeline changes hands: GIL hand-offs where workers share a
    GIL, the start of every hold where they do not, and without the probe
    every state_changes of the sampled `segments` (run_segments(run) if not
    given)."""
    if run.probe is None:
        return state_changes(run_segments(run) if segments is None else segments)
    holds = probe_holds(run)
    if any(shares_gil(run).values()):
        gil_of = gil_of_workers(run)
        gil = (np.zeros(len(holds.worker), np.int64) if len(set(gil_of.values())) == 1
               else lookup(gil_of, holds.worker))  # one GIL: no million ids to look up
        return handoff_times(holds.worker, holds.start_ns, gil)
    return holds.start_ns


def busiest_window(event_ns: npt.ArrayLike, width_ns: int, end_ns: int) -> int:
    """Start of the `width_ns` window within [0, end_ns] that holds the most
    events; of several such, the one nearest the middle of the run (the start
    of a run is seldom typical of it)."""
    events = np.sort(np.asarray(event_ns, dtype=np.int64))
    latest = end_ns - width_ns
    if latest <= 0 or len(events) == 0:
        return 0
    candidates = np.clip(events, 0, latest)
    counts = (np.searchsorted(events, candidates + width_ns, side="right")
              - np.searchsorted(events, candidates, side="left"))
    best = candidates[counts == counts.max()]
    return int(best[np.argmin(np.abs(best - latest // 2))])


def storied_window(event_ns: npt.ArrayLike, width_ns: int, end_ns: int,
                   holes: Segments | None = None, lanes: int = 1) -> int:
    """Start of the `width_ns` window within [0, end_ns] where the story is:
    the most events (state changes, hand-offs), discounted by the share of
    the window's `lanes` (bands) that `holes` (Segments where nothing was
    sampled) leave blank (HOLE_PENALTY); of several such, the one nearest the
    middle of the run. Without holes it holds as many events as the
    busiest_window."""
    events = ascending(np.asarray(event_ns, dtype=np.int64))
    latest = end_ns - width_ns
    if latest <= 0 or len(events) == 0:
        return 0
    # Where the count can peak: a window that starts at an event, or ends at
    # one, counted apart (merged, they were twice a million times to sort).
    # Where the window's own edge is the event, the run of events at its
    # time bounds the count, and one search of all events finds the other
    # bound of both: past_window[i] is one past the last event within
    # width_ns after event i, so the events more than width_ns before event
    # j are those i whose past_window[i] <= j, a running count.
    past_window = np.searchsorted(events, events + width_ns, side="right")
    first_of, past_last = equal_runs(events)
    starts = np.clip(events, 0, latest)
    clipped = starts != events
    first_of[clipped] = np.searchsorted(events, starts[clipped], side="left")
    after_start = past_window.copy()
    after_start[clipped] = np.searchsorted(events, starts[clipped] + width_ns, side="right")
    from_start = after_start - first_of
    ends = np.clip(events - width_ns, 0, latest)
    clipped = ends + width_ns != events
    past_last[clipped] = np.searchsorted(events, ends[clipped] + width_ns, side="right")
    before_end = np.cumsum(np.bincount(past_window, minlength=len(events) + 1))[:len(events)]
    before_end[clipped] = np.searchsorted(events, ends[clipped], side="left")
    to_end = past_last - before_end
    steps = depth_steps(holes.start_ns, holes.stop_ns) if holes is not None else None
    best: list[NDArray[np.int64]] = []
    most = -1.0
    for candidates, events_in in ((starts, from_start), (ends, to_end)):
        counts = events_in.astype(np.float64)
        if steps is not None and len(steps[0]):
            blank = (depth_integral(*steps, candidates + width_ns)
                     - depth_integral(*steps, candidates)) / (max(lanes, 1) * width_ns)
            counts *= np.clip(1 - blank, 0, 1) ** HOLE_PENALTY
        peak = counts.max()
        if peak > most:
            best, most = [], peak
        if peak == most:
            best.append(candidates[counts == most])
    return nearest_middle(np.concatenate(best), latest)


def ascending(values: NDArray[np.int64]) -> NDArray[np.int64]:
    """`values` sorted; as given where they are already (hand-offs are)."""
    if len(values) < 2 or bool(np.all(values[1:] >= values[:-1])):
        return values
    return np.sort(values)


def equal_runs(values: NDArray[np.int64]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """For each of the sorted `values`, the index of the first value equal
    to it and one past the last: searchsorted's left and right of itself."""
    new = np.ones(len(values), bool)
    np.not_equal(values[1:], values[:-1], out=new[1:])
    if bool(new.all()):  # all distinct, as hand-offs mostly are
        first = np.arange(len(values))
        return first, first + 1
    first = np.flatnonzero(new)
    size = np.diff(np.append(first, len(values)))
    return np.repeat(first, size), np.repeat(np.append(first[1:], len(values)), size)


def nearest_middle(starts: NDArray[np.int64], latest: int) -> int:
    """Of the window `starts`, the one nearest the middle of the run
    (latest // 2); of two as near, the earlier."""
    distance = np.abs(starts - latest // 2)
    return int(starts[distance == distance.min()].min())


def typical_window(start_ns: npt.ArrayLike, stop_ns: npt.ArrayLike, width_ns: int,
                   end_ns: int) -> int:
    """Start of a `width_ns` window within [0, end_ns], beginning where one of
    the waits does, whose waits have a median length closest to that of all;
    of several such, the one nearest the middle of the run. Unlike the
    busiest window, it does not favour where the waits were short."""
    start = np.asarray(start_ns, dtype=np.int64)
    length = np.asarray(stop_ns, dtype=np.int64) - start
    latest = end_ns - width_ns
    if latest <= 0 or len(start) == 0:
        return 0
    overall = np.median(length)
    candidates = sorted_distinct(np.clip(start, 0, latest))
    distance = np.asarray([abs(np.median(length[(start >= t) & (start < t + width_ns)]) - overall)
                           if np.any((start >= t) & (start < t + width_ns)) else np.inf
                           for t in candidates])
    best = candidates[distance == distance.min()]
    return int(best[np.argmin(np.abs(best - latest // 2))])
