"""The header every figure shares: title, lines of facts, warnings and
notes, legend; and the footnote saying where the data come from."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.text import Text

from ..report.words import Worded
from . import palette
from .textfit import packed, width_of

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.figure import Figure

    from ..analysis.summary import RunStats
    from ..analysis.views import TimelineView
    from ..log import Run

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
"""About this many characters of warnings fit a line at their type size:
the first guess, before the layout measures them (CaveatText.fit)."""
WARNING_LEAD, NOTE_LEAD = "⚠ ", "note: "
JOIN = "; "


def as_worded(said: Worded | str) -> Worded:
    """A caveat's words as Worded; a plain string is its own short form."""
    return said if isinstance(said, Worded) else Worded(said, said)


class CaveatText(Text):
    """The header's warnings and notes, "⚠ " first (or "note: "), joined by
    "; ", each caveat whole on its line: in full where the lines allow, in
    its short form (report.words.CAVEAT_SHORT) where the full one does not
    fit a line or would take more than `rows` lines. Never cut: where even
    the short forms take more lines, it takes them. fit() words it for a
    width in pixels; until then it is worded for WARNING_CHARACTERS."""

    def __init__(self, x: float, y: float, warnings: Iterable[Worded | str],
                 notes: Iterable[Worded | str] = (), rows: int = 2, **kwargs: Any) -> None:
        super().__init__(x, y, "", **kwargs)
        self.caveats = [as_worded(each) for each in warnings]
        self.notes = [as_worded(each) for each in notes]
        self.rows = rows
        self.limit: int | None = None
        """At most this many lines, where the panels need the room (fewer_lines)."""
        self.set_text("\n".join(self.lines(lambda line: len(line), WARNING_CHARACTERS)))

    def parts(self, short: Collection[int], kept: int | None = None) -> list[str]:
        """Each caveat's words, the ones numbered in `short` in short form,
        with the leads and joins they are written with; only the first
        `kept`, if given, and then how many more the summary gives."""
        said = [each.short if number in short else each.full
                for number, each in enumerate(self.caveats + self.notes)]
        more = []
        if kept is not None:
            left_out = [number >= len(self.caveats) for number in range(kept, len(said))]
            said = said[:kept]
            more = [more_in_summary(left_out.count(False), left_out.count(True), kept > 0)]
        parts = []
        for number, words in enumerate(said + more):
            if number == 0:
                words = (WARNING_LEAD if self.caveats else NOTE_LEAD) + words
            elif number == len(self.caveats) and self.caveats and number < len(said):
                words = NOTE_LEAD + words
            parts.append(words + (JOIN if number < len(said) + len(more) - 1 else ""))
        return parts

    def lines(self, measure: Callable[[str], float], width: float) -> list[str]:
        """The lines of caveats for `width` (in `measure`'s unit)."""
        count = len(self.caveats) + len(self.notes)
        if not count:
            return []
        rows = self.rows if self.limit is None else min(self.rows, self.limit)
        short: set[int] = set()
        while True:
            parts = self.parts(short)
            wide = [number for number, part in enumerate(parts)
                    if number not in short and measure(part.rstrip()) > width]
            lines = packed(parts, width, measure)
            if not wide and len(lines) <= rows:
                return lines
            full = [number for number in range(count) if number not in short]
            if not full:
                break
            # The widest caveat not yet short goes short: the one that
            # overflows a line first, else the longest.
            short.add(max(wide or full, key=lambda number: measure(parts[number])))
        if self.limit is None or len(lines) <= self.limit:
            return lines
        for kept in range(count - 1, -1, -1):  # the last ones counted instead
            lines = packed(self.parts(short, kept), width, measure)
            if len(lines) <= self.limit:
                break
        return lines

    def fewer_lines(self, pixels: float = 0.0) -> bool:
        """Give up lines, down to one, for the panels' sake: as many as
        `pixels` take, one at least; whether it could."""
        lines = self.get_text().split("\n")
        if len(lines) <= 1:
            return False
        line = self.get_window_extent().height / len(lines)
        self.limit = max(1, len(lines) - max(1, int(np.ceil(pixels / max(line, 1)))))
        return True

    def fit(self, width: float, renderer: RendererAgg) -> None:
        """Word the caveats for `width` pixels."""
        self.set_text("\n".join(self.lines(
            lambda line: width_of(self, line, renderer), width)))


def more_in_summary(warnings: int, notes: int, after_others: bool = True) -> str:
    """"2 more warnings and a note in the summary": what a line of caveats
    that the panels need the room of leaves to the summary."""
    said = []
    if warnings:
        said.append("%d %swarning%s" % (warnings, "more " if after_others else "",
                                        "" if warnings == 1 else "s"))
    if notes:
        said.append("a note" if notes == 1 else "%d notes" % notes)
    return "%s in the summary" % " and ".join(said)


def caveat_lines(warnings: Iterable[Worded | str], notes: Iterable[Worded | str] = (),
                 rows: int = 2, characters: int = WARNING_CHARACTERS) -> list[str]:
    """The lines CaveatText words the caveats in for `characters` a line."""
    return CaveatText(0, 0, warnings, notes, rows).lines(len, characters)


def header_bottom(fact_lines: int, legend_entries: int, legend_columns: int,
                  warning_count: int = 1) -> float:
    """Where the header that draw_header draws ends (a figure fraction), so
    that a figure can start its panels below it; `warning_count` lines of
    warnings (one has its room anyway)."""
    rows = -(-legend_entries // legend_columns)
    return (0.918 - HEADER_LINE * fact_lines - 0.022 - LEGEND_ROW * rows
            - WARNING_LINE * max(0, warning_count - 1))


def draw_header(figure: Figure, title: str, facts: str | Sequence[str],
                warnings: Sequence[Worded | str], handles: Sequence[Artist], left: float = 0.09,
                legend_columns: int = 4, notes: Sequence[Worded | str] = (),
                warning_rows: int = 1) -> CaveatText | None:
    """Title, lines of facts (a string or a list), warnings and notes (if
    any: report.words.Worded or strings, a CaveatText of `warning_rows`
    lines where the full words fit) and the legend, at the top. Each line of
    facts after the first moves the rest down by HEADER_LINE, each line of
    warnings after the first by WARNING_LINE. Returns the CaveatText, or None."""
    facts = [facts] if isinstance(facts, str) else facts
    # About TITLE_CHARACTERS fit the width at 28 pt: a longer title gets smaller type.
    size = min(28, 28 * TITLE_CHARACTERS / max(len(title), 1))
    figure.text(left, 0.975, title, fontsize=size, fontweight="bold", color=palette.INK, va="top")
    y = 0.918
    for number, line in enumerate(facts):  # the first line in larger type
        figure.text(left, y, line, fontsize=17 if number == 0 else 15, color=palette.INK, va="top")
        y -= HEADER_LINE
    said = None
    if warnings or notes:
        said = CaveatText(left, y + 0.002, warnings, notes, warning_rows, fontsize=14, va="top",
                          linespacing=1.3, color=palette.VERMILLION if warnings else palette.MUTED,
                          transform=figure.transFigure)
        figure.add_artist(said)
        y -= WARNING_LINE * (len(said.get_text().split("\n")) - 1)
    figure.legend(handles=handles, loc="upper left", bbox_to_anchor=(left - 0.005, y - 0.022),
                  ncol=legend_columns, fontsize=13, handlelength=1.6, columnspacing=1.4,
                  borderpad=0.2, borderaxespad=0.2)
    return said


def wrap_facts(facts: Iterable[str], width: int = FACT_CHARACTERS) -> list[str]:
    """Facts joined by " · " into lines of at most `width` characters, a
    fact never split."""
    lines: list[str] = []
    for fact in facts:
        if lines and len(lines[-1]) + 3 + len(fact) <= width:
            lines[-1] += " · " + fact
        else:
            lines.append(fact)
    return lines


def provenance(run: Run, stats: RunStats, view: TimelineView) -> str:
    """A footnote: where the bands and the CPU data come from, how exact."""
    parts = []
    flags = run.gil_flags is not None and len(run.gil_flags.t_ns) > 0
    if run.probe is not None:
        resolution = " every %.0f µs" % (stats.resolution_ns / 1e3) if stats.resolution_ns else ""
        parts.append("bands: in-kernel probe, a clock read%s" % resolution)
        if flags:
            parts.append("checked against the interpreter's own GIL flags")
    elif flags:
        reading = run.flag_reading
        assert reading is not None  # the flags come with their reading
        parts.append("bands: the interpreter's own GIL flags (_remote_debugging), read at "
                     "%.0f Hz from outside; sleep, I/O and locks from /proc"
                     % reading.requested_hz)
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

