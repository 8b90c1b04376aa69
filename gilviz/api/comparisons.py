"""Results of comparisons: two to four variants of a workload side by side
(CompareResult), and the convoy's I/O thread alone and beside CPU-bound
threads (ConvoyResult)."""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Optional, NamedTuple

from ..analysis.compare import ComparedRuns, Side, compare_runs
from ..analysis.convoy import Convoy, ConvoyCase, convoy
from ..analysis.selection import check_window, zoomed
from ..log import CONVOY_IO_WORKER, Role, Run
from ..report import (DIMENSION_SLUGS, compare_lines, convoy_case_label, convoy_lines,
                      side_labels)
from .results import Result, selected, trace_path
from .workloads import VARIED_OPTIONS

if TYPE_CHECKING:
    from matplotlib.figure import Figure


class CompareSummary(NamedTuple):
    """The figures of a comparison's sides."""

    dimension: str
    """The RunSpec field that differs between the sides."""
    compared: ComparedRuns
    """analysis.ComparedRuns: each side's runs, median run and view, against
    its own serial runs where it has them; walls and hand-offs of A against B."""
    repeats: int
    """Rounds of runs (every side once a round)."""


def varied_field(side_runs: Sequence[Sequence[Run]]) -> str:
    """The RunSpec field in which the sides differ."""
    specs = [runs[0].spec for runs in side_runs]
    return next((field for field in VARIED_OPTIONS
                 if len({repr(getattr(spec, field)) for spec in specs}) > 1), "python")


class CompareResult(Result[Optional[CompareSummary]]):
    """Variants of one workload, measured in rounds (A B A B ...)."""

    chart_name = "compare.png"

    def _sides(self) -> list[list[Run]]:
        """Each side's runs, sides in order, those without a run left out."""
        sides = [[run for run in self.log.runs if run.spec.role == role] for role in Role.SIDES]
        return [runs for runs in sides if runs]

    def _baselines(self, side_runs: Sequence[Sequence[Run]], dimension: str) -> list[list[Run]]:
        """Each side's serial runs: the baselines of its interpreter; sides
        that are backends share theirs."""
        baselines = [run for run in self.log.runs if run.spec.role == Role.BASELINE]
        if dimension == "backend":
            return [baselines for _ in side_runs]
        return [[run for run in baselines
                 if getattr(run.spec, dimension) == getattr(runs[0].spec, dimension)]
                for runs in side_runs]

    @property
    def name(self) -> str:
        sides = self._sides()
        if len(sides) < 2:
            return "compare"
        return "compare-%s-%s" % (sides[0][0].spec.kernel, DIMENSION_SLUGS[varied_field(sides)])

    @functools.cached_property
    def summary(self) -> CompareSummary | None:
        """A CompareSummary, or None unless two sides or more have a finished run."""
        sides = self._sides()
        if len(sides) < 2:
            return None
        dimension = varied_field(sides)
        baselines = self._baselines(sides, dimension)
        compared = compare_runs(sides, baselines if any(baselines) else None)
        if compared is None:
            return None
        return CompareSummary(dimension, compared, min(len(runs) for runs in sides))

    def lines(self) -> list[str]:
        s = self.summary
        if s is None:
            return ["only one side has a finished run: nothing to compare"]
        return compare_lines(s.compared, s.dimension, s.repeats)

    def has_figure(self) -> bool:
        return self.summary is not None

    def draw(self, window_ns: tuple[int, int] | None = None,
             workers: Collection[int] | None = None) -> Figure:
        from ..render.compare import compare_figure
        summary = self.summary
        assert summary is not None, "only one side has a finished run: nothing to draw"
        compared = summary.compared
        if window_ns is not None or workers is not None:
            longest = max(side.stats.wall_ns for side in compared.sides)
            if window_ns is not None:
                check_window(window_ns, longest)

            def narrowed(side: Side) -> Side:
                shown, stats, view = selected(side.shown, side.stats, side.view, window_ns,
                                              workers, longest)
                return side._replace(shown=shown, stats=stats, view=view)
            compared = compared._replace(sides=tuple(narrowed(side) for side in compared.sides))
        return compare_figure(compared, summary.dimension, self.log.incomplete)

    def _save_exports(self, run_dir: str) -> None:
        """trace.json: each side's median run (the one drawn), a process each."""
        if self.summary is not None:
            from ..render.trace import save_runs_trace
            compared, repeats = self.summary.compared, self.summary.repeats
            labels = side_labels([side.shown for side in compared.sides], self.summary.dimension)
            median = " (the median of %d runs)" % repeats if repeats > 1 else ""
            labelled = [("%s · %s%s" % (name, label, median), side.shown, side.stats)
                        for name, label, side in zip("ABCD", labels, compared.sides)]
            self.files["trace"] = save_runs_trace(labelled, trace_path(run_dir),
                                                  {"kernel": compared.a.shown.spec.kernel},
                                                  self.log.incomplete)


class ConvoyResult(Result[Optional[Convoy]]):
    """The I/O thread alone, then beside CPU-bound threads."""

    chart_name = "convoy.png"
    name = "convoy"

    @functools.cached_property
    def summary(self) -> Convoy | None:
        """analysis.Convoy: both cases' latencies and views; None unless both ran."""
        cases = {run.spec.role: run for run in self.log.runs}
        if not {"alone", "beside-cpu"} <= set(cases):
            return None
        return convoy(cases["alone"], cases["beside-cpu"], CONVOY_IO_WORKER)

    def lines(self) -> list[str]:
        if self.summary is None:
            return ["only the I/O thread alone ran: nothing to compare it with"]
        return convoy_lines(self.summary)

    def has_figure(self) -> bool:
        return self.summary is not None

    def draw(self, window_ns: tuple[int, int] | None = None,
             workers: Collection[int] | None = None) -> Figure:
        from ..render.convoy import convoy_figure
        convoy = self.summary
        assert convoy is not None, "only the I/O thread alone ran: nothing to draw"
        if workers is not None:  # the I/O thread, whose requests are drawn, stays
            workers = sorted(set(workers) | {convoy.io_worker})
        cases: dict[str, ConvoyCase] = {}
        for name in ("alone", "beside"):
            case = getattr(convoy, name)
            run, stats, view = selected(case.run, case.stats, case.view, None, workers)
            cases[name] = case._replace(run=run, stats=stats, view=view)
        if window_ns is not None:
            width = window_ns[1] - window_ns[0]
            check_window(window_ns, convoy.beside.stats.wall_ns)
            alone = cases["alone"]
            begin = max(0, min(alone.view.zoom_ns[0], alone.stats.wall_ns - width))
            cases["beside"] = cases["beside"]._replace(view=zoomed(cases["beside"].view,
                                                                   window_ns))
            cases["alone"] = alone._replace(view=zoomed(alone.view, (begin, begin + width)))
            convoy = convoy._replace(window_ns=width)
        return convoy_figure(convoy._replace(alone=cases["alone"], beside=cases["beside"]))

    def _save_exports(self, run_dir: str) -> None:
        """trace.json: the I/O thread alone, then beside CPU threads, a process each."""
        if self.summary is not None:
            from ..render.trace import save_runs_trace
            labels = [convoy_case_label(case.run.spec)
                      for case in (self.summary.alone, self.summary.beside)]
            labelled = [(label[0].upper() + label[1:], case.run, case.stats)
                        for label, case in zip(labels, (self.summary.alone, self.summary.beside))]
            self.files["trace"] = save_runs_trace(labelled, trace_path(run_dir),
                                                  {"kernel": "convoy"}, self.log.incomplete)
