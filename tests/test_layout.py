"""Every chart can be read from where it is shown: drawn at its theme's
size, no two texts (legends as one box) meet, none leaves the canvas, none
is smaller than the theme's smallest type (render.themes: 11 pt in light
and dark, 17 pt in talk and in the GIF, in points of the 16-inch figure),
no panel is lower than a line of it. Every kind of chart, in every theme,
with 0 to 6 warnings and 1 to 64 workers (layout_cases builds them by
hand); and what the issue found, one by one."""

import numpy as np
import pytest

from gilviz.render.animate import SMALLEST_TYPE as ANIMATION_TYPE, battle_canvas, show_frame
from gilviz.render.themes import THEMES

import layout_cases as cases
from layout_cases import layout_problems

THEME_NAMES = sorted(THEMES)

# (workers, warnings): the ends of both ranges, and some between.
RUNS = [(1, 0), (1, 6), (4, 0), (4, 6), (64, 0), (64, 6)]
BETWEEN = [(2, 1), (4, 2), (16, 3)]

MATRIX = (
    [("timeline", kind, workers, count) for kind in cases.TIMELINE_KINDS
     for workers, count in RUNS]
    + [("timeline", "threads", workers, count) for workers, count in BETWEEN]
    + [("partial", "threads", 4, 2)]
    + [("speedup", None, workers, count) for workers, count in RUNS[:2] + RUNS[4:] + [(16, 3)]]
    + [("compare", sides, workers, count) for sides, workers, count in (
        (2, 1, 0), (2, 4, 6), (3, 4, 3), (4, 4, 0), (4, 4, 6), (2, 64, 6), (4, 64, 2))]
    + [("convoy", None, 2, count) for count in (0, 3, 6)]
    + [("share", None, 2, count) for count in (0, 6)]
)


def result(chart, kind, workers, count):
    if chart == "timeline":
        return cases.timeline_with(kind, workers, count)
    if chart == "partial":
        return cases.timeline_with(kind, workers, count, partial=True)
    if chart == "speedup":
        return cases.speedup_with(workers, count)
    if chart == "compare":
        return cases.compare_with(kind, workers, count)
    if chart == "convoy":
        return cases.convoy_with(count)
    return cases.share_with(count)


def name(case):
    chart, kind, workers, count = case
    return "-".join(str(part) for part in (chart, kind, "%dw" % workers, "%dwarn" % count)
                    if part is not None)


@pytest.mark.slow  # ~170 full-size charts: about a minute and a half
@pytest.mark.parametrize("theme", THEME_NAMES)
@pytest.mark.parametrize("case", MATRIX, ids=[name(case) for case in MATRIX])
def test_every_chart_can_be_read(case, theme):
    assert layout_problems(result(*case).figure(theme=theme), theme) == []


def last_frame(kind, workers, count, theme, partial=False):
    """The GIF's last frame: the battle over, each worker's share in place."""
    shown = cases.timeline_with(kind, workers, count, partial)
    s = shown.summary
    battle = battle_canvas(s.shown, s.stats, s.view, s.comparison, theme=theme,
                           partial=shown.log.incomplete)
    show_frame(battle, s.stats.wall_ns, np.full(len(s.shown.workers), 0.25))
    return battle


GIFS = [("threads", workers, count) for workers, count in RUNS] + [("sampled", 4, 6)]


@pytest.mark.slow  # a frame of each, laid out as the GIF is
@pytest.mark.parametrize("theme", THEME_NAMES)
@pytest.mark.parametrize("kind, workers, count", GIFS)
def test_every_frame_of_the_gif_can_be_read(kind, workers, count, theme):
    battle = last_frame(kind, workers, count, theme)
    for t_ns, share in ((0, np.nan), (battle.cursor.axes.get_xlim()[1] * 5e5, 0.5)):
        assert layout_problems(battle.figure, theme, ANIMATION_TYPE) == []
        show_frame(battle, t_ns, np.full(workers, share))
    assert layout_problems(battle.figure, theme, ANIMATION_TYPE) == []


# What the issue found ----------------------------------------------------

def test_the_talk_chart_of_a_run_with_warnings_keeps_its_cpu_panel_readable():
    figure = cases.timeline_with("threads", 4, 2).figure(theme="talk")
    assert layout_problems(figure, "talk") == []
    cores = figure.axes[2]
    labels = [label.get_text() for label in cores.get_yticklabels() if label.get_visible()]
    assert labels == ["0", "50", "100"]
    title = cores._left_title.get_window_extent()
    assert not title.overlaps(cores.get_legend().get_window_extent())


def test_the_light_chart_keeps_the_cpu_title_off_its_legend_with_other_load():
    figure = cases.timeline_with("threads", 4, 1).figure()
    cores = figure.axes[2]
    assert "other processes" in " ".join(t.get_text() for t in cores.get_legend().get_texts())
    assert layout_problems(figure, "light") == []


def test_warnings_that_do_not_fit_are_said_short_and_whole():
    from gilviz.render.header import CaveatText
    from gilviz.report.words import worded
    figure = cases.timeline_with("threads", 4, 6).figure()
    said = next(text for text in figure.artists if isinstance(text, CaveatText))
    text = said.get_text().replace("\n", " ")
    assert "summary says it all" not in text
    for caveat in cases.warnings(6):  # every warning, whole, in one of its forms
        assert worded(caveat).full in text or worded(caveat).short in text
    assert worded(cases.warnings(2)[1]).short in text  # "other processes used 1.0 core: ..."


def test_a_partial_run_says_so_in_its_headline_and_its_gif():
    figure = cases.timeline_with("threads", 4, 0, partial=True).figure()
    assert figure.texts[1].get_text().startswith("partial: interrupted after 2 of 6 runs")
    battle = last_frame("threads", 4, 2, "light", partial=True)
    texts = [text.get_text() for text in battle.figure.texts + battle.figure.artists
             if hasattr(text, "get_text")]
    assert any(text.startswith("partial: interrupted after 2 of 6 runs") for text in texts)
    assert any(text.startswith("⚠ ") for text in texts)  # and its warnings


def test_the_gif_clock_stays_off_the_held_column_and_its_type_is_legible():
    battle = last_frame("threads", 4, 0, "light")
    renderer = battle.figure.canvas.get_renderer()
    clock = battle.clock.get_window_extent(renderer)
    heading = next(text for text in battle.cursor.axes.texts if text.get_text() == "held so far")
    assert not clock.overlaps(heading.get_window_extent(renderer))
    legend = battle.figure.legends[0]
    assert min(text.get_fontsize() for text in legend.get_texts()) >= ANIMATION_TYPE
    assert layout_problems(battle.figure, "light", ANIMATION_TYPE) == []
