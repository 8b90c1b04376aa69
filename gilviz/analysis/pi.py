"""What the Monte-Carlo pi kernel found, from its workers' results."""

from __future__ import annotations

import math
from typing import NamedTuple

from ..log.records import Run
from .runs import wall_ns


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
    def error(self) -> float:
        return self.value - math.pi


def pi_estimate(run: Run) -> PiEstimate | None:
    """The estimate of pi from a pi run's worker results; None if a worker
    failed or the run is not one."""
    results = [w.result or {} for w in run.workers]
    if not results or any("hits" not in r for r in results):
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
