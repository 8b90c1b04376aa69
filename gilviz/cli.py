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


def add_workload_options(parser, count_default, count_help):
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
    parser.add_argument("--no-probe", action="store_true",
                        help="run the plain kernel, exactly as the seed has it")
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


SUBCOMMANDS = (add_countdown,)


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
    spec = RunSpec(kernel=args.command, backend=backend, workers=workers, work=args.count,
                   probe=not args.no_probe, python=args.python, sample_hz=args.sample_hz)
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
