"""The words of a comparison of sides (A, B, up to D): what tells them
apart, what they share, and the verdict."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, overload

from ..analysis import NO_GIL, core_count, faster_side, gil_kind, ideal_ratio
from .format import (count_cell, format_duration, format_table, format_times, percent_cell,
                     plural)
from .battle import battle_text
from .words import (caveat_text, cores_label, cores_phrase, gil_name, interpreter_label, labelled,
                    switch_interval_label, unexplained_speedup)

if TYPE_CHECKING:
    from ..analysis.compare import ComparedRuns, Comparison, Side, SideBySide
    from ..log import Run
    from .words import Caveat, Said, Worded

# The RunSpec field that differs between the two sides, named for titles and
# for directory names.
DIMENSION_NAMES = {"cores": "cores", "switch_interval_s": "switch interval",
                   "python": "interpreter", "backend": "backend"}
DIMENSION_SLUGS = {"cores": "cores", "switch_interval_s": "switch-interval", "python": "python",
                   "backend": "backend"}


SIDE_NAMES = "ABCD"


def side_labels(runs: Sequence[Run], dimension: str, short: bool = False) -> list[str]:
    """What tells the sides apart, in words, from what the targets reported
    (one run a side); `short` leaves out what a title names already
    ("switch interval"). Interpreters are named with their lock."""
    if dimension == "cores":
        return [cores_label(run) for run in runs]
    if dimension == "backend":
        return [run.spec.describe() for run in runs]
    if dimension == "switch_interval_s":
        suffix = "" if short else " switch interval"
        return [switch_interval_label(run) + suffix for run in runs]
    labels = [interpreter_label(run) for run in runs]
    if len(set(labels)) < len(labels):  # the same version twice: tell them by path
        return [run.interpreter.executable for run in runs]
    if short:
        return labels
    return ["%s, %s" % (label, gil_name(run)) for label, run in zip(labels, runs)]


def comparison_title(runs: Sequence[Run], dimension: str) -> str:
    """"countdown · 4 threads · cores: 1 core (0) vs 2 cores (0-1)", or of
    backends "pi · 2 threads vs 2 processes"."""
    first = runs[0]
    sides = " vs ".join(side_labels(runs, dimension, short=True))
    if dimension == "backend":
        return "%s · %s" % (first.spec.kernel, sides)
    return "%s · %s · %s: %s" % (first.spec.kernel, first.spec.describe(),
                                 DIMENSION_NAMES[dimension], sides)


def fixed_facts(run: Run, dimension: str) -> list[str]:
    """Where both sides of a comparison ran alike: the interpreter, cores and
    switch interval, leaving out the varied dimension."""
    facts = []
    if dimension != "python":
        facts.append(interpreter_label(run))
    if dimension != "cores":
        facts.append(cores_phrase(run))
    if dimension != "switch_interval_s" and run.spec.switch_interval_s is not None:
        facts.append("%s switch interval" % switch_interval_label(run))
    return facts


def _pairs(count: int) -> str:
    return "both pairs" if count == 2 else "all %d pairs" % count


def verdict(label_a: str, label_b: str, sides: SideBySide) -> tuple[str, str]:
    """(headline, detail): which side was faster, by how much, and how the
    hand-offs compare; then the medians and the spread behind it. The
    headline speaks of B where B was faster, of A otherwise."""
    walls = sides.walls
    medians = "wall %.3f s vs %.3f s" % (walls.run_wall_ns / 1e9, walls.baseline_wall_ns / 1e9)
    a, b = sides.handoffs_a, sides.handoffs_b
    if sides.handoff_ratio is not None and a is not None and b is not None:  # a ratio has both
        medians += ", %s vs %s hand-offs" % (format(round(a), ","), format(round(b), ","))
        if walls.pairs > 1:
            medians += " (the median of the counts; the table's are the median run's)"
    if walls.pairs > 1:
        medians = "the median of %d paired ratios; median of %d runs each: %s" % (
            walls.pairs, walls.pairs, medians)
    faster = faster_side(walls)
    handoff_ratio = sides.handoff_ratio
    if walls.pairs == 1:
        headline = "%s took %s the time of %s" % (label_a, format_times(walls.ratio), label_b)
        detail = "%s; one pair, so the noise is unknown" % medians
    elif faster == "a":
        headline = "%s was %s faster than %s" % (label_a, format_times(1 / walls.ratio), label_b)
        detail = "%s; %s agree: %s–%s" % (
            medians, _pairs(walls.pairs), format_times(1 / walls.high),
            format_times(1 / walls.low))
    elif faster == "b":
        headline = "%s was %s faster than %s" % (label_b, format_times(walls.ratio), label_a)
        detail = "%s; %s agree: %s–%s" % (
            medians, _pairs(walls.pairs), format_times(walls.low), format_times(walls.high))
        handoff_ratio = 1 / handoff_ratio if handoff_ratio else None
    else:
        headline = "no clear winner: %s took %s the time of %s" % (
            label_a, format_times(walls.ratio), label_b)
        detail = "%s; the %d pairs range %s–%s" % (
            medians, walls.pairs, format_times(walls.low), format_times(walls.high))
    if handoff_ratio is not None:
        headline += ", with %s the GIL hand-offs" % format_times(handoff_ratio)
    return headline, detail


def _gil_owner(run: Run) -> str:
    """"the old GIL's", "the new GIL's", "without a GIL": a side named by its lock."""
    kind = gil_kind(run.interpreter)
    return "without a GIL" if kind == NO_GIL else "the %s's" % gil_name(run)


def serial_ratios(sides: Sequence[Side]) -> list[Comparison] | None:
    """Each side against its own serial runs, in the sides' order; None
    unless every side has them."""
    ratios = [side.against_serial for side in sides if side.against_serial is not None]
    return ratios if len(ratios) == len(sides) else None


def serial_verdict(compared: ComparedRuns, labels: Sequence[str],
                   serials: Sequence[Comparison]) -> tuple[str, str]:
    """(headline, detail) of sides each measured against its own serial runs
    (`serials`: a comparison of interpreters): each side's ratio to its serial time,
    named by its lock where the locks differ; without a GIL, the best the
    cores allow beside it. Only figures of this comparison."""
    sides = compared.sides
    runs = [side.shown for side in sides]
    by_lock = len({gil_kind(run.interpreter) for run in runs}) == len(runs)
    by_backend = len({run.spec.backend for run in runs}) == len(runs)
    workers = runs[0].spec.describe()
    parts = []
    for number, (side, label, serial) in enumerate(zip(sides, labels, serials)):
        ratio = format_times(serial.ratio)
        if unexplained_speedup(side.stats) is not None:
            ratio += " (not a speedup: see %s's warning)" % SIDE_NAMES[number]
        if by_backend:
            parts.append("%s took %s the serial time" % (label, ratio) if number == 0
                         else "%s %s" % (label, ratio))
        elif by_lock:
            owner = _gil_owner(side.shown)
            parts.append("%s %s took %s the serial time" % (owner, workers, ratio)
                         if number == 0 else "%s %s" % (owner, ratio))
        else:
            parts.append("%s: %s" % (label, ratio))
    headline = "; ".join(parts)
    if not by_lock and not by_backend:
        headline = "%s took, of the serial time: %s" % (workers, headline)
    free = [side.shown for side in sides if not side.shown.interpreter.gil_enabled]
    if free:
        ideal = ideal_ratio(free[0].spec.workers, core_count(free[0].interpreter))
        headline += " (the best on %s: %s)" % (plural(ideal.parallel, "core"),
                                               format_times(ideal.ratio))
    rounds = min(serial.pairs for serial in serials)
    spread = ", ".join("%s %s–%s" % (SIDE_NAMES[number], format_times(serial.low),
                                     format_times(serial.high))
                       for number, serial in enumerate(serials))
    if by_backend:
        one, many = "the serial run of the same work", "the serial runs of the same work"
    else:
        one, many = "a serial run of its own interpreter", "serial runs of its own interpreter"
    if rounds == 1:
        detail = "each against %s; one round, so the noise is unknown" % one
    else:
        detail = "each against %s, median of %d paired ratios; ranges %s" % (many, rounds,
                                                                             spread)
    return headline, detail


def side_verdict(compared: ComparedRuns, labels: Sequence[str]) -> tuple[str, str]:
    """(headline, detail): against each side's serial runs where it has
    them, else A against B (two sides)."""
    serials = serial_ratios(compared.sides)
    if serials is not None:
        return serial_verdict(compared, labels, serials)
    assert compared.pairwise is not None  # sides without serial runs are two, compared pairwise
    return verdict(labels[0], labels[1], compared.pairwise)


def handoff_cell(side: Side) -> str:
    """Hand-offs of a side's shown run: a count, "none (no GIL)", or ""."""
    if not side.shown.interpreter.gil_enabled and side.shown.spec.backend != "serial":
        return "none (no GIL)"
    return count_cell(side.stats.handoffs)


@overload
def side_caveats(sides: Sequence[Side], kind: str) -> list[str]: ...
@overload
def side_caveats(sides: Sequence[Side], kind: str,
                 words: Callable[[Caveat], Said]) -> list[Said]: ...
def side_caveats(sides: Sequence[Side], kind: str,
                 words: Callable[[Caveat], str | Worded] = caveat_text
                 ) -> Sequence[str | Worded]:
    """The caveats of `kind` ("warnings" or "notes") of every side, in
    words (`words`: caveat_text, or worded for a chart): one that every
    side has (their shared serial runs', say) once, the others each with
    its side's name ("A: ...")."""
    each = [getattr(side.stats, kind) for side in sides]
    shared = [caveat for caveat in each[0] if all(caveat in others for others in each[1:])]
    texts = [words(caveat) for caveat in shared]
    for name, caveats in zip(SIDE_NAMES, each):
        texts += [labelled(name, words(caveat)) for caveat in caveats if caveat not in shared]
    return texts


def compare_lines(compared: ComparedRuns, dimension: str, repeats: int) -> list[str]:
    """The terminal summary of a comparison (analysis.ComparedRuns): a row a
    side, then the verdict."""
    sides = compared.sides
    runs = [side.shown for side in sides]
    labels = side_labels(runs, dimension)
    lines = [" · ".join([comparison_title(runs, dimension)] + fixed_facts(runs[0], dimension))]
    if repeats > 1:
        lines.append("%d rounds of every side; the median run of each in detail:" % repeats)
    lines.append("")
    serials = serial_ratios(sides)
    rows = [["side", "", "wall"] + (["÷ serial"] if serials is not None else [])
            + ["hand-offs", "median turn", "running Python, by worker"]]
    for number, (name, label, side) in enumerate(zip(SIDE_NAMES, labels, sides)):
        stats = side.stats
        rows.append([name, label, "%.3f s" % (stats.wall_ns / 1e9)]
                    + ([format_times(serials[number].ratio)] if serials is not None else [])
                    + [handoff_cell(side),
                       "" if stats.median_turn_ns is None or stats.handoffs is None
                       else format_duration(stats.median_turn_ns),
                       " ".join(percent_cell(w.hold_share) for w in stats.workers)])
    lines += format_table(rows, "<<>" + (">" if serials is not None else "") + ">><")
    lines += ["%s: %s" % (name, battle_text(side.stats.battle))
              for name, side in zip(SIDE_NAMES, sides) if side.stats.battle is not None]
    lines.append("")
    lines.append("verdict: %s\n         (%s)" % side_verdict(compared, labels))
    lines += ["warning: " + text for text in side_caveats(sides, "warnings")]
    lines += ["note: " + text for text in side_caveats(sides, "notes")]
    return lines
