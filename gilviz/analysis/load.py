"""Other processes' CPU use during a run (log.LoadSamples): enough of it to
make the run's times untrustworthy is a caveat, and the timeline draws it.

The meter's windows are ~50 ms of /proc/stat, counted in 10 ms units: a
single window may be off by ~0.2 core either way, a mean over many is not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from ..agent.protocol import PROCESS_BACKENDS
from ..log.records import Run
from .caveats import OtherLoad

RUN, BASELINES = "run", "baselines"
"""What an OtherLoad caveat speaks of: the run shown, or its serial baselines."""
OTHER_LOAD_MEAN = 0.25
"""Other processes using more than a quarter of a core on average over a run
make it untrustworthy: on 2 cores that is an eighth of the machine."""
OTHER_LOAD_PEAK = 0.5
"""...and so does half a core or more over any OTHER_LOAD_WINDOW_NS."""
OTHER_LOAD_WINDOW_NS = 250_000_000
"""Five of the meter's windows: long enough that /proc/stat's 10 ms units
(up to ~0.2 core in one window) average out."""


class LoadSeries(NamedTuple):
    """Other processes' CPU use window by window, as the timeline draws it."""

    edges_ns: NDArray[np.int64]
    """Window edges: one more than there are windows."""
    other_cores: NDArray[np.float64]
    """Cores used by other processes in each window, never below 0."""


def measured_until(run: Run) -> int:
    """The end of the time the meter's figures hold for: a process that exits
    takes the CPU time it used since the meter's last read with it, which
    would then count as other processes'. So with a process a worker, up to
    the first worker's stop; else up to the run's end."""
    if run.spec.backend in PROCESS_BACKENDS:
        stops = [w.stop_ns for w in run.workers if w.stop_ns is not None]
        if stops:
            return min(stops)
    return run.end_ns


def windows_in(run: Run) -> NDArray[np.intp] | None:
    """Indices of the load rows (from the second: each covers the window since
    the row before) whose windows end within the run's measured time
    (measured_until) and lie at least half after the release, or None
    without load. The last row is never one: the meter reads it as the run
    ends, when the target may be gone with its last CPU time."""
    load = getattr(run, "load", None)
    if load is None or len(load.t_ns) < 3:
        return None
    rows = np.arange(1, len(load.t_ns) - 1)
    begin, end = load.t_ns[rows - 1], load.t_ns[rows]
    inside = rows[(end <= measured_until(run)) & ((end - np.maximum(begin, 0)) * 2 >= end - begin)]
    return inside if len(inside) else None


def load_series(run: Run) -> LoadSeries | None:
    """The LoadSeries of a run, or None where its log has no load readings."""
    rows, load = windows_in(run), run.load
    if rows is None or load is None:
        return None
    edges = np.append(load.t_ns[rows - 1], load.t_ns[rows[-1]])
    return LoadSeries(edges, np.clip(np.nan_to_num(load.other[rows]), 0, None))


def load_figures(runs: Iterable[Run]) -> tuple[float, float, float] | None:
    """(mean other cores, peak over OTHER_LOAD_WINDOW_NS, mean steal) over
    `runs`, weighting windows by their length; None without readings."""
    lengths: list[NDArray[np.float64]] = []
    other: list[NDArray[np.float64]] = []
    steal: list[NDArray[np.float64]] = []
    peak = 0.0
    for run in runs:
        rows, load = windows_in(run), run.load
        if rows is None or load is None:
            continue
        length = (load.t_ns[rows] - load.t_ns[rows - 1]).astype(np.float64)
        used = np.nan_to_num(load.other[rows])
        lengths.append(length)
        other.append(used)
        steal.append(np.nan_to_num(load.steal[rows]))
        # The mean over each stretch of windows as long as OTHER_LOAD_WINDOW_NS.
        width = max(1, int(round(OTHER_LOAD_WINDOW_NS / max(np.median(length), 1.0))))
        if len(used) >= width:
            work = np.convolve(used * length, np.ones(width), "valid")
            time = np.convolve(length, np.ones(width), "valid")
            peak = max(peak, float(np.max(work / time)))
        else:
            peak = max(peak, float(np.average(used, weights=length)))
    if not lengths:
        return None
    length = np.concatenate(lengths)
    return (float(np.average(np.concatenate(other), weights=length)), peak,
            float(np.average(np.concatenate(steal), weights=length)))


def other_load(runs: Iterable[Run], during: str = RUN) -> OtherLoad | None:
    """An OtherLoad caveat where other processes used enough CPU during `runs`
    to make their times untrustworthy, else None."""
    figures = load_figures(runs)
    if figures is None:
        return None
    mean, peak, steal = figures
    if mean < OTHER_LOAD_MEAN and peak < OTHER_LOAD_PEAK:
        return None
    return OtherLoad(mean_cores=mean, peak_cores=peak, steal_cores=steal, during=during)


def other_load_caveat(run: Run, baselines: Sequence[Run] = ()) -> OtherLoad | None:
    """The run's OtherLoad caveat, or else its baselines'."""
    return other_load([run], RUN) or (other_load(list(baselines), BASELINES)
                                      if baselines else None)
