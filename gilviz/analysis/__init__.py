"""What a run's records mean: holds, gaps, hand-offs, overlap, recorded
waits, sampled states, the interpreter's own flags, parallelism, a run's
figures and caveats, what a timeline draws, comparisons and scaling.

Pure functions over numpy arrays and log records; nothing here reads the
clock or the file system, so every result can be checked against
hand-built intervals. Results are typed records, never words: where a
measurement is degraded, a caveat record (caveats) says how, and report
puts it into words.

    states        the band states and the table of segments
    ordering      stable orders of rows by a small integer group (worker, GIL), then by time
    intervals     holds as intervals: time held, overlap, unions, hand-offs, turns
    keyed         intervals of many groups (workers, GILs) in one numpy pass
    runs          wall time, GILs shared, worker stops, cores
    interpreters  old GIL, new GIL or none; the old GIL's battle; late starts; the ideal ratio
    placement     where the probe's holds begin and end: each gap's own chunk placed
    gaps          the probe's gaps and their causes; the sampler checked against it
    waits         waits the kernel recorded itself (io, the convoy's round trips)
    sampled       bands and parallelism from the sampler alone
    flags         the interpreter's own GIL flags (3.15+): bands, code held in, the probe checked
    program       a program's run (gilviz run, attach): its states, hand-offs, failed wake-ups
    system        the OS kernel's share of the CPU time
    load          other processes' CPU use during a run
    plausibility  whether a ratio can be a speedup; the machine's speed
    pi            the pi kernel's estimate
    sharing       how workers shared their counts: report costs, lock waits, the totals check
    caveats       typed records of what degraded a measurement
    run_caveats   the caveats of one run, as warnings and notes
    summary       summarize: a run's figures (RunStats), its workers' and its caveats
    views         timeline_view: everything a timeline draws, computed once
    windows       the busiest or the most typical window to zoom in on
    shown         which states a timeline shows at a size one can see
    raster        bands on pixel columns, for segments too narrow to draw one by one
    selection     a timeline narrowed to some workers or another zoom window (slides)
    unfolding     what each worker had held by each moment, for an animation
    compare       a run against its baselines, side A against side B
    convoy        the convoy's latencies and windows
    scaling       speedup, efficiency and Amdahl's law over a sweep
"""

# ruff: noqa: F401  (re-exports: the names the rest of gilviz imports from here)
from .caveats import (Caveat, BaselineSystemTime, CoarseProbe, IncompleteSweep, KernelFallback,
                      LateStart, OtherLoad, PinningMismatch, PoolSharedMembers,
                      QueuedAsRunning, RunsLeftOut, SamplerBehind, SharingMismatch, ShortTurns,
                      SpeedChange, UnexplainedSpeedup,
                      SystemTime, TimedWaitsAsGil, UnexplainedPauses, WaitsUnreadable,
                      WorkerFailed)
from .compare import (Comparison, ComparedRuns, Side, SideBySide, compare_runs, compare_sides,
                      compare_walls, faster_side)
from .convoy import Convoy, ConvoyCase, convoy, convoy_case, io_segments
from .gaps import (EVIDENCE_SHARE, Acquisitions, Gaps, classify_gaps, failed_acquisitions,
                   probe_resolution_ns, probe_segments, worker_gaps)
from .interpreters import (LATE_START_NS, NEW_GIL, NO_GIL, OLD_GIL, Battle, Ideal, gil_kind,
                           ideal_ratio, late_starts, old_gil_battle)
from .intervals import (depth_integral, depth_steps, handoff_times, held_before, holding_at,
                        holds_in_time_order, merge_intervals, overlap_ns, time_at_depth,
                        turn_lengths)
from .load import LoadSeries, load_figures, load_series, other_load
from .pi import PiEstimate, pi_estimate
from .plausibility import (SPEED_MARGIN, SPEEDUP_MARGIN, cpu_per_work, speed_change,
                           unexplained_ratio)
from .runs import (core_count, gil_of_workers, longest_sample_ns, median_run, shares_gil,
                   stop_by_worker, wall_ns)
from .sampled import (binned_parallelism, mean_parallelism, native_sections, parallelism_steps,
                      queued_ns, run_segments, sample_spans, sample_states, sampled_segments,
                      shared_members, waiting_for_cpu)
from .sharing import Costs, Sharing, WorkerSharing, sharing, with_sharing
from .states import (NATIVE, OFF_CPU, ON_A_CPU, ON_CPU, RUNNING, SHARING, SLEEPING, UNCLEAR,
                     WAIT_CPU, WAIT_GIL, WAIT_IO, WAIT_LOCK, Segments, merge_adjacent,
                     time_by_state)
from .run_caveats import UNCLEAR_WARNING_SHARE, coarse_probe, pinning_mismatch, sampler_behind
from .summary import RunStats, WorkerStats, summarize
from .system import baseline_system_time, busy_system_share, system_share, system_time
from .views import (HELD, ON_CPU_SHARE, RAN, WAITING, BandShares, ParallelismBins,
                    TimelineView, timeline_view)
from .waits import (NATIVE_END_MARK, NATIVE_MARK, ROUND_TRIP_MARKS, WAIT_MARKS, WaitStats, Waits,
                    completed_per_second, wait_spans, wait_stats, waiting_share)
from .windows import ZOOM_NS, busiest_window, switch_times, typical_window

__all__ = [
    "EVIDENCE_SHARE", "HELD", "LATE_START_NS", "NATIVE", "NATIVE_END_MARK", "NATIVE_MARK",
    "NEW_GIL", "NO_GIL", "OFF_CPU", "OLD_GIL", "ON_A_CPU", "ON_CPU", "ON_CPU_SHARE", "RAN",
    "ROUND_TRIP_MARKS", "RUNNING", "SHARING", "SLEEPING", "SPEEDUP_MARGIN", "SPEED_MARGIN",
    "UNCLEAR", "UNCLEAR_WARNING_SHARE", "WAITING", "WAIT_CPU", "WAIT_GIL", "WAIT_IO", "WAIT_LOCK",
    "WAIT_MARKS", "ZOOM_NS", "Acquisitions", "BandShares", "BaselineSystemTime", "Battle",
    "Caveat", "CoarseProbe", "ComparedRuns", "Comparison", "Convoy", "ConvoyCase", "Costs", "Gaps",
    "Ideal", "IncompleteSweep", "KernelFallback", "LateStart", "LoadSeries", "OtherLoad",
    "ParallelismBins", "PiEstimate", "PinningMismatch", "PoolSharedMembers", "QueuedAsRunning",
    "RunStats", "RunsLeftOut", "SamplerBehind", "Segments", "Sharing", "SharingMismatch",
    "ShortTurns", "Side", "SideBySide", "SpeedChange", "SystemTime", "TimedWaitsAsGil",
    "TimelineView", "UnexplainedPauses", "UnexplainedSpeedup", "WaitStats", "Waits",
    "WaitsUnreadable", "WorkerFailed", "WorkerSharing", "WorkerStats", "baseline_system_time",
    "binned_parallelism", "busiest_window", "busy_system_share", "classify_gaps", "coarse_probe",
    "compare_runs", "compare_sides", "compare_walls", "completed_per_second", "convoy",
    "convoy_case", "core_count", "cpu_per_work", "depth_integral", "depth_steps",
    "failed_acquisitions", "faster_side", "gil_kind", "gil_of_workers", "handoff_times",
    "held_before", "holding_at", "holds_in_time_order", "ideal_ratio", "io_segments",
    "late_starts", "load_figures", "load_series", "longest_sample_ns", "mean_parallelism",
    "median_run", "merge_adjacent", "merge_intervals", "native_sections", "old_gil_battle",
    "other_load", "overlap_ns", "parallelism_steps", "pi_estimate", "pinning_mismatch",
    "probe_resolution_ns", "probe_segments", "queued_ns", "run_segments", "sample_spans",
    "sample_states", "sampled_segments", "sampler_behind", "shared_members", "shares_gil",
    "sharing", "speed_change", "stop_by_worker", "summarize", "switch_times", "system_share",
    "system_time", "time_at_depth", "time_by_state", "timeline_view", "turn_lengths",
    "typical_window", "unexplained_ratio", "wait_spans", "wait_stats", "waiting_for_cpu",
    "waiting_share", "wall_ns", "with_sharing", "worker_gaps",
]
