"""What a timeline shows at a size one can see: a state (or a hole where
the sampler paused) is shown if its bands, summed over the workers, are at
least VISIBLE_PIXELS wide in the whole-run panel or in the zoom panel. The
legend lists only what is shown; a state of 1.5 ms in a 1 s run is drawn,
but nobody can find it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from .keyed import sums_by
from .states import Segments

PANEL_PIXELS = 1000
"""The fewest pixels a timeline panel spans at the sizes charts are drawn
(1920 wide: ~1600; the talk theme's 1280: ~1070)."""
VISIBLE_PIXELS = 3
"""Width (of PANEL_PIXELS) a state needs, summed over the bands, to be
found: slivers of a pixel or two are lost among the neighbours' edges, as
1.5 ms of running Python in a 1 s run of numpy was."""


def clipped_ns(start_ns: npt.ArrayLike, stop_ns: npt.ArrayLike, begin_ns: int, end_ns: int) -> int:
    """Total length of the intervals within [begin, end]."""
    start = np.clip(np.asarray(start_ns, dtype=np.int64), begin_ns, end_ns)
    stop = np.clip(np.asarray(stop_ns, dtype=np.int64), begin_ns, end_ns)
    return int((stop - start).sum())


def visible(start_ns: npt.ArrayLike, stop_ns: npt.ArrayLike, panels: Sequence[tuple[int, int]],
            pixels: int = PANEL_PIXELS) -> bool:
    """Whether the intervals take at least VISIBLE_PIXELS of `pixels` of
    any panel, a panel being the (begin, end) it spans."""
    return any(end > begin and clipped_ns(start_ns, stop_ns, begin, end) * pixels
               >= VISIBLE_PIXELS * (end - begin) for begin, end in panels)


def shown_states(segments: Segments, panels: Sequence[tuple[int, int]],
                 pixels: int = PANEL_PIXELS) -> tuple[int, ...]:
    """The states of `segments` (states.Segments) that are visible in one of
    the `panels`, in increasing order."""
    state = np.asarray(segments.state)
    if len(state) == 0 or state.min() < 0:  # no states to count by
        return tuple(int(each) for each in np.unique(state)
                     if visible(segments.start_ns[state == each],
                                segments.stop_ns[state == each], panels, pixels))
    shown = np.zeros(int(state.max()) + 1, bool)
    for begin, end in panels:
        if end > begin:
            shown |= (time_by_state(segments, begin, end, len(shown)) * pixels
                      >= VISIBLE_PIXELS * (end - begin))
    return tuple(int(each) for each in np.flatnonzero(shown))


def time_by_state(segments: Segments, begin_ns: int, end_ns: int,
                  states: int) -> npt.NDArray[np.int64]:
    """The time of each of `states` (0 to states - 1) within [begin, end],
    in one pass over the segments that overlap it (all of them, in a
    whole-run panel: told from their extremes)."""
    start, stop, state = segments.start_ns, segments.stop_ns, segments.state
    if not (start.min() >= begin_ns and stop.max() <= end_ns):
        overlap = np.flatnonzero((stop > begin_ns) & (start < end_ns))
        start = np.clip(start[overlap], begin_ns, end_ns)
        stop = np.clip(stop[overlap], begin_ns, end_ns)
        state = state[overlap]
    return sums_by(state, stop - start, states)
