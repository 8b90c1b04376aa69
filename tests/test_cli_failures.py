"""How the command line ends when something goes wrong: a bad --out before
anything runs, SIGTERM and Ctrl-C to gilviz alone, a failed worker. Nothing
finished is lost and no process of gilviz's outlives it."""

import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from helpers import assert_gone, refused, run_cli
from gilviz.log import load



@pytest.mark.parametrize("command", [
    ["countdown"], ["pi"], ["io"], ["convoy"], ["speedup", "countdown"],
    ["compare", "countdown", "--cores", "1", "--cores", "all"],
])
def test_an_out_that_is_a_file_is_refused_before_anything_runs(command, tmp_path, capsys):
    taken = tmp_path / "a-file"
    taken.write_text("")
    line = refused(command + ["--out", str(taken)], capsys)
    assert "--out %s is not a directory" % taken in line


def test_an_out_that_cannot_be_made_is_refused(tmp_path, capsys):
    line = refused(["countdown", "--out", "/proc/gilviz-output"], capsys)
    assert "--out /proc/gilviz-output cannot be written" in line
    parent = tmp_path / "file"
    parent.write_text("")
    line = refused(["countdown", "--out", str(parent / "below")], capsys)
    assert "cannot be written" in line


@pytest.mark.parametrize("text, words", [("0", "give more than 0"), ("-5s", "give more than 0"),
                                         ("soon", "not a duration"), ("2w", "not a duration")])
def test_a_bad_timeout_is_refused(text, words, capsys):
    assert words in refused(["countdown", "--timeout=" + text], capsys)


def test_a_failed_worker_ends_with_status_1_and_names_the_worker(tmp_path, monkeypatch):
    from helpers import timed_run
    from gilviz.api import session

    def run(spec, timeout_s=None):
        run = timed_run(spec.backend, spec.workers, spec.role,
                        error="killed by signal 9" if spec.role == "main" else None)
        return run._replace(spec=spec)

    monkeypatch.setattr(session, "run_target", run)
    status, out, err = run_cli(["countdown", "--threads", "2", "--repeat", "1",
                                "--out", str(tmp_path)])
    assert status == 1
    assert "gilviz: error: worker 0 of the countdown 2 threads" in err
    assert "killed by signal 9" in err


@pytest.mark.slow
@pytest.mark.parametrize("sig, status, words", [(signal.SIGTERM, 143, "ended by SIGTERM"),
                                                (signal.SIGINT, 130, "interrupted")])
def test_a_signal_to_gilviz_alone_keeps_the_finished_runs_and_ends_every_process(
        tmp_path, sig, status, words):
    gilviz = subprocess.Popen(
        [sys.executable, "-m", "gilviz", "countdown", "--processes", "2", "--count", "2e8",
         "--repeat", "2", "--sample-hz", "100", "--out", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for line in gilviz.stderr:  # the baseline is done once the measured run starts
            if line.startswith("gilviz: run 2/4"):
                break
        time.sleep(0.5)
        family = psutil.Process(gilviz.pid).children(recursive=True)
        assert family, "the measured run has no target process"
        gilviz.send_signal(sig)
        out, err = gilviz.communicate(timeout=60)
    finally:
        if gilviz.poll() is None:
            gilviz.kill()
    assert gilviz.returncode == status, err
    assert "%s; 1 finished run kept in" % words in err
    assert "Traceback" not in err
    assert_gone(family, within_s=10.0)
    (run_dir,) = tmp_path.iterdir()
    log = load(os.path.join(run_dir, "run.json"))
    assert [run.spec.role for run in log.runs] == ["baseline"]
    assert log.incomplete == "interrupted after 1 of 4 runs"
