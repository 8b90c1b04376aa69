"""The terminal summary of a program's run or of a process attached to:
the run summary with the threads named, how exact the sampled states are,
and the program's exit status."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .summary import summary_sections

if TYPE_CHECKING:
    from ..analysis.summary import RunStats
    from ..log import Run


def resolution_line(run: Run) -> str:
    """How exact the bands are: the interpreter's own flags, read ~1/Hz
    apart, or samples of a thread ~1/achieved Hz apart."""
    reading = run.flag_reading
    if reading is not None and reading.reads and run.gil_flags is not None \
            and len(run.gil_flags.t_ns):
        return ("states from the interpreter's own GIL flags, read about every %.1f ms: "
                "holding it, waiting for it and native code read, not inferred; sleep, I/O "
                "and locks from /proc" % (1e3 / reading.requested_hz))
    hz = run.sampler.achieved_hz if run.sampler else 0
    if not hz:
        return "no samples: nothing is known of the threads' states"
    return ("states sampled from outside at %.0f Hz: each known to about %.1f ms; "
            "hand-offs and failed wake-ups only where the samples caught them"
            % (hz, 1e3 / hz))


def program_lines(run: Run, stats: RunStats, exit_status: int | None = None) -> list[str]:
    """The run's summary with the program's exit status and how exact its
    states are after its figures, before how it was measured (at the end
    where the summary says nothing of that)."""
    sections = summary_sections(run, stats)
    ending = [] if exit_status is None else ["the program exited with status %d" % exit_status]
    told = ending + [resolution_line(run)]
    if sections.measurement is None:
        return sections.lines() + told
    return sections._replace(figures=sections.figures + told).lines()
