"""How workers shared their counts (pi --share): what each report cost, how
long workers waited for the shared value's lock, what time went to sharing,
and whether what reached the agent adds up to what the workers counted.

From the kernel's marks: "share" (a report: began, ns), "lock-wait" (inside
a report: asked, ns) and "share-collected" (after the run: what the
mechanism delivered, a count a worker, or one total on worker 0).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

from ..agent import protocol
from ..log import Marks, Role, Run, RunLog, RunSpec
from .caveats import SharingMismatch
from .runs import wall_ns
from .keyed import sorted_distinct
from .states import SHARING, Segments, merge_adjacent

SHARING_MARK, LOCK_WAIT_MARK, COLLECTED_MARK = (protocol.SHARING_CALL, protocol.LOCK_WAIT,
                                              protocol.SHARING_COLLECTED)


class Costs(NamedTuple):
    """Lengths of calls of one kind, over all workers."""

    # The field hides tuple.count(), which mypy reports; readers know it by this name.
    count: int  # type: ignore[assignment]
    total_ns: int
    median_ns: float
    p99_ns: float
    max_ns: int


def costs(lengths: npt.ArrayLike) -> Costs | None:
    """Costs of `lengths` (ns); None if there are none."""
    lengths = np.asarray(lengths, dtype=np.int64)
    if not len(lengths):
        return None
    return Costs(count=len(lengths), total_ns=int(lengths.sum()),
                 median_ns=float(np.median(lengths)), p99_ns=float(np.percentile(lengths, 99)),
                 max_ns=int(lengths.max()))


class WorkerSharing(NamedTuple):
    # The field hides tuple.index(), which mypy reports; it is a worker's number, as in Worker.
    index: int  # type: ignore[assignment]
    reports: int
    sharing_ns: int
    """Time inside its reports, lock waits included."""
    lock_wait_ns: int
    share_of_wall: float | None
    """sharing_ns over the worker's own wall time (release to stop)."""


class Sharing(NamedTuple):
    """How a run's workers shared their counts."""

    mechanism: str
    """params["share"]: "return", "queue", "pipe", "manager", "value" or "array"."""
    reports: Costs
    """Every report's cost, lock wait included."""
    lock_waits: Costs | None
    """The waits for the lock (value, array); None for the other mechanisms."""
    workers: tuple[WorkerSharing, ...]
    """WorkerSharing, by index."""
    own_total: int | None
    """The sum of the workers' own counts (their results' hits); None if a
    worker returned none."""
    collected_total: int | None
    """The sum of what the mechanism delivered to the agent; None if nothing
    was collected (the agent failed before)."""

    @property
    def agrees(self) -> bool:
        """Whether what reached the agent is exactly what the workers counted."""
        return self.own_total is not None and self.own_total == self.collected_total


def lengths_of(marks: Marks, kind: str, worker: int | None = None) -> NDArray[np.int64]:
    keep: NDArray[np.bool_] = marks.kind == kind
    if worker is not None:
        keep &= marks.worker == worker
    return np.nan_to_num(marks.value[keep]).astype(np.int64)


def sharing(run: Run) -> Sharing | None:
    """The Sharing of a run whose kernel shared its counts; None for any other."""
    mechanism = (run.spec.params or {}).get("share")
    marks = run.marks
    reports = costs(lengths_of(marks, SHARING_MARK))
    if mechanism is None or reports is None:  # no report: no "share" mark
        return None
    workers = []
    for worker in run.workers:
        spent = lengths_of(marks, SHARING_MARK, worker.index)
        waited = lengths_of(marks, LOCK_WAIT_MARK, worker.index)
        wall = worker.stop_ns
        workers.append(WorkerSharing(
            index=worker.index, reports=len(spent), sharing_ns=int(spent.sum()),
            lock_wait_ns=int(waited.sum()),
            share_of_wall=float(spent.sum()) / wall if wall else None))
    results = [worker.result or {} for worker in run.workers]
    own = (sum(int(result["hits"]) for result in results)
           if all("hits" in result for result in results) else None)
    collected = lengths_of(marks, COLLECTED_MARK)
    return Sharing(mechanism=mechanism, reports=reports,
                   lock_waits=costs(lengths_of(marks, LOCK_WAIT_MARK)), workers=tuple(workers),
                   own_total=own,
                   collected_total=int(collected.sum()) if len(collected) else None)


def sharing_mismatch(stats: Sharing | None) -> SharingMismatch | None:
    """A SharingMismatch caveat when what was collected is not what was counted."""
    if stats is None or stats.agrees:
        return None
    return SharingMismatch(mechanism=stats.mechanism, own_total=stats.own_total,
                         collected_total=stats.collected_total)


def report_spans(marks: Marks
                 ) -> tuple[NDArray[np.int32], NDArray[np.int64], NDArray[np.int64]]:
    """(worker, start, stop) of every report, from the "share" marks."""
    keep = marks.kind == SHARING_MARK
    start = marks.t_ns[keep]
    return marks.worker[keep], start, start + lengths_of(marks, SHARING_MARK)


def with_sharing(segments: Segments, marks: Marks) -> Segments:
    """`segments` with each report's exact span shown as SHARING: the span is
    cut out of whatever the sampler put there (a report lasts microseconds,
    far less than a sampling period) and laid in as a segment of its own."""
    workers, starts, stops = report_spans(marks)
    if not len(starts):
        return segments
    parts = []
    for index in np.unique(np.concatenate((segments.worker, workers))):
        mine = segments.worker == index
        own = workers == index
        order = np.argsort(starts[own])
        parts.append(_overlay(segments.start_ns[mine], segments.stop_ns[mine],
                              segments.state[mine], starts[own][order], stops[own][order],
                              int(index)))
    worker, start, stop, state = (np.concatenate(column) for column in zip(*parts))
    return merge_adjacent(Segments(worker.astype(np.int32), start, stop, state.astype(np.int8)))


def _overlay(seg_start: NDArray[np.int64], seg_stop: NDArray[np.int64], seg_state: NDArray[np.int8],
             span_start: NDArray[np.int64], span_stop: NDArray[np.int64], index: int
             ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """One worker's segments with the spans laid over them (both sorted)."""
    # Every boundary of either; each elementary piece takes the span's state
    # if a span covers it, else the segment's, else it is dropped (no data).
    edges = sorted_distinct(np.concatenate((seg_start, seg_stop, span_start, span_stop)))
    begin, end = edges[:-1], edges[1:]
    middle = begin + (end - begin) // 2
    in_span = _covering(span_start, span_stop, begin, middle)
    segment = _covering(seg_start, seg_stop, begin, middle)
    state = np.where(in_span >= 0, SHARING, np.append(seg_state, -1)[segment])
    keep = state >= 0
    return (np.full(np.count_nonzero(keep), index), begin[keep], end[keep], state[keep])


def _covering(starts: NDArray[np.int64], stops: NDArray[np.int64], begin: NDArray[np.int64],
              middle: NDArray[np.int64]) -> NDArray[np.intp]:
    """For each piece [begin, ...), the index of the interval covering it, -1 if none."""
    if not len(starts):
        return np.full(len(begin), -1)
    at = np.searchsorted(starts, begin, side="right") - 1
    inside = (at >= 0) & (middle < stops[np.maximum(at, 0)])
    return np.where(inside, at, -1)


class SharingConfig(NamedTuple):
    """One mechanism on one backend, over its runs in a `gilviz share` job."""

    mechanism: str
    backend: str
    runs: int
    reports: Costs
    """Every report of every run."""
    lock_waits: Costs | None
    wall_ns: int
    """The median run's wall time."""
    walls_ns: tuple[int, ...]
    """Every run's wall time, in the order run."""
    sharing_share: float
    """Time inside reports over the workers' time (release to stop), all runs."""
    ns_per_sample: float | None
    """A worker's wall time inside numpy a sample: the cost of the work itself."""
    agrees: bool
    """In every run, what was collected added up to what the workers counted."""
    mismatch: SharingMismatch | None
    """The first run's SharingMismatch, where one did not."""

    @property
    def break_even_chunk(self) -> float | None:
        """Samples a chunk below which a report takes longer than computing
        the chunk (median report over the time a sample takes); None if unknown."""
        if not self.ns_per_sample:
            return None
        return self.reports.median_ns / self.ns_per_sample


class SharingComparison(NamedTuple):
    spec: RunSpec
    """The first run's RunSpec: the work, the workers."""
    chunk: int
    """Samples between two reports."""
    repeats: int
    """Runs of each configuration (the fewest, if some stopped short)."""
    configs: tuple[SharingConfig, ...]
    """SharingConfig, by mechanism (in SHARING_MECHANISMS' order), then backend."""

    @property
    def ns_per_sample(self) -> float | None:
        """The median of the configurations' ns_per_sample."""
        values = [each.ns_per_sample for each in self.configs if each.ns_per_sample]
        return float(np.median(values)) if values else None


def native_ns_per_sample(runs: Iterable[Run]) -> float | None:
    """Wall ns inside numpy a sample, over the runs' native sections."""
    spent = counted = 0
    for run in runs:
        marks = run.marks
        for worker in np.unique(marks.worker):
            mine = marks.worker == worker
            begins = marks.t_ns[mine & (marks.kind == protocol.NATIVE)]
            ends = mine & (marks.kind == protocol.NATIVE_END)
            if len(begins) != np.count_nonzero(ends):
                continue  # a worker that failed mid-section: leave it out
            spent += int((marks.t_ns[ends] - begins).sum())
            counted += int(np.nan_to_num(marks.value[ends]).sum())
    return spent / counted if counted else None


def sharing_config(runs: Sequence[Run]) -> SharingConfig:
    """The SharingConfig of runs of one mechanism and backend."""
    stats = [sharing(run) for run in runs]
    marks = [run.marks for run in runs]
    walls = [wall_ns(run) for run in runs]
    worker_time = sum(w.stop_ns for run in runs for w in run.workers if w.stop_ns)
    spent = sum(w.sharing_ns for each in stats if each for w in each.workers)
    waits = np.concatenate([lengths_of(m, LOCK_WAIT_MARK) for m in marks])
    mismatches = [sharing_mismatch(each) for each in stats if each is not None]
    mismatches = [each for each in mismatches if each is not None]
    mechanism = (runs[0].spec.params or {})["share"]
    if any(each is None for each in stats):  # a run without reports
        mismatches.append(SharingMismatch(mechanism=mechanism,
                                        own_total=None, collected_total=None))
    return SharingConfig(
        mechanism=mechanism, backend=runs[0].spec.backend, runs=len(runs),
        reports=costs(np.concatenate([lengths_of(m, SHARING_MARK) for m in marks]))
        or Costs(0, 0, 0.0, 0.0, 0),
        lock_waits=costs(waits), wall_ns=int(np.median(walls)), walls_ns=tuple(walls),
        sharing_share=spent / worker_time if worker_time else 0.0,
        ns_per_sample=native_ns_per_sample(runs),
        agrees=not mismatches, mismatch=mismatches[0] if mismatches else None)


def sharing_comparison(log: RunLog) -> SharingComparison | None:
    """The SharingComparison of a `gilviz share` job's runs (role "share");
    None if none finished."""
    runs = [run for run in log.runs if run.spec.role == Role.SHARING]
    if not runs:
        return None
    groups: dict[tuple[str, str], list[Run]] = {}
    for run in runs:
        groups.setdefault(((run.spec.params or {})["share"], run.spec.backend), []).append(run)
    order = {name: place for place, name in enumerate(protocol.SHARING_MECHANISMS)}
    keys = sorted(groups, key=lambda key: (order.get(key[0], len(order)), key[1] != "threads"))
    return SharingComparison(
        spec=runs[0].spec,
        chunk=(runs[0].spec.params or {}).get("chunk", protocol.PI_DEFAULT_CHUNK),
        repeats=min(len(group) for group in groups.values()),
        configs=tuple(sharing_config(groups[key]) for key in keys))


