"""Everything a timeline draws from a run, computed once: the bands'
segments, the window to zoom in on, the parallelism over time, the figures
at the bands' ends. Figures draw a TimelineView and compute nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numpy.typing import NDArray

from ..log import WAIT_UNREADABLE, Run
from .load import LoadSeries, load_series, other_load
from .raster import (COLUMNS, HEAT_MAP_OVER, NARROWER_THAN_COLUMNS, ColumnShares, column_shares,
                     segments_within)
from .keyed import small_distinct, sums_by
from .runs import core_count, longest_sample_ns, shares_gil, stop_by_worker
from .sampled import binned_parallelism, run_segments, unsampled_spans
from .shown import shown_states, visible
from .states import ON_A_CPU, Segments
from .waits import NATIVE_MARK, Waits, recorded_waits, wait_spans, waiting_share
from .windows import ZOOM_NS, storied_window, switch_times, zoom_width_ns

if TYPE_CHECKING:
    from .summary import RunStats

PARALLELISM_BINS = 250
"""Parallelism is averaged over this many windows of the run (at least a
sampling period each): step by step, 1 ms samples blur into a block."""

HELD, RAN, WAITING, ON_CPU_SHARE = "held", "ran", "waiting", "on-cpu"
"""What the figures at the ends of the bands are a share of: RAN is HELD
without a GIL (a free-threaded build), where running holds nothing."""


class ParallelismBins(NamedTuple):
    edges_ns: NDArray[np.int64]
    mean: NDArray[np.float64]
    """Workers on a CPU at once, mean over each bin; NaN where not sampled."""
    bin_ns: float


class BandShares(NamedTuple):
    """A figure at the end of each worker's band."""

    kind: str
    """HELD (the GIL, from the probe), RAN (the same without a GIL), WAITING
    (the kernel's recorded waits) or ON_CPU_SHARE (sampled)."""
    share_of_worker: dict[int, float | None]
    """{worker index: share of the run's wall time, or None}."""
    state: int | None = None
    """For WAITING: the band state of the waits."""


class TimelineView(NamedTuple):
    segments: Segments
    """states.Segments: what each worker did over time."""
    zoom_ns: tuple[int, int]
    """(begin, end) of the window to zoom in on."""
    parallelism: ParallelismBins | None
    """Without the probe, with the sampler: workers on a CPU at once over time."""
    busy_cores: NDArray[np.float32] | None
    """The whole machine's CPU use, in cores, over each of run.cores' windows
    (from the second row on); None with fewer than two rows."""
    cores: int
    """Cores the target could use."""
    shares: BandShares | None
    shares_gil: bool
    """Two or more workers ran under one GIL."""
    waits_readable: bool
    """The sampler could tell what sleeping threads waited on."""
    native_sections: bool
    """The kernel marked its calls into compiled code."""
    recorded_waits: bool
    """The kernel recorded its own waits (io)."""
    cores_seen: tuple[int, ...]
    """The CPUs the sampler found the workers on."""
    holes: Segments | None = None
    """Without the probe: states.Segments where no sample stands (the
    sampler paused), drawn as blanks in the bands; None with the probe."""
    wall_ns: int = 0
    """The whole-run panel spans the run's wall time."""
    other_load: LoadSeries | None = None
    """load.LoadSeries: other processes' CPU use over the run, where it was
    enough for a caveat (load.other_load); else None, and nothing is drawn."""
    columns: ColumnShares | None = None
    """The whole run on pixel columns (raster): the segments too narrow to
    draw one by one, or with a heat map all of them."""
    heat_map: bool = False
    """Too many workers for bands: the whole run is a heat map."""
    zoom_workers: tuple[int, ...] | None = None
    """The workers the zoom shows (indices); None for all. By default those
    that ran longest in the zoom's window."""

    @property
    def panels(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """(begin, end) of each panel the bands are drawn in: the whole run, the zoom."""
        begin, end = self.zoom_ns
        return (0, self.wall_ns), (begin, end)

    @property
    def shown_states(self) -> tuple[int, ...]:
        """The band states drawn at a visible size in the whole run or the
        zoom (analysis.shown): what the legend lists."""
        return shown_states(self.segments, self.panels)

    @property
    def holes_shown(self) -> bool:
        """Whether the blanks where the sampler paused are visible."""
        return self.holes is not None and visible(self.holes.start_ns, self.holes.stop_ns,
                                                  self.panels)


def band_shares(stats: RunStats, waits: Waits, gil_enabled: bool = True) -> BandShares | None:
    """The share of the wall time each worker held the GIL (probe; without a
    GIL, ran), waited (the kernel's recorded waits), or was on a CPU
    (sampled); None for none."""
    if any(w.hold_share is not None for w in stats.workers):
        return BandShares(HELD if gil_enabled else RAN,
                          {w.index: w.hold_share for w in stats.workers})
    if len(waits.worker):
        return BandShares(WAITING, {w.index: waiting_share(waits, w.index, stats.wall_ns)
                                    for w in stats.workers}, int(waits.state[0]))
    if stats.wall_ns <= 0 or all(w.sampled_ns is None for w in stats.workers):
        return None
    return BandShares(ON_CPU_SHARE, {
        w.index: sum(w.sampled_ns.get(state, 0) for state in ON_A_CPU) / stats.wall_ns
        for w in stats.workers if w.sampled_ns is not None})


def parallelism_bins(run: Run, wall_ns: int) -> ParallelismBins | None:
    """binned_parallelism over PARALLELISM_BINS bins of the run, or fewer
    where the run is shorter than that many sampling periods."""
    if run.sampler is None or not len(run.threads.t_ns) or wall_ns <= 0:
        return None
    period = 1e9 / run.sampler.requested_hz
    bins = int(max(1, min(PARALLELISM_BINS, wall_ns // period)))
    edges = np.linspace(0, wall_ns, bins + 1).astype(np.int64)
    mean = binned_parallelism(run.threads, stop_by_worker(run), longest_sample_ns(run), edges)
    return ParallelismBins(edges, mean, wall_ns / bins)


def busiest_span(run: Run, segments: Segments, wall_ns: int, width_ns: int = ZOOM_NS,
                 holes: Segments | None = None) -> tuple[int, int]:
    """(begin, end) of the window of `width_ns` where the story is: the most
    switches, the fewest `holes` (windows.storied_window)."""
    begin = storied_window(switch_times(run, segments), width_ns, wall_ns, holes,
                           lanes=len(run.workers))
    return begin, begin + min(width_ns, wall_ns)


ZOOM_WORKERS = 8
"""Bands the zoom of a heat-mapped run shows unless asked for others."""


def whole_run_columns(run: Run, segments: Segments, wall_ns: int, heat_map: bool) -> ColumnShares:
    """column_shares of the whole run: with a heat map every segment, else
    those narrower than NARROWER_THAN_COLUMNS columns."""
    end = max(wall_ns, 1)
    narrower_than = np.inf if heat_map else NARROWER_THAN_COLUMNS * end / COLUMNS
    return column_shares(segments, [w.index for w in run.workers], 0, end, COLUMNS,
                         narrower_than)


def busiest_workers(run: Run, segments: Segments, window_ns: tuple[int, int],
                    count: int = ZOOM_WORKERS) -> tuple[int, ...]:
    """The `count` workers that ran longest in the window (by index), so that
    the zoom of a heat map shows workers that were there; the first ones
    where fewer ran in it."""
    begin, end = window_ns
    segments = segments_within(segments, begin, end)
    running = np.isin(segments.state, ON_A_CPU)
    ran = np.clip(np.minimum(segments.stop_ns, end) - np.maximum(segments.start_ns, begin),
                  0, None) * running
    indices = [w.index for w in run.workers]
    time_of = sums_by(segments.worker, ran, max(indices) + 1)[indices]
    order = sorted(range(len(indices)), key=lambda row: (-time_of[row], row))[:count]
    return tuple(sorted(indices[row] for row in order))


def timeline_view(run: Run, stats: RunStats, zoom_width: int | None = None,
                  segments: Segments | None = None,
                  zoom_ns: tuple[int, int] | None = None) -> TimelineView:
    """The TimelineView of `run` and its `stats` (summarize): by default its
    run_segments, zoomed on the busiest `zoom_width` ns (by default ten of
    its median turns, see windows.zoom_width_ns); a caller that draws
    other bands or another window (the convoy) gives `segments` or `zoom_ns`.
    Beyond HEAT_MAP_OVER workers the whole run is a heat map and the zoom
    shows the ZOOM_WORKERS that ran longest in its window."""
    segments = run_segments(run) if segments is None else segments
    heat_map = len(run.workers) > HEAT_MAP_OVER
    holes = unsampled_spans(run.workers, segments) if run.probe is None else None
    if zoom_width is None:
        zoom_width = zoom_width_ns(stats.median_turn_ns)
    zoom_ns = (busiest_span(run, segments, stats.wall_ns, zoom_width, holes)
               if zoom_ns is None else zoom_ns)
    sampled = run.probe is None and run.sampler is not None
    readings = run.cores.percent
    return TimelineView(
        segments=segments,
        zoom_ns=zoom_ns,
        parallelism=parallelism_bins(run, stats.wall_ns) if sampled else None,
        busy_cores=readings[1:].sum(axis=1) / 100 if len(run.cores.t_ns) >= 2 else None,
        cores=core_count(run.interpreter),
        shares=band_shares(stats, wait_spans(run.marks), run.interpreter.gil_enabled),
        shares_gil=any(shares_gil(run).values()),
        waits_readable=bool(len(run.threads.wait))
        and not bool(np.all(run.threads.wait == WAIT_UNREADABLE)),
        native_sections=bool(np.any(run.marks.kind == NATIVE_MARK)),
        recorded_waits=recorded_waits(run.marks),
        cores_seen=tuple(int(core) for core in small_distinct(run.threads.cpu)),
        holes=holes,
        wall_ns=stats.wall_ns,
        other_load=load_series(run) if other_load([run]) is not None else None,
        columns=whole_run_columns(run, segments, stats.wall_ns, heat_map),
        heat_map=heat_map,
        zoom_workers=busiest_workers(run, segments, zoom_ns) if heat_map else None,
    )
