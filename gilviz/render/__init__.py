"""Pictures and exports of runs. Library code: figures are matplotlib Figures
built without pyplot, so nothing here touches global plotting state, and
every function draws from loaded log records and analysis results.

The figure modules import matplotlib (most of a second), so they load on
first use: measuring and exporting a trace need none of it.
"""

import importlib

_FIGURES = {
    "compare_figure": ".compare",
    "convoy_figure": ".convoy",
    "speedup_figure": ".speedup",
    "timeline_figure": ".timeline",
    "save_png": ".formats",
}

__all__ = sorted(_FIGURES)


def __getattr__(name):
    if name not in _FIGURES:
        raise AttributeError("module %r has no attribute %r" % (__name__, name))
    return getattr(importlib.import_module(_FIGURES[name], __name__), name)
