"""Progress while gilviz works: how long the run under way has taken against
how long it should take, on a terminal in place and elsewhere a line now
and then; the frames of an animation; what --timings says of matplotlib.
Clocks are made up: nothing here depends on how fast the machine is."""

import io
import subprocess
import sys
import threading
import time

import pytest

from helpers import timed_run
from gilviz.api.session import Progress, run_specs
from gilviz.cli.progress import FrameProgress, RunProgress, StatusLine
from gilviz.log import RunSpec
from gilviz.report.progress import frames_line, running_line


def spec(backend="threads", workers=2, role="main"):
    return RunSpec(kernel="countdown", backend=backend, workers=workers, work=1000,
                   probe=False, python=sys.executable, sample_hz=0.0, role=role)


def told(index=1, total=6, expected_s=None):
    return Progress(index, total, spec(), None, expected_s=expected_s)


class Clock:
    """A clock that reads what it is set to."""

    def __init__(self, now=100.0):
        self.now = now

    def __call__(self):
        return self.now


class Terminal(io.StringIO):
    def isatty(self):
        return True


def wait_for(predicate, within_s=10.0):
    """Until predicate() holds (a thread of the code under test is to make
    it so); generous, as the machine is shared."""
    deadline = time.monotonic() + within_s
    while not predicate():
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.005)


def test_running_line_says_elapsed_against_expected():
    assert running_line(told(), 5.0) == "gilviz: run 2/6 · 5.0 s"
    assert running_line(told(expected_s=30), 12) == "gilviz: run 2/6 · 12 s of ~30 s"
    assert running_line(told(expected_s=30), 40) == "gilviz: run 2/6 · 40 s, ~30 s expected"
    assert running_line(told(expected_s=0.2), 3) == "gilviz: run 2/6 · 3.0 s"


def test_frames_line():
    assert frames_line(40, 100, 4.1) == "gilviz: frame 40/100 of the animation · 4.1 s"


def test_each_run_is_told_how_long_it_should_take():
    """The median of its configuration's runs so far, else the mean of all."""
    specs = [spec("serial", 1, "baseline"), spec(), spec("serial", 1, "baseline"), spec()]
    ticks = iter([0, 2, 2, 5, 5, 7, 7, 10])
    told_runs = []
    run_specs(specs, progress=told_runs.append, clock=lambda: next(ticks),
              run=lambda s, timeout_s=None: timed_run(s.backend, s.workers, s.role))
    assert [p.expected_s for p in told_runs] == [None, 2.0, 2.0, 3.0]
    assert [p.eta_s for p in told_runs] == [None, 6.0, 5.0, 3.0]


def test_a_long_run_shows_a_line_now_and_then_elsewhere_than_a_terminal():
    err, clock = io.StringIO(), Clock()
    progress = RunProgress(err, every_s=0.01, clock=clock, terminal=False)
    progress(told(expected_s=30))
    clock.now = 112.0
    wait_for(lambda: "12 s of ~30 s" in err.getvalue())
    progress.close()
    lines = err.getvalue().splitlines()
    assert lines[0] == "gilviz: run 2/6: countdown 2 threads, work 1,000"
    assert set(lines[1:]) == {"gilviz: run 2/6 · 12 s of ~30 s"}
    assert "\r" not in err.getvalue()


def test_on_a_terminal_the_status_line_is_rewritten_and_cleared():
    err, clock = Terminal(), Clock()
    with RunProgress(err, every_s=0.01, clock=clock) as progress:
        progress(told(index=0, expected_s=None))
        clock.now = 103.0
        wait_for(lambda: "\rgilviz: run 1/6 · 3.0 s" in err.getvalue())
        progress(told(index=1, expected_s=30))  # the next run: its line on a clean line
        clock.now = 115.0
        wait_for(lambda: "· 12 s of ~30 s" in err.getvalue())
    text = err.getvalue()
    status = "gilviz: run 1/6 · 3.0 s"
    cleared = "\r%s\r" % (" " * len(status))
    assert cleared + "gilviz: run 2/6: countdown" in text
    assert text.endswith("\r%s\r" % (" " * len("gilviz: run 2/6 · 12 s of ~30 s")))
    assert text.startswith("gilviz: run 1/6: countdown 2 threads, work 1,000\n")


def test_nothing_is_written_after_close():
    err = io.StringIO()
    progress = RunProgress(err, every_s=0.001, terminal=False)
    progress(told())
    wait_for(lambda: err.getvalue().count("\n") > 2)
    progress.close()
    written = err.getvalue()
    assert not any(t.name == "gilviz-progress" for t in threading.enumerate())
    time.sleep(0.05)
    assert err.getvalue() == written


def test_a_status_line_shorter_than_the_one_before_covers_it():
    err = Terminal()
    status = StatusLine(err)
    status.show("a longer line")
    status.show("short")
    assert err.getvalue() == "\ra longer line\rshort        "
    status.clear()
    assert err.getvalue().endswith("\r     \r")


def test_frames_are_told_now_and_then_and_the_last_always():
    err, clock = io.StringIO(), Clock(0.0)
    frames = FrameProgress(err, clock=clock, terminal=False, every_s=3.0)
    for now, done in ((0.5, 1), (4.0, 40), (5.0, 50), (7.5, 75), (9.0, 100)):
        clock.now = now
        frames(done, 100)
    frames.close()
    assert err.getvalue().splitlines() == [
        "gilviz: frame 40/100 of the animation · 4.0 s",
        "gilviz: frame 75/100 of the animation · 7.5 s",
        "gilviz: frame 100/100 of the animation · 9.0 s"]


def test_on_a_terminal_frames_rewrite_one_line_that_is_cleared():
    err, clock = Terminal(), Clock(0.0)
    frames = FrameProgress(err, clock=clock)
    for done in range(1, 11):
        clock.now = done * 0.5
        frames(done, 10)
    frames.close()
    text = err.getvalue()
    assert "\n" not in text
    assert text.count("\rgilviz: frame ") == 10
    assert text.endswith("\r%s\r" % (" " * len("gilviz: frame 10/10 of the animation · 5.0 s")))


# --timings: what importing matplotlib took

def test_importing_matplotlib_is_timed_where_it_happens():
    code = ("import sys; from gilviz.measure.timings import Timings;"
            "from gilviz.cli.drawing import import_matplotlib;"
            "assert 'matplotlib' not in sys.modules\n"
            "with Timings() as timings: import_matplotlib()\n"
            "print(timings.seconds['importing matplotlib'] > 0, 'matplotlib' in sys.modules)")
    answer = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.split() == ["True", "True"]


def test_matplotlib_imported_before_is_no_line():
    import importlib

    from gilviz.cli.drawing import DRAWING_MODULES, import_matplotlib
    from gilviz.measure.timings import Timings
    for name in DRAWING_MODULES:
        importlib.import_module(name)
    with Timings() as timings:
        import_matplotlib()
    assert "importing matplotlib" not in timings.seconds


@pytest.mark.slow
def test_timings_of_a_tiny_run_give_matplotlibs_import_its_time(tmp_path):
    answer = subprocess.run(
        [sys.executable, "-m", "gilviz", "countdown", "--threads", "2", "--count", "1e6",
         "--repeat", "1", "--sample-hz", "200", "--timings", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=300)
    assert answer.returncode == 0, answer.stderr
    rows = dict(line.strip().rsplit(None, 2)[:2] for line in answer.stdout.splitlines()
                if line.startswith("  ") and line.endswith(" s"))
    # Imported while the targets started, and what was left after the runs.
    assert float(rows.get("importing matplotlib", 0)) + float(
        rows.get("importing matplotlib, while targets start", 0)) > 0
    assert "run 1/2" in answer.stderr and "run 2/2" in answer.stderr
