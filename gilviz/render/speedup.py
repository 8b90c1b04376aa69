"""The speedup chart of a sweep: speedup over serial against workers, one
curve per backend with the spread of the rounds, the ideal line and an
Amdahl fit each; beside it, the wall times. Drawn from the loaded log only,
so any saved sweep can be drawn again."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import matplotlib
import numpy as np
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from ..analysis.scaling import coinciding_fits
from ..report import fit_text, no_fit_text, task_phrase
from ..report.words import partial_mark, worded
from . import palette
from .header import CaveatText

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes

    from ..analysis.scaling import Point, Scaling, Spread
    from ..log import RunLog, RunSpec

WORK_UNITS = {"countdown": "iterations", "io": "tasks", "pi": "samples"}
MAX_LABELLED_TICKS = 16
LEFT = 0.065
HATCHES = ("//", "\\\\", "..", "xx", "--", "++")
"""One a backend: overlapping min–max bands stay apart instead of blending
into a grey like the serial band's."""
FIT_DASHES = (0, (5, 3))
DASH = 6
"""Length of a dash of fits that lie on one another: their dashes
interleave, so each backend's colour shows in turn."""


def fit_dashes(backend: str, groups: Iterable[Sequence[str]]) -> tuple[int, tuple[int, int]]:
    """The dash pattern of `backend`'s fit: FIT_DASHES, or where it lies in
    one of the coinciding `groups`, a dash and then room for the others'."""
    for group in groups:
        if backend in group:
            return (group.index(backend) * DASH, (DASH, DASH * (len(group) - 1)))
    return FIT_DASHES


def measured(points: Iterable[Point]) -> list[Point]:
    return [point for point in points if point.speedup is not None]


def speedup_of(point: Point) -> Spread:
    """The speedup of a point that measured() keeps."""
    assert point.speedup is not None
    return point.speedup


def draw_spread(ax: Axes, x: Sequence[int], spreads: Sequence[Spread], colour: str,
                hatch: str | None = None, label: str | None = None,
                scale: float = 1.0) -> list[Artist]:
    """Median line with markers over a min-max band, hatched with `hatch`
    and edged in the colour; returns the artists."""
    median = np.asarray([each.median for each in spreads]) * scale
    low = np.asarray([each.low for each in spreads]) * scale
    high = np.asarray([each.high for each in spreads]) * scale
    band = ax.fill_between(x, low, high, facecolor=to_rgba(colour, 0.12),
                           edgecolor=to_rgba(colour, 0.55), hatch=hatch, linewidth=0)
    edges = ax.plot(x, low, x, high, color=colour, linewidth=1, alpha=0.7, zorder=2)
    line, = ax.plot(x, median, color=colour, linewidth=3, marker="o", markersize=8,
                    label=label, zorder=3)
    return [band, *edges, line]


def draw_speedups(ax: Axes, scaling: Scaling, colours: Mapping[str, str]) -> list[Artist]:
    """The ideal line, each backend's speedups and its Amdahl fit (dashed)."""
    artists: list[Artist] = []
    grid = scaling.curve_workers
    assert grid is not None and scaling.ideal is not None  # sweep_scaling draws the curves
    artists += ax.plot(grid, scaling.ideal, color=palette.MUTED, linewidth=2, zorder=1)
    artists.append(ax.axhline(1, color=palette.GREY, linewidth=1.2, zorder=0))
    groups = coinciding_fits(scaling.backends)
    for order, backend in enumerate(scaling.backends):
        points = measured(backend.points)
        if not points:
            continue
        colour = colours[backend.backend]
        artists += draw_spread(ax, [p.workers for p in points], [speedup_of(p) for p in points],
                               colour, HATCHES[order % len(HATCHES)])
        disturbed = [p for p in points if p.disturbed and p.unexplained is None]
        if disturbed:  # other processes took the CPU during some of their runs
            artists.append(ax.scatter([p.workers for p in disturbed],
                                      [speedup_of(p).median for p in disturbed], s=520,
                                      facecolors="none", edgecolors=palette.INK, linewidths=2,
                                      zorder=5))
        unexplained = [p for p in points if p.unexplained is not None]
        if unexplained:  # the machine, not the workers, made these ratios
            artists.append(ax.scatter([p.workers for p in unexplained],
                                      [speedup_of(p).median for p in unexplained], s=520,
                                      facecolors="none", edgecolors=palette.INK,
                                      linewidths=2.5, linestyle="--", zorder=5))
        if backend.fit_curve is not None:
            artists += ax.plot(grid, backend.fit_curve, color=colour, linewidth=2.4,
                               linestyle=fit_dashes(backend.backend, groups), zorder=2)
    artists += ax.plot([1], [1], marker="o", markersize=11, color=palette.INK, zorder=4,
                       linestyle="")
    return artists


def draw_walls(ax: Axes, scaling: Scaling, colours: Mapping[str, str]) -> list[Artist]:
    artists: list[Artist] = []
    baseline = scaling.baseline_wall_s
    if baseline is not None:
        artists.append(ax.axhspan(baseline.low, baseline.high, color=palette.INK, alpha=0.1,
                                  linewidth=0))
        artists.append(ax.axhline(baseline.median, color=palette.INK, linewidth=2,
                                  linestyle=(0, (2, 2))))
    for order, backend in enumerate(scaling.backends):
        walls = [(p.workers, p.wall_s) for p in backend.points if p.wall_s is not None]
        if walls:
            artists += draw_spread(ax, [workers for workers, _ in walls],
                                   [wall for _, wall in walls], colours[backend.backend],
                                   HATCHES[order % len(HATCHES)])
    return artists


def mark_cores(ax: Axes, cores: int, top_workers: int, label: bool = True) -> list[Artist]:
    if cores > top_workers:
        return []
    artists: list[Artist] = [ax.axvline(cores, color=palette.INK, linewidth=1.5, linestyle=":",
                                        zorder=0)]
    if label:
        # Left of the line where it is the last worker count, not off the axes.
        at_edge = cores == top_workers
        artists.append(ax.text(cores, 0.985, " %d cores " % cores, color=palette.INK, fontsize=14,
                               transform=ax.get_xaxis_transform(),
                               ha="right" if at_edge else "left", va="top",
                               bbox=dict(facecolor="white", edgecolor="none", pad=1)))
    return artists


def format_workers_axis(ax: Axes, counts: Sequence[int]) -> None:
    ax.set_xlabel("workers")
    if len(counts) <= MAX_LABELLED_TICKS:
        ax.set_xticks(counts)
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(0.5, max(counts) + 0.5)
    ax.grid(axis="y", color=palette.GREY, alpha=0.5, linewidth=0.8)


def legend_handles(scaling: Scaling, colours: Mapping[str, str],
                   top_workers: int) -> list[Artist]:
    handles: list[Artist] = []
    for backend in scaling.backends:
        fit = ("Amdahl: %s" % fit_text(backend.fit) if backend.fit is not None
               else "no Amdahl fit: %s" % no_fit_text(backend))
        handles.append(Line2D([], [], color=colours[backend.backend], linewidth=3, marker="o",
                              markersize=8, label="%s · %s" % (backend.backend, fit)))
    handles.append(Line2D([], [], color=palette.INK, marker="o", markersize=11, linestyle="",
                          label="serial baseline"))
    handles.append(Line2D([], [], color=palette.MUTED, linewidth=2,
                          label=ideal_label(scaling, top_workers)))
    groups = coinciding_fits(scaling.backends)
    fit = "Amdahl fit (dashed, in the backend's colour)"
    if groups:  # one fit would hide the other: say why their dashes alternate
        fit = "Amdahl fit, dashed (%s: on one another, dashes alternating)" % "; ".join(
            " = ".join(group) for group in groups)
    handles.append(Line2D([], [], color=palette.MUTED, linewidth=2, linestyle=FIT_DASHES,
                          label=fit))
    handles.append(Patch(facecolor=to_rgba(palette.MUTED, 0.12), edgecolor=palette.MUTED,
                         hatch="//", linewidth=0,
                         label="min–max over the rounds (hatched in the backend's colour)"))
    points = [point for backend in scaling.backends for point in backend.points]
    if any(point.disturbed and point.unexplained is None for point in points):
        handles.append(Line2D([], [], color=palette.INK, marker="o", markersize=16,
                              markerfacecolor="none", linestyle="",
                              label="ringed: other processes took the CPU during a run"))
    if any(point.unexplained is not None for point in points):
        handles.append(Line2D([], [], color=palette.INK, marker="o", markersize=16,
                              markerfacecolor="none", linestyle="", markeredgewidth=1.2,
                              label="dashed ring: not a speedup (the summary says why)"))
    return handles


def ideal_label(scaling: Scaling, top_workers: int) -> str:
    if scaling.cpu_bound:
        return "ideal: min(workers, %d cores)" % scaling.cores
    assert scaling.cpu_share is not None  # not CPU-bound: a share was measured
    if scaling.capacity >= top_workers:
        return "ideal: speedup = workers (the serial run kept %.0f %% of a core busy)" % (
            100 * scaling.cpu_share)
    return "ideal: min(workers, %.1f = %d cores ÷ the serial run's %.0f %% CPU share)" % (
        scaling.capacity, scaling.cores, 100 * scaling.cpu_share)


def kernel_note(spec: RunSpec) -> str | None:
    """What each unit of work is, in words, where the kernel says."""
    params = spec.params or {}
    if spec.kernel == "io" and "wait_s" in params:
        return task_phrase(params)
    if params:
        return ", ".join("%s=%s" % item for item in sorted(params.items()))
    return None


def subtitle(log: RunLog, scaling: Scaling) -> tuple[str, str, str | None]:
    """What ran where; how it was measured; what a unit of work is, if the
    kernel says (None otherwise)."""
    spec = log.runs[0].spec
    interpreter = log.runs[0].interpreter
    gil = "" if interpreter.gil_enabled else ", GIL disabled"
    what = ["%s %s%s" % (interpreter.implementation, interpreter.version, gil),
            "%d cores" % scaling.cores,
            "%s %s split between the workers" % (format(scaling.work, ","),
                                                  WORK_UNITS.get(scaling.kernel, "work units"))]
    rounds = "%d round%s, interleaved" % (scaling.rounds, "" if scaling.rounds == 1 else "s")
    if log.sweep is not None and log.sweep.warmup:
        rounds += " (+%d warm-up)" % log.sweep.warmup
    how = [rounds, "probed kernel" if spec.probe else "plain kernel (no probe)",
           "sampler at %.0f Hz" % spec.sample_hz if spec.sample_hz > 0 else "sampler off"]
    mark = partial_mark(log.incomplete)
    if mark:
        what.insert(0, mark)
    return " · ".join(what), " · ".join(how), kernel_note(spec)


def capacity_words(scaling: Scaling) -> tuple[str, str | None]:
    """How many workers can run at once, and why: (limit, reason or None)."""
    if scaling.cpu_share is None:
        return "%d cores" % scaling.cores, None
    if scaling.cpu_bound:
        return "%d cores" % scaling.cores, (
            "CPU-bound: the serial run kept a core %.0f %% busy" % (100 * scaling.cpu_share))
    return "%.1f" % scaling.capacity, "%.1f = %d cores ÷ the serial run's CPU share (%.1f %%)" % (
        scaling.capacity, scaling.cores, 100 * scaling.cpu_share)


def footnote(log: RunLog, scaling: Scaling) -> str:
    """How the figures were made, in two lines."""
    method = "speedup = serial wall ÷ wall, paired by round · line: median of the rounds"
    limit, reason = capacity_words(scaling)
    fit = "Amdahl fit: least squares of 1/speedup on 1/min(workers, %s)" % limit
    if reason:
        fit += " · " + reason
    return "%s · sweep started %s\n%s" % (method, log.runs[0].started_at, fit)


def speedup_figure(log: RunLog, scaling: Scaling | None) -> Figure:
    """The speedup chart of the sweep in `log` (a loaded RunLog), drawn from
    its `scaling` (analysis.scaling.sweep_scaling)."""
    if scaling is None or scaling.runs_done == 0:
        raise ValueError("the log holds no counted run: nothing to draw")
    with matplotlib.rc_context(palette.RC):
        return _speedup_figure(log, scaling)


def line_height(points: float) -> float:
    """Figure fraction a line of type `points` high takes, with its spacing."""
    return 1.45 * points / (72 * palette.FIGSIZE[1])


def draw_header(figure: Figure, log: RunLog, scaling: Scaling,
                colours: Mapping[str, str]) -> float:
    """Title, subtitle lines, warnings and legend, top down; returns the
    figure fraction where the header ends."""
    title = "%s: speedup over serial, %s" % (scaling.kernel, worker_span(scaling.worker_counts))
    what, how, note = subtitle(log, scaling)
    lines = [(title, 28, palette.INK, "bold"), (what, 17, palette.INK, "normal"),
             (how, 15, palette.MUTED, "normal")]
    if note:
        lines.append((note, 15, palette.MUTED, "normal"))
    y = 0.975
    for text, size, colour, weight in lines:
        figure.text(LEFT, y, text, fontsize=size, color=colour, fontweight=weight, va="top")
        y -= line_height(size) + (0.012 if size == 28 else 0)
    if scaling.warnings:  # each in full where two lines hold them, else short
        said = CaveatText(LEFT, y, [worded(each) for each in scaling.warnings], rows=2,
                          fontsize=14, color=palette.VERMILLION, va="top", linespacing=1.3,
                          transform=figure.transFigure)
        figure.add_artist(said)
        y -= line_height(14) * len(said.get_text().split("\n"))
    handles = legend_handles(scaling, colours, max(scaling.worker_counts))
    figure.legend(handles=handles, loc="upper left", bbox_to_anchor=(LEFT - 0.005, y - 0.005),
                  ncol=2, fontsize=14, handlelength=2.4, columnspacing=2.0)
    rows = -(-len(handles) // 2)
    return y - 0.01 - rows * 1.25 * line_height(14)


def worker_span(counts: Sequence[int]) -> str:
    if len(counts) == 1:
        return "%d worker%s" % (counts[0], "" if counts[0] == 1 else "s")
    return "%d–%d workers" % (counts[0], counts[-1])


def _speedup_figure(log: RunLog, scaling: Scaling) -> Figure:
    figure = Figure(figsize=palette.FIGSIZE, dpi=palette.DPI)
    colours = {backend.backend: palette.backend_colour(backend.backend, order)
               for order, backend in enumerate(scaling.backends)}
    header_end = draw_header(figure, log, scaling, colours)
    grid = figure.add_gridspec(1, 2, width_ratios=[1.55, 1], wspace=0.22, left=LEFT,
                               right=0.975, top=header_end - 0.06, bottom=0.15)
    speedups, walls = figure.add_subplot(grid[0]), figure.add_subplot(grid[1])
    counts = scaling.worker_counts
    top = max(counts)

    draw_speedups(speedups, scaling, colours)
    mark_cores(speedups, scaling.cores, top)
    format_workers_axis(speedups, counts)
    highest = max([min(top, scaling.capacity), 1.0] +
                  [speedup_of(p).high for b in scaling.backends for p in measured(b.points)])
    speedups.set_ylim(0, highest * 1.1)
    speedups.set_ylabel("speedup over serial (×)")
    speedups.set_title("Speedup", loc="left")

    draw_walls(walls, scaling, colours)
    mark_cores(walls, scaling.cores, top)
    format_workers_axis(walls, counts)
    walls.set_ylim(0, None)
    walls.set_ylabel("wall time (s)")
    walls.set_title("Wall time (dashed: serial)", loc="left")

    figure.text(0.975, 0.012, footnote(log, scaling), fontsize=12, color=palette.MUTED,
                ha="right", va="bottom", linespacing=1.5)
    return figure
