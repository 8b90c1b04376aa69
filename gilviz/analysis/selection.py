"""A timeline narrowed to what a slide shows: some of the workers, another
zoom window. The figures stay those of the whole run (its wall time,
hand-offs, caveats); only what is drawn is narrowed."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, overload

import numpy as np
from numpy.typing import NDArray

from ..log import Run, ThreadSamples
from .raster import segments_within
from .states import Segments

if TYPE_CHECKING:
    from .summary import RunStats
    from .views import TimelineView


class SelectionError(ValueError):
    """A window or a set of workers that the run does not have (report words it)."""


class WindowOutside(SelectionError):
    def __init__(self, window_ns: tuple[int, int], wall_ns: int) -> None:
        super().__init__(window_ns, wall_ns)
        self.window_ns, self.wall_ns = window_ns, wall_ns


class UnknownWorkers(SelectionError):
    def __init__(self, unknown: tuple[int, ...], known: tuple[int, ...]) -> None:
        super().__init__(unknown, known)
        self.unknown, self.known = unknown, known


def check_window(window_ns: tuple[int, int], wall_ns: int) -> None:
    """Refuse a window (begin, end) that does not lie within the run."""
    begin, end = window_ns
    if not 0 <= begin < end <= wall_ns:
        raise WindowOutside((begin, end), wall_ns)


def check_workers(run: Run, workers: Collection[int]) -> None:
    """Refuse worker indices that the run does not have."""
    known = {worker.index for worker in run.workers}
    unknown = sorted(set(workers) - known)
    if unknown:
        raise UnknownWorkers(tuple(unknown), tuple(sorted(known)))


def only_workers(run: Run, stats: RunStats, view: TimelineView,
                 workers: Collection[int]) -> tuple[Run, RunStats, TimelineView]:
    """(run, stats, view) drawing only `workers` (indices): their bands,
    samples and failed acquisitions; figures of the whole run kept."""
    check_workers(run, workers)
    keep = set(workers)
    run, stats = only_samples(run, stats, np.isin(run.threads.worker, list(keep)))
    shares = view.shares
    if shares is not None:
        shares = shares._replace(share_of_worker={index: share for index, share
                                                  in shares.share_of_worker.items()
                                                  if index in keep})
    return (run._replace(workers=tuple(w for w in run.workers if w.index in keep)),
            stats._replace(workers=tuple(w for w in stats.workers if w.index in keep)),
            view._replace(segments=only_bands(view.segments, keep),
                          shares=shares, holes=only_bands(view.holes, keep)))


def only_window(run: Run, stats: RunStats, view: TimelineView,
                window_ns: tuple[int, int]) -> tuple[Run, RunStats, TimelineView]:
    """(run, stats, view) with only the segments and thread samples of
    `window_ns` (begin, end): what a zoom on it draws, narrowed before a
    million of them are narrowed to some workers. Every failed acquisition
    is kept: a marker just outside the window shows at its edge."""
    begin, end = window_ns
    rows = (run.threads.t_ns >= begin) & (run.threads.t_ns <= end)
    rows[np.asarray(stats.failed_samples, dtype=np.int64)] = True
    run, stats = only_samples(run, stats, rows)
    return run, stats, view._replace(segments=segments_within(view.segments, begin, end))


def only_samples(run: Run, stats: RunStats,
                 rows: NDArray[np.bool_]) -> tuple[Run, RunStats]:
    """(run, stats) with the thread samples of `rows` (a mask) alone, the
    failed acquisitions among them numbered as rows of the narrowed table."""
    kept = np.flatnonzero(rows)  # one pass over the mask, not one a column
    failed = np.asarray(stats.failed_samples, dtype=np.int64)
    failed = np.searchsorted(kept, failed[rows[failed]]) if len(failed) else failed
    return (run._replace(threads=ThreadSamples._make(column[kept] for column in run.threads)),
            stats._replace(failed_samples=failed))


@overload
def only_bands(segments: Segments, workers: Collection[int]) -> Segments: ...
@overload
def only_bands(segments: Segments | None, workers: Collection[int]) -> Segments | None: ...
def only_bands(segments: Segments | None, workers: Collection[int]) -> Segments | None:
    """The segments of `workers` alone; None stays None."""
    if segments is None:
        return None
    return Segments._make(column[np.isin(segments.worker, list(workers))] for column in segments)


def zoomed(view: TimelineView, window_ns: tuple[int, int]) -> TimelineView:
    """`view` zoomed on `window_ns` instead of the window it chose."""
    begin, end = window_ns
    return view._replace(zoom_ns=(int(begin), int(end)))
