"""The in-kernel probe, in this process."""

import dis
import os
import sys
import threading
import time

import pytest

from gilviz.agent.compat import CLOCK_MONOTONIC, _libc_clock
from gilviz.agent.kernels import countdown_probed
from gilviz.agent.probe import SCHEDSTAT_PATH, Probe, RunDelay, gil_holding_pread

needs_schedstat = pytest.mark.skipif(not os.path.exists(SCHEDSTAT_PATH),
                                     reason="no /proc/thread-self/schedstat")


def others_running_during(read, calls=5000):
    """How often another thread ran while this one made `calls` reads.

    The switch interval is made huge, so the other thread can only run
    when the reader itself releases the GIL."""
    fd = os.open(SCHEDSTAT_PATH, os.O_RDONLY)
    counter, stop = [0], [False]

    def other():
        while not stop[0]:
            counter[0] += 1
            time.sleep(0)  # hands the GIL straight back

    interval = sys.getswitchinterval()
    sys.setswitchinterval(100.0)
    thread = threading.Thread(target=other)
    thread.start()
    time.sleep(0.01)
    try:
        before = counter[0]
        for _ in range(calls):
            read(fd)
        return counter[0] - before
    finally:
        stop[0] = True
        sys.setswitchinterval(interval)
        thread.join()
        os.close(fd)


@needs_schedstat
def test_run_delay_is_read_without_releasing_the_gil():
    read = gil_holding_pread()
    assert read is not None
    assert others_running_during(read) == 0


@needs_schedstat
def test_run_delay_reads_a_growing_number():
    run_delay = RunDelay()
    first = run_delay.read()
    time.sleep(0.001)
    assert isinstance(first, int) and run_delay.read() >= first
    run_delay.close()
    assert run_delay.read() is None


def test_probe_of_one_thread_records_one_interval_covering_its_work():
    probe = Probe(chunk=1000, gap_ns=10**9, turn=[None], me=0)
    before = time.perf_counter_ns()
    countdown_probed(200_000, probe)
    after = time.perf_counter_ns()
    probe.close()
    start, stop, cpu_wait = probe.holds  # one interval: no gap of a second in 200 chunks
    assert before <= start < stop <= after
    assert cpu_wait >= -1


def test_another_workers_mark_in_the_turn_cell_makes_a_new_interval():
    turn = [None]
    probe = Probe(chunk=1000, gap_ns=10**9, turn=turn, me=0)
    original_switched = probe.switched
    calls = []

    def switched(last):
        calls.append(last)
        return original_switched(last)

    probe.switched = switched
    begin = probe.begin

    def begin_then_let_another_run():
        start = begin()
        if not calls:
            turn[0] = 1  # as if worker 1 ran Python since our first clock read
        return start

    probe.begin = begin_then_let_another_run
    countdown_probed(50_000, probe)
    probe.close()
    assert len(calls) == 1
    assert len(probe.holds) == 6  # two intervals


def test_every_chunk_and_the_short_last_one_end_with_a_clock_read():
    # gap_ns=-1: every clock read counts as a switch, so each chunk is an interval
    probe = Probe(chunk=100, gap_ns=-1, turn=[None], me=0)
    assert countdown_probed(1050, probe) == 0
    probe.close()
    assert len(probe.holds) == 3 * (1 + 11)  # the first read, then 10 full chunks and 50 left
    starts, stops = probe.holds[0::3], probe.holds[1::3]
    assert all(a <= b for a, b in zip(starts, stops))
    assert all(stop <= start for stop, start in zip(stops, starts[1:]))


def test_a_stop_leaves_the_iterations_of_the_chunks_not_run():
    for stop_at, left in ((1, 150), (3, 0)):
        probe = Probe(chunk=100, gap_ns=-1, turn=[None], me=0)
        asked = []
        assert countdown_probed(
            250, probe, stop_when=lambda: asked.append(1) or len(asked) == stop_at) == left
        probe.close()


@pytest.mark.parametrize("work, reads", [(0, 1), (1000, 11), (1001, 12)])
def test_the_clock_is_read_once_before_the_work_and_once_after_each_chunk(work, reads):
    probe = Probe(chunk=100, gap_ns=-1, turn=[None], me=0)
    assert countdown_probed(work, probe) == 0
    probe.close()
    assert len(probe.holds) == 3 * reads


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="3.11's warm-up rule")
def test_the_probed_countdown_has_no_jump_that_warms_it_up():
    # On 3.11 a plain backward jump counts toward specializing the function,
    # as a call does; the seed's countdown, whose loop has none, never is.
    opcodes = {instruction.opname for instruction in dis.get_instructions(countdown_probed)}
    assert "JUMP_BACKWARD" not in opcodes


def test_the_libc_clock_reads_the_monotonic_clock():
    read = _libc_clock(CLOCK_MONOTONIC)
    before = time.perf_counter_ns()
    now = read()
    assert before <= now <= time.perf_counter_ns()
