"""Runs with many workers and many short holds: heat map, zoom subset,
pixel columns and the compact worker table."""

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.image import AxesImage

from gilviz.analysis import summarize, timeline_view
from gilviz.api.results import selected
from gilviz.render import timeline_figure
from gilviz.report import summary_lines

from helpers import MS, make_run

US = 1000


def round_robin_run(workers, holds, hold_ns):
    """`workers` threads taking `holds` turns of `hold_ns` each in turn, 5 µs
    apart, read by a probe of 100 ns chunks (so that the chunk each gap holds
    moves no edge by more than 50 ns)."""
    starts = np.arange(holds) * (hold_ns + 5 * US)
    end = int(starts[-1] + hold_ns)
    table = [(i % workers, int(start), int(start + hold_ns), 0) for i, start in enumerate(starts)]
    return make_run([(0, end)] * workers, table, chunk_ns=100)


def draw(run, workers=None):
    stats = summarize(run)
    run, stats, view = selected(run, stats, timeline_view(run, stats), workers=workers)
    figure = timeline_figure(run, stats, view)
    FigureCanvasAgg(figure).draw()
    return figure, view


def test_sub_pixel_holds_are_drawn_by_their_share_not_as_full_bands():
    run = round_robin_run(4, 4000, 50 * US)
    figure, view = draw(run)
    whole = figure.axes[0]
    images = [artist for artist in whole.get_children() if isinstance(artist, AxesImage)]
    assert len(images) == 4  # one a band
    for image in images:  # each held about a quarter: its blue part a quarter opaque
        alpha = np.asarray(image.get_array())[0, 50:-50, 3]
        assert 0.95 < alpha.mean() <= 1.0  # held or waiting: the band is covered
    held = view.columns.share[:, 3, 50:-50]  # RUNNING
    assert np.all(np.abs(held.mean(axis=1) - 0.25 * 50 / 55) < 0.02)


def test_many_workers_make_a_heat_map_and_the_zoom_shows_eight_or_those_chosen():
    run = round_robin_run(40, 4000, 50 * US)
    figure, view = draw(run)
    assert view.heat_map and view.zoom_workers == tuple(range(8))
    whole, zoom = figure.axes[:2]
    assert len(whole.get_yticklabels()) <= 8
    assert len(zoom.get_yticklabels()) == 8
    assert "threads 0-7 of 40" in zoom.get_title(loc="left")
    figure, view = draw(run, workers=[3, 4, 5])
    assert view.zoom_workers == (3, 4, 5)
    assert "threads 3-5 of 40" in figure.axes[1].get_title(loc="left")


def test_many_workers_are_summed_up_min_median_max_and_short_turns_in_microseconds():
    run = round_robin_run(40, 4000, 50 * US)
    lines = summary_lines(run, summarize(run))
    assert any(line.split() == ["40", "threads", "min", "median", "max"] for line in lines)
    assert not any(line.startswith("thread 3") for line in lines)
    assert any("median turn 50 µs" in line for line in lines)
    few = make_run([(0, 10 * MS)] * 2, [(0, 0, 5 * MS, 0), (1, 5 * MS, 10 * MS, 0)])
    assert any(line.startswith("thread 1") for line in summary_lines(few, summarize(few)))
