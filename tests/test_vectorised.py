"""The analyses that handle a million holds in one numpy pass, against
straightforward loops over the same small random inputs: every figure the
same. The inputs crowd a few nanoseconds with holds, so that ties, touching
holds and holds of a single instant are common."""

import numpy as np
import pytest

from gilviz.analysis.gaps import classify_gaps, failed_acquisitions, worker_gaps
from gilviz.analysis.intervals import depth_steps, handoff_times, held_before, turn_lengths
from gilviz.analysis.keyed import (GroupedIntervals, grouped_held_at_edges, grouped_inside_any,
                                   lookup)
from gilviz.analysis.ordering import group_order
from gilviz.analysis.placement import placed_holds
from gilviz.log import Holds, ThreadSamples

SEEDS = range(40)


def random_holds(rng, workers=4, most=8):
    """Each worker's holds in time order, apart or touching, some of no
    length; the workers' rows interleaved at random, each keeping its order."""
    rows = []
    for worker in range(workers):
        t = int(rng.integers(-3, 5))
        for _ in range(int(rng.integers(0, most + 1))):
            t += int(rng.integers(0, 4))
            length = int(rng.integers(0, 6))
            rows.append((worker, t, t + length, int(rng.integers(-1, 10))))
            t += length
    place = rng.random(len(rows))
    for worker in range(workers):
        mine = [i for i, row in enumerate(rows) if row[0] == worker]
        place[mine] = np.sort(place[mine])
    rows = [rows[i] for i in np.argsort(place)]
    columns = list(zip(*rows)) if rows else [(), (), (), ()]
    return Holds(np.asarray(columns[0], np.int32), np.asarray(columns[1], np.int64),
                 np.asarray(columns[2], np.int64), np.asarray(columns[3], np.int64))


def random_samples(rng, workers=4, count=60):
    t = np.sort(rng.integers(-5, 70, count))
    return ThreadSamples(t_ns=t, worker=rng.integers(0, workers, count).astype(np.int32),
                         state=np.where(rng.random(count) < 0.6, "R", "S").astype("<U1"),
                         cpu=np.zeros(count, np.int16), cpu_ticks=np.zeros(count, np.int64),
                         wait=np.full(count, "-", "<U1"), run_delay_ns=np.full(count, -1))


def random_gils(rng, workers=4):
    """Two GILs, or one; ids as large as pids."""
    return {worker: 300_000 + int(rng.integers(0, 2)) for worker in range(workers)}


def rows_of(holds):
    return list(zip(holds.worker.tolist(), holds.start_ns.tolist(), holds.stop_ns.tolist()))


def in_order(indices, start):
    """Indices by start, ties in their order."""
    return sorted(indices, key=lambda i: start[i])


def held_before_by_loop(intervals, t):
    """held_before, spelt out: the intervals begun by t (sorted by start)
    counted in full but the last, which counts up to t."""
    begun = [(start, stop) for start, stop in intervals if start <= t]
    if not begun:
        return 0
    *done, (start, stop) = begun
    return sum(b - a for a, b in done) + min(max(t - start, 0), stop - start)


@pytest.mark.parametrize("seed", SEEDS)
def test_failed_acquisitions_are_those_a_loop_over_the_samples_finds(seed):
    rng = np.random.default_rng(seed)
    holds, samples, gil = random_holds(rng), random_samples(rng), random_gils(rng)
    margin = int(rng.integers(0, 3))
    rows = rows_of(holds)
    failed, agreeing, inside = [], 0, 0
    for row, (t, worker, state) in enumerate(zip(samples.t_ns.tolist(),
                                                 samples.worker.tolist(),
                                                 samples.state.tolist())):
        own = [(a, b) for w, a, b in rows if w == worker]
        clearly = any(a + margin <= t <= b - margin for a, b in own)
        maybe = any(a - margin <= t <= b + margin for a, b in own)
        # a hold shrunk to an instant or less holds nothing
        of_gil = any(a + margin < b - margin and a + margin <= t <= b - margin
                     for w, a, b in rows if gil[w] == gil[worker])
        inside += clearly
        agreeing += clearly and state == "R"
        if state == "R" and not maybe and of_gil:
            failed.append(row)
    result = failed_acquisitions(holds, samples, gil, margin)
    assert (result.failed.tolist(), result.agreeing, result.inside) == (failed, agreeing, inside)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("by_worker", [False, True])
def test_worker_gaps_are_those_a_loop_over_each_workers_holds_finds(seed, by_worker):
    rng = np.random.default_rng(seed)
    holds, gil = random_holds(rng), random_gils(rng)
    if by_worker:  # in the order the gaps are found in: taken where they lie
        gil = dict.fromkeys(gil, 300_000)
        holds = Holds(*(column[np.argsort(holds.worker, kind="stable")] for column in holds))
    rows = rows_of(holds)
    start = holds.start_ns.tolist()
    expected = []
    for worker in sorted(gil, key=lambda w: (gil[w], w)):
        mine = [i for i, row in enumerate(rows) if row[0] == worker]
        of_gil = in_order([i for i, row in enumerate(rows) if gil[row[0]] == gil[worker]], start)
        intervals = [rows[i][1:] for i in of_gil]
        begin = 0
        for i in mine:
            end = rows[i][1]
            busy = held_before_by_loop(intervals, end) - held_before_by_loop(intervals, begin)
            kind = int(classify_gaps([end - begin], [holds.cpu_wait_ns[i]], [busy])[0])
            if end > begin:
                expected.append((worker, begin, end, kind))
            begin = rows[i][2]
    gaps = worker_gaps(holds, gil)
    assert list(zip(*(column.tolist() for column in gaps))) == expected


def test_busy_time_of_a_gap_is_what_other_workers_held_in_it():
    # One GIL taken in turns: held_before of holds that never overlap is the plain sum.
    holds = Holds(np.array([0, 1, 2, 0, 1], np.int32), np.array([0, 10, 12, 20, 31]),
                  np.array([10, 12, 20, 30, 40]), np.full(5, -1))
    gaps = worker_gaps(holds, {0: 7, 1: 7, 2: 7})
    assert list(zip(gaps.worker.tolist(), gaps.start_ns.tolist(), gaps.stop_ns.tolist())) == [
        (0, 10, 20), (1, 0, 10), (1, 12, 31), (2, 0, 12)]
    assert gaps.kind.tolist() == [0, 0, 0, 0]  # all GIL waits: others held 10 of 10, ...


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("in_time_order", [False, True])
def test_placed_holds_are_those_a_loop_over_each_gap_places(seed, in_time_order):
    rng = np.random.default_rng(seed)
    holds = random_holds(rng)
    gils = random_gils(rng)
    if in_time_order:  # as one GIL's holds are logged: clipped where they lie
        holds = Holds(*(column[np.argsort(holds.start_ns, kind="stable")] for column in holds))
        gils = dict.fromkeys(gils, 300_000)
    gil = lookup(gils, holds.worker)
    chunk = rng.integers(0, 6, 4)
    start, stop = holds.start_ns.tolist(), holds.stop_ns.tolist()
    new_start, new_stop = list(start), list(stop)
    for worker in range(4):
        mine = in_order(np.flatnonzero(holds.worker == worker).tolist(), start)
        for a, b in zip(mine, mine[1:]):
            half = min(int(chunk[worker]), max(start[b] - stop[a], 0)) // 2
            new_stop[a] += half
            new_start[b] -= half
    for each in set(gil.tolist()):
        mine = in_order(np.flatnonzero(gil == each).tolist(), start)
        for a, b in zip(mine, mine[1:]):
            if stop[a] <= start[b]:
                middle = (stop[a] + start[b]) // 2
                new_stop[a] = min(new_stop[a], middle)
                new_start[b] = max(new_start[b], middle)
    placed = placed_holds(holds, chunk, gil)
    assert (placed.start_ns.tolist(), placed.stop_ns.tolist()) == (new_start, new_stop)


@pytest.mark.parametrize("seed", SEEDS)
def test_turns_and_hand_offs_are_those_a_loop_over_each_gils_holds_finds(seed):
    rng = np.random.default_rng(seed)
    holds = random_holds(rng)
    gil = lookup(random_gils(rng), holds.worker)
    worker, start, stop = (holds.worker.tolist(), holds.start_ns.tolist(),
                           holds.stop_ns.tolist())
    turns, handoffs = [], []
    for each in sorted(set(gil.tolist())):
        mine = in_order(np.flatnonzero(gil == each).tolist(), start)
        first = mine[0]
        for before, after in zip(mine, mine[1:] + [None]):
            if after is None or worker[after] != worker[before]:
                turns.append(stop[before] - start[first])
                if after is not None:
                    handoffs.append(start[after])
                    first = after
    assert turn_lengths(holds.worker, holds.start_ns, holds.stop_ns, gil).tolist() == turns
    assert handoff_times(holds.worker, holds.start_ns, gil).tolist() == sorted(handoffs)


@pytest.mark.parametrize("seed", SEEDS)
def test_inside_any_holds_a_time_that_any_interval_of_its_group_holds(seed):
    rng = np.random.default_rng(seed)
    count = int(rng.integers(0, 12))
    group = rng.integers(0, 3, count)
    start = rng.integers(0, 30, count)
    stop = start + rng.integers(0, 8, count)  # overlapping, some of no length
    t_group, t = rng.integers(0, 3, 50), rng.integers(-2, 40, 50)
    margin = int(rng.integers(0, 3))
    expected = [any(g == tg and a + margin < b - margin and a + margin <= x <= b - margin
                    for g, a, b in zip(group, start, stop)) for tg, x in zip(t_group, t)]
    assert grouped_inside_any(group, start, stop, t_group, t, margin).tolist() == expected
    # One group, in order (one GIL's holds as they began): searched where they lie.
    start = np.sort(start)
    stop = start + rng.integers(0, 8, count)
    expected = [tg == 0 and any(a + margin < b - margin and a + margin <= x <= b - margin
                                for a, b in zip(start, stop)) for tg, x in zip(t_group, t)]
    one = np.zeros(count, np.int64)
    assert grouped_inside_any(one, start, stop, t_group, t, margin).tolist() == expected


@pytest.mark.parametrize("seed", SEEDS)
def test_held_before_counts_as_a_loop_over_the_intervals_begun(seed):
    rng = np.random.default_rng(seed)
    holds = random_holds(rng, workers=1)
    t = rng.integers(-5, 60, 30)
    intervals = list(zip(holds.start_ns.tolist(), holds.stop_ns.tolist()))
    assert held_before(holds.start_ns, holds.stop_ns, t).tolist() == [
        held_before_by_loop(intervals, x) for x in t.tolist()]


@pytest.mark.parametrize("seed", SEEDS)
def test_held_at_edges_as_a_loop_finds_it_apart_or_overlapping(seed):
    rng = np.random.default_rng(seed)
    holds = random_holds(rng, workers=3)
    # One group a worker: its holds never overlap (the running totals); all in
    # one group: they do (each edge searched for).
    in_time_order = Holds(*(column[np.argsort(holds.start_ns, kind="stable")]
                            for column in holds))
    for group, holds in ((holds.worker, holds), (np.zeros(len(holds.worker), np.int64), holds),
                         (np.zeros(len(holds.worker), np.int64), in_time_order)):
        start, stop = holds.start_ns.tolist(), holds.stop_ns.tolist()
        at_start, at_stop = grouped_held_at_edges(group, holds.start_ns, holds.stop_ns)
        for i, g in enumerate(group.tolist()):
            mine = [(start[j], stop[j]) for j in in_order(
                np.flatnonzero(group == g).tolist(), start)]
            assert at_start[i] == held_before_by_loop(mine, start[i])
            assert at_stop[i] == held_before_by_loop(mine, stop[i])


@pytest.mark.parametrize("seed", SEEDS)
def test_grouped_intervals_count_and_find_as_a_loop_over_the_times(seed):
    rng = np.random.default_rng(seed)
    holds, samples = random_holds(rng), random_samples(rng)
    margin = int(rng.integers(-2, 3))
    rows = rows_of(holds)
    inside = [any(w == worker and a + margin <= t <= b - margin for w, a, b in rows)
              for t, worker in zip(samples.t_ns.tolist(), samples.worker.tolist())]
    grouped = GroupedIntervals(holds.worker, holds.start_ns, holds.stop_ns, samples.worker,
                               samples.t_ns, margin)
    assert grouped.holding_at(samples.worker, samples.t_ns, margin).tolist() == inside
    assert grouped.inside_count(samples.worker, samples.t_ns, margin) == sum(inside)
    few = slice(0, 3)  # fewer times than intervals: each searched for
    assert grouped.inside_count(samples.worker[few], samples.t_ns[few], margin) == sum(inside[few])


@pytest.mark.parametrize("seed", SEEDS)
def test_group_order_is_numpys_lexsort(seed):
    rng = np.random.default_rng(seed)
    count = int(rng.integers(0, 40))
    t = rng.integers(0, 5, count)
    for group in (rng.integers(0, 3, count), rng.integers(0, 3, count) * 100_000,
                  rng.integers(-2, 2, count), np.sort(rng.integers(0, 3, count)),
                  np.full(count, 7)):
        assert group_order(group, t).tolist() == np.lexsort((t, group)).tolist()
        assert group_order(group).tolist() == np.argsort(group, kind="stable").tolist()
    ordered = np.lexsort((t, t % 2))
    assert group_order((t % 2)[ordered], t[ordered]).tolist() == list(range(count))


@pytest.mark.parametrize("seed", SEEDS)
def test_lookup_finds_each_keys_value_as_the_mapping_does(seed):
    rng = np.random.default_rng(seed)
    mapping = {int(key): int(rng.integers(0, 10**6)) for key in rng.integers(-5, 40, 6)}
    known = np.array(sorted(mapping))
    for keys in (rng.choice(known, 50).astype(np.int32),  # a small range: through a table
                 rng.choice(known, 3) * 10**9):  # spread out: each searched for
        mapping.update({int(key): 7 for key in keys if int(key) not in mapping})
        assert lookup(mapping, keys).tolist() == [mapping[key] for key in keys.tolist()]


@pytest.mark.parametrize("seed", SEEDS)
def test_depth_steps_close_before_they_open_as_numpys_lexsort_orders_them(seed):
    rng = np.random.default_rng(seed)
    count = int(rng.integers(0, 30))
    start = rng.integers(0, 20, count)
    stop = start + rng.integers(0, 5, count)  # overlapping, touching, some of no length
    times = np.concatenate((start, stop))
    steps = np.concatenate((np.ones(count, np.int64), -np.ones(count, np.int64)))
    order = np.lexsort((steps, times))
    found = depth_steps(start, stop)
    assert (found[0].tolist(), found[1].tolist()) == (times[order].tolist(),
                                                      np.cumsum(steps[order]).tolist())
