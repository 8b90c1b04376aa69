"""`gilviz run` takes its options before the program and passes the rest to
it; a program that failed at once, or got gilviz's options, is said to have;
`render --animate NAME` writes into the run directory and tells its frames."""

import functools
import os
import types

import pytest

from helpers import battle_of, run_cli
from gilviz.cli.commands import failed_program_notes, misplaced_options
from gilviz.cli.redraw import animation_path
from gilviz.cli.parser import build_parser
from gilviz.log import new_log, save

MS = 1_000_000


def parsed(*argv):
    return build_parser().parse_args(list(argv))


def test_gilvizs_options_before_the_program_are_gilvizs():
    args = parsed("run", "--timeout", "10s", "-m", "http.server", "8000")
    assert args.timeout == 10.0 and args.module
    assert args.program == ["http.server", "8000"]


def test_everything_after_the_program_is_the_programs():
    args = parsed("run", "-m", "http.server", "8000", "--timeout", "10s")
    assert args.timeout is None
    assert args.program == ["http.server", "8000", "--timeout", "10s"]
    args = parsed("run", "script.py", "--threads", "4", "-m", "--help")
    assert args.threads is None and not args.module
    assert args.program == ["script.py", "--threads", "4", "-m", "--help"]


def test_gilvizs_options_among_the_programs_arguments_are_found():
    parser = parsed("run", "x.py").command_parser
    assert misplaced_options(parser, ["8000", "--timeout", "10s", "--children", "-v"]) == (
        ["--timeout", "10s", "--children"], ["8000", "-v"])
    assert misplaced_options(parser, ["--sample-hz=500", "--port", "1"]) == (
        ["--sample-hz=500"], ["--port", "1"])
    assert misplaced_options(parser, ["--timeout"]) == (["--timeout"], [])
    assert misplaced_options(parser, []) == ([], [])


def program_result(status, wall_ms):
    stats = types.SimpleNamespace(wall_ns=wall_ms * MS)
    return types.SimpleNamespace(exit_status=status,
                                 summary=types.SimpleNamespace(stats=stats))


def test_a_program_that_failed_at_once_is_said_to_have_and_told_where_options_go():
    args = parsed("run", "-m", "http.server", "8000", "--timeout", "10s")
    notes = failed_program_notes(program_result(2, 21), args, args.program[1:])
    assert notes == [
        "the program exited with status 2 after 21.0 ms: it failed at once, and the "
        "summary and chart show that failure, not its work",
        "--timeout 10s came after the program and went to it: gilviz's options go before "
        "the program (gilviz run --timeout 10s -m http.server 8000)"]


def test_a_program_that_failed_later_has_its_summary_say_so_alone():
    args = parsed("run", "script.py", "--verbose")
    assert failed_program_notes(program_result(1, 5000), args, args.program[1:]) == []


@pytest.mark.slow
def test_a_module_given_gilvizs_option_fails_and_is_told(tmp_path):
    status, out, err = run_cli(["run", "--out", str(tmp_path), "-m", "http.server", "0",
                                "--timeout", "10s"])
    assert status == 2  # http.server's own: "unrecognized arguments: --timeout 10s"
    assert "the program exited with status 2" in out
    lines = err.splitlines()
    assert any("it failed at once" in line for line in lines)
    assert ("gilviz: --timeout 10s came after the program and went to it: gilviz's options "
            "go before the program (gilviz run --timeout 10s -m http.server 0)") in lines


# render --animate

def test_a_bare_animation_name_goes_into_the_run_directory(tmp_path):
    run_dir = str(tmp_path / "20260101-run")
    os.makedirs(run_dir)
    assert animation_path("battle.gif", run_dir) == os.path.join(run_dir, "battle.gif")
    assert animation_path("battle.gif", os.path.join(run_dir, "run.json")) == os.path.join(
        run_dir, "battle.gif")
    assert animation_path("./battle.gif", run_dir) == "./battle.gif"
    assert animation_path("slides/battle.gif", run_dir) == "slides/battle.gif"
    assert animation_path("battle.gif", "run.json") == "battle.gif"


@pytest.fixture
def saved_run(tmp_path):
    run_dir = tmp_path / "20260101-120000-countdown-threads2"
    run_dir.mkdir()
    save(new_log([battle_of()]), str(run_dir / "run.json"))
    return str(run_dir)


@pytest.fixture
def short_animations(monkeypatch):
    """render --animate draws 3 frames, not 100."""
    from gilviz.render import animate as module
    monkeypatch.setattr(module, "animate", functools.partial(module.animate, seconds=0.3,
                                                             fps=10))


def test_render_animate_writes_a_bare_name_into_the_run_and_tells_its_frames(
        saved_run, short_animations, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, out, err = run_cli(["render", saved_run, "--animate", "battle.gif"])
    assert status == 0, err
    written = os.path.join(saved_run, "battle.gif")
    assert out == "chart:    %s\n" % written
    assert os.path.exists(written) and not os.path.exists(tmp_path / "battle.gif")
    assert err.splitlines()[-1].startswith("gilviz: frame 3/3 of the animation")


def test_render_animate_keeps_a_path_with_a_directory(saved_run, short_animations, tmp_path,
                                                      monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, out, err = run_cli(["render", saved_run, "--animate", "./here.gif"])
    assert status == 0, err
    assert os.path.exists(tmp_path / "here.gif")


def test_an_animation_the_run_directory_cannot_take_is_refused_naming_where(saved_run,
                                                                           capsys):
    os.mkdir(os.path.join(saved_run, "battle.gif"))
    with pytest.raises(SystemExit) as stop:
        run_cli(["render", saved_run, "--animate", "battle.gif"])
    assert stop.value.code == 2
    assert "--animate %s is a directory" % os.path.join(saved_run, "battle.gif") in (
        capsys.readouterr().err)


def test_a_missing_run_is_refused_as_such_not_as_an_unwritable_animation(tmp_path):
    status, out, err = run_cli(["render", str(tmp_path / "nothing"), "--animate", "b.gif"])
    assert status == 2
    assert "cannot be written" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("option", [["--timings"], ["--wait-quiet", "10s"]])
def test_options_of_repeated_runs_are_refused_for_a_program_that_runs_once(option, capsys):
    with pytest.raises(SystemExit) as stop:
        run_cli(["run"] + option + ["script.py"])
    assert stop.value.code == 2
    assert "%s goes with module:function" % option[0] in capsys.readouterr().err
