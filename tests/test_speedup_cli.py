"""`gilviz speedup` and `gilviz io` on the command line: bad input, and tiny real sweeps."""

import subprocess
import sys

import numpy as np
import pytest

from helpers import failing_at
from gilviz.cli import main
from gilviz.cli.flags import worker_counts
from gilviz.log import load
from gilviz.render import save_png, speedup_figure
from gilviz.analysis.scaling import sweep_scaling


def usage_error(capsys, argv):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    return err


@pytest.mark.parametrize("argv, says", [
    (["--workers", "8-1"], "a range goes up, as in 1-8"),
    (["--workers", "0-4"], "0 workers"),
    (["--workers", "1-100000"], "100000 workers"),
    (["--workers", "1-64"], "64 worker counts, at most 32"),
    (["--workers", "two"], "not a list of worker counts"),
    (["--workers", "1-2-3"], "not a list of worker counts"),
    (["--workers", ""], "not a list of worker counts"),
    (["--backends", "threads,thread"], "'thread' is not a backend"),
    (["--backends", "serial"], "at least one besides serial"),
    (["--repeat", "0"], "0 repeats: give 1 to"),
    (["--warmup", "-1"], "give 0 to"),
    (["--work", "3", "--workers", "1-4"], "less than the 4 workers"),
    (["--io-wait", "0.01"], "go with the io kernel"),
    (["--workers", "1-32", "--repeat", "100"], "runs, at most"),
])
def test_bad_sweep_input_is_one_line_and_exit_2(capsys, argv, says):
    assert says in usage_error(capsys, ["speedup", "countdown"] + argv)


def test_unknown_kernel_and_a_probe_the_kernel_lacks_are_usage_errors(capsys):
    assert "invalid choice: 'nope'" in usage_error(capsys, ["speedup", "nope"])
    assert "no probed form" in usage_error(capsys, ["speedup", "io", "--probe"])


def test_bad_io_input_is_one_line_and_exit_2(capsys):
    assert "give 0.0001 to 10 seconds" in usage_error(capsys, ["io", "--io-wait", "0"])
    assert "invalid choice" in usage_error(capsys, ["io", "--io-via", "pigeon"])
    assert "unrecognized arguments: --no-probe" in usage_error(capsys, ["io", "--no-probe"])


def test_worker_counts_accept_ranges_and_lists():
    assert worker_counts("1-4,8") == [1, 2, 3, 4, 8]
    assert worker_counts("4, 2,2,1") == [1, 2, 4]
    assert worker_counts("3") == [3]


@pytest.mark.slow
def test_a_tiny_countdown_sweep_writes_its_log_and_chart(tmp_path, capsys):
    status = main(["speedup", "countdown", "--workers", "1-2", "--repeat", "2", "--warmup", "1",
                   "--work", "20000", "--out", str(tmp_path), "--quiet"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert captured.err == ""  # --quiet
    run_dir, = tmp_path.iterdir()
    log = load(str(run_dir / "run.json"))
    assert log.sweep.backends == ["threads", "processes"]
    assert log.sweep.worker_counts == [1, 2]
    one_round = [("baseline", "serial", 1), ("main", "threads", 1), ("main", "threads", 2),
                 ("main", "processes", 1), ("main", "processes", 2)]
    assert [(r.spec.role, r.spec.backend, r.spec.workers) for r in log.runs] == \
        [("warmup", "serial", 1)] + one_round * 2
    for run in log.runs:
        assert not run.spec.probe and run.probe is None and run.sampler is None
        assert sum(w.work for w in run.workers) == 20000
        assert all(w.error is None and w.stop_ns > 0 for w in run.workers)
    assert len({w.pid for w in log.runs[-1].workers}) == 2  # processes are processes
    assert len({run.interpreter.pid for run in log.runs}) == len(log.runs)  # a target a run
    scaling = sweep_scaling(log)
    assert scaling.rounds == 2 and scaling.runs_done == scaling.runs_planned == 10
    assert [b.backend for b in scaling.backends] == ["threads", "processes"]
    assert "Amdahl fit, threads" in captured.out
    chart = run_dir / "speedup.png"
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # Drawn again from the saved log alone.
    again = tmp_path / "again.png"
    log = load(str(run_dir / "run.json"))
    save_png(speedup_figure(log, sweep_scaling(log)), str(again))
    assert again.stat().st_size > 10000


@pytest.mark.slow
def test_a_tiny_io_sweep_records_every_request(tmp_path, capsys):
    status = main(["speedup", "io", "--workers", "1,3", "--backends", "threads", "--repeat", "1",
                   "--warmup", "0", "--work", "6", "--io-wait", "0.001", "--out", str(tmp_path)])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert "gilviz: run 3/3 · round 1/1: io 3 threads" in captured.err
    run_dir, = tmp_path.iterdir()
    log = load(str(run_dir / "run.json"))
    assert len(log.runs) == 3
    for run in log.runs:
        assert run.spec.params == {"wait_s": 0.001, "via": "echo"}
        assert list(run.marks.kind) == ["request"] * 6
        assert np.all(run.marks.value >= 1e6)  # the server held each reply for 1 ms
        assert sorted(np.bincount(run.marks.worker)) == sorted(w.work for w in run.workers)
    assert (run_dir / "speedup.png").exists()


@pytest.mark.slow
def test_the_speedup_command_runs_as_a_module(tmp_path):
    answer = subprocess.run([sys.executable, "-m", "gilviz", "speedup", "--help"],
                            capture_output=True, text=True)
    assert answer.returncode == 0
    assert "gilviz speedup countdown --backends serial,threads,processes" in answer.stdout


@pytest.mark.slow
def test_a_sweep_stopped_by_a_failed_run_keeps_and_draws_what_finished(tmp_path, capsys,
                                                                      monkeypatch):
    from gilviz.api import session
    monkeypatch.setattr(session, "run_target", failing_at(3, session.run_target))
    status = main(["speedup", "countdown", "--workers", "1-2", "--backends", "threads",
                   "--repeat", "2", "--warmup", "0", "--work", "20000", "--out", str(tmp_path),
                   "--quiet"])
    err = capsys.readouterr().err
    assert status == 1
    assert "gilviz: error: the target died; 2 finished runs kept in" in err
    run_dir, = tmp_path.iterdir()
    assert len(load(str(run_dir / "run.json")).runs) == 2
    assert (run_dir / "speedup.png").exists()
