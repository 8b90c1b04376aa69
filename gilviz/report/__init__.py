"""The words and numbers a run is reported in: the terminal summary (a table a
worker, then the run's figures), and the phrases the figures share with it."""

from __future__ import annotations

from ..analysis import (NATIVE, OFF_CPU, ON_CPU, RUNNING, SLEEPING, WAIT_CPU, WAIT_GIL, WAIT_IO,
                       WAIT_LOCK, faster_side, pi_estimate, wait_spans, wait_stats,
                       waiting_share)


def format_cores(cores):
    """[0, 1, 2, 5] -> "0-2,5"."""
    cores = sorted(cores)
    ranges = []
    for core in cores:
        if ranges and core == ranges[-1][1] + 1:
            ranges[-1][1] = core
        else:
            ranges.append([core, core])
    return ",".join(str(a) if a == b else "%d-%d" % (a, b) for a, b in ranges)


def format_duration(ns):
    """A duration with the unit that keeps it short: 41 µs, 5.02 ms, 15.9 ms, 1.25 s."""
    if ns < 1e6:
        return "%.0f µs" % (ns / 1e3)
    if ns < 1e7:
        return "%.2f ms" % (ns / 1e6)
    if ns < 1e9:
        return "%.1f ms" % (ns / 1e6)
    return "%.2f s" % (ns / 1e9)


def format_interval(seconds):
    """A switch interval as written on the command line: 5 ms, 0.5 ms, 100 µs, 1 s."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale or unit == "µs":
            return "%g %s" % (round(seconds / scale, 6), unit)


def plural(count, noun):
    return "%d %s%s" % (count, noun, "" if count == 1 else "s")


def cores_phrase(run):
    """"pinned to core 0", "pinned to cores 0-1", or "2 cores" (unpinned)."""
    interpreter = run.interpreter
    if run.spec.cores is not None and interpreter.affinity:
        return "pinned to core%s %s" % ("" if len(interpreter.affinity) == 1 else "s",
                                        format_cores(interpreter.affinity))
    return plural(len(interpreter.affinity or []) or interpreter.cpu_count, "core")

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


SAMPLED_COLUMNS = (
    (RUNNING, "Python"), (NATIVE, "native"), (ON_CPU, "on CPU"), (WAIT_GIL, "wait GIL"),
    (WAIT_LOCK, "lock"), (WAIT_CPU, "wait CPU"), (WAIT_IO, "I/O"), (SLEEPING, "sleep"),
    (OFF_CPU, "off CPU"),
)
"""Band states of a run without the probe: ms the sampler saw each worker in."""


def format_table(rows, aligns):
    """Rows of cells as lines of aligned columns; `aligns` has "<" or ">" a column."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(aligns))]
    return ["  ".join(("{:%s%d}" % (align, width)).format(cell)
                      for cell, align, width in zip(row, aligns, widths)).rstrip()
            for row in rows]


def worker_table(run, stats):
    """A row a worker; columns the run has no data for (no probe, say) are left out."""
    if any(worker.sampled_ns is not None for worker in stats.workers):
        return sampled_worker_table(run, stats)
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
    return format_table([[row[i] for i in shown] for row in rows],
                        [COLUMNS[i][1] for i in shown])


def sampled_worker_table(run, stats):
    """Wall and CPU time, the ms spent in each state seen (sampled) and, where
    the kernel recorded waits, the share of the run it was waiting."""
    seen = [(state, name) for state, name in SAMPLED_COLUMNS
            if any(state in (w.sampled_ns or {}) for w in stats.workers)]
    waits = wait_spans(run.marks)
    columns = (("worker", "<"), ("wall ms", ">"), ("cpu ms", ">")) + tuple(
        (name, ">") for _, name in seen) + ((("waiting %", ">"),) if len(waits.worker) else ())
    rows = [[name for name, _ in columns]]
    for worker in stats.workers:
        sampled = worker.sampled_ns or {}
        row = ["%s %d" % (run.spec.worker_noun, worker.index), _ms(worker.wall_ns),
               _ms(worker.cpu_ns)] + [_ms(sampled.get(state, 0)) for state, _ in seen]
        if len(waits.worker):
            row.append(_percent(waiting_share(waits, worker.index, stats.wall_ns)))
        rows.append(row)
    return format_table(rows, [align for _, align in columns])


def pi_lines(run, estimate):
    """The estimate, its error and the throughput of a pi run."""
    seed = (run.spec.params or {}).get("seed")
    return [
        "pi ≈ %.6f ± %.6f (standard error); off by %+.6f, %.1f standard errors" % (
            estimate.value, estimate.standard_error, estimate.error,
            abs(estimate.error) / estimate.standard_error if estimate.standard_error else 0.0),
        "%s samples, %.3g samples/s; peak memory of a worker process %.0f MB%s" % (
            format(estimate.samples, ","), estimate.samples_per_s, estimate.max_rss_bytes / 1e6,
            "" if seed is None else "; seed %d" % seed),
    ]


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


def sampler_place(run):
    """Where the sampler ran, if the target was pinned: ", on core 1, outside
    the target's cores" or ", on cores 0-1, shared with the target"."""
    cores = run.sampler.cores
    if run.spec.cores is None or not cores:
        return ""
    shared = set(cores) & set(run.interpreter.affinity or ())
    return ", on core%s %s, %s" % ("" if len(cores) == 1 else "s", format_cores(cores),
                                   "shared with the target" if shared
                                   else "outside the target's cores")


def summary_lines(run, stats, comparison=None, repeats=1, header=True):
    """The terminal summary of `run`, the median of `repeats` runs; without
    its first lines (what ran, where) if not `header`."""
    interpreter = run.interpreter
    facts = [run.spec.workload(), run.spec.describe(),
             "%s %s" % (interpreter.implementation, interpreter.version), cores_phrase(run)]
    if run.spec.switch_interval_s is not None:
        facts.append("switch interval %s" % format_interval(interpreter.switch_interval_s))
    facts.append("work %s" % format(run.spec.work, ","))
    lines = []
    if header:
        lines.append(" · ".join(facts))
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
        share = " (%.0f%%)" % (100 * stats.overlap_ns / stats.wall_ns) if stats.wall_ns else ""
        figures.append("2+ running at once %.1f ms%s" % (stats.overlap_ns / 1e6, share))
    if stats.parallelism is not None:
        figures.append("parallelism %.2f (workers on a CPU at once, mean, sampled)"
                       % stats.parallelism)
    lines.append(" · ".join(figures))
    estimate = pi_estimate(run)
    if estimate is not None:
        lines += pi_lines(run, estimate)
    if comparison is not None:
        lines.append(comparison_line(run, comparison))
    lines += wait_lines(run)
    quality = []
    if stats.resolution_ns is not None:
        quality.append("probe read the clock every %.0f µs" % (stats.resolution_ns / 1e3))
    if run.sampler is not None:
        quality.append(
            "sampler %.0f Hz of %.0f asked, longest pause %.1f ms, used %.0f ms CPU%s" % (
                run.sampler.achieved_hz, run.sampler.requested_hz,
                run.sampler.max_interval_ns / 1e6, run.sampler.cpu_ns / 1e6, sampler_place(run)))
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
    lines += format_table(rows, "<" + ">" * (len(rows[0]) - 1))
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


# Comparisons: the RunSpec field that differs between the two sides, named
# for titles and for directory names.
DIMENSION_NAMES = {"cores": "cores", "switch_interval_s": "switch interval",
                   "python": "interpreter"}
DIMENSION_SLUGS = {"cores": "cores", "switch_interval_s": "switch-interval", "python": "python"}


def cores_label(run):
    """"1 core (0)", "2 cores (0-1)", or "unpinned (2 cores)"."""
    cores = run.interpreter.affinity
    if run.spec.cores is None or not cores:
        return "unpinned (%s)" % plural(len(cores or []) or run.interpreter.cpu_count, "core")
    return "%s (%s)" % (plural(len(cores), "core"), format_cores(cores))


def interpreter_label(run):
    return "%s %s" % (run.interpreter.implementation, run.interpreter.version)


def side_labels(run_a, run_b, dimension, short=False):
    """What tells side A from side B, in words, from what the targets
    reported; `short` leaves out what a title names already ("switch interval")."""
    if dimension == "cores":
        return cores_label(run_a), cores_label(run_b)
    if dimension == "switch_interval_s":
        suffix = "" if short else " switch interval"
        return tuple(format_interval(run.interpreter.switch_interval_s) + suffix
                     for run in (run_a, run_b))
    labels = interpreter_label(run_a), interpreter_label(run_b)
    if labels[0] == labels[1]:  # the same version twice: tell them by path
        return run_a.interpreter.executable, run_b.interpreter.executable
    return labels


def comparison_title(run_a, run_b, dimension):
    """"countdown · 4 threads · cores: 1 core (0) vs 2 cores (0-1)"."""
    return "%s · %s · %s: %s vs %s" % ((run_a.spec.kernel, run_a.spec.describe(),
                                        DIMENSION_NAMES[dimension])
                                       + side_labels(run_a, run_b, dimension, short=True))


def fixed_facts(run, dimension):
    """Where both sides of a comparison ran alike: the interpreter, cores and
    switch interval, leaving out the varied dimension."""
    facts = []
    if dimension != "python":
        facts.append(interpreter_label(run))
    if dimension != "cores":
        facts.append(cores_phrase(run))
    if dimension != "switch_interval_s" and run.spec.switch_interval_s is not None:
        facts.append("%s switch interval" % format_interval(run.interpreter.switch_interval_s))
    return facts


def _times(ratio):
    """"1.16×", "0.03×", or "118×" where the decimals would be noise."""
    return "%.0f×" % ratio if ratio >= 10 else "%.2f×" % ratio


def _pairs(count):
    return "both pairs" if count == 2 else "all %d pairs" % count


def verdict(label_a, label_b, sides):
    """(headline, detail): which side was faster, by how much, and how the
    hand-offs compare; then the medians and the spread behind it. The
    headline speaks of B where B was faster, of A otherwise."""
    walls = sides.walls
    medians = "wall %.3f s vs %.3f s" % (walls.run_wall_ns / 1e9, walls.baseline_wall_ns / 1e9)
    if sides.handoff_ratio is not None:
        medians += ", %s vs %s hand-offs" % (format(round(sides.handoffs_a), ","),
                                             format(round(sides.handoffs_b), ","))
    if walls.pairs > 1:
        medians = "median of %d runs each: %s" % (walls.pairs, medians)
    faster = faster_side(walls)
    handoff_ratio = sides.handoff_ratio
    if walls.pairs == 1:
        headline = "%s took %s the time of %s" % (label_a, _times(walls.ratio), label_b)
        detail = "%s; one pair, so the noise is unknown" % medians
    elif faster == "a":
        headline = "%s was %s faster than %s" % (label_a, _times(1 / walls.ratio), label_b)
        detail = "%s; %s agree: %s–%s" % (
            medians, _pairs(walls.pairs), _times(1 / walls.high), _times(1 / walls.low))
    elif faster == "b":
        headline = "%s was %s faster than %s" % (label_b, _times(walls.ratio), label_a)
        detail = "%s; %s agree: %s–%s" % (
            medians, _pairs(walls.pairs), _times(walls.low), _times(walls.high))
        handoff_ratio = 1 / handoff_ratio if handoff_ratio else None
    else:
        headline = "no clear winner: %s took %s the time of %s" % (
            label_a, _times(walls.ratio), label_b)
        detail = "%s; the %d pairs range %s–%s" % (
            medians, walls.pairs, _times(walls.low), _times(walls.high))
    if handoff_ratio is not None:
        headline += ", with %s the GIL hand-offs" % _times(handoff_ratio)
    return headline, detail


def compare_lines(a, b, dimension, sides, repeats):
    """The terminal summary of a comparison: a row a side, then the verdict."""
    lines = [" · ".join([comparison_title(a.shown, b.shown, dimension)]
                        + fixed_facts(a.shown, dimension))]
    if repeats > 1:
        lines.append("%d runs of each side, alternately; the median run of each in detail:"
                     % repeats)
    lines.append("")
    rows = [["side", "", "wall", "hand-offs", "median turn", "held GIL, by worker"]]
    for name, side in (("A", a), ("B", b)):
        stats = side.stats
        rows.append([name, side.label, "%.3f s" % (stats.wall_ns / 1e9),
                     _count(stats.handoffs),
                     "" if stats.median_turn_ns is None or stats.handoffs is None
                     else format_duration(stats.median_turn_ns),
                     " ".join(_percent(w.hold_share) for w in stats.workers)])
    lines += format_table(rows, "<<>><<")
    lines.append("")
    lines.append("verdict: %s\n         (%s)" % verdict(a.label, b.label, sides))
    for name, side in (("A", a), ("B", b)):
        lines += ["warning (%s): %s" % (name, warning) for warning in side.stats.warnings]
        lines += ["note (%s): %s" % (name, note) for note in side.stats.notes]
    return lines


# The convoy.

def convoy_case(spec):
    """"I/O thread alone" or "beside 2 CPU threads"."""
    if spec.workers == 1:
        return "I/O thread alone"
    return "beside %s" % plural(spec.workers - 1, "CPU thread")


def requests_phrase(params):
    """"up to 200 requests of 32 bytes on 127.0.0.1, 1 ms apart"."""
    apart = "back to back" if not params["pause_s"] else \
        "%s apart" % format_interval(params["pause_s"])
    return "up to %d requests of %d bytes on 127.0.0.1, %s" % (
        params["requests"], params["size"], apart)


def io_thread_ending(run, io_worker):
    """Why the I/O thread stopped serving, from its record."""
    worker = run.workers[io_worker]
    if worker.error:
        return None
    return (worker.result or {}).get("ended")


def convoy_lines(cases, io_worker):
    """The terminal summary of the convoy: latency of both cases, then the
    run with CPU threads in detail."""
    alone, beside = cases
    run = beside.run
    params = run.spec.params
    lines = ["convoy · %s · %s · %s switch interval · %s" % (
        interpreter_label(run), cores_phrase(run),
        format_interval(run.interpreter.switch_interval_s), requests_phrase(params))]
    lines.append("")
    rows = [["", "requests", "median", "p99", "max", "answered/s"]]
    for case in cases:
        latency = case.latency
        if latency is None:
            rows.append([case.label, "0", "", "", "", ""])
            continue
        rows.append([case.label, "%d" % latency.count, format_duration(latency.median_ns),
                     format_duration(latency.p99_ns), format_duration(latency.max_ns),
                     "" if case.per_second is None else format(round(case.per_second), ",")])
    lines += format_table(rows, "<>>>>>")
    lines.append("")
    if alone.latency is not None and beside.latency is not None:
        lines.append("%s, a request took %s as long at the median and %s at p99; "
                     "throughput fell to %s (the convoy effect, bpo-7946)" % (
                         beside.label, _times(beside.latency.median_ns / alone.latency.median_ns),
                         _times(beside.latency.p99_ns / alone.latency.p99_ns),
                         _times(beside.per_second / alone.per_second)))
    lines.append("")
    lines.append("%s, in detail (thread %d is the I/O thread):" % (beside.label, io_worker))
    lines += summary_lines(beside.run, beside.stats, header=False)
    for case in cases:
        ending = io_thread_ending(case.run, io_worker)
        if ending not in (None, "all requests answered"):
            lines.append("warning (%s): the I/O thread stopped early: %s" % (case.label, ending))
        if case is alone:
            lines += ["warning (%s): %s" % (case.label, w) for w in case.stats.warnings]
            lines += ["note (%s): %s" % (case.label, note) for note in case.stats.notes]
    return lines
