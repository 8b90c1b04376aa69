"""One rule for every ratio: one the runs' parallelism and the machine's
speed cannot explain is ringed, named and explained, never a speedup."""

import pytest

from gilviz.analysis import SpeedChange, summarize
from gilviz.analysis.plausibility import speed_change, unexplained_ratio
from gilviz.analysis.scaling import sweep_scaling
from gilviz.log import SweepPlan
from gilviz.log.records import new_log
from gilviz.report import caveat_text, scaling_lines
from helpers import timed_run


def serial(wall_s, cpu_share=1.0):
    return timed_run("serial", 1, "baseline", wall_s=wall_s, cpu_share=cpu_share)


def test_a_serial_run_at_a_slower_speed_makes_no_speedup():
    # 2 processes at 1.8 cores' worth of work: 2.08x is within what 1.8 cores
    # explain, but the serial run's work took 1.16x the CPU time a unit.
    run = timed_run("processes", 2, wall_s=0.6, cpu_share=0.9)
    caveat = unexplained_ratio([run], [serial(1.25)])
    assert caveat.speedup == pytest.approx(1.25 / 0.6)
    assert caveat.baseline_cpu_ratio == pytest.approx(1.25 / 1.08)
    assert "their work took 1.16x the CPU time a unit (the CPU ran slower" in caveat_text(caveat)
    # the same run beside a serial run at its own speed is a speedup
    assert unexplained_ratio([run], [serial(1.08)]) is None


@pytest.mark.parametrize("wall_s, cpu_share, words", [
    # the machine slowed the 1-worker run: each unit took 1.3x the CPU time
    (1.3, 1.0, "one worker took 1.30x the serial time for the same work"),
    # or the 1-worker run had a CPU for only 3/4 of its time
    (1.3, 0.75, "the run had a CPU for only 75% of its time"),
])
def test_one_worker_is_held_to_one(wall_s, cpu_share, words):
    run = timed_run("threads", 1, wall_s=wall_s, cpu_share=cpu_share)
    caveat = unexplained_ratio([run], [serial(1.0)])
    assert caveat.workers == 1
    assert words in caveat_text(caveat)


def test_more_workers_may_cost_more_cpu_a_unit_and_pass():
    # 4 threads of the old GIL fight in the OS kernel: twice the CPU a unit
    run = timed_run("threads", 4, wall_s=2.0, cpu_share=0.5)
    assert unexplained_ratio([run], [serial(1.0)]) is None


def test_the_summary_says_when_the_machine_changed_speed():
    baselines = [serial(1.0), serial(1.8), serial(1.05)]
    change = speed_change(baselines)
    assert change == SpeedChange(kernel="countdown", low_ns=1e6, high_ns=1.8e6, runs=3,
                                 role="baseline")
    text = caveat_text(change)
    assert "the 3 serial runs took 1.00 ms–1.80 ms of CPU time an iteration (1.80x apart)" in text
    run = timed_run("threads", 2, wall_s=1.0, cpu_share=0.5)
    assert change in summarize(run, baselines=baselines).warnings
    assert speed_change(baselines[:1] + baselines[2:]) is None


def sweep(serial_walls, process_walls):
    runs = []
    for i, wall in enumerate(serial_walls):
        runs.append(serial(wall))
        for n in (1, 2, 4):
            runs.append(timed_run("processes", n, wall_s=process_walls[n][i],
                                  cpu_share=min(1.0, 2 / n)))
    plan = SweepPlan(backends=["processes"], worker_counts=[1, 2, 4], repeat=len(serial_walls),
                     warmup=0)
    return new_log(runs, sweep=plan)


def test_sweep_points_at_another_speed_are_ringed_named_and_left_out_of_the_fit():
    # Round 2's serial run ran at the slow speed, then all three did: 4
    # processes look 2.6x faster on 2 cores, and 1 process 1.3x.
    log = sweep([1.0, 1.3, 1.0], {1: [1.0, 1.0, 1.0], 2: [0.5, 0.5, 0.52],
                                  4: [0.5, 0.5, 0.5]})
    scaling = sweep_scaling(log)
    (processes,) = scaling.backends
    # one slow serial run of three moves no median: the machine's change is said
    assert all(point.unexplained is None for point in processes.points)
    assert any(isinstance(note, SpeedChange) for note in scaling.notes)
    log = sweep([1.3, 1.3, 1.3], {1: [1.0, 1.0, 1.0], 2: [0.5, 0.52, 0.5],
                                  4: [0.5, 0.5, 0.5]})
    scaling = sweep_scaling(log)
    (processes,) = scaling.backends
    assert all(point.unexplained is not None for point in processes.points)
    assert processes.fit is None and processes.left_out == 3
    lines = scaling_lines(scaling)
    assert any("not a speedup (1)" in line for line in lines)
    assert any(line.startswith("(1) processes 1: one worker took 0.77x the serial time")
               for line in lines)
    assert any("3 points left out: disturbed or not a speedup" in line for line in lines)


def test_an_interrupted_sweep_counts_no_round_it_did_not_finish():
    log = sweep([1.0], {1: [1.0], 2: [0.5], 4: [0.5]})
    runs = log.runs[:3]  # the serial run, 1 and 2 processes; 4 never ran
    scaling = sweep_scaling(log._replace(runs=runs))
    assert scaling.rounds == 0
    assert "0 complete rounds" in scaling_lines(scaling)[0]


def test_each_rule_that_fails_is_worded_as_itself():
    beyond = unexplained_ratio([timed_run("threads", 2, wall_s=0.26, cpu_share=0.95)],
                               [serial(1.0, cpu_share=0.4)])
    speed = unexplained_ratio([timed_run("processes", 2, wall_s=0.6, cpu_share=0.9)],
                              [serial(1.25)])
    alone = unexplained_ratio([timed_run("threads", 1, wall_s=1.3)], [serial(1.0)])
    assert (beyond.reason, speed.reason, alone.reason) == ("parallelism", "speed", "one-worker")
    assert caveat_text(beyond).startswith("the serial runs were slower than the parallel work")
    assert caveat_text(speed).startswith("2.08x faster than the serial runs is no speedup of "
                                         "this run: it had 1.80 cores' worth")
    assert caveat_text(alone).startswith("one worker took 1.30x the serial time")
