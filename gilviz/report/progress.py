"""Progress of a job in words: a line a run, with the time left; how long
the run under way has taken; the frames of an animation drawn so far.

Written by the orchestrator (before each run, and from a thread of its own
while one runs), never by a measured target.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..log import Role
from .convoy import convoy_case_label
from .format import format_duration
from .words import workload_label

if TYPE_CHECKING:
    from ..api.session import Progress
    from ..log import RunSpec


def describe_run(spec: RunSpec) -> str:
    """How a run is announced: "countdown 4 threads, work 10,000,000"."""
    if spec.kernel == "convoy":
        return "convoy, " + convoy_case_label(spec)
    if spec.kernel in ("script", "module", "attach"):  # no share of work to speak of
        return workload_label(spec)
    what = "serial baseline" if spec.role == Role.BASELINE else spec.describe()
    if spec.role in Role.SIDES:
        what += ", side %s" % spec.role.upper()
    return "%s %s, work %s" % (workload_label(spec), what, format(spec.work, ","))


def progress_line(progress: Progress, round_number: int | None = None) -> str:
    """"gilviz: run 3/10 · round 1/3: countdown 2 threads, work 10,000,000 · ETA 8 s"
    for an api.session.Progress; `round_number` (0 for a warm-up) for a sweep."""
    where = ""
    if progress.sweep is not None and round_number is not None:
        where = " · %s" % ("warm-up" if round_number == 0 else
                           "round %d/%d" % (round_number, progress.sweep.repeat))
    eta = ("" if progress.eta_s is None or progress.eta_s < 1
           else " · ETA %s" % format_duration(progress.eta_s * 1e9))
    quiet = ""
    if progress.other_cores is not None:
        quiet = " · other processes used %.1f cores before it" % max(progress.other_cores, 0.0)
    return "gilviz: run %d/%d%s: %s%s%s" % (progress.index + 1, progress.total, where,
                                            describe_run(progress.spec), eta, quiet)


def running_line(progress: Progress, elapsed_s: float) -> str:
    """"gilviz: run 2/6 · 12 s of ~30 s": how long the run `progress`
    announced has taken, against what it should take where that is known
    ("40 s, ~30 s expected" once past it)."""
    elapsed = format_duration(elapsed_s * 1e9)
    expected = progress.expected_s
    if expected is None or expected < 1:
        told = elapsed
    elif elapsed_s <= expected:
        told = "%s of ~%s" % (elapsed, format_duration(expected * 1e9))
    else:
        told = "%s, ~%s expected" % (elapsed, format_duration(expected * 1e9))
    return "gilviz: run %d/%d · %s" % (progress.index + 1, progress.total, told)


def frames_line(done: int, total: int, elapsed_s: float) -> str:
    """"gilviz: frame 40/100 of the animation · 4.1 s"."""
    return "gilviz: frame %d/%d of the animation · %s" % (done, total,
                                                          format_duration(elapsed_s * 1e9))
