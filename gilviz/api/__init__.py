"""gilviz from Python: measure, load, summarise and draw, with no printing.

    import gilviz
    result = gilviz.run("countdown", threads=4, count=2e6)
    result.summary.comparison.median     # 4 threads over serial, a ratio
    result.figure()                      # a matplotlib Figure; Jupyter shows result inline
    result.save("output")                # run.json, timeline.png, trace.json

Keywords are named like the command line's flags (--switch-interval is
switch_interval=) and take the same values ("5ms", 2e6, "0-1", [0, 1]).
Progress goes to `progress`, a callable given an api.session.Progress before
each run; nothing is printed. With `out`, a run directory is made there
first and the log saved into it after every run, so that an interruption
loses nothing finished (the command line does this).

A bad value raises OptionError; a failed run raises MeasurementFailed with
the runs finished before it; an interruption re-raises KeyboardInterrupt
with their log in its `log` attribute.
"""

from __future__ import annotations

from ..log import LogError
from .comparisons import CompareResult, ConvoyResult
from .jobs import compare, convoy, run, share, speedup
from .kinds import load
from .options import OptionError
from .program import ProgramResult, attach, run_function, run_module, run_script
from .results import Result, RunResult, SpeedupResult
from .session import MeasurementFailed, Progress
from .sharing import SharingResult

ShareResult = SharingResult
"""SharingResult's name before the sharing feature had one word."""

__all__ = ["run", "speedup", "compare", "convoy", "share", "load", "run_script", "run_module",
           "run_function", "attach", "Result", "RunResult", "ProgramResult",
           "SpeedupResult", "CompareResult", "ConvoyResult", "SharingResult", "ShareResult",
           "OptionError", "MeasurementFailed",
           "Progress", "LogError"]
