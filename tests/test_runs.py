"""Real small runs of every backend, checked for structure (never timing)."""

import os
import sys

import pytest

from gilviz.analysis import overlap_ns, summarize
from gilviz.log import RunSpec
from gilviz.measure.runner import TargetError, run_target

from helpers import other_interpreters

WORK = 400_000


def spec(backend, workers, probe=True, python=sys.executable, sample_hz=1000.0):
    return RunSpec(kernel="countdown", backend=backend, workers=workers, work=WORK, probe=probe,
                   python=python, sample_hz=sample_hz)


def assert_sound(run):
    assert [w.index for w in run.workers] == list(range(run.spec.workers))
    assert sum(w.work for w in run.workers) == WORK
    for worker in run.workers:
        assert worker.error is None
        assert 0 <= worker.start_ns <= worker.stop_ns
        mine = run.holds.worker == worker.index
        if run.spec.probe:
            assert mine.any()
            assert (run.holds.start_ns[mine] >= worker.start_ns).all()
            assert (run.holds.stop_ns[mine] <= worker.stop_ns).all()
            assert (run.holds.start_ns[mine] <= run.holds.stop_ns[mine]).all()
            # the probe writes a worker's holds in order, without overlap
            assert (run.holds.start_ns[mine][1:] > run.holds.stop_ns[mine][:-1]).all()
    if run.spec.sample_hz:
        assert set(run.threads.worker.tolist()) == set(range(run.spec.workers))


@pytest.mark.slow
def test_serial():
    run = run_target(spec("serial", 1))
    assert_sound(run)
    assert run.interpreter.executable and run.probe.chunk > 0


@pytest.mark.slow
def test_a_run_ends_whole_beside_over_1024_open_files():
    """The orchestrator may hold thousands of descriptors (the sampler keeps
    3 a worker thread): waiting for the target's exit must not use select(),
    which refuses any numbered over 1024."""
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        assert_sound(run_target(spec("serial", 1)))
    finally:
        for fd in held:
            os.close(fd)


@pytest.mark.slow
def test_threads_never_hold_the_gil_at_once():
    run = run_target(spec("threads", 4))
    assert_sound(run)
    assert len({w.pid for w in run.workers}) == 1
    assert len({w.tid for w in run.workers}) == 4
    if run.interpreter.gil_enabled:
        assert overlap_ns(run.holds.start_ns, run.holds.stop_ns) == 0
        assert summarize(run).handoffs >= 3  # each of the 4 threads ran at least once


@pytest.mark.slow
def test_processes_each_have_their_own_pid():
    run = run_target(spec("processes", 3))
    assert_sound(run)
    assert len({w.pid for w in run.workers}) == 3
    assert summarize(run).handoffs is None


@pytest.mark.slow
def test_plain_kernel_records_no_holds_and_sampler_can_be_off():
    run = run_target(spec("threads", 2, probe=False, sample_hz=0))
    assert_sound(run)
    assert len(run.holds.worker) == 0 and run.probe is None
    assert run.sampler is None and len(run.threads.t_ns) == 0


@pytest.mark.slow
def test_a_target_that_cannot_run_is_a_target_error():
    with pytest.raises(TargetError, match="exited with status"):
        run_target(spec("threads", 1, python="/bin/false"))


@pytest.mark.slow
@pytest.mark.parametrize("version, python", other_interpreters() or
                         [pytest.param(None, None, marks=pytest.mark.skip("no other CPython"))])
def test_other_interpreters(version, python):
    run = run_target(spec("threads", 2, python=python))
    assert run.interpreter.version == version
    assert_sound(run)
    assert overlap_ns(run.holds.start_ns, run.holds.stop_ns) == 0


@pytest.mark.slow
def test_a_target_that_never_gets_ready_is_killed(tmp_path, monkeypatch):
    from gilviz.measure import runner
    silent = tmp_path / "python"
    silent.write_text("#!/bin/sh\nexec sleep 60\n")
    silent.chmod(0o755)
    monkeypatch.setattr(runner, "READY_TIMEOUT_S", 1)
    with pytest.raises(TargetError, match="said nothing for 1 s"):
        run_target(spec("threads", 1, python=str(silent)))
