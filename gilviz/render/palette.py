"""The palette: colours and type for talk-ready figures (the slide themes
that recolour a drawn figure are render.themes).

Colours are from the Okabe-Ito palette, which stays distinguishable under
the common forms of colour blindness; the type is large enough to read from
the back of a room on a 1920x1080 projector.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..analysis import (NATIVE, OFF_CPU, ON_CPU, RUNNING, SHARING, SLEEPING, UNCLEAR, WAIT_CPU,
                        WAIT_GIL, WAIT_IO, WAIT_LOCK)

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

BLUE = "#0072B2"
ORANGE = "#E69F00"
REDDISH_PURPLE = "#CC79A7"
VERMILLION = "#D55E00"
BLUISH_GREEN = "#009E73"
SKY_BLUE = "#56B4E9"
YELLOW = "#F0E442"
GREY = "#BBBBBB"
WINE = "#882255"
"""From Paul Tol's colour-blind-safe palette: the Okabe-Ito eight are all taken."""
INK = "#222222"
MUTED = "#666666"

STATE_COLOURS = {
    RUNNING: BLUE,
    WAIT_GIL: ORANGE,
    WAIT_CPU: REDDISH_PURPLE,
    UNCLEAR: GREY,
    ON_CPU: SKY_BLUE,
    OFF_CPU: GREY,
    WAIT_IO: BLUISH_GREEN,
    SLEEPING: YELLOW,
    # Blues are running: dark with the GIL, light without it (or not known).
    NATIVE: SKY_BLUE,
    WAIT_LOCK: VERMILLION,
    SHARING: WINE,
}
STATE_LABELS = {
    RUNNING: "running Python (holds the GIL)",
    WAIT_GIL: "waiting for the GIL",
    WAIT_CPU: "waiting for a CPU (OS)",
    UNCLEAR: "not running, cause unclear",
    ON_CPU: "on a CPU (sampled)",
    OFF_CPU: "off CPU: sleeping or blocked (sampled)",
    WAIT_IO: "blocked on I/O: request outstanding (sampled)",
    SLEEPING: "in time.sleep, standing in for I/O (sampled)",
    NATIVE: "running in numpy, GIL released",
    WAIT_LOCK: "blocked on a lock",
    SHARING: "sharing its count: sending, or waiting for the lock",
}
FAILED_ACQUISITION = VERMILLION


def state_text_colour(state: int) -> str:
    """A state's colour for text on white: yellow does not read, so ink instead."""
    colour = STATE_COLOURS[state]
    return INK if colour == YELLOW else colour


CORE_COLOURS = (BLUISH_GREEN, VERMILLION, SKY_BLUE, YELLOW, REDDISH_PURPLE, ORANGE, BLUE, INK)
CORE_DASHES = ("solid", (0, (4, 2)), (0, (1, 1.5)), (0, (6, 2, 1, 2)))
# Warm colours for workers that share one interpreter, cool ones for processes.
BACKEND_COLOURS = {
    "threads": VERMILLION,
    "dummy-pool": ORANGE,
    "processes": BLUE,
    "pool": SKY_BLUE,
}
OTHER_BACKEND_COLOURS = (BLUISH_GREEN, REDDISH_PURPLE, YELLOW)


def backend_colour(backend: str, order: int) -> str:
    """The colour of `backend`; `order` is its place among the backends shown."""
    if backend in BACKEND_COLOURS:
        return BACKEND_COLOURS[backend]
    return OTHER_BACKEND_COLOURS[order % len(OTHER_BACKEND_COLOURS)]

FIGSIZE = (16, 9)
DPI = 120
RC: dict[RcKeyType, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 15,
    "axes.titlesize": 18,
    "axes.titleweight": "bold",
    "axes.labelsize": 16,
    "axes.edgecolor": MUTED,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.labelsize": 14,
    "ytick.labelsize": 14,
    "legend.fontsize": 14,
    "legend.frameon": False,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
}
