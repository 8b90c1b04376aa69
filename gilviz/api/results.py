"""Results: a measured (or loaded) log with what analysis makes of it, its
words, its chart and its files.

Every kind of job gives one, each kind its own summary (see Summary):

    RunResult       a workload: countdown, pi, io, or a function (call)    RunSummary
    ProgramResult   a script or a module run, a process attached to         RunSummary
    SpeedupResult   a speedup sweep                          analysis.scaling.Scaling
    CompareResult   a comparison of sides                    comparisons.CompareSummary
    ConvoyResult    the convoy                               analysis.convoy.Convoy
    SharingResult   every way of sharing counts              analysis.sharing.SharingComparison

(RunResult and SpeedupResult are here, the others in program, comparisons
and sharing; kinds tells which one a log makes). Each has

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
from collections.abc import Callable, Collection
from typing import (TYPE_CHECKING, ClassVar, Generic, NamedTuple, Optional, Protocol, TypedDict,
                    TypeVar)

from ..analysis.compare import Comparison, compare_walls
from ..analysis.runs import median_run, wall_ns
from ..analysis.scaling import Scaling, sweep_scaling
from ..analysis.selection import check_window, check_workers, only_workers, zoomed
from ..analysis.summary import RunStats, summarize
from ..analysis.views import TimelineView, timeline_view
from ..log import Role, Run, RunLog, RunSpec, Worker, new_run_dir, save
from ..measure.timings import timed
from ..report.words import selection_text
from ..report import (scaling_lines, summary_lines, sweep_run_labels)
from .options import OptionError
from .session import LOG_NAME

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from typing_extensions import Unpack


class Summary(Protocol):
    """What the summary of every kind of result is (see the table above): a
    typed record, a NamedTuple, of the figures analysis found, without
    words. Its fields are its kind's own, which report and render read kind
    by kind; a kind with nothing to summarise (no run that counts finished)
    has None instead."""

    @property
    def _fields(self) -> tuple[str, ...]: ...

    def _asdict(self) -> dict[str, object]: ...


SummaryT = TypeVar("SummaryT", bound=Optional[Summary], covariant=True)


class FigureOptions(TypedDict, total=False):
    """figure()'s keywords, which render() passes on."""

    theme: Optional[str]
    size: Optional[tuple[int, int]]
    dpi: Optional[float]
    window_ns: Optional[tuple[int, int]]
    workers: Optional[Collection[int]]


class Pace(TypedDict, total=False):
    """How an animation unfolds (render.animate's keywords)."""

    seconds: float
    fps: int
    progress: Optional[Callable[[int, int], None]]
    """Called with (frames drawn, frames) after each frame."""


class AnimationOptions(FigureOptions, Pace, total=False):
    """animate()'s keywords: figure()'s and the pace's."""


def trace_path(run_dir: str) -> str:
    return os.path.join(run_dir, "trace.json")


class Result(Generic[SummaryT]):
    """What every result has; subclasses say what they draw and write, and
    what their summary is."""

    chart_name: ClassVar[str]
    """The chart's file name in the run directory, e.g. "timeline.png"."""

    def __init__(self, log: RunLog, run_dir: str | None = None) -> None:
        self.log = log
        self.run_dir = run_dir
        """Where the result was saved or loaded from, or None."""
        self.files: dict[str, str] = {}
        """What save() wrote: {"log": path, "chart": path, ...}."""

    @property
    def name(self) -> str:
        """The run directory's name after its time stamp."""
        raise NotImplementedError

    @property
    def summary(self) -> SummaryT:
        """The figures analysis found, computed on first use: its kind's Summary."""
        raise NotImplementedError

    @property
    def failed_workers(self) -> tuple[tuple[Run, Worker], ...]:
        """(run, worker) of every worker that failed, in every run."""
        return tuple((run, worker) for run in self.log.runs for worker in run.workers
                     if worker.error)

    def report(self) -> str:
        """The terminal summary, as text."""
        return "\n".join(self.lines())

    def lines(self) -> list[str]:
        raise NotImplementedError

    def has_figure(self) -> bool:
        return True

    def figure(self, theme: str | None = None, size: tuple[int, int] | None = None,
               dpi: float | None = None, window_ns: tuple[int, int] | None = None,
               workers: Collection[int] | None = None) -> Figure:
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

    def draw(self, window_ns: tuple[int, int] | None = None,
             workers: Collection[int] | None = None) -> Figure:
        """The chart in the light theme at render.palette's size."""
        raise NotImplementedError

    def animate(self, path: str, **options: Unpack[AnimationOptions]) -> str:
        """Write the chart's battle unfolding in time to `path` (.gif, or
        .mp4 where ffmpeg is installed): only a run's timeline has one."""
        raise OptionError("only a run's timeline is animated (countdown, pi, io): this is a "
                          "%s" % os.path.splitext(self.chart_name)[0])

    def render(self, path: str, file_format: str | None = None,
               **options: Unpack[FigureOptions]) -> str:
        """Write the chart alone to `path` as `file_format` ("png", "svg",
        "pdf"; None: told by the extension); `options` as figure()'s."""
        from ..render.formats import format_of, save_figure
        return save_figure(self.figure(**options), path, format_of(path, file_format))

    def save(self, directory: str | None = "output", file_format: str = "png",
             theme: str | None = None) -> str:
        """Write run.json, the chart (as `file_format`, in `theme`) and any
        export into this result's run directory (a new one under `directory`
        if it has none: None only for a result that has one); return it."""
        if self.run_dir is None:
            if directory is None:
                raise ValueError("this result has no run directory: give one to save into")
            self.run_dir = new_run_dir(directory, self.name)
        run_dir = self.run_dir
        self.files["log"] = os.path.join(run_dir, LOG_NAME)
        with timed("saving the log"):
            save(self.log, self.files["log"])
        self._save_exports(run_dir)
        if self.has_figure():
            self.files["chart"] = self.render(
                os.path.join(run_dir, self.chart_file(file_format)), file_format,
                theme=theme)
        return run_dir

    def chart_file(self, file_format: str = "png") -> str:
        """"timeline.png", "compare.svg": the chart's file name as `file_format`."""
        return "%s.%s" % (os.path.splitext(self.chart_name)[0], file_format)

    def _save_exports(self, run_dir: str) -> None:
        """Files beside the log and the chart in `run_dir`; none by default."""

    def _repr_png_(self) -> bytes | None:
        if not self.has_figure():
            return None
        from ..render.formats import write_figure
        buffer = io.BytesIO()
        write_figure(self.figure(), buffer, "png")
        return buffer.getvalue()

    def __repr__(self) -> str:
        return "<%s %s: %d runs%s>" % (type(self).__name__, self.name, len(self.log.runs),
                                       ", incomplete" if self.log.incomplete else "")


def run_name(spec: RunSpec) -> str:
    """"countdown-threads4", "pi-seed-serial": a workload's run directory name."""
    kernel = "%s-%s" % (spec.kernel, spec.variant) if spec.variant else spec.kernel
    if spec.backend == "serial":
        return "%s-serial" % kernel
    return "%s-%s%d" % (kernel, spec.backend, spec.workers)


class RunSummary(NamedTuple):
    """The figures of a workload's runs."""

    shown: Run
    """The measured run of median wall time: the one detailed and drawn."""
    stats: RunStats
    """analysis.RunStats of the shown run."""
    view: TimelineView
    """analysis.TimelineView of the shown run: what its chart draws."""
    comparison: Optional[Comparison]
    """analysis.Comparison of the measured runs against their serial
    baselines, or None without baselines."""
    repeats: int
    """Measured runs (role "main")."""


class RunResult(Result[Optional[RunSummary]]):
    """A workload measured `repeat` times, each after its serial baseline."""

    chart_name = "timeline.png"

    @property
    def name(self) -> str:
        return run_name((self.log.find(Role.MAIN) or self.log.runs[0]).spec)

    @functools.cached_property
    def summary(self) -> RunSummary | None:
        """A RunSummary, or None when no measured run finished (only baselines)."""
        measured = [run for run in self.log.runs if run.spec.role == Role.MAIN]
        if not measured:
            return None
        baselines = [run for run in self.log.runs if run.spec.role == Role.BASELINE]
        comparison = compare_walls([wall_ns(run) for run in measured],
                                   [wall_ns(run) for run in baselines])
        shown = median_run(measured)
        stats = summarize(shown, baselines=baselines)
        return RunSummary(shown, stats, timeline_view(shown, stats), comparison, len(measured))

    def lines(self) -> list[str]:
        if self.summary is None:
            return ["no measured run finished: %d baseline run%s only"
                    % (len(self.log.runs), "" if len(self.log.runs) == 1 else "s")]
        s = self.summary
        return summary_lines(s.shown, s.stats, s.comparison, s.repeats)

    def has_figure(self) -> bool:
        return self.summary is not None

    def _drawn(self) -> RunSummary:
        """The summary, for what draws it: only a result that has_figure() does."""
        s = self.summary
        assert s is not None, "no measured run finished: nothing to draw"
        return s

    def draw(self, window_ns: tuple[int, int] | None = None,
             workers: Collection[int] | None = None) -> Figure:
        from ..render.timeline import timeline_figure
        s = self._drawn()
        run, stats, view = selected(s.shown, s.stats, s.view, window_ns, workers)
        return timeline_figure(run, stats, view, s.comparison, s.repeats, self.log.incomplete)

    def animate(self, path: str, theme: str | None = None, size: tuple[int, int] | None = None,
                dpi: float | None = None, window_ns: tuple[int, int] | None = None,
                workers: Collection[int] | None = None, **pace: Unpack[Pace]) -> str:
        """The battle unfolding in time, written to `path` (.gif, or .mp4
        where ffmpeg is installed); `window_ns` animates that stretch only,
        `workers` their bands; `pace`: seconds=, fps=, and progress=, called
        with (frames drawn, frames) after each frame. Returns the path."""
        from ..analysis.selection import SelectionError
        from ..render.animate import animate
        s = self._drawn()
        try:
            run, stats, view = selected(s.shown, s.stats, s.view, None, workers)
            if window_ns is not None:
                selected(run, stats, view, window_ns)  # refuses a window outside the run
        except SelectionError as error:
            raise OptionError(selection_text(error)) from None
        return animate(run, stats, view, s.comparison, path, window_ns, theme, size, dpi,
                       partial=self.log.incomplete, **pace)

    def _save_exports(self, run_dir: str) -> None:
        if self.summary is not None:
            from ..render.trace import save_trace
            self.files["trace"] = save_trace(self.summary.shown, self.summary.stats,
                                             trace_path(run_dir), self.log.incomplete)


class SpeedupResult(Result[Scaling]):
    """A speedup sweep: every backend at every worker count, in rounds."""

    chart_name = "speedup.png"

    @property
    def name(self) -> str:
        return "speedup-%s" % self.log.runs[0].spec.kernel if self.log.runs else "speedup"

    @functools.cached_property
    def summary(self) -> Scaling:
        """analysis.scaling.Scaling: speedups, spreads and Amdahl fits."""
        return sweep_scaling(self.log)

    def lines(self) -> list[str]:
        if not self.summary.runs_done:
            return ["only warm-ups finished: no speedup to give"]
        return scaling_lines(self.summary)

    def has_figure(self) -> bool:
        return bool(self.summary.runs_done)

    has_timeline = False

    def draw(self, window_ns: tuple[int, int] | None = None,
             workers: Collection[int] | None = None) -> Figure:
        from ..render.speedup import speedup_figure
        return speedup_figure(self.log, self.summary)

    def _save_exports(self, run_dir: str) -> None:
        """trace.json: every counted run of the sweep, a process each."""
        runs = [run for run in self.log.runs if run.spec.role in (Role.MAIN, Role.BASELINE)]
        if runs:
            from ..render.trace import save_runs_trace
            labelled = [(label, run, summarize(run))
                        for label, run in zip(sweep_run_labels(runs), runs)]
            self.files["trace"] = save_runs_trace(labelled, trace_path(run_dir),
                                                  {"kernel": runs[0].spec.kernel},
                                                  self.log.incomplete)


def selected(run: Run, stats: RunStats, view: TimelineView,
             window_ns: tuple[int, int] | None = None, workers: Collection[int] | None = None,
             wall_ns: int | None = None) -> tuple[Run, RunStats, TimelineView]:
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

