"""Where the probe's holds are placed: each gap's own chunk."""

import numpy as np

from gilviz.analysis.placement import chunk_times_ns, placed_holds
from helpers import holds_table

US = 1000


def test_a_workers_chunk_time_is_its_held_time_over_the_chunks_inside_its_holds():
    holds = holds_table([(0, 0, 100 * US, 0), (0, 200 * US, 300 * US, 0),
                         (1, 100 * US, 150 * US, 0)])
    # worker 0: 200 us held, 12 reads, 2 of them first reads of a hold; worker 1: unknown
    assert chunk_times_ns(holds, {0: 12, 1: 1}, 2).tolist() == [20 * US, 0]


def test_the_old_gils_one_chunk_turns_are_held_not_lost():
    # Two threads trading the GIL every chunk of 30 us: the probe sees each turn
    # as a single read (a hold of no length) with a chunk-long gap beside it.
    rows = [(i % 2, i * 30 * US, i * 30 * US, 0) for i in range(10)]
    holds = holds_table(rows)
    placed = placed_holds(holds, np.array([30 * US, 30 * US]), np.zeros(10, np.int64))
    held = placed.stop_ns - placed.start_ns
    # a chunk each; each worker's first and last hold half of one (no gap before or after)
    assert held.tolist() == [15 * US] * 2 + [30 * US] * 6 + [15 * US] * 2
    order = np.argsort(placed.start_ns)
    assert np.all(placed.start_ns[order][1:] >= placed.stop_ns[order][:-1])  # never overlap


def test_placed_edges_stop_at_the_midpoint_to_another_workers_hold():
    holds = holds_table([(0, 0, 100 * US, 0), (1, 104 * US, 200 * US, 0),
                         (0, 204 * US, 300 * US, 0)])
    placed = placed_holds(holds, np.array([40 * US, 40 * US]), np.zeros(3, np.int64))
    assert placed.stop_ns.tolist() == [102 * US, 200 * US, 300 * US]
    assert placed.start_ns.tolist() == [0, 104 * US, 202 * US]


def test_workers_without_a_shared_gil_keep_their_overlaps():
    holds = holds_table([(0, 0, 100 * US, 0), (1, 0, 100 * US, 0), (0, 140 * US, 200 * US, 0)])
    placed = placed_holds(holds, np.array([20 * US, 20 * US]), np.array([-1, -2, -1]))
    assert placed.stop_ns.tolist() == [110 * US, 100 * US, 200 * US]
    assert placed.start_ns.tolist() == [0, 0, 130 * US]
