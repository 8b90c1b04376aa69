"""What each command does with its parsed options: call the api, print the
summary, save the files, and turn every way a measurement can end into one
line and an exit status. No measuring rule lives here.

Exit status: 0 done; 1 a run or a worker failed (the message says which);
2 bad usage, nothing measured; 130 interrupted (Ctrl-C); 143 ended by
SIGTERM. Whatever finished before a failure or an interruption is saved.
"""

from __future__ import annotations

import os
import signal
import tempfile
import threading

from .. import api
from ..api.results import result_of
from ..api.workloads import round_of
from ..report.progress import describe_run, progress_line

EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_TERMINATED = 1, 2, 130, 143


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so that it ends as Ctrl-C does:
    targets killed, finished runs saved."""


def on_sigterm(signum, frame):
    raise Terminated


def check_out_dir(path):
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


def progress_printer(err):
    """A progress callback writing a line a run to `err`."""
    def show(progress):
        number = None if progress.sweep is None else round_of(progress.index, progress.sweep)
        err.write(progress_line(progress, number) + "\n")
        err.flush()
    return show


def write_result(result, out, out_dir):
    """Print `result`'s summary, save its files, and say where they are."""
    out.write(result.report() + "\n")
    result.save(out_dir)
    chart = os.path.splitext(result.chart_name)[0]
    for kind, label in (("log", "log"), ("chart", chart), ("trace", "trace")):
        if kind in result.files:
            out.write("%-9s %s%s\n" % (label + ":", result.files[kind],
                                       " (open in ui.perfetto.dev)" if kind == "trace" else ""))


def keep_finished(log, log_path, out, err, why):
    """After a failure or an interruption: report and draw the finished runs
    (in the run directory their log was saved in), or say there were none."""
    if log is None:
        err.write("gilviz: %s; no run had finished\n" % why)
        return
    result = result_of(log, os.path.dirname(log_path))
    try:
        write_result(result, out, None)
    except KeyboardInterrupt:
        err.write("gilviz: interrupted while drawing; the log is kept in %s\n" % log_path)
        raise
    err.write("gilviz: %s; %d finished run%s kept in %s\n"
              % (why, len(log.runs), "" if len(log.runs) == 1 else "s", result.run_dir))


def execute(job, args, out, err):
    """Run api `job` with the command's options; the exit status."""
    problem = check_out_dir(args.out)
    if problem:
        args.command_parser.error(problem)
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, on_sigterm) if in_main_thread else None
    try:
        try:
            result = job(out=args.out, progress=None if getattr(args, "quiet", False)
                         else progress_printer(err), timeout=args.timeout)
        except api.OptionError as error:
            args.command_parser.error(str(error))
        except api.MeasurementFailed as failure:
            keep_finished(failure.log, failure.log_path, out, err, "error: %s" % failure)
            return EXIT_FAILED
        except KeyboardInterrupt as interruption:
            how = "ended by SIGTERM" if isinstance(interruption, Terminated) else "interrupted"
            keep_finished(getattr(interruption, "log", None),
                          getattr(interruption, "log_path", None), out, err, how)
            return EXIT_TERMINATED if isinstance(interruption, Terminated) else EXIT_INTERRUPTED
        write_result(result, out, args.out)
    except KeyboardInterrupt as interruption:
        err.write("gilviz: %s while drawing\n" % ("ended by SIGTERM"
                                                  if isinstance(interruption, Terminated)
                                                  else "interrupted"))
        return EXIT_TERMINATED if isinstance(interruption, Terminated) else EXIT_INTERRUPTED
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)
    failed = result.failed_workers
    for run, worker in failed:
        err.write("gilviz: error: worker %d of the %s run failed: %s\n"
                  % (worker.index, describe_run(run.spec), worker.error))
    return EXIT_FAILED if failed else 0


def backend_options(args):
    return dict(threads=args.threads, processes=args.processes, serial=args.serial or None)


def target_options(args):
    return dict(python=args.python, cores=args.cores, switch_interval=args.switch_interval,
                sample_hz=args.sample_hz, gil=args.gil,
                # only the countdown runs on Python 2, so only it has the option
                **({"check_interval": args.check_interval} if "check_interval" in args else {}))


def run_workload(args, out, err):
    """countdown, io and pi: a workload against its serial baseline."""
    options = dict(backend_options(args), count=args.count, repeat=args.repeat,
                   baseline=not args.no_baseline, probe=not args.no_probe,
                   **target_options(args))
    if args.kernel == "pi":
        options.update(pool=args.pool, dummy_pool=args.dummy_pool, samples=options.pop("count"),
                       variant=args.variant, seed=args.seed, chunk=args.chunk, probe=None)
    elif args.kernel == "io":
        options.update(io_wait=args.io_wait, io_via=args.io_via, probe=None)
    return execute(lambda **run: api.run(args.kernel, **options, **run), args, out, err)


def run_speedup(args, out, err):
    """Sweep backends and worker counts for one kernel and draw the curves."""
    options = dict(workers=args.workers, backends=args.backends, repeat=args.repeat,
                   warmup=args.warmup, work=args.work, probe=args.probe,
                   sample_hz=args.sample_hz, python=args.python, io_wait=args.io_wait,
                   io_via=args.io_via)
    return execute(lambda **run: api.speedup(args.kernel, **options, **run), args, out, err)


def run_compare(args, out, err):
    """Measure a workload over two to four sides, varying one dimension, and compare."""
    def sides(values):
        return None if not values else tuple(values) if len(values) > 1 else values[0]
    options = dict(backend_options(args), count=args.count, repeat=args.repeat,
                   probe=not args.no_probe, sample_hz=args.sample_hz,
                   cores=sides(args.cores), switch_interval=sides(args.switch_interval),
                   python=sides(args.python), check_interval=args.check_interval,
                   gil=args.gil)
    return execute(lambda **run: api.compare(args.kernel, **options, **run), args, out, err)


def run_convoy(args, out, err):
    """The convoy effect: the I/O thread alone, then beside CPU threads."""
    options = dict(cpu_threads=args.cpu_threads, requests=args.requests, size=args.size,
                   pause=args.pause, count=args.count, probe=not args.no_probe,
                   **target_options(args))
    return execute(lambda **run: api.convoy(**options, **run), args, out, err)


HANDLERS = {"workload": run_workload, "speedup": run_speedup, "compare": run_compare,
            "convoy": run_convoy}
