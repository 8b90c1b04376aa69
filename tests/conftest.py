"""Fixtures shared by the tests; the builders they use are in helpers.py."""

import pytest

from helpers import MS, make_run


@pytest.fixture
def battle():
    """Two threads of one GIL taking turns: w0 holds 0-5 ms, w1 5.05-10 ms
    (then stops), w0 10.05-15 ms. Hand-offs take 50 us."""
    holds = [
        (0, 0, 5 * MS, 0),
        (1, 5 * MS + 50_000, 10 * MS, 0),
        (0, 10 * MS + 50_000, 15 * MS, 0),
    ]
    return make_run([(0, 15 * MS), (5 * MS + 50_000, 10 * MS)], holds)
