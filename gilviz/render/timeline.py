"""The "thread battle" timeline: one band per worker, over the whole run and
over a ~50 ms window where individual GIL switches are visible, above the
per-core CPU utilisation the sampler saw or, for a run without the probe,
the number of workers on a CPU at once."""

from __future__ import annotations

import textwrap

import matplotlib
import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..analysis import (NATIVE, NATIVE_MARK, OFF_CPU, ON_CPU, RUNNING, SLEEPING, WAIT_IO,
                        WAIT_MARKS, binned_parallelism, busiest_window, longest_sample_ns,
                        pi_estimate, run_segments, shares_gil, stop_by_worker, switch_times,
                        wait_spans, wait_stats, waiting_share)
from ..log import WAIT_UNREADABLE
from ..report import cores_phrase, format_interval
from . import theme

ZOOM_NS = 50_000_000
BAND = 0.72
"""Height of a worker's band, in units of the distance between bands."""
MS = 1e6
WAIT_NOUNS = {WAIT_IO: "requests", SLEEPING: "sleeps"}
PARALLELISM_BINS = 250
"""The parallelism line is averaged over this many windows of the run (at
least a sampling period each): step by step, 1 ms samples blur into a block."""


def band_rectangles(start_ns, stop_ns, y, height):
    """Vertices of one rectangle per interval, x in ms, centred on y."""
    x0, x1 = np.asarray(start_ns) / MS, np.asarray(stop_ns) / MS
    y = np.broadcast_to(np.asarray(y, dtype=float), x0.shape)
    bottom, top = y - height / 2, y + height / 2
    return np.stack([np.stack(corner, axis=-1) for corner in
                     ((x0, bottom), (x0, top), (x1, top), (x1, bottom))], axis=1)


def draw_segments(ax, segments, y_of_worker, height=BAND):
    """One PolyCollection per state; an edge as wide as a hairline keeps even
    the shortest interval visible. Returns the collections."""
    artists = []
    y = np.asarray([y_of_worker[int(index)] for index in segments.worker], dtype=float)
    for state in np.unique(segments.state):
        mine = segments.state == state
        colour = theme.STATE_COLOURS[int(state)]
        collection = PolyCollection(
            band_rectangles(segments.start_ns[mine], segments.stop_ns[mine], y[mine], height),
            facecolors=colour, edgecolors=colour, linewidths=0.6,
        )
        ax.add_collection(collection)
        artists.append(collection)
    return artists


def draw_start_stop(ax, run, y_of_worker, height=BAND):
    artists = []
    for worker in run.workers:
        for t in (worker.start_ns, worker.stop_ns):
            if t is not None:
                y = y_of_worker[worker.index]
                artists += ax.plot([t / MS] * 2, [y - height / 2 - 0.06, y + height / 2 + 0.06],
                                   color=theme.INK, linewidth=2.5, solid_capstyle="butt")
    return artists


def draw_failed_acquisitions(ax, samples, rows, y_of_worker, height=BAND, size=70):
    if len(rows) == 0:
        return []
    x = samples.t_ns[rows] / MS
    y = np.asarray([y_of_worker[int(i)] for i in samples.worker[rows]]) + height / 2 + 0.1
    # Clipped: the markers fit below the top of the y range, and unclipped ones
    # would stray outside a zoomed x range.
    return [ax.scatter(x, y, marker="v", s=size, color=theme.FAILED_ACQUISITION, zorder=4,
                       edgecolors="white", linewidths=0.5)]


def draw_sampled_on_cpu(ax, samples, y_of_worker, height=BAND):
    """A thin strip under each band: where the sampler found the thread on a CPU."""
    on_cpu = samples.state == "R"
    x = samples.t_ns[on_cpu] / MS
    y = np.asarray([y_of_worker[int(i)] for i in samples.worker[on_cpu]]) - height / 2 - 0.09
    return [ax.scatter(x, y, marker="|", s=40, color=theme.SKY_BLUE, linewidths=1.2)]


def draw_cores(ax, cores):
    """Each core's utilisation as steps over its measurement windows; dash
    patterns keep cores apart where their lines coincide."""
    artists = []
    if len(cores.t_ns) < 2:
        ax.text(0.5, 0.5, "sampler off: no CPU data", transform=ax.transAxes,
                ha="center", va="center", color=theme.MUTED)
        return artists
    edges = cores.t_ns / MS
    for core in range(cores.percent.shape[1]):
        colour = theme.CORE_COLOURS[core % len(theme.CORE_COLOURS)]
        artists.append(ax.stairs(cores.percent[1:, core], edges, color=colour, linewidth=2.6,
                                 linestyle=theme.CORE_DASHES[core % len(theme.CORE_DASHES)],
                                 label="core %d" % core))
    ax.set_ylim(0, 105)
    ax.set_yticks([0, 50, 100])
    ax.set_ylabel("CPU %")
    return artists


def draw_parallelism(ax, run, wall_ns):
    """Workers on a CPU at once over time (sampled), and the whole machine's
    CPU use in cores (psutil) on the same scale."""
    cores = len(run.interpreter.affinity or []) or run.interpreter.cpu_count
    artists = []
    if len(run.threads.t_ns) and wall_ns > 0:
        period = 1e9 / run.sampler.requested_hz
        bins = int(max(1, min(PARALLELISM_BINS, wall_ns // period)))
        edges = np.linspace(0, wall_ns, bins + 1).astype(np.int64)
        mean = binned_parallelism(run.threads, stop_by_worker(run), longest_sample_ns(run), edges)
        line = np.append(mean, mean[-1])
        artists.append(ax.fill_between(edges / MS, np.nan_to_num(line), step="post",
                                       where=~np.isnan(line), color=theme.INK, alpha=0.15,
                                       linewidth=0))
        artists += ax.step(edges / MS, line, where="post", color=theme.INK, linewidth=2.0,
                           label="workers on a CPU at once (sampled, mean over %.0f ms)"
                                 % (wall_ns / bins / MS))
    if len(run.cores.t_ns) >= 2:
        # Each row covers the window since the previous one (the first only
        # marks where the first window began).
        busy = run.cores.percent[1:].sum(axis=1) / 100
        artists.append(ax.stairs(busy, run.cores.t_ns / MS, color=theme.VERMILLION,
                                 linewidth=1.6, linestyle=(0, (4, 2)),
                                 label="all processes, in cores (psutil)"))
    top = max(cores, min(run.spec.workers, cores + 1))
    ax.set_ylim(0, top + 0.35)
    ax.set_yticks(range(0, top + 1))
    ax.axhline(cores, color=theme.MUTED, linewidth=0.8, linestyle=":")
    ax.set_ylabel("CPUs")
    return artists


def format_bands(ax, run, y_of_worker):
    noun = run.spec.worker_noun
    ax.set_yticks([y_of_worker[w.index] for w in run.workers])
    ax.set_yticklabels(["%s %d" % (noun, w.index) if noun != "serial" else "serial"
                        for w in run.workers])
    ax.set_ylim(-0.7, len(run.workers) - 0.3)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)


def draw_shares(ax, share_of_worker, y_of_worker, header, colour):
    """Each worker's share of the run, right of its band, under a header."""
    artists = []
    transform = ax.get_yaxis_transform()
    for index, share in share_of_worker.items():
        if share is not None:
            artists.append(ax.text(1.005, y_of_worker[index], "%.0f%%" % (100 * share),
                                   transform=transform, va="center", ha="left", fontsize=15,
                                   fontweight="bold", color=colour))
    artists.append(ax.text(1.005, len(y_of_worker) - 0.35, header, transform=transform,
                           va="bottom", ha="left", fontsize=13, color=theme.MUTED))
    return artists


def rows_of_workers(run):
    """The y of each worker's band: worker 0 at the top."""
    return {w.index: len(run.workers) - 1 - w.index for w in run.workers}


def draw_run(ax, run, stats, segments, y_of_worker, marker_size=70):
    """A run's bands, start / stop ticks and failed acquisitions, with the
    workers named on the y axis."""
    draw_segments(ax, segments, y_of_worker)
    draw_start_stop(ax, run, y_of_worker)
    draw_failed_acquisitions(ax, run.threads, stats.failed_samples, y_of_worker, size=marker_size)
    format_bands(ax, run, y_of_worker)


def draw_hold_shares(ax, stats, y_of_worker):
    """draw_shares of the time each worker held the GIL, where the probe
    measured it; no artists otherwise."""
    if not any(w.hold_share is not None for w in stats.workers):
        return []
    return draw_shares(ax, {w.index: w.hold_share for w in stats.workers}, y_of_worker,
                       "held", theme.BLUE)


def zoom_span(run, stats, width_ns=ZOOM_NS):
    """(begin, end) of the window of `width_ns` with the most switches."""
    begin = busiest_window(switch_times(run), width_ns, stats.wall_ns)
    return begin, begin + min(width_ns, stats.wall_ns)


TITLE_CHARACTERS = 62
HEADER_LINE = 0.036
FACT_CHARACTERS = 100
"""About this many characters of facts fit the width at 17 pt."""
"""Height of a line of facts in the header, as a fraction of the figure."""
LEGEND_ROW = 0.031
"""Height of a row of the header's legend, as a fraction of the figure."""
WARNING_LINE = 0.028
WARNING_CHARACTERS = 135
"""About this many characters of warnings fit a line at their type size."""


def warning_lines(warnings, notes=(), at_most=1):
    """The header's lines of warnings and notes: one, or up to `at_most`
    wrapped; none if there are neither."""
    if warnings:
        text = "⚠ " + "; ".join(tuple(warnings) + tuple(notes))
    elif notes:
        text = "note: " + "; ".join(notes)
    else:
        return []
    return textwrap.wrap(text, WARNING_CHARACTERS)[:at_most] if at_most > 1 else [text]


def header_bottom(fact_lines, legend_entries, legend_columns, warning_count=1):
    """Where the header that draw_header draws ends (a figure fraction), so
    that a figure can start its panels below it; `warning_count` lines of
    warnings (one has its room anyway)."""
    rows = -(-legend_entries // legend_columns)
    return (0.918 - HEADER_LINE * fact_lines - 0.022 - LEGEND_ROW * rows
            - WARNING_LINE * max(0, warning_count - 1))


def draw_header(figure, title, facts, warnings, handles, left=0.09, legend_columns=4,
                notes=(), warning_rows=1):
    """Title, lines of facts (a string or a list), warnings and notes (if
    any, wrapped to at most `warning_rows` lines) and the legend, at the top.
    Each line of facts after the first moves the rest down by HEADER_LINE,
    each line of warnings after the first by WARNING_LINE."""
    facts = [facts] if isinstance(facts, str) else facts
    # About TITLE_CHARACTERS fit the width at 28 pt: a longer title gets smaller type.
    size = min(28, 28 * TITLE_CHARACTERS / max(len(title), 1))
    figure.text(left, 0.975, title, fontsize=size, fontweight="bold", color=theme.INK, va="top")
    y = 0.918
    for number, line in enumerate(facts):  # the first line in larger type
        figure.text(left, y, line, fontsize=17 if number == 0 else 15, color=theme.INK, va="top")
        y -= HEADER_LINE
    lines = warning_lines(warnings, notes, warning_rows)
    if lines:
        figure.text(left, y + 0.002, "\n".join(lines), fontsize=14, va="top", linespacing=1.3,
                    color=theme.VERMILLION if warnings else theme.MUTED)
        y -= WARNING_LINE * (len(lines) - 1)
    figure.legend(handles=handles, loc="upper left", bbox_to_anchor=(left - 0.005, y - 0.022),
                  ncol=legend_columns, fontsize=13, handlelength=1.6, columnspacing=1.4)


def state_labels(run):
    """The legend's words for each band state, where this run needs others."""
    labels = dict(theme.STATE_LABELS)
    if not any(shares_gil(run).values()):
        labels[RUNNING] = "running Python (each has its own GIL)"
    if run.probe is None and len(run.threads.wait) and not np.all(
            run.threads.wait == WAIT_UNREADABLE):
        labels[OFF_CPU] = "off CPU: another wait, or cannot tell"
    return labels


def has_unsampled_time(run, segments, at_least_ns=1_000_000):
    """Whether a band has a hole of `at_least_ns` where no sample stands."""
    for worker in run.workers:
        mine = segments.worker == worker.index
        if worker.stop_ns is None or not np.any(mine):
            continue
        starts = np.append(segments.start_ns[mine], worker.stop_ns)
        stops = np.concatenate(([0], segments.stop_ns[mine]))
        if np.any(starts - stops >= at_least_ns):
            return True
    return False


def legend_handles(run, stats, segments):
    labels = state_labels(run)
    handles = []
    for state in sorted(set(int(s) for s in segments.state)):
        handles.append(Patch(color=theme.STATE_COLOURS[state], label=labels[state]))
    if run.probe is None and has_unsampled_time(run, segments):
        handles.append(Patch(facecolor="white", edgecolor=theme.MUTED, linewidth=0.8,
                             label="not sampled (sampler paused)"))
    handles.append(Line2D([], [], color=theme.INK, linewidth=2.5, label="worker start / stop"))
    if any(w.failed_acquisitions for w in stats.workers):
        handles.append(Line2D([], [], marker="v", linestyle="", markersize=10,
                              color=theme.FAILED_ACQUISITION,
                              label="woke up, did not get the GIL (sampled)"))
    if run.sampler is not None and run.probe is not None:
        handles.append(Line2D([], [], marker="|", linestyle="", markersize=10,
                              color=theme.SKY_BLUE, label="on a CPU (sampled)"))
    return handles


def title_lines(run, stats, comparison):
    interpreter = run.interpreter
    gil = "" if interpreter.gil_enabled else ", GIL disabled"
    title = "%s · %s · %s %s%s · %s" % (
        run.spec.workload(), run.spec.describe(), interpreter.implementation,
        interpreter.version, gil, cores_phrase(run))
    if run.spec.switch_interval_s is not None:
        title += " · %s switch interval" % format_interval(interpreter.switch_interval_s)
    facts = []
    if comparison is not None:
        spread = " (%.2f–%.2f×)" % (comparison.low, comparison.high) if comparison.pairs > 1 else ""
        facts.append("%s took %.2f× the serial time%s" % (
            run.spec.describe(), comparison.ratio, spread))
    facts.append("wall %.2f s" % (stats.wall_ns / 1e9))
    if stats.handoffs is not None:
        facts.append("%d GIL hand-offs" % stats.handoffs)
    if stats.median_turn_ns is not None and stats.handoffs:
        facts.append("median turn %.1f ms" % (stats.median_turn_ns / MS))
    if stats.parallelism is not None:
        facts.append("mean parallelism %.2f" % stats.parallelism)
    elif stats.overlap_ns is not None and run.spec.workers > 1:
        facts.append("%.0f ms with 2+ running at once" % (stats.overlap_ns / MS))
    for each in wait_stats(wait_spans(run.marks)):
        facts.append("%d %s, median %.1f ms" % (
            each.count, WAIT_NOUNS[each.state], each.median_ns / MS))
    return title, wrap_facts(facts)


def wrap_facts(facts, width=FACT_CHARACTERS):
    """Facts joined by " · " into lines of at most `width` characters, a
    fact never split."""
    lines = []
    for fact in facts:
        if lines and len(lines[-1]) + 3 + len(fact) <= width:
            lines[-1] += " · " + fact
        else:
            lines.append(fact)
    return lines


def whole_run_title(run, repeats):
    """"Whole run", with the median and, for pi, what the kernel found."""
    title = "Whole run" if repeats == 1 else "Whole run (the median of %d)" % repeats
    estimate = pi_estimate(run)
    if estimate is not None:
        title += ":  π ≈ %.5f ± %.5f from %s samples, %.0f M samples/s" % (
            estimate.value, estimate.standard_error, short_count(estimate.samples),
            estimate.samples_per_s / 1e6)
    return title


def short_count(count):
    """"50,000", "4e8", "1.5e9": large counts as the command line takes them."""
    if count < 10**6:
        return format(count, ",")
    mantissa, exponent = ("%.2e" % count).split("e")
    return "%se%d" % (mantissa.rstrip("0").rstrip("."), int(exponent))


def provenance(run, stats):
    """A footnote: where the bands and the CPU data come from, how exact."""
    parts = []
    if run.probe is not None:
        resolution = " every %.0f µs" % (stats.resolution_ns / 1e3) if stats.resolution_ns else ""
        parts.append("bands: in-kernel probe, a clock read%s" % resolution)
    elif run.sampler is not None:
        parts.append("bands: thread states sampled at %.0f Hz from outside; futex wait timed = "
                     "GIL, untimed = lock%s" % (run.sampler.achieved_hz, (
                         "; numpy = inside the kernel's marks"
                         if np.any(run.marks.kind == NATIVE_MARK) else "")))
        if len(run.marks.kind) and np.isin(run.marks.kind, list(WAIT_MARKS)).any():
            parts.append("waits: the kernel's own timestamps")
    else:
        parts.append("bands: start and stop only (no probe, no sampler)")
    if run.sampler is not None and run.probe is not None:
        parts.append("sampler: %.0f Hz from outside the target" % run.sampler.achieved_hz)
    parts.append("run started %s" % run.started_at)
    return " · ".join(parts)


def band_end_shares(stats, waits):
    """What the figures at the bands' ends say, as (share of each worker,
    header, colour): the share of the wall time a worker held the GIL (probe),
    waited (the kernel's recorded waits), or was on a CPU (sampled); None for
    none of these."""
    if any(w.hold_share is not None for w in stats.workers):
        return {w.index: w.hold_share for w in stats.workers}, "held", theme.BLUE
    if len(waits.worker):
        return ({w.index: waiting_share(waits, w.index, stats.wall_ns) for w in stats.workers},
                "waiting", theme.state_text_colour(int(waits.state[0])))
    if stats.wall_ns <= 0 or all(w.sampled_ns is None for w in stats.workers):
        return None
    running = (RUNNING, NATIVE, ON_CPU)
    return ({w.index: sum(w.sampled_ns.get(state, 0) for state in running) / stats.wall_ns
             for w in stats.workers if w.sampled_ns is not None}, "on CPU", theme.INK)


def timeline_figure(run, stats, comparison=None, repeats=1):
    """The timeline of `run`, annotated with `stats` (analysis.summarize) and
    its `comparison` with the serial baseline; `run` is the median of `repeats`."""
    with matplotlib.rc_context(theme.RC):
        return _timeline_figure(run, stats, comparison, repeats)


def _timeline_figure(run, stats, comparison, repeats):
    figure = Figure(figsize=theme.FIGSIZE, dpi=theme.DPI)
    segments = run_segments(run)
    handles = legend_handles(run, stats, segments)
    title, facts = title_lines(run, stats, comparison)
    draw_header(figure, title, facts, stats.warnings, handles, notes=stats.notes,
                warning_rows=2)
    warnings = len(warning_lines(stats.warnings, stats.notes, at_most=2))
    top = min(0.75, header_bottom(len(facts), len(handles), 4, warnings) - 0.045)
    grid = figure.add_gridspec(3, 1, height_ratios=[3, 3, 1.3], hspace=0.75,
                               left=0.09, right=0.93, top=top, bottom=0.095)
    whole, zoom, cores = (figure.add_subplot(grid[i]) for i in range(3))
    cores.sharex(whole)

    waits = wait_spans(run.marks)
    sampled = run.probe is None and run.sampler is not None
    y_of_worker = rows_of_workers(run)
    wall_ms = stats.wall_ns / MS

    # Whole run.
    draw_run(whole, run, stats, segments, y_of_worker, marker_size=36)
    whole.set_xlim(0, wall_ms * 1.01)
    whole.set_title(whole_run_title(run, repeats), loc="left")
    shares = band_end_shares(stats, waits)
    if shares is not None:
        share_of_worker, header, colour = shares
        draw_shares(whole, share_of_worker, y_of_worker, header, colour)

    # Zoom on the busiest window.
    begin, end = zoom_span(run, stats)
    whole.axvspan(begin / MS, end / MS, color=theme.INK, alpha=0.08, zorder=0)
    draw_run(zoom, run, stats, segments, y_of_worker)
    if run.probe is not None and len(run.threads.t_ns):
        draw_sampled_on_cpu(zoom, run.threads, y_of_worker)
    zoom.set_xlim(begin / MS, end / MS)
    zoom.set_title("Zoom: %.0f ms from %.0f ms (shaded above)" % ((end - begin) / MS, begin / MS),
                   loc="left")

    if sampled:
        draw_parallelism(cores, run, stats.wall_ns)
        cores.set_title("Parallelism", loc="left")
        cores.legend(loc="lower right", bbox_to_anchor=(1.0, 0.97), ncol=2, fontsize=13)
    else:  # Per-core utilisation.
        zoom.set_xlabel("time since the workers were released (ms)")
        draw_cores(cores, run.cores)
        cores.set_title("CPU utilisation per core (psutil, %d ms windows)" % 50, loc="left")
        if cores.get_legend_handles_labels()[0]:
            cores.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=8, fontsize=13,
                         handlelength=2.6, borderaxespad=0.2)
    cores.set_xlabel("time since the workers were released (ms)")

    figure.text(0.93, 0.006, provenance(run, stats), fontsize=11, color=theme.MUTED,
                ha="right", va="bottom")
    return figure
