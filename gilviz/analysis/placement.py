"""Where the probe's holds begin and end: each gap's own chunk placed.

A worker's clock reads bound its holds: it ran until its last read before a
gap and from its first read after it. But the gap holds one chunk of its own
work as well: the chunk it was running when it lost the GIL, finished once
it had the GIL back. Drawn as a pause, that chunk is lost from the worker's
held time. Under the new GIL that is one chunk (~8 us) a turn of ~5 ms; the
old GIL hands over every 100 ticks, and a turn often lasts a chunk or two:
with the chunk left out, 2 threads on CPython 2.7 showed 19 % held each,
where the interpreter's own state, read from outside, had one of them
holding it at 96 % of instants.

So each gap gets the worker's chunk time, half at each end: the expected
place, since the GIL is lost at any point of the chunk. A worker's chunk
time is measured in the same run: its held time over the chunks that ran
inside its holds (each hold's reads but the first). Where workers share a
GIL, no placed edge passes the midpoint between two holds that follow each
other in time, so placed holds never overlap where the raw ones did not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..log import Holds, ProbeSettings, Run, Worker
from .keyed import lookup
from .ordering import group_order, reordering
from .runs import gil_of_workers


def chunk_times_ns(holds: Holds, reads_of_worker: Mapping[int, int],
                   size: int) -> NDArray[np.int64]:
    """Per worker index (0..size-1): its held time per chunk inside its
    holds, in ns; 0 where it cannot be told (no chunk ran inside a hold, or
    the worker read the clock other than once a chunk: the convoy's I/O
    thread reads it around each socket call, and its holds outnumber the
    reads its few tasks would make, so no chunk is placed in its gaps)."""
    worker = holds.worker.astype(np.int64)
    held = np.bincount(worker, holds.stop_ns - holds.start_ns, minlength=size)
    count = np.bincount(worker, minlength=size)
    inside = np.zeros(size, np.int64)
    for index, reads in reads_of_worker.items():
        inside[index] = reads - count[index]
    chunk = np.zeros(size, np.float64)
    known = inside > 0
    chunk[known] = held[known] / inside[known]
    return chunk.astype(np.int64)


def placed_holds(holds: Holds, chunk_ns: NDArray[np.int64], gil_of_hold: ArrayLike) -> Holds:
    """`holds` with each gap between two holds of one worker narrowed by
    that worker's `chunk_ns` (half from each side, at most the whole gap),
    the new edges kept short of the midpoint to the neighbouring hold of
    another worker under the same GIL (`gil_of_hold`: an id per hold)."""
    if len(holds.worker) == 0:
        return holds
    # Each hold's next of its worker found through the worker's order, and
    # each gap then narrowed in the rows' own order: a log's holds lie in
    # time order, a worker's next hold a few rows on, where sorting them by
    # worker fetched each row from afar (3 gathers and 2 scatters of a
    # million rows, 20 ms).
    order = group_order(holds.worker, holds.start_ns)
    by_worker = holds.worker[order]
    same = by_worker[1:] == by_worker[:-1]
    after = np.empty(len(order), np.intp)
    after[order[:-1]] = order[1:]
    after[order[-1]] = -1
    after[order[:-1][~same]] = -1  # a worker's last hold: none after it
    has_next = after >= 0
    gap = holds.start_ns[after] - holds.stop_ns
    gap[~has_next] = 0
    np.clip(gap, 0, None, out=gap)
    half = np.minimum(np.take(chunk_ns, holds.worker), gap)
    half >>= 1  # // 2, in place
    half[~has_next] = 0  # a worker's last hold: no gap after it
    new_stop = holds.stop_ns + half
    new_start = holds.start_ns.copy()
    new_start[after[has_next]] -= half[has_next]
    _keep_apart(holds.start_ns, holds.stop_ns, new_start, new_stop, np.asarray(gil_of_hold))
    return holds._replace(start_ns=new_start, stop_ns=new_stop)


def _keep_apart(start: NDArray[np.int64], stop: NDArray[np.int64], new_start: NDArray[np.int64],
                new_stop: NDArray[np.int64], gil: NDArray[Any]) -> None:
    """Clip placed edges (in place) at the midpoint between each hold and
    the next one to begin under its GIL, where the raw holds did not overlap."""
    # Holds in order already (one GIL's, as they began) are clipped where
    # they lie: gathering and scattering back a million of them took longer.
    order = reordering(gil, start)
    group, begin, end, placed_start, placed_stop = (
        column if order is None else column[order]
        for column in (gil, start, stop, new_start, new_stop))
    apart = group[1:] == group[:-1]
    apart &= end[:-1] <= begin[1:]
    middle = end[:-1] + begin[1:]
    middle >>= 1  # // 2, in place
    np.minimum(placed_stop[:-1], middle, out=placed_stop[:-1], where=apart)
    np.maximum(placed_start[1:], middle, out=placed_start[1:], where=apart)
    if order is not None:
        new_start[order], new_stop[order] = placed_start, placed_stop


def clock_reads(workers: Sequence[Worker], chunk: int) -> dict[int, int]:
    """{worker index: clock reads} of the probed `workers` that did their
    work: a kernel reads the clock once before its first chunk of `chunk`
    iterations (ProbeSettings.chunk) and once after each."""
    return {w.index: 1 - (-w.work // chunk) for w in workers if w.error is None}


_last: tuple[tuple[Holds, ProbeSettings, tuple[Worker, ...], bool], Holds] | None = None
"""The last run's key and placed holds: the summary, the bands and the zoom
each ask for them (0.06 s for a million holds)."""


def probe_holds(run: Run) -> Holds:
    """The run's holds with every gap's own chunk placed (see above)."""
    global _last
    if run.probe is None or len(run.holds.worker) == 0:
        return run.holds
    key = (run.holds, run.probe, run.workers, run.interpreter.gil_enabled)
    last = _last  # read once: another thread may replace it meanwhile
    if last is not None and all(a is b for a, b in zip(last[0], key)):
        return last[1]
    placed = _placed(run, run.probe)
    _last = (key, placed)
    return placed


def _placed(run: Run, probe: ProbeSettings) -> Holds:
    size = max(w.index for w in run.workers) + 1
    chunk = chunk_times_ns(run.holds, clock_reads(run.workers, probe.chunk), size)
    return placed_holds(run.holds, chunk, lookup(gil_of_workers(run), run.holds.worker))
