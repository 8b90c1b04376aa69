"""A measurement job from start to files: run, save, analyse, report, draw.

    specs --run_target--> Runs --save--> run.json
                            `--summarize--> RunStats --> terminal summary
                                                     |--> trace.json (Chrome trace format)
                                                     `--> timeline.png

    sweep specs --run_sweep--> run.json (saved after every run)
                                 `--sweep_scaling--> Scaling --> terminal table
                                 `--speedup_figure(log) --> speedup.png

The log is written before anything is analysed or drawn, and also when a run
fails or is interrupted, so that no finished run is lost.
"""

from __future__ import annotations

import os

from .analysis import compare_walls, median_run, summarize, wall_ns
from .log import new_log, new_run_dir, save
from .progress import SweepProgress
from .report import scaling_lines, summary_lines
from .runner import TargetError, run_target
from .scaling import sweep_scaling
from .sweep import plan_sweep, run_sweep
from .trace import save_trace

LOG_NAME = "run.json"
TIMELINE_NAME = "timeline.png"
TRACE_NAME = "trace.json"
SPEEDUP_NAME = "speedup.png"


class MeasurementFailed(RuntimeError):
    """A run failed; the message says which and where the finished ones went."""


def run_name(spec):
    if spec.backend == "serial":
        return "%s-serial" % spec.kernel
    return "%s-%s%d" % (spec.kernel, spec.backend, spec.workers)


def plan(spec, baseline, repeat):
    """The specs to run: a serial baseline and `spec` alternately, `repeat`
    times (B R B R ...), so that drift of the machine hits both alike."""
    if not baseline or spec.backend == "serial":
        return [spec] * repeat
    return [spec._replace(backend="serial", workers=1, role="baseline"), spec] * repeat


def run_all(specs, on_start):
    """Run each spec in turn; on failure, raise with the runs done so far."""
    runs = []
    for spec in specs:
        on_start(spec, len(runs) + 1, len(specs))
        try:
            runs.append(run_target(spec))
        except (TargetError, KeyboardInterrupt) as error:
            error.finished_runs = runs
            raise
    return runs


def measure_and_report(spec, baseline, repeat, out_dir, out, err):
    """Measure `spec` `repeat` times (each after a serial baseline if asked),
    then write the log and the timeline of the median run into a new
    directory under `out_dir` and print a summary."""
    specs = plan(spec, baseline, repeat)

    def announce(each, number, total):
        role = "serial baseline" if each.role == "baseline" else each.describe()
        err.write("gilviz: run %d/%d: %s %s, work %s\n"
                  % (number, total, each.kernel, role, format(each.work, ",")))
        err.flush()

    try:
        runs = run_all(specs, announce)
    except (TargetError, KeyboardInterrupt) as error:
        kept = ""
        if error.finished_runs:
            path = os.path.join(new_run_dir(out_dir, run_name(spec)), LOG_NAME)
            save(new_log(error.finished_runs), path)
            kept = "; the runs finished before it are in %s" % path
        if isinstance(error, KeyboardInterrupt):
            if kept:
                err.write("gilviz: %s\n" % kept[2:])
            raise
        raise MeasurementFailed("%s%s" % (error, kept)) from None

    run_dir = new_run_dir(out_dir, run_name(spec))
    log = new_log(runs)
    log_path = os.path.join(run_dir, LOG_NAME)
    save(log, log_path)

    measured = [run for run in runs if run.spec.role == "main"]
    baselines = [run for run in runs if run.spec.role == "baseline"]
    comparison = compare_walls([wall_ns(run) for run in measured],
                               [wall_ns(run) for run in baselines])
    shown = median_run(measured)
    stats = summarize(shown)
    for line in summary_lines(shown, stats, comparison, len(measured)):
        out.write(line + "\n")

    trace_path = save_trace(shown, stats, os.path.join(run_dir, TRACE_NAME))
    from .render import save_png, timeline_figure  # matplotlib: only once measuring is over
    timeline_path = save_png(timeline_figure(shown, stats, comparison, len(measured)),
                             os.path.join(run_dir, TIMELINE_NAME))
    out.write("log:      %s\ntimeline: %s\ntrace:    %s (open in ui.perfetto.dev)\n"
              % (log_path, timeline_path, trace_path))
    return log_path, timeline_path


def sweep_and_report(spec, plan, out_dir, out, err, quiet=False):
    """Run the sweep `plan` (a log.SweepPlan) of `spec`'s kernel and work,
    then print its table and draw its chart into a new directory under
    `out_dir`. After Ctrl-C or a failed run, the runs finished so far are
    kept, tabled and drawn before the interruption or the failure is raised."""
    specs = plan_sweep(spec, plan)
    run_dir = new_run_dir(out_dir, "speedup-%s" % spec.kernel)
    log_path = os.path.join(run_dir, LOG_NAME)
    progress = SweepProgress(specs, plan, None if quiet else err)
    result = run_sweep(specs, plan, log_path, progress)
    if result.log is None:
        os.rmdir(run_dir)
        if result.interrupted:
            raise KeyboardInterrupt
        raise MeasurementFailed("%s; no run had finished" % result.error)

    scaling = sweep_scaling(result.log)
    chart_path = None
    if scaling.runs_done:
        for line in scaling_lines(scaling):
            out.write(line + "\n")
        from .render import save_png, speedup_figure  # matplotlib: only once measuring is over
        chart_path = save_png(speedup_figure(result.log), os.path.join(run_dir, SPEEDUP_NAME))
    out.write("log:   %s\n" % log_path)
    if chart_path:
        out.write("chart: %s\n" % chart_path)
    kept = "%d finished run%s kept in %s%s" % (
        len(result.log.runs), "" if len(result.log.runs) == 1 else "s", log_path,
        " and the chart" if chart_path else " (only warm-ups: no chart)")
    if result.interrupted:
        err.write("gilviz: %s\n" % kept)
        raise KeyboardInterrupt
    if result.error:
        raise MeasurementFailed("%s; %s" % (result.error, kept))
    return log_path, chart_path
