"""The Chrome trace export."""

import json

import numpy as np

from gilviz.analysis import RUNNING, WAIT_GIL, summarize
from gilviz.log import CoreSamples
from gilviz.render.trace import TOO_BRIEF, save_trace, trace_events
from gilviz.report import STATE_NAMES

from helpers import MS, make_run, samples_table


def test_a_battle_becomes_slices_per_thread(battle):
    events = trace_events(battle, summarize(battle))
    slices = [e for e in events if e["ph"] == "X"]
    assert len(slices) == 5  # three holds, two waits
    running = sorted((e["tid"], e["ts"], e["dur"]) for e in slices
                     if e["name"] == STATE_NAMES[RUNNING])
    assert running == [(200, 0.0, 5000.0), (200, 10050.0, 4950.0), (201, 5050.0, 4950.0)]
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
