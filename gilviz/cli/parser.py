"""The command line's grammar: every command, its options and its help.

Option values are parsed by api.options, the same parsers the Python API
uses; flag() lets argparse print their one-line refusals and exit 2.
"""

from __future__ import annotations

import argparse
import sys

from .. import __version__
from ..api import options
from ..api.options import IO_TASKS, IO_WAIT_S, OptionError
from ..api.workloads import CONVOY_TIME_LIMIT_S, DEFAULT_WORK


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


EPILOG = """\
examples:
  gilviz countdown --threads 4            the GIL battle of 4 threads
  gilviz countdown --processes 4          4 processes, side by side on the cores
  gilviz countdown --serial --count 1e8   one worker, ten times the work
  gilviz countdown --threads 2 --no-probe the seed's exact loop, states sampled only
  gilviz countdown --threads 4 --python ~/.pyenv/versions/3.8.18/bin/python
  gilviz countdown --threads 4 --cores 1  pinned to one core
  gilviz countdown --threads 2 --switch-interval 0.5ms

Each run writes output/<time>-<kernel>-<backend>/run.json (the event log)
and timeline.png, and prints a summary.
"""


class Parser(argparse.ArgumentParser):
    """Bad input ends with one line on stderr and exit status 2."""

    def error(self, message):
        self.exit(2, "%s: error: %s (see %s --help)\n" % (self.prog, message, self.prog))


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


def add_target_options(parser, compared=False, check_interval=True):
    """--python, --cores and --switch-interval (each may be given more than
    once when `compared`: argparse then collects a list), --check-interval
    (where `check_interval`: the kernel runs on Python 2) and --gil."""
    twice = "; twice: the two sides A and B" if compared else ""
    action = "append" if compared else "store"
    parser.add_argument("--python", type=interpreter, action=action, metavar="PATH",
                        help="interpreter to measure: CPython 3.8+%s (default: the one running "
                             "gilviz%s)" % (", or 2.7 and 3.6+ for the countdown"
                                            if check_interval else "",
                                            "; 2 to 4 times: the sides A, B, C, D, each "
                                            "measured against a serial run of its own"
                                            if compared else ""))
    if check_interval:
        parser.add_argument("--check-interval", type=check_interval_ticks, metavar="TICKS",
                            help="Python 2 only: sys.setcheckinterval() in the target, the "
                                 "bytecode instructions between chances to hand the old GIL "
                                 "over (default: 100); 3.x hands it over by time, see "
                                 "--switch-interval")
    parser.add_argument("--gil", type=gil_switch, metavar="0|1",
                        help="a free-threaded build (3.13t) only: run it without a GIL (0) or "
                             "with one (1), as -X gil=0|1 (default: the build's, no GIL)")
    parser.add_argument("--cores", type=core_set, action=action, metavar="CORES",
                        help="pin the target, all its threads and processes, to cores: "
                             "N = the first N cores (1 = one core), ids like 0,1 or 2-3 "
                             "(1-1 = core 1 alone), or all (default: not pinned%s)" % twice)
    parser.add_argument("--switch-interval", type=switch_interval, action=action,
                        metavar="TIME",
                        help="sys.setswitchinterval() in the target: 5ms, 0.5ms, 100us or "
                             "seconds, 1us to 1s (default: CPython's 5ms%s)" % twice)


def add_sampling_options(parser):
    parser.add_argument("--sample-hz", type=sample_rate, default=1000.0, metavar="HZ",
                        help="thread-state sampling rate, 0 for off (default: 1000)")
    add_output_options(parser)


def add_output_options(parser):
    """--out and --timeout: every command that runs targets has them."""
    parser.add_argument("--out", default="output", metavar="DIR",
                        help="where run directories go (default: output)")
    parser.add_argument("--timeout", type=timeout, metavar="TIME",
                        help="end a run that takes longer, e.g. 90s or 10min (default: 10x the "
                             "longest run before it and at least 2 minutes; a stopped or "
                             "stalled target is ended in any case)")


def add_backend_options(parser, pools=False):
    backend = parser.add_mutually_exclusive_group()
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
    parser.add_argument("--repeat", type=repeat_count, default=3, metavar="N",
                        help="measure N times, alternating with the serial baseline; "
                             "the summary gives the median ratio, the chart the median run "
                             "(default: 3)")


def add_workload_options(parser, count_default, count_help, probe=True, compared=False):
    """The options of a workload; `compared`: those of `gilviz compare`, where
    the target options may come more than once and there is no serial
    baseline of one's own. Only the probed kernel (countdown) runs on Python 2."""
    add_backend_options(parser)
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


COUNTDOWN_SUMMARY = "David Beazley's countdown: the GIL battle of CPU-bound threads"
COUNTDOWN_COUNT = (10_000_000, "total iterations, split evenly "
                               "(default: 10_000_000; 1e7 works too)")


def add_countdown(commands):
    command = add_command(
        commands, "countdown", COUNTDOWN_SUMMARY,
        "Run `while n > 0: n -= 1` split between workers, record when each held the GIL, "
        "and draw the timeline.", EPILOG)
    add_workload_options(command, *COUNTDOWN_COUNT)
    command.set_defaults(handler="workload", command_parser=command, kernel="countdown")


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
    command = add_command(
        commands, "io", "tasks that wait on I/O: threads scale where countdown's do not",
        "Run a fixed number of I/O-bound tasks split between workers and draw the timeline: "
        "threads blocked on I/O, not waiting for the GIL.", IO_EPILOG)
    add_workload_options(command, IO_TASKS, "total tasks, split evenly (default: %d)"
                         % IO_TASKS, probe=False)
    add_io_options(command, default=True)
    command.set_defaults(handler="workload", command_parser=command, kernel="io")


MORE_EXAMPLES = """
more examples:
  gilviz io --threads 8                   I/O-bound tasks: threads blocked on I/O, not the GIL
  gilviz pi --threads 2                   numpy releases the GIL: threads that do run at once
  gilviz speedup countdown                speedup curves of threads and processes, 1-8 workers
  gilviz speedup io --workers 1,2,4,8,16  the same for the io kernel
  gilviz compare countdown --threads 4 --cores 1 --cores all
                                          one core vs all, on one time axis
  gilviz convoy                           an I/O thread beside a CPU-bound one

`gilviz COMMAND --help` tells more.
"""


SPEEDUP_EPILOG = """\
examples:
  gilviz speedup countdown                          threads stay flat, processes scale
  gilviz speedup countdown --workers 1-8 --backends serial,threads,processes --repeat 5
  gilviz speedup io --workers 1,2,4,8,16            threads scale past the core count
  gilviz speedup countdown --workers 1-4 --probe    with the probe in the kernel

Every run is a fresh target process. A round runs the serial baseline and
then every backend at every worker count (A B C A B C ...); speedups pair
each run with its round's baseline. Progress goes to stderr (--quiet: none).
Writes output/<time>-speedup-<kernel>/run.json, saved after every run (so
Ctrl-C keeps the runs finished), and speedup.png, drawn from that log.
"""


def add_speedup(commands):
    command = add_command(
        commands, "speedup", "speedup curves: every backend at every worker count",
        "Sweep worker counts and backends for one kernel, measure each configuration in "
        "interleaved rounds against a serial baseline, and draw speedup curves with Amdahl "
        "fits.", SPEEDUP_EPILOG)
    command.add_argument("kernel", choices=sorted(DEFAULT_WORK), metavar="KERNEL",
                         help="the workload: %s" % ", ".join(sorted(DEFAULT_WORK)))
    command.add_argument("--workers", type=worker_counts, default=worker_counts("1-8"),
                         metavar="RANGE", help="worker counts: 1-8, 1,2,4,8 or 1-4,8 "
                                               "(default: 1-8)")
    command.add_argument("--backends", type=backend_names, default=["threads", "processes"],
                         metavar="LIST", help="comma-separated, e.g. threads,processes (the "
                                              "default); the serial baseline always runs")
    command.add_argument("--repeat", type=repeat_count, default=3, metavar="N",
                         help="rounds: each configuration runs N times (default: 3)")
    command.add_argument("--warmup", type=warmup_count, default=1, metavar="N",
                         help="runs before the first round, not counted (default: 1)")
    command.add_argument("--work", type=work_size, metavar="N",
                         help="total work split between the workers (default: %s)" % ", ".join(
                             "%s %s" % (name, format(size, ","))
                             for name, size in sorted(DEFAULT_WORK.items())))
    command.add_argument("--probe", action="store_true",
                         help="run the probed kernel (default: the plain one, as the wall "
                              "times are what counts here)")
    command.add_argument("--sample-hz", type=sample_rate, default=0.0, metavar="HZ",
                         help="thread-state sampling during the runs (default: 0, off: "
                              "the sampler takes CPU time from the runs)")
    command.add_argument("--python", type=interpreter, default=sys.executable, metavar="PATH",
                         help="interpreter to measure (default: the one running gilviz)")
    command.add_argument("--quiet", action="store_true", help="no progress lines")
    add_output_options(command)
    add_io_options(command)
    command.set_defaults(handler="speedup", command_parser=command)


COMPARE_EPILOG = """\
examples:
  gilviz compare countdown --threads 4 --cores 1 --cores all
        the same 4 threads on one core and on all: Beazley's single vs multicore
  gilviz compare countdown --threads 2 --switch-interval 0.5ms --switch-interval 20ms
  gilviz compare countdown --threads 2 --python python2.7 --python python3.13 --python python3.13t
        old GIL, new GIL and no GIL, each against serial runs of its own

Give --cores or --switch-interval twice, or --python two to four times: the
sides A, B (C, D). Any of them given once applies to all. Interpreters are
each measured against a serial run of their own, every round, since their
speeds differ; the verdict compares those ratios. Each run directory holds
run.json (every run) and compare.png (the median run of each side).
"""


def add_compare(commands):
    command = add_command(
        commands, "compare", "variants of a workload one above the other, on one time axis",
        "Run a workload over two to four sides, varying one thing (the cores, the switch "
        "interval or the interpreter), and draw the timelines on one time axis with a verdict.",
        COMPARE_EPILOG)
    workloads = command.add_subparsers(dest="workload", metavar="WORKLOAD")
    workloads.required = True
    countdown = add_command(
        workloads, "countdown", COUNTDOWN_SUMMARY,
        "Run the countdown (`while n > 0: n -= 1`, split between workers) as each side in "
        "turn, and draw the timelines on one time axis with a verdict.",
        COMPARE_EPILOG)
    add_workload_options(countdown, *COUNTDOWN_COUNT, compared=True)
    countdown.set_defaults(handler="compare", command_parser=countdown, kernel="countdown")


CONVOY_EPILOG = """\
examples:
  gilviz convoy                            1 CPU thread, CPython's 5 ms switch interval
  gilviz convoy --cpu-threads 2 --requests 500
  gilviz convoy --switch-interval 1ms      shorter turns: shorter waits for the I/O thread
  gilviz convoy --cores 1                  everything on one core, the client too

Worker 0 is the I/O thread: an echo server on 127.0.0.1. Its client is a
process of its own that sends one small request at a time, --pause after
the answer to the one before, and times each round trip. The CPU threads
stop when the client is done (or when --count runs out, which is reported).
The run directory holds run.json and convoy.png.
"""
def add_convoy(commands):
    command = add_command(
        commands, "convoy", "Beazley's convoy effect: an I/O thread beside CPU-bound threads",
        "Time small requests answered by an I/O thread, alone and then beside CPU-bound "
        "countdown threads: each blocking call gives up the GIL, and getting it back means "
        "waiting for the switch interval (bpo-7946).", CONVOY_EPILOG)
    command.add_argument("--cpu-threads", type=worker_count, default=1, metavar="K",
                         help="CPU-bound countdown threads beside the I/O thread (default: 1)")
    command.add_argument("--requests", type=request_count, default=200, metavar="N",
                         help="requests the client sends, one after the other (default: 200; "
                              "it stops after %d s in any case)" % CONVOY_TIME_LIMIT_S)
    command.add_argument("--size", type=request_size, default=32, metavar="BYTES",
                         help="bytes a request (and its answer) (default: 32)")
    command.add_argument("--pause", type=client_pause, default=1e-3, metavar="TIME",
                         help="the client's pause between an answer and its next request, "
                              "0 to 1s (default: 1ms). With 0 the I/O thread's calls "
                              "return so fast that it often takes the GIL back before the "
                              "CPU thread wakes: results then swing from run to run")
    command.add_argument("--count", type=work_size, default=10**9, metavar="N",
                         help="the most a CPU thread counts down: they stop when the I/O "
                              "thread is done (default: 1e9, far more than needed)")
    add_target_options(command, check_interval=False)
    add_sampling_options(command)
    command.add_argument("--no-probe", action="store_true",
                         help="no probe in any thread: requests are timed as before, "
                              "the bands come from sampled thread states")
    command.set_defaults(handler="convoy", command_parser=command, kernel="convoy")


PI_EPILOG = """\
examples:
  gilviz pi --threads 2                    numpy releases the GIL: 2 threads run at once
  gilviz pi --threads 2 --kernel seed      the seed's kernel: threads queue for one lock
  gilviz pi --processes 4 --samples 1e9    1e9 samples in constant memory
  gilviz pi --pool 4                       multiprocessing.Pool.map, as in the seed
  gilviz pi --dummy-pool 4 --seed 7        the same API over threads, reproducible

Each run writes output/<time>-pi-<kernel>-<backend>/run.json (the event log)
and timeline.png, and prints the estimate of pi with its standard error.
The bands come from thread states sampled from outside (the probe is for
pure-Python kernels), what a sleeping thread waits in, and the kernel's
marks around its numpy calls: light blue where a thread runs inside numpy
without the GIL, vermillion where it is blocked on a lock.
"""


def add_pi(commands):
    command = add_command(
        commands, "pi", "Monte-Carlo pi with numpy: threads that do run at once, and one lock",
        "Estimate pi by throwing darts, split between workers, and draw what each worker's "
        "thread did: ran Python, ran inside numpy without the GIL, waited for the GIL or was "
        "blocked on a lock.", PI_EPILOG)
    add_backend_options(command, pools=True)
    command.add_argument("--samples", dest="count", type=sample_count, default=10**8,
                         metavar="N", help="darts in all, split evenly (default: 1e8)")
    command.add_argument("--kernel", dest="variant", choices=("fast", "seed"), default="fast",
                         help="fast: a numpy Generator per worker, chunks in constant memory "
                              "(the default); seed: the seed's kernel, two arrays of the whole "
                              "share from the global RandomState")
    command.add_argument("--seed", type=random_seed, metavar="S",
                         help="seed of the fast kernel's streams (default: a fresh one, "
                              "printed and kept in the log)")
    command.add_argument("--chunk", type=chunk_size, metavar="N",
                         help="samples a chunk of the fast kernel (default: 262144)")
    add_target_options(command, check_interval=False)
    add_sampling_options(command)
    add_repeat_options(command)
    command.set_defaults(handler="workload", command_parser=command, kernel="pi",
                         no_probe=True)


SUBCOMMANDS = (add_countdown, add_io, add_pi, add_speedup, add_compare, add_convoy)


def build_parser():
    parser = Parser(
        prog="gilviz", description="See CPython's Global Interpreter Lock at work.",
        epilog=EPILOG + MORE_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version="gilviz " + __version__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    for add in SUBCOMMANDS:
        add(commands)
    return parser


