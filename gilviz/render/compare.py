"""Runs that differ in one thing (two to four sides), one above the other:
their whole runs on one shared time axis (left) and a window of the same
width from each (right), with the verdict in the header."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import matplotlib
from matplotlib.figure import Figure

from ..report import (SIDE_NAMES, comparison_title, fixed_facts, format_cores, format_duration,
                      format_times, side_caveats, side_labels, side_verdict)
from . import palette
from .bands import (MS, draw_hold_shares, draw_run, draw_sampled_on_cpu, legend_handles,
                    rows_of_workers)
from ..report.battle import battle_figures, battle_headline
from ..report.words import partial_mark, worded
from .heatmap import draw_whole_run
from .header import draw_header, header_bottom, provenance, wrap_facts

if TYPE_CHECKING:
    from matplotlib.artist import Artist

    from ..analysis.compare import ComparedRuns, Side

TIME_LABEL = "time since the workers were released (ms)"
LEGEND_COLUMNS = 4
COMPARE_FACT_CHARACTERS = 115
"""About this many characters of the facts under the verdict fit the width at 15 pt."""


def merged_handles(handle_lists: Iterable[Iterable[Artist]]) -> list[Artist]:
    """The legend entries of several panels, each label once, in first-seen order."""
    seen: set[object] = set()
    merged: list[Artist] = []
    for handles in handle_lists:
        for handle in handles:
            if handle.get_label() not in seen:
                seen.add(handle.get_label())
                merged.append(handle)
    return merged


def side_facts(side: Side, cores_varied: bool = True) -> str:
    """"wall 0.52 s · 1.08× its serial run · 98 GIL hand-offs · median turn
    5.0 ms · threads seen on cores 0-1" (the cores where they are what the
    sides vary); without a GIL, "no GIL: threads run at once, nothing
    handed over"."""
    stats, cores, run = side.stats, side.view.cores_seen, side.shown
    facts = ["wall %.2f s" % (stats.wall_ns / 1e9)]
    if side.against_serial is not None:
        facts.append("%s its serial run" % format_times(side.against_serial.ratio))
    if not run.interpreter.gil_enabled and len(run.workers) > 1:
        facts.append("no GIL: threads run at once, nothing handed over")
    elif stats.battle is not None:
        facts.append("%s: %s" % (battle_headline(stats.battle, short=True),
                                 " · ".join(battle_figures(stats.battle, "/s")[:2])))
    elif stats.handoffs is not None:
        facts.append("%s GIL hand-offs" % format(stats.handoffs, ","))
    if stats.median_turn_ns is not None and stats.handoffs and stats.battle is None:
        facts.append("median turn %s" % format_duration(stats.median_turn_ns))
    if cores and cores_varied:
        facts.append("threads seen on core%s %s" % ("" if len(cores) == 1 else "s",
                                                     format_cores(cores)))
    return " · ".join(facts)


def compare_figure(compared: ComparedRuns, dimension: str, partial: str | None = None) -> Figure:
    """The sides of `compared` (analysis.compare_runs), which differ in
    `dimension` (a RunSpec field), one above the other, with the verdict;
    the log `partial` (RunLog.incomplete) if not None."""
    with matplotlib.rc_context(palette.RC):
        return _compare_figure(compared, dimension, partial)


def _compare_figure(compared: ComparedRuns, dimension: str, partial: str | None) -> Figure:
    sides = compared.sides
    count = len(sides)
    # One canvas for any number of sides: a theme resizes it to its slides'
    # size, so the sides share its height.
    figure = Figure(figsize=palette.FIGSIZE, dpi=palette.DPI)
    handles = merged_handles([legend_handles(side.shown, side.stats, side.view)
                              for side in sides])
    warnings, notes = (side_caveats(sides, kind, worded) for kind in ("warnings", "notes"))
    warning_rows = 2 if warnings or notes else 1
    runs = [side.shown for side in sides]
    labels = side_labels(runs, dimension)
    headline, detail = side_verdict(compared, labels)
    facts = [headline[0].upper() + headline[1:]] + wrap_facts(
        fixed_facts(runs[0], dimension) + [detail], COMPARE_FACT_CHARACTERS)
    if partial_mark(partial):
        facts[0] = "%s · %s" % (partial_mark(partial), facts[0])
    # Below the header: room for each panel's title and line of facts.
    top = header_bottom(len(facts), len(handles), LEGEND_COLUMNS, warning_rows) - 0.11
    grid = figure.add_gridspec(count, 2, width_ratios=[2.1, 1], hspace=0.62 + 0.25 * (count - 2),
                               wspace=0.13, left=0.085, right=0.975, top=top,
                               bottom=0.09)
    wholes = [figure.add_subplot(grid[row, 0]) for row in range(count)]
    zooms = [figure.add_subplot(grid[row, 1]) for row in range(count)]
    for whole in wholes[1:]:
        whole.sharex(wholes[0])

    longest_ms = max(side.stats.wall_ns for side in sides) / MS
    for row, (name, label, side) in enumerate(zip(SIDE_NAMES, labels, sides)):
        run, stats, view = side.shown, side.stats, side.view
        y_of_worker = rows_of_workers(run)

        whole = wholes[row]
        draw_whole_run(whole, run, stats, view, y_of_worker)
        draw_hold_shares(whole, stats, y_of_worker, run.interpreter.gil_enabled)
        whole.set_xlim(0, longest_ms * 1.01)
        whole.set_title("%s · %s" % (name, label), loc="left")
        # Over the panel, under its title (the layout raises the title over it).
        whole.annotate(side_facts(side, dimension == "cores"), (0, 1), xycoords="axes fraction",
                       xytext=(0, 5), textcoords="offset points", fontsize=14, color=palette.INK,
                       va="bottom")

        begin, end = view.zoom_ns
        whole.axvspan(begin / MS, end / MS, color=palette.INK, alpha=0.08, zorder=0)
        zoom = zooms[row]
        draw_run(zoom, run, stats, view.segments, y_of_worker)
        if run.probe is not None and len(run.threads.t_ns):
            draw_sampled_on_cpu(zoom, run.threads, y_of_worker)
        zoom.set_xlim(begin / MS, end / MS)
        zoom.set_yticklabels([])
        zoom.set_title("%s · %.0f ms from %.0f ms" % (name, (end - begin) / MS, begin / MS),
                       loc="left")
    for ax in wholes[:-1] + zooms[:-1]:  # one time axis says it: its title says each window
        ax.tick_params(labelbottom=False)
    wholes[-1].set_xlabel(TIME_LABEL)
    zooms[-1].set_xlabel("the shaded windows, zoomed in (ms)")

    draw_header(figure, comparison_title(runs, dimension), facts, warnings, handles, left=0.085,
                legend_columns=LEGEND_COLUMNS, notes=notes, warning_rows=warning_rows)
    figure.text(0.975, 0.012, provenance(runs[0], sides[0].stats, sides[0].view),
                fontsize=11, color=palette.MUTED, ha="right", va="bottom")
    return figure
