"""The logs kept in tests/logs, one of each kind of job, load and summarise:
they are what scripts/draw_kept_logs.py draws before and after a change
meant to leave behaviour alone."""

import glob
import os

import pytest

import gilviz

LOGS = sorted(glob.glob(os.path.join(os.path.dirname(__file__), "logs", "*.json")))


def test_a_log_of_each_kind_is_kept():
    names = {os.path.basename(path) for path in LOGS}
    for kind in ("countdown-threads4", "convoy", "share-2", "speedup-countdown",
                 "compare-countdown-backend", "run-four_states"):
        assert kind + ".json" in names


@pytest.mark.parametrize("path", LOGS, ids=os.path.basename)
def test_each_kept_log_loads_and_summarises(path):
    result = gilviz.load(path)
    lines = result.lines()
    assert any(lines) and all(isinstance(line, str) for line in lines)
