"""A run summed up: figures a worker and run-wide, with the caveats of the
measurement (run_caveats), as typed records; report puts them into words.

summarize works out once what a run's records show (Evidence: the placed
holds and their gaps, the samples' bands, the turns...), then builds from
it each worker's row, the run's figures and its caveats.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numpy.typing import NDArray

from ..log import Holds, Run
from .flags import FlagAgreement, GilCode, flag_agreement, gil_code
from .gaps import Acquisitions, Gaps, failed_acquisitions, probe_resolution_ns, worker_gaps
from .interpreters import OLD_GIL, Battle, gil_kind, old_gil_battle
from .intervals import handoff_times, overlap_ns, time_at_depth, turn_lengths
from .keyed import lookup, sums_by
from .pi import PiEstimate, pi_estimate
from .placement import probe_holds
from .run_caveats import run_caveats
from .runs import gil_of_workers, longest_sample_ns, shares_gil, stop_by_worker, wall_ns
from .sampled import mean_parallelism, parallelism_steps, run_segments
from .sharing import Sharing, sharing
from .states import UNCLEAR, WAIT_CPU, WAIT_GIL, Segments, time_by_state
from .waits import Waits, WaitStats, wait_spans, wait_stats, waiting_share

if TYPE_CHECKING:
    from .caveats import Caveat


class WorkerStats(NamedTuple):
    # The field hides tuple.index(), which mypy reports; it is the name every
    # reader uses for a worker's number, as in log.Worker.
    index: int  # type: ignore[assignment]
    wall_ns: int | None
    """From the release to the worker's stop."""
    cpu_ns: int | None
    held_ns: int | None
    """Time the probe saw it running; None without the probe."""
    wait_gil_ns: int | None
    wait_cpu_ns: int | None
    unclear_ns: int | None
    hold_share: float | None
    """held_ns over the run's wall time."""
    failed_acquisitions: int | None
    """Sampled wake-ups that did not get the GIL; None without probe or sampler."""
    error: str | None
    sampled_ns: dict[int, int] | None = None
    """Without the probe: time in each band state (RUNNING, NATIVE, ...) as
    the sampler saw it, from the release to the worker's stop."""
    waiting_share: float | None = None
    """Share of the run's wall time in which the kernel recorded a wait of
    this worker (waits.WAIT_MARKS); None if it recorded none."""


class RunStats(NamedTuple):
    wall_ns: int
    """From the release to the last worker's stop."""
    cpu_ns: int
    """Sum of the workers' thread CPU times."""
    handoffs: int | None
    """GIL hand-offs between workers; None where no two workers share a GIL."""
    median_turn_ns: int | None
    """Median length of a turn: a worker's holds between two hand-offs of
    its GIL; None where no two workers share a GIL."""
    overlap_ns: int | None
    """Time during which two or more workers ran at once: from the probe, or
    without it, workers on two or more CPUs at once as sampled."""
    resolution_ns: float | None
    """Mean time between two probe clock reads: how exact hold edges are."""
    probe_agreement: float | None
    """Share of samples taken inside a hold that found the thread on a CPU."""
    failed_samples: NDArray[np.intp]
    """Rows of run.threads that caught a failed acquisition."""
    workers: tuple[WorkerStats, ...]
    warnings: tuple[Caveat, ...]
    """Where the measurement is degraded: caveat records (analysis.caveats)."""
    notes: tuple[Caveat, ...]
    """Minor caveats, still worth saying (a little time not explained)."""
    parallelism: float | None = None
    """Without the probe: mean number of workers on a CPU at once from the
    release to the last stop, over the time sampled (parallelism_steps)."""
    waits: tuple[WaitStats, ...] = ()
    """WaitStats of each kind of wait the kernel recorded, most frequent first."""
    pi: PiEstimate | None = None
    """The PiEstimate of a pi run, else None."""
    sharing: Sharing | None = None
    """sharing.Sharing of a run whose workers shared their counts (pi --share), else None."""
    battle: Battle | None = None
    """The old GIL's fight (interpreters.Battle) where its threads shared it, else None."""
    gil_code: GilCode | None = None
    """Which code held the GIL and which waited (flags.GilCode), from the
    interpreter's own flags (3.15+); None without them."""
    flag_agreement: FlagAgreement | None = None
    """How often the probe's holds and the interpreter's own flags agree
    (flags.FlagAgreement); None unless the run had both."""


class Evidence(NamedTuple):
    """What a run's records show, worked out once for the run's figures, its
    workers' and its caveats, which all draw on it."""

    wall_ns: int
    """From the release to the last worker's stop."""
    holds: Holds
    """The probe's holds, each gap's own chunk placed (placement.probe_holds)."""
    gaps: Gaps | None
    """The gaps between them, classified (gaps.worker_gaps); None without the probe."""
    resolution_ns: float | None
    """gaps.probe_resolution_ns, the I/O workers left out."""
    acquisitions: Acquisitions | None
    """The samples checked against the probe's holds; None without both."""
    segments: Segments | None
    """The sampled bands (sampled.run_segments); None with the probe or without samples."""
    parallel: tuple[NDArray[np.int64], NDArray[np.int64]] | None
    """The sampled workers on a CPU at once (sampled.parallelism_steps), where segments are."""
    waits: Waits
    """The waits the kernel recorded itself."""
    turns_ns: NDArray[np.int64] | None
    """Lengths of the GIL turns (intervals.turn_lengths) where the probe ran
    and workers shared a GIL, else None."""
    handoffs: int | None
    """GIL hand-offs between workers, likewise."""
    battle: Battle | None
    sharing: Sharing | None


def evidence(run: Run, io_workers: Collection[int] = ()) -> Evidence:
    """The Evidence of a run; `io_workers` as summarize takes them."""
    wall = wall_ns(run)
    gil = gil_of_workers(run)
    probed = run.probe is not None
    holds = probe_holds(run)
    resolution = probe_resolution_ns(run, io_workers)
    sampled = run.sampler is not None and len(run.threads.t_ns) > 0
    segments = run_segments(run) if sampled and not probed else None
    turns: NDArray[np.int64] | None = None
    handoffs: int | None = None
    if probed and any(shares_gil(run).values()):
        hold_gil = lookup(gil, holds.worker)
        turns = turn_lengths(holds.worker, holds.start_ns, holds.stop_ns, hold_gil)
        handoffs = len(handoff_times(holds.worker, holds.start_ns, hold_gil))
    return Evidence(
        wall_ns=wall, holds=holds,
        gaps=worker_gaps(holds, gil, gil_kind(run.interpreter) == OLD_GIL) if probed else None,
        resolution_ns=resolution,
        acquisitions=(failed_acquisitions(holds, run.threads, gil, int(resolution or 0))
                      if probed and sampled else None),
        segments=segments,
        parallel=(parallelism_steps(run.threads, stop_by_worker(run), longest_sample_ns(run))
                  if segments is not None else None),
        waits=wait_spans(run.marks), turns_ns=turns, handoffs=handoffs,
        battle=old_gil_battle(run, handoffs, wall), sharing=sharing(run))


def summarize(run: Run, io_workers: Collection[int] = (),
              baselines: Sequence[Run] = ()) -> RunStats:
    """Per-worker and run-wide figures of one run, and its caveats.

    `io_workers` block in I/O calls by design (the convoy's I/O thread): their
    pauses are those calls, so none of them is reported as unexplained.
    `baselines` are serial runs of the same work measured beside it; where
    they spent much more of their CPU time in the OS kernel, or the run beat
    them by more than its parallelism explains, that is a caveat.
    """
    seen = evidence(run, io_workers)
    warnings, notes = run_caveats(run, seen, io_workers, baselines)
    probed = run.probe is not None
    acquisitions, turns = seen.acquisitions, seen.turns_ns
    return RunStats(
        wall_ns=seen.wall_ns,
        cpu_ns=sum(w.cpu_ns for w in run.workers if w.cpu_ns is not None),
        handoffs=seen.handoffs,
        median_turn_ns=int(np.median(turns)) if turns is not None and len(turns) else None,
        overlap_ns=(overlap_ns(seen.holds.start_ns, seen.holds.stop_ns) if probed
                    else time_at_depth(*seen.parallel, 2) if seen.parallel is not None else None),
        resolution_ns=seen.resolution_ns,
        probe_agreement=(acquisitions.agreeing / acquisitions.inside
                         if acquisitions is not None and acquisitions.inside else None),
        failed_samples=acquisitions.failed if acquisitions is not None else np.zeros(0, np.int64),
        workers=worker_table(run, seen),
        warnings=warnings,
        notes=notes,
        parallelism=mean_parallelism(run, seen.wall_ns) if seen.parallel is not None else None,
        waits=tuple(wait_stats(seen.waits)),
        pi=pi_estimate(run),
        sharing=seen.sharing,
        battle=seen.battle,
        gil_code=gil_code(run),
        flag_agreement=(agreement_with_flags(run, seen.holds, seen.resolution_ns)
                        if probed else None),
    )


def worker_table(run: Run, seen: Evidence) -> tuple[WorkerStats, ...]:
    """The WorkerStats of each of the run's workers, in their order."""
    size = max([w.index for w in run.workers] + [-1]) + 1
    probe_times = held_and_waited(seen.holds, seen.gaps, size) if seen.gaps is not None else None
    failed_of = (np.bincount(run.threads.worker[seen.acquisitions.failed], minlength=size)
                 if seen.acquisitions is not None else None)
    table = []
    for worker in run.workers:
        held: int | None = None
        waited: tuple[int | None, ...] = (None, None, None)
        share: float | None = None
        if probe_times is not None and worker.error is None:
            held_of, waited_of = probe_times
            held = int(held_of[worker.index])
            waited = tuple(int(ns) for ns in waited_of[worker.index])
            share = held / seen.wall_ns if seen.wall_ns > 0 else None
        wait_gil, wait_cpu, unclear = waited
        table.append(WorkerStats(
            index=worker.index, wall_ns=worker.stop_ns, cpu_ns=worker.cpu_ns, held_ns=held,
            wait_gil_ns=wait_gil, wait_cpu_ns=wait_cpu, unclear_ns=unclear, hold_share=share,
            failed_acquisitions=None if failed_of is None else int(failed_of[worker.index]),
            error=worker.error,
            sampled_ns=(time_by_state(seen.segments, worker.index)
                        if seen.segments is not None else None),
            waiting_share=waiting_share(seen.waits, worker.index, seen.wall_ns),
        ))
    return tuple(table)


def held_and_waited(holds: Holds, gaps: Gaps,
                    size: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Per worker index (0..size-1): the time it held the GIL, and a row of
    the time it waited in gaps of each kind: WAIT_GIL, WAIT_CPU, UNCLEAR."""
    held_of = sums_by(holds.worker, holds.stop_ns - holds.start_ns, size)
    kinds = (WAIT_GIL, WAIT_CPU, UNCLEAR)  # sorted, as searchsorted needs
    waited_of = sums_by(gaps.worker.astype(np.int64) * len(kinds)
                        + np.searchsorted(kinds, gaps.kind), gaps.stop_ns - gaps.start_ns,
                        size * len(kinds)).reshape(size, len(kinds))
    return held_of, waited_of


def agreement_with_flags(run: Run, holds: Holds,
                         resolution_ns: float | None) -> FlagAgreement | None:
    """flag_agreement of a probed run that has flags, if any read was
    compared; else None."""
    if run.gil_flags is None or not len(run.gil_flags.t_ns):
        return None
    agreement = flag_agreement(run.gil_flags, holds, int(resolution_ns or 0))
    return agreement if agreement.compared else None
