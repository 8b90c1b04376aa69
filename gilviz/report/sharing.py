"""Words for sharing between workers (pi --share, gilviz share): the
mechanism, what a report cost, the lock waits, and the totals check."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..agent.protocol import PROCESS_BACKENDS
from .format import format_duration, format_table
from .words import caveat_text

if TYPE_CHECKING:
    from ..analysis.sharing import Sharing, SharingComparison
    from ..log import Run

MECHANISM_NAMES = {
    "return": "the workers' results",
    "queue": "a queue",
    "pipe": "a multiprocessing.Pipe a worker",
    "manager": "a Manager's dict (a server process)",
    "value": "one multiprocessing.Value under a Lock",
    "array": "a multiprocessing.Array under a Lock",
}
SHORT_NAMES = {"return": "return", "queue": "Queue", "pipe": "Pipe", "manager": "Manager dict",
               "value": "Value + Lock", "array": "Array + Lock"}


def mechanism_name(mechanism: str, backend: str | None, short: bool = False) -> str:
    """"multiprocessing.Queue" or "queue.Queue" by backend; the others as they are."""
    if mechanism == "queue":
        return "multiprocessing.Queue" if backend in PROCESS_BACKENDS else "queue.Queue"
    return (SHORT_NAMES if short else MECHANISM_NAMES)[mechanism]


def us(ns: float) -> str:
    return "%.1f" % (ns / 1e3) if ns < 1e5 else "%.0f" % (ns / 1e3)


def check_line(sharing: Sharing) -> str:
    """The totals check, as a fact: agreed, or the caveat's words."""
    if sharing.agrees:
        return "check: the %s counts collected add up to the workers' own, %s" % (
            mechanism_name(sharing.mechanism, None, short=True),
            format(sharing.own_total, ","))
    return "check FAILED: the counts collected do not add up (see the warning)"


def sharing_lines(run: Run, sharing: Sharing) -> list[str]:
    """A run's sharing: the cost of its reports, its lock waits, the check."""
    reports = sharing.reports
    spent = sum(w.sharing_ns for w in sharing.workers)
    worker_time = sum(w.stop_ns for w in run.workers if w.stop_ns)
    line = "shared through %s: %d reports, median %s µs, p99 %s µs, max %s" % (
        mechanism_name(sharing.mechanism, run.spec.backend), reports.count,
        us(reports.median_ns), us(reports.p99_ns), format_duration(reports.max_ns))
    if worker_time:
        line += "; %.1f%% of the workers' time" % (100 * spent / worker_time)
    lines = [line]
    waits = sharing.lock_waits
    if waits is not None:
        lines.append("waited for the lock: median %s µs, p99 %s µs, %s in all" % (
            us(waits.median_ns), us(waits.p99_ns), format_duration(waits.total_ns)))
    return lines + [check_line(sharing)]


def sharing_table(compared: SharingComparison) -> list[str]:
    """A row a mechanism and backend of a `gilviz share` job."""
    rows = [["mechanism", "backend", "reports", "median µs", "p99 µs", "lock wait µs",
             "sharing %", "wall s", "chunk break-even", "totals"]]
    for each in compared.configs:
        wait = each.lock_waits
        rows.append([
            mechanism_name(each.mechanism, each.backend, short=True), each.backend,
            format(each.reports.count, ","), us(each.reports.median_ns), us(each.reports.p99_ns),
            us(wait.median_ns) if wait is not None else "",
            "%.1f" % (100 * each.sharing_share), "%.3f" % (each.wall_ns / 1e9),
            format(int(each.break_even_chunk), ",") if each.break_even_chunk else "",
            "agree" if each.agrees else "DIFFER"])
    return format_table(rows, ["<", "<", ">", ">", ">", ">", ">", ">", ">", "<"])


def comparison_lines(compared: SharingComparison) -> list[str]:
    """The terminal summary of a `gilviz share` job."""
    spec = compared.spec
    lines = ["sharing counts · %d workers · pi, %s samples in chunks of %s · %d run%s each" % (
        spec.workers, format(spec.work, ","), format(compared.chunk, ","), compared.repeats,
        "" if compared.repeats == 1 else "s"), ""]
    lines += sharing_table(compared)
    lines.append("")
    lines.append("median and p99: the time one report took, over every report of every run; "
                 "wall s: the median run's; sharing %: of the workers' time, inside reports")
    lines.append("chunk break-even: below this many samples a chunk, a report takes longer than "
                 "computing the chunk (%.2f ns a sample here)" % compared.ns_per_sample
                 if compared.ns_per_sample else "")
    for finding in manager_vs_value(compared):
        lines.append(finding)
    mismatches = [each.mismatch for each in compared.configs if each.mismatch is not None]
    if mismatches:  # a configuration disagrees where it has one
        lines += ["warning: " + caveat_text(each) for each in mismatches]
    else:
        lines.append("check: in every run, the counts collected through each mechanism add up "
                     "to the workers' own")
    return [line for line in lines if line is not None]


def manager_vs_value(compared: SharingComparison) -> list[str]:
    """"a Manager's dict report took 250x a shared Value's (processes)"."""
    lines = []
    by_key = {(each.mechanism, each.backend): each for each in compared.configs}
    for backend in ("processes", "threads"):
        manager, value = by_key.get(("manager", backend)), by_key.get(("value", backend))
        if manager and value and value.reports.median_ns > 0:
            lines.append("%s: a report through a Manager's dict took %.0fx one to a shared "
                         "Value (median %s µs vs %s µs)" % (
                             backend, manager.reports.median_ns / value.reports.median_ns,
                             us(manager.reports.median_ns), us(value.reports.median_ns)))
    return lines
