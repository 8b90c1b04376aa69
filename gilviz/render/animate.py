"""The thread battle unfolding in time: a run's bands revealed behind a
moving time cursor, each worker's share of the time it held the GIL so far
counting up at the end of its band. Pillow (a matplotlib dependency) writes
the GIF; matplotlib's ffmpeg writer an MP4 where ffmpeg is installed.

Each frame moves a cursor, a curtain and a few texts over one drawn
figure; nothing is drawn twice but the frame itself.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..analysis.unfolding import held_until
from ..report.words import worded
from . import palette
from .bands import MS, draw_run, legend_handles, named_rows, rows_of_workers
from .formats import resize
from .header import draw_header
from .layout import fit_to_canvas
from .themes import restyle, theme_named
from .timeline import TIME_LABEL, title_lines

if TYPE_CHECKING:
    from matplotlib.lines import Line2D
    from matplotlib.text import Text
    from numpy.typing import NDArray

    from ..analysis.compare import Comparison
    from ..analysis.summary import RunStats
    from ..analysis.views import TimelineView
    from ..log import Run

SECONDS = 10.0
FRAMES_PER_SECOND = 10
HOLD_LAST_S = 1.5
"""The last frame stays this long before the loop starts again."""
SIZE = (1280, 720)


class AnimationError(ValueError):
    """What cannot be animated, or written."""


SMALLEST_TYPE = 17.0
"""The animation's smallest type in any theme, in points of the 16-inch
figure (19 pixels at its 1280x720): it is made for slides, as talk is."""
CLOCK_EDGE = 0.1
"""Within this share of the time axis of either end, the clock is set
against the cursor on the inner side, so that it stays over the bands."""


class Battle(NamedTuple):
    """The figure the frames are made of, and the artists each frame moves."""

    figure: Figure
    cursor: Line2D
    curtain: Rectangle
    clock: Text
    held: dict[int, Text]
    """{column: the text of a named band's share held so far}, the column
    the worker's place in the run (its column of held_until's shares)."""


def battle_figure(run: Run, stats: RunStats, view: TimelineView, comparison: Comparison | None,
                  partial: str | None = None) -> Battle:
    """The Battle of a run, with the header of its still chart: title,
    the first lines of facts (a `partial` log's mark first), its warnings
    and notes (in short where they do not fit) and the legend."""
    figure = Figure(figsize=palette.FIGSIZE, dpi=palette.DPI)
    title, facts = title_lines(run, stats, comparison, partial)
    # No zoom panel here: what the whole run shows is all the legend lists.
    handles = legend_handles(run, stats, view._replace(zoom_ns=(0, view.wall_ns)))
    draw_header(figure, title, facts[:2], [worded(each) for each in stats.warnings], handles,
                left=0.07, legend_columns=3, notes=[worded(each) for each in stats.notes],
                warning_rows=2)
    grid = figure.add_gridspec(1, 1, left=0.12, right=0.88, top=0.6, bottom=0.12)
    ax = figure.add_subplot(grid[0])
    y_of_worker = rows_of_workers(run)
    draw_run(ax, run, stats, view.segments, y_of_worker, marker_size=50)
    wall_ms = stats.wall_ns / MS
    ax.set_xlim(0, wall_ms * 1.01)
    ax.set_xlabel(TIME_LABEL)
    curtain = Rectangle((0, -1), wall_ms * 1.02, len(run.workers) + 1, facecolor="white",
                        edgecolor="none", zorder=5)
    ax.add_patch(curtain)
    cursor = ax.axvline(0, color=palette.VERMILLION, linewidth=3, zorder=6)
    clock = ax.text(0, 1.02, "", transform=ax.get_xaxis_transform(), ha="center",
                    va="bottom", fontsize=17, color=palette.VERMILLION, zorder=6)
    transform = ax.get_yaxis_transform()
    ax.text(1.01, len(run.workers) - 0.35, "held so far", transform=transform, va="bottom",
            ha="left", fontsize=14, color=palette.MUTED)
    named = named_rows(y_of_worker)
    held = {column: ax.text(1.01, y_of_worker[w.index], "", transform=transform, va="center",
                            ha="left", fontsize=18, fontweight="bold", color=palette.BLUE)
            for column, w in enumerate(run.workers) if y_of_worker[w.index] in named}
    return Battle(figure, cursor, curtain, clock, held)


def show_frame(battle: Battle, t_ns: float, shares: NDArray[np.float64]) -> None:
    """Move `battle` to time `t_ns`, each worker's share held so far `shares`
    (NaN: none yet). The clock stays over the bands, clear of the column of
    shares beside them."""
    ax = battle.cursor.axes
    assert ax is not None  # the cursor is drawn on the bands' axes
    x = t_ns / MS
    battle.cursor.set_xdata([x, x])
    battle.curtain.set_x(x)
    begin, end = ax.get_xlim()
    where = (x - begin) / max(end - begin, 1e-9)
    battle.clock.set_horizontalalignment(
        "left" if where < CLOCK_EDGE else "right" if where > 1 - CLOCK_EDGE else "center")
    battle.clock.set_x(x)
    battle.clock.set_text("%.0f ms" % x)
    for column, text in battle.held.items():
        share = shares[column]
        text.set_text("" if np.isnan(share) else "%.0f%%" % (100 * share))


def battle_canvas(run: Run, stats: RunStats, view: TimelineView, comparison: Comparison | None,
                  window_ns: tuple[int, int] | None = None, theme: str | None = None,
                  size: tuple[int, int] | None = None, dpi: float | None = None,
                  partial: str | None = None) -> Battle:
    """The Battle drawn in `theme` at `size` (SIZE), laid out with its
    widest clock and shares in place, spanning `window_ns` (the whole run)."""
    begin, end = window_ns if window_ns is not None else (0, stats.wall_ns)
    chosen = theme_named(theme)
    chosen = chosen._replace(smallest_type=max(chosen.smallest_type, SMALLEST_TYPE))
    with matplotlib.rc_context(chosen.rc):
        battle = _drawn(run, stats, view, comparison, partial)
    restyle(battle.figure, chosen)
    resize(battle.figure, size or SIZE, dpi)
    ax = battle.cursor.axes
    assert ax is not None  # the cursor is drawn on the bands' axes
    ax.set_xlim(begin / MS, end / MS)
    show_frame(battle, end, np.ones(len(run.workers)))  # the widest texts, for the layout
    fit_to_canvas(battle.figure, chosen.smallest_type)
    FigureCanvasAgg(battle.figure)
    return battle


def check_animation_path(path: str) -> None:
    """Refuse a file an animation cannot be written as."""
    extension = os.path.splitext(path)[1].lower()
    if extension not in (".gif", ".mp4"):
        raise AnimationError("%s: an animation is a .gif (or an .mp4 where ffmpeg is installed)"
                             % path)
    if extension == ".mp4" and shutil.which("ffmpeg") is None:
        raise AnimationError("ffmpeg is not installed here: write a .gif instead")


def animate(run: Run, stats: RunStats, view: TimelineView, comparison: Comparison | None,
            path: str, window_ns: tuple[int, int] | None = None, theme: str | None = None,
            size: tuple[int, int] | None = None, dpi: float | None = None,
            seconds: float = SECONDS, fps: int = FRAMES_PER_SECOND,
            progress: Callable[[int, int], None] | None = None,
            partial: str | None = None) -> str:
    """Write the battle of a run (its stats and view, already narrowed to
    what is shown) to `path` (.gif, or .mp4 with ffmpeg); returns the path.
    `window_ns` animates that stretch of the run only; `progress`, if
    given, is called with (frames drawn, frames) after each frame; a
    `partial` log (RunLog.incomplete) is marked as such."""
    check_animation_path(path)
    extension = os.path.splitext(path)[1].lower()
    begin, end = window_ns if window_ns is not None else (0, stats.wall_ns)
    battle = battle_canvas(run, stats, view, comparison, window_ns, theme, size, dpi, partial)
    frames = max(2, int(seconds * fps))
    times = np.linspace(begin, end, frames)
    shares = held_until(view.segments, [w.index for w in run.workers], times)
    canvas = battle.figure.canvas
    assert isinstance(canvas, FigureCanvasAgg)  # battle_canvas drew it on one
    images: list[NDArray[np.uint8]] = []
    for frame, t in enumerate(times):
        show_frame(battle, t, shares[frame])
        canvas.draw()
        images.append(np.asarray(canvas.buffer_rgba())[:, :, :3].copy())
        if progress is not None:
            progress(frame + 1, frames)
    if extension == ".gif":
        return write_gif(images, path, fps)
    return write_mp4(images, path, fps, battle.figure.dpi)


def _drawn(run: Run, stats: RunStats, view: TimelineView, comparison: Comparison | None,
           partial: str | None) -> Battle:
    with matplotlib.rc_context(palette.RC):
        return battle_figure(run, stats, view, comparison, partial)


def write_gif(images: Sequence[NDArray[np.uint8]], path: str, fps: int) -> str:
    """Frames as a looping GIF, the last held for HOLD_LAST_S; one palette
    for all, so that the colours do not flicker between frames."""
    from PIL import Image

    from ..log import atomic_write
    frames = [Image.fromarray(image) for image in images]
    palette = frames[-1].quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    frames = [frame.quantize(palette=palette, dither=Image.Dither.NONE) for frame in frames]
    durations = [round(1000 / fps)] * (len(frames) - 1) + [round(1000 * HOLD_LAST_S)]
    atomic_write(path, lambda stream: frames[0].save(
        stream, format="GIF", save_all=True, append_images=frames[1:], duration=durations,
        loop=0, optimize=False), mode="wb")
    return path


def write_mp4(images: Sequence[NDArray[np.uint8]], path: str, fps: int, dpi: float) -> str:
    from matplotlib.animation import FFMpegWriter
    height, width = images[0].shape[:2]
    figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    FigureCanvasAgg(figure)
    shown = figure.figimage(images[0])
    writer = FFMpegWriter(fps=fps)
    with writer.saving(figure, path, dpi):
        for image in images:
            shown.set_data(image)
            writer.grab_frame()
    return path
