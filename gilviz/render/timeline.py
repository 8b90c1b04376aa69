"""The "thread battle" timeline: one band per worker, over the whole run and
over a ~50 ms window where individual GIL switches are visible, above the
per-core CPU utilisation the sampler saw or, for a run without the probe,
the number of workers on a CPU at once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import StepPatch

from ..analysis import NO_GIL, OLD_GIL, SLEEPING, WAIT_IO, gil_kind
from ..analysis.raster import samples_within
from ..analysis.program import exit_status_of
from ..analysis.selection import only_window, only_workers
from ..report import cores_phrase, handover_phrase, short_count, unexplained_speedup
from ..report.format import format_cores, format_duration
from ..report.battle import battle_figures, battle_headline
from ..report.words import partial_mark, workload_label, worded
from . import palette
from .bands import (MS, draw_band_shares, draw_run, draw_sampled_on_cpu, legend_handles,
                    rows_of_workers)
from .heatmap import draw_heat_map, draw_whole_run
from .header import draw_header, header_bottom, provenance, wrap_facts

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from numpy.typing import NDArray

    from ..analysis.compare import Comparison
    from ..analysis.load import LoadSeries
    from ..analysis.summary import RunStats
    from ..analysis.views import TimelineView
    from ..log import CoreSamples, Run

WAIT_NOUNS = {WAIT_IO: "requests", SLEEPING: "sleeps"}
TIME_LABEL = "time since the workers were released (ms)"


def stairs(ax: Axes, values: NDArray[np.floating[Any]], edges: NDArray[np.float64], color: str,
           **style: Any) -> StepPatch:
    """ax.stairs(values, edges, color=color, **style) from a baseline of 0,
    unfilled, its data limits taken from its vertices in one pass: ax.stairs
    finds them segment by segment in Python (0.1 s for the 3,300 windows of
    a minute's run on two cores). The limits of straight segments are those
    of their vertices; the axes' own limits are set by the figure."""
    patch = StepPatch(values, edges, baseline=0, fill=False, edgecolor=color, **style)
    ax.add_artist(patch)
    ax.update_datalim(patch.get_path().vertices)
    ax.update_datalim([(edges[0], 0)])
    patch.sticky_edges.y.append(0)
    return patch


def draw_cores(ax: Axes, cores: CoreSamples) -> list[Artist]:
    """Each core's utilisation as steps over its measurement windows; dash
    patterns keep cores apart where their lines coincide."""
    artists: list[Artist] = []
    if len(cores.t_ns) < 2:
        artists.append(ax.text(0.5, 0.5, "sampler off: no CPU data", transform=ax.transAxes,
                               ha="center", va="center", color=palette.MUTED))
        return artists
    edges = cores.t_ns / MS
    for core in range(cores.percent.shape[1]):
        colour = palette.CORE_COLOURS[core % len(palette.CORE_COLOURS)]
        artists.append(stairs(ax, cores.percent[1:, core], edges, colour, linewidth=2.6,
                              linestyle=palette.CORE_DASHES[core % len(palette.CORE_DASHES)],
                              label="core %d" % core))
    ax.set_ylim(0, 105)
    ax.set_yticks([0, 50, 100])
    ax.set_ylabel("CPU %")
    return artists


def draw_other_load(ax: Axes, series: LoadSeries | None, scale: float,
                    unit: str) -> list[Artist]:
    """Other processes' CPU use (analysis.LoadSeries) as steps, `scale` times
    its cores; nothing where the view has none (it has one only where that
    use made the run untrustworthy)."""
    if series is None:
        return []
    return [stairs(ax, series.other_cores * scale, series.edges_ns / MS, palette.REDDISH_PURPLE,
                   linewidth=2.0, label="other processes, %s" % unit)]


def draw_parallelism(ax: Axes, run: Run, view: TimelineView) -> list[Artist]:
    """Workers on a CPU at once over time (sampled, view.parallelism), and the
    whole machine's CPU use in cores (psutil) on the same scale."""
    artists: list[Artist] = []
    bins = view.parallelism
    if bins is not None:
        line = np.append(bins.mean, bins.mean[-1])
        artists.append(ax.fill_between(bins.edges_ns / MS, np.nan_to_num(line), step="post",
                                       where=~np.isnan(line), color=palette.INK, alpha=0.15,
                                       linewidth=0))
        artists += ax.step(bins.edges_ns / MS, line, where="post", color=palette.INK,
                           linewidth=2.0,
                           label="workers on a CPU at once (sampled, mean over %.0f ms)"
                                 % (bins.bin_ns / MS))
    if view.busy_cores is not None:
        # Each row covers the window since the previous one (the first only
        # marks where the first window began).
        artists.append(stairs(ax, view.busy_cores, run.cores.t_ns / MS, palette.VERMILLION,
                              linewidth=1.6, linestyle=(0, (4, 2)),
                              label="all processes, in cores (psutil)"))
    artists += draw_other_load(ax, view.other_load, scale=1.0, unit="in cores")
    top = max(view.cores, min(run.spec.workers, view.cores + 1))
    ax.set_ylim(0, top + 0.35)
    ax.set_yticks(range(0, top + 1))
    artists.append(ax.axhline(view.cores, color=palette.MUTED, linewidth=0.8, linestyle=":"))
    ax.set_ylabel("CPUs")
    return artists


HELD_BY_SHOWN = 3
"""Functions named in the chart's line of who held the GIL (the summary names more)."""


def title_lines(run: Run, stats: RunStats, comparison: Comparison | None,
                partial: str | None = None) -> tuple[str, list[str]]:
    """The title and the lines of facts under it, the first saying that the
    log is `partial` (RunLog.incomplete) if it is."""
    interpreter = run.interpreter
    gil = {OLD_GIL: ", old GIL", NO_GIL: ", GIL disabled"}.get(gil_kind(interpreter), "")
    title = "%s · %s · %s %s%s · %s" % (
        workload_label(run.spec), run.spec.describe(), interpreter.implementation,
        interpreter.version, gil, cores_phrase(run))
    handover = handover_phrase(run)
    if handover is not None:
        title += " · " + handover
    facts = []
    mark = partial_mark(partial)
    if mark:
        facts.append(mark)
    status = exit_status_of(run)
    if status:  # what is drawn may be the program's failure, not its work
        facts.append("the program exited with status %d" % status)
    if comparison is not None:
        spread = (" (median of %d paired ratios, %.2f–%.2f×)" % (
            comparison.pairs, comparison.low, comparison.high) if comparison.pairs > 1 else "")
        if unexplained_speedup(stats) is None:
            facts.append("%s took %.2f× the serial time%s" % (
                run.spec.describe(), comparison.ratio, spread))
        else:
            facts.append("no speedup to state: %.2f× the serial time%s (see the warning)"
                         % (comparison.ratio, spread))
    facts.append("wall %.2f s" % (stats.wall_ns / 1e9))
    if stats.battle is not None:
        facts.append("%s: %s" % (battle_headline(stats.battle),
                                 " · ".join(battle_figures(stats.battle, "/s"))))
    elif stats.handoffs is not None:
        facts.append("%d GIL hand-offs" % stats.handoffs)
    if stats.median_turn_ns is not None and stats.handoffs:
        facts.append("median turn %s" % format_duration(stats.median_turn_ns))
    if stats.parallelism is not None:
        facts.append("mean parallelism %.2f" % stats.parallelism)
    elif stats.overlap_ns is not None and run.spec.workers > 1:
        facts.append("%.0f ms with 2+ running at once" % (stats.overlap_ns / MS))
    for each in stats.waits:
        facts.append("%d %s, median %.1f ms" % (
            each.count, WAIT_NOUNS[each.state], each.median_ns / MS))
    lines = wrap_facts(facts)
    if stats.gil_code is not None and stats.gil_code.held_overall:
        lines.append("who held the GIL: " + " · ".join(
            "%s %.0f%%" % (each.code, 100 * each.share)
            for each in stats.gil_code.held_overall[:HELD_BY_SHOWN]))
    return title, lines


def whole_run_title(stats: RunStats, repeats: int) -> str:
    """"Whole run", with the median and, for pi, what the kernel found."""
    title = "Whole run" if repeats == 1 else "Whole run (the median of %d)" % repeats
    estimate = stats.pi
    if estimate is not None:
        title += ":  π ≈ %.5f ± %.5f from %s samples, %.0f M samples/s" % (
            estimate.value, estimate.standard_error, short_count(estimate.samples),
            estimate.samples_per_s / 1e6)
    return title


def zoom_title(run: Run, view: TimelineView) -> str:
    """"Zoom: 50 ms from 120 ms (shaded above)", and which workers where not all."""
    begin, end = view.zoom_ns
    title = "Zoom: %.0f ms from %.0f ms (shaded above)" % ((end - begin) / MS, begin / MS)
    if view.zoom_workers is not None and len(view.zoom_workers) < len(run.workers):
        title += " · %s %s of %d" % ({"process": "processes"}.get(run.spec.worker_noun,
                                                                 run.spec.worker_noun + "s"),
                                     format_cores(view.zoom_workers), len(run.workers))
    return title


def timeline_figure(run: Run, stats: RunStats, view: TimelineView,
                    comparison: Comparison | None = None, repeats: int = 1,
                    partial: str | None = None) -> Figure:
    """The timeline of `run`, annotated with `stats` (analysis.summarize),
    drawn from `view` (analysis.timeline_view) and its `comparison` with the
    serial baseline (analysis.compare_walls); `run` is the median of `repeats`
    of a log that is `partial` (RunLog.incomplete) if not None."""
    with matplotlib.rc_context(palette.RC):
        return _timeline_figure(run, stats, view, comparison, repeats, partial)


def _timeline_figure(run: Run, stats: RunStats, view: TimelineView,
                     comparison: Comparison | None, repeats: int, partial: str | None) -> Figure:
    figure = Figure(figsize=palette.FIGSIZE, dpi=palette.DPI)
    handles = legend_handles(run, stats, view)
    title, facts = title_lines(run, stats, comparison, partial)
    warnings = [worded(each) for each in stats.warnings]
    notes = [worded(each) for each in stats.notes]
    said = draw_header(figure, title, facts, warnings, handles, notes=notes, warning_rows=2)
    warning_count = len(said.get_text().split("\n")) if said else 0
    top = min(0.75, header_bottom(len(facts), len(handles), 4, warning_count) - 0.045)
    grid = figure.add_gridspec(3, 1, height_ratios=[3, 3, 1.3], hspace=0.75,
                               left=0.09, right=0.93, top=top, bottom=0.095)
    whole, zoom, cores = (figure.add_subplot(grid[i]) for i in range(3))
    cores.sharex(whole)

    sampled = run.probe is None and run.sampler is not None
    y_of_worker = rows_of_workers(run)
    wall_ms = stats.wall_ns / MS

    # Whole run: segments narrower than a few pixels on pixel columns, the
    # rest exactly; with many workers, a heat map.
    if view.heat_map:
        draw_heat_map(whole, run, view, run.probe is not None)
    else:
        draw_whole_run(whole, run, stats, view, y_of_worker)
        draw_band_shares(whole, view.shares, y_of_worker)
    whole.set_xlim(0, wall_ms * 1.01)
    whole.set_title(whole_run_title(stats, repeats), loc="left")

    # Zoom on the busiest window, on some of the workers if there are many.
    begin, end = view.zoom_ns
    whole.axvspan(begin / MS, end / MS, color=palette.INK, alpha=0.08, zorder=0)
    shown_run, shown_stats, shown = only_window(run, stats, view, view.zoom_ns)
    if view.zoom_workers is not None:
        shown_run, shown_stats, shown = only_workers(shown_run, shown_stats, shown,
                                                     view.zoom_workers)
    zoom_rows = rows_of_workers(shown_run)
    draw_run(zoom, shown_run, shown_stats, shown.segments, zoom_rows)
    if run.probe is not None and len(run.threads.t_ns):
        draw_sampled_on_cpu(zoom, samples_within(shown_run.threads, begin, end), zoom_rows)
    zoom.set_xlim(begin / MS, end / MS)
    zoom.set_title(zoom_title(run, view), loc="left")

    if sampled:
        draw_parallelism(cores, run, view)
        cores.set_title("Parallelism", loc="left")
        cores.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, fontsize=13,
                     borderaxespad=0.2)
    else:  # Per-core utilisation.
        draw_cores(cores, run.cores)
        draw_other_load(cores, view.other_load, 100.0 / view.cores, "% of all cores")
        # Short enough for its legend beside it, even in the talk theme.
        cores.set_title("CPU per core, all processes (psutil, %d ms windows)" % 50, loc="left")
        if cores.get_legend_handles_labels()[0]:
            cores.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=8, fontsize=13,
                         handlelength=2.6, borderaxespad=0.2)
    cores.set_xlabel(TIME_LABEL)  # the zoom's too: one label says it, at the bottom

    figure.text(0.93, 0.006, provenance(run, stats, view), fontsize=11, color=palette.MUTED,
                ha="right", va="bottom")
    return figure
