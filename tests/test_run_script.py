"""Your own code: gilviz run (a script, -m module, module:function) and
gilviz attach; the states of arbitrary threads; hand-offs from samples."""

import io
import os
import platform
import subprocess
import sys
import time

import numpy as np
import pytest

from helpers import MS, make_run, samples_table
from gilviz import api
from gilviz.analysis import ON_CPU, SLEEPING, WAIT_CPU, WAIT_GIL, WAIT_IO, WAIT_LOCK
from gilviz.analysis.program import program_states, sampled_turns
from gilviz.cli import main
from gilviz.log import WAIT_TIMED, load
from gilviz.log.records import WAIT_IO as IO_CODE, WAIT_SLEEP as SLEEP_CODE
from gilviz.measure.sampler import parse_syscall

PROGRAMS = os.path.join(os.path.dirname(__file__), "programs")
x86 = pytest.mark.skipif(platform.machine() != "x86_64", reason="x86-64 system call numbers")


@x86
@pytest.mark.parametrize("line, code", [
    (b"230 0x1 0x0 0x7ffd 0x0 0x0 0x0 0x7ff 0x7f1\n", SLEEP_CODE),   # clock_nanosleep
    (b"23 0x0 0x0 0x0 0x0 0x7ffd 0x0 0x7ff 0x7f1\n", SLEEP_CODE),    # select on no file
    (b"23 0x4 0x7ffd 0x0 0x0 0x0 0x0 0x7ff 0x7f1\n", IO_CODE),       # select on files
    (b"45 0x3 0x7f 0x1 0x0 0x0 0x0 0x7ff 0x7f1\n", IO_CODE),         # recvfrom
    (b"0 0x3 0x7f 0x4000 0x0 0x0 0x0 0x7ff 0x7f1\n", IO_CODE),       # read
])
def test_sleeps_and_io_told_from_the_system_call(line, code):
    assert parse_syscall(line) == code


def three_threads(states, waits):
    """Workers 0-2 sampled at 1 ms; states and waits a string a worker."""
    rows, wait = [], ""
    for t in range(len(states[0])):
        for worker in range(3):
            rows.append((t * MS, worker, states[worker][t]))
            wait += waits[worker][t]
    run = make_run([(0, len(states[0]) * MS)] * 3, probe=False)
    return run._replace(threads=samples_table(rows, wait=wait))


def test_hand_offs_and_failed_wake_ups_from_samples():
    run = three_threads(["RRRSSSSRR", "SSSRRRRSS", "SSSSRSSSS"],
                        ["--ttttt--", "ttt----tt", "tttt-tttt"])
    turns = sampled_turns(run)
    assert turns.handoff_ns.tolist() == [3 * MS, 7 * MS]
    # Worker 2 ran at 4 ms beside the holder, and went back to waiting for the GIL.
    assert [(int(run.threads.worker[r]), int(run.threads.t_ns[r])) for r in turns.failed] \
        == [(2, 4 * MS)]


def test_no_gil_words_without_a_gil():
    run = three_threads(["RS", "SS", "SS"], ["-t", "tt", "tt"])
    assert WAIT_GIL in program_states(run)
    free = run._replace(interpreter=run.interpreter._replace(gil_enabled=False))
    assert WAIT_GIL not in program_states(free)
    assert WAIT_LOCK in program_states(free)
    assert len(sampled_turns(free).handoff_ns) == 0


def test_states_of_sleep_and_io():
    run = three_threads(["SR", "SS", "SS"], ["z-", "ii", "oo"])
    assert program_states(run).tolist()[:3] == [SLEEPING, WAIT_IO, 5]


def share_of(result, name, state):
    stats = result.summary.stats
    index = next(w.index for w in result.log.runs[0].workers if w.name == name)
    sampled = stats.workers[index].sampled_ns
    return sampled.get(state, 0) / max(1, sum(sampled.values()))


@pytest.mark.slow
def test_each_thread_shown_in_its_state(tmp_path):
    result = api.run_script(os.path.join(PROGRAMS, "four_states.py"), out=str(tmp_path))
    assert result.exit_status == 0
    names = [w.name for w in result.log.runs[0].workers]
    assert names[0] == "MainThread"
    assert set(names) >= {"sleeper", "locked", "reader", "computer"}
    assert share_of(result, "sleeper", SLEEPING) > 0.8
    assert share_of(result, "locked", WAIT_LOCK) > 0.8
    assert share_of(result, "reader", WAIT_IO) > 0.8
    # On a CPU, or waiting for one on a busy machine: never asleep or blocked.
    assert share_of(result, "computer", ON_CPU) + share_of(result, "computer", WAIT_CPU) > 0.8
    assert share_of(result, "computer", SLEEPING) + share_of(result, "computer", WAIT_LOCK) < 0.05
    result.save()
    again = api.load(result.run_dir)
    assert isinstance(again, api.ProgramResult)
    assert "sleeper" in again.report()


@pytest.mark.slow
def test_run_passes_stdin_arguments_and_exit_status(tmp_path):
    answer = subprocess.run(
        [sys.executable, "-m", "gilviz", "run", "--out", str(tmp_path),
         os.path.join(PROGRAMS, "echo_status.py"), "--flag", "value"],
        input="olleh\n", capture_output=True, text=True, timeout=120,
        env=dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(PROGRAMS))))
    assert answer.returncode == 3
    assert answer.stdout.splitlines()[0] == "hello --flag value"
    assert "the program exited with status 3" in answer.stdout


@pytest.mark.slow
def test_a_script_that_raises_is_drawn_and_its_traceback_passes(tmp_path, capfd):
    script = tmp_path / "boom.py"
    script.write_text("def f():\n    raise KeyError('x')\nf()\n")
    out = io.StringIO()
    assert main(["run", "--out", str(tmp_path), str(script)], out, io.StringIO()) == 1
    err = capfd.readouterr().err
    assert "Traceback" in err and "KeyError" in err and "runpy" not in err
    assert "timeline:" in out.getvalue()


@pytest.mark.slow
def test_run_module_and_function(tmp_path, monkeypatch):
    monkeypatch.chdir(PROGRAMS)
    result = api.run_module("spin", args=["0.05"], out=str(tmp_path))
    assert result.exit_status == 0 and result.log.runs[0].spec.kernel == "module"
    out = io.StringIO()
    assert main(["run", "--out", str(tmp_path), "--repeat", "1", "--threads", "2", "spin:work"],
                out, io.StringIO()) == 0
    log = load(os.path.join(out.getvalue().split("log:")[1].split()[0]))
    assert [run.spec.backend for run in log.runs] == ["serial", "threads"]
    assert "2 threads took" in out.getvalue()


@pytest.mark.slow
@pytest.mark.parametrize("argv, words", [
    (["run", "no-such-script.py"], "no script"),
    (["run", "-m", "no_such_module_here"], "no module named"),
    (["run", "--threads", "2", "json:no_such_function"], "does not import"),
    (["run", "--threads", "2", "json:__doc__"], "is not callable"),
    (["attach", "4194000"], "no process"),
    (["attach", str(os.getppid())], "not a Python interpreter"),
    (["attach", "1", "--duration", "0"], "give more than 0"),
])
def test_bad_input_is_one_line_and_exit_2(argv, words, capsys):
    with pytest.raises(SystemExit) as ending:
        main(argv, io.StringIO(), io.StringIO())
    assert ending.value.code == 2
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1


@pytest.mark.slow
def test_attach_samples_a_running_process(tmp_path):
    target = subprocess.Popen([sys.executable, os.path.join(PROGRAMS, "spin.py"), "30"],
                              stdout=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        result = api.attach(target.pid, duration="0.5s", out=str(tmp_path))
    finally:
        target.kill()
        target.wait()
    run = result.log.runs[0]
    assert run.workers[0].name == "main" and result.exit_status is None
    assert share_of(result, "main", SLEEPING) > 0.8
    assert np.all(run.threads.wait != WAIT_TIMED)


@pytest.mark.slow
def test_a_program_that_leaves_a_child_behind_still_ends_the_run():
    # The child holds the report pipe open; the run ends when the program
    # exits (the timeout turns a regression into a failure, not a hang).
    result = api.run_script(os.path.join(PROGRAMS, "leaves_a_child.py"), timeout="30s")
    assert result.exit_status == 0
