"""Pictures and exports of runs. Library code: figures are matplotlib Figures
built without pyplot, so nothing here touches global plotting state, and
every function draws from loaded log records and analysis results.

The figure modules import matplotlib (most of a second), so they load on
first use: measuring and exporting a trace need none of it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # what __getattr__ loads, for the type checker ("as": re-exported)
    from .compare import compare_figure as compare_figure
    from .convoy import convoy_figure as convoy_figure
    from .formats import save_png as save_png
    from .speedup import speedup_figure as speedup_figure
    from .timeline import timeline_figure as timeline_figure

_FIGURES = {
    "compare_figure": ".compare",
    "convoy_figure": ".convoy",
    "speedup_figure": ".speedup",
    "timeline_figure": ".timeline",
    "save_png": ".formats",
}

__all__ = sorted(_FIGURES)


def __getattr__(name: str) -> object:
    if name not in _FIGURES:
        raise AttributeError("module %r has no attribute %r" % (__name__, name))
    return getattr(importlib.import_module(_FIGURES[name], __name__), name)
