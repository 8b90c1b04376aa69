"""The grammar of the commands that measure a kernel: countdown, io, pi,
share, speedup, compare and convoy."""

from __future__ import annotations

import argparse

from ..agent.protocol import PI_VARIANTS
from ..api.options import IO_TASKS
from ..api.workloads import CONVOY_TIME_LIMIT_S, DEFAULT_WORK
from .flags import (Parser, add_backend_options, add_command, add_io_options, add_output_options,
                    add_repeat_options, add_sampling_options, add_target_options,
                    add_workload_options, backend_names, chunk_size, client_pause, examples,
                    random_seed,
                    repeat_count, request_count, request_size, sample_count, sample_rate,
                    sharing_mechanism, warmup_count, work_size, worker_count, worker_counts)


EPILOG = examples(
    ("gilviz countdown --threads 4", "the GIL battle of 4 threads"),
    ("gilviz countdown --processes 4", "4 processes, side by side"),
    ("gilviz countdown --serial --count 1e8", "one worker, 10x the work"),
    ("gilviz countdown --threads 2 --no-probe", "the seed's loop, sampled"),
    ("gilviz countdown --threads 4 --cores 1", "pinned to one core"),
    ("gilviz countdown --threads 2 --python python2.7", "the old GIL"),
    notes="Writes output/<time>-countdown-<backend>/: run.json (the event log), "
          "timeline.png and trace.json (for ui.perfetto.dev).")


COUNTDOWN_SUMMARY = "David Beazley's countdown: the GIL battle of CPU-bound threads"
COUNTDOWN_COUNT = (10_000_000, "iterations in all, split between the workers (default: 1e7)")


def add_countdown(commands: argparse._SubParsersAction[Parser]) -> None:
    command = add_command(
        commands, "countdown", COUNTDOWN_SUMMARY,
        "Run `while n > 0: n -= 1` split between workers, record when each held the GIL, "
        "and draw the timeline.", EPILOG)
    add_workload_options(command, *COUNTDOWN_COUNT)
    command.set_defaults(handler="workload", command_parser=command, kernel="countdown")


IO_EPILOG = examples(
    ("gilviz io --threads 8", "8 threads, mostly blocked on I/O"),
    ("gilviz io --processes 8", "the same tasks in 8 processes"),
    ("gilviz io --threads 8 --io-via sleep", "time.sleep instead of the echo server"),
    ("gilviz io --threads 4 --count 400 --io-wait 0.002", ""),
    notes="Each task is one round trip to an echo server on 127.0.0.1 that holds each "
          "reply for --io-wait seconds. The bands come from sampled thread states.")


def add_io(commands: argparse._SubParsersAction[Parser]) -> None:
    command = add_command(
        commands, "io", "tasks that wait on I/O: threads scale where countdown's do not",
        "Run I/O-bound tasks split between workers and draw the timeline: threads blocked "
        "on I/O, not waiting for the GIL.", IO_EPILOG)
    add_workload_options(command, IO_TASKS, "tasks in all, split between the workers "
                                            "(default: %d)" % IO_TASKS, probe=False)
    add_io_options(command, default=True)
    command.set_defaults(handler="workload", command_parser=command, kernel="io")


SPEEDUP_EPILOG = examples(
    ("gilviz speedup countdown", "threads flat, processes scale"),
    ("gilviz speedup countdown --backends serial,threads,processes --repeat 5", ""),
    ("gilviz speedup io --workers 1,2,4,8,16", "threads scale past the cores"),
    ("gilviz speedup pi --kernel seed --workers 1-4", "the seed's pi: one lock"),
    ("gilviz speedup countdown --cores 1", "all on one core"),
    notes="Rounds interleave the configurations (A B C A B C ...); a speedup pairs a run "
          "with its round's serial run. run.json is saved after every run, so Ctrl-C keeps "
          "those finished.")


def add_speedup(commands: argparse._SubParsersAction[Parser]) -> None:
    command = add_command(
        commands, "speedup", "speedup curves: every backend at every worker count",
        "Measure every backend at every worker count against a serial run, in rounds, "
        "and draw speedup curves with Amdahl fits.", SPEEDUP_EPILOG, usage="KERNEL [options]")
    command.add_argument("kernel", choices=sorted(DEFAULT_WORK), metavar="KERNEL",
                         help=", ".join(sorted(DEFAULT_WORK)))
    command.add_argument("--workers", type=worker_counts, default=worker_counts("1-8"),
                         metavar="RANGE", help="worker counts: 1-8 (the default), 1,2,4 or 1-4,8")
    command.add_argument("--backends", type=backend_names, default=["threads", "processes"],
                         metavar="LIST", help="threads,processes (the default), serial too")
    command.add_argument("--repeat", type=repeat_count, default=3, metavar="N",
                         help="rounds: each configuration runs N times (default: 3)")
    command.add_argument("--warmup", type=warmup_count, default=1, metavar="N",
                         help="runs before the first round, not counted (default: 1)")
    command.add_argument("--count", type=work_size, metavar="N",
                         help="work in all (default: %s)" % ", ".join(
                             "%s %s" % (name, format(size, ".0e" if size > 1000 else "d")
                                        .replace("e+0", "e"))
                             for name, size in sorted(DEFAULT_WORK.items())))
    command.add_argument("--work", dest="count", type=work_size, default=argparse.SUPPRESS,
                         help=argparse.SUPPRESS)  # --count's old name, still taken
    command.add_argument("--probe", action="store_true",
                         help="the probed kernel (default: the plain one: wall times count)")
    command.add_argument("--sample-hz", type=sample_rate, default=0.0, metavar="HZ",
                         help="thread-state sampling rate (default: 0, off: it costs CPU)")
    command.add_argument("--kernel", dest="variant", choices=PI_VARIANTS,
                         help="pi only: fast (the default) or seed, the seed's kernel")
    add_target_options(command, check_interval=False, gil=False, old_pythons=True)
    command.add_argument("--quiet", action="store_true", help="no progress lines")
    add_output_options(command)
    add_io_options(command)
    command.set_defaults(handler="speedup", command_parser=command)


COMPARE_EPILOG = examples(
    ("gilviz compare countdown --threads 4 --cores 1 --cores all",
     "one core beside all"),
    ("gilviz compare countdown --threads 2 --switch-interval 0.5ms --switch-interval 20ms", ""),
    ("gilviz compare countdown --threads 2 --python python2.7 --python python3.13 "
     "--python python3.13t", "old GIL, new GIL, no GIL"),
    ("gilviz compare countdown --threads 4 --processes 4", "threads beside processes"),
    ("gilviz compare pi --threads 2 --processes 2", ""),
    notes="Vary one thing: --cores or --switch-interval twice, --python 2 to 4 times, or 2 "
          "to 4 backends; an option given once applies to every side. Writes run.json and "
          "compare.png (each side's median run).")


def add_compare(commands: argparse._SubParsersAction[Parser]) -> None:
    command = add_command(
        commands, "compare", "variants of a workload one above the other, on one time axis",
        "Run a workload as two to four sides, varying one thing, and draw their timelines "
        "on one time axis with a verdict.", COMPARE_EPILOG, usage="WORKLOAD [options]")
    workloads = command.add_subparsers(dest="workload", metavar="WORKLOAD", prog=command.prog)
    workloads.required = True
    countdown = add_command(
        workloads, "countdown", COUNTDOWN_SUMMARY,
        "Run the countdown as each side in turn, and draw the timelines on one time axis "
        "with a verdict.", COMPARE_EPILOG)
    add_workload_options(countdown, *COUNTDOWN_COUNT, compared=True)
    countdown.set_defaults(handler="compare", command_parser=countdown, kernel="countdown")
    pi = add_command(
        workloads, "pi", "Monte-Carlo pi with numpy: threads that do run at once, and one lock",
        "Estimate pi as each side in turn, and draw the timelines on one time axis with a "
        "verdict.", COMPARE_EPILOG)
    add_backend_options(pi, pools=True, compared=True)
    add_pi_work_options(pi)
    add_target_options(pi, compared=True, check_interval=False)
    add_sampling_options(pi)
    add_repeat_options(pi, compared=True)
    pi.set_defaults(handler="compare", command_parser=pi, kernel="pi", no_probe=True)


CONVOY_EPILOG = examples(
    ("gilviz convoy", "1 CPU thread, 5 ms turns"),
    ("gilviz convoy --cpu-threads 2 --requests 500", ""),
    ("gilviz convoy --switch-interval 1ms", "shorter turns, shorter waits"),
    ("gilviz convoy --cores 1", "everything on one core"),
    notes="Worker 0 is the I/O thread, an echo server on 127.0.0.1; a client process sends "
          "it one request at a time and times each round trip. Writes run.json and "
          "convoy.png.")


def add_convoy(commands: argparse._SubParsersAction[Parser]) -> None:
    command = add_command(
        commands, "convoy", "Beazley's convoy effect: an I/O thread beside CPU-bound threads",
        "Time small requests answered by an I/O thread, alone and then beside CPU-bound "
        "threads: each blocking call gives up the GIL, and getting it back means waiting "
        "for the switch interval (bpo-7946).", CONVOY_EPILOG)
    command.add_argument("--cpu-threads", type=worker_count, default=1, metavar="K",
                         help="CPU-bound threads beside the I/O thread (default: 1)")
    command.add_argument("--requests", type=request_count, default=200, metavar="N",
                         help="requests, one at a time (default: 200; %d s at most)"
                              % CONVOY_TIME_LIMIT_S)
    command.add_argument("--size", type=request_size, default=32, metavar="BYTES",
                         help="bytes a request and its answer (default: 32)")
    command.add_argument("--pause", type=client_pause, default=1e-3, metavar="TIME",
                         help="the client's pause after each answer, 0 to 1s (default: 1ms)")
    command.add_argument("--count", type=work_size, default=10**9, metavar="N",
                         help="the most a CPU thread counts down (default: 1e9, never reached)")
    add_target_options(command, check_interval=False)
    add_sampling_options(command)
    command.add_argument("--no-probe", action="store_true",
                         help="no probe: the bands come from the sampler")
    command.set_defaults(handler="convoy", command_parser=command, kernel="convoy")


PI_EPILOG = examples(
    ("gilviz pi --threads 2", "numpy releases the GIL: 2 at once"),
    ("gilviz pi --threads 2 --kernel seed", "threads queue for one lock"),
    ("gilviz pi --processes 4 --samples 1e9", "1e9 samples in constant memory"),
    ("gilviz pi --pool 4", "Pool.map, as in the seed"),
    ("gilviz pi --processes 4 --share manager", "counts shared through a Manager"),
    notes="Prints pi and its standard error. Light blue: a thread inside numpy without "
          "the GIL; vermillion: blocked on a lock.")


def add_pi_work_options(command: argparse.ArgumentParser) -> None:
    """--samples and --kernel: pi's work, in gilviz pi and gilviz compare pi."""
    command.add_argument("--samples", dest="count", type=sample_count, default=10**8,
                         metavar="N", help="darts in all, split between the workers "
                                           "(default: 1e8)")
    command.add_argument("--kernel", dest="variant", choices=PI_VARIANTS, default="fast",
                         help="fast: numpy Generators, in chunks (the default); seed: the "
                              "seed's")


def add_pi(commands: argparse._SubParsersAction[Parser]) -> None:
    command = add_command(
        commands, "pi", "Monte-Carlo pi with numpy: threads that do run at once, and one lock",
        "Estimate pi by throwing darts, split between workers, and draw what each worker's "
        "thread did.", PI_EPILOG)
    add_backend_options(command, pools=True)
    add_pi_work_options(command)
    command.add_argument("--seed", type=random_seed, metavar="S",
                         help="the fast kernel's seed (default: a fresh one, printed)")
    command.add_argument("--chunk", type=chunk_size, metavar="N",
                         help="samples a chunk (default: 262144); --share reports each")
    command.add_argument("--share", type=sharing_mechanism, metavar="HOW",
                         help="report counts by return, queue, pipe, manager, value or array")
    add_target_options(command, check_interval=False)
    add_sampling_options(command)
    add_repeat_options(command)
    command.set_defaults(handler="workload", command_parser=command, kernel="pi",
                         no_probe=True)


SHARING_EPILOG = examples(
    ("gilviz share --processes 4", "each way, threads and processes"),
    ("gilviz share --processes 4 --chunk 1000", "a report every 1,000 samples"),
    ("gilviz share --threads 2 --backends threads", "threads only"),
    notes="Each worker of a pi run reports its running count after every chunk: return, "
          "queue, pipe (processes), manager, value and array (shared ctypes under a Lock). "
          "share.png gives what one report costs and each run's wall time.")


def add_sharing(commands: argparse._SubParsersAction[Parser]) -> None:
    command = add_command(
        commands, "share", "Queue, Pipe, Manager, shared Value and Array: what sharing costs",
        "Run the same pi work with every way of sharing counts between workers, threads and "
        "processes side by side, and chart what one report costs.", SHARING_EPILOG)
    command.add_argument("--threads", type=worker_count, metavar="N",
                         help="N workers (default 4); threads and processes both run")
    command.add_argument("--processes", type=worker_count, metavar="N",
                         help="the same as --threads N")
    command.add_argument("--backends", type=backend_names, default="threads,processes",
                         metavar="LIST", help="threads, processes or both (default: both)")
    command.add_argument("--samples", type=sample_count, default=2 * 10**7, metavar="N",
                         help="darts in all, split between the workers (default: 2e7)")
    command.add_argument("--chunk", type=chunk_size, default=10_000, metavar="N",
                         help="samples between two reports (default: 10000)")
    command.add_argument("--seed", type=random_seed, metavar="S",
                         help="seed of every run's streams (default: a fresh one)")
    command.add_argument("--repeat", type=repeat_count, default=3, metavar="N",
                         help="rounds: each runs every mechanism once (default: 3)")
    add_target_options(command, check_interval=False, gil=False)
    command.add_argument("--sample-hz", type=sample_rate, default=0.0, metavar="HZ",
                         help="thread-state sampling rate (default: 0, off: not needed)")
    add_output_options(command)
    command.set_defaults(handler="share", command_parser=command)
