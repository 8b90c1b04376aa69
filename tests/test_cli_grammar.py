"""The command line a person expects: a guess at what a mistyped command or
option meant, refusals that point to the command's own --help, no option
taken from a prefix of its name, one name (--count) for the amount of work,
and --help that fits a terminal."""

import argparse

import pytest

from gilviz import api
from gilviz.cli import main
from gilviz.cli.flags import HelpFormatter, examples, suggestion
from gilviz.cli.parser import build_parser


def refusal(argv, capsys):
    """The one line that `gilviz ARGV` exits 2 with (parsed only: were it
    taken, nothing is measured)."""
    with pytest.raises(SystemExit) as stop:
        build_parser().parse_args(argv)
    assert stop.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def commands(parser=None, prefix=()):
    """(argv of the command, its parser) for the top level and every command,
    `compare countdown` and `compare pi` among them."""
    parser = parser or build_parser()
    yield list(prefix), parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, command in action.choices.items():
                yield from commands(command, list(prefix) + [name])


POSITIONALS = {"speedup": ["countdown"], "render": ["RUN"], "attach": ["1234"],
               "run": []}
"""What a command needs before its options, to be parsed at all."""


@pytest.mark.parametrize("argv, meant", [
    (["countdonw"], "countdown"),
    (["spedup", "countdown"], "speedup"),
    (["compare", "countdwn"], "countdown"),
    (["render", "RUN", "--theme", "drak"], "dark"),
    (["pi", "--kernel", "sed"], "seed"),
])
def test_a_mistyped_choice_is_guessed(argv, meant, capsys):
    line = refusal(argv, capsys)
    assert "invalid choice" in line
    assert "did you mean %s?" % meant in line


def test_a_choice_nothing_is_like_lists_them_all(capsys):
    line = refusal(["sideways"], capsys)
    assert "did you mean" not in line
    assert "'countdown'" in line and "'render'" in line


@pytest.mark.parametrize("argv, meant, command", [
    (["countdown", "--thread", "4"], "--threads", "gilviz countdown"),
    (["countdown", "--thread=4"], "--threads", "gilviz countdown"),
    (["countdown", "--proceses", "4"], "--processes", "gilviz countdown"),
    (["countdown", "--work", "1e6"], "--count", "gilviz countdown"),
    (["countdown", "--samples", "1e6"], "--count", "gilviz countdown"),
    (["pi", "--count", "1e6"], "--samples", "gilviz pi"),
    (["speedup", "countdown", "--switch", "1ms"], "--switch-interval", "gilviz speedup"),
    (["speedup", "countdown", "--repat", "2"], "--repeat", "gilviz speedup"),
    (["compare", "countdown", "--thread", "2"], "--threads", "gilviz compare countdown"),
    (["render", "RUN", "--animat", "x.gif"], "--animate", "gilviz render"),
    (["run", "--timout", "10s", "script.py"], "--timeout", "gilviz run"),
])
def test_an_unknown_option_is_refused_by_its_command_with_a_guess(argv, meant, command,
                                                                  capsys):
    line = refusal(argv, capsys)
    assert line.startswith("%s: error: unrecognized arguments: " % command)
    assert "did you mean %s?" % meant in line
    assert line.endswith("(see %s --help)" % command)


def test_an_option_nothing_is_like_points_to_the_commands_help(capsys):
    line = refusal(["countdown", "--workers", "4"], capsys)
    assert line == ("gilviz countdown: error: unrecognized arguments: --workers 4 "
                    "(see gilviz countdown --help)")


def test_no_parser_takes_an_abbreviation():
    for argv, parser in commands():
        assert parser.allow_abbrev is False, argv


def test_no_option_is_taken_from_a_prefix_of_its_name(capsys):
    """Every long option of every command, its last letter cut: refused,
    never taken as the option (argparse would, or say it is ambiguous)."""
    tried = 0
    for argv, parser in commands():
        if not argv or any(isinstance(a, argparse._SubParsersAction) for a in parser._actions):
            continue
        known = set(parser._option_string_actions)
        for option in sorted(known):
            cut = option[:-1]
            if not option.startswith("--") or cut in known or len(cut) < 3:
                continue
            line = refusal(argv + POSITIONALS.get(argv[0], []) + [cut], capsys)
            assert "unrecognized arguments: %s" % cut in line, (argv, cut)
            tried += 1
    assert tried > 100


def test_suggestion():
    known = ["--threads", "--processes", "--count", "--switch-interval", "--sample-hz"]
    assert suggestion("--thread", known) == "--threads"
    assert suggestion("--switch", known) == "--switch-interval"
    assert suggestion("--work", known) == "--count"
    assert suggestion("--iterations", known) == "--count"
    assert suggestion("--samples", ["--samples", "--sample-hz"]) == "--samples"
    assert suggestion("--workers", known) is None
    assert suggestion("--", known) is None
    assert suggestion("countdonw", ["countdown", "convoy"]) == "countdown"


# One name for the amount of work.

def test_speedup_calls_the_work_count_and_takes_its_old_name():
    parser = build_parser()
    assert parser.parse_args(["speedup", "countdown", "--count", "2e6"]).count == 2_000_000
    assert parser.parse_args(["speedup", "countdown", "--work", "3e6"]).count == 3_000_000
    assert parser.parse_args(["speedup", "countdown"]).count is None


def test_the_old_name_is_not_in_the_help(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    with pytest.raises(SystemExit):
        main(["speedup", "--help"])
    text = capsys.readouterr().out
    assert "--count N" in text
    assert "--work " not in text and "--work," not in text


@pytest.mark.parametrize("argv", [
    ["countdown"], ["io"], ["speedup"], ["compare", "countdown"], ["convoy"],
])
def test_every_command_that_counts_work_calls_it_count(argv):
    for each_argv, parser in commands():
        if each_argv == argv:
            assert "--count" in parser._option_string_actions
            return
    raise AssertionError("no command %s" % argv)


def test_pi_keeps_samples():
    args = build_parser().parse_args(["pi", "--samples", "1e6"])
    assert args.count == 1_000_000


def _refuses_before_running(**options):
    """speedup() with `options` and too little work for 8 workers: the
    OptionError it raises before anything runs."""
    with pytest.raises(api.OptionError) as refused:
        api.speedup("countdown", workers="1-8", **options)
    return str(refused.value)


def test_the_api_takes_count_and_the_old_work():
    assert "--count 5 is less than the 8 workers" in _refuses_before_running(count=5)
    assert "--count 6 is less than the 8 workers" in _refuses_before_running(work=6)
    assert "give count=" in _refuses_before_running(count=5, work=6)


# --help that fits the terminal.

def help_of(argv, capsys, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    with pytest.raises(SystemExit) as stop:
        main(argv + ["--help"])
    assert stop.value.code == 0
    return capsys.readouterr().out


def test_every_help_fits_40_lines_of_100_columns(capsys, monkeypatch):
    for argv, _ in commands():
        text = help_of(argv, capsys, monkeypatch, 100)
        lines = text.rstrip("\n").splitlines()
        assert len(lines) <= 40, (argv, len(lines))
        assert max(len(line) for line in lines) <= 100, argv
        assert lines[0].startswith("usage: " + " ".join(["gilviz"] + argv)), lines[0]
        if argv:
            assert "examples:" in text, argv


@pytest.mark.parametrize("columns", [80, 60])
def test_every_help_is_wrapped_to_narrower_terminals(columns, capsys, monkeypatch):
    for argv, _ in commands():
        lines = help_of(argv, capsys, monkeypatch, columns).splitlines()
        # an example command is broken at its options; only a single word
        # longer than the terminal could stick out
        too_wide = [line for line in lines if len(line) > columns
                    and len(max(line.split(), key=len)) < columns - 8]
        assert too_wide == [], argv


def test_each_command_has_its_own_prog_in_its_usage(capsys, monkeypatch):
    text = help_of(["compare", "pi"], capsys, monkeypatch, 100)
    assert text.startswith("usage: gilviz compare pi [options]\n")
    text = help_of(["run"], capsys, monkeypatch, 100)
    assert text.startswith("usage: gilviz run [options] [-m] PROGRAM [ARGS ...]\n")


def test_examples_are_laid_out_to_the_width():
    epilog = examples(("gilviz countdown --threads 4", "the battle"),
                      ("gilviz compare countdown --threads 2 --python python2.7 --python "
                       "python3.13 --python python3.13t", "old GIL, new GIL, no GIL"),
                      notes="Some prose " * 12)
    formatter = HelpFormatter("gilviz", width=60)
    text = formatter._fill_text(epilog, 60, "")
    lines = text.splitlines()
    assert lines[0] == "examples:"
    assert lines[1] == "  gilviz countdown --threads 4  the battle"
    # the long command is broken before an option, as a shell takes it, and
    # what it shows is in the column below it
    assert lines[2] == "  gilviz compare countdown --threads 2 --python python2.7 \\"
    assert lines[3] == "      --python python3.13 --python python3.13t"
    assert lines[4] == " " * 32 + "old GIL, new GIL, no GIL"
    assert all(len(line) <= 60 for line in lines)
    narrow = HelpFormatter("gilviz", width=40)._fill_text(epilog, 40, "").splitlines()
    assert narrow[1:3] == ["  gilviz countdown --threads 4", "      the battle"]
    assert "      old GIL, new GIL, no GIL" in narrow
    assert all(len(line) <= 40 for line in narrow)
    assert lines[5] == "" and lines[6].startswith("Some prose Some prose")
    assert len(lines) == 7 + 2  # the prose, 132 characters, in three lines
