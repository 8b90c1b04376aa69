"""What each command does with its parsed options: call the api, print the
summary, save the files, and turn every way a measurement can end into one
line and an exit status. No measuring rule lives here.

Whatever finished before a failure or an interruption is saved; the exit
statuses are in status.py.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, TypeVar

import psutil

from .. import api
from ..api.kinds import result_of
from ..log import WriteError
from ..measure.timings import Timings, timed
from ..report.format import format_duration
from ..report.progress import describe_run
from .drawing import drawing_imports, import_matplotlib
from .progress import RunProgress
from .redraw import run_render
from .status import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_TERMINATED

if TYPE_CHECKING:
    from types import FrameType

    from ..log import RunLog
    from .flags import Parser

RUNS_OWN = "runs (their own wall time)"

JobResult = TypeVar("JobResult", bound="api.Result")
Side = TypeVar("Side")


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so that it ends as Ctrl-C does:
    targets killed, finished runs saved."""


def on_sigterm(signum: int, frame: FrameType | None) -> NoReturn:
    raise Terminated


def check_out_dir(path: str) -> str | None:
    """Refuse an --out where the run directory cannot be written, before
    anything is measured: an error after minutes of runs would lose them."""
    if os.path.exists(path) and not os.path.isdir(path):
        return "--out %s is not a directory" % path
    try:
        os.makedirs(path, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as error:
        return "--out %s cannot be written: %s" % (path, error.strerror or error)
    return None


def write_result(result: api.Result, out: TextIO, out_dir: str | None,
                 args: argparse.Namespace | None = None) -> None:
    """Print `result`'s summary, save its files (the chart in the --format
    and --theme of `args`), and say where they are."""
    with timed("analysis and summary"):
        out.write(result.report() + "\n")
    import_matplotlib()
    try:
        with timed("drawing and saving the chart, the trace"):
            result.save(out_dir, file_format=getattr(args, "format", None) or "png",
                        theme=getattr(args, "theme", None))
    finally:  # a file that cannot be written: those written before it are named
        name_files(result, out)


def name_files(result: api.Result, out: TextIO) -> None:
    """The lines naming the files of `result` that are on disk."""
    chart = os.path.splitext(result.chart_name)[0]
    for kind, label in (("log", "log"), ("chart", chart), ("trace", "trace")):
        path = result.files.get(kind)
        if path is not None and os.path.exists(path):
            out.write("%-9s %s%s\n" % (label + ":", path,
                                       " (open in ui.perfetto.dev)" if kind == "trace" else ""))


def write_failed(error: WriteError, out: TextIO, err: TextIO, out_dir: str) -> int:
    """A file that could not be written (a full disk): the summary of the
    runs whose log could not be saved, the log saved before named, an empty
    run directory removed, and one line; the exit status."""
    log = getattr(error, "log", None)
    if log is not None:
        out.write(result_of(log).report() + "\n")
        if os.path.exists(error.filename):
            out.write("%-9s %s (as saved before this failure)\n" % ("log:", error.filename))
    run_dir = os.path.dirname(error.filename)
    if os.path.dirname(os.path.abspath(run_dir)) == os.path.abspath(out_dir):
        try:
            os.rmdir(run_dir)  # only if empty: nothing half-written left
        except OSError:
            pass
    err.write("gilviz: error: %s\n" % error)
    return EXIT_FAILED


def keep_finished(log: RunLog | None, log_path: str | None, out: TextIO, err: TextIO, why: str,
                  args: argparse.Namespace | None = None) -> None:
    """After a failure or an interruption: report and draw the finished runs
    (in the run directory their log was saved in), or say there were none."""
    if log is None:
        err.write("gilviz: %s; no run had finished\n" % why)
        return
    assert log_path is not None, "the command line saves every log in a run directory"
    result = result_of(log, os.path.dirname(log_path))
    try:
        write_result(result, out, None, args)
    except KeyboardInterrupt:  # a second interruption: the log is saved, the drawing lost
        err.write("gilviz: interrupted while drawing; the log is kept in %s\n" % log_path)
        return
    except WriteError as error:
        err.write("gilviz: %s; %s\n" % (why, error))
        return
    err.write("gilviz: %s; %d finished run%s kept in %s\n"
              % (why, len(log.runs), "" if len(log.runs) == 1 else "s", result.run_dir))


def execute(job: Callable[..., JobResult], args: argparse.Namespace, out: TextIO, err: TextIO,
            exit_status: Callable[[JobResult], int] | None = None) -> int:
    """Run api `job` with the command's options; the exit status (that
    `exit_status(result)` gives, if given, when no worker failed)."""
    parser: Parser = args.command_parser
    problem = check_out_dir(args.out)
    if problem:
        parser.error(problem)
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, on_sigterm) if in_main_thread else None
    result: JobResult | None = None
    try:
        try:
            waits = {} if args.wait_quiet is None else {"wait_quiet": args.wait_quiet}
            progress = None if getattr(args, "quiet", False) else RunProgress(err)
            try:
                with drawing_imports():
                    result = job(out=args.out, progress=progress, timeout=args.timeout,
                                 **waits)
            finally:  # before anything else is written to err
                if progress is not None:
                    progress.close()
        except api.OptionError as error:
            parser.error(str(error))
        except api.MeasurementFailed as failure:
            keep_finished(failure.log, failure.log_path, out, err, "error: %s" % failure, args)
            return EXIT_FAILED
        except KeyboardInterrupt as interruption:
            how = "ended by SIGTERM" if isinstance(interruption, Terminated) else "interrupted"
            keep_finished(getattr(interruption, "log", None),
                          getattr(interruption, "log_path", None), out, err, how, args)
            return EXIT_TERMINATED if isinstance(interruption, Terminated) else EXIT_INTERRUPTED
        write_result(result, out, args.out, args)
    except KeyboardInterrupt as interruption:
        # The runs are all saved by now (after each run, in the run directory).
        kept = "; the log is kept in %s" % os.path.join(result.run_dir, "run.json") \
            if result is not None and result.run_dir else ""
        err.write("gilviz: %s while drawing%s\n" % (
            "ended by SIGTERM" if isinstance(interruption, Terminated) else "interrupted", kept))
        return EXIT_TERMINATED if isinstance(interruption, Terminated) else EXIT_INTERRUPTED
    except WriteError as error:
        return write_failed(error, out, err, args.out)
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)
    failed = result.failed_workers
    for run, worker in failed:
        err.write("gilviz: error: worker %d of the %s run failed: %s\n"
                  % (worker.index, describe_run(run.spec), worker.error))
    if failed:
        return EXIT_FAILED
    return exit_status(result) if exit_status is not None else 0


def backend_options(args: argparse.Namespace) -> dict[str, Any]:
    pools = {name: getattr(args, name) for name in ("pool", "dummy_pool") if name in args}
    return dict(threads=args.threads, processes=args.processes, serial=args.serial or None,
                **pools)


def target_options(args: argparse.Namespace) -> dict[str, Any]:
    # Only the countdown runs on Python 2, and only some commands take --gil:
    # the options a command lacks are left out.
    optional = {name: getattr(args, name) for name in ("check_interval", "gil") if name in args}
    return dict(python=args.python, cores=args.cores, switch_interval=args.switch_interval,
                sample_hz=args.sample_hz, **optional)


def run_workload(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """countdown, io and pi: a workload against its serial baseline."""
    options = dict(backend_options(args), count=args.count, repeat=args.repeat,
                   baseline=not args.no_baseline, probe=not args.no_probe,
                   **target_options(args))
    if args.kernel == "pi":
        options.update(samples=options.pop("count"), variant=args.variant, seed=args.seed,
                       chunk=args.chunk, share=args.share, probe=None)
    elif args.kernel == "io":
        options.update(io_wait=args.io_wait, io_via=args.io_via, probe=None)
    return timed_execute(lambda **run: api.run(args.kernel, **options, **run), args, out, err)


def timed_execute(job: Callable[..., api.Result], args: argparse.Namespace, out: TextIO,
                  err: TextIO) -> int:
    """execute(job), with --timings: and the table of where the time went."""
    if not args.timings:
        return execute(job, args, out, err)
    with Timings() as timings:
        timings.add("start-up and imports", time.time() - psutil.Process().create_time())
        began = time.perf_counter()
        status = execute(job, args, out, err)
    out.write(timings_lines(timings.seconds, time.perf_counter() - began, timings.cpu) + "\n")
    return status


def timings_lines(seconds: Mapping[str, float], after_start_s: float,
                  cpu: Mapping[str, float] | None = None) -> str:
    """The --timings table: each stage, and all beyond the runs' own time;
    then the orchestrator's CPU time while the targets ran (`cpu`)."""
    runs = seconds.get(RUNS_OWN, 0.0)
    counted = sum(value for label, value in seconds.items() if label != RUNS_OWN)
    rows = list(seconds.items())
    rows.append(("other", max(0.0, after_start_s - runs - (counted - seconds.get(
        "start-up and imports", 0.0)))))
    lines = ["timings:"] + ["  %-42s %7.3f s" % row for row in rows]
    beyond = after_start_s + seconds.get("start-up and imports", 0.0) - runs
    lines.append("  %-42s %7.3f s" % ("beyond the runs' own wall time", beyond))
    if cpu:
        lines.append("gilviz's CPU time from each run's go to its done:")
        lines += ["  %-42s %7.3f s" % row for row in cpu.items()]
    return "\n".join(lines)


def run_share(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Every way of sharing counts, the same work, one chart."""
    options = dict(threads=args.threads, processes=args.processes, backends=args.backends,
                   samples=args.samples, chunk=args.chunk,
                   seed=args.seed, repeat=args.repeat, **target_options(args))
    return execute(lambda **run: api.share(**options, **run), args, out, err)


def run_speedup(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Sweep backends and worker counts for one kernel and draw the curves."""
    options = dict(workers=args.workers, backends=args.backends, repeat=args.repeat,
                   warmup=args.warmup, count=args.count, probe=args.probe,
                   sample_hz=args.sample_hz, python=args.python, io_wait=args.io_wait,
                   io_via=args.io_via, variant=args.variant, cores=args.cores,
                   switch_interval=args.switch_interval)
    return execute(lambda **run: api.speedup(args.kernel, **options, **run), args, out, err)


def run_compare(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Measure a workload over two to four sides, varying one dimension, and compare."""
    def sides(values: Sequence[Side] | None) -> Side | tuple[Side, ...] | None:
        return None if not values else tuple(values) if len(values) > 1 else values[0]
    optional = {name: getattr(args, name) for name in ("check_interval", "gil", "variant")
                if name in args}
    options = dict(backend_options(args), count=args.count, repeat=args.repeat,
                   probe=not args.no_probe, sample_hz=args.sample_hz,
                   cores=sides(args.cores), switch_interval=sides(args.switch_interval),
                   python=sides(args.python), **optional)
    return execute(lambda **run: api.compare(args.kernel, **options, **run), args, out, err)


def run_convoy(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """The convoy effect: the I/O thread alone, then beside CPU threads."""
    options = dict(cpu_threads=args.cpu_threads, requests=args.requests, size=args.size,
                   pause=args.pause, count=args.count, probe=not args.no_probe,
                   **target_options(args))
    return execute(lambda **run: api.convoy(**options, **run), args, out, err)


def run_own_code(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """A script, a module (-m) or module:function, sampled; the program's exit status."""
    if not args.program:
        args.command_parser.error("give a script, -m module or module:function to run")
    target, program_args = args.program[0], args.program[1:]
    sampling = dict(python=args.python, sample_hz=args.sample_hz)
    function = not args.module and ":" in target and not os.path.exists(target)
    if (args.threads or args.processes) and not function:
        args.command_parser.error("--threads and --processes go with module:function")
    if function:
        if program_args:
            args.command_parser.error("module:function takes no arguments")
        options = dict(threads=args.threads, processes=args.processes, repeat=args.repeat,
                       baseline=not args.no_baseline, **sampling)
        return timed_execute(lambda **run: api.run_function(target, **options, **run), args,
                             out, err)
    for given, option in ((args.wait_quiet is not None, "--wait-quiet"),
                          (args.timings, "--timings")):
        if given:
            args.command_parser.error("%s goes with module:function, not with a program that "
                                      "runs once" % option)
    run_program = api.run_module if args.module else api.run_script

    def exit_status(result: api.ProgramResult) -> int:
        status = result.exit_status
        assert status is not None, "a program's run ends with its exit status"
        if status:
            for note in failed_program_notes(result, args, program_args):
                err.write("gilviz: %s\n" % note)
        return status
    # No progress line: stderr is the program's own now.
    return execute(lambda progress, **run: run_program(target, program_args,
                                                       children=args.children, **sampling,
                                                       **run),
                   args, out, err, exit_status=exit_status)


FAILED_AT_ONCE_S = 1.0
"""A program that exits with an error sooner than this is said to have
failed at once: its chart shows that failure, not its work."""


def failed_program_notes(result: api.ProgramResult, args: argparse.Namespace,
                         program_args: Sequence[str]) -> list[str]:
    """What to say of a program that exited with an error status: that it
    failed at once, and gilviz options given after it (which it got)."""
    assert result.exit_status is not None, "a program's run ends with its exit status"
    notes: list[str] = []
    wall_s = result.summary.stats.wall_ns / 1e9
    if wall_s < FAILED_AT_ONCE_S:
        notes.append("the program exited with status %d after %s: it failed at once, and "
                     "the summary and chart show that failure, not its work"
                     % (result.exit_status, format_duration(wall_s * 1e9)))
    moved, kept = misplaced_options(args.command_parser, program_args)
    if moved:
        command = moved + (["-m"] if args.module else []) + [args.program[0]] + kept
        notes.append("%s came after the program and went to it: gilviz's options go "
                     "before the program (gilviz run %s)" % (shlex.join(moved),
                                                             shlex.join(command)))
    return notes


def misplaced_options(parser: argparse.ArgumentParser,
                      program_args: Sequence[str]) -> tuple[list[str], list[str]]:
    """(gilviz's long options among `program_args`, each with its value; the
    program's own arguments)."""
    moved: list[str] = []
    kept: list[str] = []
    words = iter(program_args)
    for word in words:
        name = word.split("=", 1)[0]
        action = parser._option_string_actions.get(name) if name.startswith("--") else None
        if action is None or action.help == argparse.SUPPRESS:
            kept.append(word)
            continue
        moved.append(word)
        if action.nargs != 0 and "=" not in word:
            value = next(words, None)
            if value is not None:
                moved.append(value)
    return moved, kept


def run_attach(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """A running process, sampled for --duration."""
    if args.wait_quiet is not None:
        args.command_parser.error("--wait-quiet cannot apply to a process already running")
    if args.timeout is not None:
        args.command_parser.error("--timeout: attach samples for --duration, no longer")

    def job(out: str, progress: Callable[[api.Progress], None] | None,
            timeout: float | None) -> api.ProgramResult:
        return api.attach(args.pid, duration=args.duration, sample_hz=args.sample_hz,
                          children=args.children, out=out, progress=progress)
    return execute(job, args, out, err)


HANDLERS: dict[str, Callable[[argparse.Namespace, TextIO, TextIO], int]] = {
    "workload": run_workload, "share": run_share, "speedup": run_speedup,
    "compare": run_compare, "convoy": run_convoy, "run": run_own_code,
    "attach": run_attach, "render": run_render}
"""Each command's: given its parsed options, stdout and stderr, its exit status."""
