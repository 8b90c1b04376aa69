"""Command line: parse, validate, hand over to the runner, report.

Exit status: 0 done, 1 the measurement failed (the message says why),
2 bad usage, 130 interrupted.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys

from . import __version__

MAX_WORKERS = 512
MAX_COUNT = 10**11
"""About 45 minutes of countdown on CPython 3.11 here: beyond it, a typo."""
MAX_SAMPLE_HZ = 10_000.0
MAX_REPEAT = 100
IO_TASKS = 200
IO_WAIT_S = 0.005
MIN_IO_WAIT_S, MAX_IO_WAIT_S = 1e-4, 10.0
OLDEST_TARGET = (3, 8)
"""The agent's syntax and time.perf_counter_ns / threading.get_native_id need 3.8."""

EPILOG = """\
examples:
  gilviz countdown --threads 4            the GIL battle of 4 threads
  gilviz countdown --processes 4          4 processes, side by side on the cores
  gilviz countdown --serial --count 1e8   one worker, ten times the work
  gilviz countdown --threads 2 --no-probe the seed's exact loop, states sampled only
  gilviz countdown --threads 4 --python ~/.pyenv/versions/3.8.18/bin/python

Each run writes output/<time>-<kernel>-<backend>/run.json (the event log)
and timeline.png, and prints a summary.
"""


class Parser(argparse.ArgumentParser):
    """Bad input ends with one line on stderr and exit status 2."""

    def error(self, message):
        self.exit(2, "%s: error: %s (see %s --help)\n" % (self.prog, message, self.prog))


def whole_number(low, high, unit):
    """A type= callable for a whole number of `unit` from `low` to `high`."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError("%r is not a whole number" % text) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError("%d %s: give %d to %d" % (value, unit, low, high))
        return value
    return parse


worker_count = whole_number(1, MAX_WORKERS, "workers")
repeat_count = whole_number(1, MAX_REPEAT, "repeats")


def work_size(text):
    """A positive whole number; accepts 10000000, 10_000_000 and 1e7."""
    cleaned = text.replace("_", "")
    try:
        value = int(cleaned)
    except ValueError:
        try:
            number = float(cleaned)
        except ValueError:
            raise argparse.ArgumentTypeError("%r is not a number" % text) from None
        if not math.isfinite(number) or not number.is_integer():
            raise argparse.ArgumentTypeError("%r is not a whole number" % text) from None
        value = int(number)
    if not 1 <= value <= MAX_COUNT:
        raise argparse.ArgumentTypeError("%s: give 1 to %.0e" % (text, MAX_COUNT))
    return value


def sample_rate(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("%r is not a number" % text) from None
    if not (value == 0 or 1 <= value <= MAX_SAMPLE_HZ):
        raise argparse.ArgumentTypeError("%s Hz: give 0 (off) or 1 to %.0f" % (text, MAX_SAMPLE_HZ))
    return value


def interpreter(text):
    """A Python 3.8+ executable: a path, or a name on PATH."""
    path = shutil.which(os.path.expanduser(text))
    if path is None:
        raise argparse.ArgumentTypeError("no executable at %r" % text)
    try:
        answer = subprocess.run(
            [path, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True, text=True, timeout=30)
        version = tuple(int(part) for part in answer.stdout.split(".")) if answer.returncode == 0 else None
    except (OSError, ValueError, subprocess.TimeoutExpired):
        version = None
    if version is None:
        raise argparse.ArgumentTypeError("%s does not run as a Python interpreter" % text)
    if version < OLDEST_TARGET:
        raise argparse.ArgumentTypeError("%s is Python %d.%d; gilviz measures %d.%d or newer"
                                         % ((text,) + version + OLDEST_TARGET))
    return os.path.abspath(path)


def io_wait(text):
    """Seconds a task of the io kernel waits: 0.1 ms to 10 s."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("%r is not a number of seconds" % text) from None
    if not MIN_IO_WAIT_S <= value <= MAX_IO_WAIT_S:
        raise argparse.ArgumentTypeError("%s s: give %g to %g seconds"
                                         % (text, MIN_IO_WAIT_S, MAX_IO_WAIT_S))
    return value


def add_io_options(parser, default=None):
    """--io-wait and --io-via; `default` None leaves them unset (the sweep
    checks they go with the io kernel)."""
    group = parser.add_argument_group("io kernel")
    group.add_argument("--io-wait", type=io_wait, metavar="SECONDS",
                       default=default and IO_WAIT_S,
                       help="how long each task waits for its reply (default: %g)" % IO_WAIT_S)
    group.add_argument("--io-via", choices=("echo", "sleep"), default=default and "echo",
                       help="echo: a round trip to an echo server on 127.0.0.1 that answers "
                            "after the wait; sleep: time.sleep (default: echo)")


def io_params(args):
    return {"wait_s": args.io_wait or IO_WAIT_S, "via": args.io_via or "echo"}


def add_workload_options(parser, count_default, count_help, probe=True):
    backend = parser.add_mutually_exclusive_group()
    backend.add_argument("--threads", type=worker_count, metavar="N",
                         help="N threads in one process (the default, with N=4)")
    backend.add_argument("--processes", type=worker_count, metavar="N",
                         help="N processes, each with its own interpreter and GIL")
    backend.add_argument("--serial", action="store_true",
                         help="one worker does all the work")
    parser.add_argument("--count", type=work_size, default=count_default, metavar="N",
                        help=count_help)
    parser.add_argument("--python", type=interpreter, default=sys.executable, metavar="PATH",
                        help="interpreter to measure (default: the one running gilviz)")
    parser.add_argument("--sample-hz", type=sample_rate, default=1000.0, metavar="HZ",
                        help="thread-state sampling rate, 0 for off (default: 1000)")
    if probe:
        parser.add_argument("--no-probe", action="store_true",
                            help="run the plain kernel, exactly as the seed has it")
    else:
        parser.set_defaults(no_probe=True)
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the serial runs of the same work")
    parser.add_argument("--repeat", type=repeat_count, default=3, metavar="N",
                        help="measure N times, alternating with the serial baseline; "
                             "the summary gives the median ratio, the chart the median run "
                             "(default: 3)")
    parser.add_argument("--out", default="output", metavar="DIR",
                        help="where run directories go (default: output)")


def add_countdown(commands):
    command = commands.add_parser(
        "countdown", help="David Beazley's countdown: the GIL battle of CPU-bound threads",
        description="Run `while n > 0: n -= 1` split between workers, record when each "
                    "held the GIL, and draw the timeline.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_workload_options(command, 10_000_000, "total iterations, split evenly "
                                              "(default: 10_000_000; 1e7 works too)")
    command.set_defaults(handler=run_workload, command_parser=command)


IO_EPILOG = """\
examples:
  gilviz io --threads 8                   8 threads, each blocked on I/O most of the time
  gilviz io --processes 8                 the same tasks in 8 processes
  gilviz io --threads 8 --io-via sleep    time.sleep instead of the echo server
  gilviz io --threads 4 --count 400 --io-wait 0.002

Each task is one round trip to an echo server on 127.0.0.1, started in the
measured interpreter's own process tree for the run; the server holds every
reply for --io-wait seconds. The timeline's bands come from sampled thread
states: green where the thread slept while its request was outstanding.
"""


def add_io(commands):
    command = commands.add_parser(
        "io", help="tasks that wait on I/O: threads scale where countdown's do not",
        description="Run a fixed number of I/O-bound tasks split between workers and draw "
                    "the timeline: threads blocked on I/O, not waiting for the GIL.",
        epilog=IO_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_workload_options(command, IO_TASKS, "total tasks, split evenly (default: %d)"
                         % IO_TASKS, probe=False)
    add_io_options(command, default=True)
    command.set_defaults(handler=run_workload, command_parser=command, params_of=io_params)


SUBCOMMANDS = (add_countdown, add_io)


def build_parser():
    parser = Parser(
        prog="gilviz", description="See CPython's Global Interpreter Lock at work.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version="gilviz " + __version__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    for add in SUBCOMMANDS:
        add(commands)
    return parser


def backend_of(args):
    if args.serial:
        return "serial", 1
    if args.processes:
        return "processes", args.processes
    return "threads", args.threads or 4


def run_workload(args, out, err):
    """Measure one workload (countdown and its kin) and report it."""
    backend, workers = backend_of(args)
    if args.count < workers:
        args.command_parser.error("--count %d is less than the %d workers" % (args.count, workers))

    from .jobs import MeasurementFailed, measure_and_report
    from .log import RunSpec
    params_of = getattr(args, "params_of", None)
    spec = RunSpec(kernel=args.command, backend=backend, workers=workers, work=args.count,
                   probe=not args.no_probe, python=args.python, sample_hz=args.sample_hz,
                   params=params_of(args) if params_of else None)
    try:
        measure_and_report(spec, baseline=not args.no_baseline, repeat=args.repeat,
                           out_dir=args.out, out=out, err=err)
    except MeasurementFailed as failure:
        err.write("gilviz: error: %s\n" % failure)
        return 1
    return 0


def main(argv=None, out=None, err=None):
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args, out, err)
    except KeyboardInterrupt:
        err.write("gilviz: interrupted\n")
        return 130
