"""Two runs that differ in one thing, one above the other: their whole runs
on one shared time axis (left) and a window of the same width from each
(right), with the verdict in the header."""

from __future__ import annotations

import matplotlib
from matplotlib.figure import Figure

from ..analysis import run_segments
from ..report import comparison_title, fixed_facts, format_cores, format_duration, verdict
from . import theme
from .timeline import (MS, ZOOM_NS, draw_header, draw_hold_shares, draw_run, draw_sampled_on_cpu,
                       header_bottom, legend_handles, provenance, rows_of_workers, zoom_span)

TIME_LABEL = "time since the workers were released (ms)"
LEGEND_COLUMNS = 4


def merged_handles(handle_lists):
    """The legend entries of several panels, each label once, in first-seen order."""
    seen, merged = set(), []
    for handles in handle_lists:
        for handle in handles:
            if handle.get_label() not in seen:
                seen.add(handle.get_label())
                merged.append(handle)
    return merged


def side_facts(side):
    """"wall 0.52 s · 98 hand-offs · median turn 5.0 ms · sampled on core 0"."""
    stats, run = side.stats, side.shown
    facts = ["wall %.2f s" % (stats.wall_ns / 1e9)]
    if stats.handoffs is not None:
        facts.append("%s GIL hand-offs" % format(stats.handoffs, ","))
    if stats.median_turn_ns is not None and stats.handoffs:
        facts.append("median turn %s" % format_duration(stats.median_turn_ns))
    if len(run.threads.cpu):
        cores = sorted(set(int(core) for core in run.threads.cpu))
        facts.append("threads seen on core%s %s" % ("" if len(cores) == 1 else "s",
                                                     format_cores(cores)))
    return " · ".join(facts)


def compare_figure(a, b, dimension, sides):
    """Sides `a` and `b` (jobs.Side) of a comparison in `dimension` (a RunSpec
    field), with `sides` (analysis.SideBySide) for the verdict."""
    with matplotlib.rc_context(theme.RC):
        return _compare_figure(a, b, dimension, sides)


def _compare_figure(a, b, dimension, sides):
    figure = Figure(figsize=theme.FIGSIZE, dpi=theme.DPI)
    segments = {name: run_segments(side.shown) for name, side in (("A", a), ("B", b))}
    handles = merged_handles([legend_handles(side.shown, side.stats, segments[name])
                              for name, side in (("A", a), ("B", b))])
    # Below the header: room for each panel's title and line of facts.
    top = header_bottom(2, len(handles), LEGEND_COLUMNS) - 0.11
    grid = figure.add_gridspec(2, 2, width_ratios=[2.1, 1], hspace=0.62, wspace=0.13,
                               left=0.085, right=0.975, top=top, bottom=0.09)
    wholes = [figure.add_subplot(grid[row, 0]) for row in range(2)]
    zooms = [figure.add_subplot(grid[row, 1]) for row in range(2)]
    wholes[1].sharex(wholes[0])

    longest_ms = max(a.stats.wall_ns, b.stats.wall_ns) / MS
    zoom_width = min(ZOOM_NS, a.stats.wall_ns, b.stats.wall_ns)
    for row, (name, side) in enumerate((("A", a), ("B", b))):
        run, stats = side.shown, side.stats
        y_of_worker = rows_of_workers(run)

        whole = wholes[row]
        draw_run(whole, run, stats, segments[name], y_of_worker, marker_size=36)
        draw_hold_shares(whole, stats, y_of_worker)
        whole.set_xlim(0, longest_ms * 1.01)
        whole.set_title("%s · %s" % (name, side.label), loc="left", pad=30)
        whole.text(0, 1.05, side_facts(side), transform=whole.transAxes, fontsize=14,
                   color=theme.INK, va="bottom")

        begin, end = zoom_span(run, stats, zoom_width)
        whole.axvspan(begin / MS, end / MS, color=theme.INK, alpha=0.08, zorder=0)
        zoom = zooms[row]
        draw_run(zoom, run, stats, segments[name], y_of_worker)
        if run.probe is not None and len(run.threads.t_ns):
            draw_sampled_on_cpu(zoom, run.threads, y_of_worker)
        zoom.set_xlim(begin / MS, end / MS)
        zoom.set_yticklabels([])
        zoom.set_title("%s · %.0f ms from %.0f ms" % (name, (end - begin) / MS, begin / MS),
                       loc="left", pad=30)
    wholes[1].set_xlabel(TIME_LABEL)
    zooms[1].set_xlabel("the shaded windows, zoomed in (ms)")

    headline, detail = verdict(a.label, b.label, sides)
    warnings, notes = (["%s: %s" % (name, text) for name, side in (("A", a), ("B", b))
                        for text in getattr(side.stats, kind)] for kind in ("warnings", "notes"))
    draw_header(figure, comparison_title(a.shown, b.shown, dimension),
                [headline[0].upper() + headline[1:],
                 " · ".join(fixed_facts(a.shown, dimension) + [detail])],
                warnings, handles, left=0.085, legend_columns=LEGEND_COLUMNS, notes=notes)
    figure.text(0.975, 0.012, provenance(a.shown, a.stats), fontsize=11, color=theme.MUTED,
                ha="right", va="bottom")
    return figure
