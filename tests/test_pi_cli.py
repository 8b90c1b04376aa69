"""The pi command: its parameters, and real runs that write their files.
Bad input is tested with the other commands' in test_cli."""

import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("numpy")

from helpers import png_size, run_cli
from gilviz import log
from gilviz.api import options


def test_samples_accept_float_notation():
    assert options.sample_count("1e8") == 10**8
    assert options.sample_count("2_000") == 2000
    assert options.random_seed("12_345") == 12345


@pytest.mark.slow
def test_a_run_writes_log_and_timeline(tmp_path):
    status, out, err = run_cli(["pi", "--threads", "2", "--samples", "200000", "--seed", "5",
                                "--repeat", "1", "--out", str(tmp_path)])
    assert status == 0, err
    assert "pi ≈ 3.1" in out and "seed 5" in out
    run_dir, = os.listdir(tmp_path)
    assert run_dir.endswith("pi-fast-threads2")
    loaded = log.load(os.path.join(tmp_path, run_dir, "run.json"))
    assert [run.spec.role for run in loaded.runs] == ["baseline", "main"]
    assert loaded.runs[1].spec.params["seed"] == 5
    assert png_size(os.path.join(tmp_path, run_dir, "timeline.png")) == (1920, 1080)


@pytest.mark.slow
def test_without_seed_a_fresh_one_is_kept_in_the_log(tmp_path):
    status, _, err = run_cli(["pi", "--serial", "--samples", "50000", "--repeat", "1",
                              "--out", str(tmp_path)])
    assert status == 0, err
    run_dir, = os.listdir(tmp_path)
    with open(os.path.join(tmp_path, run_dir, "run.json")) as stream:
        params = json.load(stream)["runs"][0]["spec"]["params"]
    assert params["variant"] == "fast" and isinstance(params["seed"], int)


@pytest.mark.slow
def test_seed_kernel_on_a_dummy_pool_through_python_m(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "gilviz", "pi", "--dummy-pool", "2", "--kernel", "seed",
         "--samples", "100000", "--repeat", "1", "--no-baseline", "--out", str(tmp_path)],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "2 dummy Pool threads" in result.stdout
    run_dir, = os.listdir(tmp_path)
    assert run_dir.endswith("pi-seed-dummy-pool2")
