"""The other processes' CPU use: read from this very process, and recorded
in real runs beside a busy process."""

import os
import subprocess
import sys
import time

import numpy as np
import pytest

from gilviz.log import RunSpec, dumps, loads, new_log
from gilviz.measure.load import LoadMeter, cpu_clock, session_members
from gilviz.measure.runner import run_target


def spin(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def test_a_window_of_this_process_spinning_is_gilviz_s_own_cpu():
    meter = LoadMeter([])
    try:
        meter.read()
        spin(0.1)
        meter.read()
    finally:
        meter.close()
    load = meter.samples(origin_ns=0)
    assert len(load.t_ns) == 2 and np.isnan(load.other[0])
    assert 0 < load.gilviz[1] <= 1.05  # one thread spun (as much as the machine let it)
    assert load.target[1] == 0
    assert load.busy[1] >= 0 and load.steal[1] >= 0
    np.testing.assert_allclose(load.other, load.busy - load.target - load.gilviz)


def test_the_target_s_session_is_found_in_proc():
    assert os.getpid() in session_members(os.getsid(0))


def countdown(sample_hz):
    return RunSpec(kernel="countdown", backend="threads", workers=2, work=3_000_000, probe=True,
                   python=sys.executable, sample_hz=sample_hz)


@pytest.mark.slow
def test_a_busy_process_beside_the_run_is_recorded_as_other_load():
    """The busy process's share is part of the other load, whatever else the
    machine runs (other jobs may share it: a run alone is no quiet reference)."""
    alone = run_target(countdown(1000.0))
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.2)  # let it get going
        began, busy_began = time.perf_counter_ns(), time.clock_gettime_ns(cpu_clock(busy.pid))
        beside = run_target(countdown(0))
        busy_cores = ((time.clock_gettime_ns(cpu_clock(busy.pid)) - busy_began)
                      / (time.perf_counter_ns() - began))
    finally:
        busy.kill()
        busy.wait()
    for run in (alone, beside):
        assert len(run.load.t_ns) >= 3
        assert np.nanmean(run.load.target) > 0.1  # the target's threads are counted as its own
    assert beside.sampler is None  # measured with the thread sampler off too
    assert np.nanmean(beside.load.other) > 0.3
    assert np.nanmean(beside.load.other) > 0.7 * busy_cores
    again = loads(dumps(new_log([beside]))).runs[0].load
    np.testing.assert_array_equal(again.other, beside.load.other)
