"""The convoy figure: the I/O thread's requests drawn over the CPU threads'
bands (the whole run, then a window), the same window of the I/O thread
alone, and the latency histograms of both cases."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import matplotlib
import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, LogLocator

from ..report import (convoy_case_label, convoy_warnings, cores_phrase, format_duration,
                      format_interval, interpreter_label, requests_phrase)
from ..report.words import worded
from . import palette
from .bands import MS, band_rectangles, draw_hold_shares, draw_run, legend_handles, rows_of_workers
from .header import draw_header, header_bottom, provenance

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes

    from ..analysis.convoy import Convoy, ConvoyCase
    from ..analysis.waits import WaitStats
    from ..log import Run

ALONE, BESIDE = palette.BLUISH_GREEN, palette.INK
"""Colours of the two cases, requests and histograms: apart from every state
colour (vermillion would pass for the orange of a GIL wait)."""
REQUEST_BAND = 0.38
"""Height of a request's span inside the I/O thread's band."""
TIME_LABEL = "time since the workers were released (ms)"
LEGEND_COLUMNS = 3


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def draw_requests(ax: Axes, case: ConvoyCase, y: float, colour: str) -> list[Artist]:
    """Each request as a span from sent to answered, and a dot where the I/O
    thread had it in hand (the GIL back after its recv)."""
    trips = case.round_trips
    rectangles = band_rectangles(trips.start_ns, trips.stop_ns, y, REQUEST_BAND)
    # A hairline edge in the same colour keeps even a 30 µs request visible. (An array of
    # vertices, where matplotlib's stubs take only a sequence.)
    collection = PolyCollection(rectangles,  # type: ignore[arg-type]
                                facecolors=colour, edgecolors=colour, linewidths=0.6,
                                alpha=0.8, zorder=1)
    ax.add_collection(collection)
    served = case.served_ns / MS
    dots = ax.scatter(served, np.full(len(served), y + REQUEST_BAND / 2 + 0.08), marker="o",
                      s=14, color=palette.INK, zorder=3, linewidths=0)
    return [collection, dots]


def label_bands(ax: Axes, run: Run, io_worker: int) -> None:
    """Name the bands (format_bands put a tick a worker, in worker order)."""
    ax.set_yticklabels(["I/O thread" if w.index == io_worker else "CPU thread %d" % w.index
                        for w in run.workers])


def draw_case(ax: Axes, case: ConvoyCase, io_worker: int, colour: str,
              shares: bool = False) -> list[Artist]:
    """One run's bands (the I/O thread's holds only) with its requests;
    returns the artists."""
    run, stats = case.run, case.stats
    y_of_worker = rows_of_workers(run)
    artists = draw_run(ax, run, stats, case.view.segments, y_of_worker, marker_size=36)
    artists += draw_requests(ax, case, y_of_worker[io_worker], colour)
    label_bands(ax, run, io_worker)
    if shares:
        artists += draw_hold_shares(ax, stats, y_of_worker)
    return artists


def latency_ticks(value_us: float, _position: int | None) -> str:
    """1 ms, 10 ms, 100 µs: tick labels of a log axis in µs."""
    if value_us >= 1000:
        return "%g ms" % (value_us / 1000)
    return "%g µs" % value_us


def latency_of(case: ConvoyCase) -> WaitStats:
    """The latency of a case that answered requests."""
    assert case.latency is not None
    return case.latency


def case_legend(case: ConvoyCase) -> str:
    """"I/O thread alone: median 35 µs, p99 124 µs, max 243 µs"."""
    latency = latency_of(case)
    return "%s\nmedian %s · p99 %s · max %s" % (
        capitalised(convoy_case_label(case.run.spec)), format_duration(latency.median_ns),
        format_duration(latency.p99_ns), format_duration(latency.max_ns))


HISTOGRAM_ROOM = 2.1
"""The histogram's y range is this many times its tallest bar: the bars in
the lower half, the legend above them, clear of the bars and the lines."""


def draw_histograms(ax: Axes, cases: Sequence[ConvoyCase], colours: Sequence[str],
                    switch_interval_s: float) -> None:
    """Latency histograms on a log scale, the medians dashed, and the switch
    interval dotted for scale, each line up to just over the bars with the
    switch interval named at its top; the legend above them all."""
    sets = [(case.round_trips.stop_ns - case.round_trips.start_ns) / 1e3 for case in cases]  # µs
    known = [values for values in sets if len(values)]
    if not known:
        ax.text(0.5, 0.5, "no request was answered", transform=ax.transAxes, ha="center")
        return
    low = min(values.min() for values in known) / 1.3
    high = max(values.max() for values in known) * 1.3
    bins = np.geomspace(low, high, 48)
    tallest = 0
    for case, values, colour in zip(cases, sets, colours):
        if not len(values):
            continue
        # Bins as an array, where matplotlib's stubs take only a sequence.
        counts, _, _ = ax.hist(values, bins=bins,  # type: ignore[arg-type]
                               color=colour, alpha=0.45, label=case_legend(case))
        ax.hist(values, bins=bins, histtype="step", color=colour,  # type: ignore[arg-type]
                linewidth=2)
        tallest = max(tallest, np.max(counts))  # one data set: its counts
    top = tallest * HISTOGRAM_ROOM
    ax.set_ylim(0, top)
    reach = 1.08 / HISTOGRAM_ROOM  # the lines end just over the tallest bar
    for case, values, colour in zip(cases, sets, colours):
        if len(values):
            ax.axvline(latency_of(case).median_ns / 1e3, ymax=reach, color=colour, linewidth=2.2,
                       linestyle="--")
    interval_us = switch_interval_s * 1e6
    if low < interval_us < high:
        ax.axvline(interval_us, ymax=reach, color=palette.MUTED, linewidth=1.5, linestyle=":")
        ax.text(interval_us, reach, "switch interval", transform=ax.get_xaxis_transform(),
                fontsize=12, color=palette.MUTED, va="bottom", ha="center")
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(LogLocator(base=10))
    ax.xaxis.set_major_formatter(FuncFormatter(latency_ticks))
    ax.set_xlabel("latency, sent to answered (log scale)")
    ax.set_ylabel("requests")
    ax.legend(loc="upper left", fontsize=12, handlelength=1.2, borderaxespad=0.3, frameon=False)


def headline_lines(alone: ConvoyCase, beside: ConvoyCase) -> list[str]:
    """The figure's first line (how much worse beside CPU threads) and what
    was measured."""
    a, b = alone.latency, beside.latency
    label = convoy_case_label(beside.run.spec)
    if a is None or b is None:
        first = "%s: no latencies to compare (a case answered no request)" % label
    else:
        # Answered requests were answered at a rate.
        assert alone.per_second is not None and beside.per_second is not None
        first = ("%s, a request took %.0f× as long (median %s vs %s alone); "
                 "answered %s/s instead of %s/s" % (
                     capitalised(label), b.median_ns / a.median_ns,
                     format_duration(b.median_ns), format_duration(a.median_ns),
                     format(round(beside.per_second), ","),
                     format(round(alone.per_second), ",")))
    params = beside.run.spec.params
    assert params is not None  # a convoy's client is told how many requests to send
    asked = params["requests"]
    counts = [case.latency.count if case.latency else 0 for case in (alone, beside)]
    answered = "all answered in both cases" if counts == [asked, asked] else \
        "answered %d alone, %d beside" % tuple(counts)
    return [first, "A client process sent %s; %s" % (
        requests_phrase(params), answered)]


def convoy_figure(convoy: Convoy) -> Figure:
    """The figure of `convoy` (analysis.convoy)."""
    with matplotlib.rc_context(palette.RC):
        return _convoy_figure(convoy)


def _convoy_figure(convoy: Convoy) -> Figure:
    alone, beside, io_worker = convoy.alone, convoy.beside, convoy.io_worker
    beside_label, alone_label = (convoy_case_label(case.run.spec) for case in (beside, alone))
    run = beside.run
    interval = run.interpreter.switch_interval_s
    assert interval is not None  # a convoy forms at the switch interval
    figure = Figure(figsize=palette.FIGSIZE, dpi=palette.DPI)
    handles = legend_handles(run, beside.stats, beside.view)
    handles += [Patch(color=BESIDE, alpha=0.8, label="a request, sent to answered (%s)"
                      % beside_label),
                Patch(color=ALONE, alpha=0.8, label="a request (%s)" % alone_label),
                Line2D([], [], marker="o", linestyle="", markersize=5, color=palette.INK,
                       label="the I/O thread has it, and the GIL")]
    facts = headline_lines(alone, beside)
    bands = len(run.workers)
    grid = figure.add_gridspec(
        3, 2, height_ratios=[bands, bands, 1.2], width_ratios=[2, 1], hspace=0.75, wspace=0.14,
        left=0.1, right=0.935, top=header_bottom(len(facts), len(handles), LEGEND_COLUMNS) - 0.05,
        bottom=0.1)
    whole = figure.add_subplot(grid[0, :])
    zoom = figure.add_subplot(grid[1, 0])
    lone = figure.add_subplot(grid[2, 0])
    histogram = figure.add_subplot(grid[1:, 1])

    wall_ms = beside.stats.wall_ns / MS
    draw_case(whole, beside, io_worker, BESIDE, shares=True)
    whole.set_xlim(0, wall_ms * 1.01)
    whole.set_title("%s: the whole run" % capitalised(beside_label), loc="left")

    width = convoy.window_ns
    begin, end = beside.view.zoom_ns
    whole.axvspan(begin / MS, end / MS, color=palette.INK, alpha=0.08, zorder=0)
    draw_case(zoom, beside, io_worker, BESIDE)
    zoom.set_xlim(begin / MS, end / MS)
    zoom.set_title("A typical %.0f ms of it (shaded above)" % (width / MS), loc="left")

    draw_case(lone, alone, io_worker, ALONE)
    lone.set_xlim(*(t / MS for t in alone.view.zoom_ns))
    lone.set_title("The I/O thread alone: %.0f ms, the same scale" % (width / MS), loc="left")
    lone.set_xlabel(TIME_LABEL)

    draw_histograms(histogram, (alone, beside), (ALONE, BESIDE), interval)
    histogram.set_title("Latency of every request", loc="left")

    title = "The convoy effect · %s · %s · %s switch interval" % (
        interpreter_label(run), cores_phrase(run),
        format_interval(interval))
    warnings, notes = convoy_warnings(convoy, worded)
    draw_header(figure, title, facts, warnings, handles, left=0.1,
                legend_columns=LEGEND_COLUMNS, notes=notes, warning_rows=2)
    figure.text(0.935, 0.008, provenance(run, beside.stats, beside.view), fontsize=11,
                color=palette.MUTED, ha="right", va="bottom")
    return figure
