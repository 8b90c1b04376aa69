"""The words of the convoy: both cases' latencies, what the CPU threads did
to them, and the run beside them in detail."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, overload

from .format import format_duration, format_interval, format_table, format_times, plural
from .summary import caveat_lines, summary_lines
from .words import (caveat_text, cores_phrase, interpreter_label, labelled,
                    switch_interval_label)

if TYPE_CHECKING:
    from ..analysis.convoy import Convoy
    from ..log import Run, RunSpec
    from .words import Caveat, Said, Worded


def convoy_case_label(spec: RunSpec) -> str:
    """"I/O thread alone" or "beside 2 CPU threads"."""
    if spec.workers == 1:
        return "I/O thread alone"
    return "beside %s" % plural(spec.workers - 1, "CPU thread")


def requests_phrase(params: dict[str, Any]) -> str:
    """"up to 200 requests of 32 bytes on 127.0.0.1, 1 ms apart"."""
    apart = "back to back" if not params["pause_s"] else \
        "%s apart" % format_interval(params["pause_s"])
    return "up to %d requests of %d bytes on 127.0.0.1, %s" % (
        params["requests"], params["size"], apart)


def io_thread_ending(run: Run, io_worker: int) -> str | None:
    """Why the I/O thread stopped serving, from its record."""
    worker = run.workers[io_worker]
    if worker.error:
        return None
    return (worker.result or {}).get("ended")


@overload
def convoy_warnings(convoy: Convoy) -> tuple[list[str], list[str]]: ...
@overload
def convoy_warnings(convoy: Convoy,
                    words: Callable[[Caveat], Said]) -> tuple[list[Said], list[Said]]: ...
def convoy_warnings(convoy: Convoy, words: Callable[[Caveat], str | Worded] = caveat_text
                    ) -> tuple[Sequence[str | Worded], ...]:
    """Every caveat of both cases, as "<case>: <words>" (`words`:
    caveat_text, or worded for a chart), and the notes."""
    cases = (convoy.alone, convoy.beside)
    return tuple([labelled(convoy_case_label(case.run.spec), words(each))
                  for case in cases for each in getattr(case.stats, kind)]
                 for kind in ("warnings", "notes"))


def convoy_lines(convoy: Convoy) -> list[str]:
    """The terminal summary of the convoy (analysis.Convoy): latency of both
    cases, then the run with CPU threads in detail."""
    alone, beside = convoy.alone, convoy.beside
    io_worker = convoy.io_worker
    label = {id(case): convoy_case_label(case.run.spec) for case in (alone, beside)}
    run = beside.run
    params = run.spec.params or {}
    lines = ["convoy · %s · %s · %s switch interval · %s" % (
        interpreter_label(run), cores_phrase(run),
        switch_interval_label(run), requests_phrase(params))]
    lines.append("")
    rows = [["", "requests", "median", "p99", "max", "answered/s"]]
    for case in (alone, beside):
        latency = case.latency
        if latency is None:
            rows.append([label[id(case)], "0", "", "", "", ""])
            continue
        rows.append([label[id(case)], "%d" % latency.count, format_duration(latency.median_ns),
                     format_duration(latency.p99_ns), format_duration(latency.max_ns),
                     "" if case.per_second is None else format(round(case.per_second), ",")])
    lines += format_table(rows, "<>>>>>")
    lines.append("")
    if alone.latency is not None and beside.latency is not None \
            and alone.per_second is not None and beside.per_second is not None:
        lines.append("%s, a request took %s as long at the median and %s at p99; "
                     "throughput fell to %s (the convoy effect, bpo-7946)" % (
                         label[id(beside)],
                         format_times(beside.latency.median_ns / alone.latency.median_ns),
                         format_times(beside.latency.p99_ns / alone.latency.p99_ns),
                         format_times(beside.per_second / alone.per_second)))
    lines.append("")
    lines.append("%s, in detail (thread %d is the I/O thread):" % (label[id(beside)], io_worker))
    lines += summary_lines(beside.run, beside.stats, header=False)
    for case in (alone, beside):
        ending = io_thread_ending(case.run, io_worker)
        if ending not in (None, "all requests answered"):
            lines.append("warning (%s): the I/O thread stopped early: %s"
                         % (label[id(case)], ending))
        if case is alone:
            lines += caveat_lines(case.stats, label[id(case)])
    return lines
