"""Runs of real targets: pinning, the switch interval, compare and convoy.

Small work sizes, and no figure that the scheduler decides: how the
hand-offs follow the switch interval and when the convoy's CPU threads stop
are measured by scripts/bench_scheduler.py.
"""

import glob
import os
import sys

import pytest

from gilviz import cli
from gilviz.analysis import ROUND_TRIP_MARKS, overlap_ns, wait_spans
from gilviz.log import RunSpec, load, new_log, save
from gilviz.measure.runner import run_target

from helpers import other_interpreters, png_size

pytestmark = pytest.mark.slow

multicore = pytest.mark.skipif(
    not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2,
    reason="pinning needs os.sched_setaffinity and at least two usable cores")


def countdown(**fields):
    spec = dict(kernel="countdown", backend="threads", workers=2, work=500_000, probe=True,
                python=sys.executable, sample_hz=0)
    spec.update(fields)
    return RunSpec(**spec)


@multicore
@pytest.mark.parametrize("backend", ["threads", "processes"])
def test_pinning_takes_effect(backend):
    core = max(os.sched_getaffinity(0))
    run = run_target(countdown(backend=backend, work=3_000_000, sample_hz=1000, cores=[core]))
    assert run.interpreter.affinity == [core]
    assert len(run.threads.cpu) > 0
    assert set(run.threads.cpu.tolist()) == {core}
    # the sampler ran outside the target's core
    assert run.sampler.cores and core not in run.sampler.cores


def test_switch_interval_reaches_the_target_and_the_log(tmp_path):
    run = run_target(countdown(switch_interval_s=0.002))
    path = str(tmp_path / "run.json")
    save(new_log([run]), path)
    loaded = load(path).runs[0]
    assert loaded.interpreter.switch_interval_s == pytest.approx(0.002)
    assert loaded.spec.switch_interval_s == pytest.approx(0.002)


def test_compare_draws_two_sides_of_one_dimension(tmp_path, capsys):
    status = cli.main(["compare", "countdown", "--threads", "2", "--count", "300000",
                       "--switch-interval", "1ms", "--switch-interval", "10ms", "--repeat", "1",
                       "--sample-hz", "200", "--out", str(tmp_path)])
    assert status == 0
    out = capsys.readouterr().out
    assert "verdict: " in out
    (run_dir,) = glob.glob(str(tmp_path / "*-compare-countdown-switch-interval"))
    assert png_size(os.path.join(run_dir, "compare.png")) == (1920, 1080)
    runs = load(os.path.join(run_dir, "run.json")).runs
    assert [run.spec.role for run in runs] == ["a", "b"]
    assert [run.interpreter.switch_interval_s for run in runs] == \
        [pytest.approx(0.001), pytest.approx(0.01)]


@pytest.mark.parametrize("workload, sides, options", [
    ("countdown", ["2 threads", "2 processes"], ["--count", "300000"]),
    ("pi", ["2 threads", "2 processes"], ["--samples", "2e6"]),
])
def test_compare_puts_backends_side_by_side(workload, sides, options, tmp_path, capsys):
    if workload == "pi":
        pytest.importorskip("numpy")
    status = cli.main(["compare", workload, "--threads", "2", "--processes", "2", "--repeat",
                       "2", "--sample-hz", "200", "--out", str(tmp_path)] + options)
    assert status == 0
    out = capsys.readouterr().out
    assert out.startswith("%s · %s vs %s" % (workload, *sides))
    assert "verdict: %s took " % sides[0] in out and "the serial time; %s " % sides[1] in out
    (run_dir,) = glob.glob(str(tmp_path / ("*-compare-%s-backend" % workload)))
    assert png_size(os.path.join(run_dir, "compare.png")) == (1920, 1080)
    runs = load(os.path.join(run_dir, "run.json")).runs
    assert [(run.spec.role, run.spec.backend) for run in runs] == [
        ("baseline", "serial"), ("a", "threads"), ("b", "processes")] * 2


def test_convoy_gives_two_latency_sets(tmp_path, capsys):
    status = cli.main(["convoy", "--requests", "20", "--pause", "0.2ms", "--count", "1e8",
                       "--sample-hz", "200", "--out", str(tmp_path)])
    assert status == 0
    (run_dir,) = glob.glob(str(tmp_path / "*-convoy"))
    assert png_size(os.path.join(run_dir, "convoy.png")) == (1920, 1080)
    alone, beside = load(os.path.join(run_dir, "run.json")).runs
    assert (alone.spec.role, beside.spec.role) == ("alone", "beside-cpu")
    assert (len(alone.workers), len(beside.workers)) == (1, 2)
    for run in (alone, beside):
        trips = wait_spans(run.marks, ROUND_TRIP_MARKS)
        assert len(trips.start_ns) == 20 and (trips.stop_ns > trips.start_ns).all()
        assert run.workers[0].result["ended"] == "all requests answered"
        assert run.workers[0].work == 20
        # every probe timestamp is taken holding the GIL: no two holds overlap
        assert overlap_ns(run.holds.start_ns, run.holds.stop_ns) == 0
    cpu = beside.workers[1]
    assert cpu.error is None
    assert 0 < cpu.work <= 100_000_000
    assert "I/O thread alone" in capsys.readouterr().out


@pytest.mark.skipif(not other_interpreters(), reason="no other CPython 3.8+ installed")
def test_convoy_on_the_oldest_other_interpreter():
    version, python = other_interpreters()[0]
    run = run_target(RunSpec(kernel="convoy", backend="threads", workers=2, work=2 * 10**8,
                             probe=True, python=python, sample_hz=0,
                             params={"requests": 10, "size": 32, "pause_s": 0.0002,
                                     "time_limit_s": 20}))
    assert run.interpreter.version == version
    assert len(wait_spans(run.marks, ROUND_TRIP_MARKS).start_ns) == 10
    assert [w.error for w in run.workers] == [None, None]
