"""Waiting for a quiet machine before a run (--wait-quiet): other processes'
CPU use, read as the load meter reads it during runs, until it falls below a
threshold or the time allowed runs out."""

from __future__ import annotations

import time
from collections.abc import Callable

from .load import LoadMeter

QUIET_WINDOW_S = 0.5
"""Other load is judged over this long: ten of /proc/stat's 50 ms windows,
long enough that its 10 ms units average out."""


def other_cores_now(window_s: float = QUIET_WINDOW_S,
                    sleep: Callable[[float], None] = time.sleep) -> float:
    """Cores that processes other than this one used over the next `window_s`."""
    meter = LoadMeter([])
    try:
        meter.read()
        sleep(window_s)
        meter.read()
        return float(meter.samples(0).other[-1])
    finally:
        meter.close()


def wait_until_quiet(limit_s: float, threshold_cores: float,
                     measure: Callable[[], float] = other_cores_now,
                     clock: Callable[[], float] = time.monotonic) -> float:
    """Measure other processes' CPU use until it is below `threshold_cores`
    or `limit_s` has passed; return the last figure (cores)."""
    deadline = clock() + limit_s
    while True:
        other = measure()
        if other < threshold_cores or clock() >= deadline:
            return other
