"""The terminal summary of a run: a table a worker, then the run's figures."""

from __future__ import annotations

from .analysis import SLEEPING, WAIT_IO, wait_spans, wait_stats, waiting_share

WAIT_WORDS = {WAIT_IO: "requests (round trips)", SLEEPING: "sleeps"}

def _ms(ns):
    return "" if ns is None else "%.1f" % (ns / 1e6)


def _percent(share):
    return "" if share is None else "%.0f%%" % (100 * share)


def _count(value):
    return "" if value is None else "%d" % value


COLUMNS = (
    ("worker", "<"), ("wall ms", ">"), ("cpu ms", ">"), ("held GIL", ">"), ("wait GIL", ">"),
    ("wait CPU", ">"), ("unclear", ">"), ("held %", ">"), ("failed acq.", ">"),
    ("waiting %", ">"),
)


def worker_table(run, stats):
    """A row a worker; columns the run has no data for (no probe, say) are left out."""
    noun = run.spec.worker_noun
    waits = wait_spans(run.marks)
    rows = [[name for name, _ in COLUMNS]]
    for worker in stats.workers:
        rows.append([
            "%s %d" % (noun, worker.index), _ms(worker.wall_ns), _ms(worker.cpu_ns),
            _ms(worker.held_ns), _ms(worker.wait_gil_ns), _ms(worker.wait_cpu_ns),
            _ms(worker.unclear_ns), _percent(worker.hold_share),
            _count(worker.failed_acquisitions),
            _percent(waiting_share(waits, worker.index, stats.wall_ns)),
        ])
    shown = [i for i in range(len(COLUMNS)) if i == 0 or any(row[i] for row in rows[1:])]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    return ["  ".join(("{:%s%d}" % (COLUMNS[i][1], widths[i])).format(row[i])
                      for i in shown).rstrip()
            for row in rows]


def comparison_line(run, comparison):
    """"4 threads took 1.04x the serial time (...)" or None."""
    if comparison is None:
        return None
    spread = ""
    if comparison.pairs > 1:
        spread = ", %.2f-%.2fx over %d pairs" % (comparison.low, comparison.high, comparison.pairs)
    return "%s took %.2fx the serial time (median %.3f s vs %.3f s%s)" % (
        run.spec.describe(), comparison.ratio, comparison.run_wall_ns / 1e9,
        comparison.baseline_wall_ns / 1e9, spread)


def wait_lines(run):
    """What the kernel's recorded waits took, and what they were."""
    lines = []
    for each in wait_stats(wait_spans(run.marks)):
        lines.append("%s: %d, median %.2f ms, p99 %.2f ms, max %.2f ms" % (
            WAIT_WORDS[each.state], each.count, each.median_ns / 1e6, each.p99_ns / 1e6,
            each.max_ns / 1e6))
    results = [w.result for w in run.workers if w.result]
    if results and "via" in results[0]:
        wait_ms = 1e3 * results[0]["wait_s"]
        if results[0]["via"] == "echo":
            lines.append("each task: one round trip to an echo server on 127.0.0.1 that "
                         "answers after %.1f ms" % wait_ms)
        else:
            lines.append("each task: time.sleep(%.1f ms), standing in for I/O" % wait_ms)
    return lines


def summary_lines(run, stats, comparison=None, repeats=1):
    """The terminal summary of `run`, the median of `repeats` runs."""
    interpreter = run.interpreter
    lines = ["%s · %s · %s %s · %d cores · work %s" % (
        run.spec.kernel, run.spec.describe(), interpreter.implementation, interpreter.version,
        len(interpreter.affinity or []) or interpreter.cpu_count, format(run.spec.work, ","))]
    if repeats > 1:
        lines.append("the median of %d runs, in detail:" % repeats)
    lines.append("")
    lines += worker_table(run, stats)
    lines.append("")
    figures = ["wall %.3f s" % (stats.wall_ns / 1e9), "cpu %.3f s" % (stats.cpu_ns / 1e9)]
    if stats.handoffs is not None:
        figures.append("%d GIL hand-offs" % stats.handoffs)
    if stats.median_turn_ns is not None:
        figures.append("median turn %.2f ms" % (stats.median_turn_ns / 1e6))
    if stats.overlap_ns is not None:
        figures.append("2+ running at once %.1f ms" % (stats.overlap_ns / 1e6))
    lines.append(" · ".join(figures))
    if comparison is not None:
        lines.append(comparison_line(run, comparison))
    lines += wait_lines(run)
    quality = []
    if stats.resolution_ns is not None:
        quality.append("probe read the clock every %.0f µs" % (stats.resolution_ns / 1e3))
    if run.sampler is not None:
        quality.append("sampler %.0f Hz of %.0f asked, longest pause %.1f ms, used %.0f ms CPU" % (
            run.sampler.achieved_hz, run.sampler.requested_hz,
            run.sampler.max_interval_ns / 1e6, run.sampler.cpu_ns / 1e6))
    if quality:
        lines.append("measurement: " + "; ".join(quality))
    if stats.probe_agreement is not None:
        lines.append("cross-check: %.1f%% of samples taken inside a probe hold found the thread "
                     "on a CPU" % (100 * stats.probe_agreement))
    for warning in stats.warnings:
        lines.append("warning: " + warning)
    for note in stats.notes:
        lines.append("note: " + note)
    return lines


def _spread(spread, fmt):
    if spread is None:
        return "", ""
    span = (fmt + "–" + fmt) % (spread.low, spread.high) if spread.count > 1 else ""
    return fmt % spread.median, span


def scaling_lines(scaling):
    """The terminal summary of a speedup sweep (scaling.sweep_scaling)."""
    lines = ["%s · %d cores · work %s · %d complete rounds" % (
        scaling.kernel, scaling.cores, format(scaling.work, ","), scaling.rounds)]
    if scaling.baseline_wall_s is not None:
        median, span = _spread(scaling.baseline_wall_s, "%.3f")
        lines.append("serial baseline: %s s%s" % (median, " (%s)" % span if span else ""))
    lines.append("")
    rows = [["backend", "workers", "speedup", "min–max", "efficiency", "wall s", "min–max"]]
    for backend in scaling.backends:
        for point in backend.points:
            speedup = _spread(point.speedup, "%.2f")
            efficiency = _percent(point.efficiency.median) if point.efficiency else ""
            wall = _spread(point.wall_s, "%.3f")
            rows.append([backend.backend, "%d" % point.workers, speedup[0], speedup[1],
                         efficiency, wall[0], wall[1]])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        lines.append("  ".join(cell.ljust(width) if i == 0 else cell.rjust(width)
                               for i, (cell, width) in enumerate(zip(row, widths))).rstrip())
    lines.append("")
    for backend in scaling.backends:
        if backend.fit is None:
            lines.append("Amdahl fit, %s: none (no point with 2+ workers running at once)"
                         % backend.backend)
        else:
            lines.append("Amdahl fit, %s: %s; rms error %.2f× over %d worker counts" % (
                backend.backend, backend.fit.describe(), backend.fit.rms_error,
                backend.fit.points))
    if scaling.cpu_share is not None:
        lines.append("the serial run kept %.1f%% of a core busy: %s, at most %.1f workers can "
                     "run at once on %d cores" % (
                         100 * scaling.cpu_share,
                         "CPU-bound" if scaling.cpu_bound else "it mostly waits",
                         scaling.capacity, scaling.cores))
    return lines
