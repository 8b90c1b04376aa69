"""A run as it unfolds: what each worker had held by each moment, for an
animation of its timeline."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

from .states import RUNNING, Segments


def held_until(segments: Segments, workers: Sequence[int],
               times_ns: npt.ArrayLike) -> NDArray[np.float64]:
    """[len(times_ns), len(workers)]: the share of [0, t] each worker (by
    index, in `workers` order) spent running Python (holding its GIL where it
    shares one), for each t of `times_ns`; NaN at t = 0."""
    times = np.asarray(times_ns, dtype=np.float64)
    shares = np.full((len(times), len(workers)), np.nan)
    running = segments.state == RUNNING
    for column, worker in enumerate(workers):
        mine = running & (segments.worker == worker)
        start = segments.start_ns[mine].astype(np.float64)
        stop = segments.stop_ns[mine].astype(np.float64)
        held = np.clip(np.minimum(stop[None, :], times[:, None]) - start[None, :], 0, None)
        with np.errstate(invalid="ignore", divide="ignore"):
            shares[:, column] = np.where(times > 0, held.sum(axis=1) / times, np.nan)
    return shares
