"""Results: a measured (or loaded) log with what analysis makes of it, its
words, its chart and its files.

Every kind of job gives one: RunResult (countdown, pi, io), SpeedupResult,
CompareResult and ConvoyResult. Each has

    .log        the typed records (log.RunLog)
    .summary    the figures analysis found (typed records, no words)
    .report()   the terminal summary, as text
    .figure()   a matplotlib Figure, built without pyplot; figure(theme=,
                size=, dpi=, window_ns=, workers=) for slides
    .save(dir)  run.json, the chart (and trace.json) in a run directory
    .render(path) the chart alone, as PNG, SVG or PDF
    ._repr_png_ the chart, for Jupyter

Analysis runs once, on first use; matplotlib is imported only to draw.
"""

from __future__ import annotations

import functools
import io
import os
from typing import NamedTuple, Optional

from ..analysis import compare_runs, compare_walls, convoy, median_run, summarize, wall_ns
from ..analysis.program import PROGRAM_KINDS, summarize_program
from ..analysis.scaling import sweep_scaling
from ..analysis.selection import check_window, check_workers, only_workers, zoomed
from ..log import CONVOY_IO_WORKER, new_run_dir, save
from ..measure.program import EXIT_STATUS
from ..measure.timings import timed
from ..report import (DIMENSION_SLUGS, compare_lines, convoy_case_label, convoy_lines,
                      scaling_lines, side_labels, summary_lines, sweep_run_labels)
from ..report.program import program_lines
from .options import OptionError
from .session import LOG_NAME
from .workloads import SIDE_ROLES, VARIED_OPTIONS


class Result:
    """What every result has; subclasses say what they draw and write."""

    chart_name = None
    """The chart's file name in the run directory, e.g. "timeline.png"."""

    def __init__(self, log, run_dir=None):
        self.log = log
        self.run_dir = run_dir
        """Where the result was saved or loaded from, or None."""
        self.files = {}
        """What save() wrote: {"log": path, "chart": path, ...}."""

    @property
    def name(self):
        """The run directory's name after its time stamp."""
        raise NotImplementedError

    @property
    def failed_workers(self):
        """(run, worker) of every worker that failed, in every run."""
        return tuple((run, worker) for run in self.log.runs for worker in run.workers
                     if worker.error)

    def report(self):
        """The terminal summary, as text."""
        return "\n".join(self.lines())

    def lines(self):
        raise NotImplementedError

    def has_figure(self):
        return True

    def figure(self, theme=None, size=None, dpi=None, window_ns=None, workers=None):
        """The chart as a matplotlib Figure: in `theme` ("light", "dark" or
        "talk"), `size` (width, height) pixels or the theme's, at `dpi`;
        zoomed on `window_ns` (begin, end) and showing only `workers`
        (indices) where the chart has a timeline. A window or workers the
        run does not have raise OptionError."""
        from ..analysis.selection import SelectionError
        from ..render.formats import slide_figure
        if (window_ns is not None or workers is not None) and not self.has_timeline:
            raise OptionError("a %s chart has no timeline to zoom or narrow"
                              % os.path.splitext(self.chart_name)[0])
        try:
            return slide_figure(lambda: self.draw(window_ns, workers), theme, size, dpi)
        except SelectionError as error:
            raise OptionError(str(error)) from None

    has_timeline = True
    """Whether the chart draws workers over time (window_ns=, workers= apply)."""

    def draw(self, window_ns=None, workers=None):
        """The chart in the light theme at render.theme's size."""
        raise NotImplementedError

    def render(self, path, file_format=None, **options):
        """Write the chart alone to `path` as `file_format` ("png", "svg",
        "pdf"; None: told by the extension); `options` as figure()'s."""
        from ..render.formats import format_of, save_figure
        return save_figure(self.figure(**options), path, format_of(path, file_format))

    def save(self, directory="output", file_format="png", theme=None):
        """Write run.json, the chart (as `file_format`, in `theme`) and any
        export into this result's run directory (a new one under `directory`
        if it has none); return it."""
        if self.run_dir is None:
            self.run_dir = new_run_dir(directory, self.name)
        self.files["log"] = os.path.join(self.run_dir, LOG_NAME)
        with timed("saving the log"):
            save(self.log, self.files["log"])
        self._save_exports()
        if self.has_figure():
            self.files["chart"] = self.render(
                os.path.join(self.run_dir, self.chart_file(file_format)), file_format,
                theme=theme)
        return self.run_dir

    def chart_file(self, file_format="png"):
        """"timeline.png", "compare.svg": the chart's file name as `file_format`."""
        return "%s.%s" % (os.path.splitext(self.chart_name)[0], file_format)

    def _save_exports(self):
        """Files beside the log and the chart; none by default."""

    def _trace_path(self):
        return os.path.join(self.run_dir, "trace.json")

    def _repr_png_(self):
        if not self.has_figure():
            return None
        from ..render.formats import write_figure
        buffer = io.BytesIO()
        write_figure(self.figure(), buffer, "png")
        return buffer.getvalue()

    def __repr__(self):
        return "<%s %s: %d runs%s>" % (type(self).__name__, self.name, len(self.log.runs),
                                       ", incomplete" if self.log.incomplete else "")


def run_name(spec):
    """"countdown-threads4", "pi-seed-serial": a workload's run directory name."""
    kernel = "%s-%s" % (spec.kernel, spec.variant) if spec.variant else spec.kernel
    if spec.backend == "serial":
        return "%s-serial" % kernel
    return "%s-%s%d" % (kernel, spec.backend, spec.workers)


class RunSummary(NamedTuple):
    """The figures of a workload's runs."""

    shown: object
    """The measured run of median wall time: the one detailed and drawn."""
    stats: object
    """analysis.RunStats of the shown run."""
    view: object
    """analysis.TimelineView of the shown run: what its chart draws."""
    comparison: Optional[object]
    """analysis.Comparison of the measured runs against their serial
    baselines, or None without baselines."""
    repeats: int
    """Measured runs (role "main")."""


class RunResult(Result):
    """A workload measured `repeat` times, each after its serial baseline."""

    chart_name = "timeline.png"

    @property
    def name(self):
        return run_name((self.log.find("main") or self.log.runs[0]).spec)

    @functools.cached_property
    def summary(self):
        """A RunSummary, or None when no measured run finished (only baselines)."""
        measured = [run for run in self.log.runs if run.spec.role == "main"]
        if not measured:
            return None
        baselines = [run for run in self.log.runs if run.spec.role == "baseline"]
        comparison = compare_walls([wall_ns(run) for run in measured],
                                   [wall_ns(run) for run in baselines])
        shown = median_run(measured)
        stats = summarize(shown, baselines=baselines)
        from ..analysis import timeline_view
        return RunSummary(shown, stats, timeline_view(shown, stats), comparison, len(measured))

    def lines(self):
        if self.summary is None:
            return ["no measured run finished: %d baseline run%s only"
                    % (len(self.log.runs), "" if len(self.log.runs) == 1 else "s")]
        s = self.summary
        return summary_lines(s.shown, s.stats, s.comparison, s.repeats)

    def has_figure(self):
        return self.summary is not None

    def draw(self, window_ns=None, workers=None):
        from ..render import timeline_figure
        s = self.summary
        run, stats, view = selected(s.shown, s.stats, s.view, window_ns, workers)
        return timeline_figure(run, stats, view, s.comparison, s.repeats)

    def _save_exports(self):
        if self.summary is not None:
            from ..render.trace import save_trace
            self.files["trace"] = save_trace(self.summary.shown, self.summary.stats,
                                             os.path.join(self.run_dir, "trace.json"))


class SpeedupResult(Result):
    """A speedup sweep: every backend at every worker count, in rounds."""

    chart_name = "speedup.png"

    @property
    def name(self):
        return "speedup-%s" % self.log.runs[0].spec.kernel if self.log.runs else "speedup"

    @functools.cached_property
    def summary(self):
        """analysis.scaling.Scaling: speedups, spreads and Amdahl fits."""
        return sweep_scaling(self.log)

    def lines(self):
        if not self.summary.runs_done:
            return ["only warm-ups finished: no speedup to give"]
        return scaling_lines(self.summary)

    def has_figure(self):
        return bool(self.summary.runs_done)

    has_timeline = False

    def draw(self, window_ns=None, workers=None):
        from ..render import speedup_figure
        return speedup_figure(self.log, self.summary)

    def _save_exports(self):
        """trace.json: every counted run of the sweep, a process each."""
        runs = [run for run in self.log.runs if run.spec.role in ("main", "baseline")]
        if runs:
            from ..render.trace import save_runs_trace
            labelled = [(label, run, summarize(run))
                        for label, run in zip(sweep_run_labels(runs), runs)]
            self.files["trace"] = save_runs_trace(labelled, self._trace_path(),
                                                  {"kernel": runs[0].spec.kernel})


class CompareSummary(NamedTuple):
    dimension: str
    """The RunSpec field that differs between the sides."""
    compared: object
    """analysis.ComparedRuns: each side's runs, median run and view, against
    its own serial runs where it has them; walls and hand-offs of A against B."""
    repeats: int
    """Rounds of runs (every side once a round)."""


def varied_field(side_runs):
    """The RunSpec field in which the sides differ."""
    specs = [runs[0].spec for runs in side_runs]
    return next((field for field in VARIED_OPTIONS
                 if len({repr(getattr(spec, field)) for spec in specs}) > 1), "python")


class CompareResult(Result):
    """Variants of one workload, measured in rounds (A B A B ...)."""

    chart_name = "compare.png"

    def _sides(self):
        """Each side's runs, sides in order, those without a run left out."""
        sides = [[run for run in self.log.runs if run.spec.role == role] for role in SIDE_ROLES]
        return [runs for runs in sides if runs]

    def _baselines(self, side_runs, dimension):
        """Each side's serial runs: the baselines of its interpreter."""
        baselines = [run for run in self.log.runs if run.spec.role == "baseline"]
        return [[run for run in baselines
                 if getattr(run.spec, dimension) == getattr(runs[0].spec, dimension)]
                for runs in side_runs]

    @property
    def name(self):
        sides = self._sides()
        if len(sides) < 2:
            return "compare"
        return "compare-%s-%s" % (sides[0][0].spec.kernel, DIMENSION_SLUGS[varied_field(sides)])

    @functools.cached_property
    def summary(self):
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

    def lines(self):
        s = self.summary
        if s is None:
            return ["only one side has a finished run: nothing to compare"]
        return compare_lines(s.compared, s.dimension, s.repeats)

    def has_figure(self):
        return self.summary is not None

    def draw(self, window_ns=None, workers=None):
        from ..render import compare_figure
        compared = self.summary.compared
        if window_ns is not None or workers is not None:
            longest = max(side.stats.wall_ns for side in compared.sides)
            if window_ns is not None:
                check_window(window_ns, longest)
            compared = compared._replace(sides=tuple(
                side._replace(**dict(zip(("shown", "stats", "view"), selected(
                    side.shown, side.stats, side.view, window_ns, workers, longest))))
                for side in compared.sides))
        return compare_figure(compared, self.summary.dimension)

    def _save_exports(self):
        """trace.json: each side's median run (the one drawn), a process each."""
        if self.summary is not None:
            from ..render.trace import save_runs_trace
            compared, repeats = self.summary.compared, self.summary.repeats
            labels = side_labels([side.shown for side in compared.sides], self.summary.dimension)
            median = " (the median of %d runs)" % repeats if repeats > 1 else ""
            labelled = [("%s · %s%s" % (name, label, median), side.shown, side.stats)
                        for name, label, side in zip("ABCD", labels, compared.sides)]
            self.files["trace"] = save_runs_trace(labelled, self._trace_path(),
                                                  {"kernel": compared.a.shown.spec.kernel})


class ConvoyResult(Result):
    """The I/O thread alone, then beside CPU-bound threads."""

    chart_name = "convoy.png"
    name = "convoy"

    @functools.cached_property
    def summary(self):
        """analysis.Convoy: both cases' latencies and views; None unless both ran."""
        cases = {run.spec.role: run for run in self.log.runs}
        if not {"alone", "beside-cpu"} <= set(cases):
            return None
        return convoy(cases["alone"], cases["beside-cpu"], CONVOY_IO_WORKER)

    def lines(self):
        if self.summary is None:
            return ["only the I/O thread alone ran: nothing to compare it with"]
        return convoy_lines(self.summary)

    def has_figure(self):
        return self.summary is not None

    def draw(self, window_ns=None, workers=None):
        from ..render import convoy_figure
        convoy = self.summary
        if workers is not None:  # the I/O thread, whose requests are drawn, stays
            workers = sorted(set(workers) | {convoy.io_worker})
        cases = {}
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
        return convoy_figure(convoy._replace(**cases))

    def _save_exports(self):
        """trace.json: the I/O thread alone, then beside CPU threads, a process each."""
        if self.summary is not None:
            from ..render.trace import save_runs_trace
            labels = [convoy_case_label(case.run.spec)
                      for case in (self.summary.alone, self.summary.beside)]
            labelled = [(label[0].upper() + label[1:], case.run, case.stats)
                        for label, case in zip(labels, (self.summary.alone, self.summary.beside))]
            self.files["trace"] = save_runs_trace(labelled, self._trace_path(),
                                                  {"kernel": "convoy"})


def selected(run, stats, view, window_ns=None, workers=None, wall_ns=None):
    """(run, stats, view) zoomed on `window_ns` and narrowed to `workers`,
    each if given (with a heat map of all workers, only the zoom is);
    SelectionError for a window or workers the run lacks."""
    if window_ns is not None:
        check_window(window_ns, stats.wall_ns if wall_ns is None else wall_ns)
        view = zoomed(view, window_ns)
    if workers is not None and view.heat_map:  # the heat map keeps every worker
        check_workers(run, workers)
        view = view._replace(zoom_workers=tuple(sorted(workers)))
    elif workers is not None:
        run, stats, view = only_workers(run, stats, view, workers)
    return run, stats, view


class ProgramResult(RunResult):
    """A program's run (a script, a module) or a running process sampled
    (attach): its threads, named, from samples alone."""

    @staticmethod
    def name_of(spec):
        """"run-hash_and_serve", "run-http.server", "attach-1234"."""
        params = spec.params or {}
        if spec.kernel == "attach":
            return "attach-%s" % params.get("pid")
        stem = os.path.splitext(os.path.basename(params.get("target", "program")))[0]
        return "run-%s" % stem

    @property
    def name(self):
        return self.name_of(self.log.runs[0].spec)

    @property
    def exit_status(self):
        """The program's exit status; None for a process attached to."""
        for worker in self.log.runs[0].workers:
            if worker.result and EXIT_STATUS in worker.result:
                return worker.result[EXIT_STATUS]
        return None

    @functools.cached_property
    def summary(self):
        run = self.log.runs[0]
        stats = summarize_program(run)
        from ..analysis import timeline_view
        return RunSummary(run, stats, timeline_view(run, stats), None, 1)

    def lines(self):
        s = self.summary
        return program_lines(s.shown, s.stats, self.exit_status)


def result_of(log, run_dir=None):
    """The kind of Result a log holds, told from its runs."""
    roles = {run.spec.role for run in log.runs}
    from .share import SHARE_ROLE, ShareResult
    if SHARE_ROLE in roles:
        return ShareResult(log, run_dir)
    if log.sweep is not None:
        return SpeedupResult(log, run_dir)
    if roles & set(SIDE_ROLES):
        return CompareResult(log, run_dir)
    if roles & {"alone", "beside-cpu"}:
        return ConvoyResult(log, run_dir)
    if log.runs and log.runs[0].spec.kernel in PROGRAM_KINDS:
        return ProgramResult(log, run_dir)
    return RunResult(log, run_dir)
