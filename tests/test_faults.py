"""Faults injected into real runs: a dead, stopped or stuck target or worker
ends the run with TargetError (or a failed worker's record), and no process
of the run is left behind, whatever ended it."""

import os
import signal
import sys

import pytest

from helpers import assert_gone, during_run, family_of_a_killed_orchestrator
from gilviz.log import RunSpec
from gilviz.measure.runner import TargetError, run_target

pytestmark = pytest.mark.slow

LONG = 10 ** 10
"""Work no test waits for: each ends the run by a fault."""


def spec(backend="processes", workers=2, kernel="countdown", work=LONG, params=None):
    return RunSpec(kernel=kernel, backend=backend, workers=workers, work=work,
                   probe=kernel == "countdown",
                   python=sys.executable, sample_hz=100.0, params=params)


def test_a_killed_target_ends_the_run_and_its_workers():
    seen = during_run(3, lambda target, workers: target.send_signal(signal.SIGKILL))
    with pytest.raises(TargetError, match=r"was killed by signal 9 \(SIGKILL\)"):
        run_target(spec())
    assert_gone(seen)


def test_a_stopped_worker_ends_the_run():
    seen = during_run(3, lambda target, workers: workers[1].send_signal(signal.SIGSTOP))
    with pytest.raises(TargetError, match=r"worker process \d \(pid \d+\) stopped \(state T\)"):
        run_target(spec(), stall_s=1.0)
    assert_gone(seen)


def test_a_stopped_target_ends_the_run():
    seen = during_run(1, lambda target, workers: target.send_signal(signal.SIGSTOP))
    with pytest.raises(TargetError, match=r"the target \(pid \d+\) stopped \(state T\)"):
        run_target(spec(backend="threads"), stall_s=1.0)
    assert_gone(seen)


def test_a_run_over_its_time_limit_is_ended():
    seen = during_run(1, lambda target, workers: None, settle_s=0)
    with pytest.raises(TargetError, match="time limit of 1 s"):
        run_target(spec(backend="threads"), timeout_s=1.0)
    assert_gone(seen)


def test_a_time_limit_shorter_than_a_short_run_ends_it():
    # The run takes about 0.1 s, less than the runner's poll: the limit is
    # checked when it falls, not at the next poll.
    with pytest.raises(TargetError, match="time limit of 0.001 s"):
        run_target(spec(backend="threads", work=10**6), timeout_s=0.001)


def test_a_killed_pool_member_is_named_and_the_run_ends_at_once():
    seen = during_run(3, lambda target, members: members[-1].send_signal(signal.SIGKILL),
                      settle_s=0.5)
    # Not "made no progress for 10 s": Pool.terminate() had hung the agent.
    with pytest.raises(TargetError, match=r"pool worker process \d+ exited before the map"):
        run_target(spec(backend="pool"))
    assert_gone(seen)


def test_a_killed_worker_is_recorded_and_the_run_returns_at_once():
    seen = during_run(3, lambda target, workers: workers[1].send_signal(signal.SIGKILL))
    run = run_target(spec())
    failed = {worker.index: worker.error for worker in run.failed_workers()}
    assert sorted(failed) == [0, 1]
    killed = next(i for i, error in failed.items() if "signal 9" in error)
    assert failed[killed] == "worker process was killed by signal 9 (SIGKILL)"
    assert failed[1 - killed] == "killed when worker process %d failed" % killed
    assert_gone(seen)


def test_an_exception_in_a_worker_is_recorded():
    pytest.importorskip("numpy")
    run = run_target(spec(backend="threads", kernel="pi", work=1000, params={"chunk": 0}))
    assert [w.error for w in run.failed_workers()] == ["ZeroDivisionError: integer division "
                                                       "or modulo by zero"] * 2


def test_an_interrupt_ends_every_process():
    def interrupt(target, workers):
        os.kill(os.getpid(), signal.SIGINT)
    seen = during_run(3, interrupt)
    with pytest.raises(KeyboardInterrupt):
        run_target(spec())
    assert_gone(seen, within_s=1.0)


ORCHESTRATOR = """
import sys
from gilviz.log import RunSpec
from gilviz.measure.runner import run_target
kernel, backend, params = sys.argv[1], sys.argv[2], eval(sys.argv[3])
run_target(RunSpec(kernel=kernel, backend=backend, workers=2, work=%d, probe=kernel != "io",
                   python=sys.executable, sample_hz=100.0, params=params))
""" % LONG

FAMILIES = [
    # kernel, backend, params, processes below the orchestrator once all started
    ("countdown", "processes", {}, 3),
    ("countdown", "pool", {}, 3),
    ("io", "threads", {"wait_s": 0.01, "via": "echo"}, 2),  # target + echo server
    ("convoy", "threads", {"requests": 10 ** 7, "size": 64, "pause_s": 0.001,
                           "time_limit_s": 600}, 2),  # target + echo client
]


@pytest.mark.parametrize("kernel, backend, params, count", FAMILIES)
def test_no_process_outlives_a_killed_orchestrator(kernel, backend, params, count):
    assert_gone(family_of_a_killed_orchestrator([ORCHESTRATOR, kernel, backend, repr(params)],
                                                count))
