"""The old GIL, the new GIL and no GIL: real runs on every interpreter
installed here (slow, skipped where absent), and the facts and words that
follow from each kind of lock (fast, on hand-built runs)."""

import os
import subprocess
import sys
import time

import numpy as np
import pytest

from gilviz.analysis import (NEW_GIL, NO_GIL, OLD_GIL, LateStart, compare_runs, gil_kind,
                             late_starts, overlap_ns, summarize, timeline_view)
from gilviz.api import options, workloads
from gilviz.api.options import OptionError, PythonFacts
from gilviz.log import Holds, RunSpec
from gilviz.log.validate import LogError, record
from gilviz.log.records import Interpreter
from gilviz.measure.runner import AGENT_DIR, run_target
from gilviz.report import caveat_text, compare_lines, side_verdict, summary_lines, worker_table
from gilviz.render.bands import legend_handles

from helpers import MS, every_interpreter, make_run, was_quiet

WORK = 300_000
INTERPRETERS = every_interpreter() or [pytest.param(None, None, marks=pytest.mark.skip(
    "no CPython other than the running one installed"))]


def spec(python, backend, workers):
    return RunSpec(kernel="countdown", backend=backend, workers=workers, work=WORK, probe=True,
                   python=python, sample_hz=1000.0)


@pytest.mark.slow
@pytest.mark.parametrize("name, python", INTERPRETERS)
@pytest.mark.parametrize("backend", ["threads", "processes", "serial", "pool"])
def test_every_interpreter_runs_the_countdown(name, python, backend):
    workers = 1 if backend == "serial" else 2
    run = run_target(spec(python, backend, workers), timeout_s=120)
    facts = run.interpreter
    assert [w.error for w in run.workers] == [None] * workers
    assert sum(w.work for w in run.workers) == WORK
    assert len(run.holds.worker) >= workers
    assert (run.holds.start_ns <= run.holds.stop_ns).all()
    if name == "free-threaded":
        assert facts.free_threaded and not facts.gil_enabled
    else:
        assert (facts.version + ".").startswith(name + ".")  # "3.13.0", or "3.14" of 3.14.x
        assert facts.free_threaded is False and facts.gil_enabled
    if facts.version.startswith("2."):
        assert facts.check_interval == 100 and facts.switch_interval_s is None
        assert gil_kind(facts) == OLD_GIL
    else:
        assert facts.check_interval is None and facts.switch_interval_s == 0.005
    stats = summarize(run)
    text = "\n".join(summary_lines(run, stats))
    if backend == "threads":
        assert len({w.pid for w in run.workers}) == 1 and len({w.tid for w in run.workers}) == 2
        if facts.gil_enabled:  # one GIL: no two holds overlap, as measured or as placed
            assert overlap_ns(run.holds.start_ns, run.holds.stop_ns) == 0
            assert stats.overlap_ns == 0
        else:
            assert "no GIL: nothing handed over" in text and "held" not in text
        if gil_kind(facts) == OLD_GIL:  # the battle, in figures and in words
            assert stats.battle is not None and stats.battle.handoffs_per_s > 0
            assert "old GIL: " in text and "hand-offs a second" in text
    elif backend == "processes":
        assert len({w.pid for w in run.workers}) == 2
    # (a Pool hands its tasks out as it likes: one member may run both)


@pytest.mark.slow
def test_the_old_gils_two_threads_hold_it_most_of_the_time():
    """Read from outside, one of two countdown threads on CPython 2.7 holds
    the GIL at 83-96 % of instants (scripts/check_holder.py): the probe's
    holds, each gap's own chunk placed, add up to more than half the run."""
    python2 = [path for name, path in every_interpreter() if name.startswith("2.7")]
    if not python2:
        pytest.skip("no CPython 2.7 installed")
    run = run_target(spec(python2[0], "threads", 2)._replace(work=3_000_000), timeout_s=120)
    stats = summarize(run)
    assert stats.overlap_ns == 0
    held = sum(w.hold_share for w in stats.workers)
    assert 0 < held <= 1
    if was_quiet(run):  # under other load the threads wait for a CPU as well
        assert held > 0.5


@pytest.mark.slow
@pytest.mark.parametrize("name, python", INTERPRETERS)
def test_the_agent_clock_is_the_orchestrator_clock(name, python):
    """The agent's clock, read in the target between two reads of
    time.perf_counter_ns here: CLOCK_MONOTONIC on both sides."""
    code = ("import sys; sys.dont_write_bytecode = True; sys.path.insert(0, %r); "
            "import compat; sys.stdout.write('%%d\\n' %% compat.clock()); sys.stdout.flush(); "
            "sys.stdin.readline(); sys.stdout.write('%%d\\n' %% compat.clock())" % AGENT_DIR)
    target = subprocess.Popen([python, "-c", code], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        target.stdout.readline()  # started, and compat imported
        before = time.perf_counter_ns()
        target.stdin.write("\n")
        target.stdin.flush()
        theirs = int(target.stdout.readline())
        after = time.perf_counter_ns()
    finally:
        target.kill()
        target.wait()
    assert before <= theirs <= after


@pytest.mark.slow
def test_the_check_interval_is_applied_and_recorded():
    python2 = [path for name, path in every_interpreter() if name.startswith("2.7")]
    if not python2:
        pytest.skip("no CPython 2.7 installed")
    run = run_target(spec(python2[0], "threads", 2)._replace(check_interval=1000))
    assert run.interpreter.check_interval == 1000 and run.interpreter.switch_interval_s is None


def facts_of(monkeypatch, version, free_threaded=False):
    monkeypatch.setattr(workloads, "python_facts",
                        lambda path: PythonFacts(version, free_threaded))


@pytest.mark.parametrize("kernel", ["pi", "io", "convoy"])
def test_only_the_countdown_runs_before_3_8(monkeypatch, kernel):
    facts_of(monkeypatch, (2, 7))
    with pytest.raises(OptionError, match="the %s kernel needs 3.8 or newer" % kernel):
        workloads.check_target(kernel, "/py27")
    workloads.check_target("countdown", "/py27")


def test_python_2_takes_a_check_interval_and_3_a_switch_interval(monkeypatch):
    facts_of(monkeypatch, (2, 7))
    with pytest.raises(OptionError, match="no switch interval: give --check-interval"):
        workloads.check_target("countdown", "/py27", switch_interval_s=0.001)
    workloads.check_target("countdown", "/py27", check_interval=1000)
    facts_of(monkeypatch, (3, 12))
    with pytest.raises(OptionError, match="--check-interval is for Python 2"):
        workloads.check_target("countdown", "/py312", check_interval=1000)


def test_gil_switch_needs_a_free_threaded_build(monkeypatch):
    facts_of(monkeypatch, (3, 13))
    with pytest.raises(OptionError, match="--gil is for a free-threaded build"):
        workloads.check_target("countdown", "/py313", gil=0)
    facts_of(monkeypatch, (3, 13), free_threaded=True)
    workloads.check_target("countdown", "/py313t", gil=1)
    assert options.gil_switch("0") == 0
    with pytest.raises(OptionError):
        options.gil_switch("2")


def test_compare_takes_up_to_four_interpreters_each_with_serial_runs():
    base = RunSpec(kernel="countdown", backend="threads", workers=2, work=10, probe=True,
                   python="/a", sample_hz=0.0)
    field, values, _ = workloads.varied_dimension(
        {"python": ["/a", "/b", "/c"], "cores": [], "switch_interval_s": []})
    specs = workloads.compare_specs(base, field, values, repeat=2)
    assert [(s.role, s.python, s.backend) for s in specs[:6]] == [
        ("baseline", "/a", "serial"), ("a", "/a", "threads"), ("baseline", "/b", "serial"),
        ("b", "/b", "threads"), ("baseline", "/c", "serial"), ("c", "/c", "threads")]
    assert len(specs) == 12
    with pytest.raises(OptionError, match="two to 4 values"):
        workloads.varied_dimension({"python": list("abcde"), "cores": [],
                                    "switch_interval_s": []})
    with pytest.raises(OptionError, match="compare takes two values"):
        workloads.varied_dimension({"python": [], "cores": [[0], [1], [0, 1]],
                                    "switch_interval_s": []})


def with_interpreter(run, **facts):
    return run._replace(interpreter=run.interpreter._replace(**facts))


def test_gil_kind_from_the_interpreter_facts(battle):
    assert gil_kind(battle.interpreter) == NEW_GIL
    old = with_interpreter(battle, version="2.7.18", switch_interval_s=None, check_interval=100)
    assert gil_kind(old.interpreter) == OLD_GIL
    free = with_interpreter(battle, gil_enabled=False, free_threaded=True)
    assert gil_kind(free.interpreter) == NO_GIL


def free_threaded_run(late_ns=0, cpu_wait_ns=0):
    """Two threads of a free-threaded build, both running from the start
    (thread 1 from `late_ns`), their bands overlapping."""
    holds = [(0, 0, 10 * MS, 0), (1, late_ns, late_ns + 10 * MS, cpu_wait_ns)]
    run = make_run([(0, 10 * MS), (late_ns, late_ns + 10 * MS)], holds, gil_enabled=False)
    return with_interpreter(run, free_threaded=True)


def test_without_a_gil_no_word_says_gil():
    run = free_threaded_run()
    stats = summarize(run)
    assert stats.handoffs is None
    table = "\n".join(worker_table(run, stats))
    assert "GIL" not in table and "failed" not in table
    assert "ran" in table.splitlines()[0]
    labels = [handle.get_label() for handle in legend_handles(run, stats,
                                                              timeline_view(run, stats))]
    assert "running Python (no GIL)" in labels
    assert not any("held" in label or "did not get the GIL" in label for label in labels)


def test_a_late_start_is_reported_with_its_wait_for_a_cpu():
    run = free_threaded_run(late_ns=170 * MS, cpu_wait_ns=168 * MS)
    assert late_starts(run) == [LateStart(worker=1, late_ns=170 * MS, cpu_wait_ns=168 * MS)]
    assert "no CPU for 168.0 ms" in caveat_text(late_starts(run)[0])
    assert late_starts(free_threaded_run(late_ns=1 * MS)) == []


def test_under_a_gil_a_start_after_a_turn_is_no_caveat(battle):
    late = battle._replace(holds=battle.holds._replace(cpu_wait_ns=np.zeros(3, np.int64)))
    assert late_starts(late) == []  # thread 1 waited 5 ms for the GIL, not for a CPU


def side(run, python, role, wall_ns):
    """`run` as a comparison side `role` of interpreter `python`, `wall_ns` long."""
    scale = wall_ns / run.workers[0].stop_ns
    workers = tuple(w._replace(start_ns=0, stop_ns=int(wall_ns)) for w in run.workers)
    holds = Holds(run.holds.worker, (run.holds.start_ns * scale).astype(np.int64),
                  (run.holds.stop_ns * scale).astype(np.int64), run.holds.cpu_wait_ns)
    return run._replace(spec=run.spec._replace(python=python, role=role), workers=workers,
                        holds=holds)


def test_three_interpreters_each_against_their_own_serial_runs(battle):
    old = with_interpreter(battle, version="2.7.18", switch_interval_s=None, check_interval=100,
                           free_threaded=False)
    new = with_interpreter(battle, version="3.13.0", free_threaded=False)
    free = free_threaded_run()
    serial = [make_run([(0, 10 * MS)], [(0, 0, 10 * MS, 0)])]
    sides = [[side(old, "/py27", "a", 18 * MS)], [side(new, "/py313", "b", 11 * MS)],
             [side(free, "/py313t", "c", 5 * MS)]]
    compared = compare_runs(sides, [serial, serial, serial])
    assert [round(s.against_serial.ratio, 2) for s in compared.sides] == [1.8, 1.1, 0.5]
    headline, _ = side_verdict(compared, ["A", "B", "C"])
    assert headline == ("the old GIL's 2 threads took 1.80× the serial time; the new GIL's "
                        "1.10×; without a GIL 0.50× (the best on 2 cores: 0.50×)")
    lines = "\n".join(compare_lines(compared, "python", 1))
    assert "none (no GIL)" in lines and "÷ serial" in lines


def test_logs_without_the_new_interpreter_facts_still_load():
    old = {"executable": "/p", "version": "3.11.7", "implementation": "CPython",
           "gil_enabled": True, "switch_interval_s": 0.005, "cpu_count": 2, "affinity": [0, 1],
           "pid": 1}
    record(Interpreter, old, "interpreter")
    record(Interpreter, dict(old, version="2.7.18", switch_interval_s=None, check_interval=100,
                             free_threaded=False), "interpreter")
    with pytest.raises(LogError, match="check_interval"):
        record(Interpreter, dict(old, check_interval=0), "interpreter")


def test_signal_names_on_every_python():
    from gilviz.agent.lifeline import describe_exit
    assert describe_exit(-9) == "was killed by signal 9 (SIGKILL)"
    assert describe_exit(-200) == "was killed by signal 200"
    assert sys.version_info >= (3,)  # the orchestrator itself is 3.x


OLD_AND_FREE = [(name, path) for name, path in every_interpreter()
                if name.startswith(("2.", "3.6.", "3.7.")) or name == "free-threaded"] or [
    pytest.param(None, None, marks=pytest.mark.skip("no CPython 2.7, 3.6, 3.7 or 3.13t"))]

ORCHESTRATOR = """
import sys
from gilviz.log import RunSpec
from gilviz.measure.runner import run_target
run_target(RunSpec(kernel="countdown", backend=sys.argv[2], workers=2, work=10**10, probe=True,
                   python=sys.argv[1], sample_hz=100.0))
"""


@pytest.mark.slow
@pytest.mark.parametrize("name, python", OLD_AND_FREE)
@pytest.mark.parametrize("backend", ["threads", "processes"])
def test_no_process_outlives_a_killed_orchestrator_on_any_python(name, python, backend):
    from helpers import assert_gone, family_of_a_killed_orchestrator
    count = 3 if backend == "processes" else 1
    assert_gone(family_of_a_killed_orchestrator([ORCHESTRATOR, python, backend], count))


@pytest.mark.slow
@pytest.mark.parametrize("name, python", OLD_AND_FREE)
def test_workers_die_with_a_killed_target_on_any_python(name, python):
    import os
    import signal
    import psutil
    from gilviz.measure.runner import TargetError
    from helpers import assert_gone, during_run
    seen = during_run(3, lambda target, workers: target.send_signal(signal.SIGKILL))
    with pytest.raises(TargetError, match=r"killed by signal 9"):
        run_target(spec(python, "processes", 2)._replace(work=10**10))
    assert_gone(seen)
    assert os.getpgid(0) and psutil.Process().children() == []


def test_the_compare_figure_stacks_three_sides_and_says_no_gil(battle):
    from gilviz.render import compare_figure
    old = with_interpreter(battle, version="2.7.18", switch_interval_s=None, check_interval=100)
    serial = [make_run([(0, 10 * MS)], [(0, 0, 10 * MS, 0)])]
    sides = [[side(old, "/py27", "a", 18 * MS)], [side(battle, "/py313", "b", 11 * MS)],
             [side(free_threaded_run(), "/py313t", "c", 5 * MS)]]
    figure = compare_figure(compare_runs(sides, [serial] * 3), "python")
    assert len(figure.axes) == 6
    texts = [text.get_text() for ax in figure.axes for text in ax.texts]
    texts += [ax.get_title(loc="left") for ax in figure.axes]
    assert "C · CPython 3.11.7t, no GIL" in texts
    assert any("no GIL: threads run at once, nothing handed over" in t for t in texts)
    legend = [text.get_text() for text in figure.legends[0].get_texts()]
    assert "running Python (no GIL)" in legend


def test_turns_shorter_than_the_probe_can_time_are_a_caveat():
    from gilviz.analysis import ShortTurns
    from gilviz.analysis.run_caveats import short_turns
    assert short_turns([0, 0, 30_000], 20_000) == ShortTurns(0, 20_000)
    assert short_turns([5 * MS, 5 * MS], 20_000) is None
    assert short_turns([], 20_000) is None and short_turns([0], None) is None


def test_workers_beyond_the_cores_wait_for_one_by_design():
    # Three threads without a GIL on 2 cores: the third starts when a core frees up.
    holds = [(0, 0, 10 * MS, 0), (1, 0, 10 * MS, 0), (2, 10 * MS, 20 * MS, 10 * MS)]
    run = make_run([(0, 10 * MS), (0, 10 * MS), (10 * MS, 20 * MS)], holds, gil_enabled=False)
    run = with_interpreter(run, free_threaded=True)
    assert run.interpreter.cpu_count == 2 and late_starts(run) == []


@pytest.mark.slow
def test_the_agent_package_imports_on_the_old_python():
    """Python 2.7 imports gilviz.agent as a package (bench_probe.py's callgrind
    runs do), reading gilviz/__init__.py first: both stay 2.7 syntax."""
    python2 = [path for name, path in every_interpreter() if name.startswith("2.7")]
    if not python2:
        pytest.skip("no CPython 2.7 installed")
    root = os.path.dirname(os.path.dirname(AGENT_DIR))
    code = "import sys; sys.path.insert(0, %r); import gilviz.agent.kernels" % root
    done = subprocess.run([python2[0], "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
