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

from ..analysis import compare_walls, median_run, summarize, wall_ns
from ..analysis.program import PROGRAM_KINDS
from ..analysis.scaling import sweep_scaling
from ..analysis.selection import check_window, check_workers, only_workers, zoomed
from ..log import Role, new_run_dir, save
from ..measure.timings import timed
from ..report.words import selection_text
from ..report import (scaling_lines, summary_lines, sweep_run_labels)
from .options import OptionError
from .session import LOG_NAME


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
            raise OptionError(selection_text(error)) from None

    has_timeline = True
    """Whether the chart draws workers over time (window_ns=, workers= apply)."""

    def draw(self, window_ns=None, workers=None):
        """The chart in the light theme at render.palette's size."""
        raise NotImplementedError

    def animate(self, path, **options):
        """Write the chart's battle unfolding in time to `path` (.gif, or
        .mp4 where ffmpeg is installed): only a run's timeline has one."""
        raise OptionError("only a run's timeline is animated (countdown, pi, io): this is a "
                          "%s" % os.path.splitext(self.chart_name)[0])

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
        return run_name((self.log.find(Role.MAIN) or self.log.runs[0]).spec)

    @functools.cached_property
    def summary(self):
        """A RunSummary, or None when no measured run finished (only baselines)."""
        measured = [run for run in self.log.runs if run.spec.role == Role.MAIN]
        if not measured:
            return None
        baselines = [run for run in self.log.runs if run.spec.role == Role.BASELINE]
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
        return timeline_figure(run, stats, view, s.comparison, s.repeats, self.log.incomplete)

    def animate(self, path, theme=None, size=None, dpi=None, window_ns=None, workers=None,
                **pace):
        """The battle unfolding in time, written to `path` (.gif, or .mp4
        where ffmpeg is installed); `window_ns` animates that stretch only,
        `workers` their bands; `pace`: seconds=, fps=, and progress=, called
        with (frames drawn, frames) after each frame. Returns the path."""
        from ..analysis.selection import SelectionError
        from ..render.animate import animate
        s = self.summary
        try:
            run, stats, view = selected(s.shown, s.stats, s.view, None, workers)
            if window_ns is not None:
                selected(run, stats, view, window_ns)  # refuses a window outside the run
        except SelectionError as error:
            raise OptionError(selection_text(error)) from None
        return animate(run, stats, view, s.comparison, path, window_ns, theme, size, dpi,
                       partial=self.log.incomplete, **pace)

    def _save_exports(self):
        if self.summary is not None:
            from ..render.trace import save_trace
            self.files["trace"] = save_trace(self.summary.shown, self.summary.stats,
                                             os.path.join(self.run_dir, "trace.json"),
                                             self.log.incomplete)


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
        runs = [run for run in self.log.runs if run.spec.role in (Role.MAIN, Role.BASELINE)]
        if runs:
            from ..render.trace import save_runs_trace
            labelled = [(label, run, summarize(run))
                        for label, run in zip(sweep_run_labels(runs), runs)]
            self.files["trace"] = save_runs_trace(labelled, self._trace_path(),
                                                  {"kernel": runs[0].spec.kernel},
                                                  self.log.incomplete)


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


def result_of(log, run_dir=None):
    """The kind of Result a log holds, told from its runs."""
    roles = {run.spec.role for run in log.runs}
    from .comparisons import CompareResult, ConvoyResult
    from .program import ProgramResult
    from .sharing import SharingResult
    if Role.SHARING in roles:
        return SharingResult(log, run_dir)
    if log.sweep is not None:
        return SpeedupResult(log, run_dir)
    if roles & set(Role.SIDES):
        return CompareResult(log, run_dir)
    if roles & {Role.ALONE, Role.BESIDE_CPU}:
        return ConvoyResult(log, run_dir)
    if log.runs and log.runs[0].spec.kernel in PROGRAM_KINDS:
        return ProgramResult(log, run_dir)
    return RunResult(log, run_dir)
