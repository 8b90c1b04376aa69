"""A file that cannot be written, a full disk above all: one line and exit
status 1, the files written before it named, nothing half-written left.

A full disk is made by a write that raises ENOSPC part-way (the fast tests),
and for real on a tmpfs too small for the chart (the slow one, as root)."""

import errno
import os
import subprocess
import sys

import pytest

from helpers import make_run, run_cli, timed_run, MS
from gilviz.log import WriteError, atomic_write, load, new_log, save

FULL = os.strerror(errno.ENOSPC)


def half_then_full(stream):
    """A writer that gets some bytes out, then finds the disk full."""
    stream.write(b"half a file")
    raise OSError(errno.ENOSPC, FULL)


def stand_in_runs(monkeypatch):
    """Runs made up, not measured: the command goes straight to its files."""
    from gilviz.api import session

    def run(spec, timeout_s=None):
        return timed_run(spec.backend, spec.workers, spec.role)._replace(spec=spec)
    monkeypatch.setattr(session, "run_target", run)


def error_lines(err):
    return [line for line in err.splitlines() if not line.startswith("gilviz: run ")]


def test_a_write_that_fails_part_way_leaves_no_file_and_names_the_path(tmp_path):
    path = str(tmp_path / "timeline.png")
    with pytest.raises(WriteError) as failed:
        atomic_write(path, half_then_full, mode="wb")
    assert failed.value.errno == errno.ENOSPC
    assert str(failed.value) == "cannot write %s: %s" % (path, FULL)
    assert os.listdir(tmp_path) == []


def test_a_file_that_cannot_be_created_is_named_as_given(tmp_path):
    path = str(tmp_path / "no-such-directory" / "chart.png")
    with pytest.raises(WriteError) as failed:
        atomic_write(path, lambda stream: stream.write("x"))
    assert failed.value.filename == path and ".partial" not in str(failed.value)


def test_a_full_disk_at_the_chart_keeps_and_names_the_log_and_trace(tmp_path, monkeypatch):
    from gilviz.render import formats
    stand_in_runs(monkeypatch)
    monkeypatch.setattr(formats, "write_figure",
                        lambda figure, stream, file_format="png": half_then_full(stream))
    status, out, err = run_cli(["countdown", "--threads", "2", "--repeat", "1",
                                "--out", str(tmp_path)])
    assert status == 1
    (run_dir,) = [os.path.join(tmp_path, name) for name in os.listdir(tmp_path)]
    chart = os.path.join(run_dir, "timeline.png")
    assert error_lines(err) == ["gilviz: error: cannot write %s: %s" % (chart, FULL)]
    assert sorted(os.listdir(run_dir)) == ["run.json", "trace.json"]
    assert "log:      %s\n" % os.path.join(run_dir, "run.json") in out
    assert "trace:    %s " % os.path.join(run_dir, "trace.json") in out
    assert "timeline:" not in out
    assert len(load(os.path.join(run_dir, "run.json")).runs) == 2


def failing_save_at(number):
    """gilviz's save of a log, which finds the disk full at call `number`."""
    calls = []

    def maybe_full(log, path):
        calls.append(path)
        if len(calls) == number:
            atomic_write(path, half_then_full, mode="wb")
        save(log, path)
    return maybe_full


def test_a_full_disk_at_a_log_save_ends_the_runs_and_keeps_the_log_saved_before(
        tmp_path, monkeypatch):
    from gilviz.api import session
    stand_in_runs(monkeypatch)
    monkeypatch.setattr(session, "save", failing_save_at(2))
    status, out, err = run_cli(["countdown", "--threads", "2", "--repeat", "2",
                                "--out", str(tmp_path)])
    assert status == 1
    (run_dir,) = [os.path.join(tmp_path, name) for name in os.listdir(tmp_path)]
    log_path = os.path.join(run_dir, "run.json")
    assert error_lines(err) == ["gilviz: error: cannot write %s: %s" % (log_path, FULL)]
    assert "gilviz: run 3/4" not in err  # the runs end at the failure
    assert os.listdir(run_dir) == ["run.json"]
    assert "log:      %s (as saved before this failure)" % log_path in out
    assert "2 threads took" in out  # the summary of the two runs finished
    kept = load(log_path)
    assert len(kept.runs) == 1 and kept.incomplete


def test_a_full_disk_at_the_first_log_save_leaves_no_run_directory(tmp_path, monkeypatch):
    from gilviz.api import session
    stand_in_runs(monkeypatch)
    monkeypatch.setattr(session, "save", failing_save_at(1))
    status, out, err = run_cli(["countdown", "--threads", "2", "--repeat", "1",
                                "--out", str(tmp_path)])
    assert status == 1 and len(error_lines(err)) == 1 and FULL in err
    assert os.listdir(tmp_path) == [] and "log:" not in out


def saved_run(directory):
    """A run directory holding only the log of the battle fixture's run."""
    holds = [(0, 0, 5 * MS, 0), (1, 5 * MS + 50_000, 10 * MS, 0), (0, 10 * MS + 50_000, 15 * MS, 0)]
    save(new_log([make_run([(0, 15 * MS), (5 * MS + 50_000, 10 * MS)], holds)]),
         os.path.join(directory, "run.json"))
    return str(directory)


def test_render_on_a_full_disk_is_one_line_and_status_1(tmp_path, monkeypatch):
    from gilviz.render import formats
    monkeypatch.setattr(formats, "write_figure",
                        lambda figure, stream, file_format="png": half_then_full(stream))
    chart = str(tmp_path / "out" / "chart.png")
    os.mkdir(tmp_path / "out")
    status, out, err = run_cli(["render", saved_run(tmp_path), "--out", chart])
    assert status == 1
    assert err == "gilviz render: error: cannot write %s: %s\n" % (chart, FULL)
    assert os.listdir(tmp_path / "out") == [] and out == ""


TMPFS_BYTES = 64 * 1024
"""Room for run.json and trace.json of a small countdown, not for its chart."""


@pytest.fixture
def small_disk(tmp_path):
    """A tmpfs of TMPFS_BYTES mounted in tmp_path (needs root, or skips)."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%d" % TMPFS_BYTES, "tmpfs",
                              str(mount_point)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here: %s" % mounted.stderr.strip())
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


@pytest.mark.slow
def test_a_real_full_disk_ends_in_one_line_with_the_files_kept_named(small_disk):
    gilviz = subprocess.run(
        [sys.executable, "-m", "gilviz", "countdown", "--threads", "2", "--count", "1e6",
         "--repeat", "1", "--out", str(small_disk)],
        capture_output=True, text=True, timeout=120)
    assert gilviz.returncode == 1, gilviz.stderr
    assert "Traceback" not in gilviz.stderr
    last = gilviz.stderr.strip().splitlines()[-1]
    (run_dir,) = [os.path.join(small_disk, name) for name in os.listdir(small_disk)]
    assert last == "gilviz: error: cannot write %s: %s" % (os.path.join(run_dir, "timeline.png"),
                                                          FULL)
    assert sorted(os.listdir(run_dir)) == ["run.json", "trace.json"]  # no .partial
    for name, label in (("run.json", "log:"), ("trace.json", "trace:")):
        assert "%-9s %s" % (label, os.path.join(run_dir, name)) in gilviz.stdout
    assert len(load(os.path.join(run_dir, "run.json")).runs) == 2
