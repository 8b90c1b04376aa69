"""The kinds of result: which Result class a log's runs make (result_of), and
a saved run loaded as one (load)."""

from __future__ import annotations

import os
from typing import Union

from ..analysis.program import PROGRAM_KINDS
from ..log import Role, RunLog, load as load_log
from .comparisons import CompareResult, ConvoyResult
from .program import ProgramResult
from .results import RunResult, SpeedupResult
from .session import LOG_NAME
from .sharing import SharingResult

AnyResult = Union[RunResult, ProgramResult, SpeedupResult, CompareResult, ConvoyResult,
                  SharingResult]
"""A result of any kind."""


def result_of(log: RunLog, run_dir: str | None = None) -> AnyResult:
    """The kind of Result a log holds, told from its runs."""
    roles = {run.spec.role for run in log.runs}
    if Role.SHARING in roles:
        return SharingResult(log, run_dir)
    if log.sweep is not None:
        return SpeedupResult(log, run_dir)
    if roles & set(Role.SIDES):
        return CompareResult(log, run_dir)
    if roles & {Role.ALONE, Role.BESIDE_CPU}:
        return ConvoyResult(log, run_dir)
    if log.runs and log.runs[0].spec.kernel in PROGRAM_KINDS:
        return ProgramResult(log, run_dir)
    return RunResult(log, run_dir)


def load(path: str | os.PathLike[str]) -> AnyResult:
    """The Result of a saved run: a run directory or its run.json."""
    path = os.fspath(path)
    run_dir = path if os.path.isdir(path) else os.path.dirname(path)
    log_path = os.path.join(path, LOG_NAME) if os.path.isdir(path) else path
    return result_of(load_log(log_path), run_dir)
