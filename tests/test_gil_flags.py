"""The interpreter's own GIL flags (CPython 3.15+): states read, not
inferred; which code held the GIL; the probe checked against them. Hand-built
reads (fast), and real runs on a 3.15 where one is installed (slow)."""

import json
import os
import textwrap

import numpy as np
import pytest

from gilviz.analysis import NATIVE, OFF_CPU, RUNNING, WAIT_GIL, summarize, timeline_view
from gilviz.analysis.flags import flag_agreement, flag_states, flag_turns, gil_code
from gilviz.log import FlagReading, GilFlags, load, new_log, save
from gilviz.render.trace import trace_events
from gilviz.report import summary_lines
from helpers import MS, holds_table, make_run, newer_interpreter, run_cli, was_quiet

HAS, CPU, ASKED = 1, 2, 8


def flags_table(rows):
    """rows of (t_ns, worker, status, code)."""
    t, worker, status, code = zip(*rows)
    return GilFlags(np.asarray(t, np.int64), np.asarray(worker, np.int32),
                    np.asarray(status, np.int16), np.asarray(code, np.int32))


def flagged_run(rows, code=("spin (app.py)", "hash (app.py)"), probe=False, holds=()):
    """Two threads of one process read every ms for 10 ms."""
    run = make_run([(0, 10 * MS), (0, 10 * MS)], holds, probe=probe, sampler=True)
    return run._replace(spec=run.spec._replace(kernel="script"), gil_flags=flags_table(rows),
                        flag_reading=FlagReading(requested_hz=1000.0, reads=10, cpu_ns=5 * MS,
                                                 code=list(code)))


def battle_reads():
    """Worker 0 holds the GIL for 4 ms, then worker 1 for 6; the other asks,
    on a CPU at the hand-off; worker 1 hashes without the GIL at 9 ms."""
    rows = []
    for ms in range(10):
        first = ms < 4
        rows.append((ms * MS, 0, HAS | CPU if first else (ASKED | CPU if ms == 4 else ASKED), 0))
        rows.append((ms * MS, 1, ASKED if first else (CPU if ms == 9 else HAS | CPU), 1))
    return rows


def test_each_read_is_a_state():
    flags = flags_table([(0, 0, HAS | CPU, 0), (1, 0, ASKED, 0), (2, 0, CPU, 0), (3, 0, 0, -1)])
    assert flag_states(flags).tolist() == [RUNNING, WAIT_GIL, NATIVE, OFF_CPU]


def test_hand_offs_failed_wake_ups_and_who_held_it_are_read():
    run = flagged_run(battle_reads())
    turns = flag_turns(run)
    assert turns.handoff_ns.tolist() == [4 * MS]
    assert turns.failed == {0: 1, 1: 0}  # worker 0 on a CPU, asking, at 4 ms
    code = gil_code(run)
    assert [(c.code, c.share) for c in code.held[0]] == [("spin (app.py)", 0.4)]
    assert [(c.code, c.share) for c in code.waited[1]] == [("hash (app.py)", 0.4)]
    assert [(c.code, round(c.share, 3)) for c in code.held_overall] == [
        ("hash (app.py)", 0.556), ("spin (app.py)", 0.444)]


def test_the_bands_and_the_summary_come_from_the_flags():
    run = flagged_run(battle_reads())
    stats = summarize(run)
    view = timeline_view(run, stats)
    one = view.segments.worker == 1
    assert (view.segments.state[one] == NATIVE).any()  # hashing without the GIL, read
    text = "\n".join(summary_lines(run, stats))
    assert "who held the GIL, of the reads that found it held: hash (app.py) 56%" in text
    assert "thread 0 held it in spin (app.py) 40%" in text


def test_the_probe_is_checked_against_the_flags():
    holds = holds_table([(0, 0, 4 * MS, 0), (1, 4 * MS + 100_000, 10 * MS, 0)])
    agreement = flag_agreement(flags_table(battle_reads()), holds, margin_ns=200_000)
    # at 9 ms worker 1 hashes without the GIL, inside what the probe calls its hold
    # reads within 200 us of an edge (0 ms, and both at 4 ms) are not counted
    assert (agreement.agreeing, agreement.compared) == (16, 17)


def test_the_flags_survive_the_log_and_reach_the_trace(tmp_path):
    run = flagged_run(battle_reads())
    path = str(tmp_path / "run.json")
    save(new_log([run]), path)
    back = load(path).runs[0]
    assert back.gil_flags.status.tolist() == run.gil_flags.status.tolist()
    assert back.flag_reading.code == ["spin (app.py)", "hash (app.py)"]
    code = [e for e in trace_events(back, summarize(back)) if e.get("cat") == "code"]
    assert {e["name"] for e in code} == {"spin (app.py)", "hash (app.py)"}
    assert {e["args"]["state"] for e in code} >= {"running Python", "waiting for the GIL"}


PY315 = newer_interpreter("3.15")
needs_315 = pytest.mark.skipif(PY315 is None, reason=(
    "no CPython 3.15 found: `../shared/tools/debian-python 3.15` installs one, or set "
    "GILVIZ_PYTHON_3_15 to one"))

PROGRAM = textwrap.dedent("""
    import hashlib, threading
    def spin(n):
        while n > 0:
            n -= 1
    def digest(data):
        for _ in range(8):
            hashlib.sha256(data).digest()
    data = b"x" * 20_000_000
    threads = [threading.Thread(target=spin, args=(3_000_000,), name="spinner"),
               threading.Thread(target=digest, args=(data,), name="hasher")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
""")


@pytest.mark.slow
@needs_315
def test_a_315_program_is_drawn_from_its_own_flags(tmp_path):
    script = tmp_path / "app.py"
    script.write_text(PROGRAM)
    status, out, err = run_cli(["run", "--python", PY315, "--out", str(tmp_path), str(script)])
    assert status == 0, out + err
    (run,) = load(out.split("log:")[1].split()[0]).runs
    assert run.flag_reading.reads > 0 and len(run.gil_flags.t_ns) > 0
    names = {w.index: w.name for w in run.workers}
    hasher = [i for i, name in names.items() if name == "hasher"][0]
    stats = summarize(run)
    segments = timeline_view(run, stats).segments
    native = (segments.worker == hasher) & (segments.state == NATIVE)
    assert native.any()  # sha256 of 20 MB lets the GIL go
    assert "who held the GIL" in out and "spin (app.py)" in out
    assert "states from the interpreter's own GIL flags" in out


@pytest.mark.slow
@needs_315
def test_a_315_kernel_run_checks_its_probe_against_the_flags(tmp_path):
    status, out, err = run_cli(["countdown", "--threads", "2", "--count", "3e6", "--repeat",
                                "1", "--no-baseline", "--python", PY315, "--out",
                                str(tmp_path)])
    assert status == 0, out + err
    (run,) = load(out.split("log:")[1].split()[0]).runs
    stats = summarize(run)
    assert stats.flag_agreement is not None and 0 < stats.flag_agreement.share <= 1
    if was_quiet(run):  # under other load the reader and the workers are held up unevenly
        assert stats.flag_agreement.share > 0.8
    assert "the probe's holds and the interpreter's own GIL flags agree" in out
    trace = out.split("trace:")[1].split()[0]
    with open(trace) as stream:
        assert any(e.get("cat") == "code" for e in json.load(stream)["traceEvents"])
    assert os.path.exists(trace)


def test_reads_outside_every_workers_run_make_no_slice():
    run = flagged_run([(20 * MS, 0, HAS, 0), (21 * MS, 1, ASKED, 1)])  # after both stopped
    assert not [e for e in trace_events(run, summarize(run)) if e.get("cat") == "code"]
