"""Comparisons of two sides, request latencies and the new warnings, on
hand-built numbers."""

import numpy as np
import pytest

from gilviz.analysis import (ROUND_TRIP_MARKS, WAIT_IO, CoarseProbe, PinningMismatch,
                             UnexplainedPauses, coarse_probe, compare_sides,
                             completed_per_second, faster_side, pinning_mismatch, summarize,
                             typical_window, wait_spans, wait_stats)
from gilviz.log import Marks

from helpers import MS, make_run


def test_compare_sides_pairs_walls_and_takes_median_handoffs():
    sides = compare_sides([100, 90, 120], [200, 100, 300], [10, 30, 20], [100, 300, 200])
    assert sides.walls.ratio == pytest.approx(0.5)  # ratios 0.5, 0.9, 0.4
    assert (sides.walls.low, sides.walls.high) == (pytest.approx(0.4), pytest.approx(0.9))
    assert sides.walls.run_wall_ns == 100 and sides.walls.baseline_wall_ns == 200
    assert (sides.handoffs_a, sides.handoffs_b) == (20.0, 200.0)
    assert sides.handoff_ratio == pytest.approx(0.1)


def test_compare_sides_without_handoffs_or_with_none_on_b():
    unknown = compare_sides([1], [2], [None], [None])
    assert unknown.handoffs_a is None and unknown.handoff_ratio is None
    zero = compare_sides([1], [2], [5], [0])
    assert zero.handoffs_b == 0.0 and zero.handoff_ratio is None
    assert compare_sides([], [], [], []) is None


@pytest.mark.parametrize("a, b, expected", [
    ([100, 100, 100], [200, 150, 120], "a"),
    ([200, 150, 120], [100, 100, 100], "b"),
    ([100, 100, 100], [90, 110, 100], None),   # the pairs disagree
    ([100], [200], None),                      # one pair shows no spread
])
def test_faster_side(a, b, expected):
    assert faster_side(compare_sides(a, b, [None], [None]).walls) == expected


def round_trip_marks():
    """100 round trips of 10 .. 1000 ns, one sent every µs, between served marks
    and a request of another kind."""
    sent = np.arange(100) * 1000
    kinds = ["round-trip"] * 100 + ["served", "request"]
    return Marks(worker=np.zeros(102, np.int32), t_ns=np.append(sent, [5, 7]),
                 kind=np.array(kinds), value=np.append(np.arange(1, 101) * 10.0, [np.nan, 3.0]))


def test_round_trips_are_their_own_waits():
    trips = wait_spans(round_trip_marks(), ROUND_TRIP_MARKS)
    assert len(trips.start_ns) == 100 and (trips.state == WAIT_IO).all()
    assert trips.stop_ns[-1] == 99_000 + 1000
    # not a wait of the thread that recorded them: the default kinds leave them out
    assert wait_spans(round_trip_marks()).start_ns.tolist() == [7]


def test_latency_figures_of_hand_built_round_trips():
    trips = wait_spans(round_trip_marks(), ROUND_TRIP_MARKS)
    (latency,) = wait_stats(trips)
    assert latency.count == 100
    assert latency.median_ns == 505
    assert latency.p99_ns == 990  # 990.1, linear between the 99th and the 100th
    assert latency.max_ns == 1000
    # first sent at 0, last answered at 99_000 + 1000: 100 in 100 µs
    assert completed_per_second(trips) == pytest.approx(1e6)


def test_no_round_trips_no_rate():
    assert completed_per_second(wait_spans(round_trip_marks(), {"nothing": WAIT_IO})) is None


def pinned(cores, affinity):
    run = make_run([(0, MS)])
    return run._replace(spec=run.spec._replace(cores=cores),
                        interpreter=run.interpreter._replace(affinity=affinity))


def test_pinning_mismatch_only_where_the_target_got_other_cores():
    assert pinning_mismatch(pinned(None, [0, 1])) is None
    assert pinning_mismatch(pinned([1], [1])) is None
    assert pinning_mismatch(pinned([0, 1], [1])) == PinningMismatch(asked=(0, 1), got=(1,))


def test_coarse_probe_where_turns_are_near_the_probe_resolution():
    assert coarse_probe(0.005, 20_000) is None
    assert coarse_probe(0.005, None) is None
    assert coarse_probe(30e-6, 20_000) == CoarseProbe(switch_interval_s=30e-6, resolution_ns=20_000)


def test_io_workers_pauses_are_theirs_and_their_holds_not_chunks():
    # Worker 0 blocks in I/O: from 11 to 15 ms nobody holds the GIL, a pause
    # the rules cannot explain; worker 1 waits only while worker 0 runs.
    holds = [(0, 0, 1 * MS, -1), (1, 1 * MS, 5 * MS, 0), (0, 5 * MS, 6 * MS, -1),
             (1, 6 * MS, 10 * MS, 0), (0, 10 * MS, 11 * MS, -1), (0, 15 * MS, 16 * MS, -1)]
    run = make_run([(0, 16 * MS), (0, 10 * MS)], holds)
    # the I/O worker did 4 tasks: its clock reads are not a chunk's
    run = run._replace(workers=(run.workers[0]._replace(work=4),) + run.workers[1:])
    plain = summarize(run)
    assert plain.warnings == (UnexplainedPauses(count=1, total_ns=4 * MS),)
    io = summarize(run, io_workers=(0,))
    assert io.warnings == () and io.notes == ()
    # worker 1's holds and its reads inside them only: 8 ms over 400 chunks
    assert io.resolution_ns == pytest.approx(8 * MS / 400)


def test_the_typical_window_has_the_usual_waits_not_the_most():
    start = np.arange(7) * 10
    stop = start + np.array([1, 1, 1, 5, 9, 9, 9])  # median 5
    # windows of 15 hold two waits; those from 20 and from 30 have medians
    # 3 and 7, both 2 from 5: the one nearer the middle (42) wins
    assert typical_window(start, stop, 15, 100) == 30
    assert typical_window([], [], 15, 100) == 0
    assert typical_window(start, stop, 150, 100) == 0  # wider than the run
