"""Whether a ratio of wall times can be stated as a speedup: one rule for
every ratio gilviz states (a run's headline, each point of a sweep, each
side of a comparison), and the machine's speed, measured in every run.

A serial run of CPU-bound work takes C_b of CPU time in T_b of wall time; a
run of the same work takes C_r in T_r, with parallelism P = C_r / T_r (the
cores' worth of work it had running). Its speedup is

    T_b / T_r = P * (C_b / C_r) / (C_b / T_b).

P is what a speedup should measure. The other two factors are the
machine's: C_b / C_r, the CPU time one unit of work took in the serial run
over the run's, is 1 unless the machine ran at another speed (this VM
switches between two speeds 1.8x apart from one process to the next;
laptops do the same with turbo, heat and frequency scaling); C_b / T_b, the
share of its time the serial run had a CPU, is 1 unless other processes
took it. A ratio is not a speedup where they moved it:

  - it beats the run's parallelism by more than SPEEDUP_MARGIN;
  - the serial run's work cost more than SPEED_MARGIN times the CPU time a
    unit (the run looks faster than it was);
  - one worker, which does the serial run's work the serial run's way, is
    off 1.0 by more than SPEED_MARGIN either way.

A run with more workers may take more CPU time a unit than the serial run
for reasons of its own (the old GIL's threads fight for it in the OS kernel;
cores share caches): that is the finding, not the machine's, and passes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..agent.kernels import CPU_BOUND_KERNELS
from ..log import Run
from .caveats import SpeedChange, UnexplainedSpeedup
from .runs import wall_ns

SPEEDUP_MARGIN = 1.2
"""A speedup over the run's own parallelism by more than this is not put down
to the workers."""
SPEED_MARGIN = 1.15
"""CPU time a unit of work that moved by more than this between two runs
next to each other: the machine ran at another speed. Measured here: the
same work's CPU time varied by under 10 % between runs at one speed, and
1.6-1.8x between the VM's two speeds."""


def worker_cpu_ns(run: Run) -> int:
    return sum(w.cpu_ns for w in run.workers if w.cpu_ns is not None)


def cpu_per_work(run: Run) -> float | None:
    """CPU time (ns) one unit of the run's work took, or None if unknown:
    how fast the machine ran it."""
    work = sum(w.work for w in run.workers if w.cpu_ns is not None)
    cpu = worker_cpu_ns(run)
    if work <= 0 or cpu <= 0 or any(w.error for w in run.workers):
        return None
    return cpu / work


def unexplained_ratio(runs: Sequence[Run],
                      baselines: Sequence[Run]) -> UnexplainedSpeedup | None:
    """An UnexplainedSpeedup caveat where the ratio of the serial
    `baselines`' wall times to the `runs`' (medians; the runs all of one
    configuration) cannot be a speedup (see above), else None."""
    runs = [run for run in runs if cpu_per_work(run) is not None and wall_ns(run) > 0]
    baselines = [run for run in baselines if cpu_per_work(run) is not None and wall_ns(run) > 0]
    if not runs or not baselines or runs[0].spec.kernel not in CPU_BOUND_KERNELS:
        return None
    speedup = float(np.median([wall_ns(b) for b in baselines])
                    / np.median([wall_ns(r) for r in runs]))
    parallelism = float(np.median([worker_cpu_ns(r) / wall_ns(r) for r in runs]))
    speed = float(np.median([cpu_per_work(b) for b in baselines])
                  / np.median([cpu_per_work(r) for r in runs]))
    workers = runs[0].spec.workers
    if workers == 1 and not 1 / SPEED_MARGIN <= speedup <= SPEED_MARGIN:
        reason = "one-worker"
    elif speedup > SPEEDUP_MARGIN * parallelism:
        reason = "parallelism"
    elif speed > SPEED_MARGIN:
        reason = "speed"
    else:
        return None
    return UnexplainedSpeedup(
        speedup=speedup, parallelism=parallelism,
        baseline_cpu_share=float(np.median([worker_cpu_ns(b) / wall_ns(b) for b in baselines])),
        baseline_cpu_ratio=speed, workers=workers, reason=reason)


SPEED_WARNING = 1.5
"""Serial runs whose CPU time a unit spread by more than this make a
warning, less a note: on this VM runs at one speed spread by up to ~1.25x."""


def serious_speed_change(caveat: object) -> bool:
    """Whether a caveat is a SpeedChange large enough to warn of."""
    return isinstance(caveat, SpeedChange) and caveat.high_ns > SPEED_WARNING * caveat.low_ns


def speed_change(runs: Sequence[Run]) -> SpeedChange | None:
    """A SpeedChange where the CPU time a unit of work of `runs` (of one
    configuration) spread by more than SPEED_MARGIN, else None."""
    speeds = [speed for speed in map(cpu_per_work, runs) if speed is not None]
    if len(speeds) < 2 or runs[0].spec.kernel not in CPU_BOUND_KERNELS:
        return None
    low, high = min(speeds), max(speeds)
    if high <= SPEED_MARGIN * low:
        return None
    return SpeedChange(kernel=runs[0].spec.kernel, low_ns=low, high_ns=high, runs=len(speeds),
                       role=runs[0].spec.role)
