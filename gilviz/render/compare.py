"""Two runs that differ in one thing, one above the other: their whole runs
on one shared time axis (left) and a window of the same width from each
(right), with the verdict in the header."""

from __future__ import annotations

import matplotlib
from matplotlib.figure import Figure

from ..report import (caveat_text, comparison_title, fixed_facts, format_cores, format_duration,
                      side_labels, verdict)
from . import theme
from .bands import (MS, draw_hold_shares, draw_run, draw_sampled_on_cpu, legend_handles,
                    rows_of_workers)
from .header import draw_header, header_bottom, provenance

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
    stats, cores = side.stats, side.view.cores_seen
    facts = ["wall %.2f s" % (stats.wall_ns / 1e9)]
    if stats.handoffs is not None:
        facts.append("%s GIL hand-offs" % format(stats.handoffs, ","))
    if stats.median_turn_ns is not None and stats.handoffs:
        facts.append("median turn %s" % format_duration(stats.median_turn_ns))
    if cores:
        facts.append("threads seen on core%s %s" % ("" if len(cores) == 1 else "s",
                                                     format_cores(cores)))
    return " · ".join(facts)


def compare_figure(compared, dimension):
    """Both sides of `compared` (analysis.compare_runs), which differ in
    `dimension` (a RunSpec field), with the verdict."""
    with matplotlib.rc_context(theme.RC):
        return _compare_figure(compared, dimension)


def _compare_figure(compared, dimension):
    a, b = compared.a, compared.b
    figure = Figure(figsize=theme.FIGSIZE, dpi=theme.DPI)
    handles = merged_handles([legend_handles(side.shown, side.stats, side.view)
                              for side in (a, b)])
    # Below the header: room for each panel's title and line of facts.
    top = header_bottom(2, len(handles), LEGEND_COLUMNS) - 0.11
    grid = figure.add_gridspec(2, 2, width_ratios=[2.1, 1], hspace=0.62, wspace=0.13,
                               left=0.085, right=0.975, top=top, bottom=0.09)
    wholes = [figure.add_subplot(grid[row, 0]) for row in range(2)]
    zooms = [figure.add_subplot(grid[row, 1]) for row in range(2)]
    wholes[1].sharex(wholes[0])

    labels = side_labels(a.shown, b.shown, dimension)
    longest_ms = max(a.stats.wall_ns, b.stats.wall_ns) / MS
    for row, (name, label, side) in enumerate((("A", labels[0], a), ("B", labels[1], b))):
        run, stats, view = side.shown, side.stats, side.view
        y_of_worker = rows_of_workers(run)

        whole = wholes[row]
        draw_run(whole, run, stats, view.segments, y_of_worker, marker_size=36)
        draw_hold_shares(whole, stats, y_of_worker)
        whole.set_xlim(0, longest_ms * 1.01)
        whole.set_title("%s · %s" % (name, label), loc="left", pad=30)
        whole.text(0, 1.05, side_facts(side), transform=whole.transAxes, fontsize=14,
                   color=theme.INK, va="bottom")

        begin, end = view.zoom_ns
        whole.axvspan(begin / MS, end / MS, color=theme.INK, alpha=0.08, zorder=0)
        zoom = zooms[row]
        draw_run(zoom, run, stats, view.segments, y_of_worker)
        if run.probe is not None and len(run.threads.t_ns):
            draw_sampled_on_cpu(zoom, run.threads, y_of_worker)
        zoom.set_xlim(begin / MS, end / MS)
        zoom.set_yticklabels([])
        zoom.set_title("%s · %.0f ms from %.0f ms" % (name, (end - begin) / MS, begin / MS),
                       loc="left", pad=30)
    wholes[1].set_xlabel(TIME_LABEL)
    zooms[1].set_xlabel("the shaded windows, zoomed in (ms)")

    headline, detail = verdict(labels[0], labels[1], compared.sides)
    warnings, notes = (["%s: %s" % (name, caveat_text(each)) for name, side in (("A", a), ("B", b))
                        for each in getattr(side.stats, kind)] for kind in ("warnings", "notes"))
    draw_header(figure, comparison_title(a.shown, b.shown, dimension),
                [headline[0].upper() + headline[1:],
                 " · ".join(fixed_facts(a.shown, dimension) + [detail])],
                warnings, handles, left=0.085, legend_columns=LEGEND_COLUMNS, notes=notes)
    figure.text(0.975, 0.012, provenance(a.shown, a.stats, a.view), fontsize=11,
                color=theme.MUTED, ha="right", va="bottom")
    return figure
