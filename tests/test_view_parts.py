"""The parts of a timeline's view that a million holds made slow, each held to
what the plain way gives: the zoom's window, the samples a zoom draws, the
gaps reused, and the CPU steps' data limits."""

import numpy as np
from matplotlib.figure import Figure

from gilviz.analysis import RUNNING, WAIT_GIL, Segments, summarize, timeline_view, worker_gaps
from gilviz.analysis.keyed import small_distinct, sorted_distinct
from gilviz.analysis.raster import column_shares
from gilviz.analysis.selection import only_window, only_workers
from gilviz.analysis.windows import equal_runs, storied_window
from gilviz.render.timeline import stairs

from helpers import MS, samples_table


def plain_storied_window(events, width, end):
    """storied_window without holes, every candidate counted by two searches."""
    events = np.sort(np.asarray(events, np.int64))
    latest = end - width
    if latest <= 0 or len(events) == 0:
        return 0
    candidates = sorted_distinct(np.concatenate((np.clip(events, 0, latest),
                                                 np.clip(events - width, 0, latest))))
    counts = (np.searchsorted(events, candidates + width, side="right")
              - np.searchsorted(events, candidates, side="left"))
    best = candidates[counts == counts.max()]
    return int(best[np.argmin(np.abs(best - latest // 2))])


def test_the_zoom_window_is_the_one_two_searches_a_candidate_find():
    rng = np.random.default_rng(5)
    for _ in range(500):
        events = rng.integers(-20, 220, rng.integers(1, 30))
        events = np.repeat(events, rng.integers(1, 3, len(events)))  # events at one time
        width, end = int(rng.integers(1, 60)), int(rng.integers(10, 200))
        assert storied_window(events, width, end) == plain_storied_window(events, width, end)


def test_of_two_windows_as_near_the_middle_the_earlier_is_taken():
    # Windows of 9 from 40 and from 60 hold two events each, 10 from the middle (50).
    assert storied_window([40, 49, 60, 69], 9, 109) == 40


def test_equal_runs_are_the_searches_of_each_value_in_its_own_array():
    for values in (np.array([1, 1, 2, 5, 5, 5, 7]), np.array([1, 2, 5, 7])):
        first, past = equal_runs(values)
        assert first.tolist() == np.searchsorted(values, values, side="left").tolist()
        assert past.tolist() == np.searchsorted(values, values, side="right").tolist()


def test_small_distinct_is_np_unique():
    for values in ([], [3, 1, 3, 0], [-1, 2, 2]):
        array = np.asarray(values, np.int16)
        assert small_distinct(array).tolist() == np.unique(array).tolist()


def round_robin(holds, workers=4):
    """Holds of 40 µs in turn, 10 µs apart, as segments with the waits between."""
    start = np.arange(holds, dtype=np.int64) * 50_000
    worker = (np.arange(holds) % workers).astype(np.int32)
    waits = worker[workers:], start[:-workers] + 40_000, start[workers:]
    return Segments(np.concatenate((worker, waits[0])),
                    np.concatenate((start, waits[1])),
                    np.concatenate((start + 40_000, waits[2])),
                    np.concatenate((np.full(holds, RUNNING, np.int8),
                                    np.full(holds - workers, WAIT_GIL, np.int8))))


def test_columns_where_every_segment_counts_are_those_counted_one_by_one():
    segments = round_robin(400)
    end = int(segments.stop_ns.max())
    alone = column_shares(segments, range(4), 0, end, columns=70)
    # One segment of a worker not drawn makes every segment go through the mask.
    stray = Segments(*(np.append(column, value) for column, value
                       in zip(segments, (9, 0, end, RUNNING))))
    masked = column_shares(stray, range(4), 0, end, columns=70)
    assert np.array_equal(alone.share, masked.share)
    # Each of 4 workers held 40 µs of every 200.
    assert np.allclose(alone.share[:, RUNNING, 1:-1].mean(axis=1), 0.2, atol=0.01)


def test_gaps_are_classified_once_for_the_same_holds(battle):
    gaps = worker_gaps(battle.holds, {0: 100, 1: 100})
    assert worker_gaps(battle.holds, {0: 100, 1: 100}) is gaps
    assert worker_gaps(battle.holds, {0: 100, 1: 101}) is not gaps  # another GIL each
    copied = battle.holds._replace(start_ns=battle.holds.start_ns.copy())
    again = worker_gaps(copied, {0: 100, 1: 100})
    assert again is not gaps and again.kind.tolist() == gaps.kind.tolist()


def test_a_zoom_keeps_its_windows_samples_and_every_failed_acquisition(battle):
    samples = [(t * MS, worker, "R") for t in range(1, 15) for worker in (0, 1)]
    run = battle._replace(threads=samples_table(samples))
    stats = summarize(run)
    failed = [(int(run.threads.t_ns[row]), int(run.threads.worker[row]))
              for row in stats.failed_samples]
    assert failed  # w1 on a CPU while w0 held, and the other way round
    view = timeline_view(run, stats)
    shown_run, shown_stats, shown = only_window(run, stats, view, (6 * MS, 8 * MS))
    times, workers = shown_run.threads.t_ns, shown_run.threads.worker
    kept = set(zip(times.tolist(), workers.tolist()))
    assert kept == {(t * MS, w) for t in (6, 7, 8) for w in (0, 1)} | set(failed)
    assert [(int(times[row]), int(workers[row])) for row in shown_stats.failed_samples] == failed
    assert np.all((shown.segments.stop_ns >= 6 * MS) & (shown.segments.start_ns <= 8 * MS))
    # Narrowed to a worker next, as a heat map's zoom is: the same as the other way round.
    one = only_workers(shown_run, shown_stats, shown, [1])
    other = only_workers(run, stats, view, [1])
    assert [t for t, worker in failed if worker == 1] == one[0].threads.t_ns[
        one[1].failed_samples].tolist() == other[0].threads.t_ns[other[1].failed_samples].tolist()


def test_cpu_steps_have_the_data_limits_of_matplotlibs_stairs():
    values = np.array([10.0, np.nan, 80.0, 55.0])
    edges = np.array([0.0, 50.0, 100.0, 150.0, 200.0])
    figure = Figure()
    ours, theirs = figure.subplots(2)
    patch = stairs(ours, values, edges, "red", linewidth=2.0, label="core 0")
    reference = theirs.stairs(values, edges, color="red", linewidth=2.0, label="core 0")
    assert np.array_equal(ours.dataLim.get_points(), theirs.dataLim.get_points())
    assert np.array_equal(patch.get_path().vertices, reference.get_path().vertices)
    assert patch.sticky_edges.y == reference.sticky_edges.y
    assert ours.get_legend_handles_labels()[1] == ["core 0"]
