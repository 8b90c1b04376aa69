"""The orchestrator's spare work: steps run while a target starts up, never
once it is released, and their time is told apart in --timings."""

import subprocess
import sys
import time

import pytest

from gilviz.cli.commands import timings_lines
from gilviz.log import RunSpec
from gilviz.measure import spare
from gilviz.measure.runner import ALL_THREADS_CPU, MAIN_THREAD_CPU, run_target
from gilviz.measure.spare import SpareWork
from gilviz.measure.timings import Timings


def test_steps_run_in_order_until_done_says_stop():
    ran = []
    work = SpareWork([lambda i=i: ran.append(i) for i in range(5)], "spare")
    work.run_until(lambda: len(ran) == 2)
    assert ran == [0, 1] and len(work) == 3
    work.run_until(lambda: False)
    assert ran == [0, 1, 2, 3, 4] and len(work) == 0


def test_nothing_runs_when_done_at_once():
    ran = []
    assert SpareWork([lambda: ran.append(1)], "spare").run_until(lambda: True) == 0
    assert ran == []


def test_a_failing_step_is_dropped_and_the_next_runs():
    ran = []

    def fails():
        raise ImportError("no such module")
    work = SpareWork([fails, lambda: ran.append("next")], "spare")
    work.run_until(lambda: False)
    assert ran == ["next"] and len(work) == 0


def test_an_interruption_in_a_step_is_not_swallowed():
    def interrupted():
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        SpareWork([interrupted], "spare").run_until(lambda: False)


def test_the_steps_time_goes_to_their_label():
    ticks = iter([10.0, 10.25])
    work = SpareWork([lambda: None], "importing, meanwhile", clock=lambda: next(ticks))
    with Timings() as timings:
        assert work.run_until(lambda: False) == 0.25
    assert timings.seconds == {"importing, meanwhile": 0.25}


def test_active_only_inside_its_block():
    work = SpareWork([], "spare")
    assert spare.active() is None
    with work:
        assert spare.active() is work
    assert spare.active() is None


def test_timings_lines_give_the_cpu_apart_from_the_stages():
    text = timings_lines({"runs (their own wall time)": 2.0}, after_start_s=3.0,
                         cpu={MAIN_THREAD_CPU: 0.001, ALL_THREADS_CPU: 0.05})
    head, cpu = text.split("gilviz's CPU time from each run's go to its done:")
    assert "1.000 s" in head  # beyond the runs: the CPU rows are no stage
    assert "main thread" in cpu and "0.050 s" in cpu


@pytest.mark.slow
def test_spare_steps_end_before_the_workers_are_released():
    ended_ns = []

    def step():
        time.sleep(0.002)
        ended_ns.append(time.perf_counter_ns())
    spec = RunSpec("countdown", "threads", 2, 300_000, True, sys.executable, 0.0)
    with Timings() as timings, SpareWork([step] * 1000, "spare") as work:
        run = run_target(spec)
    assert ended_ns, "no step ran while the target started"
    assert len(work) > 0, "the steps did not stop at the target's ready"
    assert max(ended_ns) < run.release_ns
    assert timings.cpu[MAIN_THREAD_CPU] < timings.cpu[ALL_THREADS_CPU] + 1e-9


@pytest.mark.slow
def test_drawing_imports_leave_the_collector_no_more_to_scan():
    code = ("import gc; from gilviz.cli.drawing import drawing_imports\n"
            "work = drawing_imports(); before = len(gc.get_objects())\n"
            "work.run_until(lambda: False)\n"
            "import matplotlib.figure\n"
            "print(len(work), len(gc.get_objects()) <= before, gc.get_freeze_count() > before)")
    answer = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.split() == ["0", "True", "True"]
