"""Analysis on hand-built intervals, with exact expected values."""

import numpy as np
import pytest

from gilviz import analysis
from gilviz.analysis import (OFF_CPU, ON_CPU, RUNNING, UNCLEAR, WAIT_CPU, WAIT_GIL,
                             UnexplainedPauses, WorkerFailed, busiest_window, classify_gaps,
                             compare_walls, failed_acquisitions, handoff_times, held_before,
                             holding_at, median_run, overlap_ns, sampled_segments, summarize,
                             turn_lengths, worker_gaps)

from helpers import MS, holds_table, make_run, samples_table


def test_classify_gaps_weighs_gil_evidence_before_run_delay():
    length = [100, 100, 100, 100, 100]
    cpu_wait = [0, 60, 60, 10, -1]
    gil_busy = [90, 90, 0, 10, 0]
    assert classify_gaps(length, cpu_wait, gil_busy).tolist() == [
        WAIT_GIL, WAIT_GIL, WAIT_CPU, UNCLEAR, UNCLEAR]


def test_held_before_counts_partial_and_whole_intervals():
    start, stop = [10, 30], [20, 40]
    assert held_before(start, stop, [0, 10, 15, 25, 35, 50]).tolist() == [0, 0, 5, 10, 15, 20]


def test_worker_gaps_of_a_battle(battle):
    gaps = worker_gaps(battle.holds, {0: 100, 1: 100})
    rows = sorted(zip(gaps.worker.tolist(), gaps.start_ns.tolist(), gaps.stop_ns.tolist(),
                      gaps.kind.tolist()))
    assert rows == [
        (0, 5 * MS, 10 * MS + 50_000, WAIT_GIL),  # w1 held 4.95 of these 5.05 ms
        (1, 0, 5 * MS + 50_000, WAIT_GIL),         # w0 held 5 of these 5.05 ms
    ]


def test_a_pause_with_no_other_worker_running_is_not_a_gil_wait():
    holds = holds_table([(0, 0, 1 * MS, 0), (0, 1 * MS + 200_000, 2 * MS, 0)])
    gaps = worker_gaps(holds, {0: 100, 1: 100})
    assert gaps.kind.tolist() == [UNCLEAR]


def test_a_preemption_is_a_cpu_wait():
    holds = holds_table([(0, 0, 1 * MS, 0), (0, 2 * MS, 3 * MS, 900_000)])
    assert worker_gaps(holds, {0: 100}).kind.tolist() == [WAIT_CPU]


def test_overlap():
    assert overlap_ns([0, 5, 20], [10, 15, 30]) == 5
    assert overlap_ns([0, 5, 20], [10, 15, 30], at_least=1) == 25
    assert overlap_ns([0, 10], [10, 20]) == 0  # touching is not overlapping
    assert overlap_ns([], []) == 0


def test_handoff_times_count_changes_of_worker_within_one_gil():
    worker = [0, 0, 1, 0, 2, 3]
    start = [0, 10, 20, 30, 0, 5]
    gil = [1, 1, 1, 1, 2, 2]  # workers 2 and 3 live under another GIL
    assert handoff_times(worker, start, gil).tolist() == [5, 20, 30]


def test_turns_run_from_hand_off_to_hand_off():
    # w0's first turn is split by an OS pause (0-2, 2.1-5): still one turn
    worker = [0, 0, 1, 0, 2]
    start = [0, 2100, 5050, 10050, 0]
    stop = [2000, 5000, 10000, 15000, 7000]
    gil = [1, 1, 1, 1, 2]
    assert sorted(turn_lengths(worker, start, stop, gil).tolist()) == [4950, 4950, 5000, 7000]


def test_holding_at_with_margins():
    start, stop = [10, 30], [20, 40]
    t = [9, 10, 12, 19, 25, 41]
    assert holding_at(start, stop, t).tolist() == [False, True, True, True, False, False]
    assert holding_at(start, stop, t, margin_ns=2).tolist() == [
        False, False, True, False, False, False]
    assert holding_at(start, stop, t, margin_ns=-2).tolist() == [
        True, True, True, True, False, True]


def test_failed_acquisitions_need_both_signals_clear_of_edges(battle):
    samples = samples_table([
        (2 * MS, 1, "R"),           # w1 on a CPU while w0 clearly holds: failed acquisition
        (2 * MS, 0, "R"),           # w0 holds and runs: agreement
        (3 * MS, 1, "S"),           # w1 asleep: nothing
        (5 * MS + 10_000, 1, "R"),  # at w0's hold edge: too close to call
        (7 * MS, 1, "R"),           # w1 holds and runs: agreement
    ])
    result = failed_acquisitions(battle.holds, samples, {0: 100, 1: 100}, margin_ns=20_000)
    assert result.failed.tolist() == [0]
    assert (result.agreeing, result.inside) == (2, 2)


def test_failed_acquisitions_ignore_workers_of_another_gil(battle):
    samples = samples_table([(2 * MS, 1, "R")])
    result = failed_acquisitions(battle.holds, samples, {0: 100, 1: 101}, margin_ns=20_000)
    assert result.failed.tolist() == []


def test_summarize_a_battle(battle):
    stats = summarize(battle)
    assert stats.wall_ns == 15 * MS
    assert stats.handoffs == 2
    # Worker 0's gap holds one chunk of its own: 9.95 ms held over 497 chunks
    # inside its holds, 20,020 ns, placed half at each end of the gap.
    chunk = 20_020
    assert stats.median_turn_ns == 4_950_000 + chunk // 2
    assert stats.overlap_ns == 0
    first, second = stats.workers
    assert (first.held_ns, first.wait_gil_ns, first.wait_cpu_ns, first.unclear_ns) == (
        9_950_000 + chunk, 5_050_000 - chunk, 0, 0)
    assert (second.held_ns, second.wait_gil_ns) == (4_950_000, 5_050_000)
    assert first.hold_share == pytest.approx((9_950_000 + chunk) / 15e6)
    assert stats.warnings == ()


def test_summarize_processes_has_no_handoffs_and_counts_overlap():
    run = make_run([(0, 10 * MS), (0, 10 * MS)], [(0, 0, 10 * MS, 0), (1, 0, 10 * MS, 0)],
                   backend="processes", pids=[100, 101])
    stats = summarize(run)
    assert stats.handoffs is None and stats.median_turn_ns is None
    assert stats.overlap_ns == 10 * MS


def test_summarize_without_probe_reports_no_holds():
    run = make_run([(0, 10 * MS)], probe=False)
    stats = summarize(run)
    assert stats.workers[0].held_ns is None
    assert stats.handoffs is None and stats.overlap_ns is None


def test_summarize_says_when_a_worker_failed_or_the_sampler_fell_behind(battle):
    failed = battle._replace(workers=(battle.workers[0]._replace(error="MemoryError: x"),)
                             + battle.workers[1:],
                             sampler=battle.sampler._replace(achieved_hz=300.0))
    warnings = summarize(failed).warnings
    assert WorkerFailed(0, "MemoryError: x") in warnings
    behind = [w for w in warnings if w.kind == "sampler-behind"]
    assert [w[:3] for w in behind] == [(300.0, 1000.0, battle.sampler.max_interval_ns)]


def test_summarize_says_how_much_is_unclear():
    run = make_run([(0, 20 * MS)], [(0, 0, 1 * MS, 0), (0, 1 * MS + 300_000, 20 * MS, 0)])
    stats = summarize(run)
    # the pause less the worker's own chunk of 20 us that it holds
    assert stats.notes == (UnexplainedPauses(count=1, total_ns=280_000),)
    assert stats.warnings == ()


def test_much_unexplained_time_is_a_warning():
    run = make_run([(0, 2 * MS)], [(0, 0, 1 * MS, 0), (0, 1 * MS + 300_000, 2 * MS, 0)])
    assert summarize(run).warnings == (UnexplainedPauses(count=1, total_ns=280_000),)


def test_compare_walls_pairs_in_order():
    comparison = compare_walls([110, 90, 120], [100, 100, 100])
    assert comparison.ratio == pytest.approx(1.1)
    assert (comparison.low, comparison.high, comparison.pairs) == (pytest.approx(0.9), 1.2, 3)
    assert (comparison.run_wall_ns, comparison.baseline_wall_ns) == (110, 100)
    assert compare_walls([1], []) is None


def test_median_run_takes_the_lower_middle():
    runs = [make_run([(0, wall)]) for wall in (30, 10, 20, 40)]
    assert analysis.wall_ns(median_run(runs)) == 20


def test_sampled_segments_stop_at_the_worker_and_at_long_pauses():
    samples = samples_table([(-5, 0, "S"), (0, 0, "R"), (10, 0, "R"), (20, 0, "S"), (100, 0, "R")])
    segments = sampled_segments(samples, {0: 105}, longest_ns=30)
    # The two R samples in a row make one segment.
    assert segments.start_ns.tolist() == [0, 20, 100]
    assert segments.stop_ns.tolist() == [20, 50, 105]
    assert segments.state.tolist() == [ON_CPU, OFF_CPU, ON_CPU]


def test_run_segments_of_a_battle_tile_each_worker(battle):
    segments = analysis.run_segments(battle)
    for index, worker in enumerate(battle.workers):
        mine = segments.worker == index
        order = np.argsort(segments.start_ns[mine])
        start, stop = segments.start_ns[mine][order], segments.stop_ns[mine][order]
        assert start[0] == 0 and stop[-1] == worker.stop_ns
        assert (start[1:] == stop[:-1]).all()
    assert set(segments.state.tolist()) == {RUNNING, WAIT_GIL}


def test_busiest_window_prefers_the_middle_among_ties():
    events = [0, 10, 20, 50, 60, 70, 150, 160, 170]
    assert busiest_window(events, 25, 200) == 50  # three windows hold 3; 50 is nearest 87
    assert busiest_window([5, 6, 7], 25, 200) == 5
    assert busiest_window(events, 500, 200) == 0


def old_gil(run, sleeps):
    """`run` as CPython 2.7 ran it, each worker having slept `sleeps` times."""
    interpreter = run.interpreter._replace(version="2.7.18", switch_interval_s=None,
                                           check_interval=100)
    workers = tuple(w._replace(sleeps=sleeps) for w in run.workers)
    return run._replace(interpreter=interpreter, workers=workers)


def test_the_old_gils_battle_is_counted_from_hand_offs_and_sleeps(battle):
    stats = summarize(old_gil(battle, sleeps=6))
    assert stats.handoffs == 2
    # 12 sleeps, 2 of which began a turn, over 15 ms
    assert stats.battle == analysis.Battle(cores=2, handoffs_per_s=2 / 0.015,
                                           failed_wakeups_per_s=10 / 0.015, kernel_share=None)
    assert summarize(battle).battle is None  # the new GIL hands over, it does not fight


def test_an_old_gil_run_without_sleeps_read_has_no_failed_wake_ups(battle):
    assert summarize(old_gil(battle, sleeps=None)).battle.failed_wakeups_per_s is None


def test_under_the_old_gil_a_gap_nobody_was_seen_holding_is_the_gil_in_transit():
    holds = [(0, 0, 1 * MS, 0), (0, 1 * MS + 300_000, 2 * MS, 0), (1, 2 * MS + 50_000, 3 * MS, 0)]
    run = make_run([(0, 2 * MS), (0, 3 * MS)], holds)
    assert summarize(run).workers[0].unclear_ns > 0  # the new GIL: cause unclear
    first = summarize(old_gil(run, sleeps=3)).workers[0]
    assert first.unclear_ns == 0 and first.wait_gil_ns > 0
