"""The command line's values and the option groups its commands share.

Every value is parsed by api.options, the parsers the Python API uses too;
flag() lets argparse print their one-line refusals and exit 2.
"""

from __future__ import annotations

import argparse
import re

from ..agent.protocol import ECHO, IO_MODES
from ..api import chart_options, options
from ..api.options import IO_WAIT_S, OptionError


def flag(parse):
    """An argparse type= callable of an api.options parser."""
    def parse_flag(text):
        try:
            return parse(text)
        except OptionError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
    parse_flag.__name__ = parse.__name__
    return parse_flag


worker_count = flag(options.worker_count)
repeat_count = flag(options.repeat_count)
work_size = flag(options.work_size)
sample_count = flag(options.sample_count)
chunk_size = flag(options.chunk_size)
random_seed = flag(options.random_seed)
process_id = flag(options.process_id)
sample_rate = flag(options.sample_rate)
interpreter = flag(options.interpreter)
core_set = flag(options.core_set)
switch_interval = flag(options.switch_interval)
check_interval_ticks = flag(options.check_interval)
gil_switch = flag(options.gil_switch)
client_pause = flag(options.client_pause)
worker_counts = flag(options.worker_counts)
backend_names = flag(options.backend_names)
warmup_count = flag(options.warmup_count)
io_wait = flag(options.io_wait)
request_count = flag(options.request_count)
request_size = flag(options.request_size)
timeout = flag(options.timeout)
wait_quiet = flag(options.wait_quiet)
image_size = flag(chart_options.image_size)
dots_per_inch = flag(chart_options.dots_per_inch)
time_window = flag(chart_options.time_window)
worker_set = flag(chart_options.worker_set)
share_mechanism = flag(options.share_mechanism)


NEGATIVE_VALUE = re.compile(r"-\.?\d")
"""What argparse is to take as a value, not an option: "-5ms", "-1e6",
"-.5" (its own rule takes only "-5" and "-0.5", so that `--switch-interval
-5ms` said "expected one argument"). Python 3.13's argparse uses this rule;
no option of gilviz's looks like it."""


class Parser(argparse.ArgumentParser):
    """Bad input ends with one line on stderr and exit status 2; a negative
    value reaches its option's parser, which says what to give."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = NEGATIVE_VALUE

    def error(self, message):
        self.exit(2, "%s: error: %s (see %s --help)\n" % (self.prog, message, self.prog))


def add_io_options(parser, default=None):
    """--io-wait and --io-via; `default` None leaves them unset (the sweep
    checks they go with the io kernel)."""
    group = parser.add_argument_group("io kernel")
    group.add_argument("--io-wait", type=io_wait, metavar="SECONDS",
                       default=default and IO_WAIT_S,
                       help="how long each task waits for its reply (default: %g)" % IO_WAIT_S)
    group.add_argument("--io-via", choices=IO_MODES, default=default and ECHO,
                       help="echo: a round trip to an echo server on 127.0.0.1 that answers "
                            "after the wait; sleep: time.sleep (default: echo)")


def add_target_options(parser, compared=False, check_interval=True, gil=True,
                       old_pythons=None):
    """--python, --cores and --switch-interval (each may be given more than
    once when `compared`: argparse then collects a list), --check-interval
    (where `check_interval`: the kernel runs on Python 2) and --gil (where
    `gil`). `old_pythons`: whether the command runs the countdown, which
    takes 2.7 and 3.6+ (by default, where it takes --check-interval)."""
    twice = "; twice: the two sides A and B" if compared else ""
    action = "append" if compared else "store"
    old_pythons = check_interval if old_pythons is None else old_pythons
    parser.add_argument("--python", type=interpreter, action=action, metavar="PATH",
                        help="interpreter to measure: CPython 3.8+%s (default: the one running "
                             "gilviz%s)" % (", or 2.7 and 3.6+ for the countdown"
                                            if old_pythons else "",
                                            "; 2 to 4 times: the sides A, B, C, D, each "
                                            "measured against a serial run of its own"
                                            if compared else ""))
    parser.add_argument("--cores", type=core_set, action=action, metavar="CORES",
                        help="pin the target, all its threads and processes, to cores: "
                             "N = the first N cores (1 = one core), ids like 0,1 or 2-3 "
                             "(1-1 = core 1 alone), or all (default: not pinned%s)" % twice)
    parser.add_argument("--switch-interval", type=switch_interval, action=action,
                        metavar="TIME",
                        help="sys.setswitchinterval() in the target: 5ms, 0.5ms, 100us or "
                             "seconds, 1us to 1s (default: CPython's 5ms%s)" % twice)
    if check_interval:
        parser.add_argument("--check-interval", type=check_interval_ticks, metavar="TICKS",
                            help="Python 2 only: sys.setcheckinterval() in the target, the "
                                 "bytecode instructions between chances to hand the old GIL "
                                 "over (default: 100); 3.x hands it over by time, see "
                                 "--switch-interval")
    if gil:
        parser.add_argument("--gil", type=gil_switch, metavar="0|1",
                            help="a free-threaded build (3.13t) only: run it without a GIL (0) "
                                 "or with one (1), as -X gil=0|1 (default: the build's, no GIL)")


def add_sampling_options(parser):
    parser.add_argument("--sample-hz", type=sample_rate, default=1000.0, metavar="HZ",
                        help="thread-state sampling rate, 0 for off (default: 1000)")
    add_output_options(parser)


def add_chart_options(parser, default_format="png"):
    """--format and --theme: every command that draws has them."""
    parser.add_argument("--format", choices=chart_options.IMAGE_FORMATS, default=default_format,
                        help="the chart's file format (default: %s)" % (default_format or
                                                                        "the --out extension's, "
                                                                        "else png"))
    parser.add_argument("--theme", choices=chart_options.THEME_NAMES, default="light",
                        help="light (the default), dark: a dark background, talk: large type "
                             "and thick strokes at 1280x720")


def add_output_options(parser):
    """--out and --timeout: every command that runs targets has them; and
    the chart's --format and --theme."""
    add_chart_options(parser)
    parser.add_argument("--out", default="output", metavar="DIR",
                        help="where run directories go (default: output)")
    parser.add_argument("--timeout", type=timeout, metavar="TIME",
                        help="end a run that takes longer, e.g. 90s or 10min (default: 10x the "
                             "longest run before it and at least 2 minutes; a stopped or "
                             "stalled target is ended in any case)")
    parser.add_argument("--wait-quiet", type=wait_quiet, metavar="TIME",
                        help="before each run, wait up to this long (e.g. 30s) for other "
                             "processes to leave the machine quiet (default: no wait; a run "
                             "beside other load is warned of in any case)")


def add_backend_options(parser, pools=False, compared=False):
    """--threads N, --processes N, --serial (and the pools): one of them, or
    where `compared`, two or more, the sides of the comparison."""
    backend = parser if compared else parser.add_mutually_exclusive_group()
    backend.add_argument("--threads", type=worker_count, metavar="N",
                         help="N threads in one process (the default, with N=4)")
    backend.add_argument("--processes", type=worker_count, metavar="N",
                         help="N processes, each with its own interpreter and GIL")
    backend.add_argument("--serial", action="store_true",
                         help="one worker does all the work")
    if pools:
        backend.add_argument("--pool", type=worker_count, metavar="N",
                             help="multiprocessing.Pool(N).map over N shares, as the seed does")
        backend.add_argument("--dummy-pool", type=worker_count, metavar="N",
                             help="multiprocessing.dummy.Pool(N).map: the Pool API over threads")


def add_repeat_options(parser, compared=False):
    if compared:
        parser.add_argument("--repeat", type=repeat_count, default=3, metavar="N",
                            help="measure each side N times, in rounds (A B A B ...); the "
                                 "verdict gives the median ratio and its spread, the chart the "
                                 "median run of each (default: 3)")
        return
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the serial runs of the same work")
    parser.add_argument("--timings", action="store_true",
                        help="print where the time went beyond the runs themselves: start-up, "
                             "targets, analysis, drawing, saving")
    parser.add_argument("--repeat", type=repeat_count, default=3, metavar="N",
                        help="measure N times, alternating with the serial baseline; "
                             "the summary gives the median ratio, the chart the median run "
                             "(default: 3)")


def add_workload_options(parser, count_default, count_help, probe=True, compared=False):
    """The options of a workload; `compared`: those of `gilviz compare`, where
    the target options may come more than once and there is no serial
    baseline of one's own. Only the probed kernel (countdown) runs on Python 2."""
    add_backend_options(parser, compared=compared)
    parser.add_argument("--count", type=work_size, default=count_default, metavar="N",
                        help=count_help)
    add_target_options(parser, compared, check_interval=probe)
    add_sampling_options(parser)
    if probe:
        parser.add_argument("--no-probe", action="store_true",
                            help="run the plain kernel, exactly as the seed has it")
    else:
        parser.set_defaults(no_probe=True)
    add_repeat_options(parser, compared)


def add_command(commands, name, summary, description, epilog):
    """A subcommand whose --help keeps the epilog's examples as written."""
    return commands.add_parser(name, help=summary, description=description, epilog=epilog,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
