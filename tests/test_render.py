"""Figures are written and are images of the promised size."""

import sys

import pytest

from gilviz.analysis import summarize
from gilviz.log import RunSpec
from gilviz.render import save_png, timeline_figure
from gilviz.measure.runner import run_target

from test_cli import png_size


@pytest.mark.parametrize("backend, probe, sample_hz", [
    ("threads", True, 1000.0),
    ("processes", True, 1000.0),
    ("threads", False, 1000.0),   # bands from the sampler
    ("serial", False, 0.0),       # nothing but start and stop
])
def test_timeline_png(tmp_path, backend, probe, sample_hz):
    workers = 1 if backend == "serial" else 3
    run = run_target(RunSpec("countdown", backend, workers, 300_000, probe, sys.executable, sample_hz))
    path = save_png(timeline_figure(run, summarize(run)), str(tmp_path / "timeline.png"))
    assert png_size(path) == (1920, 1080)


def test_timeline_of_a_hand_built_battle_draws_every_hold(battle):
    figure = timeline_figure(battle, summarize(battle))
    whole = figure.axes[0]
    drawn = sum(len(collection.get_paths()) for collection in whole.collections
                if collection.get_paths() and len(collection.get_paths()[0].vertices) == 5)
    assert drawn == 3 + 2  # three holds and two gaps
