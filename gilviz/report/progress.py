"""Progress of a sweep on the orchestrator's stderr: a line a run, with an ETA.

Written only between runs, by the orchestrator, never by a measured target.
The clock is a parameter so that the estimate can be tested without waiting.
"""

from __future__ import annotations

import time

from ..measure.sweep import round_of
from .format import format_duration


def configuration(spec):
    return (spec.backend, spec.workers)


def estimate_remaining_s(durations, remaining):
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


class SweepProgress:
    """Tells `stream` (None: nobody) of each run of `specs`, a line a run."""

    def __init__(self, specs, plan, stream, clock=time.monotonic):
        self.specs = specs
        self.plan = plan
        self.stream = stream
        self.clock = clock
        self.durations = {}
        self._began = None

    def line(self, index, spec):
        number = round_of(index, self.plan)
        where = "warm-up" if number == 0 else "round %d/%d" % (number, self.plan.repeat)
        what = "serial baseline" if spec.role == "baseline" else spec.describe()
        eta = estimate_remaining_s(self.durations,
                                   [configuration(each) for each in self.specs[index:]])
        return "gilviz: run %d/%d · %s · %s %s · ETA %s" % (
            index + 1, len(self.specs), where, spec.kernel, what,
            "after the first run" if eta is None else format_duration(eta * 1e9))

    def started(self, index, spec):
        self._began = self.clock()
        if self.stream is not None:
            self.stream.write(self.line(index, spec) + "\n")
            self.stream.flush()

    def finished(self, index, spec):
        self.durations.setdefault(configuration(spec), []).append(self.clock() - self._began)
