"""The command line's grammar: every command, its options and its help.

Option values are parsed by api.options, the same parsers the Python API
uses; flag() lets argparse print their one-line refusals and exit 2.
"""

from __future__ import annotations

import argparse

from .. import __version__
from ..agent.protocol import ECHO, IO_MODES, PI_VARIANTS
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
client_pause = flag(options.client_pause)
worker_counts = flag(options.worker_counts)
backend_names = flag(options.backend_names)
warmup_count = flag(options.warmup_count)
io_wait = flag(options.io_wait)
request_count = flag(options.request_count)
request_size = flag(options.request_size)
timeout = flag(options.timeout)
wait_quiet = flag(options.wait_quiet)
image_size = flag(options.image_size)
dots_per_inch = flag(options.dots_per_inch)
time_window = flag(options.time_window)
worker_set = flag(options.worker_set)
share_mechanism = flag(options.share_mechanism)


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
    group.add_argument("--io-via", choices=IO_MODES, default=default and ECHO,
                       help="echo: a round trip to an echo server on 127.0.0.1 that answers "
                            "after the wait; sleep: time.sleep (default: echo)")


def add_target_options(parser, compared=False):
    """--python, --cores and --switch-interval; each may be given twice when
    `compared` (argparse then collects a list)."""
    twice = "; twice: the two sides A and B" if compared else ""
    action = "append" if compared else "store"
    parser.add_argument("--python", type=interpreter, action=action, metavar="PATH",
                        help="interpreter to measure (default: the one running gilviz%s)"
                             % twice)
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


def add_chart_options(parser, default_format="png"):
    """--format and --theme: every command that draws has them."""
    parser.add_argument("--format", choices=options.IMAGE_FORMATS, default=default_format,
                        help="the chart's file format (default: %s)" % (default_format or
                                                                        "the --out extension's, "
                                                                        "else png"))
    parser.add_argument("--theme", choices=options.THEME_NAMES, default="light",
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
                            help="measure each side N times, alternately (A B A B ...); the "
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
    the target options may come twice and there is no serial baseline."""
    add_backend_options(parser)
    parser.add_argument("--count", type=work_size, default=count_default, metavar="N",
                        help=count_help)
    add_target_options(parser, compared)
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
  gilviz run script.py ARGS               your own program, its threads sampled
  gilviz attach PID --duration 10s        a running Python process, from outside

`gilviz COMMAND --help` tells more.
"""


SPEEDUP_EPILOG = """\
examples:
  gilviz speedup countdown                          threads stay flat, processes scale
  gilviz speedup countdown --workers 1-8 --backends serial,threads,processes --repeat 5
  gilviz speedup io --workers 1,2,4,8,16            threads scale past the core count
  gilviz speedup countdown --workers 1-4 --probe    with the probe in the kernel
  gilviz speedup pi --kernel seed --workers 1-4     the seed's pi kernel: one lock
  gilviz speedup countdown --cores 1                every worker pinned to one core

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
    command.add_argument("--kernel", dest="variant", choices=PI_VARIANTS,
                         help="pi only: fast (the default) or seed, the seed's kernel")
    add_target_options(command)
    command.add_argument("--quiet", action="store_true", help="no progress lines")
    add_output_options(command)
    add_io_options(command)
    command.set_defaults(handler="speedup", command_parser=command)


COMPARE_EPILOG = """\
examples:
  gilviz compare countdown --threads 4 --cores 1 --cores all
        the same 4 threads on one core and on all: Beazley's single vs multicore
  gilviz compare countdown --threads 2 --switch-interval 0.5ms --switch-interval 20ms
  gilviz compare countdown --threads 4 --python python3.8 --python python3.12

Give exactly one of --cores, --switch-interval, --python twice: the two sides
A and B. Any of them given once applies to both. Each run directory holds
run.json (every run) and compare.png (the median run of each side).
"""


def add_compare(commands):
    command = add_command(
        commands, "compare", "two variants of a workload side by side, on one time axis",
        "Run a workload twice over, varying one thing (the cores, the switch interval or the "
        "interpreter), and draw both timelines on one time axis with a verdict.",
        COMPARE_EPILOG)
    workloads = command.add_subparsers(dest="workload", metavar="WORKLOAD")
    workloads.required = True
    countdown = add_command(
        workloads, "countdown", COUNTDOWN_SUMMARY,
        "Run the countdown (`while n > 0: n -= 1`, split between workers) as side A and as "
        "side B, alternately, and draw both timelines on one time axis with a verdict.",
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
    add_target_options(command)
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
  gilviz pi --processes 4 --share manager  each chunk's count through a Manager's dict

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
    command.add_argument("--kernel", dest="variant", choices=PI_VARIANTS, default="fast",
                         help="fast: a numpy Generator per worker, chunks in constant memory "
                              "(the default); seed: the seed's kernel, two arrays of the whole "
                              "share from the global RandomState")
    command.add_argument("--seed", type=random_seed, metavar="S",
                         help="seed of the fast kernel's streams (default: a fresh one, "
                              "printed and kept in the log)")
    command.add_argument("--chunk", type=chunk_size, metavar="N",
                         help="samples a chunk of the fast kernel (default: 262144); with "
                              "--share, the workers report after every chunk")
    command.add_argument("--share", type=share_mechanism, metavar="HOW",
                         help="how workers share their running counts after every chunk: "
                              "return (with the result), queue, pipe (processes), manager, "
                              "value or array (shared ctypes under a Lock); the time each "
                              "report takes is drawn as its own state")
    add_target_options(command)
    add_sampling_options(command)
    add_repeat_options(command)
    command.set_defaults(handler="workload", command_parser=command, kernel="pi",
                         no_probe=True)


SHARE_EPILOG = """\
examples:
  gilviz share --processes 4               every mechanism, threads and processes, 4 workers each
  gilviz share --processes 4 --chunk 1000  a report every 1,000 samples: when sharing dominates
  gilviz share --threads 2 --backends threads

Each worker of a pi run reports its running count after every chunk through
the mechanism: return (with its result), queue (queue.Queue for threads,
multiprocessing.Queue for processes), pipe (processes), manager (a Manager's
dict), value and array (shared ctypes under a Lock). The chart gives what one
report costs, median and p99, and each run's wall time. Writes
output/<time>-share-N/run.json and share.png.
"""


def add_share(commands):
    command = add_command(
        commands, "share", "Queue, Pipe, Manager, shared Value and Array: what sharing costs",
        "Run the same pi work with every way of sharing counts between workers, threads and "
        "processes side by side, and chart what one report costs.", SHARE_EPILOG)
    command.add_argument("--threads", type=worker_count, metavar="N",
                         help="N workers (default 4); threads and processes both run")
    command.add_argument("--processes", type=worker_count, metavar="N",
                         help="the same as --threads N")
    command.add_argument("--backends", type=backend_names, default="threads,processes",
                         metavar="LIST", help="threads, processes or both (default: both)")
    command.add_argument("--samples", type=sample_count, default=2 * 10**7, metavar="N",
                         help="darts in all, split evenly (default: 2e7)")
    command.add_argument("--chunk", type=chunk_size, default=10_000, metavar="N",
                         help="samples between two reports (default: 10000)")
    command.add_argument("--seed", type=random_seed, metavar="S",
                         help="seed of every run's streams (default: a fresh one)")
    command.add_argument("--repeat", type=repeat_count, default=3, metavar="N",
                         help="rounds: each runs every mechanism once (default: 3)")
    add_target_options(command)
    command.add_argument("--sample-hz", type=sample_rate, default=0.0, metavar="HZ",
                         help="thread-state sampling rate (default: 0, off: the chart needs "
                              "only the workers' own timestamps)")
    add_output_options(command)
    command.set_defaults(handler="share", command_parser=command)


RUN_EPILOG = """\
examples:
  gilviz run examples/hash_and_serve.py          a script, with its own arguments after it
  gilviz run -m http.server 8000 --timeout 10s   a module, as python -m runs it
  gilviz run --threads 4 mymodule:work           work() in 4 threads, against 4 calls in a row
  gilviz run --processes 4 mymodule:work         the same in 4 processes

gilviz's options come before the program; everything after it is the
program's. Its stdin, stdout and stderr are gilviz's, and its exit status
becomes gilviz's. Every thread it starts is sampled from outside, and shown
by its threading name: on a CPU, waiting for the GIL, blocked on a lock, in
I/O or a sleep, waiting for a CPU. Writes output/<time>-run-<name>/run.json
and timeline.png.
"""


def add_run(commands):
    command = add_command(
        commands, "run", "your own code: a script, a module or a function, its threads sampled",
        "Run a script, a module (-m) or module:function (--threads / --processes) and draw "
        "what each of its threads did.", RUN_EPILOG)
    command.add_argument("-m", dest="module", action="store_true",
                         help="run a module, as python -m does")
    backend = command.add_mutually_exclusive_group()
    backend.add_argument("--threads", type=worker_count, metavar="N",
                         help="module:function: call it in N threads, released at one instant")
    backend.add_argument("--processes", type=worker_count, metavar="N",
                         help="module:function: call it in N processes")
    command.add_argument("--children", action="store_true",
                         help="sample the program's child processes too")
    command.add_argument("--python", type=interpreter, metavar="PATH",
                         help="interpreter to run it (default: the one running gilviz)")
    add_repeat_options(command)
    add_sampling_options(command)
    command.add_argument("program", nargs=argparse.REMAINDER, metavar="PROGRAM [ARGS]",
                         help="script.py, a module's name after -m, or module:function")
    command.set_defaults(handler="run", command_parser=command)


ATTACH_EPILOG = """\
examples:
  gilviz attach 1234 --duration 10s       sample process 1234's threads for 10 s
  gilviz attach 1234 --duration 30s --children

From outside only: nothing is loaded into the process. Reading what its
sleeping threads wait on (/proc/PID/task/*/syscall) needs ptrace access
(your own process, and ptrace_scope allowing it); without it, those states
show as "off CPU" and the summary says why.
"""


def add_attach(commands):
    command = add_command(
        commands, "attach", "sample a running Python process's threads from outside",
        "Sample the threads of a running Python process for a while and draw what each did.",
        ATTACH_EPILOG)
    command.add_argument("pid", type=int, metavar="PID", help="the process")
    command.add_argument("--duration", type=timeout, default=10.0, metavar="TIME",
                         help="how long to sample, e.g. 10s or 2min (default: 10s)")
    command.add_argument("--children", action="store_true",
                         help="sample its child processes too")
    add_sampling_options(command)
    command.set_defaults(handler="attach", command_parser=command)


RENDER_EPILOG = """\
examples:
  gilviz render output/20260101-120000-countdown-threads4
                                          the chart the run drew, drawn again
  gilviz render RUN --theme dark --format svg       for a dark slide deck, as a vector file
  gilviz render RUN --theme talk                    large type at 1280x720
  gilviz render RUN --window 100:150ms --workers 0-1
                                          zoomed on 100-150 ms, two workers' bands
  gilviz render RUN --size 3840x2160 --out big.png
  gilviz render RUN --animate battle.gif            the thread battle unfolding in ~10 s

RUN is a run directory of any command, or its run.json. Without --out the
chart goes into the run directory, named by its options (timeline-dark.svg).
"""


def add_render(commands):
    command = add_command(
        commands, "render", "draw a saved run again: SVG, PDF, dark or talk theme, a window",
        "Redraw the chart of a saved run (any command's) without measuring anything: in "
        "another format, theme or size, zoomed on a window, with some of the workers, or "
        "animated.", RENDER_EPILOG)
    command.add_argument("path", metavar="RUN", help="a run directory or its run.json")
    add_chart_options(command, default_format=None)
    command.add_argument("--size", type=image_size, metavar="WxH",
                         help="pixels, e.g. 1920x1080 (default: the theme's: 1920x1080, "
                              "talk 1280x720)")
    command.add_argument("--dpi", type=dots_per_inch, metavar="N",
                         help="dots per inch (default: what keeps the figure 16 inches wide)")
    command.add_argument("--window", type=time_window, metavar="BEGIN:END",
                         help="the zoom panel's window, e.g. 100:150ms (default: the one the "
                              "run chose)")
    command.add_argument("--workers", type=worker_set, metavar="LIST",
                         help="the workers whose bands are drawn, e.g. 0-3 or 0,2 "
                              "(default: all)")
    command.add_argument("--out", metavar="FILE",
                         help="the file to write; its extension gives the format if --format "
                              "does not")
    command.add_argument("--animate", metavar="FILE",
                         help="write an animation instead: FILE.gif (or .mp4 where ffmpeg "
                              "is installed), the run's timeline unfolding in ~10 s")
    command.set_defaults(handler="render", command_parser=command)


SUBCOMMANDS = (add_countdown, add_io, add_pi, add_share, add_speedup, add_compare, add_convoy,
               add_run, add_attach, add_render)


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


