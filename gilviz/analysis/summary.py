"""A run summed up: figures a worker and run-wide, and the caveats of the
measurement (typed records; report puts them into words)."""

from __future__ import annotations

from typing import NamedTuple, Optional

import numpy as np

from ..log import WAIT_UNREADABLE
from .caveats import (CoarseProbe, PinningMismatch, PoolSharedMembers,
                      QueuedAsRunning, SamplerBehind, ShortTurns, UnexplainedPauses,
                      WaitsUnreadable, WorkerFailed, kernel_fallbacks)
from .gaps import failed_acquisitions, probe_resolution_ns, worker_gaps
from .keyed import lookup, sums_by
from .interpreters import OLD_GIL, Battle, gil_kind, late_starts, old_gil_battle
from .intervals import handoff_times, overlap_ns, time_at_depth, turn_lengths
from .flags import FlagAgreement, GilCode, flag_agreement, gil_code
from .pi import pi_estimate
from .placement import probe_holds
from .sharing import sharing_mismatch, sharing
from .runs import gil_of_workers, longest_sample_ns, shares_gil, stop_by_worker, wall_ns
from .sampled import mean_parallelism, parallelism_steps, queued_ns, run_segments, shared_members
from .states import UNCLEAR, WAIT_CPU, WAIT_GIL, time_by_state
from .load import other_load_caveat
from .plausibility import serious_speed_change, speed_change, unexplained_ratio
from .system import baseline_system_time, system_time
from .waits import wait_spans, wait_stats, waiting_share

UNCLEAR_WARNING_SHARE = 0.02
"""Unexplained pauses over 2 % of the workers' time make a warning, not a note."""


class WorkerStats(NamedTuple):
    index: int
    wall_ns: Optional[int]
    """From the release to the worker's stop."""
    cpu_ns: Optional[int]
    held_ns: Optional[int]
    """Time the probe saw it running; None without the probe."""
    wait_gil_ns: Optional[int]
    wait_cpu_ns: Optional[int]
    unclear_ns: Optional[int]
    hold_share: Optional[float]
    """held_ns over the run's wall time."""
    failed_acquisitions: Optional[int]
    """Sampled wake-ups that did not get the GIL; None without probe or sampler."""
    error: Optional[str]
    sampled_ns: Optional[dict] = None
    """Without the probe: time in each band state (RUNNING, NATIVE, ...) as
    the sampler saw it, from the release to the worker's stop."""
    waiting_share: Optional[float] = None
    """Share of the run's wall time in which the kernel recorded a wait of
    this worker (waits.WAIT_MARKS); None if it recorded none."""


class RunStats(NamedTuple):
    wall_ns: int
    """From the release to the last worker's stop."""
    cpu_ns: int
    """Sum of the workers' thread CPU times."""
    handoffs: Optional[int]
    """GIL hand-offs between workers; None where no two workers share a GIL."""
    median_turn_ns: Optional[int]
    """Median length of a turn: a worker's holds between two hand-offs of
    its GIL; None where no two workers share a GIL."""
    overlap_ns: Optional[int]
    """Time during which two or more workers ran at once: from the probe, or
    without it, workers on two or more CPUs at once as sampled."""
    resolution_ns: Optional[float]
    """Mean time between two probe clock reads: how exact hold edges are."""
    probe_agreement: Optional[float]
    """Share of samples taken inside a hold that found the thread on a CPU."""
    failed_samples: np.ndarray
    """Rows of run.threads that caught a failed acquisition."""
    workers: tuple
    warnings: tuple
    """Where the measurement is degraded: caveat records (analysis.caveats)."""
    notes: tuple
    """Minor caveats, still worth saying (a little time not explained)."""
    parallelism: Optional[float] = None
    """Without the probe: mean number of workers on a CPU at once from the
    release to the last stop, over the time sampled (parallelism_steps)."""
    waits: tuple = ()
    """WaitStats of each kind of wait the kernel recorded, most frequent first."""
    pi: Optional[object] = None
    """The PiEstimate of a pi run, else None."""
    sharing: Optional[object] = None
    """share.Sharing of a run whose workers shared their counts (pi --share), else None."""
    battle: Optional[Battle] = None
    """The old GIL's fight (interpreters.Battle) where its threads shared it, else None."""
    gil_code: Optional[GilCode] = None
    """Which code held the GIL and which waited (flags.GilCode), from the
    interpreter's own flags (3.15+); None without them."""
    flag_agreement: Optional[FlagAgreement] = None
    """How often the probe's holds and the interpreter's own flags agree
    (flags.FlagAgreement); None unless the run had both."""


def pinning_mismatch(run):
    """A PinningMismatch if the target did not get the cores it asked for."""
    asked, got = run.spec.cores, run.interpreter.affinity
    if asked is None or got is None or sorted(asked) == sorted(got):
        return None
    return PinningMismatch(asked=tuple(sorted(asked)), got=tuple(got))


def coarse_probe(switch_interval_s, resolution_ns):
    """A CoarseProbe if GIL turns can be shorter than the probe sees."""
    if resolution_ns is None or switch_interval_s is None or \
            switch_interval_s * 1e9 >= 2 * resolution_ns:
        return None
    return CoarseProbe(switch_interval_s=switch_interval_s, resolution_ns=resolution_ns)


def short_turns(turns_ns, resolution_ns):
    """A ShortTurns if half the GIL turns or more were shorter than the probe
    can time: the old GIL's threads fight every check interval, far more
    often than the probe reads the clock."""
    if resolution_ns is None or len(turns_ns) == 0:
        return None
    median = float(np.median(turns_ns))
    if median >= resolution_ns:
        return None
    return ShortTurns(median_turn_ns=int(median), resolution_ns=resolution_ns)


def sampler_behind(stats, at_least=0.8, longest_periods=20):
    """A SamplerBehind if the sampler (log.SamplerStats) fell behind, else None."""
    if stats is None:
        return None
    period_ns = 1e9 / stats.requested_hz
    if stats.achieved_hz >= at_least * stats.requested_hz and \
            stats.max_interval_ns <= longest_periods * period_ns:
        return None
    return SamplerBehind(achieved_hz=stats.achieved_hz, requested_hz=stats.requested_hz,
                         longest_pause_ns=stats.max_interval_ns,
                         waited_for_cpu_ns=stats.cpu_wait_ns,
                         round_cpu_ns=stats.cpu_ns // stats.ticks if stats.ticks else None,
                         raised=None if stats.nice is None else stats.nice < 0)


def sampling_caveats(run, segments):
    """What limits the sampled bands."""
    caveats = [PoolSharedMembers(tuple(group), run.spec.backend)
               for group in shared_members(run.workers)]
    if np.any(run.threads.wait == WAIT_UNREADABLE):
        caveats.append(WaitsUnreadable())
    queued = queued_ns(run, segments)
    if queued is not None:
        caveats.append(QueuedAsRunning(excess_ns=int(queued)))
    return caveats


def summarize(run, io_workers=(), baselines=()):
    """Per-worker and run-wide figures of one run.

    `io_workers` block in I/O calls by design (the convoy's I/O thread): their
    pauses are those calls, so none of them is reported as unexplained.
    `baselines` are serial runs of the same work measured beside it; where
    they spent much more of their CPU time in the OS kernel, or the run beat
    them by more than its parallelism explains, that is a caveat.
    """
    wall = wall_ns(run)
    gil = gil_of_workers(run)
    probed = run.probe is not None
    holds = probe_holds(run)
    gaps = worker_gaps(holds, gil, gil_kind(run.interpreter) == OLD_GIL) if probed else None
    resolution = probe_resolution_ns(run, io_workers)
    sampled = run.sampler is not None and len(run.threads.t_ns) > 0
    acquisitions = None
    if probed and sampled:
        acquisitions = failed_acquisitions(holds, run.threads, gil, int(resolution or 0))
    segments = run_segments(run) if sampled and not probed else None
    parallel = None
    if segments is not None:
        parallel = parallelism_steps(run.threads, stop_by_worker(run), longest_sample_ns(run))
    waits = wait_spans(run.marks)

    workers = []
    size = max([w.index for w in run.workers] + [-1]) + 1
    if probed:
        held_of = sums_by(holds.worker, holds.stop_ns - holds.start_ns, size)
        kinds = (WAIT_GIL, WAIT_CPU, UNCLEAR)  # sorted, as searchsorted needs
        waited_of = sums_by(gaps.worker.astype(np.int64) * len(kinds)
                            + np.searchsorted(kinds, gaps.kind), gaps.stop_ns - gaps.start_ns,
                            size * len(kinds)).reshape(size, len(kinds))
    if acquisitions is not None:
        failed_of = np.bincount(run.threads.worker[acquisitions.failed], minlength=size)
    for worker in run.workers:
        held = wait_gil = wait_cpu = unclear = share = failed = None
        if probed and worker.error is None:
            held = int(held_of[worker.index])
            wait_gil, wait_cpu, unclear = (int(ns) for ns in waited_of[worker.index])
            share = held / wall if wall > 0 else None
        if acquisitions is not None:
            failed = int(failed_of[worker.index])
        workers.append(WorkerStats(
            index=worker.index, wall_ns=worker.stop_ns, cpu_ns=worker.cpu_ns, held_ns=held,
            wait_gil_ns=wait_gil, wait_cpu_ns=wait_cpu, unclear_ns=unclear, hold_share=share,
            failed_acquisitions=failed, error=worker.error,
            sampled_ns=time_by_state(segments, worker.index) if segments is not None else None,
            waiting_share=waiting_share(waits, worker.index, wall),
        ))

    shared = any(shares_gil(run).values())
    hold_gil = lookup(gil, holds.worker)
    turns = turn_lengths(holds.worker, holds.start_ns, holds.stop_ns, hold_gil)
    handoffs = len(handoff_times(holds.worker, holds.start_ns, hold_gil)) if probed and shared \
        else None
    battle = old_gil_battle(run, handoffs, wall)
    warnings = [WorkerFailed(w.index, w.error) for w in run.workers if w.error]
    # A kernel that could not do what was asked says what it did instead.
    warnings += kernel_fallbacks([run])
    if segments is not None:
        warnings += sampling_caveats(run, segments)
    warnings += late_starts(run)
    notes = []
    caveats = (sampler_behind(run.sampler), pinning_mismatch(run),
               coarse_probe(run.interpreter.switch_interval_s, resolution),
               # The old GIL's kernel time is its battle, the finding, not a flaw.
               system_time(run) if battle is None or battle.cores < 2 else None,
               baseline_system_time(run, baselines) if baselines else None,
               unexplained_ratio([run], baselines) if baselines else None,
               other_load_caveat(run, baselines))
    shared_counts = sharing(run)
    caveats += (sharing_mismatch(shared_counts),)
    warnings += [caveat for caveat in caveats if caveat is not None]
    # What limits the probe's resolution, and a machine whose speed moved a
    # little: worth saying, not a reason to doubt the figures (a ratio the
    # speed moved is one unexplained_ratio refuses).
    speeds = speed_change(baselines) if baselines else None
    for caveat in (short_turns(turns if probed and shared else (), resolution), speeds):
        if caveat is not None:
            (warnings if serious_speed_change(caveat) else notes).append(caveat)
    if probed:
        unclear_gaps = (gaps.kind == UNCLEAR) & ~np.isin(gaps.worker, list(io_workers))
        if unclear_gaps.any():
            unclear_ns = int((gaps.stop_ns[unclear_gaps] - gaps.start_ns[unclear_gaps]).sum())
            worker_time = sum(w.stop_ns for w in run.workers if w.stop_ns is not None)
            serious = unclear_ns > UNCLEAR_WARNING_SHARE * worker_time
            (warnings if serious else notes).append(
                UnexplainedPauses(count=int(np.count_nonzero(unclear_gaps)), total_ns=unclear_ns))

    return RunStats(
        wall_ns=wall,
        cpu_ns=sum(w.cpu_ns for w in run.workers if w.cpu_ns is not None),
        handoffs=handoffs,
        median_turn_ns=int(np.median(turns)) if probed and shared and len(turns) else None,
        overlap_ns=(overlap_ns(holds.start_ns, holds.stop_ns) if probed
                    else time_at_depth(*parallel, 2) if parallel is not None else None),
        resolution_ns=resolution,
        probe_agreement=(acquisitions.agreeing / acquisitions.inside
                         if acquisitions is not None and acquisitions.inside else None),
        failed_samples=acquisitions.failed if acquisitions is not None else np.zeros(0, np.int64),
        workers=tuple(workers),
        warnings=tuple(warnings),
        notes=tuple(notes),
        parallelism=mean_parallelism(run, wall) if parallel is not None else None,
        waits=tuple(wait_stats(waits)),
        pi=pi_estimate(run),
        sharing=shared_counts,
        battle=battle,
        gil_code=gil_code(run),
        flag_agreement=agreement_with_flags(run, holds, resolution) if probed else None,
    )


def agreement_with_flags(run, holds, resolution_ns):
    """flag_agreement of a probed run that has flags, if any read was
    compared; else None."""
    if run.gil_flags is None or not len(run.gil_flags.t_ns):
        return None
    agreement = flag_agreement(run.gil_flags, holds, int(resolution_ns or 0))
    return agreement if agreement.compared else None
