"""Bands on pixel columns: the share of each column of time that each
worker spent in each state, for segments too narrow to draw one by one.

A million 50 µs holds on a 1,600-pixel panel put hundreds of holds in a
column; drawn as rectangles with a hairline edge each, every band looked
100 % held where each worker held 1/64. Mixing each column's colour from
these shares is what exact drawing with perfect antialiasing would show,
at a cost that does not grow with the number of segments on screen.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from ..log import ThreadSamples
from .states import ON_A_CPU, RUNNING, STATES, Segments

COLUMNS = 1600
"""Columns of the whole-run panel: about its width in pixels at the
default size (1920 px wide); matplotlib filters them to other sizes."""
NARROWER_THAN_COLUMNS = 3
"""Segments narrower than this many columns are rasterised; wider ones
are still drawn as exact rectangles."""
HEAT_MAP_OVER = 16
"""Beyond this many workers, bands are too thin to read: the whole run
becomes a heat map (worker x time, colour = share held or on a CPU)."""


class ColumnShares(NamedTuple):
    edges_ns: NDArray[np.float64]
    """Column edges, columns + 1 of them."""
    workers: tuple[int, ...]
    """Worker indices, one a row of `share`."""
    share: NDArray[np.float32]
    """(workers, STATES, columns) float32: the share of each column of time
    that the worker spent in each state, over the segments counted."""
    narrower_than_ns: float
    """Only segments shorter than this are counted (inf: all of them); the
    others are to be drawn exactly."""


def column_shares(segments: Segments, workers: Iterable[int], begin_ns: int, end_ns: int,
                  columns: int = COLUMNS, narrower_than_ns: float = np.inf) -> ColumnShares:
    """ColumnShares of `segments` of `workers` (indices) over `columns`
    equal columns from `begin_ns` to `end_ns`, counting the segments shorter
    than `narrower_than_ns`."""
    workers = tuple(int(w) for w in workers)
    edges = np.linspace(begin_ns, end_ns, columns + 1)
    width = (end_ns - begin_ns) / columns
    row_of = np.full(max(workers, default=-1) + 1, -1, np.int64)
    row_of[list(workers)] = np.arange(len(workers))
    segments = counted_segments(segments, row_of, begin_ns, end_ns, narrower_than_ns)
    if width <= 0 or not len(segments.worker):
        return ColumnShares(edges, workers, np.zeros((len(workers), STATES, columns), np.float32),
                            narrower_than_ns)
    start, stop = segments.start_ns, segments.stop_ns
    if start.min() < begin_ns:
        start = np.maximum(start, begin_ns)
    if stop.max() > end_ns:
        stop = np.minimum(stop, end_ns)
    # Each array over a million segments is 8 MB, so they are built in
    # place and dropped as soon as they are used.
    x0 = (start - begin_ns) / width
    first = np.minimum(x0.astype(np.int64), columns - 1)
    x1 = (stop - begin_ns) / width
    last = np.minimum(x1.astype(np.int64), columns - 1)
    stride = columns + 1
    cell = row_of[segments.worker]
    cell *= STATES
    cell += segments.state
    cell *= stride
    size = len(workers) * STATES * stride
    # A segment within one column adds its width there; one across columns
    # (few, where most are narrower than a column) its part of the first
    # and of the last.
    across = np.flatnonzero(first != last)
    first_across, last_across, cell_across = first[across], last[across], cell[across]
    amount_last = x1[across] - last_across
    del last
    amount = np.subtract(x1, x0, out=x1)
    amount[across] = first_across + 1 - x0[across]
    del x0
    cell += first
    del first
    partial = (np.bincount(cell, weights=amount, minlength=size)
               + np.bincount(cell_across + last_across, weights=amount_last, minlength=size))
    del cell, amount
    # Columns wholly inside a segment: +1 from the one after its first to
    # its last, as a running sum of steps.
    inner = last_across > first_across + 1
    if inner.any():
        steps = (np.bincount(cell_across[inner] + first_across[inner] + 1, minlength=size)
                 - np.bincount(cell_across[inner] + last_across[inner], minlength=size))
        partial += np.cumsum(steps.reshape(-1, stride), axis=1).reshape(-1)
    share = partial.reshape(len(workers), STATES, stride)[:, :, :columns]
    return ColumnShares(edges, workers, np.clip(share, 0, 1).astype(np.float32),
                        narrower_than_ns)


def counted_segments(segments: Segments, row_of: NDArray[np.int64], begin_ns: int, end_ns: int,
                     narrower_than_ns: float) -> Segments:
    """The segments column_shares counts: of a worker with a row in
    `row_of`, within [begin_ns, end_ns], narrower than `narrower_than_ns`.
    Where all of them count, as most often, told from their extremes: a
    million segments masked and copied for nothing cost 20 ms."""
    worker, start, stop = segments.worker, segments.start_ns, segments.stop_ns
    if (len(worker) and worker.min() >= 0 and worker.max() < len(row_of)
            and bool(np.all(row_of >= 0)) and stop.min() > begin_ns and start.max() < end_ns
            and (narrower_than_ns == np.inf or (stop - start).max() < narrower_than_ns)):
        return segments
    known = (worker >= 0) & (worker < len(row_of))
    counted = known.copy()
    counted[known] = row_of[worker[known]] >= 0
    counted &= (stop > begin_ns) & (start < end_ns) & ((stop - start) < narrower_than_ns)
    return Segments._make(column[counted] for column in segments)


def active_share(shares: ColumnShares, probed: bool) -> NDArray[np.float32]:
    """(workers, columns): the share of each column a worker held the GIL
    (with the probe) or was on a CPU (sampled) — what a heat map shows."""
    states = [RUNNING] if probed else list(ON_A_CPU)
    active: NDArray[np.float32] = shares.share[:, states, :].sum(axis=1)
    return active


def exact_segments(segments: Segments, narrower_than_ns: float) -> Segments:
    """The segments drawn as rectangles: those not counted in the columns."""
    keep = (segments.stop_ns - segments.start_ns) >= narrower_than_ns
    return Segments._make(column[keep] for column in segments)


def segments_within(segments: Segments, begin_ns: int, end_ns: int) -> Segments:
    """The segments that overlap [begin_ns, end_ns]: what a zoom draws."""
    keep = (segments.stop_ns >= begin_ns) & (segments.start_ns <= end_ns)
    return Segments._make(column[keep] for column in segments)


def samples_within(samples: ThreadSamples, begin_ns: int, end_ns: int) -> ThreadSamples:
    """The samples (a ThreadSamples table) taken in [begin_ns, end_ns]."""
    keep = (samples.t_ns >= begin_ns) & (samples.t_ns <= end_ns)
    return ThreadSamples._make(column[keep] for column in samples)
