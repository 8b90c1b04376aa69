"""Wall times against each other: a run against its serial baselines, and
the sides of a comparison (A, B, ...) measured in rounds."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from ..log.records import Run
from .runs import median_run, wall_ns
from .summary import RunStats, summarize
from .views import TimelineView, timeline_view
from .windows import zoom_width_ns


class Comparison(NamedTuple):
    """Wall times of repeated runs against their serial baselines."""

    ratio: float
    """Median over the pairs of run wall / baseline wall (pairs in run order)."""
    low: float
    high: float
    pairs: int
    run_wall_ns: int
    """Median wall time of the runs."""
    baseline_wall_ns: int


def compare_walls(run_walls_ns: npt.ArrayLike,
                  baseline_walls_ns: npt.ArrayLike) -> Comparison | None:
    """Pair the i-th run with the i-th baseline, measured next to each other,
    so that drift of the machine's speed hits both sides of each ratio alike."""
    runs = np.asarray(run_walls_ns, dtype=np.float64)
    baselines = np.asarray(baseline_walls_ns, dtype=np.float64)
    pairs = min(len(runs), len(baselines))
    if pairs == 0:
        return None
    ratios = runs[:pairs] / baselines[:pairs]
    return Comparison(ratio=float(np.median(ratios)), low=float(ratios.min()),
                      high=float(ratios.max()), pairs=pairs,
                      run_wall_ns=int(np.median(runs)), baseline_wall_ns=int(np.median(baselines)))


class SideBySide(NamedTuple):
    """Two sides of a comparison (A and B), measured alternately."""

    walls: Comparison
    """Wall times, A over B, pair by pair (compare_walls)."""
    handoffs_a: float | None
    """Median GIL hand-offs of A's runs; None where no two workers share a GIL."""
    handoffs_b: float | None
    handoff_ratio: float | None
    """handoffs_a / handoffs_b; None where either is unknown or B had none."""


def compare_sides(walls_a_ns: npt.ArrayLike, walls_b_ns: npt.ArrayLike,
                  handoffs_a: Iterable[int | None],
                  handoffs_b: Iterable[int | None]) -> SideBySide | None:
    """A against B: the i-th run of each side were measured next to each other."""
    walls = compare_walls(walls_a_ns, walls_b_ns)
    if walls is None:
        return None

    def median(counts: Iterable[int | None]) -> float | None:
        known = [count for count in counts if count is not None]
        return float(np.median(known)) if known else None

    a, b = median(handoffs_a), median(handoffs_b)
    ratio = a / b if a is not None and b else None
    return SideBySide(walls=walls, handoffs_a=a, handoffs_b=b, handoff_ratio=ratio)


def faster_side(comparison: Comparison) -> str | None:
    """"a" or "b" where every pair of a Comparison (A over B) agrees which
    side was faster, else None; one pair shows no spread, so it never decides."""
    if comparison.pairs < 2:
        return None
    if comparison.high < 1:
        return "a"
    if comparison.low > 1:
        return "b"
    return None


class Side(NamedTuple):
    """One side of a comparison, as measured."""

    runs: tuple[Run, ...]
    shown: Run
    """The run of median wall time, the one drawn."""
    stats: RunStats
    """summarize(shown)."""
    view: TimelineView
    """views.TimelineView of shown, zoomed on ten of its median turns."""
    against_serial: Comparison | None = None
    """The side's runs against its own serial runs, pair by pair (a
    comparison of interpreters); None without those."""


class ComparedRuns(NamedTuple):
    sides: tuple[Side, ...]
    """A Side each, in the order given (A, B, ...)."""
    pairwise: SideBySide | None
    """Walls and hand-offs, A against B, where there are exactly two sides."""

    @property
    def a(self) -> Side:
        return self.sides[0]

    @property
    def b(self) -> Side:
        return self.sides[1]


def compare_runs(side_runs: Sequence[Sequence[Run]],
                 side_baselines: Sequence[Sequence[Run]] | None = None) -> ComparedRuns | None:
    """Each side's runs (a list a side, the i-th of each measured in one
    round) against the others; with `side_baselines`, each side's serial
    runs, measured in the same rounds. None unless every side has a run."""
    if len(side_runs) < 2 or not all(side_runs):
        return None
    summaries = [[summarize(run) for run in runs] for runs in side_runs]
    pairwise = None
    if len(side_runs) == 2:
        walls = [[wall_ns(run) for run in runs] for runs in side_runs]
        handoffs = [[stats.handoffs for stats in each] for each in summaries]
        pairwise = compare_sides(walls[0], walls[1], handoffs[0], handoffs[1])
    shown = [median_run(runs) for runs in side_runs]
    baselines = side_baselines or [()] * len(side_runs)
    # The shown run's figures against its side's serial runs, where it has
    # them: a ratio that cannot be a speedup, or a change of the machine's
    # speed, is then one of its caveats.
    stats = [summarize(shown[i], baselines=tuple(baselines[i])) if baselines[i] else
             next(each for run, each in zip(runs, summaries[i]) if run is shown[i])
             for i, runs in enumerate(side_runs)]
    # Each side's zoom follows its own turns: one width for the old GIL's
    # turns of tens of µs and the new GIL's 5 ms ones shows neither.
    sides = tuple(
        Side(tuple(runs), shown[i], stats[i],
             timeline_view(shown[i], stats[i],
                           min(zoom_width_ns(stats[i].median_turn_ns), stats[i].wall_ns)),
             compare_walls([wall_ns(run) for run in runs],
                           [wall_ns(run) for run in baselines[i]]))
        for i, runs in enumerate(side_runs))
    return ComparedRuns(sides, pairwise)
