"""CPython 3.14 and 3.15 as targets: every kernel, `gilviz run` and `gilviz
attach` on each, through the command line, with small work (slow; skipped
where the interpreter is not installed, see helpers.newer_interpreter)."""

import os
import subprocess

import numpy as np
import pytest

from gilviz import api
from gilviz.analysis import (ON_CPU, RUNNING, SLEEPING, WAIT_CPU, WAIT_IO, WAIT_LOCK, overlap_ns,
                             summarize)
from gilviz.log import load

from helpers import NEWER_VERSIONS, newer_interpreter, run_cli

pytestmark = pytest.mark.slow  # every test here starts a target interpreter

PROGRAMS = os.path.join(os.path.dirname(__file__), "programs")


def newer_pythons():
    params = []
    for version in NEWER_VERSIONS:
        path = newer_interpreter(version)
        absent = pytest.mark.skip(reason="no CPython %s found: `../shared/tools/debian-python %s` "
                                         "installs one, or set GILVIZ_PYTHON_%s to one"
                                  % (version, version, version.replace(".", "_")))
        params.append(pytest.param(version, path, id=version, marks=() if path else absent))
    return params


NEWER = newer_pythons()


def measured(argv):
    """gilviz ARGV run in-process, which must succeed: (stdout, the log)."""
    try:
        status, out, err = run_cli(argv)
    except SystemExit as ending:  # a one-line error on the command line
        raise AssertionError("gilviz %s exited with %s" % (" ".join(argv), ending.code))
    assert status == 0, out + err
    return out, load(out.split("log:")[1].split()[0])


def assert_of(run, version, python):
    """The run was measured in CPython `version` at `python`, a GIL build."""
    facts = run.interpreter
    assert run.spec.python == python
    assert facts.version.startswith(version + ".") and facts.implementation == "CPython"
    assert facts.gil_enabled and not facts.free_threaded
    assert [w.error for w in run.workers] == [None] * run.spec.workers


def assert_header(out, run):
    """The summary names the interpreter and its lock."""
    assert "· CPython %s · new GIL" % run.interpreter.version in out


def assert_holds(run):
    """Every worker held the GIL, inside its lifetime; on threads under one
    GIL, no two holds overlap."""
    for worker in run.workers:
        mine = run.holds.worker == worker.index
        assert mine.any(), "worker %d has no holds" % worker.index
        assert (run.holds.start_ns[mine] >= worker.start_ns).all()
        assert (run.holds.stop_ns[mine] <= worker.stop_ns).all()
        assert (run.holds.start_ns[mine][1:] > run.holds.stop_ns[mine][:-1]).all()
    if run.spec.backend == "threads" and run.interpreter.gil_enabled:
        assert overlap_ns(run.holds.start_ns, run.holds.stop_ns) == 0


ONE_RUN = ["--repeat", "1", "--no-baseline", "--sample-hz", "500"]


@pytest.mark.parametrize("version, python", NEWER)
@pytest.mark.parametrize("backend, workers", [("threads", 2), ("processes", 2), ("serial", 1)])
def test_the_countdown(version, python, backend, workers, tmp_path):
    flag = ["--serial"] if backend == "serial" else ["--" + backend, str(workers)]
    out, log = measured(["countdown"] + flag + ["--count", "600000", "--python", python,
                                                "--out", str(tmp_path)] + ONE_RUN)
    (run,) = log.runs
    assert_of(run, version, python)
    assert_header(out, run)
    assert run.spec.backend == backend and sum(w.work for w in run.workers) == 600_000
    assert_holds(run)
    pids = {w.pid for w in run.workers}
    assert len(pids) == (2 if backend == "processes" else 1)
    if backend == "threads":
        assert len({w.tid for w in run.workers}) == 2 and summarize(run).handoffs is not None


@pytest.mark.parametrize("version, python", NEWER)
def test_io(version, python, tmp_path):
    out, log = measured(["io", "--threads", "3", "--count", "6", "--io-wait", "0.002",
                         "--python", python, "--out", str(tmp_path)] + ONE_RUN)
    (run,) = log.runs
    assert_of(run, version, python)
    assert_header(out, run)
    assert [w.work for w in run.workers] == [2, 2, 2]
    assert all(w.result["via"] == "echo" and "fallback" not in w.result for w in run.workers)
    assert list(run.marks.kind) == ["request"] * 6
    assert np.all(run.marks.value >= 2e6)  # each reply came after the 2 ms wait


def has_numpy(python):
    return subprocess.run([python, "-c", "import numpy"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


@pytest.mark.parametrize("version, python", NEWER)
def test_pi(version, python, tmp_path):
    from gilviz.analysis import pi_estimate
    if not has_numpy(python):
        pytest.skip("numpy is not installed in CPython %s (%s)" % (version, python))
    out, log = measured(["pi", "--threads", "2", "--samples", "200000", "--chunk", "20000",
                         "--seed", "7", "--python", python, "--out", str(tmp_path)] + ONE_RUN)
    (run,) = log.runs
    assert_of(run, version, python)
    assert "CPython %s" % run.interpreter.version in out
    assert [w.result["samples"] for w in run.workers] == [100_000, 100_000]
    estimate = pi_estimate(run)
    assert abs(estimate.error) < 4 * estimate.standard_error


@pytest.mark.parametrize("version, python", NEWER)
def test_convoy(version, python, tmp_path):
    out, log = measured(["convoy", "--requests", "20", "--pause", "1ms", "--sample-hz", "500",
                         "--python", python, "--out", str(tmp_path)])
    assert [run.spec.role for run in log.runs] == ["alone", "beside-cpu"]
    assert "convoy · CPython %s ·" % log.runs[0].interpreter.version in out
    for run in log.runs:
        assert_of(run, version, python)
        assert list(run.marks.kind).count("round-trip") == 20
        assert_holds(run)


@pytest.mark.parametrize("version, python", NEWER)
def test_a_function_in_threads(version, python, tmp_path, monkeypatch):
    monkeypatch.chdir(PROGRAMS)  # spin.py, imported by the target as python -c would
    out, log = measured(["run", "--python", python, "--threads", "2", "--repeat", "1",
                         "--sample-hz", "500", "--out", str(tmp_path), "spin:work"])
    assert [(run.spec.kernel, run.spec.role, run.spec.backend) for run in log.runs] == [
        ("call", "baseline", "serial"), ("call", "main", "threads")]
    for run in log.runs:
        assert_of(run, version, python)
        assert sum(w.work for w in run.workers) == 2
    assert_header(out, log.runs[1])
    assert "2 threads took" in out


def computing(result, name, run):
    """The share of its time thread `name` computed: from 3.15 on, holding
    the GIL as the interpreter's own flags read it; before, on a CPU."""
    if run.gil_flags is not None:
        return share_of(result, name, RUNNING)
    return share_of(result, name, ON_CPU) + share_of(result, name, WAIT_CPU)


def share_of(result, name, state):
    stats = result.summary.stats
    index = next(w.index for w in result.log.runs[0].workers if w.name == name)
    sampled = stats.workers[index].sampled_ns
    return sampled.get(state, 0) / max(1, sum(sampled.values()))


@pytest.mark.parametrize("version, python", NEWER)
def test_run_a_script(version, python, tmp_path):
    out, log = measured(["run", "--python", python, "--out", str(tmp_path),
                         os.path.join(PROGRAMS, "four_states.py")])
    (run,) = log.runs
    assert run.spec.kernel == "script"
    assert_of(run, version, python)
    assert_header(out, run)
    assert "the program exited with status 0" in out
    result = api.load(os.path.dirname(out.split("log:")[1].split()[0]))
    assert {w.name for w in run.workers} >= {"MainThread", "sleeper", "locked", "reader",
                                             "computer"}
    assert share_of(result, "sleeper", SLEEPING) > 0.8
    assert share_of(result, "locked", WAIT_LOCK) > 0.8
    assert share_of(result, "reader", WAIT_IO) > 0.8
    assert computing(result, "computer", run) > 0.8


A_NAMED_THREAD = """
import sys, threading, time
def computer():
    n = 0
    while True:
        n += 1
threading.Thread(target=computer, name="computer", daemon=True).start()
sys.stdout.write("ready\\n")
sys.stdout.flush()
time.sleep(60)
"""


@pytest.mark.parametrize("version, python", NEWER)
def test_attach(version, python, tmp_path):
    target = subprocess.Popen([python, "-c", A_NAMED_THREAD], stdout=subprocess.PIPE, text=True)
    try:
        assert target.stdout.readline() == "ready\n"
        out, log = measured(["attach", str(target.pid), "--duration", "0.5s", "--sample-hz",
                             "500", "--out", str(tmp_path)])
    finally:
        target.kill()
        target.wait()
    (run,) = log.runs
    assert run.spec.kernel == "attach"
    facts = run.interpreter
    assert facts.version.startswith(version + ".") and facts.gil_enabled
    assert "CPython %s" % facts.version in out
    # 3.14 and later give their threads' names to the OS, where attach reads them.
    names = [w.name for w in run.workers]
    assert names[0] == "main" and "computer" in names
    result = api.load(os.path.dirname(out.split("log:")[1].split()[0]))
    assert share_of(result, "main", SLEEPING) > 0.8
    assert computing(result, "computer", run) > 0.8
    assert (run.gil_flags is not None) == (version >= "3.15")  # its own flags, read

