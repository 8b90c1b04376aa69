"""Charts for slides: every kind of chart drawn again from its saved log, in
each format and theme, with every text on the canvas; bad input refused in
one line."""

import os
import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest
from matplotlib.text import Text

import gilviz
from helpers import MS, make_run, png_size, run_cli, sweep_log
from gilviz.api.kinds import result_of
from gilviz.log import CONVOY_SERVED_MARK, Marks, new_log
from gilviz.render.themes import THEMES


# Every test here draws full-size charts of every kind, in every format and theme:
# about 20 s in all, so they run with the slow ones.
pytestmark = pytest.mark.slow

LONG_ERROR = ("the worker's process ended with a long message that goes on and on about what "
              "happened, so that the warning line is far wider than any figure")


def battle_run(role="main", error=None, kernel="countdown", params=None, **spec):
    """Two threads taking turns for 15 ms, as the battle fixture; each worker
    failed with `error` if given (a warning a worker on the chart)."""
    holds = [(0, 0, 5 * MS, 0), (1, 5 * MS + 50_000, 10 * MS, 0),
             (0, 10 * MS + 50_000, 15 * MS, 0)]
    run = make_run([(0, 15 * MS), (5 * MS + 50_000, 10 * MS)], holds, role=role)
    workers = tuple(w._replace(error=error) for w in run.workers)
    return run._replace(workers=workers,
                        spec=run.spec._replace(kernel=kernel, params=params, **spec))


def convoy_marks(count):
    """`count` round trips of 300 µs the I/O thread (worker 0) answered."""
    start = np.arange(count, dtype=np.int64) * 1 * MS + 200_000
    kinds = ["round-trip"] * count + [CONVOY_SERVED_MARK] * count
    return Marks(np.zeros(2 * count, np.int32), np.concatenate([start, start + 250_000]),
                 np.asarray(kinds), np.concatenate([np.full(count, 300_000.0),
                                                    np.full(count, np.nan)]))


def convoy_log(error=None):
    params = {"requests": 12, "size": 32, "pause_s": 0.001, "time_limit_s": 60}
    runs = []
    for role in ("alone", "beside-cpu"):
        run = battle_run(role, error, kernel="convoy", params=params)
        runs.append(run._replace(marks=convoy_marks(12)))
    return new_log(runs)


def logs(error=None):
    """A log of every kind of job, hand-built; with `error`, each worker
    failed with it (long warnings)."""
    a = battle_run("a", error)
    b = battle_run("b", error, switch_interval_s=0.001)
    sweep = sweep_log(2, serial_walls=[1.0, 1.0], thread_walls={1: [1.0, 1.0], 2: [1.0, 1.1]},
                      process_walls={1: [1.0, 1.0], 2: [0.5, 0.6]})
    return {"run": new_log([battle_run(error=error)]), "speedup": sweep,
            "compare": new_log([a, b]), "convoy": convoy_log(error)}


KINDS = sorted(logs())


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """{kind: run directory} of every kind, saved as its command saves it."""
    root = tmp_path_factory.mktemp("runs")
    return {kind: result_of(log).save(str(root)) for kind, log in logs().items()}


def chart_of(run_dir):
    return next(os.path.join(run_dir, name) for name in os.listdir(run_dir)
                if name.endswith(".png"))


@pytest.mark.parametrize("kind", KINDS)
def test_drawing_a_saved_run_again_gives_the_same_png_bytes(saved, kind, tmp_path):
    again = gilviz.load(saved[kind]).render(str(tmp_path / "again.png"))
    with open(chart_of(saved[kind]), "rb") as first, open(again, "rb") as second:
        assert first.read() == second.read()


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_written_as_svg_with_its_title_and_as_pdf(saved, kind, tmp_path):
    result = gilviz.load(saved[kind])
    title = result.figure().texts[0].get_text()
    svg = result.render(str(tmp_path / "chart.svg"))
    root = ElementTree.parse(svg).getroot()
    assert root.tag.endswith("svg")
    assert title in "".join(root.itertext())
    with open(result.render(str(tmp_path / "chart.pdf")), "rb") as stream:
        assert stream.read(5) == b"%PDF-"


@pytest.mark.parametrize("size", [(1280, 720), (1000, 700), (3840, 2160)])
def test_a_png_has_the_size_asked(saved, size, tmp_path):
    path = gilviz.load(saved["run"]).render(str(tmp_path / "chart.png"), size=size)
    assert png_size(path) == size


def outside_the_canvas(figure):
    """The texts whose drawn extent passes an edge of `figure` (by over a pixel)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    FigureCanvasAgg(figure).draw()
    renderer = figure.canvas.get_renderer()
    width, height = figure.bbox.width, figure.bbox.height
    # Tick labels exist for ticks beyond an axis's view limits too; only
    # those of the ticks an axis draws count.
    tick_labels = {label for ax in figure.axes for axis in (ax.xaxis, ax.yaxis)
                   for tick in axis.get_major_ticks() + axis.get_minor_ticks()
                   for label in (tick.label1, tick.label2)}
    drawn = {label for ax in figure.axes for axis in (ax.xaxis, ax.yaxis)
             for tick in axis._update_ticks() for label in (tick.label1, tick.label2)}
    outside = []
    for text in figure.findobj(Text):
        if not text.get_visible() or not text.get_text().strip():
            continue
        if text in tick_labels and text not in drawn:
            continue
        box = text.get_window_extent(renderer)
        if box.x0 < -1 or box.y0 < -1 or box.x1 > width + 1 or box.y1 > height + 1:
            outside.append(text.get_text()[:60])
    return outside


@pytest.mark.parametrize("theme", ["light", "dark", "talk"])
@pytest.mark.parametrize("kind", KINDS)
def test_no_text_leaves_the_canvas_even_with_long_warnings(kind, theme):
    result = result_of(logs(error=LONG_ERROR)[kind])
    figure = result.figure(theme=theme)
    assert outside_the_canvas(figure) == []


def test_the_dark_theme_has_a_dark_background_and_light_ink(saved):
    figure = gilviz.load(saved["run"]).figure(theme="dark")
    assert max(figure.get_facecolor()[:3]) < 0.2
    assert min(figure.texts[0].get_color()[:3] if not isinstance(figure.texts[0].get_color(), str)
               else (0.9,)) > 0.8


def test_the_talk_theme_is_1280x720_with_larger_type(saved):
    gilviz.load(saved["run"]).figure()  # the light one first: restyling leaves it alone
    talk = gilviz.load(saved["run"]).figure(theme="talk")
    assert (talk.bbox.width, talk.bbox.height) == (1280, 720)
    assert min(t.get_fontsize() for t in talk.findobj(Text)) >= THEMES["talk"].smallest_type


def test_a_window_and_workers_narrow_the_timeline(saved):
    figure = gilviz.load(saved["run"]).figure(window_ns=(2 * MS, 6 * MS), workers=[1])
    whole, zoom = figure.axes[:2]
    assert zoom.get_xlim() == (2.0, 6.0)
    assert [label.get_text() for label in whole.get_yticklabels()] == ["thread 1"]


@pytest.mark.parametrize("argv, words", [
    (["--window", "20:30ms"], "outside the run"),
    (["--workers", "5"], "no worker 5"),
    (["--window", "30:20ms"], "BEGIN < END"),
    (["--size", "big"], "not a size"),
])
def test_bad_render_options_end_in_one_line_and_status_2(saved, argv, words, capsys):
    try:
        status, out, err = run_cli(["render", saved["run"]] + argv)
    except SystemExit as exit:  # refused by the option's parser, before loading
        status, err = exit.code, capsys.readouterr().err
    assert status == 2 and words in err and len(err.strip().splitlines()) == 1


def test_a_missing_or_broken_log_ends_in_one_line_and_status_2(tmp_path):
    broken = tmp_path / "run.json"
    broken.write_text("{")
    for path in (str(tmp_path / "nothing"), str(broken)):
        status, out, err = run_cli(["render", path])
        assert status == 2 and len(err.strip().splitlines()) == 1


def test_a_speedup_chart_has_no_window(saved):
    status, out, err = run_cli(["render", saved["speedup"], "--window", "0:1ms"])
    assert status == 2 and "no timeline" in err


def test_render_writes_beside_the_log_named_by_its_options(saved):
    status, out, err = run_cli(["render", saved["compare"], "--theme", "dark", "--format", "svg"])
    assert status == 0
    assert os.path.exists(os.path.join(saved["compare"], "compare-dark.svg"))


def test_the_battle_is_animated_as_a_gif(saved, tmp_path):
    from PIL import Image
    path = gilviz.load(saved["run"]).animate(str(tmp_path / "battle.gif"), seconds=0.5, fps=6)
    with Image.open(path) as image:
        assert image.format == "GIF" and image.n_frames == 3 and image.size == (1280, 720)


def test_only_a_timeline_is_animated(saved, tmp_path):
    status, out, err = run_cli(["render", saved["speedup"], "--animate",
                                str(tmp_path / "x.gif")])
    assert status == 2 and "only a run's timeline" in err
