"""Bands rasterised on pixel columns, checked against the exact intervals."""

import numpy as np

from gilviz.analysis import RUNNING, WAIT_GIL, Segments, held_before
from gilviz.analysis.raster import (STATES, active_share, column_shares, exact_segments,
                                    segments_within)


def round_robin(holds=3000, workers=4, seed=3):
    """Holds of 20-80 µs taken in turn, a wait for the GIL between two of a worker's."""
    rng = np.random.default_rng(seed)
    length = rng.integers(20_000, 80_000, holds)
    start = np.cumsum(length + 5_000) - length
    worker = np.arange(holds) % workers
    parts = [(worker, start, start + length, np.full(holds, RUNNING))]
    for index in range(workers):
        mine = worker == index
        parts.append((worker[mine][1:], (start + length)[mine][:-1], start[mine][1:],
                      np.full(mine.sum() - 1, WAIT_GIL)))
    return Segments(*(np.concatenate(column).astype(dtype) for column, dtype in
                      zip(zip(*parts), (np.int32, np.int64, np.int64, np.int8))))


def exact_share(segments, index, state, edges):
    """The share of each column inside the worker's segments of the state, by held_before."""
    mine = (segments.worker == index) & (segments.state == state)
    order = np.argsort(segments.start_ns[mine])
    inside = held_before(segments.start_ns[mine][order], segments.stop_ns[mine][order],
                         np.round(edges).astype(np.int64))
    return np.diff(inside) / np.diff(edges)


def test_the_share_held_in_each_column_is_that_of_the_exact_intervals():
    segments = round_robin()
    end = int(segments.stop_ns.max())
    shares = column_shares(segments, range(4), 0, end, columns=300)
    for index in range(4):
        for state in (RUNNING, WAIT_GIL):
            exact = exact_share(segments, index, state, shares.edges_ns)
            # Within a thousandth of a column: far under one pixel.
            assert np.allclose(shares.share[index, state], exact, atol=1e-3)
    # Each worker held about a quarter of every column (less the 5 µs
    # hand-offs), not all of it.
    held = active_share(shares, probed=True)
    assert np.all(np.abs(held[:, 5:-5].mean(axis=1) - 0.25 * 50 / 55) < 0.01)
    assert np.allclose(shares.share.sum(axis=1)[:, 5:-5], 1.0, atol=1e-3)


def test_a_window_counts_only_what_lies_in_it_and_wide_segments_stay_exact():
    segments = Segments(np.array([0, 0, 1], np.int32), np.array([0, 100, 0], np.int64),
                        np.array([100, 1000, 1000], np.int64),
                        np.array([RUNNING, WAIT_GIL, RUNNING], np.int8))
    shares = column_shares(segments, [0, 1], 50, 250, columns=4, narrower_than_ns=500)
    assert shares.share.shape == (2, STATES, 4)
    assert np.allclose(shares.share[0, RUNNING], [1, 0, 0, 0])
    assert not shares.share[0, WAIT_GIL].any() and not shares.share[1].any()  # drawn exactly
    assert list(exact_segments(segments, 500).start_ns) == [100, 0]
    assert list(segments_within(segments, 150, 200).start_ns) == [100, 0]
