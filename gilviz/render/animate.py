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

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..analysis.unfolding import held_until
from . import theme
from .bands import MS, draw_run, legend_handles, rows_of_workers
from .formats import resize
from .layout import fit_to_canvas
from .themes import restyle, theme_named
from .timeline import TIME_LABEL, title_lines

SECONDS = 10.0
FRAMES_PER_SECOND = 10
HOLD_LAST_S = 1.5
"""The last frame stays this long before the loop starts again."""
SIZE = (1280, 720)


class AnimationError(ValueError):
    """What cannot be animated, or written."""


def battle_figure(run, stats, view, comparison):
    """The figure the frames are made of, and the artists each frame moves:
    (figure, cursor, curtain, clock, {worker: held text})."""
    figure = Figure(figsize=theme.FIGSIZE, dpi=theme.DPI)
    title, facts = title_lines(run, stats, comparison)
    size = min(28, 28 * 62 / max(len(title), 1))
    figure.text(0.07, 0.965, title, fontsize=size, fontweight="bold", color=theme.INK, va="top")
    figure.text(0.07, 0.89, facts[0], fontsize=17, color=theme.INK, va="top")
    ax = figure.add_axes([0.12, 0.22, 0.76, 0.56])
    y_of_worker = rows_of_workers(run)
    draw_run(ax, run, stats, view.segments, y_of_worker, marker_size=50)
    wall_ms = stats.wall_ns / MS
    ax.set_xlim(0, wall_ms * 1.01)
    ax.set_xlabel(TIME_LABEL)
    curtain = ax.add_patch(Rectangle((0, -1), wall_ms * 1.02, len(run.workers) + 1,
                                     facecolor="white", edgecolor="none", zorder=5))
    cursor = ax.axvline(0, color=theme.VERMILLION, linewidth=3, zorder=6)
    clock = ax.text(0, 1.02, "", transform=ax.get_xaxis_transform(), ha="center",
                    va="bottom", fontsize=16, color=theme.VERMILLION, zorder=6)
    transform = ax.get_yaxis_transform()
    ax.text(1.01, len(run.workers) - 0.35, "held so far", transform=transform, va="bottom",
            ha="left", fontsize=14, color=theme.MUTED)
    held = {w.index: ax.text(1.01, y_of_worker[w.index], "", transform=transform, va="center",
                             ha="left", fontsize=18, fontweight="bold", color=theme.BLUE)
            for w in run.workers}
    # No zoom panel here: what the whole run shows is all the legend lists.
    handles = legend_handles(run, stats, view._replace(zoom_ns=(0, view.wall_ns)))
    figure.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.07, 0.01), ncol=3,
                  fontsize=13, handlelength=1.6)
    return figure, cursor, curtain, clock, held


def check_animation_path(path):
    """Refuse a file an animation cannot be written as."""
    extension = os.path.splitext(path)[1].lower()
    if extension not in (".gif", ".mp4"):
        raise AnimationError("%s: an animation is a .gif (or an .mp4 where ffmpeg is installed)"
                             % path)
    if extension == ".mp4" and shutil.which("ffmpeg") is None:
        raise AnimationError("ffmpeg is not installed here: write a .gif instead")


def animate(run, stats, view, comparison, path, window_ns=None, theme=None, size=None, dpi=None,
            seconds=SECONDS, fps=FRAMES_PER_SECOND, progress=None):
    """Write the battle of a run (its stats and view, already narrowed to
    what is shown) to `path` (.gif, or .mp4 with ffmpeg); returns the path.
    `window_ns` animates that stretch of the run only; `progress`, if
    given, is called with (frames drawn, frames) after each frame."""
    check_animation_path(path)
    extension = os.path.splitext(path)[1].lower()
    begin, end = window_ns if window_ns is not None else (0, stats.wall_ns)
    chosen = theme_named(theme)
    with matplotlib.rc_context(chosen.rc):
        figure, cursor, curtain, clock, held = _drawn(run, stats, view, comparison)
    restyle(figure, chosen)
    resize(figure, size or SIZE, dpi)
    fit_to_canvas(figure)
    ax = cursor.axes
    ax.set_xlim(begin / MS, end / MS)

    frames = max(2, int(seconds * fps))
    times = np.linspace(begin, end, frames)
    shares = held_until(view.segments, [w.index for w in run.workers], times)
    canvas = FigureCanvasAgg(figure)
    images = []
    for frame, t in enumerate(times):
        cursor.set_xdata([t / MS, t / MS])
        curtain.set_x(t / MS)
        clock.set_x(t / MS)
        clock.set_text("%.0f ms" % (t / MS))
        for column, text in enumerate(held.values()):
            share = shares[frame, column]
            text.set_text("" if np.isnan(share) else "%.0f%%" % (100 * share))
        canvas.draw()
        images.append(np.asarray(canvas.buffer_rgba())[:, :, :3].copy())
        if progress is not None:
            progress(frame + 1, frames)
    if extension == ".gif":
        return write_gif(images, path, fps)
    return write_mp4(images, path, fps, figure.dpi)


def _drawn(run, stats, view, comparison):
    with matplotlib.rc_context(theme.RC):
        return battle_figure(run, stats, view, comparison)


def write_gif(images, path, fps):
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


def write_mp4(images, path, fps, dpi):
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
