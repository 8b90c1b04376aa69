"""The command line's values and the option groups its commands share.

Every value is parsed by api.options, the parsers the Python API uses too;
flag() lets argparse print their one-line refusals and exit 2.
"""

from __future__ import annotations

import argparse
import difflib
import re
import textwrap
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NoReturn, TypeVar, overload

from ..agent.protocol import ECHO, IO_MODES
from ..api import chart_options, options
from ..api.options import IO_WAIT_S, OptionError

Value = TypeVar("Value")
Parsed = TypeVar("Parsed")


def flag(parse: Callable[[str], Value]) -> Callable[[str], Value]:
    """An argparse type= callable of an api.options parser."""
    def parse_flag(text: str) -> Value:
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
sharing_mechanism = flag(options.sharing_mechanism)


NEGATIVE_VALUE = re.compile(r"-\.?\d")
"""What argparse is to take as a value, not an option: "-5ms", "-1e6",
"-.5" (its own rule takes only "-5" and "-0.5", so that `--switch-interval
-5ms` said "expected one argument"). Python 3.13's argparse uses this rule;
no option of gilviz's looks like it."""

WORK_OPTIONS = ("--count", "--samples", "--work", "--iterations", "--n")
"""Names a person may give the amount of work: an unknown one is pointed to
the one the command has (countdown's --count, pi's --samples)."""


def suggestion(word: str, known: Sequence[str]) -> str | None:
    """The name in `known` that `word` (an option or a command, mistyped or
    cut short) most likely meant, or None: the one known name that `word`
    begins, else the closest by difflib (compared without leading dashes, so
    that "--" does not make every option look alike)."""
    bare = word.lstrip("-")
    if not bare:
        return None
    if word in WORK_OPTIONS:
        alike = [name for name in WORK_OPTIONS if name in known]
        if alike:
            return alike[0]
    started = [name for name in known if name.lstrip("-").startswith(bare)]
    if len(started) == 1:
        return started[0]
    by_bare = {name.lstrip("-"): name for name in known}
    close = difflib.get_close_matches(bare, list(by_bare), n=1, cutoff=0.7)
    return by_bare[close[0]] if close else None


class Parser(argparse.ArgumentParser):
    """Bad input ends with one line on stderr and exit status 2, pointing to
    the --help of the command it was given to, with a guess at what was
    meant; no option is taken from a prefix of its name (--thread is not
    --threads); a negative value reaches its option's parser, which says
    what to give."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = NEGATIVE_VALUE

    def error(self, message: str) -> NoReturn:
        self.exit(2, "%s: error: %s (see %s --help)\n" % (self.prog, message, self.prog))

    # argparse's signatures: into a new Namespace, or into the namespace given
    @overload
    def parse_args(self, args: Iterable[str] | None = None,
                   namespace: None = None) -> argparse.Namespace: ...
    @overload
    def parse_args(self, args: Iterable[str] | None, namespace: Parsed) -> Parsed: ...
    @overload
    def parse_args(self, *, namespace: Parsed) -> Parsed: ...

    def parse_args(self, args: Iterable[str] | None = None, namespace: object = None) -> object:
        """As argparse's, but what no option took is refused by the command
        it was given to (argparse refuses it at the top: "see gilviz --help")."""
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            command = getattr(parsed, "command_parser", None) or self
            command.error(command.unrecognized(extras))
        return parsed

    def unrecognized(self, extras: Sequence[str]) -> str:
        """The refusal of `extras`, with the option meant by the first unknown one."""
        message = "unrecognized arguments: %s" % " ".join(extras)
        options = [word.split("=", 1)[0] for word in extras if word.startswith("--")]
        if options:
            meant = suggestion(options[0], self.visible_options())
            if meant is not None:
                message += "; did you mean %s?" % meant
        return message

    def visible_options(self) -> list[str]:
        """The long options --help lists (hidden aliases left out)."""
        return [name for action in self._actions if action.help != argparse.SUPPRESS
                for name in action.option_strings if name.startswith("--")]

    def _check_value(self, action: argparse.Action, value: object) -> None:
        """A value not among the choices (a command, a --theme): argparse's
        refusal, with the choice most likely meant in place of the list (in
        gilviz's words on every Python: 3.14's argparse has its own guess)."""
        try:
            super()._check_value(action, value)
        except argparse.ArgumentError:
            meant = suggestion(str(value), [str(choice) for choice in action.choices or ()])
            if meant is None:
                raise
            raise argparse.ArgumentError(
                action, "invalid choice: %r; did you mean %s?" % (value, meant)) from None


class HelpFormatter(argparse.HelpFormatter):
    """--help wrapped to the terminal (argparse takes its width from COLUMNS,
    else the terminal's size), each option's help beside it where it fits.

    The description and the epilog are laid out by their lines: prose is
    re-wrapped; a line ending in ":" is a heading; a line indented by two
    spaces is an example, "  COMMAND  WHAT IT SHOWS", kept as written where
    it fits, else its command on lines of its own (continued with " \\",
    as a shell takes it) and what it shows below it; a line indented by
    more tells what the example above it shows.
    """

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 30,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position, width)

    def add_argument(self, action: argparse.Action) -> None:
        """As argparse's, but a command's name counts with the indent it is
        listed at (argparse's count leaves it out, so that "countdown" got
        its summary on the line below)."""
        super().add_argument(action)
        if action.help is not argparse.SUPPRESS and hasattr(action, "_get_subactions"):
            names = [len(self._format_action_invocation(each))
                     for each in action._get_subactions()]
            self._action_max_length = max(self._action_max_length, max(names, default=0)
                                          + self._current_indent + 2 * self._indent_increment)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        blocks: list[str] = []
        prose: list[str] = []

        def end_prose() -> None:
            if prose:
                blocks.append(textwrap.fill(" ".join(prose), width, initial_indent=indent,
                                            subsequent_indent=indent))
                prose.clear()
        for line in text.strip("\n").splitlines():
            if not line.strip():
                end_prose()
                blocks.append("")
            elif line.startswith("    "):  # what the example above shows
                end_prose()
                blocks.append(line if len(indent + line) <= width else textwrap.fill(
                    line.strip(), width, initial_indent=indent + "      ",
                    subsequent_indent=indent + "      "))
            elif line.startswith("  "):
                end_prose()
                blocks.append(example_lines(line, width, indent))
            elif line.endswith(":") and not prose:
                blocks.append(indent + line)
            else:
                prose.append(line.strip())
        end_prose()
        return "\n".join(blocks)


def example_lines(line: str, width: int, indent: str = "") -> str:
    """An example line of a --help ("  gilviz pi --threads 2   what it shows")
    laid out in `width` columns."""
    if len(indent + line) <= width:
        return indent + line
    command, shows = split_example(line)
    lines = wrapped_command(command, width - len(indent) - 2)
    text = " \\\n".join(indent + each for each in lines)
    if shows:
        text += "\n" + textwrap.fill(shows, width, initial_indent=indent + "      ",
                                     subsequent_indent=indent + "      ")
    return text


def wrapped_command(command: str, width: int) -> list[str]:
    """`command`'s lines in `width` columns, "  " before the first and six
    spaces before the others, broken before an option, never between an
    option and its value where that can be helped."""
    units: list[str] = []
    for word in command.split():
        if units and not word.startswith("-"):
            units[-1] += " " + word
        else:
            units.append(word)
    lines = ["  " + units[0]]
    for unit in units[1:]:
        if len(lines[-1]) + 1 + len(unit) <= width:
            lines[-1] += " " + unit
        else:
            lines.append("      " + unit)
    return lines


def split_example(line: str) -> tuple[str, str]:
    """("gilviz pi --threads 2", "what it shows") of an example line."""
    parts = re.split(r"\s{2,}", line.strip(), maxsplit=1)
    return parts[0], parts[1] if len(parts) > 1 else ""


def add_io_options(parser: argparse.ArgumentParser, default: bool | None = None) -> None:
    """--io-wait and --io-via; `default` None leaves them unset (the sweep
    checks they go with the io kernel)."""
    parser.add_argument("--io-wait", type=io_wait, metavar="SECONDS",
                        default=default and IO_WAIT_S,
                        help="io: how long each reply takes (default: %g)" % IO_WAIT_S)
    parser.add_argument("--io-via", choices=IO_MODES, default=default and ECHO,
                        help="io: a round trip to a local echo server (the default) or "
                             "time.sleep")


def add_target_options(parser: argparse.ArgumentParser, compared: bool = False,
                       check_interval: bool = True, gil: bool = True,
                       old_pythons: bool | None = None) -> None:
    """--python, --cores and --switch-interval (each may be given more than
    once when `compared`: argparse then collects a list), --check-interval
    (where `check_interval`: the kernel runs on Python 2) and --gil (where
    `gil`). `old_pythons`: whether the command runs the countdown, which
    takes 2.7 and 3.6+ (by default, where it takes --check-interval)."""
    twice = "; twice: sides A, B" if compared else ""
    action = "append" if compared else "store"
    old_pythons = check_interval if old_pythons is None else old_pythons
    versions = "2.7 or 3.6+" if old_pythons else "3.8+"
    parser.add_argument("--python", type=interpreter, action=action, metavar="PATH",
                        help="CPython %s to measure; 2 to 4 times: the sides" % versions
                        if compared else
                        "CPython %s to measure (default: the one running gilviz)" % versions)
    parser.add_argument("--cores", type=core_set, action=action, metavar="CORES",
                        help="pin to cores: N (the first N), 0,1, 2-3 or all%s" % twice)
    parser.add_argument("--switch-interval", type=switch_interval, action=action,
                        metavar="TIME",
                        help="sys.setswitchinterval(), 1us to 1s (default: 5ms)%s" % twice)
    if check_interval:
        parser.add_argument("--check-interval", type=check_interval_ticks, metavar="TICKS",
                            help="Python 2's sys.setcheckinterval() (default: 100)")
    if gil:
        parser.add_argument("--gil", type=gil_switch, metavar="0|1",
                            help="free-threaded builds only: no GIL (0, their default) or a "
                                 "GIL (1)")


def add_sampling_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sample-hz", type=sample_rate, default=1000.0, metavar="HZ",
                        help="thread-state sampling rate, 0 for off (default: 1000)")
    add_output_options(parser)


def add_chart_options(parser: argparse.ArgumentParser,
                      default_format: str | None = "png") -> None:
    """--format and --theme: every command that draws has them."""
    parser.add_argument("--format", choices=chart_options.IMAGE_FORMATS, default=default_format,
                        help="the chart's file format (default: %s)" % (default_format or
                                                                        "--out's, else png"))
    parser.add_argument("--theme", choices=chart_options.THEME_NAMES, default="light",
                        help="light (the default), dark, or talk: large type at 1280x720")


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """--out and --timeout: every command that runs targets has them; and
    the chart's --format and --theme."""
    add_chart_options(parser)
    parser.add_argument("--out", default="output", metavar="DIR",
                        help="where run directories go (default: output)")
    parser.add_argument("--timeout", type=timeout, metavar="TIME",
                        help="end a run taking longer, e.g. 90s (default: 10x the longest, "
                             "2 min+)")
    parser.add_argument("--wait-quiet", type=wait_quiet, metavar="TIME",
                        help="before each run, wait up to TIME for a quiet machine")


def add_backend_options(parser: argparse.ArgumentParser, pools: bool = False,
                        compared: bool = False) -> None:
    """--threads N, --processes N, --serial (and the pools): one of them, or
    where `compared`, two or more, the sides of the comparison."""
    backend = parser if compared else parser.add_mutually_exclusive_group()
    backend.add_argument("--threads", type=worker_count, metavar="N",
                         help="N threads in one process (the default: 4)")
    backend.add_argument("--processes", type=worker_count, metavar="N",
                         help="N processes, each with its own GIL")
    backend.add_argument("--serial", action="store_true",
                         help="one worker does all the work")
    if pools:
        backend.add_argument("--pool", type=worker_count, metavar="N",
                             help="multiprocessing.Pool(N).map, as the seed does")
        backend.add_argument("--dummy-pool", type=worker_count, metavar="N",
                             help="multiprocessing.dummy.Pool(N).map: the Pool API on threads")


def add_repeat_options(parser: argparse.ArgumentParser, compared: bool = False) -> None:
    if compared:
        parser.add_argument("--repeat", type=repeat_count, default=3, metavar="N",
                            help="rounds, each side once a round (default: 3)")
        return
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the serial runs of the same work")
    parser.add_argument("--timings", action="store_true",
                        help="print where the time went besides the runs")
    parser.add_argument("--repeat", type=repeat_count, default=3, metavar="N",
                        help="runs, each after a serial run (default: 3)")


def add_workload_options(parser: argparse.ArgumentParser, count_default: int, count_help: str,
                         probe: bool = True, compared: bool = False) -> None:
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
                            help="the seed's plain loop: bands from the sampler alone")
    else:
        parser.set_defaults(no_probe=True)
    add_repeat_options(parser, compared)


def add_command(commands: argparse._SubParsersAction[Parser], name: str, summary: str,
                description: str, epilog: str, usage: str | None = None) -> Parser:
    """A subcommand; `usage` names its positionals, "[options]" the rest
    (argparse's own lists every option: five lines)."""
    return commands.add_parser(name, help=summary, description=description, epilog=epilog,
                               usage="%%(prog)s %s" % (usage or "[options]"))


EXAMPLE_WIDTH = 78
"""The columns in which examples' explanations are aligned: an 80-column
terminal's (argparse keeps 2 free)."""


def examples(*pairs: tuple[str, str], notes: str = "") -> str:
    """An epilog: "examples:", one line a (command, what it shows) pair, the
    explanations aligned in a column as far right as lets them fit
    EXAMPLE_WIDTH; the explanation of a command too long for the column on
    the line below, in the column. Then `notes`, prose."""
    def fits(length: int) -> bool:
        return all(len(command) > length or 2 + length + 2 + len(shows) <= EXAMPLE_WIDTH
                   for command, shows in pairs)
    column = 2 + 2 + max([length for length in {len(command) for command, _ in pairs}
                          if fits(length)] or [0])
    lines = ["examples:"]
    for command, shows in pairs:
        if not shows:
            lines.append("  " + command)
        elif 2 + len(command) + 2 <= column:
            lines.append("  %-*s%s" % (column - 2, command, shows))
        else:
            lines += ["  " + command, " " * column + shows]
    return "\n".join(lines) + ("\n\n" + notes if notes else "") + "\n"
