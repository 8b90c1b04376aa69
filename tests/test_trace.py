"""The Chrome trace export."""

import pytest
import json
import os

import numpy as np

from gilviz.analysis import RUNNING, WAIT_GIL, summarize
from gilviz.api.kinds import result_of
from gilviz.log import CoreSamples, new_log
from gilviz.render.trace import TOO_BRIEF, save_runs_trace, save_trace, trace_events
from gilviz.report import STATE_NAMES

from helpers import MS, battle_of, hand_built_convoy, make_run, samples_table, sweep_log


def test_a_battle_becomes_slices_per_thread(battle):
    events = trace_events(battle, summarize(battle))
    slices = [e for e in events if e["ph"] == "X"]
    assert len(slices) == 5  # three holds, two waits
    running = sorted((e["tid"], e["ts"], e["dur"]) for e in slices
                     if e["name"] == STATE_NAMES[RUNNING])
    # worker 0's gap holds a chunk of its own (20.02 us), half at each end
    assert running == [(200, 0.0, 5010.01), (200, 10039.99, 4960.01), (201, 5050.0, 4950.0)]
    assert sum(e["name"] == STATE_NAMES[WAIT_GIL] for e in slices) == 2
    names = {e["args"]["name"] for e in events if e["name"] == "thread_name"}
    assert names == {"thread 0", "thread 1"}


def test_failed_acquisitions_are_instant_events(battle):
    run = battle._replace(threads=samples_table([(2 * MS, 1, "R")]))
    instants = [e for e in trace_events(run, summarize(run)) if e["ph"] == "i"]
    assert [(e["tid"], e["ts"]) for e in instants] == [(201, 2000.0)]


def brief_turn():
    """w0 holds 0-5 ms and 5.1-10 ms; in between, w1 is seen running at the
    single instant 5.05 ms (its first and last timestamps are one)."""
    holds = [(0, 0, 5 * MS, 0), (1, 5 * MS + 50_000, 5 * MS + 50_000, 0),
             (0, 5 * MS + 100_000, 10 * MS, 0)]
    return make_run([(0, 10 * MS), (0, 10 * MS)], holds)


def test_a_turn_too_brief_to_time_is_an_instant_not_an_empty_slice():
    run = brief_turn()
    events = trace_events(run, summarize(run))
    assert all(e["dur"] > 0 for e in events if e["ph"] == "X")
    brief = [e for e in events if e["name"] == TOO_BRIEF % STATE_NAMES[RUNNING]]
    assert [(e["ph"], e["s"], e["tid"], e["ts"]) for e in brief] == [("i", "t", 201, 5050.0)]
    # w1's wait before the brief turn ends where it is seen running
    waits = [(e["ts"], e["dur"]) for e in events
             if e["ph"] == "X" and e["name"] == STATE_NAMES[WAIT_GIL] and e["tid"] == 201]
    assert waits == [(0.0, 5050.0)]


def test_every_event_has_a_pid_and_a_tid_counters_too():
    run = brief_turn()
    percent = np.array([[np.nan, np.nan], [50.0, 100.0], [25.0, 75.0]])
    run = run._replace(cores=CoreSamples(np.array([0, MS, 2 * MS], np.int64), percent),
                       threads=samples_table([(2 * MS, 1, "R")]))
    events = trace_events(run, summarize(run))
    assert {e["ph"] for e in events} == {"M", "X", "i", "C"}
    assert all(isinstance(e["pid"], int) and isinstance(e["tid"], int) for e in events)
    counters = [e for e in events if e["ph"] == "C"]
    assert [(e["pid"], e["tid"], e["ts"], e["args"]) for e in counters] == [
        (100, 100, 1000.0, {"core 0": 50.0, "core 1": 100.0}),
        (100, 100, 2000.0, {"core 0": 25.0, "core 1": 75.0})]


def test_each_process_is_named_once_workers_and_counters_alike():
    run = make_run([(0, MS), (0, MS)], [(0, 0, MS, 0), (1, 0, MS, 0)], backend="processes",
                   pids=[101, 102])
    run = run._replace(cores=CoreSamples(np.array([0, MS], np.int64),
                                         np.array([[np.nan], [90.0]])))
    named = [(e["pid"], e["tid"], e["args"]["name"]) for e in trace_events(run, summarize(run))
             if e["name"] == "process_name"]
    assert named == [(pid, pid, "CPython 3.11.7 (pid %d)" % pid) for pid in (100, 101, 102)]


def test_saved_trace_is_json_with_trace_events(tmp_path, battle):
    path = save_trace(battle, summarize(battle), str(tmp_path / "trace.json"))
    with open(path) as stream:
        document = json.load(stream)
    assert document["traceEvents"] and document["otherData"]["workers"] == 2


def test_the_trace_says_what_the_chart_says_a_partial_log_and_its_caveats(tmp_path, battle):
    from gilviz.analysis.caveats import OtherLoad, UnexplainedPauses
    from gilviz.report import caveat_text
    load, pauses = (OtherLoad(1.0, 1.3, 0.0, "run"), UnexplainedPauses(2, 1_400_000))
    stats = summarize(battle)._replace(warnings=(load,), notes=(pauses,))
    path = save_trace(battle, stats, str(tmp_path / "trace.json"), "interrupted after 2 of 6 runs")
    with open(path, encoding="utf-8") as stream:
        said = json.load(stream)["otherData"]
    assert said["partial"] == "interrupted after 2 of 6 runs"
    assert said["warnings"] == [caveat_text(load)] and said["notes"] == [caveat_text(pauses)]
    path = save_trace(battle, summarize(battle), str(tmp_path / "whole.json"))
    with open(path, encoding="utf-8") as stream:
        assert not {"partial", "warnings"} & set(json.load(stream)["otherData"])
    # Several runs: each run's caveats by its label.
    path = save_runs_trace([("A", battle, stats), ("B", battle, summarize(battle))],
                           str(tmp_path / "runs.json"), {"kernel": "countdown"},
                           "run 2 of 2 failed")
    with open(path, encoding="utf-8") as stream:
        said = json.load(stream)["otherData"]
    assert said["partial"] == "run 2 of 2 failed" and said["warnings"] == {
        "A": [caveat_text(load)]}


def test_a_partial_run_saved_says_so_in_its_trace(tmp_path, battle):
    run_dir = result_of(new_log([battle], incomplete="interrupted after 1 of 4 runs")).save(
        str(tmp_path))
    with open(os.path.join(run_dir, "trace.json"), encoding="utf-8") as stream:
        assert json.load(stream)["otherData"]["partial"] == "interrupted after 1 of 4 runs"


def test_a_large_trace_is_gzipped_beside_the_name_asked(tmp_path, battle, monkeypatch):
    import gzip

    from gilviz.render import trace
    monkeypatch.setattr(trace, "GZIP_OVER_BYTES", 0)
    stats = summarize(battle)
    path = save_trace(battle, stats, str(tmp_path / "trace.json"))
    assert path == str(tmp_path / "trace.json.gz")
    with gzip.open(path, "rt") as stream:
        assert json.load(stream)["traceEvents"] == trace_events(battle, stats)


def slices_and_names(path):
    """(events, {trace pid: process name}) of a saved trace."""
    with open(path) as stream:
        events = json.load(stream)["traceEvents"]
    names = {}
    for e in events:
        if e["name"] == "process_name":
            assert e["pid"] not in names  # each process named once
            names[e["pid"]] = e["args"]["name"]
    return events, names


def valid_for_perfetto(events):
    """What the Perfetto test checks of every trace: a pid and a tid on each
    event, no slice of zero length."""
    assert all(isinstance(e["pid"], int) and isinstance(e["tid"], int) for e in events)
    assert all(e["dur"] > 0 for e in events if e["ph"] == "X")


def test_several_runs_are_a_process_each_named_by_its_label(tmp_path, battle):
    brief = brief_turn()
    labelled = [("A · 1 core", battle, summarize(battle)), ("B · 2 cores", brief, summarize(brief))]
    path = save_runs_trace(labelled, str(tmp_path / "trace.json"), {"kernel": "countdown"})
    events, names = slices_and_names(path)
    valid_for_perfetto(events)
    assert names == {1: "A · 1 core · CPython 3.11.7 (pid 100)",
                     2: "B · 2 cores · CPython 3.11.7 (pid 100)"}
    assert {e["pid"] for e in events} == {1, 2}
    # each run's slices, as its own trace has them, under its process
    for number, (_, run, stats) in enumerate(labelled, start=1):
        own = sorted((e["name"], e["tid"], e["ts"], e.get("dur")) for e in trace_events(run, stats)
                     if e["ph"] in ("X", "i"))
        assert own == sorted((e["name"], e["tid"], e["ts"], e.get("dur")) for e in events
                             if e["ph"] in ("X", "i") and e["pid"] == number)
    threads = [(e["pid"], e["tid"]) for e in events if e["name"] == "thread_name"]
    assert len(threads) == len(set(threads)) == 4


def saved_trace(log, tmp_path):
    run_dir = result_of(log).save(str(tmp_path))
    assert os.path.exists(os.path.join(run_dir, "trace.json"))
    return slices_and_names(os.path.join(run_dir, "trace.json"))


@pytest.mark.slow  # saves the whole result, charts included
def test_a_comparison_saves_a_trace_of_both_sides(tmp_path):
    b = battle_of("b", switch_interval_s=0.001)
    b = b._replace(interpreter=b.interpreter._replace(switch_interval_s=0.001))
    log = new_log([battle_of("a"), b, battle_of("a"), b])
    events, names = saved_trace(log, tmp_path)
    valid_for_perfetto(events)
    assert [name.split(" · ")[:2] for _, name in sorted(names.items())] == [
        ["A", "5 ms switch interval (the median of 2 runs)"],
        ["B", "1 ms switch interval (the median of 2 runs)"]]


@pytest.mark.slow  # saves the whole result, charts included
def test_a_convoy_saves_a_trace_of_both_cases(tmp_path):
    events, names = saved_trace(hand_built_convoy(), tmp_path)
    valid_for_perfetto(events)
    assert [name.split(" · ")[0] for _, name in sorted(names.items())] == [
        "I/O thread alone", "Beside 1 CPU thread"]


@pytest.mark.slow  # saves the whole result, charts included
def test_a_sweep_saves_a_trace_of_every_counted_run(tmp_path):
    log = sweep_log(2, serial_walls=[1.0, 1.0], thread_walls={1: [1.0, 1.0], 2: [1.0, 1.1]},
                    process_walls={1: [1.0, 1.0], 2: [0.5, 0.6]})
    events, names = saved_trace(log, tmp_path)
    valid_for_perfetto(events)
    labels = [" · ".join(name.split(" · ")[:2]) for _, name in sorted(names.items())]
    assert len(labels) == 10  # 2 rounds of the baseline and 4 configurations; no warm-up
    assert labels[:5] == ["round 1 · serial baseline", "round 1 · 1 thread",
                          "round 1 · 2 threads", "round 1 · 1 process", "round 1 · 2 processes"]
    assert labels[5] == "round 2 · serial baseline"
