"""Every gilviz command that README.md shows, and every example of every
--help, is one the command line takes as written: parsed by gilviz's own
parser (parsing proves the command valid; nothing is measured), and a
`gilviz run` whose program gets none of gilviz's options by mistake.

README.md is read when the tests are collected, so that a command added or
changed there is checked as it stands. A command that cannot be checked
here is listed in CANNOT_RUN_HERE with the reason; one that README.md is
yet to change, in TO_CHANGE (expected to fail until it does).

The form of a command is what counts, not this machine: an interpreter
(--python python2.7) is taken by its name whether it is installed here or
not, and --cores as on a machine of 64 cores."""

import argparse
import os
import re
import shlex

import pytest

from gilviz.cli.commands import misplaced_options
from gilviz.cli.flags import split_example
from gilviz.cli.parser import build_parser

README = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md")

CANNOT_RUN_HERE = {}
"""Commands as README.md shows them (whitespace made single) that are not
commands as written (a placeholder such as PID for a process's id), with
why. None is, today."""

TO_CHANGE = {}
"""Commands README.md shows that the command line does not take as meant,
with what is to change; a line changed in README.md leaves its entry here
matching nothing, to be removed."""

PYTHON = re.compile(r"^(?:.*/)?python(?:\d+(?:\.\d+)?t?)?$")
"""python, python3, python3.13t, .venv/bin/python: an interpreter that runs
`-m gilviz`."""


def gilviz_argv(words):
    """The arguments of gilviz in a command's `words` (after VAR=value
    assignments, `gilviz` or `PYTHON -m gilviz`); None if it is not one."""
    while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):
        words = words[1:]
    if words[:1] == ["gilviz"]:
        return words[1:]
    if len(words) >= 3 and PYTHON.match(words[0]) and words[1:3] == ["-m", "gilviz"]:
        return words[3:]
    return None


def shell_commands(line):
    """The simple commands of a shell line: split at &&, || and ;, the
    prompt and comments dropped (as a shell drops them)."""
    line = re.sub(r"^\s*\$\s+", "", line)
    try:
        words = shlex.split(line, comments=True)
    except ValueError:  # an unclosed quote: no shell line
        return []
    commands, current = [], []
    for word in words:
        if word in ("&&", "||", ";", "|"):
            commands.append(current)
            current = []
        else:
            current.append(word)
    return commands + [current]


def fenced_blocks(text):
    return re.findall(r"^```[^\n]*\n(.*?)^```", text, re.DOTALL | re.MULTILINE)


def readme_commands(text):
    """(how README.md shows it, the arguments of gilviz) of every command in
    its code blocks (lines continued with a backslash joined) and of every
    inline code span that is a whole command (`gilviz pi --threads 2`)."""
    found = []
    for block in fenced_blocks(text):
        for line in block.replace("\\\n", " ").splitlines():
            for words in shell_commands(line):
                argv = gilviz_argv(words)
                if argv is not None:
                    found.append((" ".join(["gilviz"] + argv), argv))
    prose = re.sub(r"^```[^\n]*\n.*?^```", "", text, flags=re.DOTALL | re.MULTILINE)
    for span in re.findall(r"`([^`]+)`", prose):
        span = " ".join(span.split())
        words = shell_commands(span)
        argv = gilviz_argv(words[0]) if len(words) == 1 else None
        if argv is None or (len(argv) == 1 and argv[0] in COMMAND_NAMES):
            continue  # not a command, or a command named in prose (`gilviz speedup`)
        found.append((" ".join(["gilviz"] + argv), argv))
    unique = {}
    for shown, argv in found:
        unique.setdefault(shown, argv)
    return sorted(unique.items())


def help_examples():
    """(the example, its arguments) of every example line of every --help."""
    found = {}

    def visit(parser):
        for line in (parser.epilog or "").splitlines():
            if line.startswith("  gilviz "):
                command, _ = split_example(line)
                found.setdefault(command, shlex.split(command)[1:])
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for each in action.choices.values():
                    visit(each)
    visit(build_parser())
    return sorted(found.items())


COMMAND_NAMES = {name for action in build_parser()._actions
                 if isinstance(action, argparse._SubParsersAction) for name in action.choices}
with open(README, encoding="utf-8") as stream:
    SHOWN = readme_commands(stream.read())


@pytest.fixture(autouse=True)
def anywhere(monkeypatch):
    """Interpreters taken by name, and 64 cores: see the module's docstring."""
    from gilviz.api import options
    from gilviz.cli import flags, parser

    def interpreter(text):
        if not PYTHON.match(os.path.basename(text)):
            raise argparse.ArgumentTypeError("%r is no interpreter's name" % text)
        return text
    monkeypatch.setattr(flags, "interpreter", interpreter)
    monkeypatch.setattr(parser, "interpreter", interpreter)
    monkeypatch.setattr(options, "allowed_cores", lambda: list(range(64)))


def check_takes(argv, capsys):
    """Parse `argv` as gilviz would; a refusal fails with gilviz's own words.
    A `gilviz run` whose program gets one of gilviz's options fails too."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as stop:
        said = capsys.readouterr()
        assert stop.code == 0, said.err.strip()  # --help and --version end with 0
        return
    if getattr(args, "handler", None) == "run" and args.program:
        moved, _ = misplaced_options(args.command_parser, args.program[1:])
        assert not moved, ("%s comes after the program and would go to it: gilviz's options "
                           "go before the program" % " ".join(moved))


@pytest.mark.parametrize("shown, argv", [
    pytest.param(shown, argv, id=shown, marks=[pytest.mark.xfail(
        strict=True, reason=TO_CHANGE[shown])] if shown in TO_CHANGE else [])
    for shown, argv in SHOWN])
def test_every_command_in_the_readme_is_taken_as_written(shown, argv, capsys):
    if shown in CANNOT_RUN_HERE:
        pytest.skip(CANNOT_RUN_HERE[shown])
    check_takes(argv, capsys)


@pytest.mark.parametrize("shown, argv", help_examples(), ids=[c for c, _ in help_examples()])
def test_every_example_of_every_help_is_taken_as_written(shown, argv, capsys):
    check_takes(argv, capsys)


def test_the_readme_shows_commands_and_every_command_is_among_them():
    assert len(SHOWN) >= 20
    shown_commands = {argv[0] for _, argv in SHOWN if argv}
    assert COMMAND_NAMES <= shown_commands, COMMAND_NAMES - shown_commands


def test_every_command_that_cannot_run_here_is_still_in_the_readme():
    shown = {command for command, _ in SHOWN}
    assert set(CANNOT_RUN_HERE) <= shown, set(CANNOT_RUN_HERE) - shown


def test_commands_are_found_as_a_shell_reads_them():
    text = "\n".join([
        "```sh",
        "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/python -m gilviz "
        "countdown --threads 4",
        "$ python -m gilviz pi --threads 2   # a comment",
        "python -m gilviz compare countdown --threads 2 \\",
        "    --cores 1 --cores all",
        "COLUMNS=100 gilviz render 'output/<run>' --theme talk",
        "gilviz: run 1/2: countdown serial baseline",
        "```",
        "Prose with `python -m gilviz io --threads 8` and `gilviz speedup`, `--count 1e8`,",
        "and `gilviz convoy --cpu-threads",
        "2`.",
    ])
    assert readme_commands(text) == sorted([
        ("gilviz countdown --threads 4", ["countdown", "--threads", "4"]),
        ("gilviz pi --threads 2", ["pi", "--threads", "2"]),
        ("gilviz compare countdown --threads 2 --cores 1 --cores all",
         ["compare", "countdown", "--threads", "2", "--cores", "1", "--cores", "all"]),
        ("gilviz render output/<run> --theme talk",
         ["render", "output/<run>", "--theme", "talk"]),
        ("gilviz io --threads 8", ["io", "--threads", "8"]),
        ("gilviz convoy --cpu-threads 2", ["convoy", "--cpu-threads", "2"]),
    ])


@pytest.mark.parametrize("argv, words", [
    (["countdown", "--thread", "4"], "unrecognized arguments: --thread 4"),
    (["run", "-m", "http.server", "8000", "--timeout", "10s"],
     "--timeout 10s comes after the program"),
])
def test_a_command_not_taken_fails_the_check(argv, words, capsys):
    with pytest.raises(AssertionError) as failed:
        check_takes(argv, capsys)
    assert words in str(failed.value)
