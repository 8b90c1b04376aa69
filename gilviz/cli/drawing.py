"""What drawing a chart needs imported, and when: in the runs' spare time
(while the targets start, measure.spare) where there is any, else just
before drawing, timed apart from it."""

from __future__ import annotations

import functools
import gc
import importlib
import sys

from ..measure.spare import SpareWork
from ..measure.timings import timed

DRAWING_MODULES = ("PIL.Image", "PIL.PngImagePlugin", "pyparsing", "dateutil.parser", "kiwisolver",
                   "matplotlib", "matplotlib.text", "matplotlib.collections", "matplotlib.image",
                   "matplotlib.axis", "matplotlib.legend", "matplotlib.axes",
                   "matplotlib.projections", "matplotlib.figure",
                   "matplotlib.backends.backend_agg", "gilviz.render.formats",
                   "gilviz.render.timeline", "gilviz.render.trace")
"""What drawing a run's timeline imports (~0.3 s here), in the order of
matplotlib's own imports, in steps of up to ~65 ms: the runs' spare time takes
what it can of it (measure.spare), one step at a time."""
IMPORTING_MATPLOTLIB = "importing matplotlib"


def import_matplotlib() -> None:
    """Import what drawing needs, timed apart from drawing as "importing
    matplotlib", unless all of it was imported before (in the runs' spare
    time, or by the caller: there is then nothing to time, no "0.000 s" line)."""
    if all(name in sys.modules for name in DRAWING_MODULES):
        return
    with timed(IMPORTING_MATPLOTLIB):
        for name in DRAWING_MODULES:
            importlib.import_module(name)


def import_frozen(name: str) -> None:
    """Import module `name`, then keep all that exists out of the garbage
    collector's way (gc.freeze): modules live as long as the process, and
    a full collection during a later run, which holds up the sampler thread,
    scans no more than it would have without them (~3x the objects here)."""
    importlib.import_module(name)
    gc.freeze()


def drawing_imports() -> SpareWork:
    """The imports of DRAWING_MODULES as the runs' spare work, one a step."""
    return SpareWork([functools.partial(import_frozen, name) for name in DRAWING_MODULES],
                     IMPORTING_MATPLOTLIB + ", while targets start")
