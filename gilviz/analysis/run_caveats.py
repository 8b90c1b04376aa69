"""The caveats of one run: what degraded its measurement (warnings) and what
is worth saying still (notes), as typed records (caveats); report puts them
into words, in the order found here."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from ..log import WAIT_UNREADABLE, Run, SamplerStats
from .caveats import (CoarseProbe, PinningMismatch, PoolSharedMembers, QueuedAsRunning,
                      SamplerBehind, ShortTurns, UnexplainedPauses, WaitsUnreadable, WorkerFailed,
                      kernel_fallbacks)
from .gaps import Gaps
from .interpreters import late_starts
from .load import other_load_caveat
from .plausibility import serious_speed_change, speed_change, unexplained_ratio
from .sampled import queued_ns, shared_members
from .sharing import sharing_mismatch
from .states import UNCLEAR, Segments
from .system import baseline_system_time, system_time

if TYPE_CHECKING:
    from .caveats import Caveat
    from .summary import Evidence  # summary composes its figures with these caveats

UNCLEAR_WARNING_SHARE = 0.02
"""Unexplained pauses over 2 % of the workers' time make a warning, not a note."""


def run_caveats(run: Run, seen: Evidence, io_workers: Collection[int] = (),
                baselines: Sequence[Run] = ()) -> tuple[tuple[Caveat, ...],
                                                        tuple[Caveat, ...]]:
    """(warnings, notes) of a run, from what `seen` (summary.Evidence) found
    in it; `io_workers` and `baselines` as summary.summarize takes them."""
    warnings: list[Caveat] = [WorkerFailed(w.index, w.error) for w in run.workers if w.error]
    # A kernel that could not do what was asked says what it did instead.
    warnings += kernel_fallbacks([run])
    if seen.segments is not None:
        warnings += sampling_caveats(run, seen.segments)
    warnings += late_starts(run)
    warnings += measurement_caveats(run, seen, baselines)
    notes: list[Caveat] = []
    # What limits the probe's resolution, and a machine whose speed moved a
    # little: worth saying, not a reason to doubt the figures (a ratio the
    # speed moved is one unexplained_ratio refuses).
    graded = (short_turns(seen.turns_ns if seen.turns_ns is not None else (), seen.resolution_ns),
              speed_change(baselines) if baselines else None,
              unexplained_pauses(seen.gaps, io_workers) if seen.gaps is not None else None)
    for caveat in graded:
        if caveat is not None:
            (warnings if is_warning(run, caveat) else notes).append(caveat)
    return tuple(warnings), tuple(notes)


def measurement_caveats(run: Run, seen: Evidence, baselines: Sequence[Run]) -> list[Caveat]:
    """What the sampler, the cores, the probe, the OS kernel, the serial
    baselines, other processes and the sharing of counts did to the run."""
    found: tuple[Caveat | None, ...] = (
        sampler_behind(run.sampler), pinning_mismatch(run),
        coarse_probe(run.interpreter.switch_interval_s, seen.resolution_ns),
        # The old GIL's kernel time is its battle, the finding, not a flaw.
        system_time(run) if seen.battle is None or seen.battle.cores < 2 else None,
        baseline_system_time(run, baselines) if baselines else None,
        unexplained_ratio([run], baselines) if baselines else None,
        other_load_caveat(run, baselines),
        sharing_mismatch(seen.sharing))
    return [caveat for caveat in found if caveat is not None]


def is_warning(run: Run, caveat: Caveat) -> bool:
    """Whether a caveat that is a warning only when large is one: a change
    of speed (plausibility.serious_speed_change), or pauses unexplained for
    over UNCLEAR_WARNING_SHARE of the workers' time."""
    if isinstance(caveat, UnexplainedPauses):
        worker_time = sum(w.stop_ns for w in run.workers if w.stop_ns is not None)
        return caveat.total_ns > UNCLEAR_WARNING_SHARE * worker_time
    return serious_speed_change(caveat)


def pinning_mismatch(run: Run) -> PinningMismatch | None:
    """A PinningMismatch if the target did not get the cores it asked for."""
    asked, got = run.spec.cores, run.interpreter.affinity
    if asked is None or got is None or sorted(asked) == sorted(got):
        return None
    return PinningMismatch(asked=tuple(sorted(asked)), got=tuple(got))


def coarse_probe(switch_interval_s: float | None,
                 resolution_ns: float | None) -> CoarseProbe | None:
    """A CoarseProbe if GIL turns can be shorter than the probe sees."""
    if resolution_ns is None or switch_interval_s is None or \
            switch_interval_s * 1e9 >= 2 * resolution_ns:
        return None
    return CoarseProbe(switch_interval_s=switch_interval_s, resolution_ns=resolution_ns)


def short_turns(turns_ns: NDArray[np.int64] | Sequence[int],
                resolution_ns: float | None) -> ShortTurns | None:
    """A ShortTurns if half the GIL turns or more were shorter than the probe
    can time: the old GIL's threads fight every check interval, far more
    often than the probe reads the clock."""
    if resolution_ns is None or len(turns_ns) == 0:
        return None
    median = float(np.median(turns_ns))
    if median >= resolution_ns:
        return None
    return ShortTurns(median_turn_ns=int(median), resolution_ns=resolution_ns)


def sampler_behind(stats: SamplerStats | None, at_least: float = 0.8,
                   longest_periods: int = 20) -> SamplerBehind | None:
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


def sampling_caveats(run: Run, segments: Segments) -> list[Caveat]:
    """What limits the sampled bands."""
    caveats: list[Caveat] = [PoolSharedMembers(tuple(group), run.spec.backend)
                                for group in shared_members(run.workers)]
    if np.any(run.threads.wait == WAIT_UNREADABLE):
        caveats.append(WaitsUnreadable())
    queued = queued_ns(run, segments)
    if queued is not None:
        caveats.append(QueuedAsRunning(excess_ns=int(queued)))
    return caveats


def unexplained_pauses(gaps: Gaps, io_workers: Collection[int]) -> UnexplainedPauses | None:
    """An UnexplainedPauses if the probe's gaps of workers other than
    `io_workers` (whose pauses are their I/O calls) put any down neither to
    the GIL nor to the OS."""
    unclear = (gaps.kind == UNCLEAR) & ~np.isin(gaps.worker, list(io_workers))
    if not unclear.any():
        return None
    return UnexplainedPauses(count=int(np.count_nonzero(unclear)),
                             total_ns=int((gaps.stop_ns[unclear] - gaps.start_ns[unclear]).sum()))
