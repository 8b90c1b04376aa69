"""A measurement job from start to files: run, save, analyse, report, draw.

    specs --run_target--> Runs --save--> run.json
                            `--summarize--> RunStats --> terminal summary
                                                     |--> trace.json (Chrome trace format)
                                                     `--> timeline.png

    sweep specs --run_sweep--> run.json (saved after every run)
                                 `--sweep_scaling--> Scaling --> terminal table
                                 `--speedup_figure(log) --> speedup.png

Two more jobs take the first path: two variants of one workload side by side
(compare_and_report, compare.png), and the convoy (convoy_and_report,
convoy.png).

The log is written before anything is analysed or drawn, and also when a run
fails or is interrupted, so that no finished run is lost.
"""

from __future__ import annotations

import os

from .analysis import (compare_runs, compare_walls, convoy, median_run, summarize,
                       timeline_view, wall_ns)
from .log import CONVOY_IO_WORKER, new_log, new_run_dir, save
from .report.progress import SweepProgress
from .report import (DIMENSION_SLUGS, compare_lines, convoy_case_label, convoy_lines,
                     scaling_lines, summary_lines)
from .measure.runner import TargetError, run_target
from .analysis.scaling import sweep_scaling
from .measure.sweep import plan_sweep, run_sweep
from .render.trace import save_trace

LOG_NAME = "run.json"
TIMELINE_NAME = "timeline.png"
TRACE_NAME = "trace.json"
SPEEDUP_NAME = "speedup.png"
COMPARE_NAME = "compare.png"
CONVOY_NAME = "convoy.png"


class MeasurementFailed(RuntimeError):
    """A run failed; the message says which and where the finished ones went."""


def run_name(spec):
    kernel = "%s-%s" % (spec.kernel, spec.variant) if spec.variant else spec.kernel
    if spec.backend == "serial":
        return "%s-serial" % kernel
    return "%s-%s%d" % (kernel, spec.backend, spec.workers)


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


def draw(figure_name, path, *arguments):
    """Save render.<figure_name>(*arguments) as a PNG at `path`. matplotlib
    is imported only here, once measuring is over."""
    from . import render
    return render.save_png(getattr(render, figure_name)(*arguments), path)


def describe_run(spec):
    """How a run is announced: "countdown 4 threads, work 10,000,000"."""
    return "%s %s, work %s" % (spec.workload(),
                               "serial baseline" if spec.role == "baseline" else spec.describe(),
                               format(spec.work, ","))


def measure(specs, name, out_dir, err, describe=describe_run):
    """Run `specs` in turn, announcing each on `err`, and save the log in a new
    directory out_dir/<time>-<name>, also when a run fails or is interrupted.

    Returns (runs, run directory, log path); raises MeasurementFailed.
    """
    def announce(each, number, total):
        err.write("gilviz: run %d/%d: %s\n" % (number, total, describe(each)))
        err.flush()

    try:
        runs = run_all(specs, announce)
    except (TargetError, KeyboardInterrupt) as error:
        kept = ""
        if error.finished_runs:
            path = os.path.join(new_run_dir(out_dir, name), LOG_NAME)
            save(new_log(error.finished_runs), path)
            kept = "; the runs finished before it are in %s" % path
        if isinstance(error, KeyboardInterrupt):
            if kept:
                err.write("gilviz: %s\n" % kept[2:])
            raise
        raise MeasurementFailed("%s%s" % (error, kept)) from None

    run_dir = new_run_dir(out_dir, name)
    log_path = os.path.join(run_dir, LOG_NAME)
    save(new_log(runs), log_path)
    return runs, run_dir, log_path


def measure_and_report(spec, baseline, repeat, out_dir, out, err):
    """Measure `spec` `repeat` times (each after a serial baseline if asked),
    then write the log and the timeline of the median run into a new
    directory under `out_dir` and print a summary."""
    runs, run_dir, log_path = measure(plan(spec, baseline, repeat), run_name(spec), out_dir, err)

    measured = [run for run in runs if run.spec.role == "main"]
    baselines = [run for run in runs if run.spec.role == "baseline"]
    comparison = compare_walls([wall_ns(run) for run in measured],
                               [wall_ns(run) for run in baselines])
    shown = median_run(measured)
    stats = summarize(shown, baselines=baselines)
    for line in summary_lines(shown, stats, comparison, len(measured)):
        out.write(line + "\n")

    trace_path = save_trace(shown, stats, os.path.join(run_dir, TRACE_NAME))
    timeline_path = draw("timeline_figure", os.path.join(run_dir, TIMELINE_NAME),
                         shown, stats, timeline_view(shown, stats), comparison, len(measured))
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
        chart_path = save_png(speedup_figure(result.log, scaling),
                              os.path.join(run_dir, SPEEDUP_NAME))
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


def compare_and_report(spec_a, spec_b, dimension, repeat, out_dir, out, err):
    """Measure two specs that differ in one `dimension` (a RunSpec field),
    alternately (A B A B ...), `repeat` times each; print the verdict and
    draw both timelines on one time axis."""
    spec_a, spec_b = spec_a._replace(role="a"), spec_b._replace(role="b")
    runs, run_dir, log_path = measure(
        [spec_a, spec_b] * repeat, "compare-%s-%s" % (spec_a.kernel, DIMENSION_SLUGS[dimension]),
        out_dir, err, describe=lambda spec: "%s, side %s" % (describe_run(spec),
                                                             spec.role.upper()))

    compared = compare_runs(*([run for run in runs if run.spec.role == role]
                              for role in ("a", "b")))
    for line in compare_lines(compared, dimension, repeat):
        out.write(line + "\n")

    figure_path = draw("compare_figure", os.path.join(run_dir, COMPARE_NAME),
                       compared, dimension)
    out.write("log:      %s\nfigure:   %s\n" % (log_path, figure_path))
    return log_path, figure_path


def convoy_and_report(spec, out_dir, out, err):
    """Measure the convoy of `spec` (the I/O thread beside CPU-bound threads)
    and the I/O thread alone, first; print both latency sets and draw the
    figure. Every worker's share of the work is the most a CPU thread counts."""
    alone = spec._replace(workers=1, work=spec.work // spec.workers, role="alone")
    beside = spec._replace(role="beside-cpu")
    runs, run_dir, log_path = measure([alone, beside], "convoy", out_dir, err,
                                      describe=lambda each: "convoy, " + convoy_case_label(each))
    measured = convoy(*runs, CONVOY_IO_WORKER)
    for line in convoy_lines(measured):
        out.write(line + "\n")

    figure_path = draw("convoy_figure", os.path.join(run_dir, CONVOY_NAME), measured)
    out.write("log:      %s\nfigure:   %s\n" % (log_path, figure_path))
    return log_path, figure_path
