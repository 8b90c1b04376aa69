"""Figures of runs. Library code: it builds matplotlib Figures without
pyplot, so it never touches global plotting state, and every function that
draws takes the loaded log records, never the live state of a run."""

from .compare import compare_figure
from .convoy import convoy_figure
from .speedup import speedup_figure
from .files import save_png
from .timeline import timeline_figure

__all__ = ["compare_figure", "convoy_figure", "speedup_figure", "timeline_figure", "save_png"]
