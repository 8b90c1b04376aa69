"""The command line, in-process and once as a real subprocess."""

import os
import subprocess
import sys

import pytest

from helpers import failing_at, png_size, run_cli
from gilviz.api import session
from gilviz.cli import main
from gilviz.cli.flags import work_size
from gilviz.log import load

SMALL = ["--count", "2e5", "--repeat", "1"]


def paths_in(text):
    found = dict(line.split(":", 1) for line in text.splitlines()
                 if line.startswith(("log:", "timeline:")))
    return {key: value.strip() for key, value in found.items()}


@pytest.mark.slow
def test_countdown_threads_writes_log_and_timeline(tmp_path):
    status, out, err = run_cli(["countdown", "--threads", "2", "--out", str(tmp_path)] + SMALL)
    assert status == 0, err
    assert "thread 0" in out and "thread 1" in out
    assert "2 threads took" in out and "the serial time" in out
    paths = paths_in(out)
    assert os.path.dirname(paths["log"]).startswith(str(tmp_path))
    log = load(paths["log"])
    assert [run.spec.role for run in log.runs] == ["baseline", "main"]
    assert log.find("baseline").spec.backend == "serial"
    assert png_size(paths["timeline"]) == (1920, 1080)
    assert "run 1/2" in err and "run 2/2" in err


@pytest.mark.slow
def test_repeats_alternate_with_the_baseline(tmp_path):
    status, out, _ = run_cli(["countdown", "--processes", "2", "--count", "1e5", "--repeat", "2",
                              "--sample-hz", "0", "--out", str(tmp_path)])
    assert status == 0
    log = load(paths_in(out)["log"])
    assert [run.spec.role for run in log.runs] == ["baseline", "main", "baseline", "main"]
    assert "median of 2 paired ratios" in out


@pytest.mark.slow
def test_serial_without_probe_or_baseline(tmp_path):
    status, out, _ = run_cli(["countdown", "--serial", "--no-probe", "--no-baseline",
                              "--out", str(tmp_path)] + SMALL)
    assert status == 0
    log = load(paths_in(out)["log"])
    assert [run.spec.backend for run in log.runs] == ["serial"]
    assert log.runs[0].probe is None
    assert "serial time" not in out


@pytest.mark.parametrize("argv, message", [
    (["countdown", "--threads", "0"], "0 workers: give 1 to 512"),
    (["countdown", "--processes", "-2"], "give 1 to 512"),
    (["countdown", "--threads", "513"], "give 1 to 512"),
    (["countdown", "--threads", "four"], "not a whole number"),
    (["countdown", "--count", "ten"], "not a number"),
    (["countdown", "--count", "1.5"], "not a whole number"),
    (["countdown", "--count", "0"], "give 1 to"),
    (["countdown", "--count", "1e13"], "give 1 to"),
    (["countdown", "--count", "inf"], "not a whole number"),
    (["countdown", "--count", "3", "--threads", "4"], "less than the 4 workers"),
    (["countdown", "--sample-hz", "0.5"], "give 0 (off) or 1 to"),
    (["countdown", "--repeat", "0"], "give 1 to 100"),
    (["countdown", "--python", "/no/such/python"], "no executable"),
    (["countdown", "--serial", "--threads", "2"], "not allowed with"),
    (["pi", "--samples", "0"], "give 1 to"),
    (["pi", "--samples", "1.5"], "not a whole number"),
    (["pi", "--samples", "1e13"], "give 1 to 1e+12"),
    (["pi", "--samples", "many"], "not a number"),
    (["pi", "--seed", "1.5"], "not a whole number"),
    (["pi", "--seed", "-1"], "give 0 to"),
    (["pi", "--seed", str(2**64)], "give 0 to"),
    (["pi", "--chunk", "0"], "give 1 to"),
    (["pi", "--pool", "0"], "give 1 to 512"),
    (["pi", "--dummy-pool", "x"], "not a whole number"),
    (["pi", "--threads", "2", "--pool", "2"], "not allowed with"),
    (["pi", "--kernel", "slow"], "invalid choice"),
    (["pi", "--kernel", "seed", "--seed", "3"], "--seed is for --kernel fast"),
    (["pi", "--kernel", "seed", "--chunk", "3"], "--chunk is for --kernel fast"),
    (["pi", "--kernel", "seed", "--samples", "1e12"], "keeps every sample in memory"),
    (["pi", "--threads", "8", "--samples", "7"], "--samples 7 is less than the 8 workers"),
    (["sideways"], "invalid choice"),
    ([], "required"),
])
def test_bad_input_is_one_line_and_status_2(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_work_size_accepts_the_usual_spellings():
    assert work_size("10000000") == work_size("10_000_000") == work_size("1e7") == 10**7


def test_help_has_examples(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["countdown", "--help"])
    assert exit_info.value.code == 0
    assert "examples:" in capsys.readouterr().out


@pytest.mark.slow
def test_runs_finished_before_a_failure_are_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(session, "run_target", failing_at(2, session.run_target))
    status, _, err = run_cli(["countdown", "--threads", "2", "--out", str(tmp_path)] + SMALL)
    assert status == 1
    assert err.strip().splitlines()[-1].startswith("gilviz: error: the target died")
    kept = err.split("1 finished run kept in ")[1].strip()
    log = load(os.path.join(kept, "run.json"))
    assert [run.spec.role for run in log.runs] == ["baseline"]
    assert log.incomplete.startswith("run 2 of 2 failed: the target died")


@pytest.mark.slow
def test_python_dash_m_gilviz(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "gilviz", "countdown", "--threads", "2", "--sample-hz", "200",
         "--out", str(tmp_path)] + SMALL,
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    paths = paths_in(result.stdout)
    assert png_size(paths["timeline"]) == (1920, 1080)
    assert len(load(paths["log"]).runs) == 2
