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
MAX_SAMPLES = 10**12
"""About 45 minutes of the fast pi kernel on 2 cores here."""
MAX_CHUNK = 10**7
"""170 MB of buffers a worker."""
MAX_SEED = 2**64 - 1
SEED_KERNEL_BYTES_PER_SAMPLE = 33
"""Peak memory of the seed's pi kernel: x, y and two temporaries of 8 bytes a
sample, and the 1-byte mask (measured: 32 bytes a sample, 1 worker, 2e7)."""
SEED_KERNEL_MEMORY_SHARE = 0.8
"""Refuse a seed-kernel run that would need more of the available memory:
past it, the OOM killer, not MemoryError, is what ends it."""
MAX_SAMPLE_HZ = 10_000.0
MAX_REPEAT = 100
MAX_WORKER_COUNTS = 32
MAX_WARMUP = 20
MAX_SWEEP_RUNS = 2000
"""More runs than this is a typo, or a job for a script."""
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
  gilviz countdown --threads 4 --cores 1  pinned to one core
  gilviz countdown --threads 2 --switch-interval 0.5ms

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


def size_up_to(limit):
    """A type= callable for a positive whole number up to `limit`; accepts
    10000000, 10_000_000 and 1e7."""
    def parse(text):
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
        if not 1 <= value <= limit:
            raise argparse.ArgumentTypeError("%s: give 1 to %.0e" % (text, limit))
        return value
    return parse


work_size = size_up_to(MAX_COUNT)
sample_count = size_up_to(MAX_SAMPLES)
chunk_size = size_up_to(MAX_CHUNK)
random_seed = whole_number(0, MAX_SEED, "as a seed")


def real_number(text, what="a number"):
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("%r is not %s" % (text, what)) from None


def sample_rate(text):
    value = real_number(text)
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


def allowed_cores():
    """The CPU ids gilviz (and so a target it starts) may run on."""
    if not hasattr(os, "sched_getaffinity"):
        raise argparse.ArgumentTypeError(
            "pinning to cores needs Linux (os.sched_setaffinity); leave out --cores")
    return sorted(os.sched_getaffinity(0))


def _core_ids(text):
    """Core ids from "0,2" or "0-3" or "1-1"; raises ValueError on bad syntax."""
    ids = set()
    for part in text.split(","):
        first, _, last = part.partition("-")
        first, last = int(first), int(last) if last else int(first)
        if first < 0 or last < first:
            raise ValueError(part)
        ids.update(range(first, last + 1))
    return sorted(ids)


def core_set(text):
    """--cores: N (a bare number: the first N cores gilviz may use), core ids
    ("0,1", "2-3", "1-1" for core 1 alone), or "all". Returns sorted ids."""
    from .report import format_cores

    allowed = allowed_cores()
    here = "this machine lets gilviz use %s (%s)" % (
        "1 core" if len(allowed) == 1 else "%d cores" % len(allowed), format_cores(allowed))
    cleaned = text.strip().lower()
    if not cleaned:
        raise argparse.ArgumentTypeError("empty: give a number of cores (1), core ids "
                                         "(0,1 or 1-1) or all")
    if cleaned == "all":
        return allowed
    if cleaned.isdigit():
        count = int(cleaned)
        if count == 0:
            raise argparse.ArgumentTypeError("0 cores: give 1 to %d" % len(allowed))
        if count > len(allowed):
            raise argparse.ArgumentTypeError("%d cores asked, but %s" % (count, here))
        return allowed[:count]
    try:
        ids = _core_ids(cleaned)
    except ValueError:
        raise argparse.ArgumentTypeError(
            "%r is neither a number of cores (2), core ids (0,1 or 1-1) nor all" % text) from None
    missing = [core for core in ids if core not in allowed]
    if missing:
        raise argparse.ArgumentTypeError("no core %s here: %s" % (format_cores(missing), here))
    return ids


DURATION_UNITS = (("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1.0))
MIN_SWITCH_S, MAX_SWITCH_S = 1e-6, 1.0
MAX_PAUSE_S = 1.0


def duration(text):
    """Seconds from 5ms, 0.5ms, 100us, 1s or a bare number of seconds."""
    cleaned = text.strip().lower().replace(" ", "")
    scale = 1.0
    for unit, unit_scale in DURATION_UNITS:
        if cleaned.endswith(unit):
            cleaned, scale = cleaned[:-len(unit)], unit_scale
            break
    try:
        seconds = float(cleaned) * scale
    except ValueError:
        raise argparse.ArgumentTypeError(
            "%r is not a duration: write 5ms, 0.5ms, 100us or 0.005 (seconds)" % text) from None
    if not math.isfinite(seconds):
        raise argparse.ArgumentTypeError("%r is not a finite duration" % text)
    return seconds


def switch_interval(text):
    """--switch-interval: a duration from 1 µs to 1 s."""
    seconds = duration(text)
    if not MIN_SWITCH_S <= seconds <= MAX_SWITCH_S:
        raise argparse.ArgumentTypeError(
            "%s: give 1us to 1s (CPython's default is 5ms; a bare number is seconds)" % text)
    return seconds


def client_pause(text):
    """--pause: a duration from 0 to 1 s."""
    seconds = duration(text)
    if not 0 <= seconds <= MAX_PAUSE_S:
        raise argparse.ArgumentTypeError("%s: give 0 to 1s (a bare number is seconds)" % text)
    return seconds


def worker_counts(text):
    """Worker counts: "1-8", "1,2,4,8" or both ("1-4,8"); sorted, no repeats."""
    counts = set()
    for part in text.split(","):
        bounds = part.strip().split("-")
        if len(bounds) > 2 or not all(bound.strip().isdigit() for bound in bounds):
            raise argparse.ArgumentTypeError(
                "%r is not a list of worker counts like 1-8 or 1,2,4,8" % text)
        low, high = (worker_count(bound) for bound in (bounds[0], bounds[-1]))
        if low > high:
            raise argparse.ArgumentTypeError("%s: a range goes up, as in %d-%d"
                                             % (part.strip(), high, low))
        if high - low + 1 > MAX_WORKER_COUNTS:
            raise argparse.ArgumentTypeError(
                "%s: %d worker counts, at most %d (list some, e.g. 1,2,4,8,16)"
                % (part.strip(), high - low + 1, MAX_WORKER_COUNTS))
        counts.update(range(low, high + 1))
    if len(counts) > MAX_WORKER_COUNTS:
        raise argparse.ArgumentTypeError("%s: %d worker counts, at most %d"
                                         % (text, len(counts), MAX_WORKER_COUNTS))
    return sorted(counts)


def backend_names(text):
    """Backends the agent offers, comma-separated, in the order given."""
    from .agent.backends import LAUNCHERS
    names = []
    for name in (part.strip() for part in text.split(",")):
        if name not in LAUNCHERS:
            raise argparse.ArgumentTypeError("%r is not a backend: give some of %s"
                                             % (name, ", ".join(sorted(LAUNCHERS))))
        if name not in names:
            names.append(name)
    return names


warmup_count = whole_number(0, MAX_WARMUP, "warm-up runs")


def io_wait(text):
    """Seconds a task of the io kernel waits: 0.1 ms to 10 s."""
    value = real_number(text, "a number of seconds")
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
    parser.add_argument("--out", default="output", metavar="DIR",
                        help="where run directories go (default: output)")


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
    command.set_defaults(handler=run_workload, command_parser=command, kernel="countdown")


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
    command.set_defaults(handler=run_workload, command_parser=command, kernel="io",
                         params_of=io_params)


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

SWEEP_WORK = {"countdown": 10_000_000, "io": IO_TASKS, "pi": 10**8}
"""Default work of a sweep, by kernel; other kernels need --work."""

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
    from .agent.kernels import KERNELS
    command = add_command(
        commands, "speedup", "speedup curves: every backend at every worker count",
        "Sweep worker counts and backends for one kernel, measure each configuration in "
        "interleaved rounds against a serial baseline, and draw speedup curves with Amdahl "
        "fits.", SPEEDUP_EPILOG)
    command.add_argument("kernel", choices=sorted(KERNELS), metavar="KERNEL",
                         help="the workload: %s" % ", ".join(sorted(KERNELS)))
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
                             for name, size in sorted(SWEEP_WORK.items())))
    command.add_argument("--probe", action="store_true",
                         help="run the probed kernel (default: the plain one, as the wall "
                              "times are what counts here)")
    command.add_argument("--sample-hz", type=sample_rate, default=0.0, metavar="HZ",
                         help="thread-state sampling during the runs (default: 0, off: "
                              "the sampler takes CPU time from the runs)")
    command.add_argument("--python", type=interpreter, default=sys.executable, metavar="PATH",
                         help="interpreter to measure (default: the one running gilviz)")
    command.add_argument("--quiet", action="store_true", help="no progress lines")
    command.add_argument("--out", default="output", metavar="DIR",
                         help="where run directories go (default: output)")
    add_io_options(command)
    command.set_defaults(handler=run_speedup, command_parser=command)


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
    countdown.set_defaults(handler=run_compare, command_parser=countdown, kernel="countdown")


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
MAX_REQUESTS = 100_000
MAX_REQUEST_BYTES = 65_536
CONVOY_TIME_LIMIT_S = 60


request_count = whole_number(1, MAX_REQUESTS, "requests")
request_size = whole_number(1, MAX_REQUEST_BYTES, "bytes")


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
    command.set_defaults(handler=run_convoy, command_parser=command, kernel="convoy")


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
    add_target_options(command)
    add_sampling_options(command)
    add_repeat_options(command)
    command.set_defaults(handler=run_workload, command_parser=command, kernel="pi",
                         no_probe=True, params_of=pi_params, count_option="--samples")


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


def backend_of(args):
    if args.serial:
        return "serial", 1
    if args.processes:
        return "processes", args.processes
    if getattr(args, "pool", None):
        return "pool", args.pool
    if getattr(args, "dummy_pool", None):
        return "dummy-pool", args.dummy_pool
    return "threads", args.threads or 4


def pi_params(args):
    """The pi kernel's parameters, or a usage error."""
    if args.variant == "fast":
        params = {"variant": "fast", "seed": args.seed}
        if args.seed is None:
            import secrets
            params["seed"] = secrets.randbits(64)
        if args.chunk is not None:
            params["chunk"] = args.chunk
        return params
    for option, value in (("--seed", args.seed), ("--chunk", args.chunk)):
        if value is not None:
            args.command_parser.error("%s is for --kernel fast: the seed kernel reseeds from the "
                                      "OS and draws each share at once, as the seed did" % option)
    import psutil
    need = SEED_KERNEL_BYTES_PER_SAMPLE * args.count
    available = psutil.virtual_memory().available
    if need > SEED_KERNEL_MEMORY_SHARE * available:
        args.command_parser.error(
            "--kernel seed keeps every sample in memory: %s samples need about %.1f GB, and "
            "%.1f GB are available; use --kernel fast or fewer samples"
            % (format(args.count, ","), need / 1e9, available / 1e9))
    return {"variant": "seed"}


def workload_spec(args, python, cores, switch_interval_s):
    """The RunSpec of a workload command."""
    backend, workers = backend_of(args)
    if args.count < workers:
        args.command_parser.error("%s %d is less than the %d workers"
                                  % (getattr(args, "count_option", "--count"), args.count,
                                     workers))

    from .log import RunSpec
    params_of = getattr(args, "params_of", None)
    return RunSpec(kernel=args.kernel, backend=backend, workers=workers, work=args.count,
                   probe=not args.no_probe, python=python or sys.executable,
                   sample_hz=args.sample_hz, switch_interval_s=switch_interval_s, cores=cores,
                   params=params_of(args) if params_of else None)


def report_failure(err, job, *arguments):
    """Run a job; a failed measurement ends with one line and status 1."""
    from .jobs import MeasurementFailed
    try:
        job(*arguments)
    except MeasurementFailed as failure:
        err.write("gilviz: error: %s\n" % failure)
        return 1
    return 0


def run_workload(args, out, err):
    """Measure one workload (countdown and its kin) and report it."""
    from .jobs import measure_and_report
    spec = workload_spec(args, args.python, args.cores, args.switch_interval)
    return report_failure(err, measure_and_report, spec, not args.no_baseline, args.repeat,
                          args.out, out, err)


def sweep_spec_and_plan(args):
    """The base RunSpec and the SweepPlan of `gilviz speedup`, or a usage error."""
    from .agent.kernels import PROBED_KERNELS
    from .log import RunSpec, SweepPlan
    error = args.command_parser.error
    backends = [name for name in args.backends if name != "serial"]
    if not backends:
        error("--backends: give at least one besides serial (which always runs)")
    if args.probe and args.kernel not in PROBED_KERNELS:
        error("the %s kernel has no probed form: leave out --probe" % args.kernel)
    io_options = args.io_wait is not None or args.io_via is not None
    if io_options and args.kernel != "io":
        error("--io-wait and --io-via go with the io kernel")
    work = args.work or SWEEP_WORK.get(args.kernel)
    if work is None:
        error("no default work for the %s kernel: give --work N" % args.kernel)
    if work < max(args.workers):
        error("work %d is less than the %d workers" % (work, max(args.workers)))
    plan = SweepPlan(backends=backends, worker_counts=args.workers, repeat=args.repeat,
                     warmup=args.warmup)
    if plan.planned_runs() > MAX_SWEEP_RUNS:
        error("that is %d runs, at most %d: fewer worker counts, backends or rounds"
              % (plan.planned_runs(), MAX_SWEEP_RUNS))
    spec = RunSpec(kernel=args.kernel, backend="serial", workers=1, work=work,
                   probe=args.probe, python=args.python, sample_hz=args.sample_hz,
                   params=io_params(args) if args.kernel == "io" else None)
    return spec, plan


def run_speedup(args, out, err):
    """Sweep backends and worker counts for one kernel and draw the curves."""
    spec, plan = sweep_spec_and_plan(args)
    from .jobs import sweep_and_report
    return report_failure(err, sweep_and_report, spec, plan, args.out, out, err, args.quiet)


# compare: each RunSpec field that can vary, with its option.
VARIED_OPTIONS = {"cores": "--cores", "switch_interval_s": "--switch-interval",
                  "python": "--python"}


def varied_dimension(given, parser):
    """From {field: values given}, (the field given twice, its two values,
    {other field: its one value or None})."""
    for field, values in given.items():
        if len(values) > 2:
            parser.error("%s given %d times: compare takes two values"
                         % (VARIED_OPTIONS[field], len(values)))
    varied = [field for field, values in given.items() if len(values) == 2]
    if not varied:
        parser.error("give one of --cores, --switch-interval or --python twice: "
                     "the two sides to compare")
    if len(varied) > 1:
        parser.error("%s are each given twice: vary one thing at a time"
                     % " and ".join(VARIED_OPTIONS[field] for field in varied))
    field = varied[0]
    a, b = given[field]
    if a == b:
        parser.error("both %s values are the same (%s): nothing to compare"
                     % (VARIED_OPTIONS[field], ",".join(map(str, a)) if field == "cores" else a))
    fixed = {other: values[0] if values else None
             for other, values in given.items() if other != field}
    return field, a, b, fixed


def run_compare(args, out, err):
    """Measure a workload twice over, varying one dimension, and compare."""
    from .jobs import compare_and_report
    given = {"cores": args.cores or [], "switch_interval_s": args.switch_interval or [],
             "python": args.python or []}
    field, a, b, fixed = varied_dimension(given, args.command_parser)
    spec = workload_spec(args, fixed.get("python"), fixed.get("cores"),
                         fixed.get("switch_interval_s"))
    return report_failure(err, compare_and_report, spec._replace(**{field: a}),
                          spec._replace(**{field: b}), field, args.repeat, args.out, out, err)


def run_convoy(args, out, err):
    """Measure the convoy effect: the I/O thread alone, then beside CPU threads."""
    from .jobs import convoy_and_report
    from .log import RunSpec
    workers = 1 + args.cpu_threads
    # An even split gives every worker --count; the I/O thread's share goes unused.
    spec = RunSpec(kernel="convoy", backend="threads", workers=workers,
                   work=args.count * workers, probe=not args.no_probe,
                   python=args.python or sys.executable, sample_hz=args.sample_hz,
                   switch_interval_s=args.switch_interval, cores=args.cores,
                   params={"requests": args.requests, "size": args.size,
                           "pause_s": args.pause, "time_limit_s": CONVOY_TIME_LIMIT_S})
    return report_failure(err, convoy_and_report, spec, args.out, out, err)


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
