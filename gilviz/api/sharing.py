"""`gilviz share`: every way of sharing counts between workers, with the same
work, threads and processes side by side where the mechanism applies.

    for each round:   for each mechanism:   for each backend it applies to:
                          one pi run whose workers report after every chunk
    -> SharingComparison (analysis.sharing) -> comparison_lines, sharing_figure
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Optional

from ..agent.protocol import SHARING_BACKENDS, SHARING_MECHANISMS
from ..analysis.sharing import SharingComparison, sharing_comparison
from ..log import Role, RunSpec
from .options import OptionError
from .results import Result
from .workloads import Target, check_sharing, pi_params, workload_spec

if TYPE_CHECKING:
    from matplotlib.figure import Figure

SHARING_BACKENDS_SHOWN = ("threads", "processes")
DEFAULT_SAMPLES = 2 * 10**7
DEFAULT_CHUNK = 10_000
"""Samples between two reports: ~50 µs of numpy a worker here, so that the
mechanisms that cost tens of microseconds a report stand out."""


def sharing_specs(workers: int, backends: Sequence[str], samples: int, chunk: int | None,
                  seed: int | None, repeat: int, target: Target) -> list[RunSpec]:
    """The runs of a share job: in each round, every mechanism on every
    backend of `backends` it applies to, in one order (rounds interleave the
    configurations, so that drift of the machine hits them all alike)."""
    backends = [name for name in backends if name in SHARING_BACKENDS_SHOWN]
    if not backends:
        raise OptionError("--backends: give threads, processes or both")
    one_round = []
    for mechanism in SHARING_MECHANISMS:
        for backend in backends:
            if backend not in SHARING_BACKENDS[mechanism]:
                continue
            check_sharing(mechanism, backend, samples, chunk, workers)
            params = pi_params("fast", seed, chunk, samples, mechanism)
            one_round.append(workload_spec("pi", backend, workers, samples, False, params=params,
                                           work_option="--samples", **target)
                             ._replace(role=Role.SHARING))
    return one_round * repeat


class SharingResult(Result[Optional[SharingComparison]]):
    """Every sharing mechanism with the same work: cost a report, wall time."""

    chart_name = "share.png"

    @property
    def name(self) -> str:
        runs = self.log.runs
        return "share-%d" % runs[0].spec.workers if runs else "share"

    @functools.cached_property
    def summary(self) -> SharingComparison | None:
        """analysis.sharing.SharingComparison; None if no run finished."""
        return sharing_comparison(self.log)

    def lines(self) -> list[str]:
        from ..report.sharing import comparison_lines
        if self.summary is None:
            return ["no run finished: nothing to compare"]
        return comparison_lines(self.summary)

    has_timeline = False

    def has_figure(self) -> bool:
        return self.summary is not None

    def draw(self, window_ns: tuple[int, int] | None = None,
             workers: Collection[int] | None = None) -> Figure:
        from ..render.sharing import sharing_figure
        compared = self.summary
        assert compared is not None, "no run finished: nothing to draw"
        return sharing_figure(compared, self.log)
