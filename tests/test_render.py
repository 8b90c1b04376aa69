"""Figures are written at the promised size and show what the run held."""

import sys

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb

from gilviz.analysis import RUNNING, WAIT_GIL, summarize, timeline_view
from gilviz.log import RunSpec
from gilviz.measure.runner import run_target
from gilviz.render import save_png, timeline_figure
from gilviz.render import palette

from helpers import png_size


@pytest.mark.slow
@pytest.mark.parametrize("backend, probe, sample_hz", [
    ("threads", True, 1000.0),
    ("processes", True, 1000.0),
    ("threads", False, 1000.0),   # bands from the sampler
    ("serial", False, 0.0),       # nothing but start and stop
])
def test_timeline_png(tmp_path, backend, probe, sample_hz):
    workers = 1 if backend == "serial" else 3
    run = run_target(RunSpec("countdown", backend, workers, 300_000, probe, sys.executable,
                             sample_hz))
    stats = summarize(run)
    path = save_png(timeline_figure(run, stats, timeline_view(run, stats)),
                    str(tmp_path / "timeline.png"))
    assert png_size(path) == (1920, 1080)


def battle_figure(battle):
    stats = summarize(battle)
    return timeline_figure(battle, stats, timeline_view(battle, stats))


def test_timeline_of_a_hand_built_battle_draws_every_hold(battle):
    whole = battle_figure(battle).axes[0]
    drawn = sum(len(collection.get_paths()) for collection in whole.collections
                if collection.get_paths() and len(collection.get_paths()[0].vertices) == 5)
    assert drawn == 3 + 2  # three holds and two gaps


def pixel(figure, pixels, ax, x_ms, y):
    """The RGB colour (0-1) of the pixel at data point (x_ms, y) of `ax`."""
    column, row = ax.transData.transform((x_ms, y))
    return pixels[int(round(figure.bbox.height - row)), int(round(column)), :3] / 255


@pytest.mark.parametrize("panel", [0, 1])  # the whole run and the zoom
def test_the_band_is_the_hold_colour_where_a_worker_held_the_gil(battle, panel):
    figure = battle_figure(battle)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())
    ax = figure.axes[panel]
    hold, wait = to_rgb(palette.STATE_COLOURS[RUNNING]), to_rgb(palette.STATE_COLOURS[WAIT_GIL])
    # Worker 0's band is at y = 1, worker 1's at y = 0 (worker 0 on top).
    assert pixel(figure, pixels, ax, 2.5, 1) == pytest.approx(hold, abs=0.02)
    assert pixel(figure, pixels, ax, 7.5, 1) == pytest.approx(wait, abs=0.02)
    assert pixel(figure, pixels, ax, 7.5, 0) == pytest.approx(hold, abs=0.02)
    assert pixel(figure, pixels, ax, 2.5, 0) == pytest.approx(wait, abs=0.02)
    # Between the bands: the background (white, or shaded where zoomed), no state.
    between = pixel(figure, pixels, ax, 2.5, 0.5)
    assert min(between) > 0.9 and max(between) - min(between) < 0.02
