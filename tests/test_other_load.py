"""Other processes' CPU use: a caveat when it makes a run's times
untrustworthy, on hand-built readings, and provoked by a busy process."""

import subprocess
import sys

import numpy as np
import pytest

from gilviz.analysis import caveats, load_series, other_load, summarize
from gilviz.log import LoadSamples
from gilviz.report import caveat_text

from helpers import MS, make_run

WINDOW = 50 * MS


def loaded(run, other, steal=0.0):
    """`run` with load readings of `other` cores in every 50 ms window."""
    windows = int(run.end_ns // WINDOW) + 1
    t = np.arange(windows + 1, dtype=np.int64) * WINDOW
    column = np.full(windows + 1, float(other))
    column[0] = np.nan
    zeros = np.where(np.isnan(column), np.nan, 0.0)
    return run._replace(load=LoadSamples(t, column, zeros, zeros, column,
                                         np.where(np.isnan(column), np.nan, steal)))


def busy_run(other, seconds=1.0):
    run = make_run([(0, int(seconds * 1e9))], probe=False, sampler=False)
    return loaded(run._replace(end_ns=int(seconds * 1e9)), other)


def test_a_quiet_run_has_no_caveat():
    assert other_load([busy_run(0.1)]) is None


def test_other_processes_using_cores_make_a_caveat_in_words():
    caveat = other_load([busy_run(1.3)])
    assert caveat.mean_cores == pytest.approx(1.3) and caveat.during == "run"
    assert caveat_text(caveat) == (
        "other processes used 1.3 cores during this run (1.3 at most over 250 ms): its times "
        "are not trustworthy")


def test_a_burst_of_other_load_counts_even_when_the_mean_is_low():
    run = busy_run(0.0, seconds=2.0)
    other = run.load.other.copy()
    other[1:6] = 1.0  # 250 ms of a whole core
    run = run._replace(load=run.load._replace(other=other))
    caveat = other_load([run])
    assert caveat.mean_cores < 0.25 and caveat.peak_cores == pytest.approx(1.0)


def test_the_baselines_other_load_is_named_as_theirs():
    run = busy_run(0.0)
    stats = summarize(run, baselines=[busy_run(0.9)])
    (caveat,) = [c for c in stats.warnings if isinstance(c, caveats.OtherLoad)]
    assert caveat.during == "baselines" and "its serial runs" in caveat_text(caveat)


def test_the_timeline_draws_what_other_processes_used():
    series = load_series(busy_run(0.7))
    assert np.allclose(series.other_cores, 0.7)
    assert len(series.edges_ns) == len(series.other_cores) + 1


def test_logs_without_load_readings_have_no_caveat():
    assert other_load([make_run([(0, 10 * MS)])]) is None


@pytest.mark.slow
def test_a_busy_process_beside_a_run_is_recorded_and_warned_of(tmp_path):
    from gilviz import api
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        result = api.run("countdown", threads=2, count=2e7, repeat=1, baseline=False,
                         sample_hz=200)
    finally:
        busy.kill()
        busy.wait()
    run = result.summary.shown
    assert run.load is not None and np.nanmean(run.load.other) > 0.3
    assert any(isinstance(c, caveats.OtherLoad) for c in result.summary.stats.warnings)
    assert "other processes used" in result.report()


def test_a_sweeps_disturbed_points_are_counted_and_named():
    from gilviz.analysis.scaling import sweep_scaling
    from helpers import sweep_log
    log = sweep_log(2, serial_walls=[1.0, 1.0], thread_walls={1: [1.0, 1.0], 2: [1.0, 1.0]},
                    process_walls={1: [1.0, 1.0], 2: [0.5, 0.5]})
    runs = list(log.runs)
    for index, run in enumerate(runs):
        if (run.spec.backend, run.spec.workers) == ("processes", 2) and index < 6:
            runs[index] = loaded(run._replace(end_ns=int(0.5e9)), 1.2)
    scaling = sweep_scaling(log._replace(runs=tuple(runs)))
    points = {(p.backend, p.workers): p.disturbed for b in scaling.backends for p in b.points}
    assert points == {("threads", 1): 0, ("threads", 2): 0, ("processes", 1): 0,
                      ("processes", 2): 1}
    (caveat,) = [c for c in scaling.warnings if isinstance(c, caveats.DisturbedRuns)]
    assert caveat_text(caveat) == (
        "other processes took the CPU during processes at 2 workers (1 run): those speedups "
        "(ringed on the chart) are not trustworthy")
