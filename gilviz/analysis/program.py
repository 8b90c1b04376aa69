"""A program's run (`gilviz run`, `gilviz attach`): what its threads did,
from the sampler alone, and the GIL hand-offs and failed wake-ups the
samples show.

Without a probe, who holds a GIL is told from the samples of the threads
under it. Where exactly one of them is on a CPU, it holds the GIL: the
others wait for it or for something else. Where several are, the one that
held it before still holds it if it is among them, and the others woke up
and run without it: those that went back to waiting for the GIL by their
next sample are failed wake-ups. A hand-off is a change of holder. Several
on a CPU without the previous holder among them (code running without the
GIL, such as hashing a large buffer) tell nothing, and the holder stays as
it was.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from ..log import EXIT_STATUS, Run
from .caveats import TimedWaitsAsGil
from .flags import flag_turns
from .runs import gil_of_workers, shares_gil
from .sampled import sample_states, without_gil
from .states import ON_A_CPU, WAIT_CPU, WAIT_GIL
from .summary import RunStats, summarize

PROGRAM_KINDS = ("script", "module", "attach")
"""RunSpec.kernel of a program's run: a script, a module (-m), a running process."""
def exit_status_of(run: Run) -> int | None:
    """A program run's exit status; None for a process attached to."""
    for worker in run.workers:
        if worker.result and EXIT_STATUS in worker.result:
            status: int = worker.result[EXIT_STATUS]
            return status
    return None


class SampledTurns(NamedTuple):
    handoff_ns: NDArray[np.int64]
    """When a GIL changed hands, as the samples show it."""
    failed: NDArray[np.int64]
    """Rows of run.threads that caught a failed wake-up."""


def program_states(run: Run) -> NDArray[np.int8]:
    """The band state of each of run.threads' samples (sampled.sample_states)."""
    return without_gil(sample_states(run.threads), run.interpreter.gil_enabled)


def sampled_turns(run: Run, states: NDArray[np.int8] | None = None) -> SampledTurns:
    """The hand-offs and failed wake-ups that run.threads show (see above);
    none where no GIL is shared."""
    states = program_states(run) if states is None else states
    samples = run.threads
    # A thread the OS keeps off a CPU (WAIT_CPU) while runnable keeps the
    # GIL it held: preemption is no hand-off.
    on_cpu = np.isin(states, ON_A_CPU + (WAIT_CPU,))
    handoffs: list[int] = []
    failed: list[int] = []
    if not run.interpreter.gil_enabled:
        return SampledTurns(np.zeros(0, np.int64), np.zeros(0, np.int64))
    gil = gil_of_workers(run)
    for pid in set(gil.values()):
        members = [index for index, owner in gil.items() if owner == pid]
        if len(members) < 2:
            continue
        rows = np.flatnonzero(np.isin(samples.worker, members))
        rows = rows[np.argsort(samples.t_ns[rows], kind="stable")]
        next_state = _next_state_of_worker(samples.worker, rows, states)
        running: set[int] = set()
        holder: int | None = None
        for position, row in enumerate(rows.tolist()):
            worker = int(samples.worker[row])
            (running.add if on_cpu[row] else running.discard)(worker)
            if len(running) == 1:
                (only,) = running
                if holder is not None and only != holder:
                    handoffs.append(int(samples.t_ns[row]))
                holder = only
            elif holder in running and worker != holder and on_cpu[row] \
                    and next_state[position] == WAIT_GIL:
                failed.append(row)
    return SampledTurns(np.sort(np.asarray(handoffs, np.int64)), np.asarray(failed, np.int64))


def with_flag_turns(run: Run, stats: RunStats) -> RunStats:
    """`stats` with the hand-offs, median turn and failed wake-ups the GIL
    flags show: read, not inferred."""
    turns = flag_turns(run)
    shared = any(shares_gil(run).values())
    return stats._replace(
        handoffs=len(turns.handoff_ns) if shared else None,
        median_turn_ns=int(np.median(turns.turn_ns)) if shared and len(turns.turn_ns) else None,
        workers=tuple(w._replace(failed_acquisitions=turns.failed[w.index] if shared else None)
                      for w in stats.workers))


def _next_state_of_worker(worker: NDArray[np.int32], rows: NDArray[np.intp],
                          states: NDArray[np.int8]) -> NDArray[np.int64]:
    """For each of `rows` (in time order), the state of the same worker's
    next sample among them; -1 for its last."""
    following = np.full(len(rows), -1, np.int64)
    last_seen: dict[int, int] = {}
    for position in range(len(rows) - 1, -1, -1):
        index = int(worker[rows[position]])
        if index in last_seen:
            following[position] = states[rows[last_seen[index]]]
        last_seen[index] = position
    return following


def summarize_program(run: Run) -> RunStats:
    """summarize(run) with the hand-offs, median turn and failed wake-ups the
    interpreter's GIL flags (3.15+) or else the samples show, and the caveat
    of telling a GIL wait from outside where it is told so."""
    stats = summarize(run)
    if run.gil_flags is not None and len(run.gil_flags.t_ns):
        return with_flag_turns(run, stats)
    if run.sampler is None or not len(run.threads.t_ns):
        return stats
    states = program_states(run)
    turns = sampled_turns(run, states)
    shared = run.interpreter.gil_enabled and any(
        list(gil_of_workers(run).values()).count(pid) > 1 for pid in {w.pid for w in run.workers})
    failed_of = {w.index: int(np.count_nonzero(run.threads.worker[turns.failed] == w.index))
                 for w in run.workers}
    notes = stats.notes
    if np.any(states == WAIT_GIL):
        notes += (TimedWaitsAsGil(),)
    turn_lengths = np.diff(turns.handoff_ns)
    return stats._replace(
        handoffs=len(turns.handoff_ns) if shared else None,
        median_turn_ns=int(np.median(turn_lengths)) if len(turn_lengths) else None,
        failed_samples=turns.failed,
        workers=tuple(w._replace(failed_acquisitions=failed_of[w.index] if shared else None)
                      for w in stats.workers),
        notes=notes,
    )
