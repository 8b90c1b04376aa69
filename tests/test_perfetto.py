"""trace.json where users open it: the Perfetto UI, offline, in headless Chromium.

Everything is asked of Perfetto itself (its SQL engine and the page it
draws), and compared with what the file says."""

import collections
import gzip
import json
import os
import sys

import pytest

from gilviz.analysis import summarize
from gilviz.log import RunSpec
from gilviz.measure.runner import run_target
from gilviz.render.trace import save_trace

from helpers import make_run
import perfetto_ui

SCREENSHOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                          "output", "examples", "perfetto.png")
"""The README's picture of a trace in Perfetto: remade by this suite only with
GILVIZ_REMAKE_EXAMPLES=1 set, so that a test run leaves the repository as it was."""
LARGE_HOLDS = 1_000_000
"""The largest trace the suite opens: a million holds of 64 threads (the
scale a long run reaches), 2 million slices, 220 MB of JSON; the UI loads it
here in about 25 s (scripts/bench_perfetto_load.py)."""
TURN_NS, HANDOFF_NS = 50_000, 5_000

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def ui():
    reason = perfetto_ui.missing()
    if reason and os.environ.get("GILVIZ_REQUIRE_BROWSER"):
        pytest.fail("GILVIZ_REQUIRE_BROWSER is set, but " + reason)
    if reason:
        pytest.skip(reason)
    return perfetto_ui


def round_robin_run(workers, holds):
    """A run of `workers` threads taking turns of 50 us, 5 us hand-offs."""
    period = TURN_NS + HANDOFF_NS
    rows = [(i % workers, i * period, i * period + TURN_NS, 0) for i in range(holds)]
    return make_run([(0, rows[-1][2])] * workers, rows)


def opens_whole(ui, run, path, screenshot=None):
    """Open the trace of `run` at `path` in the UI and check, through
    Perfetto, that it holds what the file holds."""
    with (gzip.open if path.endswith(".gz") else open)(path, "rt") as stream:
        counts = collections.Counter((e["name"], e["ph"]) for e in json.load(stream)["traceEvents"])

    with ui.opened(path) as perfetto:
        titles = ["%s %d %d" % (run.spec.worker_noun, w.index, w.tid) for w in run.workers]
        positions = perfetto.wait_for_text(titles)
        if screenshot:
            os.makedirs(os.path.dirname(screenshot), exist_ok=True)
            perfetto.screenshot(screenshot)
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
    # one track per worker, named as in the file, drawn in the workers' order
    assert sorted((t["pid"], t["tid"], t["name"]) for t in threads) == sorted(
        (w.pid, w.tid, "%s %d" % (run.spec.worker_noun, w.index)) for w in run.workers)
    assert positions == sorted(positions)
    # every slice and instant of the file, no more; slices last, instants do not
    assert {(s["name"], "X" if s["lasts"] else "i"): s["n"] for s in slices} == {
        key: n for key, n in counts.items() if key[1] in ("X", "i")}
    rows = counts["CPU utilisation %", "C"]
    cores = run.cores.percent.shape[1] if rows else 0
    assert {c["name"]: c["n"] for c in counters} == {
        "CPU utilisation %% core %d" % core: rows for core in range(cores)}


def test_a_countdown_trace_opens_in_perfetto_with_every_track_and_slice(ui, tmp_path):
    run = run_target(RunSpec(kernel="countdown", backend="threads", workers=4, work=3_000_000,
                             probe=True, python=sys.executable, sample_hz=1000.0))
    path = save_trace(run, summarize(run), str(tmp_path / "trace.json"))
    remake = os.environ.get("GILVIZ_REMAKE_EXAMPLES") == "1"
    screenshot = SCREENSHOT if remake else str(tmp_path / "perfetto.png")
    opens_whole(ui, run, path, screenshot=screenshot)
    assert os.path.getsize(screenshot) > 0


def test_a_million_holds_of_64_threads_open_whole(ui, tmp_path):
    run = round_robin_run(64, LARGE_HOLDS)
    path = save_trace(run, summarize(run), str(tmp_path / "trace.json"))
    opens_whole(ui, run, path)
