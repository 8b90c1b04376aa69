"""The Python API: the README's example as written, results of every kind
loaded back, and bad values refused before anything runs."""

import os
import re

import pytest

import gilviz
from gilviz.api import OptionError
from gilviz.api.jobs import workload_specs
from gilviz.api import CompareResult, ConvoyResult, RunResult, SpeedupResult
from gilviz.api.kinds import result_of

README = os.path.join(os.path.dirname(__file__), os.pardir, "README.md")


def readme_example():
    text = open(README, encoding="utf-8").read()
    section = text.split("## From Python and Jupyter", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


@pytest.mark.slow
def test_the_readme_example_runs_as_written(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    exec(compile(readme_example(), "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "countdown · 4 threads" in out and "hand-offs" in out
    (run_dir,) = (tmp_path / "output").iterdir()
    assert sorted(os.listdir(run_dir)) == ["run.json", "timeline.png", "trace.json"]


@pytest.mark.slow
def test_importing_gilviz_loads_no_numpy_until_the_api_is_used():
    import subprocess
    import sys
    code = ("import sys, gilviz; print('numpy' in sys.modules); "
            "gilviz.load; print('numpy' in sys.modules)")
    answer = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert answer.stdout.split() == ["False", "True"]


def test_keywords_take_the_values_the_flags_take():
    baseline, main = workload_specs("countdown", threads="4", count=2e6, repeat=1,
                                    switch_interval="0.5ms", sample_hz=200)
    assert (main.backend, main.workers, main.work, main.role) == ("threads", 4, 2_000_000, "main")
    assert main.switch_interval_s == pytest.approx(0.0005) and main.sample_hz == 200
    assert (baseline.backend, baseline.role) == ("serial", "baseline")
    assert main.probe and not workload_specs("pi", serial=True, repeat=1)[0].probe


@pytest.mark.parametrize("options, words", [
    (dict(threads=0), "0 workers"),
    (dict(threads=2, processes=2), "give one backend"),
    (dict(count="lots"), "not a number"),
    (dict(count=3, threads=4), "less than the 4 workers"),
    (dict(switch_interval="5ns"), "not a duration"),
    (dict(cores="0-100000000000"), "no core 0-100000000000"),
    (dict(kernel="pi", probe=True), "no probed form"),
    (dict(kernel="convoy"), "not a workload"),
    (dict(kernel="pi", variant="seed", seed=3), "for --kernel fast"),
])
def test_bad_values_are_refused_with_one_line(options, words):
    kernel = options.pop("kernel", "countdown")
    with pytest.raises(OptionError, match=words):
        workload_specs(kernel, **options)


def test_a_log_is_loaded_as_the_kind_of_result_it_holds(battle):
    from gilviz.log import SweepPlan, new_log
    a, b = battle._replace(spec=battle.spec._replace(role="a")), \
        battle._replace(spec=battle.spec._replace(role="b", switch_interval_s=0.001))
    plan = SweepPlan(backends=["threads"], worker_counts=[4], repeat=1, warmup=0)
    assert type(result_of(new_log([battle]))) is RunResult
    assert type(result_of(new_log([battle], sweep=plan))) is SpeedupResult
    compared = result_of(new_log([a, b]))
    assert type(compared) is CompareResult and compared.summary.dimension == "switch_interval_s"
    assert type(result_of(new_log([battle._replace(
        spec=battle.spec._replace(kernel="convoy", role="alone"))]))) is ConvoyResult


def test_a_result_saved_and_loaded_keeps_its_log(tmp_path, battle):
    from gilviz.log import new_log
    result = result_of(new_log([battle]))
    run_dir = result.save(str(tmp_path))
    assert sorted(os.listdir(run_dir)) == ["run.json", "timeline.png", "trace.json"]
    again = gilviz.load(run_dir)
    assert type(again) is RunResult and again.run_dir == run_dir
    assert again.summary.stats.handoffs == result.summary.stats.handoffs
    assert again.report() == result.report()
    assert gilviz.load(os.path.join(run_dir, "run.json")).report() == result.report()
    assert again._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_log_of_baselines_only_reports_so_and_draws_nothing(battle):
    from gilviz.log import new_log
    result = result_of(new_log([battle._replace(spec=battle.spec._replace(role="baseline"))]))
    assert result.summary is None and not result.has_figure()
    assert "no measured run finished" in result.report()
    assert result._repr_png_() is None
