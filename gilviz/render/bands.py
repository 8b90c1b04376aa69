"""A run's bands: one per worker, coloured by state, with start / stop
ticks, failed acquisitions, the sampler's on-CPU strip and the figures at
the bands' ends; the legend that explains them. Shared by every figure
that draws runs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..analysis import (HELD, NATIVE, OFF_CPU, ON_CPU, ON_CPU_SHARE, RAN, RUNNING, SLEEPING,
                        WAIT_GIL, WAIT_IO, WAITING)
from ..analysis.program import PROGRAM_KINDS
from ..report.words import worker_label
from . import palette

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from numpy.typing import ArrayLike, NDArray

    from ..analysis.states import Segments
    from ..analysis.summary import RunStats
    from ..analysis.views import BandShares, TimelineView
    from ..log import Run, ThreadSamples

BAND = 0.72
"""Height of a worker's band, in units of the distance between bands."""
MS = 1e6
SHARING_HEADERS = {HELD: "held", RAN: "ran", WAITING: "waiting", ON_CPU_SHARE: "on CPU"}


def band_rectangles(start_ns: ArrayLike, stop_ns: ArrayLike, y: ArrayLike,
                    height: float) -> NDArray[np.float64]:
    """Vertices of one rectangle per interval, x in ms, centred on y."""
    x0, x1 = np.asarray(start_ns) / MS, np.asarray(stop_ns) / MS
    y = np.broadcast_to(np.asarray(y, dtype=float), x0.shape)
    bottom, top = y - height / 2, y + height / 2
    return np.stack([np.stack(corner, axis=-1) for corner in
                     ((x0, bottom), (x0, top), (x1, top), (x1, bottom))], axis=1)


def draw_segments(ax: Axes, segments: Segments, y_of_worker: Mapping[int, float],
                  height: float = BAND) -> list[Artist]:
    """One PolyCollection per state; an edge as wide as a hairline keeps even
    the shortest interval visible. Returns the collections."""
    artists: list[Artist] = []
    y = np.asarray([y_of_worker[int(index)] for index in segments.worker], dtype=float)
    for state in np.unique(segments.state):
        mine = segments.state == state
        colour = palette.STATE_COLOURS[int(state)]
        # An (n, 4, 2) array of vertices, where matplotlib's stubs take only a sequence.
        collection = PolyCollection(
            band_rectangles(  # type: ignore[arg-type]
                segments.start_ns[mine], segments.stop_ns[mine], y[mine], height),
            facecolors=colour, edgecolors=colour, linewidths=0.6,
        )
        ax.add_collection(collection)
        artists.append(collection)
    return artists


def draw_start_stop(ax: Axes, run: Run, y_of_worker: Mapping[int, float],
                    height: float = BAND) -> list[Artist]:
    artists: list[Artist] = []
    for worker in run.workers:
        for t in (worker.start_ns, worker.stop_ns):
            if t is not None:
                y = y_of_worker[worker.index]
                artists += ax.plot([t / MS] * 2, [y - height / 2 - 0.06, y + height / 2 + 0.06],
                                   color=palette.INK, linewidth=2.5, solid_capstyle="butt")
    return artists


def draw_failed_acquisitions(ax: Axes, samples: ThreadSamples, rows: NDArray[np.intp],
                             y_of_worker: Mapping[int, float], height: float = BAND,
                             size: float = 70) -> list[Artist]:
    if len(rows) == 0:
        return []
    x = samples.t_ns[rows] / MS
    y = np.asarray([y_of_worker[int(i)] for i in samples.worker[rows]]) + height / 2 + 0.1
    # Clipped: the markers fit below the top of the y range, and unclipped ones
    # would stray outside a zoomed x range.
    return [ax.scatter(x, y, marker="v", s=size, color=palette.FAILED_ACQUISITION, zorder=4,
                       edgecolors="white", linewidths=0.5)]


def draw_sampled_on_cpu(ax: Axes, samples: ThreadSamples, y_of_worker: Mapping[int, float],
                        height: float = BAND) -> list[Artist]:
    """A thin strip under each band: where the sampler found the thread on a CPU."""
    on_cpu = samples.state == "R"
    x = samples.t_ns[on_cpu] / MS
    y = np.asarray([y_of_worker[int(i)] for i in samples.worker[on_cpu]]) - height / 2 - 0.09
    return [ax.scatter(x, y, marker="|", s=40, color=palette.SKY_BLUE, linewidths=1.2)]


LABELS_AT_MOST = 16
"""Bands named on a panel's axis: every k-th beyond this many (the layout
may name fewer where they would meet)."""


def named_rows(y_of_worker: Mapping[int, float]) -> set[int]:
    """The rows of bands a panel names (the first at the top, then every
    k-th): at most LABELS_AT_MOST."""
    count = len(y_of_worker)
    return set(range(count - 1, -1, -(-(-count // LABELS_AT_MOST))))


def format_bands(ax: Axes, run: Run, y_of_worker: Mapping[int, float]) -> None:
    rows = named_rows(y_of_worker)
    named = [w for w in run.workers if y_of_worker[w.index] in rows]
    ax.set_yticks([y_of_worker[w.index] for w in named])
    ax.set_yticklabels([worker_label(run, w.index) for w in named])
    ax.set_ylim(-0.7, len(run.workers) - 0.3)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)


def draw_shares(ax: Axes, share_of_worker: Mapping[int, float | None],
                y_of_worker: Mapping[int, float], header: str, colour: str) -> list[Artist]:
    """Each worker's share of the run, right of its band where the band is
    named (named_rows), under a header."""
    artists: list[Artist] = []
    transform = ax.get_yaxis_transform()
    rows = named_rows(y_of_worker)
    for index, share in share_of_worker.items():
        if share is not None and y_of_worker[index] in rows:
            artists.append(ax.text(1.005, y_of_worker[index], "%.0f%%" % (100 * share),
                                   transform=transform, va="center", ha="left", fontsize=15,
                                   fontweight="bold", color=colour))
    artists.append(ax.text(1.005, len(y_of_worker) - 0.35, header, transform=transform,
                           va="bottom", ha="left", fontsize=13, color=palette.MUTED))
    return artists


def rows_of_workers(run: Run) -> dict[int, int]:
    """The y of each worker's band: the first worker shown at the top."""
    return {w.index: len(run.workers) - 1 - row for row, w in enumerate(run.workers)}


def draw_run(ax: Axes, run: Run, stats: RunStats, segments: Segments,
             y_of_worker: Mapping[int, float], marker_size: float = 70) -> list[Artist]:
    """A run's bands, start / stop ticks and failed acquisitions, with the
    workers named on the y axis; returns the artists."""
    artists = draw_segments(ax, segments, y_of_worker)
    artists += draw_start_stop(ax, run, y_of_worker)
    artists += draw_failed_acquisitions(ax, run.threads, stats.failed_samples, y_of_worker,
                                        size=marker_size)
    format_bands(ax, run, y_of_worker)
    return artists


def draw_hold_shares(ax: Axes, stats: RunStats, y_of_worker: Mapping[int, float],
                     gil_enabled: bool = True) -> list[Artist]:
    """draw_shares of the time each worker held the GIL (without a GIL: ran),
    where the probe measured it; no artists otherwise."""
    if not any(w.hold_share is not None for w in stats.workers):
        return []
    return draw_shares(ax, {w.index: w.hold_share for w in stats.workers}, y_of_worker,
                       SHARING_HEADERS[HELD if gil_enabled else RAN], palette.BLUE)


def draw_band_shares(ax: Axes, shares: BandShares | None,
                     y_of_worker: Mapping[int, float]) -> list[Artist]:
    """draw_shares of a views.BandShares: what each worker held, waited or ran."""
    if shares is None:
        return []
    if shares.kind in (HELD, RAN):
        colour = palette.BLUE
    elif shares.kind == WAITING:
        assert shares.state is not None  # a share of waits names their state
        colour = palette.state_text_colour(shares.state)
    else:
        colour = palette.INK
    return draw_shares(ax, shares.share_of_worker, y_of_worker, SHARING_HEADERS[shares.kind],
                       colour)


def state_labels(run: Run, view: TimelineView) -> dict[int, str]:
    """The legend's words for each band state, where this run needs others."""
    labels = dict(palette.STATE_LABELS)
    if not run.interpreter.gil_enabled:
        labels[RUNNING] = "running Python (no GIL)"
    elif not view.shares_gil:
        labels[RUNNING] = "running Python (each has its own GIL)"
    if run.probe is None and view.waits_readable:
        labels[OFF_CPU] = "off CPU: another wait, or cannot tell"
    if run.spec.kernel in PROGRAM_KINDS:  # no kernel marks to tell Python from native code
        labels[ON_CPU] = "on a CPU: Python or native code"
        labels[WAIT_IO] = "in I/O: read, recv, accept, poll..."
        labels[SLEEPING] = "in time.sleep"
    if run.probe is None and run.gil_flags is not None and len(run.gil_flags.t_ns):
        labels[RUNNING] = "holds the GIL, runs Python (read)"
        labels[WAIT_GIL] = "waits for the GIL (read)"
        labels[NATIVE] = "on a CPU, no GIL: native code"
    return labels


def legend_handles(run: Run, stats: RunStats, view: TimelineView) -> list[Artist]:
    """Legend entries for the states shown at a visible size (the view's
    shown_states) and the marks on the bands."""
    labels = state_labels(run, view)
    handles: list[Artist] = []
    for state in view.shown_states:
        handles.append(Patch(color=palette.STATE_COLOURS[state], label=labels[state]))
    if view.holes_shown:
        handles.append(Patch(facecolor="white", edgecolor=palette.MUTED, linewidth=0.8,
                             label="not sampled (sampler paused)"))
    handles.append(Line2D([], [], color=palette.INK, linewidth=2.5, label="worker start / stop"))
    if len(stats.failed_samples):
        handles.append(Line2D([], [], marker="v", linestyle="", markersize=10,
                              color=palette.FAILED_ACQUISITION,
                              label="woke up, did not get the GIL (sampled)"))
    if run.sampler is not None and run.probe is not None:
        handles.append(Line2D([], [], marker="|", linestyle="", markersize=10,
                              color=palette.SKY_BLUE, label="on a CPU (sampled)"))
    return handles
