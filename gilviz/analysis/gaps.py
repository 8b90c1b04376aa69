"""The probe's gaps and what caused them, and the sampler's view checked
against the probe's holds.

A gap is the time between two holds of a worker, or from the release to its
first hold. It is a GIL wait (WAIT_GIL) when other workers sharing the
worker's GIL held it for at least half the gap, an OS wait (WAIT_CPU) when
the thread's run_delay (runnable, no CPU) covers at least half of it, and
UNCLEAR otherwise (VM steal, interrupts). Low run_delay alone does not prove
a GIL wait: on this kind of machine most short gaps with no other worker
running are not. Under the old GIL they are: its holder lets go every check
interval, and a gap in which nobody was seen holding it is the GIL in
transit, or held by another worker for less than a chunk, its turn unseen
(read from outside, no thread of 2.7 held it at 4-17 % of instants).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..log import Holds, Run, ThreadSamples
from .placement import clock_reads
from .keyed import GroupedHeld, GroupedIntervals, grouped_inside_any, lookup
from .ordering import group_order
from .states import RUNNING, UNCLEAR, WAIT_CPU, WAIT_GIL, Segments, segments_of

EVIDENCE_SHARE = 0.5


class Gaps(NamedTuple):
    worker: NDArray[np.int32]
    start_ns: NDArray[np.int64]
    stop_ns: NDArray[np.int64]
    kind: NDArray[np.int8]
    """WAIT_GIL, WAIT_CPU or UNCLEAR."""


def classify_gaps(length_ns: ArrayLike, cpu_wait_ns: ArrayLike,
                  gil_busy_ns: ArrayLike) -> NDArray[np.int8]:
    """The kind of each gap, from its length, the run_delay accrued in it
    (-1 where unknown) and the time other workers held its GIL during it."""
    length = np.asarray(length_ns, dtype=np.float64)
    cpu_wait = np.asarray(cpu_wait_ns, dtype=np.float64)
    gil_busy = np.asarray(gil_busy_ns, dtype=np.float64)
    kind = np.full(length.shape, UNCLEAR, dtype=np.int8)
    evidence = EVIDENCE_SHARE * length
    kind[cpu_wait >= evidence] = WAIT_CPU
    kind[gil_busy >= evidence] = WAIT_GIL
    return kind


_last: tuple[tuple[Holds, dict[int, int], bool], Gaps] | None = None
"""The last holds' key and their gaps: the summary and the bands each ask
for them (0.08 s for a million holds). Keyed by the holds' identity, as
placement.probe_holds keys its own; callers only read the gaps."""


def worker_gaps(holds: Holds, gil_of_worker: Mapping[int, int], old_gil: bool = False) -> Gaps:
    """The gaps of every worker, from the release to its last hold, classified;
    with `old_gil`, a gap of a worker sharing its GIL is a GIL wait unless
    the OS kept it waiting (see above).

    `gil_of_worker` maps a worker index to an id of the GIL it ran under.
    Holds must be sorted by start within each worker, as the probe writes them.
    """
    global _last
    key = (holds, dict(gil_of_worker), bool(old_gil))
    last = _last  # read once: another thread may replace it meanwhile
    if last is not None and last[0][0] is holds and last[0][1:] == key[1:]:
        return last[1]
    gaps = _classified_gaps(holds, gil_of_worker, old_gil)
    _last = (key, gaps)
    return gaps


def _classified_gaps(holds: Holds, gil_of_worker: Mapping[int, int], old_gil: bool) -> Gaps:
    if len(holds.worker) == 0:
        empty = np.zeros(0, np.int64)
        return Gaps(empty.astype(np.int32), empty, empty, empty.astype(np.int8))
    gil_of_hold = lookup(gil_of_worker, holds.worker)
    # The gaps are given per GIL, per worker, each worker's in their order:
    # a gap ends where a hold starts and begins where the worker's previous
    # hold stopped. They are worked out in the rows' own order, through each
    # hold's previous of its worker: a log's holds lie in time order, that
    # hold a few rows back, where taking every column into the gaps' order
    # fetched each row from afar (7 gathers of a million rows, 50 ms).
    order = group_order(gil_of_hold, holds.worker)
    by_worker = holds.worker[order]
    same = by_worker[1:] == by_worker[:-1]
    before = np.empty(len(order), np.intp)
    before[order[1:]] = order[:-1]
    before[order[0]] = -1
    before[order[1:][~same]] = -1  # a worker's first hold: none before it
    first = before < 0
    start = holds.stop_ns[before].astype(holds.start_ns.dtype, copy=False)
    start[first] = 0
    stop = holds.start_ns
    # A worker holds nothing during its own gaps, so the time its GIL was
    # held during a gap is all other workers' doing: held by its end less
    # held by its start (the previous hold's stop, or for a worker's first
    # gap the release, searched for).
    held = GroupedHeld(gil_of_hold, holds.start_ns, holds.stop_ns, start[first])
    at_start, at_stop = held.at_edges()
    busy = at_start - at_stop[before]
    busy[first] = at_start[first] - held.before(gil_of_hold[first], start[first])
    kind = classify_gaps(stop - start, holds.cpu_wait_ns, busy)
    if old_gil:
        gils, sharers = np.unique(list(gil_of_worker.values()), return_counts=True)
        shared = np.isin(gil_of_hold, gils[sharers > 1])
        kind[(kind == UNCLEAR) & shared] = WAIT_GIL
    kept_in_order = (stop > start)[order]
    kept = order[kept_in_order]
    return Gaps(by_worker[kept_in_order].astype(np.int32, copy=False), start[kept], stop[kept],
                kind[kept])

def probe_segments(holds: Holds, gaps: Gaps) -> Segments:
    """Holds as RUNNING and gaps as their kind, in one table."""
    return segments_of([
        (holds.worker, holds.start_ns, holds.stop_ns,
         np.full(len(holds.worker), RUNNING, np.int8)),
        (gaps.worker, gaps.start_ns, gaps.stop_ns, gaps.kind.astype(np.int8)),
    ])


def probe_resolution_ns(run: Run, io_workers: Collection[int] = ()) -> float | None:
    """Held time per chunk: the spacing of the probe's timestamps inside its
    holds, in the kernels that read the clock every `chunk` iterations (once
    before the first chunk and once after each; a hold's first read ends no
    chunk of it). `io_workers` read it around each blocking call instead, so
    their edges are exact: left out."""
    if run.probe is None or len(run.holds.worker) == 0:
        return None
    reads = {index: count for index, count in clock_reads(run.workers, run.probe.chunk).items()
             if index not in io_workers}
    counted = np.isin(run.holds.worker, list(reads))
    inside = sum(reads.values()) - int(np.count_nonzero(counted))
    held = int((run.holds.stop_ns[counted] - run.holds.start_ns[counted]).sum())
    return held / inside if inside > 0 else None


class Acquisitions(NamedTuple):
    failed: NDArray[np.intp]
    """Indices of thread samples that caught a worker on a CPU (state R) while
    the probe shows it not running and another worker of its GIL running."""
    agreeing: int
    """Samples inside a probe hold (clear of its edges) that found the thread R."""
    inside: int
    """Samples inside a probe hold, clear of its edges."""


def failed_acquisitions(holds: Holds, samples: ThreadSamples, gil_of_worker: Mapping[int, int],
                        margin_ns: int) -> Acquisitions:
    """Compare the sampler's states with the probe's holds.

    A sample counts only when it lies at least `margin_ns` (the probe's
    resolution) away from every hold edge involved, so that neither signal's
    uncertainty can make a false mark.
    """
    running = samples.state == "R"
    own = GroupedIntervals(holds.worker, holds.start_ns, holds.stop_ns, samples.worker,
                           samples.t_ns, margin_ns)
    inside = own.inside_count(samples.worker, samples.t_ns, margin_ns)
    # Only a sample that found its thread on a CPU can mark a failure: the
    # checks below look at those alone, a small share of a many-worker run's.
    rows = np.flatnonzero(running)
    worker, t = samples.worker[rows], samples.t_ns[rows]
    agreeing = own.inside_count(worker, t, margin_ns)
    own_maybe = own.holding_at(worker, t, -margin_ns)
    rows = rows[~own_maybe]
    # Where a sample lies in no hold of its own worker, even grown, any hold
    # of its GIL that clearly holds it is another worker's.
    gil_clearly = grouped_inside_any(lookup(gil_of_worker, holds.worker), holds.start_ns,
                                     holds.stop_ns, lookup(gil_of_worker, samples.worker[rows]),
                                     samples.t_ns[rows], margin_ns)
    return Acquisitions(failed=rows[gil_clearly], agreeing=agreeing, inside=inside)
