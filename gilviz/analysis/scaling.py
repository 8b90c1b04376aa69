"""How work scales with workers: speedup, efficiency and Amdahl's law.

Pure functions over wall times and log records; nothing here reads the clock
or the file system.

Vocabulary. A *configuration* is a backend with a worker count. A sweep runs
the serial baseline and then every configuration once a *round*, so the i-th
run of a configuration pairs with the i-th serial run, measured minutes
apart at most: speedup = serial wall / wall for each pair, and drift of the
machine's speed between rounds hits both sides of a pair alike.
Efficiency = speedup / workers.

Amdahl's law: with a serial fraction f of the work, p workers running at
once give a speedup of 1 / (f + (1 - f) / p). Workers can only run at once
when there is a core for each, so p = min(workers, capacity). Work whose
serial run kept a core busy at least half the time is CPU-bound: its
capacity is the core count (a share below 1 there is mostly the time other
programs took the core). Work that mostly waits (io) has a capacity of
cores / (the serial run's CPU share): many more workers. The fit is the
least-squares solution of 1/speedup - 1/p = f (1 - 1/p), Amdahl's law
rearranged to be linear in f, which passes through speedup 1 at p = 1.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import NamedTuple, Union

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

from ..log import Role, Run, RunLog
from .caveats import (DisturbedRuns, IncompleteSweep, KernelFallback, RunsLeftOut, SpeedChange,
                      UnexplainedSpeedup, kernel_fallbacks)
from .load import other_load
from .plausibility import serious_speed_change, speed_change, unexplained_ratio
from .runs import core_count, wall_ns

ALMOST_ALL = 0.1
"""A serial fraction within this of 0 or 1 reads "almost all parallel / serial"."""
MIN_CPU_SHARE = 1e-3
MIN_FIT_COUNTS = 2
"""A fit needs this many worker counts with 2+ running at once: one point
fits any serial fraction exactly, and says nothing of the curve's shape."""
CPU_BOUND_SHARE = 0.5
"""A serial run that kept a core busy at least this share of its time is CPU-bound."""

SweepCaveat = Union[IncompleteSweep, RunsLeftOut, DisturbedRuns, SpeedChange, KernelFallback]
"""What Scaling.warnings holds."""


class Spread(NamedTuple):
    median: float
    low: float
    """Smallest value."""
    high: float
    """Largest value."""
    # The field hides tuple.count(), which mypy reports; readers know it by this name.
    count: int  # type: ignore[assignment]


def spread(values: npt.ArrayLike) -> Spread | None:
    """Median, min and max of the finite values, or None if there are none."""
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    if len(finite) == 0:
        return None
    return Spread(float(np.median(finite)), float(finite.min()), float(finite.max()),
                  len(finite))


def paired_speedups(serial_walls: Sequence[float], walls: Sequence[float]) -> NDArray[np.float64]:
    """serial / wall for the i-th of each, over the pairs both have; NaN
    where either is NaN (a failed run)."""
    pairs = min(len(serial_walls), len(walls))
    serial = np.asarray(serial_walls[:pairs], dtype=np.float64)
    return serial / np.asarray(walls[:pairs], dtype=np.float64)


def parallel_workers(workers: npt.ArrayLike, capacity: float = math.inf) -> NDArray[np.float64]:
    """How many of `workers` can run at once."""
    return np.minimum(np.asarray(workers, dtype=np.float64), capacity)


def amdahl_speedup(serial_fraction: float, workers: npt.ArrayLike,
                   capacity: float = math.inf) -> NDArray[np.float64]:
    """Amdahl's law: the speedup of `workers` with this serial fraction."""
    p = parallel_workers(workers, capacity)
    return 1.0 / (serial_fraction + (1.0 - serial_fraction) / p)


class AmdahlFit(NamedTuple):
    serial_fraction: float
    """The fitted serial fraction, clipped to [0, 1]."""
    unclipped: float
    """The least-squares value before clipping."""
    rms_error: float
    """Root mean square of fitted minus measured speedup, over the points used."""
    points: int
    """Worker counts that carried information (more than one running at once)."""

    @property
    def clipped(self) -> bool:
        return self.unclipped != self.serial_fraction

    @property
    def almost_all_serial(self) -> bool:
        return self.serial_fraction >= 1 - ALMOST_ALL

    @property
    def almost_all_parallel(self) -> bool:
        return self.serial_fraction <= ALMOST_ALL


def fit_counts(workers: npt.ArrayLike, speedups: npt.ArrayLike,
               capacity: float = math.inf) -> tuple[NDArray[np.bool_], int]:
    """Which points a fit can use: measured, with more than one worker
    running at once; and how many worker counts they cover."""
    speedups = np.asarray(speedups, dtype=np.float64)
    p = parallel_workers(workers, capacity)
    use = (p > 1) & np.isfinite(speedups) & (speedups > 0)
    return use, len(np.unique(np.asarray(workers)[use]))


def amdahl_fit(workers: npt.ArrayLike, speedups: npt.ArrayLike,
               capacity: float = math.inf) -> AmdahlFit | None:
    """The serial fraction that best explains `speedups` at `workers`, or
    None with fewer than MIN_FIT_COUNTS worker counts that had more than one
    worker running at once."""
    speedups = np.asarray(speedups, dtype=np.float64)
    p = parallel_workers(workers, capacity)
    use, counts = fit_counts(workers, speedups, capacity)
    if counts < MIN_FIT_COUNTS:
        return None
    x, y = 1.0 / p[use], 1.0 / speedups[use]
    unclipped = float(np.sum((1 - x) * (y - x)) / np.sum((1 - x) ** 2))
    fraction = min(max(unclipped, 0.0), 1.0)
    fitted = amdahl_speedup(fraction, p[use])
    rms = float(np.sqrt(np.mean((fitted - speedups[use]) ** 2)))
    return AmdahlFit(fraction, unclipped, rms, int(np.count_nonzero(use)))


def capacity_of(cores: int, cpu_share: float) -> float:
    """Workers that can run at once: the cores for CPU-bound work, else
    cores / the CPU share of one worker's time."""
    if cpu_share >= CPU_BOUND_SHARE:
        return float(cores)
    return cores / max(cpu_share, MIN_CPU_SHARE)


class Point(NamedTuple):
    """One configuration over the rounds."""

    backend: str
    workers: int
    speedup: Spread | None
    """Over the pairs with the serial baseline; None if there are none."""
    efficiency: Spread | None
    wall_s: Spread | None
    """Wall times of the configuration's successful runs."""
    failed: int
    """Runs left out because a worker failed."""
    disturbed: int = 0
    """Runs during which other processes took the CPU (load.other_load)."""
    unexplained: UnexplainedSpeedup | None = None
    """A caveats.UnexplainedSpeedup where the speedup is not one the runs'
    parallelism can explain (plausibility.unexplained_ratio), else None."""

    @property
    def trusted(self) -> bool:
        """Measured, undisturbed and plausible: a point a fit may use."""
        return self.speedup is not None and not self.disturbed and self.unexplained is None


class BackendScaling(NamedTuple):
    backend: str
    points: tuple[Point, ...]
    fit: AmdahlFit | None
    fit_curve: NDArray[np.float64] | None
    """The fit's speedup at each of Scaling.curve_workers; None without a fit."""
    fit_counts: int = 0
    """Worker counts measured with 2+ running at once and trusted (Point.trusted)
    (a fit needs MIN_FIT_COUNTS)."""
    left_out: int = 0
    """Measured points the fit did not use: disturbed or implausible."""


class Scaling(NamedTuple):
    """What a speedup sweep measured."""

    kernel: str
    work: int
    baseline_wall_s: Spread | None
    backends: tuple[BackendScaling, ...]
    cores: int
    cpu_share: float | None
    """CPU time / wall time of the serial runs (median): 1 for CPU-bound work."""
    capacity: float
    """Workers that can run at once (see the module docstring)."""
    rounds: int
    """Complete rounds: the fewest pairs of any configuration."""
    runs_done: int
    """Counted runs (not warm-ups) in the log."""
    runs_planned: int | None
    """Counted runs the sweep planned, or None if the log has no plan."""
    failed: int
    """Runs left out because a worker failed."""
    worker_counts: tuple[int, ...] = ()
    """The worker counts to show: the plan's, so that an incomplete sweep
    shows what is missing, any the log holds besides, and 1 (serial)."""
    curve_workers: NDArray[np.float64] | None = None
    """Worker counts, finely spaced from 1 to the largest, for the curves."""
    ideal: NDArray[np.float64] | None = None
    """The ideal speedup at each of curve_workers: min(workers, capacity)."""
    warnings: tuple[SweepCaveat, ...] = ()
    """Caveats (analysis.caveats): an incomplete sweep, runs left out, a
    kernel's fallback."""
    notes: tuple[SpeedChange, ...] = ()
    """Minor caveats: the machine's speed moved a little between serial runs."""

    @property
    def cpu_bound(self) -> bool:
        return self.cpu_share is None or self.cpu_share >= CPU_BOUND_SHARE


CURVE_POINTS = 200
COINCIDE = 0.02
"""Fit curves no further apart than this (in speedup) anywhere lie on one
another in a chart."""


def coinciding_fits(backends: Iterable[BackendScaling],
                    within: float = COINCIDE) -> tuple[tuple[str, ...], ...]:
    """Groups (tuples of backend names, in order) of two or more backends
    whose Amdahl fit curves lie within `within` of each other everywhere."""
    groups: list[tuple[NDArray[np.float64], list[str]]] = []  # (first curve, backends)
    for backend in backends:
        if backend.fit_curve is None:
            continue
        for curve, names in groups:
            if np.max(np.abs(curve - backend.fit_curve)) <= within:
                names.append(backend.backend)
                break
        else:
            groups.append((backend.fit_curve, [backend.backend]))
    return tuple(tuple(names) for _, names in groups if len(names) > 1)


def run_wall_s(run: Run) -> float:
    """Wall time in seconds, NaN if a worker failed."""
    if any(worker.error for worker in run.workers):
        return math.nan
    return wall_ns(run) / 1e9


def serial_cpu_share(baselines: Iterable[Run]) -> float | None:
    shares = [sum(w.cpu_ns or 0 for w in run.workers) / wall_ns(run) for run in baselines
              if not any(w.error or w.cpu_ns is None for w in run.workers) and wall_ns(run) > 0]
    return float(np.median(shares)) if shares else None


def configurations(runs: Iterable[Run]) -> list[tuple[str, int]]:
    """(backend, workers) of the counted runs, in the order first run."""
    seen = []
    for run in runs:
        key = (run.spec.backend, run.spec.workers)
        if run.spec.role == Role.MAIN and key not in seen:
            seen.append(key)
    return seen


def sweep_scaling(log: RunLog) -> Scaling:
    """The scaling of the sweep in `log` (a RunLog of a speedup sweep, with
    at least one run)."""
    counted = [run for run in log.runs if run.spec.role in (Role.MAIN, Role.BASELINE)]
    baselines = [run for run in counted if run.spec.role == Role.BASELINE]
    serial_walls = [run_wall_s(run) for run in baselines]
    first = (baselines or counted or log.runs)[0]
    cores = core_count(first.interpreter)
    cpu_share = serial_cpu_share(baselines)
    capacity = capacity_of(cores, cpu_share) if cpu_share is not None else float(cores)

    by_backend: dict[str, list[Point]] = {}
    pair_counts = []
    failed = sum(1 for wall in serial_walls if math.isnan(wall))
    for backend, workers in configurations(counted):
        runs = [run for run in counted if run.spec.role == Role.MAIN
                and (run.spec.backend, run.spec.workers) == (backend, workers)]
        walls = [run_wall_s(run) for run in runs]
        speedups = paired_speedups(serial_walls, walls)
        missing = int(np.count_nonzero(np.isnan(walls)))
        failed += missing
        pair_counts.append(int(np.count_nonzero(np.isfinite(speedups))))
        disturbed = sum(1 for run in runs if other_load([run]) is not None)
        pairs = min(len(runs), len(baselines))
        by_backend.setdefault(backend, []).append(Point(
            backend=backend, workers=workers, speedup=spread(speedups),
            efficiency=spread(speedups / workers), wall_s=spread(walls), failed=missing,
            disturbed=disturbed,
            unexplained=unexplained_ratio(runs[:pairs], baselines[:pairs]) if pairs else None))
    if log.sweep is not None:  # a configuration planned but never run has no pair yet
        ran = set(configurations(counted))
        pair_counts += [0 for backend in log.sweep.backends for workers in log.sweep.worker_counts
                        if (backend, workers) not in ran]

    known = {1} | {workers for _, workers in configurations(counted)}
    if log.sweep is not None:
        known |= set(log.sweep.worker_counts)
    counts = tuple(sorted(known))
    grid = np.linspace(1, max(counts), CURVE_POINTS)
    backends = []
    for backend, points in by_backend.items():
        trusted = [point for point in points if point.trusted]
        trusted_workers = [point.workers for point in trusted]
        medians = [point.speedup.median for point in trusted if point.speedup is not None]
        fit = amdahl_fit(trusted_workers, medians, capacity)
        curve = None if fit is None else amdahl_speedup(fit.serial_fraction, grid, capacity)
        left_out = sum(1 for point in points if point.speedup is not None) - len(trusted)
        backends.append(BackendScaling(backend, tuple(points), fit, curve,
                                       fit_counts(trusted_workers, medians, capacity)[1],
                                       left_out))

    rounds = min(pair_counts) if pair_counts else 0
    runs_planned = log.sweep.repeat * log.sweep.round_length() if log.sweep else None
    warnings: list[SweepCaveat] = []
    if log.sweep is not None and runs_planned is not None and len(counted) < runs_planned:
        warnings.append(IncompleteSweep(len(counted), runs_planned, rounds, log.sweep.repeat))
    if failed:
        warnings.append(RunsLeftOut(failed))
    disturbed_points = tuple((point.backend, point.workers, point.disturbed)
                             for scaling in backends for point in scaling.points
                             if point.disturbed)
    disturbed_baselines = sum(1 for run in baselines if other_load([run]) is not None)
    if disturbed_points or disturbed_baselines:
        warnings.append(DisturbedRuns(disturbed_points, disturbed_baselines, len(baselines)))
    speeds = speed_change(baselines)
    notes: list[SpeedChange] = []
    if speeds is not None:
        (warnings if serious_speed_change(speeds) else notes).append(speeds)
    warnings += kernel_fallbacks(log.runs)
    return Scaling(
        kernel=first.spec.kernel, work=first.spec.work, baseline_wall_s=spread(serial_walls),
        backends=tuple(backends), cores=cores, cpu_share=cpu_share, capacity=capacity,
        rounds=rounds, runs_done=len(counted), runs_planned=runs_planned, failed=failed,
        worker_counts=counts, curve_workers=grid, ideal=np.minimum(grid, capacity),
        warnings=tuple(warnings), notes=tuple(notes),
    )
