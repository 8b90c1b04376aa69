"""trace.json where users open it: the Perfetto UI, offline, in headless Chromium.

Everything is asked of Perfetto itself (its SQL engine and the page it
draws), and compared with what the file says."""

import collections
import json
import os
import sys

import pytest

from gilviz.analysis import summarize
from gilviz.log import RunSpec
from gilviz.measure.runner import run_target
from gilviz.render.trace import save_trace

import perfetto_ui

SCREENSHOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                          "output", "examples", "perfetto.png")

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def ui():
    reason = perfetto_ui.missing()
    if reason and os.environ.get("GILVIZ_REQUIRE_BROWSER"):
        pytest.fail("GILVIZ_REQUIRE_BROWSER is set, but " + reason)
    if reason:
        pytest.skip(reason)
    return perfetto_ui


def file_counts(document):
    """Events per name and phase, as the file has them."""
    return collections.Counter((e["name"], e["ph"]) for e in document["traceEvents"])


def test_a_countdown_trace_opens_in_perfetto_with_every_track_and_slice(ui, tmp_path):
    run = run_target(RunSpec(kernel="countdown", backend="threads", workers=4, work=3_000_000,
                             probe=True, python=sys.executable, sample_hz=1000.0))
    path = save_trace(run, summarize(run), str(tmp_path / "trace.json"))
    with open(path) as stream:
        document = json.load(stream)
    counts = file_counts(document)

    with ui.opened(path) as perfetto:
        titles = ["thread %d %d" % (w.index, w.tid) for w in run.workers]
        positions = perfetto.wait_for_text(titles)
        os.makedirs(os.path.dirname(SCREENSHOT), exist_ok=True)
        perfetto.screenshot(SCREENSHOT)

        problems = perfetto.query("select name, idx, value from stats where value > 0 "
                                  "and severity in ('error', 'data_loss')")
        threads = perfetto.query("select process.pid, thread.tid, thread.name from thread "
                                 "join process using (upid) join thread_track using (utid)")
        slices = perfetto.query("select name, dur > 0 as lasts, count(*) as n from slice "
                                "group by name, lasts")
        counters = perfetto.query("select counter_track.name, count(*) as n from counter "
                                  "join counter_track on counter.track_id = counter_track.id "
                                  "group by counter_track.name")

    assert problems == []
    # one track per worker, named as in the file, in the workers' order
    assert sorted((t["pid"], t["tid"], t["name"]) for t in threads) == sorted(
        (w.pid, w.tid, "thread %d" % w.index) for w in run.workers)
    assert positions == sorted(positions)
    # every slice and instant of the file, no more; slices last, instants do not
    assert {(s["name"], "X" if s["lasts"] else "i"): s["n"] for s in slices} == {
        key: n for key, n in counts.items() if key[1] in ("X", "i")}
    cores = len(run.cores.percent[0]) if len(run.cores.t_ns) else 0
    assert {c["name"]: c["n"] for c in counters} == {
        "CPU utilisation %% core %d" % core: counts["CPU utilisation %", "C"]
        for core in range(cores) if counts["CPU utilisation %", "C"]}
