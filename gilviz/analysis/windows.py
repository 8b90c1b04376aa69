"""Which stretch of a run to zoom in on: the busiest, or the most typical."""

from __future__ import annotations

import numpy as np

from .intervals import handoff_times
from .keyed import lookup
from .runs import gil_of_workers, shares_gil
from .sampled import run_segments

ZOOM_NS = 50_000_000
"""A window ~50 ms wide shows individual GIL switches (turns of ~5 ms)."""


def switch_times(run, segments=None):
    """When the timeline changes hands: GIL hand-offs where workers share a
    GIL, else the start of every hold or sampled segment (of `segments`,
    run_segments(run) if not given)."""
    if run.probe is None:
        return (run_segments(run) if segments is None else segments).start_ns
    gil = gil_of_workers(run)
    if any(shares_gil(run).values()):
        hold_gil = lookup(gil, run.holds.worker)
        return handoff_times(run.holds.worker, run.holds.start_ns, hold_gil)
    return run.holds.start_ns


def busiest_window(event_ns, width_ns, end_ns):
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


def typical_window(start_ns, stop_ns, width_ns, end_ns):
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
    candidates = np.unique(np.clip(start, 0, latest))
    distance = np.asarray([abs(np.median(length[(start >= t) & (start < t + width_ns)]) - overall)
                           if np.any((start >= t) & (start < t + width_ns)) else np.inf
                           for t in candidates])
    best = candidates[distance == distance.min()]
    return int(best[np.argmin(np.abs(best - latest // 2))])
