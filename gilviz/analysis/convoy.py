"""The convoy: the latency of an I/O thread's requests alone and beside
CPU-bound threads, and the windows its figure shows."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from ..log import CONVOY_SERVED_MARK, Run
from .runs import wall_ns
from .sampled import run_segments
from .states import UNCLEAR, WAIT_CPU, WAIT_GIL, Segments
from .summary import RunStats, summarize
from .views import TimelineView, timeline_view
from .waits import (ROUND_TRIP_MARKS, Waits, WaitStats, completed_per_second, wait_spans,
                    wait_stats)
from .windows import ZOOM_NS, typical_window


class ConvoyCase(NamedTuple):
    """One run of the convoy, as measured."""

    run: Run
    stats: RunStats
    """summarize(run), the I/O thread's pauses counted as its own."""
    round_trips: Waits
    """waits.Waits: the client's round trips, as it timed them."""
    latency: WaitStats | None
    """waits.WaitStats of the round trips, or None if none was answered."""
    per_second: float | None
    """Round trips completed a second, or None."""
    served_ns: NDArray[np.int64]
    """When the I/O thread had a request in hand (the GIL back after its recv)."""
    view: TimelineView
    """views.TimelineView: the bands without the I/O thread's gaps (io_segments),
    zoomed on a typical window of round trips."""


class Convoy(NamedTuple):
    alone: ConvoyCase
    """The I/O thread alone."""
    beside: ConvoyCase
    """The I/O thread beside CPU threads."""
    io_worker: int
    window_ns: int
    """Width of both cases' zoom windows."""


def io_segments(segments: Segments, io_worker: int) -> Segments:
    """The run's segments without the probe's gaps of the I/O thread: those
    are its socket calls and the GIL waits after them, which the probe cannot
    tell apart. Its holds (or sampled states, without the probe) stay."""
    gap = np.isin(segments.state, (WAIT_GIL, WAIT_CPU, UNCLEAR))
    keep = (segments.worker != io_worker) | ~gap
    return Segments(*(column[keep] for column in segments))


def convoy_case(run: Run, io_worker: int, window_ns: int = ZOOM_NS) -> ConvoyCase:
    """A ConvoyCase of a convoy run, zoomed on a typical `window_ns` of its
    round trips."""
    stats = summarize(run, io_workers=(io_worker,))
    round_trips = wait_spans(run.marks, ROUND_TRIP_MARKS)
    latency = wait_stats(round_trips)
    begin = typical_window(round_trips.start_ns, round_trips.stop_ns, window_ns, stats.wall_ns)
    view = timeline_view(run, stats, segments=io_segments(run_segments(run), io_worker),
                         zoom_ns=(begin, begin + window_ns))
    return ConvoyCase(run, stats, round_trips, latency[0] if latency else None,
                      completed_per_second(round_trips),
                      run.marks.t_ns[run.marks.kind == CONVOY_SERVED_MARK], view)


def convoy(alone_run: Run, beside_run: Run, io_worker: int) -> Convoy:
    """Both runs of the convoy; both zoom windows as wide as ZOOM_NS or the
    run beside CPU threads, if shorter."""
    width = min(ZOOM_NS, wall_ns(beside_run))
    return Convoy(convoy_case(alone_run, io_worker, width),
                  convoy_case(beside_run, io_worker, width), io_worker, width)
