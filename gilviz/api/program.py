"""Your own code: a script, a module or a function run and sampled, or a
running process attached to.

    import gilviz.api as api
    result = api.run_script("examples/hash_and_serve.py", args=["--files", "40"])
    result.exit_status          # the program's
    result.figure()             # its threads' timeline, named as in threading
    api.run_module("http.server", args=["8000"], timeout="10s")
    api.run_function("bench:work", threads=4)      # 4 threads vs 4 calls in a row
    api.attach(1234, duration="10s")

Bad input (a missing script, a module or function that does not import, a
process that is not Python, a duration of 0) raises OptionError before
anything runs; a program that raises is no error of gilviz: its traceback
passes through and its exit status is the result's.
"""

from __future__ import annotations

import functools
import os
import subprocess
from collections.abc import Callable, Sequence

from ..analysis.program import exit_status_of, summarize_program
from ..analysis.views import timeline_view
from ..log import Run, RunSpec, new_log, new_run_dir, save
from ..measure.attach import attach_process
from ..measure.program import run_program
from ..measure.watch import TargetError
from . import options as parse
from ..report.program import program_lines
from .jobs import measure
from .options import Given, OptionError, as_text, parsed
from .results import RunResult, RunSummary
from .session import LOG_NAME, MeasurementFailed, Progress
from .workloads import backend_of, plan, workload_spec

CHECK_TIMEOUT_S = 60

FIND_MODULE = ("import importlib.util, sys; sys.path.insert(0, '');"
               "sys.exit(0 if importlib.util.find_spec(sys.argv[1]) else 3)")
FIND_FUNCTION = """\
import importlib, sys
sys.path.insert(0, "")
module, _, path = sys.argv[1].partition(":")
try:
    found = importlib.import_module(module)
    for part in path.split("."):
        found = getattr(found, part)
except BaseException as error:
    print("%s: %s" % (type(error).__name__, error)); sys.exit(3)
sys.exit(0 if callable(found) else 4)
"""


def _ask(python: str, code: str, name: str) -> tuple[int, str]:
    """Run `code` with `name` in the target interpreter: (status, first line)."""
    try:
        answer = subprocess.run([python, "-c", code, name], capture_output=True, text=True,
                                timeout=CHECK_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise OptionError("%s took over %d s to import" % (name, CHECK_TIMEOUT_S)) from None
    lines = (answer.stdout + answer.stderr).strip().splitlines()
    return answer.returncode, lines[-1] if lines else ""


def _sampling(python: str, sample_hz: Given) -> tuple[str, float]:
    hz = parsed(parse.sample_rate, sample_hz)
    if hz == 0:
        raise OptionError("--sample-hz 0: the threads' states come from the sampler alone")
    return parsed(parse.interpreter, python), hz


def program_spec(kind: str, target: str, args: Sequence[object] = (), python: str | None = None,
                 sample_hz: Given = 1000.0) -> RunSpec:
    """The RunSpec of a program's run (kind "script" or "module"), checked:
    OptionError for a script that is not there or a module not found.
    `args` are written as str() writes them."""
    import sys
    python, hz = _sampling(python or sys.executable, sample_hz)
    if kind == "script" and not os.path.isfile(target):
        raise OptionError("no script %s" % target)
    if kind == "module":
        status, _ = _ask(python, FIND_MODULE, target)
        if status != 0:
            raise OptionError("no module named %r for %s" % (target, python))
    return RunSpec(kernel=kind, backend="threads", workers=1, work=0, probe=False,
                   python=python, sample_hz=hz,
                   params={"target": target, "args": [str(arg) for arg in args]})


def _measure_program(measure_run: Callable[[], Run], spec: RunSpec, out: str | None,
                     progress: Callable[[Progress], None] | None = None,
                     expected_s: float | None = None) -> ProgramResult:
    """Run `measure_run` (the one run of a program, or of a process attached
    to), telling `progress` first (that it should take `expected_s`, if
    known); the ProgramResult, saved under `out`."""
    if progress is not None:
        progress(Progress(0, 1, spec, None, expected_s=expected_s))
    try:
        run = measure_run()
    except TargetError as failure:
        raise MeasurementFailed(str(failure)) from None
    log = new_log([run])
    run_dir: str | None = None
    if out is not None:
        run_dir = new_run_dir(out, ProgramResult.name_of(spec))
        save(log, os.path.join(run_dir, LOG_NAME))
    return ProgramResult(log, run_dir)


def run_script(path: str | os.PathLike[str], args: Sequence[object] = (), *,
               python: str | None = None, sample_hz: Given = 1000.0, children: bool = False,
               out: str | None = None, timeout: Given | None = None,
               progress: Callable[[Progress], None] | None = None) -> ProgramResult:
    """Run a script as `python path args...` would, sample every thread it
    starts, and return a ProgramResult."""
    spec = program_spec("script", os.fspath(path), args, python, sample_hz)
    limit = parsed(parse.timeout, timeout)
    return _measure_program(lambda: run_program(spec, limit, children), spec, out, progress)


def run_module(module: str, args: Sequence[object] = (), *, python: str | None = None,
               sample_hz: Given = 1000.0, children: bool = False, out: str | None = None,
               timeout: Given | None = None,
               progress: Callable[[Progress], None] | None = None) -> ProgramResult:
    """Run a module as `python -m module args...` would: a ProgramResult."""
    spec = program_spec("module", module, args, python, sample_hz)
    limit = parsed(parse.timeout, timeout)
    return _measure_program(lambda: run_program(spec, limit, children), spec, out, progress)


def attach(pid: int | str, *, duration: Given = "10s", sample_hz: Given = 1000.0,
           children: bool = False, out: str | None = None,
           progress: Callable[[Progress], None] | None = None) -> ProgramResult:
    """Sample a running Python process for `duration` (which bounds the
    run: it has no other time limit): a ProgramResult."""
    try:
        pid = int(as_text(pid))
    except ValueError:
        raise OptionError("%r is not a process id" % pid) from None
    seconds = parsed(parse.timeout, duration)
    hz = parsed(parse.sample_rate, sample_hz)
    if hz == 0:
        raise OptionError("--sample-hz 0: the threads' states come from the sampler alone")
    from ..measure.attach import python_process
    try:
        python_process(pid)
    except ValueError as error:
        raise OptionError(str(error)) from None
    spec = RunSpec(kernel="attach", backend="threads", workers=1, work=0, probe=False,
                   python="", sample_hz=hz, params={"pid": pid})

    def sampled() -> Run:
        try:
            return attach_process(spec, seconds, children)
        except ValueError as error:
            raise TargetError(str(error)) from None
    return _measure_program(sampled, spec, out, progress, expected_s=seconds)


def function_specs(function: str, *, threads: Given | None = None,
                   processes: Given | None = None, repeat: Given = 3, baseline: bool = True,
                   python: str | None = None, sample_hz: Given = 1000.0) -> list[RunSpec]:
    """The specs of run_function: checked, then as a workload's."""
    import sys
    python = parsed(parse.interpreter, python) or sys.executable
    module, colon, path = function.partition(":")
    if not (module and colon and path):
        raise OptionError("%r: give module:function" % function)
    status, said = _ask(python, FIND_FUNCTION, function)
    if status == 3:
        raise OptionError("%s does not import: %s" % (function, said))
    if status == 4:
        raise OptionError("%s is not callable" % function)
    if status != 0:
        raise OptionError("%s could not be checked: %s" % (function, said))
    backend, workers = backend_of(parsed(parse.worker_count, threads),
                                  parsed(parse.worker_count, processes))
    spec = workload_spec("call", backend, workers, workers, False, python=python,
                         sample_hz=parsed(parse.sample_rate, sample_hz),
                         params={"function": function})
    return plan(spec, baseline, parsed(parse.repeat_count, repeat))


def run_function(function: str, *, threads: Given | None = None, processes: Given | None = None,
                 repeat: Given = 3, baseline: bool = True, python: str | None = None,
                 sample_hz: Given = 1000.0, out: str | None = None,
                 progress: Callable[[Progress], None] | None = None,
                 timeout: Given | None = None, wait_quiet: Given | None = None) -> RunResult:
    """Call module:function once in each of N workers (threads= or
    processes=, released at one instant), after a serial baseline calling it
    N times: a RunResult as for the countdown."""
    specs = function_specs(function, threads=threads, processes=processes, repeat=repeat,
                           baseline=baseline, python=python, sample_hz=sample_hz)
    main = specs[-1]
    name = "call-%s-%s%d" % (function.replace(":", "-"), main.backend, main.workers)
    return measure(specs, RunResult, out, name, progress, timeout, wait_quiet=wait_quiet)


class ProgramResult(RunResult):
    """A program's run (a script, a module) or a running process sampled
    (attach): its threads, named, from samples alone."""

    @staticmethod
    def name_of(spec: RunSpec) -> str:
        """"run-hash_and_serve", "run-http.server", "attach-1234"."""
        params = spec.params or {}
        if spec.kernel == "attach":
            return "attach-%s" % params.get("pid")
        stem = os.path.splitext(os.path.basename(params.get("target", "program")))[0]
        return "run-%s" % stem

    @property
    def name(self) -> str:
        return self.name_of(self.log.runs[0].spec)

    @property
    def exit_status(self) -> int | None:
        """The program's exit status; None for a process attached to."""
        return exit_status_of(self.log.runs[0])

    @functools.cached_property
    def summary(self) -> RunSummary:
        """A RunSummary of the one run, from its samples."""
        run = self.log.runs[0]
        stats = summarize_program(run)
        return RunSummary(run, stats, timeline_view(run, stats), None, 1)

    def lines(self) -> list[str]:
        s = self.summary
        return program_lines(s.shown, s.stats, self.exit_status)
