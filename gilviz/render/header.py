"""The header every figure shares: title, lines of facts, warnings and
notes, legend; and the footnote saying where the data come from."""

from __future__ import annotations

import textwrap

from . import theme

TITLE_CHARACTERS = 62
"""About this many characters fit the width at 28 pt: a longer title gets smaller type."""
HEADER_LINE = 0.036
"""Height of a line of facts in the header, as a fraction of the figure."""
FACT_CHARACTERS = 100
"""About this many characters of facts fit the width at 17 pt."""
LEGEND_ROW = 0.031
"""Height of a row of the header's legend, as a fraction of the figure."""
WARNING_LINE = 0.028
WARNING_CHARACTERS = 135
"""About this many characters of warnings fit a line at their type size."""


CUT_SHORT = " … (the summary says it all)"
"""Ends the last line of warnings that did not all fit: a warning is never
cut off without saying so."""


def warning_lines(warnings, notes=(), at_most=1):
    """The header's lines of warnings and notes: one, or up to `at_most`
    wrapped, the last saying so where more did not fit; none if there are
    neither."""
    if warnings:
        text = "⚠ " + "; ".join(tuple(warnings) + tuple(notes))
    elif notes:
        text = "note: " + "; ".join(notes)
    else:
        return []
    if at_most <= 1:
        return [text]
    lines = textwrap.wrap(text, WARNING_CHARACTERS)
    if len(lines) <= at_most:
        return lines
    last = textwrap.wrap(lines[at_most - 1], WARNING_CHARACTERS - len(CUT_SHORT))[0]
    return lines[:at_most - 1] + [last + CUT_SHORT]


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


def provenance(run, stats, view):
    """A footnote: where the bands and the CPU data come from, how exact."""
    parts = []
    flags = run.gil_flags is not None and len(run.gil_flags.t_ns) > 0
    if run.probe is not None:
        resolution = " every %.0f µs" % (stats.resolution_ns / 1e3) if stats.resolution_ns else ""
        parts.append("bands: in-kernel probe, a clock read%s" % resolution)
        if flags:
            parts.append("checked against the interpreter's own GIL flags")
    elif flags:
        parts.append("bands: the interpreter's own GIL flags (_remote_debugging), read at "
                     "%.0f Hz from outside; sleep, I/O and locks from /proc"
                     % run.flag_reading.requested_hz)
    elif run.sampler is not None:
        parts.append("bands: thread states sampled at %.0f Hz from outside; futex wait timed = "
                     "GIL, untimed = lock%s" % (run.sampler.achieved_hz, (
                         "; numpy = inside the kernel's marks" if view.native_sections else "")))
        if view.recorded_waits:
            parts.append("waits: the kernel's own timestamps")
    else:
        parts.append("bands: start and stop only (no probe, no sampler)")
    if run.sampler is not None and run.probe is not None:
        parts.append("sampler: %.0f Hz from outside the target" % run.sampler.achieved_hz)
    parts.append("run started %s" % run.started_at)
    return " · ".join(parts)

