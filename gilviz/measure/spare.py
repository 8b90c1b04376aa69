"""Work the orchestrator does in its spare time: while a target's
interpreter starts up.

From its start until it waits for its config a target is not measured, and
the orchestrator only waits for it (40-90 ms here, six times for `countdown
--threads 4`). Work that does not depend on the runs (importing what drawing
needs) can be done then instead of after the last run. It is done in small
steps, in the orchestrator's main thread, between two looks at the target:
never while a target calibrates its probe, starts its workers or runs its
measured phase, and never beside the sampler thread, which starts after
"ready". A step under way when the target is ready for its config ends
first; that only moves work from after the runs to before the config.

A SpareWork is active in a `with` block, as a Timings is; the runner finds
it with active().
"""

from __future__ import annotations

import collections
import time
from collections.abc import Callable, Iterable

from .timings import record

_active: SpareWork | None = None


class SpareWork:
    """Steps (callables) to run one at a time in the runs' spare time; each
    step's time is recorded (timings.record) as `label`."""

    def __init__(self, steps: Iterable[Callable[[], object]], label: str,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self._steps = collections.deque(steps)
        self.label = label
        self._clock = clock

    def __len__(self) -> int:
        return len(self._steps)

    def run_until(self, done: Callable[[], bool]) -> float:
        """Run steps until `done()` (asked before each) or none is left;
        return the seconds they took. A step that fails is dropped: whoever
        needs its work does it again and meets the failure there."""
        if not self._steps or done():
            return 0.0
        began = self._clock()
        while True:
            step = self._steps.popleft()
            try:
                step()
            except Exception:  # it fails again where its work is needed, and says so there
                pass
            if not self._steps or done():
                break
        spent = self._clock() - began
        record(self.label, spent)
        return spent

    def __enter__(self) -> SpareWork:
        global _active
        _active = self
        return self

    def __exit__(self, *exc: object) -> None:
        global _active
        _active = None


def active() -> SpareWork | None:
    """The SpareWork of the `with` block the program is in, or None."""
    return _active
