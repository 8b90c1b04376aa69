"""The Chrome trace export."""

import json

from gilviz.analysis import RUNNING, WAIT_GIL, summarize
from gilviz.report import STATE_NAMES
from gilviz.render.trace import save_trace, trace_events

from helpers import MS, samples_table


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


def test_saved_trace_is_json_with_trace_events(tmp_path, battle):
    path = save_trace(battle, summarize(battle), str(tmp_path / "trace.json"))
    with open(path) as stream:
        document = json.load(stream)
    assert document["displayTimeUnit"] == "ms" and document["traceEvents"]
