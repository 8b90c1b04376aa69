"""The words of a comparison of two sides (A and B): what tells them apart,
what they share, and the verdict."""

from __future__ import annotations

from ..analysis import faster_side
from .format import (count_cell, format_duration, format_interval, format_table, format_times,
                     percent_cell)
from .summary import caveat_lines
from .words import cores_label, cores_phrase, interpreter_label

# The RunSpec field that differs between the two sides, named for titles and
# for directory names.
DIMENSION_NAMES = {"cores": "cores", "switch_interval_s": "switch interval",
                   "python": "interpreter"}
DIMENSION_SLUGS = {"cores": "cores", "switch_interval_s": "switch-interval", "python": "python"}


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
            medians += " (the median of the counts; the table's are the median run's)"
    if walls.pairs > 1:
        medians = "median of %d runs each: %s" % (walls.pairs, medians)
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


def compare_lines(compared, dimension, repeats):
    """The terminal summary of a comparison (analysis.ComparedRuns): a row a
    side, then the verdict."""
    a, b = compared.a, compared.b
    labels = side_labels(a.shown, b.shown, dimension)
    lines = [" · ".join([comparison_title(a.shown, b.shown, dimension)]
                        + fixed_facts(a.shown, dimension))]
    if repeats > 1:
        lines.append("%d runs of each side, alternately; the median run of each in detail:"
                     % repeats)
    lines.append("")
    rows = [["side", "", "wall", "hand-offs", "median turn", "held GIL, by worker"]]
    for name, label, side in (("A", labels[0], a), ("B", labels[1], b)):
        stats = side.stats
        rows.append([name, label, "%.3f s" % (stats.wall_ns / 1e9),
                     count_cell(stats.handoffs),
                     "" if stats.median_turn_ns is None or stats.handoffs is None
                     else format_duration(stats.median_turn_ns),
                     " ".join(percent_cell(w.hold_share) for w in stats.workers)])
    lines += format_table(rows, "<<>><<")
    lines.append("")
    lines.append("verdict: %s\n         (%s)" % verdict(labels[0], labels[1], compared.sides))
    for name, side in (("A", a), ("B", b)):
        lines += caveat_lines(side.stats, name)
    return lines
