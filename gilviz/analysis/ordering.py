"""Stable orders of many rows by a small integer group (a worker, a GIL),
then by time: the order most analyses of holds and samples begin with.

np.lexsort gives it, but sorts every key in full; rows already in order
within each group (each worker's holds, as the probe writes them) need no
more than a radix sort of the groups here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray


def _radix_ready(values: npt.ArrayLike) -> NDArray[Any]:
    """Small non-negative integers (worker indices) in the narrowest unsigned
    type: numpy sorts 8- and 16-bit integers stably by radix, in one pass
    (7 ms for a million, where int32 took a merge sort of 60 ms)."""
    values = np.asarray(values)
    if values.dtype.kind in "iu" and len(values) and values.min() >= 0:
        high = int(values.max())
        if high < 2 ** 16:
            return values.astype(np.uint8 if high < 2 ** 8 else np.uint16)
    return values


def in_group_order(group: npt.ArrayLike, t: npt.ArrayLike | None = None) -> bool:
    """Whether the rows are sorted by `group`, ties by `t` (if given)."""
    group = np.asarray(group)
    same = group[1:] == group[:-1]
    if not np.all(same | (group[1:] > group[:-1])):
        return False
    if t is None:
        return True
    t = np.asarray(t)
    return bool(np.all((t[1:] >= t[:-1]) | ~same))


def group_order(group: npt.ArrayLike, t: npt.ArrayLike | None = None) -> NDArray[np.intp]:
    """The indices that sort rows by `group`, ties by `t` (if given), then by
    position: np.lexsort((t, group)) (numpy's takes 60 ms for a million
    rows by worker and time). Rows in time order within each group (each
    worker's holds, as the probe writes them) need one radix sort, rows in
    order already none."""
    order = reordering(group, t)
    return np.arange(len(np.asarray(group))) if order is None else order


def reordering(group: npt.ArrayLike, t: npt.ArrayLike | None = None) -> NDArray[np.intp] | None:
    """group_order of the rows, or None where they are in that order already:
    a caller can then use them as they lie, with no copy through the order."""
    group = np.asarray(group)
    if in_group_order(group, t):
        return None
    if t is not None and group.min() == group.max():  # one group (one GIL's holds): by t
        return np.argsort(_radix_ready(t), kind="stable")
    order = np.argsort(_radix_ready(group), kind="stable")
    if t is None or in_group_order(group[order], np.asarray(t)[order]):
        return order
    t = np.asarray(t)
    order = np.argsort(_radix_ready(t), kind="stable")
    return order[np.argsort(_radix_ready(group[order]), kind="stable")]
