"""The sampler, on threads of this very process."""

import os
import threading
import time

from gilviz.measure.sampler import SAMPLE_DTYPE, Sampler, parse_stat, parse_stat_row


def test_parse_stat_survives_a_command_name_with_spaces_and_parentheses():
    fields = ["S"] + [str(i) for i in range(4, 53)]
    fields[11], fields[12], fields[36] = "7", "5", "1"  # utime, stime, processor
    raw = ("1234 (we ird) (name) " + " ".join(fields)).encode()
    assert parse_stat(raw) == ("S", 1, 12)


def test_sampler_reads_a_sleeping_thread_and_stops_when_it_is_gone():
    done = threading.Event()
    ids = []

    def sleeper():
        ids.append(threading.get_native_id())
        done.wait(5)

    thread = threading.Thread(target=sleeper)
    thread.start()
    while not ids:
        time.sleep(0.001)
    sampler = Sampler([(0, os.getpid(), ids[0])], hz=500)
    sampler.start()
    time.sleep(0.1)
    done.set()
    thread.join()
    time.sleep(0.05)
    sampler.stop()
    samples = sampler.thread_samples(origin_ns=0)
    stats = sampler.stats()
    assert len(samples.t_ns) > 0
    assert set(samples.worker.tolist()) == {0}
    assert set(samples.state.tolist()) <= {"S", "R"}
    assert (samples.t_ns[1:] >= samples.t_ns[:-1]).all()
    assert stats.ticks > len(samples.t_ns) / 2
    assert sampler.core_samples(0).percent.shape[1] == os.cpu_count()


def test_parse_stat_row_agrees_with_parse_stat():
    fields = ["S"] + [str(i) for i in range(4, 53)]
    raw = ("1234 (we ird) (name) " + " ".join(fields)).encode()
    state, cpu, ticks = parse_stat_row(raw)
    assert (state.decode(), cpu, ticks) == parse_stat(raw)


def test_samples_are_kept_in_32_bytes_each():
    assert SAMPLE_DTYPE.itemsize == 32


def test_stat_lines_parsed_at_once_agree_with_each_line():
    from gilviz.measure.procparse import parse_schedstat_lines, parse_stat_lines
    lines = []
    for i, name in enumerate(["python", "we ird) (name", "a)b", "x"]):
        fields = ["SRDS"[i]] + [str(j * 7919 + i) for j in range(4, 53)]
        fields[11], fields[12], fields[36] = str(10 ** i), str(123456789012 + i), str(i)
        lines.append(("%d (%s) %s\n" % (1000 + i, name, " ".join(fields))).encode())
    state, cpu, ticks = parse_stat_lines(lines)
    assert [(s, int(c), int(t)) for s, c, t in zip(state, cpu, ticks)] == \
        [parse_stat_row(line) for line in lines]
    assert parse_schedstat_lines([b"5 789 3\n", b"", b"12 0 1\n"]).tolist() == [789, -1, 0]
    widest = b"1 9223372036854775807 2\n"  # the largest int64, beside narrower values
    assert parse_schedstat_lines([widest, b"3 40 5\n"]).tolist() == [2 ** 63 - 1, 40]
    assert len(parse_stat_lines([])[0]) == 0


def test_timings_lines_add_up_what_lies_beyond_the_runs():
    from gilviz.cli.commands import RUNS_OWN, timings_lines
    text = timings_lines({"start-up and imports": 0.5, RUNS_OWN: 2.0, "saving the log": 0.25},
                         after_start_s=3.0)
    assert "beyond the runs' own wall time" in text and "1.500 s" in text


def test_a_sampler_that_failed_says_so_instead_of_looking_sampled(monkeypatch):
    import pytest

    from gilviz.measure.watch import TargetError
    sampler = Sampler([(0, os.getpid(), threading.get_native_id())], hz=500)

    def broken(live):
        raise OSError("no /proc here")
    monkeypatch.setattr(sampler, "_read_threads", broken)
    sampler.start()
    time.sleep(0.05)
    sampler.stop()
    with pytest.raises(TargetError, match="the sampler failed: OSError: no /proc here"):
        sampler.stats()


def test_a_slice_requested_for_one_thread_is_that_threads_alone():
    import pytest

    from gilviz.measure.sampler import SHORT_SLICE_NS, request_slice

    def slice_of_this_thread():
        with open("/proc/thread-self/sched") as stream:
            rows = [line.split(":") for line in stream if line.startswith("se.slice")]
        return int(rows[0][1]) if rows else None

    before = slice_of_this_thread()
    if before is None:
        pytest.skip("this kernel does not show its time slices")
    seen = []

    def asker():
        me = threading.get_native_id()
        seen.append(request_slice(me, os.getpriority(os.PRIO_PROCESS, me), SHORT_SLICE_NS))
        seen.append(slice_of_this_thread())
    thread = threading.Thread(target=asker)
    thread.start()
    thread.join()
    if seen[1] == before:
        pytest.skip("this kernel keeps one slice for all (before Linux 6.12)")
    assert seen == [True, SHORT_SLICE_NS]
    assert slice_of_this_thread() == before
