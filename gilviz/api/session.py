"""Running a list of specs, one fresh target each, for every kind of job.

    specs --run_target--> Runs --> RunLog
            |                `--> saved to run_dir/run.json after every run, when given
            `--> progress(Progress) before each run, with an estimate of the time left

A failed run or an interruption (Ctrl-C, SIGTERM) ends the list: the runs
finished so far are kept, in the log on disk marked incomplete and in the
exception (`log`), so that nothing finished is lost. A log that cannot be
saved (log.WriteError: a full disk) ends it too, the finished runs in the
error's `log`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import NamedTuple, Optional, Protocol

from ..analysis.load import OTHER_LOAD_MEAN
from ..log import Run, RunLog, RunSpec, SweepPlan, WriteError, new_log, save
from ..measure.quiet import wait_until_quiet
from ..measure.runner import TargetError, run_target
from ..measure.timings import timed

LOG_NAME = "run.json"
TIMEOUT_FLOOR_S = 120.0
"""Without --timeout, a run may take 10x the longest run finished before it,
and at least this long: enough never to cut a sane run short."""
TIMEOUT_FACTOR = 10


class Progress(NamedTuple):
    """What the next run is, told before it starts."""

    # namedtuple lets a field shadow tuple.index; mypy takes it for an override of the method
    index: int  # type: ignore[assignment]
    """From 0."""
    total: int
    spec: RunSpec
    """The RunSpec about to run."""
    eta_s: Optional[float]
    """Seconds the runs left should take, from those finished; None before any."""
    sweep: Optional[SweepPlan] = None
    """The SweepPlan, when the runs are a sweep."""
    other_cores: Optional[float] = None
    """With a wait for a quiet machine: the cores other processes used when
    the wait ended (below the threshold, or the time allowed ran out)."""
    expected_s: Optional[float] = None
    """Seconds this run should take: the median of the runs of its
    configuration finished so far, else the mean of all; None before any
    (for a process attached to: the time it is sampled)."""


class MeasurementFailed(RuntimeError):
    """A run failed; the message says which and how."""

    def __init__(self, message: str, log: RunLog | None = None,
                 log_path: str | None = None) -> None:
        super().__init__(message)
        self.log = log
        """The RunLog of the runs finished before it (marked incomplete), or
        None if none had."""
        self.log_path = log_path
        """Where it was saved, or None."""


Configuration = tuple[str, int]
"""(backend, workers): the runs of one configuration take alike long."""


def configuration(spec: RunSpec) -> Configuration:
    return (spec.backend, spec.workers)


def estimate_remaining_s(durations: Mapping[Configuration, Sequence[float]],
                         remaining: Iterable[Configuration]) -> float | None:
    """Seconds that the `remaining` configurations should take to run.

    `durations` maps a configuration to the seconds its runs took so far;
    one not run yet counts as the mean of all runs so far. None before any
    run has finished.
    """
    everything = [seconds for runs in durations.values() for seconds in runs]
    if not everything:
        return None
    mean = sum(everything) / len(everything)
    total = 0.0
    for key in remaining:
        runs = sorted(durations.get(key, ()))
        total += runs[len(runs) // 2] if runs else mean
    return total


def run_timeout_s(timeout_s: float | None,
                  durations: Mapping[Configuration, Sequence[float]]) -> float | None:
    """The time limit of the next run: the user's, or else 10x the longest run
    so far and at least TIMEOUT_FLOOR_S; None (no limit) for the first run,
    whose stalls the runner still catches."""
    if timeout_s is not None:
        return timeout_s
    longest = max((seconds for runs in durations.values() for seconds in runs), default=None)
    return None if longest is None else max(TIMEOUT_FLOOR_S, TIMEOUT_FACTOR * longest)


class RunsTarget(Protocol):
    """What measures one spec: runner.run_target's signature."""

    def __call__(self, spec: RunSpec, timeout_s: float | None = None) -> Run: ...


def run_specs(specs: Sequence[RunSpec], run_dir: str | None = None,
              sweep: SweepPlan | None = None,
              progress: Callable[[Progress], None] | None = None,
              timeout_s: float | None = None, run: RunsTarget | None = None,
              clock: Callable[[], float] = time.monotonic, wait_quiet_s: float | None = None,
              quiet: Callable[[float, float], float] | None = None) -> RunLog:
    """Run `specs` in order and return their RunLog.

    With `run_dir`, the log is saved there after every run (marked
    incomplete until the last). `progress` is called with a Progress before
    each run; `run` measures one spec (runner.run_target by default, called
    with the run's time limit). With `wait_quiet_s`, each run waits up to
    that long for other processes to leave the machine quiet (`quiet`:
    measure.quiet.wait_until_quiet by default).
    """
    run = run or run_target
    log_path = os.path.join(run_dir, LOG_NAME) if run_dir else None
    runs: list[Run] = []
    durations: dict[Configuration, list[float]] = {}

    def keep(incomplete: str | None) -> RunLog | None:
        """The log so far, saved when there is somewhere to; None if no run
        finished. A save that fails (a full disk) ends the runs: its
        WriteError carries the log of those finished in `log`."""
        if not runs:
            return None
        log = new_log(runs, sweep=sweep, incomplete=incomplete)
        if log_path:
            try:
                with timed("saving the log"):
                    save(log, log_path)
            except WriteError as error:
                setattr(error, "log", log)  # an attribute of its own, read with getattr
                raise
        return log

    for index, spec in enumerate(specs):
        other = None
        if wait_quiet_s:
            other = (quiet or wait_until_quiet)(wait_quiet_s, OTHER_LOAD_MEAN)
        if progress is not None:
            progress(Progress(index, len(specs), spec,
                              estimate_remaining_s(durations,
                                                   [configuration(s) for s in specs[index:]]),
                              sweep, other,
                              estimate_remaining_s(durations, [configuration(spec)])))
        began = clock()
        try:
            runs.append(run(spec, timeout_s=run_timeout_s(timeout_s, durations)))
        except TargetError as failure:
            log = keep("run %d of %d failed: %s" % (index + 1, len(specs), failure))
            raise MeasurementFailed(str(failure), log, log_path if log else None) from None
        except KeyboardInterrupt as interruption:
            # KeyboardInterrupt has no such attributes: they are added, read with getattr
            log = keep("interrupted after %d of %d runs" % (len(runs), len(specs)))
            setattr(interruption, "log", log)
            setattr(interruption, "log_path", log_path if log else None)
            raise
        durations.setdefault(configuration(spec), []).append(clock() - began)
        keep(None if len(runs) == len(specs) else
             "%d of %d runs done so far" % (len(runs), len(specs)))
    return new_log(runs, sweep=sweep)
