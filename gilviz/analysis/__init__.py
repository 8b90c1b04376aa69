"""What a run's records mean: holds, waits, hand-offs, overlap, recorded waits,
sampled states and parallelism.

Pure functions over numpy arrays and log records; nothing here reads the
clock or the file system, so every result can be checked against
hand-built intervals.

Vocabulary. A *hold* is an interval in which the probe saw a worker run
Python code (under a GIL build: holding the GIL). A *gap* is the time
between two holds of a worker, or from the release to its first hold. A gap
is a GIL wait (WAIT_GIL) when other workers sharing the worker's GIL held it
for at least half the gap, an OS wait (WAIT_CPU) when the thread's run_delay
(runnable, no CPU) covers at least half of it, and UNCLEAR otherwise (VM
steal, interrupts). Low run_delay alone does not prove a GIL wait: on this
kind of machine most short gaps with no other worker running are not.

Without the probe, the bands come from the sampler: each sample's state
holds until the next. A thread off a CPU in a timed futex wait is waiting
for the GIL, in an untimed one blocked on a lock (see sampler); one in state
R whose run_delay later grew over that time was waiting for a CPU. A thread on
a CPU inside a *native section* (between a kernel's "native" and
"native_end" marks: compiled code such as numpy, which releases the GIL) runs
without the GIL; outside one, in a kernel that marks its sections, it runs
Python and holds the GIL. An off-CPU sample inside a wait the kernel
recorded (io: a request, a sleep) takes that wait's state.
"""

from __future__ import annotations

import math
from typing import NamedTuple, Optional

import numpy as np

from ..log import WAIT_TIMED, WAIT_UNREADABLE, WAIT_UNTIMED

WAIT_GIL, WAIT_CPU, UNCLEAR = 0, 1, 2
EVIDENCE_SHARE = 0.5
UNCLEAR_WARNING_SHARE = 0.02
"""Unexplained pauses over 2 % of the workers' time make a warning, not a note."""


class Gaps(NamedTuple):
    worker: np.ndarray
    start_ns: np.ndarray
    stop_ns: np.ndarray
    kind: np.ndarray
    """WAIT_GIL, WAIT_CPU or UNCLEAR."""


def classify_gaps(length_ns, cpu_wait_ns, gil_busy_ns):
    """The kind of each gap, from its length, the run_delay accrued in it
    (-1 where unknown) and the time other workers held its GIL during it."""
    length = np.asarray(length_ns, dtype=np.float64)
    cpu_wait = np.asarray(cpu_wait_ns, dtype=np.float64)
    gil_busy = np.asarray(gil_busy_ns, dtype=np.float64)
    kind = np.full(length.shape, UNCLEAR, dtype=np.int8)
    kind[cpu_wait >= EVIDENCE_SHARE * length] = WAIT_CPU
    kind[gil_busy >= EVIDENCE_SHARE * length] = WAIT_GIL
    return kind


def held_before(start_ns, stop_ns, t_ns):
    """Total time inside the sorted, disjoint intervals before each time t."""
    start = np.asarray(start_ns, dtype=np.int64)
    stop = np.asarray(stop_ns, dtype=np.int64)
    t = np.asarray(t_ns, dtype=np.int64)
    if len(start) == 0:
        return np.zeros(t.shape, np.int64)
    completed = np.concatenate(([0], np.cumsum(stop - start)))
    index = np.searchsorted(start, t, side="right")  # intervals begun by t
    last = np.clip(index - 1, 0, None)
    partial = np.where(index > 0, np.clip(t - start[last], 0, stop[last] - start[last]), 0)
    return completed[last] * (index > 0) + partial


def worker_gaps(holds, gil_of_worker):
    """The gaps of every worker, from the release to its last hold, classified.

    `gil_of_worker` maps a worker index to an id of the GIL it ran under.
    Holds must be sorted by start within each worker, as the probe writes them.
    """
    gil_of_hold = np.asarray([gil_of_worker[int(i)] for i in holds.worker], dtype=np.int64)
    parts = []
    for gil in np.unique(gil_of_hold):
        # A worker holds nothing during its own gaps, so the time its GIL was
        # held during a gap is all other workers' doing.
        group = gil_of_hold == gil
        order = np.argsort(holds.start_ns[group], kind="stable")
        group_start, group_stop = holds.start_ns[group][order], holds.stop_ns[group][order]
        for index in np.unique(holds.worker[group]):
            mine = holds.worker == index
            starts, stops = holds.start_ns[mine], holds.stop_ns[mine]
            gap_start = np.concatenate(([0], stops[:-1]))
            busy = (held_before(group_start, group_stop, starts)
                    - held_before(group_start, group_stop, gap_start))
            parts.append((np.full(len(starts), index, np.int32), gap_start, starts,
                          holds.cpu_wait_ns[mine], busy))
    if not parts:
        empty = np.zeros(0, np.int64)
        return Gaps(empty.astype(np.int32), empty, empty, empty.astype(np.int8))
    worker, start, stop, cpu_wait, busy = (np.concatenate(column) for column in zip(*parts))
    keep = stop > start
    kind = classify_gaps(stop - start, cpu_wait, busy)
    return Gaps(worker[keep], start[keep], stop[keep], kind[keep])


def depth_steps(start_ns, stop_ns):
    """How many of the intervals are open over time, as a step function:
    depth[i] holds from times[i] to times[i + 1] (and is 0 after the last)."""
    start = np.asarray(start_ns, dtype=np.int64)
    stop = np.asarray(stop_ns, dtype=np.int64)
    times = np.concatenate((start, stop))
    steps = np.concatenate((np.ones(len(start), np.int64), -np.ones(len(stop), np.int64)))
    order = np.lexsort((steps, times))  # at equal times, close before open
    return times[order], np.cumsum(steps[order])


def time_at_depth(times, depth, at_least):
    """Total time of a depth_steps function at `at_least` or more."""
    if len(times) == 0:
        return 0
    return int(np.diff(times)[depth[:-1] >= at_least].sum())


def overlap_ns(start_ns, stop_ns, at_least=2):
    """Total time during which `at_least` of the intervals are open at once."""
    return time_at_depth(*depth_steps(start_ns, stop_ns), at_least)


def holds_in_time_order(start_ns, gil):
    """For each GIL, the indices of its holds in the order they began."""
    start = np.asarray(start_ns, dtype=np.int64)
    gil = np.asarray(gil)
    for each in np.unique(gil):
        mine = np.flatnonzero(gil == each)
        yield mine[np.argsort(start[mine], kind="stable")]


def handoff_times(worker, start_ns, gil):
    """When the running worker changed among workers sharing one GIL: the
    start of each hold that follows another worker's hold.

    `gil` gives, per hold, an id of the GIL it belongs to (the process id).
    """
    worker = np.asarray(worker)
    start = np.asarray(start_ns, dtype=np.int64)
    times = []
    for order in holds_in_time_order(start, gil):
        changed = worker[order][1:] != worker[order][:-1]
        times.append(start[order][1:][changed])
    return np.sort(np.concatenate(times)) if times else np.zeros(0, np.int64)


def turn_lengths(worker, start_ns, stop_ns, gil):
    """Length of each turn: from a hand-off to the next, consecutive holds
    of one worker within one GIL merged, so that an OS pause that split a
    worker's hold does not split its turn."""
    worker = np.asarray(worker)
    start = np.asarray(start_ns, dtype=np.int64)
    stop = np.asarray(stop_ns, dtype=np.int64)
    lengths = []
    for order in holds_in_time_order(start, gil):
        first = np.concatenate(([True], worker[order][1:] != worker[order][:-1]))
        last = np.concatenate((first[1:], [True]))
        lengths.append(stop[order][last] - start[order][first])
    return np.concatenate(lengths) if lengths else np.zeros(0, np.int64)


def holding_at(start_ns, stop_ns, t_ns, margin_ns=0):
    """For each time, whether it lies inside one of the sorted, disjoint
    intervals shrunk by `margin_ns` at both ends (grown, for a negative margin)."""
    start = np.asarray(start_ns, dtype=np.int64)
    stop = np.asarray(stop_ns, dtype=np.int64)
    t = np.asarray(t_ns, dtype=np.int64)
    if len(start) == 0:
        return np.zeros(t.shape, dtype=bool)
    # The last interval that (shrunk or grown) begins at or before t is the
    # only one that can hold t: the intervals are disjoint and sorted.
    index = np.searchsorted(start, t - margin_ns, side="right") - 1
    valid = index >= 0
    clipped = np.clip(index, 0, None)
    return valid & (t >= start[clipped] + margin_ns) & (t <= stop[clipped] - margin_ns)


class Acquisitions(NamedTuple):
    failed: np.ndarray
    """Indices of thread samples that caught a worker on a CPU (state R) while
    the probe shows it not running and another worker of its GIL running."""
    agreeing: int
    """Samples inside a probe hold (clear of its edges) that found the thread R."""
    inside: int
    """Samples inside a probe hold, clear of its edges."""


def failed_acquisitions(holds, samples, gil_of_worker, margin_ns):
    """Compare the sampler's states with the probe's holds.

    A sample counts only when it lies at least `margin_ns` (the probe's
    resolution) away from every hold edge involved, so that neither signal's
    uncertainty can make a false mark.
    """
    t = samples.t_ns
    sample_gil = np.asarray([gil_of_worker[int(w)] for w in samples.worker], dtype=np.int64)
    own_clearly = np.zeros(len(t), dtype=bool)   # inside its own hold, clear of the edges
    own_maybe = np.zeros(len(t), dtype=bool)     # inside its own hold or near one
    other_clearly = np.zeros(len(t), dtype=bool) # another worker of its GIL clearly holds
    for index in np.unique(holds.worker):
        theirs = holds.worker == index
        start, stop = holds.start_ns[theirs], holds.stop_ns[theirs]
        own = samples.worker == index
        others = ~own & (sample_gil == gil_of_worker[int(index)])
        own_clearly[own] = holding_at(start, stop, t[own], margin_ns)
        own_maybe[own] = holding_at(start, stop, t[own], -margin_ns)
        other_clearly[others] |= holding_at(start, stop, t[others], margin_ns)
    running = samples.state == "R"
    return Acquisitions(failed=np.flatnonzero(running & ~own_maybe & other_clearly),
                        agreeing=int(np.count_nonzero(own_clearly & running)),
                        inside=int(np.count_nonzero(own_clearly)))


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
    """Where the measurement is degraded, in words for the audience."""
    notes: tuple
    """Minor caveats, still worth saying (a little time not explained)."""
    parallelism: Optional[float] = None
    """Without the probe: mean number of workers on a CPU at once from the
    release to the last stop, over the time sampled (parallelism_steps)."""


class Comparison(NamedTuple):
    """Wall times of repeated runs against their serial baselines."""

    ratio: float
    """Median over the pairs of run wall / baseline wall (pairs in run order)."""
    low: float
    high: float
    pairs: int
    run_wall_ns: int
    """Median wall time of the runs."""
    baseline_wall_ns: int


def compare_walls(run_walls_ns, baseline_walls_ns):
    """Pair the i-th run with the i-th baseline, measured next to each other,
    so that drift of the machine's speed hits both sides of each ratio alike."""
    runs = np.asarray(run_walls_ns, dtype=np.float64)
    baselines = np.asarray(baseline_walls_ns, dtype=np.float64)
    pairs = min(len(runs), len(baselines))
    if pairs == 0:
        return None
    ratios = runs[:pairs] / baselines[:pairs]
    return Comparison(ratio=float(np.median(ratios)), low=float(ratios.min()),
                      high=float(ratios.max()), pairs=pairs,
                      run_wall_ns=int(np.median(runs)), baseline_wall_ns=int(np.median(baselines)))


class SideBySide(NamedTuple):
    """Two sides of a comparison (A and B), measured alternately."""

    walls: Comparison
    """Wall times, A over B, pair by pair (compare_walls)."""
    handoffs_a: Optional[float]
    """Median GIL hand-offs of A's runs; None where no two workers share a GIL."""
    handoffs_b: Optional[float]
    handoff_ratio: Optional[float]
    """handoffs_a / handoffs_b; None where either is unknown or B had none."""


def compare_sides(walls_a_ns, walls_b_ns, handoffs_a, handoffs_b):
    """A against B: the i-th run of each side were measured next to each other."""
    walls = compare_walls(walls_a_ns, walls_b_ns)
    if walls is None:
        return None

    def median(counts):
        known = [count for count in counts if count is not None]
        return float(np.median(known)) if known else None

    a, b = median(handoffs_a), median(handoffs_b)
    ratio = a / b if a is not None and b else None
    return SideBySide(walls=walls, handoffs_a=a, handoffs_b=b, handoff_ratio=ratio)


def faster_side(comparison):
    """"a" or "b" where every pair of a Comparison (A over B) agrees which
    side was faster, else None; one pair shows no spread, so it never decides."""
    if comparison.pairs < 2:
        return None
    if comparison.high < 1:
        return "a"
    if comparison.low > 1:
        return "b"
    return None


def median_run(runs):
    """The run whose wall time is the median (the lower one of an even count)."""
    order = sorted(runs, key=wall_ns)
    return order[(len(order) - 1) // 2]


def gil_of_workers(run):
    """An id of the GIL each worker ran under: its pid; without a GIL, an id
    of its own."""
    if run.interpreter.gil_enabled:
        return {w.index: w.pid for w in run.workers}
    return {w.index: -1 - w.index for w in run.workers}


def shares_gil(run):
    gil = gil_of_workers(run)
    return {index: sum(1 for other in gil.values() if other == mine) > 1
            for index, mine in gil.items()}


def wall_ns(run):
    stops = [w.stop_ns for w in run.workers if w.stop_ns is not None]
    return max(stops) if stops else run.end_ns


def probe_resolution_ns(run, io_workers=()):
    """Held time per clock read: the spacing of the probe's timestamps in the
    kernels that read the clock every `chunk` iterations. `io_workers` read it
    around each blocking call instead, so their edges are exact: left out."""
    if run.probe is None or len(run.holds.worker) == 0:
        return None
    reads = sum(-(-w.work // run.probe.chunk) for w in run.workers
                if w.error is None and w.index not in io_workers)
    counted = ~np.isin(run.holds.worker, list(io_workers))
    held = int((run.holds.stop_ns[counted] - run.holds.start_ns[counted]).sum())
    return held / reads if reads else None


def pinning_warning(run):
    """Words for the audience if the target did not get the cores it asked for."""
    asked, got = run.spec.cores, run.interpreter.affinity
    if asked is None or got is None or sorted(asked) == sorted(got):
        return None
    return "asked to pin to cores %s, the target got %s" % (
        ",".join(map(str, sorted(asked))), ",".join(map(str, got)))


def coarse_probe_warning(switch_interval_s, resolution_ns):
    """Words for the audience if GIL turns can be shorter than the probe sees."""
    if resolution_ns is None or switch_interval_s * 1e9 >= 2 * resolution_ns:
        return None
    return ("switch interval %.0f µs is close to the probe's %.0f µs resolution: "
            "short turns merge in the bands" % (switch_interval_s * 1e6, resolution_ns / 1e3))


def sampler_warning(stats, at_least=0.8, longest_periods=20):
    """Words for the audience if the sampler fell behind, else None."""
    if stats is None:
        return None
    period_ns = 1e9 / stats.requested_hz
    if stats.achieved_hz >= at_least * stats.requested_hz and \
            stats.max_interval_ns <= longest_periods * period_ns:
        return None
    return "sampler fell behind: %.0f Hz of %.0f requested, longest pause %.1f ms" % (
        stats.achieved_hz, stats.requested_hz, stats.max_interval_ns / 1e6)


def time_by_state(segments, index):
    """{state: ns} of one worker's segments."""
    mine = segments.worker == index
    lengths = segments.stop_ns[mine] - segments.start_ns[mine]
    return {int(state): int(lengths[segments.state[mine] == state].sum())
            for state in np.unique(segments.state[mine])}


def shared_members(workers):
    """Groups of workers (indices) that one pool member ran one after the other."""
    by_thread = {}
    for worker in workers:
        by_thread.setdefault((worker.pid, worker.tid), []).append(worker.index)
    return [sorted(group) for group in by_thread.values() if len(group) > 1]


def sampling_warnings(run, segments):
    """What limits the sampled bands, in words for the audience."""
    warnings = []
    for group in shared_members(run.workers):
        warnings.append("the pool ran workers %s one after the other on one %s" % (
            ", ".join(map(str, group)), "thread" if run.spec.backend == "dummy-pool" else "process"))
    if np.any(run.threads.wait == WAIT_UNREADABLE):
        warnings.append("could not read what sleeping threads waited on (no ptrace access): "
                        "GIL and lock waits show as 'off CPU'")
    queued = queued_ns(run, segments)
    if queued is not None:
        warnings.append("sampled running time exceeds the workers' CPU time by %.0f ms: "
                        "some waits for a CPU show as running" % (queued / 1e6))
    return warnings


QUEUED_SHARE = 0.1


def queued_ns(run, segments):
    """Sampled running time beyond the workers' CPU time, if more than
    QUEUED_SHARE of it and than the sampling can explain (a period at each
    end of a running stretch): waits for a CPU that run_delay did not reveal
    (R means running *or runnable*). None if not."""
    on_cpu = np.isin(segments.state, (RUNNING, NATIVE, ON_CPU))
    runnable = int((segments.stop_ns[on_cpu] - segments.start_ns[on_cpu]).sum())
    cpu = sum(w.cpu_ns for w in run.workers if w.cpu_ns is not None)
    excess = runnable - cpu
    resolution = 2 * np.count_nonzero(on_cpu) * 1e9 / run.sampler.requested_hz
    return excess if excess > max(QUEUED_SHARE * runnable, resolution) else None


def mean_parallelism(run, wall):
    """Workers on a CPU at once, on average over the sampled part of the
    run; None if no sample stands for any of it."""
    if wall <= 0:
        return None
    mean = binned_parallelism(run.threads, stop_by_worker(run), longest_sample_ns(run),
                              [0, wall], covered_at_least=0)[0]
    return None if np.isnan(mean) else float(mean)


def summarize(run, io_workers=()):
    """Per-worker and run-wide figures of one run.

    `io_workers` block in I/O calls by design (the convoy's I/O thread): their
    pauses are those calls, so none of them is reported as unexplained.
    """
    wall = wall_ns(run)
    gil = gil_of_workers(run)
    probed = run.probe is not None
    gaps = worker_gaps(run.holds, gil) if probed else None
    resolution = probe_resolution_ns(run, io_workers)
    sampled = run.sampler is not None and len(run.threads.t_ns) > 0
    acquisitions = None
    if probed and sampled:
        acquisitions = failed_acquisitions(run.holds, run.threads, gil, int(resolution or 0))
    segments = run_segments(run) if sampled and not probed else None
    parallel = None
    if segments is not None:
        parallel = parallelism_steps(run.threads, stop_by_worker(run), longest_sample_ns(run))

    workers = []
    for worker in run.workers:
        held = wait_gil = wait_cpu = unclear = share = failed = None
        if probed and worker.error is None:
            mine = run.holds.worker == worker.index
            held = int((run.holds.stop_ns[mine] - run.holds.start_ns[mine]).sum())
            gap_mine = gaps.worker == worker.index
            lengths = gaps.stop_ns[gap_mine] - gaps.start_ns[gap_mine]
            kinds = gaps.kind[gap_mine]
            wait_gil, wait_cpu, unclear = (int(lengths[kinds == kind].sum())
                                           for kind in (WAIT_GIL, WAIT_CPU, UNCLEAR))
            share = held / wall if wall > 0 else None
        if acquisitions is not None:
            failed = int(np.count_nonzero(run.threads.worker[acquisitions.failed] == worker.index))
        workers.append(WorkerStats(
            index=worker.index, wall_ns=worker.stop_ns, cpu_ns=worker.cpu_ns, held_ns=held,
            wait_gil_ns=wait_gil, wait_cpu_ns=wait_cpu, unclear_ns=unclear, hold_share=share,
            failed_acquisitions=failed, error=worker.error,
            sampled_ns=time_by_state(segments, worker.index) if segments is not None else None,
        ))

    shared = any(shares_gil(run).values())
    hold_gil = np.asarray([gil[int(index)] for index in run.holds.worker], dtype=np.int64)
    turns = turn_lengths(run.holds.worker, run.holds.start_ns, run.holds.stop_ns, hold_gil)
    warnings = [("worker %d failed: %s" % (w.index, w.error)) for w in run.workers if w.error]
    # A kernel that could not do what was asked says what it did instead.
    warnings += sorted({w.result["fallback"] for w in run.workers
                        if w.result and w.result.get("fallback")})
    if segments is not None:
        warnings += sampling_warnings(run, segments)
    notes = []
    caveats = (sampler_warning(run.sampler), pinning_warning(run),
               coarse_probe_warning(run.interpreter.switch_interval_s, resolution),
               system_time_warning(run))
    warnings += [caveat for caveat in caveats if caveat]
    if probed:
        unclear_gaps = (gaps.kind == UNCLEAR) & ~np.isin(gaps.worker, list(io_workers))
        if unclear_gaps.any():
            unclear_ns = int((gaps.stop_ns[unclear_gaps] - gaps.start_ns[unclear_gaps]).sum())
            worker_time = sum(w.stop_ns for w in run.workers if w.stop_ns is not None)
            serious = unclear_ns > UNCLEAR_WARNING_SHARE * worker_time
            count = np.count_nonzero(unclear_gaps)
            (warnings if serious else notes).append(
                "%d pause%s (%.1f ms in all) not put down to the GIL or the OS"
                % (count, "" if count == 1 else "s", unclear_ns / 1e6))

    return RunStats(
        wall_ns=wall,
        cpu_ns=sum(w.cpu_ns for w in run.workers if w.cpu_ns is not None),
        handoffs=(len(handoff_times(run.holds.worker, run.holds.start_ns, hold_gil))
                  if probed and shared else None),
        median_turn_ns=int(np.median(turns)) if probed and shared and len(turns) else None,
        overlap_ns=(overlap_ns(run.holds.start_ns, run.holds.stop_ns) if probed
                    else time_at_depth(*parallel, 2) if parallel is not None else None),
        resolution_ns=resolution,
        probe_agreement=(acquisitions.agreeing / acquisitions.inside
                         if acquisitions is not None and acquisitions.inside else None),
        failed_samples=acquisitions.failed if acquisitions is not None else np.zeros(0, np.int64),
        workers=tuple(workers),
        warnings=tuple(warnings),
        notes=tuple(notes),
        parallelism=mean_parallelism(run, wall) if parallel is not None else None,
    )


# States a timeline band shows. The first three are the gap kinds above.
RUNNING, ON_CPU, OFF_CPU, WAIT_IO, SLEEPING, NATIVE, WAIT_LOCK = 3, 4, 5, 6, 7, 8, 9
"""RUNNING comes from the probe, or from the sampler for a thread on a CPU
outside its kernel's native sections; NATIVE is one inside them. ON_CPU /
OFF_CPU come from the sampler alone (state R, or anything else) where nothing
more can be told; WAIT_LOCK from a sampled untimed futex wait. WAIT_IO and
SLEEPING are OFF_CPU samples taken while the kernel's own marks say that the
worker waited for a reply or slept."""

NATIVE_MARK, NATIVE_END_MARK = "native", "native_end"
"""Mark kinds a kernel writes around its calls into compiled code (agent/kernels.py)."""

WAIT_MARKS = {"request": WAIT_IO, "sleep": SLEEPING}
"""Mark kinds whose value is the length (ns) of a wait that began at t_ns."""
ROUND_TRIP_MARKS = {"round-trip": WAIT_IO}
"""The convoy's round trips: waits of its client process, recorded by the I/O
thread that answered them (agent/convoy.py). They are not waits of that
thread, so they are left out of WAIT_MARKS (and of its band's states)."""


class Waits(NamedTuple):
    worker: np.ndarray
    start_ns: np.ndarray
    stop_ns: np.ndarray
    state: np.ndarray
    """WAIT_IO or SLEEPING."""


def wait_spans(marks, kinds=WAIT_MARKS):
    """The waits the kernel recorded as marks of `kinds` (kind: state),
    sorted by worker and start."""
    state = np.asarray([kinds.get(kind, -1) for kind in marks.kind.tolist()], np.int8)
    keep = state >= 0
    start = marks.t_ns[keep]
    stop = start + np.nan_to_num(marks.value[keep]).astype(np.int64)
    order = np.lexsort((start, marks.worker[keep]))
    return Waits(marks.worker[keep][order], start[order], stop[order], state[keep][order])


class WaitStats(NamedTuple):
    """How long the kernel's recorded waits of one kind took."""

    state: int
    """WAIT_IO or SLEEPING."""
    count: int
    median_ns: int
    p99_ns: int
    max_ns: int


def wait_stats(waits):
    """Figures for each kind of wait present, most frequent first."""
    stats = []
    for state in np.unique(waits.state):
        lengths = (waits.stop_ns - waits.start_ns)[waits.state == state]
        stats.append(WaitStats(state=int(state), count=len(lengths),
                               median_ns=int(np.median(lengths)),
                               p99_ns=int(np.percentile(lengths, 99)),
                               max_ns=int(lengths.max())))
    return sorted(stats, key=lambda each: -each.count)


def completed_per_second(waits):
    """Waits completed a second, from the first begun to the last ended (the
    throughput of one client's round trips); None without any."""
    if len(waits.start_ns) == 0:
        return None
    span = int(waits.stop_ns.max() - waits.start_ns.min())
    return len(waits.start_ns) * 1e9 / span if span > 0 else None


def waiting_share(waits, worker, wall_ns):
    """Share of `wall_ns` during which `worker` had a wait outstanding."""
    mine = waits.worker == worker
    if wall_ns <= 0 or not np.any(mine):
        return None
    return float((waits.stop_ns[mine] - waits.start_ns[mine]).sum()) / wall_ns


STATE_NAMES = {
    WAIT_GIL: "waiting for the GIL",
    WAIT_CPU: "waiting for a CPU",
    UNCLEAR: "not running (cause unclear)",
    RUNNING: "running Python",
    ON_CPU: "on a CPU (sampled)",
    OFF_CPU: "off CPU (sampled)",
    WAIT_IO: "blocked on I/O (sampled)",
    SLEEPING: "in time.sleep (sampled)",
    NATIVE: "running in numpy, GIL released (sampled)",
    WAIT_LOCK: "blocked on a lock (sampled)",
}


class Segments(NamedTuple):
    worker: np.ndarray
    start_ns: np.ndarray
    stop_ns: np.ndarray
    state: np.ndarray
    """One of the band states: WAIT_GIL ... WAIT_LOCK."""


def _segments(parts):
    if not parts:
        empty = np.zeros(0, np.int64)
        return Segments(empty.astype(np.int32), empty, empty, empty.astype(np.int8))
    return Segments(*(np.concatenate(column) for column in zip(*parts)))


def probe_segments(holds, gaps):
    """Holds as RUNNING and gaps as their kind, in one table."""
    return _segments([
        (holds.worker, holds.start_ns, holds.stop_ns,
         np.full(len(holds.worker), RUNNING, np.int8)),
        (gaps.worker, gaps.start_ns, gaps.stop_ns, gaps.kind.astype(np.int8)),
    ])


def native_sections(marks, stop_by_worker):
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
    return _segments(parts)


def merge_intervals(start_ns, stop_ns):
    """The union of intervals, as sorted, disjoint (start, stop) arrays."""
    times, depth = depth_steps(start_ns, stop_ns)
    if len(times) == 0:
        return times, times
    opens = np.flatnonzero((depth > 0) & (np.concatenate(([0], depth[:-1])) == 0))
    closes = np.flatnonzero((depth == 0) & (np.concatenate(([0], depth[:-1])) > 0))
    return times[opens], times[closes]


def waiting_for_cpu(samples):
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
    return waiting & (samples.state == "R")


def sample_states(samples, sections=None):
    """The state each thread sample shows (a band state), from its scheduler
    state, its run_delay, what it waited on, and whether it lay in one of
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
    states[waiting_for_cpu(samples)] = WAIT_CPU
    return states


def sample_spans(samples, stop_by_worker, longest_ns):
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
    return tuple(np.concatenate(column) for column in zip(*parts))


def merge_adjacent(segments):
    """Join each segment to the one before when it continues it: same worker
    and state, no time between. Segments must be in order within a worker."""
    if len(segments.start_ns) < 2:
        return segments
    continues = ((segments.worker[1:] == segments.worker[:-1])
                 & (segments.state[1:] == segments.state[:-1])
                 & (segments.start_ns[1:] == segments.stop_ns[:-1]))
    first = np.concatenate(([True], ~continues))
    last = np.concatenate((~continues, [True]))
    return Segments(segments.worker[first], segments.start_ns[first], segments.stop_ns[last],
                    segments.state[first])


def with_waits(samples, states, waits):
    """`states` where an off-CPU sample taken inside one of its worker's
    `waits` (wait_spans) takes that wait's state."""
    states = states.copy()
    for index in np.unique(waits.worker):
        rows = np.flatnonzero(samples.worker == index)
        own = waits.worker == index
        for kind in np.unique(waits.state[own]):
            spans = own & (waits.state == kind)
            inside = holding_at(waits.start_ns[spans], waits.stop_ns[spans], samples.t_ns[rows])
            states[rows[inside & (states[rows] == OFF_CPU)]] = kind
    return states


def sampled_segments(samples, stop_by_worker, longest_ns, waits=None, states=None):
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


def longest_sample_ns(run):
    """How long one sample may stand for: three sampling periods."""
    return int(3e9 / run.sampler.requested_hz)


def stop_by_worker(run):
    return {w.index: w.stop_ns for w in run.workers if w.stop_ns is not None}


def run_segments(run):
    """What each worker was doing over time: from the probe if the run had
    it, else from the sampler's thread states and the kernel's marks."""
    if run.probe is not None:
        return probe_segments(run.holds, worker_gaps(run.holds, gil_of_workers(run)))
    if run.sampler is None:
        return _segments([])
    stops = stop_by_worker(run)
    states = sample_states(run.threads, native_sections(run.marks, stops))
    return sampled_segments(run.threads, stops, longest_sample_ns(run), wait_spans(run.marks),
                            states)


def parallelism_steps(samples, stop_by_worker, longest_ns):
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


def depth_integral(times, depth, t_ns):
    """The integral of a depth_steps function from the start to each time t."""
    times = np.asarray(times, dtype=np.int64)
    t = np.asarray(t_ns, dtype=np.int64)
    if len(times) == 0:
        return np.zeros(t.shape, np.float64)
    done = np.concatenate(([0.0], np.cumsum(np.diff(times) * depth[:-1], dtype=np.float64)))
    index = np.searchsorted(times, t, side="right") - 1
    clipped = np.clip(index, 0, None)
    partial = depth[clipped] * (t - times[clipped]).astype(np.float64)
    return np.where(index >= 0, done[clipped] + partial, 0.0)


def binned_parallelism(samples, stop_by_worker, longest_ns, edges_ns, covered_at_least=0.5):
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


def switch_times(run):
    """When the timeline changes hands: GIL hand-offs where workers share a
    GIL, else the start of every hold or sampled segment."""
    if run.probe is None:
        return run_segments(run).start_ns
    gil = gil_of_workers(run)
    if any(shares_gil(run).values()):
        hold_gil = np.asarray([gil[int(i)] for i in run.holds.worker], dtype=np.int64)
        return handoff_times(run.holds.worker, run.holds.start_ns, hold_gil)
    return run.holds.start_ns


def typical_window(start_ns, stop_ns, width_ns, end_ns):
    """Start of a `width_ns` window within [0, end_ns], beginning where one of
    the waits does, whose waits have a median length closest to that of all;
    of several such, the one nearest the middle of the run. Unlike the
    busiest window, it does not favour where the waits were short."""
    start = np.asarray(start_ns, dtype=np.int64)
    length = np.asarray(stop_ns, dtype=np.int64) - start
    latest = end_ns - width_ns
    if latest <= 0 or len(start) == 0:
        return 0
    overall = np.median(length)
    candidates = np.unique(np.clip(start, 0, latest))
    distance = np.asarray([abs(np.median(length[(start >= t) & (start < t + width_ns)]) - overall)
                           if np.any((start >= t) & (start < t + width_ns)) else np.inf
                           for t in candidates])
    best = candidates[distance == distance.min()]
    return int(best[np.argmin(np.abs(best - latest // 2))])


def busiest_window(event_ns, width_ns, end_ns):
    """Start of the `width_ns` window within [0, end_ns] that holds the most
    events; of several such, the one nearest the middle of the run (the start
    of a run is seldom typical of it)."""
    events = np.sort(np.asarray(event_ns, dtype=np.int64))
    latest = end_ns - width_ns
    if latest <= 0 or len(events) == 0:
        return 0
    candidates = np.clip(events, 0, latest)
    counts = (np.searchsorted(events, candidates + width_ns, side="right")
              - np.searchsorted(events, candidates, side="left"))
    best = candidates[counts == counts.max()]
    return int(best[np.argmin(np.abs(best - latest // 2))])


SYSTEM_SHARE_NOTED = 0.3
"""A run whose target spent more of its CPU time in the OS kernel gets a warning."""
BUSY_SHARE = 0.5
"""...if the workers used at least this much CPU time for each second of wall time."""
SYSTEM_SHARE_GAP = 0.2
"""Baselines whose system share exceeds the run's by more get a note."""


def system_share(run):
    """The share of the target processes' CPU time spent in the OS kernel
    (system time) while sampled, from psutil's readings; None without them."""
    user = system = 0.0
    for pid in np.unique(run.processes.pid):
        mine = np.flatnonzero(run.processes.pid == pid)
        if len(mine) > 1:
            user += run.processes.user_s[mine[-1]] - run.processes.user_s[mine[0]]
            system += run.processes.system_s[mine[-1]] - run.processes.system_s[mine[0]]
    return system / (user + system) if user + system > 0 else None


def busy_system_share(run):
    """system_share of a run whose workers kept the CPU busy (BUSY_SHARE);
    None for one that mostly waited (I/O), whose few ms of CPU time are
    system calls by nature."""
    busy = sum(w.cpu_ns for w in run.workers if w.cpu_ns is not None)
    return system_share(run) if busy >= BUSY_SHARE * wall_ns(run) else None


def system_time_warning(run):
    """Words for the audience when much of a busy run's CPU time was the OS
    kernel's (system time), else None: the run then measures the kernel's
    work (page faults, say) as much as the workload's."""
    share = busy_system_share(run)
    if share is None or share <= SYSTEM_SHARE_NOTED:
        return None
    return "%.0f%% of the target's CPU time went to the OS kernel (system time)" % (100 * share)


def baseline_note(run, baselines):
    """Words for the audience when the serial baselines spent much more of
    their CPU time in the OS kernel than `run`: the ratio of wall times then
    measures that too, not only the workers' parallelism. None if not."""
    shares = [share for share in map(busy_system_share, baselines) if share is not None]
    mine = busy_system_share(run)
    if not shares or mine is None or np.median(shares) - mine <= SYSTEM_SHARE_GAP:
        return None
    return ("the serial baselines spent %.0f%% of their CPU time in the OS kernel, this run "
            "%.0f%%: the ratio of wall times reflects that too" % (100 * np.median(shares),
                                                                   100 * mine))


class PiEstimate(NamedTuple):
    """What the Monte-Carlo pi kernel found, over all workers."""

    value: float
    standard_error: float
    """Of the estimate: 4 sqrt(p (1 - p) / n), p the share of hits."""
    samples: int
    hits: int
    samples_per_s: float
    """Samples over the run's wall time."""
    max_rss_bytes: int
    """The highest peak resident memory of a worker's process."""

    @property
    def error(self):
        return self.value - math.pi


def pi_estimate(run):
    """The estimate of pi from a pi run's worker results; None if a worker
    failed or the run is not one."""
    results = [w.result for w in run.workers]
    if not results or any(r is None or "hits" not in r for r in results):
        return None
    samples = sum(r["samples"] for r in results)
    hits = sum(r["hits"] for r in results)
    share = hits / samples
    wall = wall_ns(run)
    return PiEstimate(
        value=4 * share, standard_error=4 * math.sqrt(share * (1 - share) / samples),
        samples=samples, hits=hits, samples_per_s=samples * 1e9 / wall if wall > 0 else 0.0,
        max_rss_bytes=max(r["max_rss_bytes"] for r in results),
    )
