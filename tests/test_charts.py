"""What a chart shows: legends that list only the states drawn at a visible
size, and a zoom that lands where the states change, not on holes where the
sampler paused. Hand-built runs whose every figure is known."""

import numpy as np
import pytest
from matplotlib.patches import Patch

from helpers import MS, hand_built_convoy, make_run
from gilviz.analysis import RUNNING, WAIT_GIL
from gilviz.analysis.shown import PANEL_PIXELS, VISIBLE_PIXELS, shown_states, visible
from gilviz.analysis.states import ON_CPU, OFF_CPU, Segments
from gilviz.analysis.windows import state_changes, storied_window
from gilviz.api.kinds import result_of
from gilviz.log import new_log
from gilviz.render.bands import state_labels


def segments(rows):
    """rows of (worker, start_ns, stop_ns, state)."""
    worker, start, stop, state = zip(*rows)
    return Segments(np.asarray(worker, np.int32), np.asarray(start, np.int64),
                    np.asarray(stop, np.int64), np.asarray(state, np.int8))


def test_a_state_under_a_pixel_of_every_panel_is_not_shown():
    wall = 3000 * MS
    bands = segments([(0, 0, 1000 * MS, ON_CPU), (0, 1000 * MS, 1001 * MS, RUNNING),
                      (0, 1001 * MS, wall, ON_CPU)])
    # 1 ms of 3 s is a third of a pixel; the zoom is elsewhere.
    assert shown_states(bands, [(0, wall), (2000 * MS, 2050 * MS)]) == (ON_CPU,)
    # In a 50 ms zoom the same millisecond is 20 pixels wide.
    assert shown_states(bands, [(0, wall), (990 * MS, 1040 * MS)]) == (RUNNING, ON_CPU)


def test_widths_add_up_over_the_workers_and_are_clipped_to_the_panel():
    least = VISIBLE_PIXELS * 1000 * MS // PANEL_PIXELS
    assert not visible([0, 10 * MS], [least // 2, 10 * MS + least // 3], [(0, 1000 * MS)])
    assert visible([0, 10 * MS], [least // 2, 10 * MS + least // 2], [(0, 1000 * MS)])
    # 1.5 ms of running Python in a 1 s run: drawn, but not to be found
    assert not visible([0], [1_500_000], [(0, 1000 * MS)])
    assert not visible([0], [2000 * MS], [(3000 * MS, 4000 * MS)])


def sampled_run(wall_ms, gil_wait_at_ms=(), pause_ms=(), off_cpu_at_ms=()):
    """Two sampled threads on a CPU for `wall_ms`, a sample a millisecond;
    worker 0 waits for the GIL in the milliseconds `gil_wait_at_ms`, worker
    1 is off CPU in `off_cpu_at_ms`; no sample in the milliseconds `pause_ms`."""
    rows, waits = [], []
    for t in range(wall_ms):
        if t in pause_ms:
            continue
        for worker in (0, 1):
            waiting = worker == 0 and t in gil_wait_at_ms
            off = worker == 1 and t in off_cpu_at_ms
            rows.append((t * MS, worker, "S" if waiting or off else "R"))
            waits.append("t" if waiting else "-")
    run = make_run([(0, wall_ms * MS), (0, wall_ms * MS)], samples=rows, probe=False)
    return run._replace(threads=run.threads._replace(wait=np.asarray(waits, dtype="<U1")))


def legend_state_labels(figure, run, view):
    """(the legend's state labels, those of the states the view shows)."""
    labels = state_labels(run, view)
    legends = figure.legends + [ax.get_legend() for ax in figure.axes if ax.get_legend()]
    drawn = {text.get_text() for legend in legends
             for handle, text in zip(legend.legend_handles, legend.texts)
             if isinstance(handle, Patch)}
    every = set(labels.values()) | {"not sampled (sampler paused)"}
    allowed = {labels[state] for state in view.shown_states}
    if view.holes_shown:
        allowed.add("not sampled (sampler paused)")
    return drawn & every, allowed


def views_of(result):
    """(run, view) of each timeline a result's chart draws."""
    summary = result.summary
    if hasattr(summary, "compared"):
        return [(side.shown, side.view) for side in (summary.compared.a, summary.compared.b)]
    if hasattr(summary, "beside"):
        return [(summary.beside.run, summary.beside.view)]
    return [(summary.shown, summary.view)]


def legend_logs():
    """A run and a comparison whose bands hold 1 ms of waiting for the GIL in
    3 s (invisible; the zoom lands on the changes of the other band)."""
    run = sampled_run(3000, gil_wait_at_ms=(1500,), off_cpu_at_ms=range(2500, 2540, 2))
    a, b = (run._replace(spec=run.spec._replace(role=role)) for role in ("a", "b"))
    return {"run": new_log([run]), "compare": new_log([a, b])}


@pytest.mark.parametrize("kind", sorted(legend_logs()))
def test_every_legend_lists_only_the_states_its_view_shows(kind):
    result = result_of(legend_logs()[kind])
    figure = result.figure()
    for run, view in views_of(result):
        assert WAIT_GIL in set(view.segments.state.tolist())
        assert WAIT_GIL not in view.shown_states
        listed, allowed = legend_state_labels(figure, run, view)
        assert listed <= allowed
        assert state_labels(run, view)[WAIT_GIL] not in listed


def test_the_convoy_legend_lists_only_the_states_its_view_shows():
    result = result_of(hand_built_convoy())
    figure = result.figure()
    for run, view in views_of(result):
        listed, allowed = legend_state_labels(figure, run, view)
        assert listed and listed <= allowed


def test_the_animation_legend_lists_only_the_states_its_view_shows():
    from gilviz.render.animate import battle_figure
    result = result_of(legend_logs()["run"])
    summary = result.summary
    figure = battle_figure(summary.shown, summary.stats, summary.view, None)[0]
    listed, allowed = legend_state_labels(figure, result.summary.shown, result.summary.view)
    assert listed <= allowed and state_labels(result.summary.shown, result.summary.view)[
        WAIT_GIL] not in listed


def test_holes_are_in_the_legend_when_they_can_be_seen():
    run = sampled_run(3000, pause_ms=range(200, 210))
    view = result_of(new_log([run])).summary.view
    assert view.holes_shown  # 8 ms of two bands: 5 pixels of the whole run
    run = sampled_run(3000, pause_ms=(200,))
    view = result_of(new_log([run])).summary.view._replace(zoom_ns=(1000 * MS, 1050 * MS))
    assert not view.holes_shown  # 1 ms of each band at the sampling's edges: under a pixel


def test_a_segment_resumed_after_a_hole_is_no_change():
    bands = segments([(0, 0, 10, ON_CPU), (0, 20, 30, ON_CPU), (0, 30, 40, OFF_CPU),
                      (1, 0, 35, OFF_CPU), (1, 35, 40, ON_CPU)])
    assert state_changes(bands).tolist() == [30, 35]


def test_the_zoom_lands_on_changes_and_shuns_holes():
    changes = [100, 110, 120, 130, 500, 510, 520, 530]
    # Alike, so the one nearer the middle wins; unless it lies in a stretch
    # half unsampled.
    assert storied_window(changes, 50, 1000) in range(480, 501)
    holes = segments([(0, 490, 540, -1), (1, 490, 540, -1)])
    assert storied_window(changes, 50, 1000, holes, lanes=2) in range(80, 101)
    # Where the changes are, not a window full of nothing.
    assert storied_window([700, 705, 710], 50, 1000) in range(660, 701)
    assert storied_window([], 50, 1000) == 0


def test_a_sampled_run_zooms_where_its_states_change_not_on_its_holes():
    # Worker 0 waits for the GIL every other millisecond from 2000 ms on;
    # the sampler paused every third millisecond from 500 to 600 ms.
    run = sampled_run(3000, gil_wait_at_ms=tuple(range(2000, 2100, 2)),
                      pause_ms=tuple(range(500, 600, 3)))
    begin, end = result_of(new_log([run])).summary.view.zoom_ns
    assert 1950 * MS <= begin and end <= 2150 * MS


def test_the_histogram_keeps_its_labels_clear_of_the_bars_and_lines():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle
    log = hand_built_convoy()
    # Round trips of 50 µs to 8 ms: the 5 ms switch interval among them.
    runs = []
    for run in log.runs:
        kinds = run.marks.kind
        value = run.marks.value.copy()
        trips = kinds == "round-trip"
        value[trips] = np.geomspace(50_000, 8_000_000, np.count_nonzero(trips))
        runs.append(run._replace(marks=run.marks._replace(value=value)))
    figure = result_of(log._replace(runs=runs)).figure()
    FigureCanvasAgg(figure).draw()
    renderer = figure.canvas.get_renderer()
    histogram = next(ax for ax in figure.axes
                     if ax.get_title(loc="left") == "Latency of every request")
    label = next(t for t in histogram.texts if t.get_text() == "switch interval")
    legend = histogram.get_legend().get_window_extent(renderer)
    bars = [p.get_window_extent(renderer) for p in histogram.patches
            if isinstance(p, Rectangle) and p.get_height() > 0]
    lines = [line.get_window_extent(renderer) for line in histogram.get_lines()
             if isinstance(line, Line2D)]
    box = label.get_window_extent(renderer)
    assert bars and lines
    assert not any(box.overlaps(bar) for bar in bars)
    assert not box.overlaps(legend)
    assert not any(legend.overlaps(line) for line in lines)
    assert not any(legend.overlaps(bar) for bar in bars)


def test_a_caveat_that_does_not_fit_its_line_is_said_short_never_cut():
    from gilviz.render.header import WARNING_LEAD, caveat_lines
    from gilviz.report.words import Worded
    long = Worded("a warning of many words that goes on and on " * 4, "a warning, in short")
    lines = caveat_lines([long, Worded("short", "short")], characters=100)
    assert lines == [WARNING_LEAD + "a warning, in short; short"]
    # Two lines hold both in full: no short form.
    middle = Worded(("a warning of some words " * 3).strip(), "a warning")
    assert caveat_lines([middle, middle], characters=80) == [
        WARNING_LEAD + middle.full + ";", middle.full]
    # More than two lines even in short: more lines, every caveat whole.
    many = [Worded("caveat number %d of many, in full and long" % n, "caveat %d said short" % n)
            for n in range(12)]
    lines = caveat_lines(many, characters=60)
    assert len(lines) > 2 and all(len(line) <= 60 for line in lines)
    assert all(("caveat %d said short" % n) in "\n".join(lines) for n in range(12))


def test_a_line_of_caveats_that_gives_its_room_counts_what_it_leaves_out():
    from gilviz.render.header import CaveatText
    from gilviz.report.words import Worded
    text = CaveatText(0, 0, [Worded("warning %d in full" % n, "warning %d" % n)
                             for n in range(6)], [Worded("a note", "a note")])
    assert text.fewer_lines() is False  # one line already: nothing to give
    text.limit = 1
    assert text.lines(len, 60) == ["⚠ warning 0; 5 more warnings and a note in the summary"]
    assert text.lines(len, 40) == ["⚠ 6 warnings and a note in the summary"]


def test_every_caveat_has_a_short_form_shorter_than_its_words():
    from gilviz.analysis import caveats
    from gilviz.report.words import CAVEAT_SHORT, CAVEAT_WORDS, worded
    from layout_cases import NOTES, SWEEP_WARNINGS, WARNINGS
    kinds = {value for value in vars(caveats).values()
             if isinstance(value, type) and hasattr(value, "kind")}
    assert set(CAVEAT_SHORT) == set(CAVEAT_WORDS) == kinds
    for caveat in WARNINGS + SWEEP_WARNINGS + NOTES:
        said = worded(caveat)
        assert len(said.short) <= min(len(said.full), 80)
    assert worded(WARNINGS[1]).short == "other processes used 1.0 core: times not trustworthy"
