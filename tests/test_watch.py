"""RunWatch on a made-up clock and made-up /proc readings."""

import pytest

from gilviz.measure.watch import RunWatch, TargetError


class Fake:
    def __init__(self):
        self.now = 0.0
        self.stats = {}

    def clock(self):
        return self.now

    def read(self, pid):
        return self.stats.get(pid)


def watch(**limits):
    fake = Fake()
    return fake, RunWatch(clock=fake.clock, read=fake.read, **limits)


def test_a_run_that_uses_cpu_time_goes_on():
    fake, run = watch(stall_s=10)
    run.watch(1, "the target")
    for second in range(60):
        fake.now, fake.stats[1] = second, ("R", second)
        run.check()


def test_no_cpu_time_for_stall_s_is_a_stall():
    fake, run = watch(stall_s=10)
    run.watch(1, "the target")
    fake.stats[1] = ("S", 5)
    run.check()
    fake.now = 9.9
    run.check()
    fake.now = 10.0
    with pytest.raises(TargetError, match="no progress .* for 10 s"):
        run.check()


def test_one_stopped_worker_is_named_while_the_others_run():
    fake, run = watch(stall_s=10)
    run.watch(1, "the target")
    run.watch(2, "worker process 1")
    for second in range(10):
        fake.now, fake.stats[1], fake.stats[2] = second, ("R", second), ("T", 3)
        run.check()
    fake.now = 10
    with pytest.raises(TargetError, match=r"worker process 1 \(pid 2\) stopped \(state T\)"):
        run.check()


def test_a_process_that_is_gone_is_no_longer_checked():
    fake, run = watch(stall_s=10)
    run.watch(2, "worker process 1")
    fake.stats[2] = ("T", 0)
    run.check()
    del fake.stats[2]
    fake.now = 5
    run.check()


def test_the_time_limit_holds_and_none_means_none():
    fake, run = watch(timeout_s=30)
    fake.now = 30
    run.check()
    fake.now = 30.5
    with pytest.raises(TargetError, match="time limit of 30 s"):
        run.check()
    fake, run = watch()
    fake.now = 1e9
    run.check()


def test_the_wait_before_a_check_ends_at_the_time_limit():
    # A 1 ms limit must end a 0.1 s run: the runner waits at most until the
    # limit, not a whole poll, before it checks again.
    fake, run = watch(timeout_s=0.001)
    assert run.wait_s(0.5) == pytest.approx(0.001)
    fake.now = 0.0004
    assert run.wait_s(0.5) == pytest.approx(0.0006)
    fake.now = 2.0
    assert run.wait_s(0.5) == 0.0
    fake, run = watch(timeout_s=30)
    assert run.wait_s(0.5) == 0.5
    fake, run = watch()
    assert run.wait_s(0.5) == 0.5
