"""The terminal summary of a run: a table a worker, then the run's figures,
how it was measured, and its caveats."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple, overload

import numpy as np

from ..analysis import (NATIVE, OFF_CPU, ON_CPU, RUNNING, SHARING, SLEEPING, WAIT_CPU, WAIT_GIL,
                        WAIT_IO, WAIT_LOCK, core_count, ideal_ratio)
from .format import (count_cell, format_cores, format_duration, format_table,
                     ms_cell, percent_cell, plural)
from .sharing import sharing_lines
from .battle import battle_text
from .words import (caveat_text, cores_phrase, gil_phrase, interpreter_label, task_phrase,
                    unexplained_speedup, worker_label, workload_label)

if TYPE_CHECKING:
    from ..analysis.compare import Comparison
    from ..analysis.flags import CodeShare, GilCode
    from ..analysis.pi import PiEstimate
    from ..analysis.summary import RunStats
    from ..log import FlagReading, Run, SamplerStats

WAIT_WORDS = {WAIT_IO: "requests (round trips)", SLEEPING: "sleeps"}

COLUMNS = (
    ("worker", "<"), ("wall ms", ">"), ("cpu ms", ">"), ("held GIL", ">"), ("wait GIL", ">"),
    ("wait CPU", ">"), ("unclear", ">"), ("held %", ">"), ("failed acq.", ">"),
    ("waiting %", ">"),
)
NO_GIL_COLUMNS = {"held GIL": "ran", "held %": "ran %"}
"""Without a GIL a running thread holds nothing: these columns say "ran";
those of GIL waits and failed acquisitions are left out."""
GIL_ONLY_COLUMNS = ("wait GIL", "failed acq.")

SAMPLED_COLUMNS = (
    (RUNNING, "Python"), (NATIVE, "native"), (ON_CPU, "on CPU"), (WAIT_GIL, "wait GIL"),
    (WAIT_LOCK, "lock"), (WAIT_CPU, "wait CPU"), (WAIT_IO, "I/O"), (SLEEPING, "sleep"),
    (OFF_CPU, "off CPU"), (SHARING, "sharing"),
)
"""Band states of a run without the probe: ms the sampler saw each worker in."""


TABLE_WORKERS_AT_MOST = 16
"""Beyond this many workers the table gives min / median / max over them."""


def worker_table(run: Run, stats: RunStats) -> list[str]:
    """A row a worker; columns the run has no data for (no probe, say) are left out."""
    if len(stats.workers) > TABLE_WORKERS_AT_MOST:
        return worker_distribution(run, stats)
    if any(worker.sampled_ns is not None for worker in stats.workers):
        return sampled_worker_table(run, stats)
    noun = run.spec.worker_noun
    rows = [[name for name, _ in COLUMNS]]
    gil = run.interpreter.gil_enabled
    if not gil:
        rows = [[NO_GIL_COLUMNS.get(name, name) for name, _ in COLUMNS]]
    for worker in stats.workers:
        rows.append([
            "%s %d" % (noun, worker.index), ms_cell(worker.wall_ns), ms_cell(worker.cpu_ns),
            ms_cell(worker.held_ns), ms_cell(worker.wait_gil_ns), ms_cell(worker.wait_cpu_ns),
            ms_cell(worker.unclear_ns), percent_cell(worker.hold_share),
            count_cell(worker.failed_acquisitions), percent_cell(worker.waiting_share),
        ])
    shown = [i for i in range(len(COLUMNS)) if i == 0 or any(row[i] for row in rows[1:])
             and (gil or COLUMNS[i][0] not in GIL_ONLY_COLUMNS)]
    return format_table([[row[i] for i in shown] for row in rows],
                        [COLUMNS[i][1] for i in shown])


def worker_distribution(run: Run, stats: RunStats) -> list[str]:
    """Each column of the worker table as min / median / max over the
    workers (a row a column), for runs with too many workers to list."""
    workers = stats.workers
    measures: list[tuple[str, Callable[[float], str], list[float | None]]] = [
        ("wall ms", ms_cell, [w.wall_ns for w in workers]),
        ("cpu ms", ms_cell, [w.cpu_ns for w in workers])]
    if any(w.sampled_ns is not None for w in workers):
        measures += [(label + " ms", ms_cell, [(w.sampled_ns or {}).get(state, 0)
                                               for w in workers])
                     for state, label in SAMPLED_COLUMNS
                     if any(state in (w.sampled_ns or {}) for w in workers)]
    else:
        measures += [("held GIL ms", ms_cell, [w.held_ns for w in workers]),
                     ("wait GIL ms", ms_cell, [w.wait_gil_ns for w in workers]),
                     ("wait CPU ms", ms_cell, [w.wait_cpu_ns for w in workers]),
                     ("unclear ms", ms_cell, [w.unclear_ns for w in workers]),
                     ("held %", percent_cell, [w.hold_share for w in workers]),
                     ("failed acq.", count_cell, [w.failed_acquisitions for w in workers])]
    measures.append(("waiting %", percent_cell, [w.waiting_share for w in workers]))
    rows = [["%d %s" % (len(workers), run.spec.worker_noun + "s"
                        if run.spec.worker_noun != "process" else "processes"),
             "min", "median", "max"]]
    for title, cell, values in measures:
        known = sorted(value for value in values if value is not None)
        if known:
            rows.append([title, cell(known[0]), cell(known[(len(known) - 1) // 2]),
                         cell(known[-1])])
    return format_table(rows, "<>>>")


def sampled_worker_table(run: Run, stats: RunStats) -> list[str]:
    """Wall and CPU time, the ms spent in each state seen (sampled) and, where
    the kernel recorded waits, the share of the run it was waiting."""
    seen = [(state, name) for state, name in SAMPLED_COLUMNS
            if any(state in (w.sampled_ns or {}) for w in stats.workers)]
    waited = any(w.waiting_share is not None for w in stats.workers)
    columns = (("worker", "<"), ("wall ms", ">"), ("cpu ms", ">")) + tuple(
        (name, ">") for _, name in seen) + ((("waiting %", ">"),) if waited else ())
    rows = [[name for name, _ in columns]]
    for worker in stats.workers:
        sampled = worker.sampled_ns or {}
        row = [worker_label(run, worker.index), ms_cell(worker.wall_ns),
               ms_cell(worker.cpu_ns)] + [ms_cell(sampled.get(state, 0)) for state, _ in seen]
        if waited:
            row.append(percent_cell(worker.waiting_share))
        rows.append(row)
    return format_table(rows, [align for _, align in columns])


def pi_lines(run: Run, estimate: PiEstimate) -> list[str]:
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


@overload
def comparison_line(run: Run, stats: RunStats, comparison: Comparison) -> str: ...
@overload
def comparison_line(run: Run, stats: RunStats, comparison: None) -> None: ...
def comparison_line(run: Run, stats: RunStats, comparison: Comparison | None) -> str | None:
    """"4 threads took 1.04x the serial time (...)", or where that cannot be
    a speedup, a line that says so; None without a comparison."""
    if comparison is None:
        return None
    if comparison.pairs > 1:
        statistic = "median of %d paired ratios, %.2f-%.2fx; median walls %.3f s and %.3f s" % (
            comparison.pairs, comparison.low, comparison.high, comparison.run_wall_ns / 1e9,
            comparison.baseline_wall_ns / 1e9)
    else:
        statistic = "%.3f s vs %.3f s" % (comparison.run_wall_ns / 1e9,
                                          comparison.baseline_wall_ns / 1e9)
    measured = "%s took %.2fx the serial time (%s)" % (run.spec.describe(), comparison.ratio,
                                                        statistic)
    if unexplained_speedup(stats) is not None:
        return "no speedup to state: %s, see the warning" % measured
    if not run.interpreter.gil_enabled and run.spec.backend == "threads":
        # Without a GIL, threads are held back by the cores alone.
        ideal = ideal_ratio(run.spec.workers, core_count(run.interpreter))
        measured += "; no GIL: the best on %s is %.2fx" % (plural(ideal.parallel, "core"),
                                                           ideal.ratio)
    return measured


def wait_lines(run: Run, stats: RunStats) -> list[str]:
    """What the kernel's recorded waits took, and what they were."""
    lines = []
    for each in stats.waits:
        lines.append("%s: %d, median %.2f ms, p99 %.2f ms, max %.2f ms" % (
            WAIT_WORDS[each.state], each.count, each.median_ns / 1e6, each.p99_ns / 1e6,
            each.max_ns / 1e6))
    results = [w.result for w in run.workers if w.result]
    phrase = task_phrase(results[0]) if results and "via" in results[0] else None
    if phrase is not None:
        lines.append(phrase)
    return lines


def sampler_place(run: Run, sampler: SamplerStats) -> str:
    """Where the sampler of `run` ran, if the target was pinned: ", on core
    1, outside the target's cores" or ", on cores 0-1, shared with the target"."""
    cores = sampler.cores
    if run.spec.cores is None or not cores:
        return ""
    shared = set(cores) & set(run.interpreter.affinity or ())
    return ", on core%s %s, %s" % ("" if len(cores) == 1 else "s", format_cores(cores),
                                   "shared with the target" if shared
                                   else "outside the target's cores")


def flag_reading_phrase(run: Run, reading: FlagReading) -> str:
    """How the GIL flags of `run` were read: "GIL flags read by the
    interpreter's own _remote_debugging, 1,950 reads a second of 2,000
    asked, used 118 ms CPU"."""
    if reading.failure is not None:
        return "GIL flags not read: %s" % reading.failure
    seconds = run.end_ns / 1e9 if run.end_ns else 0
    # The reader runs from before the release to after the end: its reads
    # within the run are the distinct times of the flags kept.
    within = len(np.unique(run.gil_flags.t_ns)) if run.gil_flags is not None else 0
    rate = " %s reads a second of %.0f asked," % (
        format(int(round(within / seconds)), ","), reading.requested_hz) if seconds else ""
    used = ""
    if reading.cpu_ns is not None and reading.reads:
        each = reading.cpu_ns / reading.reads
        used = " %.0f µs of CPU a read" % (each / 1e3)
        if seconds:  # beside workers that fill every core, taken from them
            used += " (%.2f core)" % (each * within / 1e9 / seconds)
    return ("GIL flags read from outside by the interpreter's own _remote_debugging,%s%s"
            % (rate, used)).rstrip(",")


def code_shares(shares: Sequence[CodeShare]) -> str:
    """"spin (app.py) 48%, hasher (app.py) 9%"."""
    return ", ".join("%s %.0f%%" % (each.code, 100 * each.share) for each in shares)


def gil_code_lines(run: Run, code: GilCode) -> list[str]:
    """Which functions held the GIL, over all threads and per thread, and
    where each thread waited for it."""
    lines = []
    if code.held_overall:
        lines.append("who held the GIL, of the reads that found it held: %s"
                     % code_shares(code.held_overall))
    for worker in run.workers:
        held, waited = code.held.get(worker.index), code.waited.get(worker.index)
        if not held and not waited:
            continue
        parts = []
        if held:
            parts.append("held it in %s" % code_shares(held))
        if waited:
            parts.append("waited in %s" % code_shares(waited))
        lines.append("  %s %s (shares of its reads)" % (worker_label(run, worker.index),
                                                         "; ".join(parts)))
    return lines


def caveat_lines(stats: RunStats, label: str | None = None) -> list[str]:
    """"warning: ..." a warning, then "note: ..." a note; with `label`,
    "warning (A): ..."."""
    tag = "" if label is None else " (%s)" % label
    return (["warning%s: %s" % (tag, caveat_text(each)) for each in stats.warnings]
            + ["note%s: %s" % (tag, caveat_text(each)) for each in stats.notes])


class SummarySections(NamedTuple):
    """The terminal summary of a run, section by section, in the order printed."""

    header: list[str]
    """What ran, where, and of how many runs it is the median; empty without it."""
    table: list[str]
    """A row a worker (or min / median / max over many workers)."""
    figures: list[str]
    """The run's figures: times and hand-offs, the old GIL's battle, pi, the
    sharing, the ratio to the serial runs, the recorded waits."""
    measurement: str | None
    """"measurement: ..." how the run was measured (probe, sampler, flags
    read); None where none of them ran."""
    cross_checks: list[str]
    """One measurement checked against another."""
    gil_code: list[str]
    """Which code held the GIL and where the threads waited for it."""
    caveats: list[str]
    """Warnings, then notes."""

    def lines(self) -> list[str]:
        """The summary as printed: a blank line after the header and after the table."""
        return ((self.header + [""] if self.header else []) + self.table + [""] + self.figures
                + ([] if self.measurement is None else [self.measurement])
                + self.cross_checks + self.gil_code + self.caveats)


def summary_sections(run: Run, stats: RunStats, comparison: Comparison | None = None,
                     repeats: int = 1, header: bool = True) -> SummarySections:
    """The terminal summary of `run`, the median of `repeats` runs, in its
    sections; without its header (what ran, where) if not `header`."""
    interpreter = run.interpreter
    facts = [workload_label(run.spec), run.spec.describe(), interpreter_label(run),
             gil_phrase(run), cores_phrase(run)]
    if run.spec.work:  # a program's run has no work of its own to split
        facts.append("work %s" % format(run.spec.work, ","))
    what_ran = []
    if header:
        what_ran.append(" · ".join(facts))
        if repeats > 1:
            what_ran.append("the median of %d runs, in detail:" % repeats)
    figures = ["wall %.3f s" % (stats.wall_ns / 1e9), "cpu %.3f s" % (stats.cpu_ns / 1e9)]
    if stats.handoffs is not None:
        how = "" if run.probe is not None else \
            " (read)" if run.gil_flags is not None and len(run.gil_flags.t_ns) else " (sampled)"
        figures.append("%d GIL hand-offs%s" % (stats.handoffs, how))
    elif not interpreter.gil_enabled and len(run.workers) > 1:
        figures.append("no GIL: nothing handed over")
    if stats.median_turn_ns is not None:
        figures.append("median turn %s" % format_duration(stats.median_turn_ns))
    if stats.overlap_ns is not None:
        share = " (%.0f%%)" % (100 * stats.overlap_ns / stats.wall_ns) if stats.wall_ns else ""
        figures.append("2+ running at once %.1f ms%s" % (stats.overlap_ns / 1e6, share))
    if stats.parallelism is not None:
        figures.append("parallelism %.2f (workers on a CPU at once, mean, sampled)"
                       % stats.parallelism)
    found = [" · ".join(figures)]
    if stats.battle is not None:
        found.append(battle_text(stats.battle))
    if stats.pi is not None:
        found += pi_lines(run, stats.pi)
    if stats.sharing is not None:
        found += sharing_lines(run, stats.sharing)
    if comparison is not None:
        found.append(comparison_line(run, stats, comparison))
    found += wait_lines(run, stats)
    quality = []
    if stats.resolution_ns is not None:
        quality.append("probe read the clock every %.0f µs" % (stats.resolution_ns / 1e3))
    if run.sampler is not None:
        quality.append(
            "sampler %.0f Hz of %.0f asked, longest pause %.1f ms, used %.0f ms CPU%s" % (
                run.sampler.achieved_hz, run.sampler.requested_hz,
                run.sampler.max_interval_ns / 1e6, run.sampler.cpu_ns / 1e6,
                sampler_place(run, run.sampler)))
    if run.flag_reading is not None:
        quality.append(flag_reading_phrase(run, run.flag_reading))
    checks = []
    if stats.probe_agreement is not None:
        checks.append("cross-check: %.1f%% of samples taken inside a probe hold found the thread "
                      "on a CPU" % (100 * stats.probe_agreement))
    if stats.flag_agreement is not None:
        checks.append("cross-check: the probe's holds and the interpreter's own GIL flags agree "
                      "at %.1f%% of the %s reads of a worker clear of a hold's edge"
                      % (100 * stats.flag_agreement.share,
                         format(stats.flag_agreement.compared, ",")))
    return SummarySections(
        header=what_ran, table=worker_table(run, stats), figures=found,
        measurement="measurement: " + "; ".join(quality) if quality else None,
        cross_checks=checks,
        gil_code=[] if stats.gil_code is None else gil_code_lines(run, stats.gil_code),
        caveats=caveat_lines(stats))


def summary_lines(run: Run, stats: RunStats, comparison: Comparison | None = None,
                  repeats: int = 1, header: bool = True) -> list[str]:
    """The terminal summary of `run`, the median of `repeats` runs; without
    its first lines (what ran, where) if not `header`."""
    return summary_sections(run, stats, comparison, repeats, header).lines()
