"""A sweep's plan, the run loop every job shares (with a stand-in for
run_target and an injected clock), time limits, and progress lines."""

import pytest

from helpers import timed_run
from gilviz.api.session import MeasurementFailed, estimate_remaining_s, run_specs, run_timeout_s
from gilviz.api.workloads import round_of, sweep_specs
from gilviz.log import RunSpec, SweepPlan, load
from gilviz.measure.runner import TargetError
from gilviz.report.progress import progress_line

SPEC = RunSpec(kernel="countdown", backend="serial", workers=1, work=1000, probe=False,
               python="/usr/bin/python3", sample_hz=0.0)
PLAN = SweepPlan(backends=["threads", "processes"], worker_counts=[1, 2, 4], repeat=3, warmup=2)


def describe(spec):
    return (spec.role, spec.backend, spec.workers)


def stand_in(spec, timeout_s=None):
    return timed_run(spec.backend, spec.workers, spec.role)


def test_rounds_interleave_every_configuration_after_the_warmups():
    specs = sweep_specs(SPEC, PLAN)
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


def test_the_log_is_saved_after_every_run_and_marked_incomplete_until_the_last(tmp_path):
    path = tmp_path / "run.json"
    specs = sweep_specs(SPEC, PLAN)
    seen_on_disk = []

    def run(spec, timeout_s=None):
        if path.exists():
            saved = load(path)
            seen_on_disk.append((len(saved.runs), saved.incomplete is not None))
        return stand_in(spec)

    log = run_specs(specs, run_dir=str(tmp_path), sweep=PLAN, run=run)
    assert seen_on_disk == [(count, True) for count in range(1, len(specs))]
    saved = load(path)
    assert saved.sweep == PLAN and saved.incomplete is None
    assert [describe(r.spec) for r in saved.runs] == [describe(s) for s in specs]
    assert len(log.runs) == len(specs)


@pytest.mark.parametrize("stop", [KeyboardInterrupt(), TargetError("the target died")])
def test_an_interrupted_or_failed_list_keeps_the_runs_finished(tmp_path, stop):
    specs = sweep_specs(SPEC, PLAN)
    calls = []

    def run(spec, timeout_s=None):
        calls.append(spec)
        if len(calls) == 6:
            raise stop
        return stand_in(spec)

    caught = KeyboardInterrupt if isinstance(stop, KeyboardInterrupt) else MeasurementFailed
    with pytest.raises(caught) as ended:
        run_specs(specs, run_dir=str(tmp_path), sweep=PLAN, run=run)
    assert len(calls) == 6
    assert len(ended.value.log.runs) == 5
    saved = load(tmp_path / "run.json")
    assert len(saved.runs) == 5 and saved.sweep == PLAN
    if isinstance(stop, KeyboardInterrupt):
        assert saved.incomplete == "interrupted after 5 of %d runs" % len(specs)
    else:
        assert saved.incomplete == "run 6 of %d failed: the target died" % len(specs)
        assert str(ended.value) == "the target died"


def test_nothing_is_saved_when_no_run_finished(tmp_path):
    def run(spec, timeout_s=None):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt) as ended:
        run_specs(sweep_specs(SPEC, PLAN), run_dir=str(tmp_path), run=run)
    assert ended.value.log is None and ended.value.log_path is None
    assert not (tmp_path / "run.json").exists()


def test_a_run_may_take_ten_times_the_longest_before_it_and_at_least_two_minutes():
    assert run_timeout_s(None, {}) is None  # the first run: only stalls end it
    assert run_timeout_s(None, {("serial", 1): [1.0, 3.0]}) == 120.0
    assert run_timeout_s(None, {("serial", 1): [30.0], ("threads", 2): [20.0]}) == 300.0
    assert run_timeout_s(5.0, {("serial", 1): [30.0]}) == 5.0


def test_every_run_is_given_its_time_limit():
    limits = []

    def run(spec, timeout_s=None):
        limits.append(timeout_s)
        return stand_in(spec)

    run_specs([SPEC] * 3, run=run, timeout_s=7.0)
    assert limits == [7.0, 7.0, 7.0]


def test_the_estimate_uses_each_configurations_median_and_the_mean_for_new_ones():
    durations = {("serial", 1): [1.0, 3.0, 2.0], ("threads", 2): [4.0]}
    remaining = [("serial", 1), ("threads", 2), ("processes", 2)]
    mean = (1.0 + 3.0 + 2.0 + 4.0) / 4
    assert estimate_remaining_s(durations, remaining) == 2.0 + 4.0 + mean
    assert estimate_remaining_s({}, remaining) is None


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_progress_gives_a_line_a_run_with_round_and_eta():
    plan = SweepPlan(backends=["threads"], worker_counts=[2], repeat=2, warmup=1)
    specs = sweep_specs(SPEC, plan)
    clock, lines = FakeClock(), []

    def run(spec, timeout_s=None):
        clock.now += 10.0
        return stand_in(spec)

    run_specs(specs, sweep=plan, run=run, clock=clock,
              progress=lambda p: lines.append(progress_line(p, round_of(p.index, plan))))
    assert len(lines) == len(specs) == 5
    assert lines[0] == "gilviz: run 1/5 · warm-up: countdown serial, work 1,000"
    assert lines[1] == ("gilviz: run 2/5 · round 1/2: countdown serial baseline, work 1,000"
                        " · ETA 40 s")
    assert lines[2] == "gilviz: run 3/5 · round 1/2: countdown 2 threads, work 1,000 · ETA 30 s"
    assert lines[4].startswith("gilviz: run 5/5 · round 2/2: countdown 2 threads")


def test_each_run_waits_for_a_quiet_machine_and_progress_says_what_it_found():
    waits, lines = [], []

    def quiet(limit_s, threshold):
        waits.append((limit_s, threshold))
        return 0.12

    run_specs([SPEC] * 2, run=stand_in, wait_quiet_s=30.0, quiet=quiet,
              progress=lambda p: lines.append(progress_line(p)))
    assert waits == [(30.0, 0.25)] * 2
    assert lines[0].endswith("· other processes used 0.1 cores before it")


def test_waiting_for_quiet_ends_below_the_threshold_or_at_the_deadline():
    from gilviz.measure.quiet import wait_until_quiet
    readings = iter([1.5, 1.2, 0.1, 2.0])
    assert wait_until_quiet(60, 0.25, measure=lambda: next(readings), clock=lambda: 0.0) == 0.1
    times = iter([0.0, 10.0, 31.0])
    assert wait_until_quiet(30, 0.25, measure=lambda: 1.5, clock=lambda: next(times)) == 1.5
