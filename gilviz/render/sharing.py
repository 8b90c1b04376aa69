"""The share chart: what one report costs through each way of sharing counts
between workers (median and p99, log scale), and the run's wall time, threads
and processes side by side. Draws an analysis.sharing.SharingComparison."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..report import cores_phrase
from ..report.sharing import mechanism_name
from ..report.words import worded
from . import palette
from .header import CaveatText

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.container import Container

    from ..analysis.sharing import SharingComparison
    from ..log import RunLog

LEFT = 0.2
BAR = 0.36
"""Height of one backend's bar; two fit a mechanism's row."""


def rows(compared: SharingComparison) -> tuple[list[str], list[str], dict[tuple[str, str], float]]:
    """Mechanisms, top down, and each configuration's y."""
    mechanisms: list[str] = []
    for each in compared.configs:
        if each.mechanism not in mechanisms:
            mechanisms.append(each.mechanism)
    backends = sorted({each.backend for each in compared.configs}, key=lambda b: b != "threads")
    offset = {backend: (BAR / 2 if number == 0 else -BAR / 2) if len(backends) > 1 else 0.0
              for number, backend in enumerate(backends)}
    y = {(each.mechanism, each.backend):
         len(mechanisms) - 1 - mechanisms.index(each.mechanism) + offset[each.backend]
         for each in compared.configs}
    return mechanisms, backends, y


def mechanism_labels(ax: Axes, compared: SharingComparison, mechanisms: Sequence[str]) -> None:
    """A row label a mechanism; the queue's two classes named together."""
    labels = []
    for mechanism in mechanisms:
        if mechanism == "queue":
            backends = {each.backend for each in compared.configs if each.mechanism == "queue"}
            labels.append("Queue\n(%s)" % " / ".join(
                "queue" if backend == "threads" else "multiprocessing"
                for backend in sorted(backends, key=lambda b: b != "threads")))
        else:
            labels.append(mechanism_name(mechanism, None, short=True))
    ax.set_yticks(range(len(mechanisms) - 1, -1, -1))
    ax.set_yticklabels(labels)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(-0.7, len(mechanisms) - 0.3)


def draw_costs(ax: Axes, compared: SharingComparison, y: Mapping[tuple[str, str], float],
               colours: Mapping[str, str]) -> list[Artist | Container]:
    """A bar to each configuration's median report, a tick at its p99, the
    median written beside it. Log scale: the mechanisms span 1000x."""
    artists: list[Artist | Container] = []
    for each in compared.configs:
        at = y[(each.mechanism, each.backend)]
        median, p99 = each.reports.median_ns / 1e3, each.reports.p99_ns / 1e3
        artists.append(ax.barh(at, median, height=BAR * 0.9, color=colours[each.backend]))
        artists += ax.plot([p99, p99], [at - BAR * 0.45, at + BAR * 0.45], color=palette.INK,
                           linewidth=2.5, solid_capstyle="butt")
        artists += ax.plot([median, p99], [at, at], color=palette.INK, linewidth=1)
        artists.append(ax.text(p99 * 1.25, at, "%s µs" % short(median), va="center",
                               fontsize=13, color=palette.INK))
    ax.set_xscale("log")
    ax.set_xlabel("one report, µs (bar: median, tick: p99)")
    ax.grid(axis="x", which="major", color=palette.GREY, linewidth=0.6, alpha=0.6)
    ax.set_axisbelow(True)
    low = min(each.reports.median_ns for each in compared.configs) / 1e3
    high = max(each.reports.p99_ns for each in compared.configs) / 1e3
    ax.set_xlim(max(low / 3, 1e-2), high * 12)
    return artists


def short(value: float) -> str:
    return "%.2g" % value if value < 10 else "%.0f" % value


def draw_walls(ax: Axes, compared: SharingComparison, y: Mapping[tuple[str, str], float],
               colours: Mapping[str, str]) -> list[Artist | Container]:
    """A bar to each configuration's median wall time, a dot a run."""
    artists: list[Artist | Container] = []
    for each in compared.configs:
        at = y[(each.mechanism, each.backend)]
        artists.append(ax.barh(at, each.wall_ns / 1e9, height=BAR * 0.9,
                               color=colours[each.backend], alpha=0.85))
        walls = np.asarray(each.walls_ns) / 1e9
        artists.append(ax.scatter(walls, np.full(len(walls), at), s=22, color=palette.INK,
                                  zorder=3))
        share = "%.0f%% sharing" % (100 * each.sharing_share)
        artists.append(ax.text(walls.max() * 1.03, at, share, va="center", fontsize=12,
                               color=palette.MUTED))
    ax.set_xlabel("wall time of the run, s (bar: median, dots: runs)")
    ax.set_xlim(0, max(max(each.walls_ns) for each in compared.configs) / 1e9 * 1.45)
    ax.grid(axis="x", color=palette.GREY, linewidth=0.6, alpha=0.6)
    ax.set_axisbelow(True)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    return artists


def findings(compared: SharingComparison) -> tuple[str, str]:
    """The lines under the title: what the work was, what a report is."""
    run = compared.spec
    what = "pi, %s samples between %d workers, a report every %s samples · %d run%s each" % (
        format(run.work, ","), run.workers, format(compared.chunk, ","), compared.repeats,
        "" if compared.repeats == 1 else "s")
    how = ("a report: one call that shares a worker's running count (Value and Array: under "
           "one Lock, its wait included)")
    return what, how


def footnote(compared: SharingComparison, log: RunLog) -> str:
    first = log.runs[0]
    parts = ["%s %s" % (first.interpreter.implementation, first.interpreter.version),
             cores_phrase(first), "timed by the workers themselves around each call",
             "started %s" % first.started_at]
    per_sample = compared.ns_per_sample
    break_even = ""
    if per_sample:
        break_even = ("\nnumpy took %.1f ns a sample a worker: a report costing c µs outweighs "
                      "the chunk's work below c × %.0f samples a chunk" % (per_sample,
                                                                         1e3 / per_sample))
    return " · ".join(parts) + break_even


def sharing_figure(compared: SharingComparison, log: RunLog) -> Figure:
    """The share chart of a `gilviz share` job."""
    with matplotlib.rc_context(palette.RC):
        return _sharing_figure(compared, log)


def _sharing_figure(compared: SharingComparison, log: RunLog) -> Figure:
    figure = Figure(figsize=palette.FIGSIZE, dpi=palette.DPI)
    mechanisms, backends, y = rows(compared)
    colours = {backend: palette.backend_colour(backend, order)
               for order, backend in enumerate(backends)}
    figure.text(0.02, 0.975, "Sharing counts between workers: the cost of one report",
                fontsize=28, fontweight="bold", color=palette.INK, va="top")
    what, how = findings(compared)
    figure.text(0.02, 0.905, what, fontsize=17, color=palette.INK, va="top")
    figure.text(0.02, 0.865, how, fontsize=15, color=palette.MUTED, va="top")
    # a config that does not agree has its mismatch
    failed = [each.mismatch for each in compared.configs if each.mismatch is not None]
    if failed:  # each in full where two lines hold them, else short
        figure.add_artist(CaveatText(0.02, 0.827, [worded(each) for each in failed],
                                     rows=2, fontsize=14, color=palette.VERMILLION, va="top",
                                     linespacing=1.3, transform=figure.transFigure))
    else:
        figure.text(0.02, 0.827, "✓ in every run, the counts collected through each mechanism "
                    "add up exactly to the workers' own", fontsize=14, color=palette.BLUISH_GREEN,
                    va="top")
    handles: list[Artist] = [Patch(color=colours[backend], label=backend) for backend in backends]
    handles.append(Line2D([], [], color=palette.INK, linewidth=2.5, label="p99"))
    figure.legend(handles=handles, loc="upper right", bbox_to_anchor=(0.985, 0.84), ncol=3,
                  fontsize=14)
    grid = figure.add_gridspec(1, 2, width_ratios=[1.5, 1], wspace=0.05, left=LEFT,
                               right=0.975, top=0.74, bottom=0.17)
    costs, walls = figure.add_subplot(grid[0]), figure.add_subplot(grid[1])
    draw_costs(costs, compared, y, colours)
    mechanism_labels(costs, compared, mechanisms)
    costs.set_title("Cost of one report", loc="left")
    draw_walls(walls, compared, y, colours)
    walls.set_ylim(costs.get_ylim())
    walls.set_title("Wall time", loc="left")
    figure.text(0.975, 0.012, footnote(compared, log), fontsize=12, color=palette.MUTED,
                ha="right", va="bottom", linespacing=1.5)
    return figure
