"""The command line's grammar: every command, its options and its help.
The commands that measure a kernel are in cli.measuring; here are those
that run a user's program, attach to a process or draw a saved run, and the
top-level parser."""

from __future__ import annotations

import argparse

from .. import __version__
from .flags import (Parser, add_chart_options, add_command, add_repeat_options,
                    add_sampling_options, dots_per_inch, examples, image_size, interpreter,
                    process_id, time_window, timeout, worker_count, worker_set)
from .measuring import (add_compare, add_convoy, add_countdown, add_io, add_pi, add_sharing,
                        add_speedup)

TOP_EPILOG = examples(
    ("gilviz countdown --threads 4", "4 threads and the GIL"),
    ("gilviz pi --threads 2", "numpy releases the GIL"),
    ("gilviz speedup countdown", "speedup curves"),
    ("gilviz compare countdown --threads 4 --processes 4", "threads beside processes"),
    ("gilviz run script.py ARGS", "your program's threads"),
    ("gilviz render RUN --theme talk", "a saved run, for slides"),
    notes="`gilviz COMMAND --help` tells more.")


RUN_EPILOG = examples(
    ("gilviz run examples/hash_and_serve.py", "a script"),
    ("gilviz run --timeout 60s -m timeit -n 200 'sum(range(10**5))'",
     "a module, as python -m runs it"),
    ("gilviz run --threads 4 mymodule:work", "4 threads vs 4 calls in a row"),
    ("gilviz run --processes 4 mymodule:work", "the same in 4 processes"),
    notes="gilviz's options go before the program: everything after it is the program's, "
          "untouched. Its stdin, stdout, stderr and exit status are gilviz's. Every thread "
          "it starts is sampled from outside and shown by its threading name. To sample a "
          "server for a while, start it and use gilviz attach.")


def add_run(commands: argparse._SubParsersAction[Parser]) -> None:
    command = add_command(
        commands, "run", "your own code: a script, a module or a function, its threads sampled",
        "Run a script, a module (-m) or module:function (--threads / --processes) and draw "
        "what each of its threads did.", RUN_EPILOG,
        usage="[options] [-m] PROGRAM [ARGS ...]")
    command.add_argument("-m", dest="module", action="store_true",
                         help="PROGRAM is a module, run as python -m runs it")
    backend = command.add_mutually_exclusive_group()
    backend.add_argument("--threads", type=worker_count, metavar="N",
                         help="module:function: call it in N threads at one instant")
    backend.add_argument("--processes", type=worker_count, metavar="N",
                         help="module:function: call it in N processes")
    command.add_argument("--children", action="store_true",
                         help="sample the program's child processes too")
    command.add_argument("--python", type=interpreter, metavar="PATH",
                         help="interpreter to run it (default: the one running gilviz)")
    add_repeat_options(command)
    add_sampling_options(command)
    command.add_argument("program", nargs=argparse.REMAINDER, metavar="PROGRAM [ARGS]",
                         help="script.py, a module after -m, or module:function; what "
                              "follows is the program's")
    command.set_defaults(handler="run", command_parser=command)


ATTACH_EPILOG = examples(
    ("gilviz attach 1234 --duration 10s", "process 1234's threads, 10 s"),
    ("gilviz attach 1234 --duration 30s --children", "its child processes too"),
    notes="From outside only: nothing is loaded into the process. What its sleeping threads "
          "wait on needs ptrace access to it; without it, they show as \"off CPU\".")


def add_attach(commands: argparse._SubParsersAction[Parser]) -> None:
    command = add_command(
        commands, "attach", "sample a running Python process's threads from outside",
        "Sample the threads of a running Python process for a while and draw what each did.",
        ATTACH_EPILOG, usage="PID [options]")
    command.add_argument("pid", type=process_id, metavar="PID", help="the process")
    command.add_argument("--duration", type=timeout, default=10.0, metavar="TIME",
                         help="how long to sample, e.g. 10s or 2min (default: 10s)")
    command.add_argument("--children", action="store_true",
                         help="sample its child processes too")
    add_sampling_options(command)
    for action in command._actions:  # refused by attach: see commands.run_attach
        if action.dest in ("timeout", "wait_quiet"):
            action.help = argparse.SUPPRESS
    command.set_defaults(handler="attach", command_parser=command)


RENDER_EPILOG = examples(
    ("gilviz render RUN", "the run's chart, again"),
    ("gilviz render RUN --theme dark --format svg", "a dark slide, as vectors"),
    ("gilviz render RUN --theme talk", "large type at 1280x720"),
    ("gilviz render RUN --window 100:150ms --workers 0-1", "a window, 2 workers"),
    ("gilviz render RUN --size 3840x2160 --out big.png", ""),
    ("gilviz render RUN --animate battle.gif", "the battle in ~10 s"),
    notes="RUN is a run directory of any command (output/<time>-<name>), or its run.json. "
          "Without --out the chart goes into the run directory, named by its options "
          "(timeline-dark.svg).")


def add_render(commands: argparse._SubParsersAction[Parser]) -> None:
    command = add_command(
        commands, "render", "draw a saved run again: SVG, PDF, dark or talk theme, a window",
        "Draw a saved run again, measuring nothing: in another format, theme or size, "
        "zoomed, with some of the workers, or animated.", RENDER_EPILOG,
        usage="RUN [options]")
    command.add_argument("path", metavar="RUN", help="a run directory or its run.json")
    add_chart_options(command, default_format=None)
    command.add_argument("--size", type=image_size, metavar="WxH",
                         help="pixels (default: 1920x1080, talk 1280x720)")
    command.add_argument("--dpi", type=dots_per_inch, metavar="N",
                         help="dots per inch (default: what keeps it 16 inches wide)")
    command.add_argument("--window", type=time_window, metavar="BEGIN:END",
                         help="the zoom's window, e.g. 100:150ms (default: the run's)")
    command.add_argument("--workers", type=worker_set, metavar="LIST",
                         help="the workers drawn, e.g. 0-3 or 0,2 (default: all)")
    command.add_argument("--out", metavar="FILE",
                         help="the file to write: .png, .svg or .pdf (--format must agree)")
    command.add_argument("--animate", metavar="FILE",
                         help="an animation instead: a .gif (.mp4 with ffmpeg); a bare name "
                              "goes into RUN")
    command.set_defaults(handler="render", command_parser=command)


SUBCOMMANDS = (add_countdown, add_io, add_pi, add_sharing, add_speedup, add_compare, add_convoy,
               add_run, add_attach, add_render)


def build_parser() -> Parser:
    parser = Parser(prog="gilviz", description="See CPython's Global Interpreter Lock at work.",
                    epilog=TOP_EPILOG)
    parser.add_argument("--version", action="version", version="gilviz " + __version__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    for add in SUBCOMMANDS:
        add(commands)
    return parser
