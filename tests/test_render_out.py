"""`gilviz render --out`: the file's extension and --format agree, or the
extension decides; a name no format has, or a place no file can go, is one
line and exit status 2, naming the path as the user gave it."""

import os

import pytest
from matplotlib.figure import Figure

from helpers import MS, make_run, refused
from gilviz.api.results import Result
from gilviz.cli import main
from gilviz.log import new_log, save
from gilviz.render.formats import FormatError, format_of


@pytest.mark.parametrize("path, asked, expected", [
    ("x.svg", None, "svg"), ("x.PDF", None, "pdf"), ("x.png", "png", "png"),
    ("chart", None, "png"), ("chart", "pdf", "pdf"), ("dir.v2/chart", "svg", "svg"),
])
def test_the_extension_decides_or_agrees(path, asked, expected):
    assert format_of(path, asked) == expected


@pytest.mark.parametrize("path, asked, words", [
    ("x.svg", "png", "x.svg ends in .svg, but the format asked is png"),
    ("x.bogus", None, "x.bogus ends in .bogus, not a format gilviz writes: give a file ending "
                      "in .png, .svg, .pdf"),
    ("x.bogus", "png", "not a format gilviz writes"),
])
def test_a_disagreeing_or_unknown_extension_is_refused(path, asked, words):
    with pytest.raises(FormatError, match=words):
        format_of(path, asked)


@pytest.fixture
def run_dir(tmp_path):
    """A run directory holding only a log: two threads taking turns."""
    holds = [(0, 0, 5 * MS, 0), (1, 5 * MS + 50_000, 10 * MS, 0), (0, 10 * MS + 50_000, 15 * MS, 0)]
    directory = tmp_path / "run"
    directory.mkdir()
    save(new_log([make_run([(0, 15 * MS), (5 * MS + 50_000, 10 * MS)], holds)]),
         str(directory / "run.json"))
    return str(directory)



@pytest.mark.parametrize("out, format_args, words", [
    ("x.svg", ["--format", "png"], "--out {out} ends in .svg, but the format asked is png"),
    ("x.bogus", [], "--out {out} ends in .bogus, not a format gilviz writes: give a file "
                    "ending in .png, .svg, .pdf"),
    ("no-such-directory/x.png", [], "--out {out} cannot be written: No such file or directory"),
    ("", [], "--out {out} is a directory"),
])
def test_a_bad_out_is_one_line_naming_it_and_nothing_is_written(
        run_dir, tmp_path, out, format_args, words, capsys):
    path = os.path.join(str(tmp_path), out)
    before = sorted(os.listdir(tmp_path))
    line = refused(["render", run_dir, "--out", path] + format_args, capsys)
    assert words.format(out=path) in line and "(see gilviz render --help)" in line
    assert sorted(os.listdir(tmp_path)) == before


def test_an_out_in_proc_names_the_path_given_not_a_temporary_file(run_dir, capsys):
    line = refused(["render", run_dir, "--out", "/proc/nope.png"], capsys)
    assert "--out /proc/nope.png cannot be written" in line and ".partial" not in line


@pytest.mark.parametrize("name, start", [("chart.svg", b"<?xml"), ("chart.pdf", b"%PDF-"),
                                         ("chart", b"\x89PNG")])
def test_the_extension_gives_the_format(run_dir, tmp_path, monkeypatch, name, start):
    # A small figure: what is tested is the format it is written in.
    monkeypatch.setattr(Result, "figure", lambda self, **options: Figure(figsize=(2, 1)))
    path = str(tmp_path / name)
    assert main(["render", run_dir, "--out", path]) == 0
    with open(path, "rb") as stream:
        assert stream.read(len(start)) == start
