"""Speedup, efficiency and the Amdahl fit, on hand-built timings."""

import math

import numpy as np
import pytest

from helpers import sweep_log, timed_run
from gilviz.log import new_log
from gilviz.report import fit_text, scaling_lines
from gilviz.analysis.scaling import (BackendScaling, amdahl_fit, amdahl_speedup, capacity_of,
                                     coinciding_fits, paired_speedups, spread, sweep_scaling)

WORKERS = [1, 2, 3, 4, 8]


def test_perfectly_parallel_work_fits_serial_fraction_zero_exactly():
    fit = amdahl_fit(WORKERS, WORKERS)
    assert fit.serial_fraction == 0.0
    assert fit.unclipped == 0.0
    assert fit.rms_error == 0.0
    assert fit.points == 4  # one worker says nothing about the fraction
    assert not fit.clipped
    assert "almost all parallel" in fit_text(fit)


def test_perfectly_serial_work_fits_serial_fraction_one_exactly():
    fit = amdahl_fit(WORKERS, [1.0] * len(WORKERS))
    assert fit.serial_fraction == 1.0
    assert fit.unclipped == 1.0
    assert fit.rms_error == 0.0
    assert "almost all serial" in fit_text(fit)


def test_a_known_fraction_is_recovered():
    speedups = amdahl_speedup(0.25, WORKERS)
    assert speedups[1] == pytest.approx(1 / (0.25 + 0.75 / 2))
    fit = amdahl_fit(WORKERS, speedups)
    assert fit.serial_fraction == pytest.approx(0.25, abs=1e-12)
    assert fit_text(fit) == "25 % serial"


def test_capacity_caps_the_workers_that_run_at_once():
    # Perfectly parallel on 2 cores: the speedup stops at 2.
    speedups = [1, 2, 2, 2, 2]
    assert amdahl_fit(WORKERS, speedups, capacity=2).serial_fraction == 0.0
    assert list(amdahl_speedup(0.0, WORKERS, capacity=2)) == speedups
    # Read without the cap, the same points look partly serial.
    assert amdahl_fit(WORKERS, speedups).serial_fraction > 0.3


def test_slower_than_serial_is_clipped_to_one_and_says_so():
    fit = amdahl_fit([1, 2, 4], [1.0, 0.8, 0.7])
    assert fit.serial_fraction == 1.0
    assert fit.unclipped > 1
    assert fit.clipped
    assert "more workers took longer than one" in fit_text(fit)


def test_faster_than_ideal_is_clipped_to_zero_and_says_so():
    fit = amdahl_fit([1, 2, 4], [1.0, 2.5, 5.0])
    assert fit.serial_fraction == 0.0
    assert fit.unclipped < 0
    assert "faster than even a fully parallel program" in fit_text(fit)


def test_no_fit_without_two_workers_running_at_once():
    assert amdahl_fit([1], [1.0]) is None
    assert amdahl_fit([1, 2, 4], [1.0, 1.0, 1.0], capacity=1) is None
    assert amdahl_fit([2], [math.nan]) is None


def test_no_fit_from_one_worker_count_and_the_words_say_why():
    assert amdahl_fit([1, 2], [1.0, 1.5]) is None
    assert amdahl_fit([1, 2, 4], [1.0, 1.5, math.nan]) is None
    assert amdahl_fit([1, 2, 4], [1.0, 1.5, 2.0]) is not None
    log = sweep_log(1, serial_walls=[1.0], thread_walls={1: [1.0], 2: [1.0]},
                    process_walls={1: [1.0], 2: [0.5]}, planned=3)
    lines = scaling_lines(sweep_scaling(log))
    assert ("Amdahl fit, threads: none (1 trusted worker count with 2+ workers running at once; "
            "a fit needs 2)") in lines
    assert not any("over 1 worker count" in line for line in lines)


def test_fits_that_lie_on_one_another_are_found():
    curve = np.linspace(1, 2, 5)
    backends = [BackendScaling("threads", (), None, curve),
                BackendScaling("processes", (), None, curve + 0.01),
                BackendScaling("pool", (), None, curve + 0.5),
                BackendScaling("serial", (), None, None)]
    assert coinciding_fits(backends) == (("threads", "processes"),)


def test_paired_speedups_pair_by_round_and_keep_failed_runs_as_nan():
    assert list(paired_speedups([2.0, 2.0, 2.0], [1.0, 2.0, 4.0])) == [2.0, 1.0, 0.5]
    assert list(paired_speedups([2.0, 4.0], [1.0])) == [2.0]
    result = paired_speedups([2.0, math.nan], [1.0, 1.0])
    assert result[0] == 2.0 and math.isnan(result[1])


def test_spread_ignores_nan_and_is_none_when_empty():
    assert spread([3.0, math.nan, 1.0, 2.0]) == (2.0, 1.0, 3.0, 3)
    assert spread([math.nan]) is None
    assert spread([]) is None


def test_capacity_is_the_cores_for_cpu_bound_work_else_cores_over_the_cpu_share():
    assert capacity_of(2, 1.0) == 2.0
    assert capacity_of(2, 0.6) == 2.0  # CPU-bound, and other programs took the core at times
    assert capacity_of(2, 1.3) == 2.0  # a share over 1 is measurement noise
    assert capacity_of(2, 0.25) == 8.0
    assert capacity_of(2, 0.0) == 2000.0


def test_sweep_scaling_pairs_each_run_with_its_rounds_baseline():
    log = sweep_log(2, serial_walls=[1.0, 2.0],
                    thread_walls={1: [1.0, 2.0], 2: [1.0, 1.0]},
                    process_walls={1: [1.0, 2.0], 2: [0.5, 1.0]})
    scaling = sweep_scaling(log)
    assert scaling.kernel == "countdown"
    assert scaling.cores == 2
    assert scaling.cpu_share == 1.0
    assert scaling.capacity == 2.0
    assert scaling.rounds == 2
    assert scaling.runs_done == scaling.runs_planned == 10  # the warm-up is not counted
    assert scaling.baseline_wall_s == (1.5, 1.0, 2.0, 2)
    threads, processes = scaling.backends
    assert [p.workers for p in threads.points] == [1, 2]
    assert threads.points[1].speedup == (1.5, 1.0, 2.0, 2)  # 1/1 and 2/1
    assert threads.points[1].efficiency == (0.75, 0.5, 1.0, 2)
    assert threads.points[1].wall_s == (1.0, 1.0, 1.0, 2)
    assert processes.points[1].speedup == (2.0, 2.0, 2.0, 2)
    # One worker count with 2+ running at once fits any serial fraction: no fit.
    assert processes.fit is None and threads.fit is None
    assert processes.fit_counts == threads.fit_counts == 1


def test_an_interrupted_sweep_counts_complete_rounds_and_planned_runs():
    log = sweep_log(2, serial_walls=[1.0, 1.0],
                    thread_walls={1: [1.0, 1.0], 2: [1.0, 1.0]},
                    process_walls={1: [1.0, 1.0], 2: [0.5, 0.5]}, planned=5)
    log = log._replace(runs=log.runs[:-2])  # round 2 stopped before its processes
    scaling = sweep_scaling(log)
    assert scaling.rounds == 1
    assert scaling.runs_done == 8
    assert scaling.runs_planned == 25
    assert scaling.backends[1].points[1].speedup.count == 1


def test_runs_with_a_failed_worker_are_left_out_and_counted():
    log = sweep_log(2, serial_walls=[1.0, 1.0],
                    thread_walls={1: [1.0, 1.0], 2: [1.0, 1.0]},
                    process_walls={1: [1.0, 1.0], 2: [0.5, 0.5]})
    runs = list(log.runs)
    runs[-1] = timed_run("processes", 2, wall_s=0.5, error="worker process exited with code 1")
    scaling = sweep_scaling(log._replace(runs=tuple(runs)))
    assert scaling.failed == 1
    point = scaling.backends[1].points[1]
    assert point.failed == 1
    assert point.speedup.count == 1
    assert point.wall_s.count == 1


def test_work_that_waits_is_not_capped_at_the_core_count():
    runs = [timed_run("serial", 1, "baseline", wall_s=1.0, cpu_share=0.01, kernel="io"),
            timed_run("threads", 8, wall_s=0.125, cpu_share=0.08, kernel="io"),
            timed_run("threads", 4, wall_s=0.25, cpu_share=0.04, kernel="io")]
    scaling = sweep_scaling(new_log(runs))
    assert scaling.capacity == pytest.approx(200.0)
    assert scaling.runs_planned is None  # no plan in the log
    threads, = scaling.backends
    assert threads.points[0].speedup.median == 8.0
    assert threads.fit.serial_fraction == 0.0


def test_a_log_without_runs_of_its_own_kind_still_reads():
    scaling = sweep_scaling(new_log([timed_run("serial", 1, "baseline")]))
    assert scaling.backends == ()
    assert scaling.rounds == 0
    assert np.isfinite(scaling.capacity)
