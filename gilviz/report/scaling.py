"""The words of a speedup sweep: its table, the Amdahl fits, what limits
how many workers can run at once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..analysis.scaling import MIN_FIT_COUNTS
from ..log import Role
from .words import caveat_text
from .format import format_table, percent_cell, plural

if TYPE_CHECKING:
    from ..analysis.scaling import AmdahlFit, BackendScaling, Scaling, Spread
    from ..log import RoleName, Run


def fit_text(fit: AmdahlFit) -> str:
    """"98 % serial (almost all serial)", with a note when clipped."""
    notes = []
    if fit.almost_all_serial:
        notes.append("almost all serial")
    elif fit.almost_all_parallel:
        notes.append("almost all parallel")
    if fit.unclipped > 1:
        notes.append("more workers took longer than one: no parallel part at all")
    elif fit.unclipped < 0:
        notes.append("faster than even a fully parallel program would be")
    words = "%.0f %% serial" % (100 * fit.serial_fraction)
    return "%s (%s)" % (words, "; ".join(notes)) if notes else words


def left_out_text(backend: BackendScaling) -> str:
    """" (2 points left out: disturbed or not a speedup)", or nothing."""
    if not backend.left_out:
        return ""
    return " (%s left out: disturbed or not a speedup)" % plural(backend.left_out, "point")


def no_fit_text(backend: BackendScaling) -> str:
    """Why a backend (analysis.scaling.BackendScaling) has no Amdahl fit."""
    if backend.fit_counts == 0:
        return "no trusted point with 2+ workers running at once" + left_out_text(backend)
    return "%s with 2+ workers running at once; a fit needs %d%s" % (
        plural(backend.fit_counts, "trusted worker count"), MIN_FIT_COUNTS,
        left_out_text(backend))


def sweep_run_labels(runs: Sequence[Run]) -> list[str]:
    """"round 2 · 4 threads", "round 1 · serial baseline": each run of a
    sweep named by its configuration and how many times it ran before."""
    seen: dict[tuple[RoleName, str, int], int] = {}
    labels = []
    for run in runs:
        spec = run.spec
        what = "serial baseline" if spec.role == Role.BASELINE else spec.describe()
        if spec.role == Role.WARMUP:
            what = "warm-up · " + spec.describe()
        key = (spec.role, spec.backend, spec.workers)
        seen[key] = seen.get(key, 0) + 1
        labels.append("round %d · %s" % (seen[key], what))
    return labels


def _spread(spread: Spread | None, fmt: str) -> tuple[str, str]:
    if spread is None:
        return "", ""
    span = (fmt + "–" + fmt) % (spread.low, spread.high) if spread.count > 1 else ""
    return fmt % spread.median, span


def scaling_lines(scaling: Scaling) -> list[str]:
    """The terminal summary of a speedup sweep (analysis.scaling.sweep_scaling)."""
    lines = ["%s · %s · work %s · %s" % (
        scaling.kernel, plural(scaling.cores, "core"), format(scaling.work, ","),
        plural(scaling.rounds, "complete round"))]
    if scaling.baseline_wall_s is not None:
        median, span = _spread(scaling.baseline_wall_s, "%.3f")
        lines.append("serial baseline: %s s%s" % (median, " (%s)" % span if span else ""))
    lines.append("")
    rows = [["backend", "workers", "speedup", "min–max", "efficiency", "wall s", "min–max", ""]]
    flagged: list[str] = []
    for backend in scaling.backends:
        for point in backend.points:
            speedup = _spread(point.speedup, "%.2f")
            efficiency = percent_cell(point.efficiency.median) if point.efficiency else ""
            wall = _spread(point.wall_s, "%.3f")
            mark = ""
            if point.unexplained is not None:
                mark = "not a speedup (%d)" % (len(flagged) + 1)
                flagged.append("(%d) %s %d: %s" % (len(flagged) + 1, backend.backend,
                                                   point.workers, caveat_text(point.unexplained)))
            elif point.disturbed:
                mark = "disturbed"
            rows.append([backend.backend, "%d" % point.workers, speedup[0], speedup[1],
                         efficiency, wall[0], wall[1], mark])
    lines += format_table(rows, "<" + ">" * 6 + "<")
    lines += flagged
    lines.append("")
    for backend in scaling.backends:
        if backend.fit is None:
            lines.append("Amdahl fit, %s: none (%s)" % (backend.backend, no_fit_text(backend)))
        else:
            lines.append("Amdahl fit, %s: %s; rms error %.2f× over %s%s" % (
                backend.backend, fit_text(backend.fit), backend.fit.rms_error,
                plural(backend.fit.points, "worker count"), left_out_text(backend)))
    if scaling.cpu_share is not None:
        lines.append("the serial run kept %.1f%% of a core busy: %s, at most %.1f workers can "
                     "run at once on %s" % (
                         100 * scaling.cpu_share,
                         "CPU-bound" if scaling.cpu_bound else "it mostly waits",
                         scaling.capacity, plural(scaling.cores, "core")))
    lines += ["warning: %s" % caveat_text(each) for each in scaling.warnings]
    lines += ["note: %s" % caveat_text(each) for each in scaling.notes]
    return lines
