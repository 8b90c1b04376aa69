"""A speedup sweep: every backend at every worker count, run in rounds.

    plan_sweep(spec, plan) --> specs: warm-ups, then per round
                               serial baseline, backend 1 x n1, x n2, ..., backend 2 x n1, ...
    run_sweep(specs, ...)  --> for each spec: progress line, run_target, save the log
                               Ctrl-C or a failed run ends the sweep; the runs
                               finished so far stay in the log

Rounds interleave the configurations (A B C A B C, not A A B B C C) so that
drift of a shared machine's speed hits all of them alike, and the serial
baseline is measured in every round for the speedups to pair with. Each run
is a fresh target process (runner.run_target), and the log is saved after
every run, atomically, so an interrupted sweep loses nothing it finished.
"""

from __future__ import annotations

from typing import NamedTuple, Optional

from ..log import new_log, save
from .runner import TargetError, run_target


def plan_sweep(spec, plan):
    """The specs to run for `plan` (a log.SweepPlan), `spec` giving the rest.

    Warm-ups cycle through the first round's configurations; they are run
    and logged like the others, with the role "warmup".
    """
    one_round = [spec._replace(backend="serial", workers=1, role="baseline")]
    one_round += [spec._replace(backend=backend, workers=workers, role="main")
                  for backend in plan.backends for workers in plan.worker_counts]
    warmups = [one_round[i % len(one_round)]._replace(role="warmup")
               for i in range(plan.warmup)]
    return warmups + one_round * plan.repeat


def round_of(index, plan):
    """The round (from 1) of the index-th spec of plan_sweep, 0 for a warm-up."""
    if index < plan.warmup:
        return 0
    return (index - plan.warmup) // plan.round_length() + 1


class SweepResult(NamedTuple):
    log: Optional[object]
    """The RunLog of the runs finished, or None if none finished."""
    interrupted: bool
    """Ctrl-C ended the sweep."""
    error: Optional[str]
    """Why a run failed and ended the sweep, or None."""


def run_sweep(specs, plan, log_path, progress, run=None):
    """Run `specs` in order, saving the log to `log_path` after each run.

    `progress` is told of each run (progress.started(index, spec) and
    progress.finished(index, spec)); `run` measures one spec (by default
    runner.run_target).
    """
    run = run or run_target
    runs = []
    log = None
    interrupted, error = False, None
    try:
        for index, spec in enumerate(specs):
            progress.started(index, spec)
            runs.append(run(spec))
            progress.finished(index, spec)
            log = new_log(runs, sweep=plan) if log is None else log._replace(runs=tuple(runs))
            save(log, log_path)
    except KeyboardInterrupt:
        interrupted = True
    except TargetError as failure:
        error = str(failure)
    if runs and (log is None or len(log.runs) != len(runs)):
        # A run finished between the last save and the interruption.
        log = new_log(runs, sweep=plan) if log is None else log._replace(runs=tuple(runs))
        save(log, log_path)
    return SweepResult(log, interrupted, error)
