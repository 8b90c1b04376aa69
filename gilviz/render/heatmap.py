"""The whole run on pixel columns: bands whose colour in each column mixes
the states by their share of it (analysis.raster), and beyond ~16 workers
a heat map, worker x time, coloured by the share held (or on a CPU).
Draws what the view holds; the shares are computed in analysis."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.colors import LinearSegmentedColormap, PowerNorm, to_rgba

from ..analysis import WAIT_GIL
from ..analysis.raster import active_share, exact_segments
from ..analysis.states import STATES
from ..report.words import worker_label
from . import palette
from .bands import BAND, MS, draw_run

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.colorbar import Colorbar
    from numpy.typing import NDArray

    from ..analysis.raster import ColumnShares
    from ..analysis.summary import RunStats
    from ..analysis.views import TimelineView
    from ..log import Run

LABELS_AT_MOST = 8
"""Worker names on a heat map's axis: every k-th, so that they never overlap."""
GAMMA = 0.5
"""The heat map's colour grows as the square root of the share held: 64
workers taking turns hold ~1/64 of each column each, which a linear scale
shows as white; the colour bar says the scale."""
BAR_TICKS = (0, 0.05, 0.25, 0.5, 1.0)


def state_colours() -> NDArray[np.float64]:
    """(STATES, 4) RGBA of each band state; transparent for a state without a colour."""
    colours = np.zeros((STATES, 4))
    for state, colour in palette.STATE_COLOURS.items():
        colours[state] = to_rgba(colour)
    return colours


def draw_columns(ax: Axes, columns: ColumnShares | None, y_of_worker: Mapping[int, float],
                 height: float = BAND) -> list[Artist]:
    """Each band's columns, coloured by the mix of its states' shares and
    as opaque as the share covered: what exact drawing, antialiased, would
    show of segments narrower than a pixel. Returns the images."""
    if columns is None or not columns.share.any():
        return []
    colours = state_colours()
    begin, end = columns.edges_ns[0] / MS, columns.edges_ns[-1] / MS
    artists: list[Artist] = []
    for row, index in enumerate(columns.workers):
        if index not in y_of_worker or not columns.share[row].any():
            continue
        share = columns.share[row]                       # (STATES, columns)
        covered = share.sum(axis=0)
        rgb = (share.T @ colours[:, :3]) / np.where(covered > 0, covered, 1)[:, None]
        image = np.concatenate((rgb, np.clip(covered, 0, 1)[:, None]), axis=1)[None]
        y = y_of_worker[index]
        artists.append(ax.imshow(image, extent=(begin, end, y - height / 2, y + height / 2),
                                 aspect="auto", interpolation="antialiased", zorder=2))
    return artists


def draw_whole_run(ax: Axes, run: Run, stats: RunStats, view: TimelineView,
                   y_of_worker: Mapping[int, float], marker_size: float = 36) -> list[Artist]:
    """A whole run's bands: segments narrower than a few pixels on pixel
    columns (draw_columns), the rest exactly. Drawn one by one, thousands of
    the old GIL's turns on a band left it the colour drawn last. Returns the
    artists."""
    exact = (view.segments if view.columns is None
             else exact_segments(view.segments, view.columns.narrower_than_ns))
    artists = draw_run(ax, run, stats, exact, y_of_worker, marker_size=marker_size)
    return artists + draw_columns(ax, view.columns, y_of_worker)


def heat_colours() -> LinearSegmentedColormap:
    """Transparent to blue: over any theme's background, the more held the bluer."""
    blue = to_rgba(palette.BLUE)
    return LinearSegmentedColormap.from_list("held", [blue[:3] + (0.0,), blue])


def faint(colour: str, opacity: float = 0.3) -> LinearSegmentedColormap:
    """Transparent to `colour` at `opacity`."""
    rgba = to_rgba(colour)
    return LinearSegmentedColormap.from_list("faint", [rgba[:3] + (0.0,), rgba[:3] + (opacity,)])


def draw_heat_map(ax: Axes, run: Run, view: TimelineView,
                  probed: bool) -> list[Artist | Colorbar]:
    """Worker x time, each cell coloured by the share of it the worker held
    the GIL (probe) or was on a CPU (sampled), over a faint orange where it
    waited for the GIL, with a colour bar at the right and every k-th
    worker named. Returns the artists."""
    columns = view.columns
    assert columns is not None  # a view drawn as a heat map has its columns
    shown = [row for row, index in enumerate(columns.workers)
             if index in {w.index for w in run.workers}]
    share = active_share(columns, probed)[shown]
    begin, end = columns.edges_ns[0] / MS, columns.edges_ns[-1] / MS
    extent = (begin, end, -0.5, len(shown) - 0.5)
    if probed:  # beneath, faintly, the share spent waiting for the GIL: who was there
        ax.imshow(columns.share[shown, WAIT_GIL], extent=extent, origin="upper", aspect="auto",
                  interpolation="antialiased", cmap=faint(palette.ORANGE), vmin=0, vmax=1)
    image = ax.imshow(share, extent=extent, origin="upper",
                      aspect="auto", interpolation="antialiased", cmap=heat_colours(),
                      norm=PowerNorm(GAMMA, vmin=0, vmax=1))
    names = [worker_label(run, columns.workers[row]) for row in shown]
    step = -(-len(names) // LABELS_AT_MOST)
    ticks = list(range(0, len(names), step))
    ax.set_yticks([len(names) - 1 - row for row in ticks])
    ax.set_yticklabels([names[row] for row in ticks], fontsize=11)
    ax.set_ylim(-0.5, len(names) - 0.5)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    bar_axes = ax.inset_axes((1.012, 0.0, 0.012, 1.0))
    bar = ax.figure.colorbar(image, cax=bar_axes)
    bar.ax.tick_params(labelsize=11)
    bar.set_ticks(BAR_TICKS)
    bar.set_ticklabels(["%g%%" % (100 * tick) for tick in BAR_TICKS])
    bar.outline.set_visible(False)
    # Beside the bar, not over it: over it, the label met the bar's top figure.
    bar.set_label("held" if probed else "on CPU", fontsize=13, color=palette.MUTED)
    return [image, bar]
