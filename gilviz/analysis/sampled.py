"""Bands and parallelism from the sampler, for runs without the probe.

Each sample's state holds until the next. A thread off a CPU in a timed
futex wait is waiting for the GIL, in an untimed one blocked on a lock (see
measure/sampler); one in state R whose run_delay later grew over that time
was waiting for a CPU. A thread on a CPU inside a *native section* (between
a kernel's "native" and "native_end" marks: compiled code such as numpy,
which releases the GIL) runs without the GIL; outside one, in a kernel that
marks its sections, it runs Python and holds the GIL. An off-CPU sample
inside a wait the kernel recorded (io: a request, a sleep) takes that
wait's state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

from ..log import WAIT_TIMED, WAIT_UNTIMED, Marks, Run, ThreadSamples, Worker
from ..log.records import WAIT_IO as WAITS_ON_IO, WAIT_SLEEP as WAITS_IN_SLEEP
from .gaps import probe_segments, worker_gaps
from .flags import flag_segments
from .placement import probe_holds
from .interpreters import OLD_GIL, gil_kind
from .intervals import depth_integral, depth_steps, holding_at, merge_intervals
from .runs import gil_of_workers, longest_sample_ns, stop_by_worker
from .states import (NATIVE, OFF_CPU, ON_A_CPU, ON_CPU, RUNNING, SLEEPING, WAIT_CPU, WAIT_GIL,
                     WAIT_IO, WAIT_LOCK, Segments, merge_adjacent, segments_of)
from .waits import NATIVE_END_MARK, NATIVE_MARK, Waits, wait_spans, with_waits


def native_sections(marks: Marks, stop_by_worker: Mapping[int, int]) -> Segments | None:
    """Where each worker ran compiled code: from each "native" mark to the
    next "native_end" mark of the same worker (or its stop, if it failed in
    between). None if the kernel marks no sections."""
    if not np.any(marks.kind == NATIVE_MARK):
        return None
    parts = []
    for index, stop in stop_by_worker.items():
        mine = marks.worker == index
        begins = np.sort(marks.t_ns[mine & (marks.kind == NATIVE_MARK)])
        ends = np.sort(marks.t_ns[mine & (marks.kind == NATIVE_END_MARK)])
        following = np.searchsorted(ends, begins, side="left")
        stops = np.append(ends, stop)[following]
        parts.append((np.full(len(begins), index, np.int32), begins, stops,
                      np.full(len(begins), NATIVE, np.int8)))
    return segments_of(parts)


def waiting_for_cpu(samples: ThreadSamples) -> NDArray[np.bool_]:
    """Which samples caught their thread runnable but without a CPU.

    A thread's run_delay grows when it gets a CPU, by how long it waited for
    one: a rise of d by the sample at t means it waited from about t - d
    until shortly before t (it got the CPU after the previous sample). Its R
    samples in that window were waiting, not running. Exact to one sampling
    period at the end of each wait.
    """
    waiting = np.zeros(len(samples.t_ns), dtype=bool)
    for index in np.unique(samples.worker):
        rows = np.flatnonzero(samples.worker == index)
        t, delay = samples.t_ns[rows], samples.run_delay_ns[rows]
        rise = np.diff(delay)
        waited = (rise > 0) & (delay[:-1] >= 0)
        ends = t[1:][waited]
        starts, stops = merge_intervals(ends - rise[waited], ends)
        waiting[rows] = holding_at(starts, stops - 1, t)
    running: NDArray[np.bool_] = samples.state == "R"
    return waiting & running


def sample_states(samples: ThreadSamples, sections: Segments | None = None) -> NDArray[np.int8]:
    """The state each thread sample shows (a band state), from its scheduler
    state, its run_delay, what it waited on (a futex, a sleep, I/O), and whether it lay in one of
    `sections`."""
    on_cpu = samples.state == "R"
    states = np.where(on_cpu, ON_CPU, OFF_CPU).astype(np.int8)
    if sections is not None:
        inside = np.zeros(len(samples.t_ns), dtype=bool)
        for index in np.unique(samples.worker):
            rows = samples.worker == index
            mine = sections.worker == index
            inside[rows] = holding_at(sections.start_ns[mine], sections.stop_ns[mine],
                                      samples.t_ns[rows])
        states[on_cpu] = np.where(inside[on_cpu], NATIVE, RUNNING)
    states[~on_cpu & (samples.wait == WAIT_TIMED)] = WAIT_GIL
    states[~on_cpu & (samples.wait == WAIT_UNTIMED)] = WAIT_LOCK
    states[~on_cpu & (samples.wait == WAITS_IN_SLEEP)] = SLEEPING
    states[~on_cpu & (samples.wait == WAITS_ON_IO)] = WAIT_IO
    states[waiting_for_cpu(samples)] = WAIT_CPU
    return states


def without_gil(states: NDArray[np.int8], gil_enabled: bool) -> NDArray[np.int8]:
    """`states` of a run; where the interpreter has no GIL, a timed futex
    wait is no GIL wait but a wait with a timeout (a lock, a condition)."""
    if gil_enabled:
        return states
    return np.where(states == WAIT_GIL, WAIT_LOCK, states).astype(np.int8)


def sample_spans(samples: ThreadSamples, stop_by_worker: Mapping[int, int], longest_ns: int
                 ) -> tuple[NDArray[np.intp], NDArray[np.int64], NDArray[np.int64]]:
    """The span each sample stands for: until the worker's next sample.

    Returns (rows, start, stop), rows indexing `samples`. A span longer than
    `longest_ns` (the sampler paused) is cut there rather than stretched over
    time nobody looked at. Samples before the release or after the worker
    stopped are left out.
    """
    parts = []
    for index, stop in stop_by_worker.items():
        rows = np.flatnonzero((samples.worker == index) & (samples.t_ns >= 0)
                              & (samples.t_ns < stop))
        t = samples.t_ns[rows]
        parts.append((rows, t, np.minimum(np.append(t[1:], stop), t + longest_ns)))
    if not parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    kept, starts, stops = (np.concatenate(column) for column in zip(*parts))
    return kept, starts, stops


def sampled_segments(samples: ThreadSamples, stop_by_worker: Mapping[int, int], longest_ns: int,
                     waits: Waits | None = None,
                     states: NDArray[np.int8] | None = None) -> Segments:
    """Each sample's state held until the worker's next sample (see
    sample_spans), runs of one state joined. `states` gives the state of each
    sample, by default ON_CPU for state R, else OFF_CPU; an off-CPU sample
    taken inside one of the worker's `waits` takes that wait's state."""
    if states is None:
        states = np.where(samples.state == "R", ON_CPU, OFF_CPU).astype(np.int8)
    if waits is not None:
        states = with_waits(samples, states, waits)
    rows, start, stop = sample_spans(samples, stop_by_worker, longest_ns)
    return merge_adjacent(Segments(samples.worker[rows], start, stop, states[rows]))


def run_segments(run: Run) -> Segments:
    """What each worker was doing over time: from the probe if the run had
    it, else from the interpreter's own GIL flags (3.15+), refined by the
    sampler's thread states, else from those and the kernel's marks."""
    if run.probe is not None:
        holds = probe_holds(run)
        old_gil = gil_kind(run.interpreter) == OLD_GIL
        return probe_segments(holds, worker_gaps(holds, gil_of_workers(run), old_gil))
    if run.sampler is None:
        return segments_of([])
    stops = stop_by_worker(run)
    states = without_gil(sample_states(run.threads, native_sections(run.marks, stops)),
                         run.interpreter.gil_enabled)
    waits = wait_spans(run.marks)
    if run.gil_flags is not None and len(run.gil_flags.t_ns):
        segments = flag_segments(run, states, waits)
    else:
        segments = sampled_segments(run.threads, stops, longest_sample_ns(run), waits, states)
    from .sharing import with_sharing  # share imports states, as this module does
    return with_sharing(segments, run.marks)


def parallelism_steps(samples: ThreadSamples, stop_by_worker: Mapping[int, int], longest_ns: int
                      ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """How many workers were on a CPU at once, over time, as a depth_steps
    function: a worker counts from each sample that found it in state R, and
    not waiting for a CPU (waiting_for_cpu), until its next sample. Workers
    found R on the same CPU count once: only one of them can be running
    there, the others wait in its run queue."""
    rows, start, stop = sample_spans(samples, stop_by_worker, longest_ns)
    on_cpu = (samples.state == "R")[rows] & ~waiting_for_cpu(samples)[rows]
    cpu = samples.cpu[rows]
    busy_start, busy_stop = [], []
    for each in np.unique(cpu[on_cpu]):
        times, depth = depth_steps(start[on_cpu & (cpu == each)], stop[on_cpu & (cpu == each)])
        busy = depth[:-1] > 0
        busy_start.append(times[:-1][busy])
        busy_stop.append(times[1:][busy])
    if not busy_start:
        return depth_steps([], [])
    return depth_steps(np.concatenate(busy_start), np.concatenate(busy_stop))


def binned_parallelism(samples: ThreadSamples, stop_by_worker: Mapping[int, int], longest_ns: int,
                       edges_ns: npt.ArrayLike,
                       covered_at_least: float = 0.5) -> NDArray[np.float64]:
    """Mean parallelism (parallelism_steps) over each bin between the edges,
    counting only the time some sample stands for; NaN for a bin less than
    `covered_at_least` of which was sampled (the sampler paused): not
    sampled is not "no worker running"."""
    edges = np.asarray(edges_ns, dtype=np.int64)
    _, start, stop = sample_spans(samples, stop_by_worker, longest_ns)
    covered = np.diff(depth_integral(*depth_steps(*merge_intervals(start, stop)), edges))
    running = np.diff(depth_integral(*parallelism_steps(samples, stop_by_worker, longest_ns),
                                     edges))
    enough = (covered > 0) & (covered >= covered_at_least * np.diff(edges))
    return np.where(enough, running / np.where(enough, covered, 1), np.nan)


def mean_parallelism(run: Run, wall: int) -> float | None:
    """Workers on a CPU at once, on average over the sampled part of the
    run; None if no sample stands for any of it."""
    if wall <= 0:
        return None
    mean = binned_parallelism(run.threads, stop_by_worker(run), longest_sample_ns(run),
                              [0, wall], covered_at_least=0)[0]
    return None if np.isnan(mean) else float(mean)


QUEUED_SHARE = 0.1


def queued_ns(run: Run, segments: Segments) -> int | None:
    """Sampled running time beyond the workers' CPU time, if more than
    QUEUED_SHARE of it and than the sampling can explain (a period at each
    end of a running stretch): waits for a CPU that run_delay did not reveal
    (R means running *or runnable*). None if not."""
    if run.sampler is None:  # nothing sampled, nothing seen running
        return None
    on_cpu = np.isin(segments.state, ON_A_CPU)
    runnable = int((segments.stop_ns[on_cpu] - segments.start_ns[on_cpu]).sum())
    cpu = sum(w.cpu_ns for w in run.workers if w.cpu_ns is not None)
    excess = runnable - cpu
    resolution = 2 * np.count_nonzero(on_cpu) * 1e9 / run.sampler.requested_hz
    return excess if excess > max(QUEUED_SHARE * runnable, resolution) else None


def shared_members(workers: Iterable[Worker]) -> list[list[int]]:
    """Groups of workers (indices) that one pool member ran one after the other."""
    by_thread: dict[tuple[int, int | None], list[int]] = {}
    for worker in workers:
        by_thread.setdefault((worker.pid, worker.tid), []).append(worker.index)
    return [sorted(group) for group in by_thread.values() if len(group) > 1]


NOT_SAMPLED = -1
"""The state of an unsampled_spans segment: no sample stands for that time."""


def unsampled_spans(workers: Iterable[Worker], segments: Segments) -> Segments:
    """The holes in each worker's band, between its start and stop, where no
    sample stands (the sampler paused), as Segments of state NOT_SAMPLED."""
    parts = []
    for worker in workers:
        mine = segments.worker == worker.index
        if worker.stop_ns is None or not np.any(mine):
            continue
        starts = np.append(segments.start_ns[mine], worker.stop_ns)
        stops = np.concatenate(([worker.start_ns or 0], segments.stop_ns[mine]))
        hole = starts > stops
        parts.append((np.full(np.count_nonzero(hole), worker.index, np.int32), stops[hole],
                      starts[hole], np.full(np.count_nonzero(hole), NOT_SAMPLED, np.int8)))
    return segments_of(parts)
