"""Figures of runs. Library code: it builds matplotlib Figures without
pyplot, so it never touches global plotting state, and every function that
draws takes the loaded log records, never the live state of a run."""

from .timeline import timeline_figure
from .speedup import speedup_figure
from .files import save_png

__all__ = ["timeline_figure", "speedup_figure", "save_png"]
