"""The sweep's plan, its run loop (with a stand-in for run_target), and its progress lines."""

import io

import pytest

from conftest import timed_run
from gilviz.log import RunSpec, SweepPlan, load
from gilviz.report import format_duration
from gilviz.report.progress import SweepProgress, estimate_remaining_s
from gilviz.measure.runner import TargetError
from gilviz.measure.sweep import plan_sweep, round_of, run_sweep

SPEC = RunSpec(kernel="countdown", backend="serial", workers=1, work=1000, probe=False,
               python="/usr/bin/python3", sample_hz=0.0)
PLAN = SweepPlan(backends=["threads", "processes"], worker_counts=[1, 2, 4], repeat=3, warmup=2)


def describe(spec):
    return (spec.role, spec.backend, spec.workers)


def test_rounds_interleave_every_configuration_after_the_warmups():
    specs = plan_sweep(SPEC, PLAN)
    assert len(specs) == PLAN.planned_runs() == 2 + 3 * 7
    one_round = [("baseline", "serial", 1)] + [("main", backend, n)
                                               for backend in ("threads", "processes")
                                               for n in (1, 2, 4)]
    assert [describe(s) for s in specs[:2]] == [("warmup", "serial", 1), ("warmup", "threads", 1)]
    assert [describe(s) for s in specs[2:]] == one_round * 3
    assert all(s.kernel == "countdown" and s.work == 1000 for s in specs)


def test_round_of_counts_from_one_and_gives_zero_to_warmups():
    rounds = [round_of(i, PLAN) for i in range(PLAN.planned_runs())]
    assert rounds[:2] == [0, 0]
    assert rounds[2:] == [1] * 7 + [2] * 7 + [3] * 7


class Silent:
    def started(self, index, spec):
        pass

    def finished(self, index, spec):
        pass


def test_the_log_is_saved_after_every_run(tmp_path):
    path = tmp_path / "run.json"
    specs = plan_sweep(SPEC, PLAN)
    seen_on_disk = []

    def run(spec):
        seen_on_disk.append(len(load(path).runs) if path.exists() else 0)
        return timed_run(spec.backend, spec.workers, spec.role)

    result = run_sweep(specs, PLAN, str(path), Silent(), run=run)
    assert seen_on_disk == list(range(len(specs)))
    assert not result.interrupted and result.error is None
    saved = load(path)
    assert saved.sweep == PLAN
    assert [describe(r.spec) for r in saved.runs] == [describe(s) for s in specs]


@pytest.mark.parametrize("stop", [KeyboardInterrupt(), TargetError("the target died")])
def test_an_interrupted_or_failed_sweep_keeps_the_runs_finished(tmp_path, stop):
    path = tmp_path / "run.json"
    specs = plan_sweep(SPEC, PLAN)
    calls = []

    def run(spec):
        calls.append(spec)
        if len(calls) == 6:
            raise stop
        return timed_run(spec.backend, spec.workers, spec.role)

    result = run_sweep(specs, PLAN, str(path), Silent(), run=run)
    assert len(calls) == 6
    assert len(result.log.runs) == 5
    assert len(load(path).runs) == 5
    if isinstance(stop, KeyboardInterrupt):
        assert result.interrupted and result.error is None
    else:
        assert not result.interrupted and result.error == "the target died"


def test_nothing_is_saved_when_no_run_finished(tmp_path):
    path = tmp_path / "run.json"

    def run(spec):
        raise KeyboardInterrupt

    result = run_sweep(plan_sweep(SPEC, PLAN), PLAN, str(path), Silent(), run=run)
    assert result.log is None and result.interrupted
    assert not path.exists()


def test_the_estimate_uses_each_configurations_median_and_the_mean_for_new_ones():
    durations = {("serial", 1): [1.0, 3.0, 2.0], ("threads", 2): [4.0]}
    remaining = [("serial", 1), ("threads", 2), ("processes", 2)]
    mean = (1.0 + 3.0 + 2.0 + 4.0) / 4
    assert estimate_remaining_s(durations, remaining) == 2.0 + 4.0 + mean
    assert estimate_remaining_s({}, remaining) is None


def test_durations_read_as_people_say_them():
    assert format_duration(8.4e9) == "8.4 s"
    assert format_duration(40e9) == "40 s"
    assert format_duration(185e9) == "3 min 05 s"
    assert format_duration(3725e9) == "1 h 02 min"


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_progress_gives_a_line_a_run_with_round_and_eta():
    plan = SweepPlan(backends=["threads"], worker_counts=[2], repeat=2, warmup=1)
    specs = plan_sweep(SPEC, plan)
    stream, clock = io.StringIO(), FakeClock()
    progress = SweepProgress(specs, plan, stream, clock=clock)
    for index, spec in enumerate(specs):
        progress.started(index, spec)
        clock.now += 10.0
        progress.finished(index, spec)
    lines = stream.getvalue().splitlines()
    assert len(lines) == len(specs) == 5
    assert lines[0] == ("gilviz: run 1/5 · warm-up · countdown serial · "
                        "ETA after the first run")
    assert lines[1] == "gilviz: run 2/5 · round 1/2 · countdown serial baseline · ETA 40 s"
    assert lines[2] == "gilviz: run 3/5 · round 1/2 · countdown 2 threads · ETA 30 s"
    assert lines[4].startswith("gilviz: run 5/5 · round 2/2 · countdown 2 threads")


def test_quiet_progress_writes_nothing_and_still_times_the_runs():
    specs = plan_sweep(SPEC, PLAN)
    clock = FakeClock()
    progress = SweepProgress(specs, PLAN, None, clock=clock)
    progress.started(0, specs[0])
    clock.now = 3.0
    progress.finished(0, specs[0])
    assert progress.durations == {("serial", 1): [3.0]}
