"""The words report puts to analysis facts: every caveat, durations, the summary's lines."""

import pytest

from gilviz.analysis import caveats, summarize
from gilviz.report import caveat_text, format_duration, summary_lines

from helpers import MS, make_run


@pytest.mark.parametrize("caveat, words", [
    (caveats.WorkerFailed(0, "MemoryError: x"), "worker 0 failed: MemoryError: x"),
    (caveats.KernelFallback("no echo server on 127.0.0.1"), "no echo server on 127.0.0.1"),
    (caveats.PoolSharedMembers((0, 2), "dummy-pool"),
     "the pool ran workers 0, 2 one after the other on one thread"),
    (caveats.PoolSharedMembers((1, 3), "pool"),
     "the pool ran workers 1, 3 one after the other on one process"),
    (caveats.WaitsUnreadable(), "could not read what sleeping threads waited on "
                                "(/proc/PID/task/*/syscall: no ptrace access): waits for the "
                                "GIL, a lock, I/O or a sleep all show as 'off CPU'"),
    (caveats.TimedWaitsAsGil(), "from outside, a wait with a timeout (Event.wait(1), "
                                "queue.get(timeout=...)) looks like a wait for the GIL"),
    (caveats.QueuedAsRunning(42_000_000), "sampled running time exceeds the workers' CPU time "
                                          "by 42 ms: some waits for a CPU show as running"),
    (caveats.SamplerBehind(300.0, 1000.0, 12_300_000),
     "sampler fell behind: 300 Hz of 1000 requested, longest pause 12.3 ms"),
    (caveats.PinningMismatch((0, 1), (1,)), "asked to pin to cores 0,1, the target got 1"),
    (caveats.CoarseProbe(30e-6, 20_000), "switch interval 30 µs is close to the probe's 20 µs "
                                         "resolution: short turns merge in the bands"),
    (caveats.SystemTime(0.75), "75% of the target's CPU time went to the OS kernel (system time)"),
    (caveats.BaselineSystemTime(0.75, 0.2),
     "the serial baselines spent 75% of their CPU time in the OS kernel, this run 20%: the ratio "
     "of wall times reflects that too"),
    (caveats.UnexplainedPauses(1, 300_000),
     "1 pause (0.3 ms in all) not put down to the GIL or the OS"),
    (caveats.UnexplainedPauses(3, 4_000_000),
     "3 pauses (4.0 ms in all) not put down to the GIL or the OS"),
    (caveats.IncompleteSweep(8, 25, 1, 5),
     "incomplete: the sweep stopped after 8 of 25 runs; 1 of 5 rounds complete"),
    (caveats.RunsLeftOut(2), "2 runs left out: a worker failed"),
])
def test_every_caveat_has_its_words(caveat, words):
    assert caveat_text(caveat) == words


@pytest.mark.parametrize("ns, words", [
    (41_000, "41 µs"), (5_020_000, "5.02 ms"), (15_900_000, "15.9 ms"), (1.25e9, "1.2 s"),
    (8.4e9, "8.4 s"), (40e9, "40 s"), (185e9, "3 min 05 s"), (3725e9, "1 h 02 min"),
])
def test_one_format_duration_from_microseconds_to_hours(ns, words):
    assert format_duration(ns) == words


def test_the_summary_says_its_warnings_and_notes():
    note = make_run([(0, 20 * MS)], [(0, 0, 1 * MS, 0), (0, 1 * MS + 300_000, 20 * MS, 0)])
    lines = summary_lines(note, summarize(note))
    assert "note: 1 pause (0.3 ms in all) not put down to the GIL or the OS" in lines
    warning = make_run([(0, 2 * MS)], [(0, 0, 1 * MS, 0), (0, 1 * MS + 300_000, 2 * MS, 0)])
    lines = summary_lines(warning, summarize(warning))
    assert "warning: 1 pause (0.3 ms in all) not put down to the GIL or the OS" in lines


def test_a_sampler_behind_says_why_when_it_is_known():
    text = caveat_text(caveats.SamplerBehind(3.5, 1000.0, 1_470_000_000, waited_for_cpu_ns=
                                             12_000_000_000, round_cpu_ns=80_000, raised=False))
    assert "waited 12 s for a CPU" in text and "CAP_SYS_NICE" in text
    text = caveat_text(caveats.SamplerBehind(451.0, 1000.0, 40_000_000, waited_for_cpu_ns=0,
                                             round_cpu_ns=700_000, raised=True))
    assert "a round of reads took 700 µs of CPU" in text and "waited" not in text


def test_a_refused_window_or_worker_set_in_words():
    from gilviz.analysis.selection import UnknownWorkers, WindowOutside
    from gilviz.report.words import selection_text
    assert selection_text(WindowOutside((100 * MS, 150 * MS), 120 * MS)) == \
        "window 100–150 ms is outside the run (0–120 ms)"
    assert selection_text(UnknownWorkers((7,), (0, 1))) == \
        "no worker 7 in this run: it has workers 0,1"


def test_the_old_gils_battle_is_told_with_its_reading():
    from gilviz.analysis import Battle
    from gilviz.report.battle import battle_text
    fight = Battle(cores=2, handoffs_per_s=13_412.3, failed_wakeups_per_s=2_100.0,
                   kernel_share=0.32)
    assert battle_text(fight).startswith(
        "old GIL: 13,412 hand-offs a second, 2,100 failed wake-ups a second, 32% of the CPU "
        "time in the OS kernel; on 2 cores the threads fight for the GIL: ")
    alone = fight._replace(cores=1)
    assert battle_text(alone).endswith("on one core the threads take turns without a fight")
