"""Bands and parallelism from sampled thread states, on hand-built samples."""

import math

import numpy as np
import pytest

from helpers import samples_table
from gilviz.analysis import (NATIVE, OFF_CPU, ON_CPU, RUNNING, WAIT_CPU, WAIT_GIL, WAIT_LOCK,
                             Segments, depth_integral, merge_adjacent,
                             merge_intervals, native_sections, parallelism_steps, pi_estimate,
                             sample_states, sampled_segments, shared_members, time_at_depth,
                             waiting_for_cpu)
from gilviz.log import (Marks, Worker, WAIT_MUTEX, WAIT_NOT_READ, WAIT_OTHER,
                        WAIT_RUNNING, WAIT_TIMED, WAIT_UNREADABLE, WAIT_UNTIMED)
from gilviz.measure.assemble import attribute_samples
from gilviz.measure.sampler import parse_run_delay, parse_syscall


def samples(worker, t, state, cpu=None, wait=None, run_delay=None):
    """Samples given column by column."""
    return samples_table(list(zip(t, worker, state)), cpu, wait, run_delay)


def marks(rows):
    worker, t, kind, value = zip(*rows)
    return Marks(np.asarray(worker, np.int32), np.asarray(t, np.int64), np.asarray(kind, str),
                 np.asarray([np.nan if v is None else v for v in value], np.float64))


X86_FUTEX = 202


@pytest.mark.parametrize("line, code", [
    (b"202 0x55 0x89 0x0 0x7ffd12 0x0 0xffffffff 0x7ff 0x7f1\n", WAIT_TIMED),   # cond timedwait
    (b"202 0x55 0x189 0x0 0x0 0x0 0xffffffff 0x7ff 0x7f1\n", WAIT_UNTIMED),     # sem_wait
    (b"202 0x55 0x80 0x2 0x0 0x0 0x0 0x7ff 0x7f1\n", WAIT_MUTEX),               # mutex lock
    (b"202 0x55 0x81 0x1 0x0 0x0 0x0 0x7ff 0x7f1\n", WAIT_OTHER),               # a wake, not a wait
    (b"39 0x3 0x7f 0x4000 0x0 0x0 0x0 0x7ff 0x7f1\n", WAIT_OTHER),              # getpid
    (b"-1 0x7ffd 0x7f1\n", WAIT_OTHER),                                          # no system call
    (b"running\n", WAIT_RUNNING),
    (b"", WAIT_NOT_READ),
    (None, WAIT_UNREADABLE),
])
def test_parse_syscall(line, code):
    assert parse_syscall(line, futex=X86_FUTEX) == code


def test_parse_run_delay():
    assert parse_run_delay(b"123456 789 42\n") == 789
    assert parse_run_delay(b"") == -1


def test_native_sections_pair_marks_and_close_at_stop():
    table = marks([(0, 10, "native", None), (0, 20, "native_end", 5), (0, 30, "native", None),
                   (1, 12, "native", None), (1, 18, "native_end", 5), (1, 19, "request", 1)])
    sections = native_sections(table, {0: 50, 1: 60})
    assert sections.worker.tolist() == [0, 0, 1]
    assert sections.start_ns.tolist() == [10, 30, 12]
    assert sections.stop_ns.tolist() == [20, 50, 18]
    assert set(sections.state.tolist()) == {NATIVE}
    assert native_sections(marks([(0, 1, "request", 1)]), {0: 5}) is None


def test_sample_states_from_state_wait_and_sections():
    table = samples([0] * 6, [0, 10, 20, 30, 40, 50], "RRSSSR",
                    wait=["-", "-", WAIT_TIMED, WAIT_UNTIMED, WAIT_OTHER, "-"])
    sections = Segments(np.array([0], np.int32), np.array([5], np.int64),
                        np.array([45], np.int64), np.array([NATIVE], np.int8))
    assert sample_states(table, sections).tolist() == [
        RUNNING, NATIVE, WAIT_GIL, WAIT_LOCK, OFF_CPU, RUNNING]
    # Without sections a running thread is only "on a CPU".
    assert sample_states(table).tolist() == [
        ON_CPU, ON_CPU, WAIT_GIL, WAIT_LOCK, OFF_CPU, ON_CPU]


def test_a_rise_of_run_delay_marks_the_samples_before_it_as_waiting():
    # Samples every 10 ns; by the sample at 50 the thread had waited 25 ns for
    # a CPU: it waited from 25 on, so its R samples at 30 and 40 were waiting.
    table = samples([0] * 6, [0, 10, 20, 30, 40, 50], "RRRRRR",
                    run_delay=[100, 100, 100, 100, 100, 125])
    assert waiting_for_cpu(table).tolist() == [False, False, False, True, True, False]
    assert sample_states(table)[3] == WAIT_CPU
    # Unknown run_delay (-1) marks nothing.
    assert not waiting_for_cpu(samples([0, 0], [0, 10], "RR")).any()


def test_sampled_segments_join_runs_of_one_state_and_cut_long_spans():
    table = samples([0, 0, 0, 0, 1, 1], [0, 10, 20, 60, 0, 10], "RRSRSS")
    segments = sampled_segments(table, {0: 70, 1: 15}, longest_ns=30)
    assert segments.worker.tolist() == [0, 0, 0, 1]
    assert segments.start_ns.tolist() == [0, 20, 60, 0]
    assert segments.stop_ns.tolist() == [20, 50, 70, 15]
    assert segments.state.tolist() == [ON_CPU, OFF_CPU, ON_CPU, OFF_CPU]


def test_merge_adjacent_keeps_gaps_and_changes():
    segments = Segments(np.array([0, 0, 0, 1], np.int32), np.array([0, 5, 12, 12], np.int64),
                        np.array([5, 10, 20, 20], np.int64),
                        np.array([NATIVE, NATIVE, NATIVE, NATIVE], np.int8))
    merged = merge_adjacent(segments)
    assert merged.start_ns.tolist() == [0, 12, 12]
    assert merged.stop_ns.tolist() == [10, 20, 20]


def test_merge_intervals():
    start, stop = merge_intervals([0, 5, 20, 30], [10, 8, 25, 40])
    assert start.tolist() == [0, 20, 30]
    assert stop.tolist() == [10, 25, 40]


def test_parallelism_counts_running_workers_on_distinct_cpus():
    # Workers 0 and 1 on CPU 0 and 1 from 0 to 20; worker 2 also on CPU 1
    # (queued behind worker 1) from 10; worker 1 sleeps from 20.
    table = samples([0, 1, 2, 0, 1, 2], [0, 0, 10, 20, 20, 20], "RRRRSR",
                    cpu=[0, 1, 1, 0, 1, 1])
    times, depth = parallelism_steps(table, {0: 30, 1: 30, 2: 30}, longest_ns=100)
    assert depth_integral(times, depth, [30])[0] / 30 == pytest.approx((2 * 20 + 2 * 10) / 30)
    assert time_at_depth(times, depth, 2) == 30
    assert time_at_depth(times, depth, 3) == 0


def test_parallelism_leaves_out_waits_for_a_cpu():
    table = samples([0, 0, 0], [0, 10, 20], "RRR", run_delay=[0, 0, 10])
    times, depth = parallelism_steps(table, {0: 30}, longest_ns=100)
    assert time_at_depth(times, depth, 1) == 20  # 10..20 was a wait


def test_depth_integral_and_bins():
    times, depth = np.array([0, 10, 20, 30]), np.array([1, 2, 1, 0])
    assert depth_integral(times, depth, [-5, 0, 5, 15, 40]).tolist() == [0, 0, 5, 20, 40]
    edges = np.array([0, 10, 20, 40])
    assert (np.diff(depth_integral(times, depth, edges)) / np.diff(edges)).tolist() == [1, 2, 0.5]
    assert depth_integral(times, depth, [40])[0] / 40 == 1.0


def worker(index, pid, tid, start, stop, result=None):
    return Worker(index=index, pid=pid, tid=tid, work=10, start_ns=start, stop_ns=stop,
                  cpu_ns=stop - start, error=None, result=result)


def test_attribute_samples_follows_the_pool_hand_out():
    # Member 0 (tid 100) ran task 1 then task 2; member 1 (tid 101) ran task 0;
    # member 2 (tid 102) ran nothing.
    members = [(0, 9, 100), (1, 9, 101), (2, 9, 102)]
    workers = (worker(0, 9, 101, 1, 50), worker(1, 9, 100, 2, 30), worker(2, 9, 100, 31, 60))
    table = samples([0, 0, 0, 1, 2], [0, 20, 40, 20, 20], "RRRRS")
    mapped = attribute_samples(table, members, workers)
    assert mapped.worker.tolist() == [1, 1, 2, 0]
    assert mapped.t_ns.tolist() == [0, 20, 40, 20]
    assert shared_members(workers) == [[1, 2]]


def test_attribute_samples_leaves_one_to_one_runs_alone():
    members = [(0, 9, 100), (1, 9, 101)]
    workers = (worker(0, 9, 100, 0, 10), worker(1, 9, 101, 0, 10))
    table = samples([0, 1], [5, 5], "RR")
    assert attribute_samples(table, members, workers) is table


class FakeRun:
    def __init__(self, workers):
        self.workers = workers
        self.end_ns = 100


def test_pi_estimate_adds_up_the_workers():
    workers = (worker(0, 1, 1, 0, 500_000_000,
                      {"samples": 1000, "hits": 780, "max_rss_bytes": 5}),
               worker(1, 1, 2, 0, 1_000_000_000,
                      {"samples": 1000, "hits": 790, "max_rss_bytes": 7}))
    estimate = pi_estimate(FakeRun(workers))
    assert estimate.value == 4 * 1570 / 2000
    assert estimate.standard_error == pytest.approx(4 * math.sqrt(0.785 * 0.215 / 2000))
    assert estimate.samples_per_s == 2000
    assert estimate.max_rss_bytes == 7
    assert estimate.error == pytest.approx(3.14 - math.pi)
    failed = (workers[0], workers[1]._replace(result=None))
    assert pi_estimate(FakeRun(failed)) is None


def process_samples(rows):
    from gilviz.log import ProcessSamples
    t, pid, user, system = zip(*rows)
    return ProcessSamples(np.asarray(t, np.int64), np.asarray(pid, np.int64),
                          np.asarray(user, np.float64), np.asarray(system, np.float64),
                          np.zeros(len(t), np.int16))


class ProcessRun:
    """A busy run of 10 ns with these psutil readings."""

    def __init__(self, rows):
        self.processes = process_samples(rows)
        self.workers = (worker(0, 1, 1, 0, 10),)
        self.end_ns = 10


def test_system_share_and_the_baseline_note():
    from gilviz.analysis import (BaselineSystemTime, SystemTime, baseline_system_time,
                                 system_share, system_time)
    run = ProcessRun([(0, 1, 1.0, 0.0), (10, 1, 1.8, 0.2), (0, 2, 0.0, 0.0), (10, 2, 0.8, 0.2)])
    assert system_share(run) == pytest.approx(0.4 / 2.0)
    baseline = ProcessRun([(0, 3, 0.0, 0.0), (10, 3, 1.0, 3.0)])
    assert baseline_system_time(run, [baseline]) == BaselineSystemTime(0.75, pytest.approx(0.2))
    assert baseline_system_time(baseline, [run]) is None
    assert system_share(ProcessRun([(0, 1, 1.0, 0.0)])) is None
    idle = ProcessRun([(0, 3, 0.0, 0.0), (10, 3, 1.0, 3.0)])
    idle.workers = (worker(0, 3, 3, 0, 10)._replace(cpu_ns=1),)  # it mostly waited
    assert baseline_system_time(run, [idle]) is None
    assert system_time(baseline) == SystemTime(0.75) and system_time(idle) is None


def test_binned_parallelism_leaves_unsampled_time_out():
    from gilviz.analysis import binned_parallelism
    # Two workers on two CPUs, sampled every 10 ns, then a pause from 30 to 80.
    t = [0, 10, 20, 80, 90]
    table = samples([0] * 5 + [1] * 5, t + t, "R" * 10, cpu=[0] * 5 + [1] * 5)
    stops = {0: 100, 1: 100}
    means = binned_parallelism(table, stops, 10, [0, 30, 60, 100])
    assert means[0] == 2 and np.isnan(means[1]) and means[2] == 2
    assert binned_parallelism(table, stops, 10, [0, 100], 0).tolist() == [2]
