"""The speedup chart says what the log holds: incomplete sweeps, failed runs, the kernel's form."""

from helpers import sweep_log

from helpers import timed_run
from gilviz.log import new_log
from gilviz.render import save_png, speedup_figure
from gilviz.render.speedup import ideal_label, subtitle
from gilviz.report import caveat_texts
from gilviz.analysis.scaling import sweep_scaling


def interrupted_log():
    log = sweep_log(2, serial_walls=[1.0, 1.0],
                    thread_walls={1: [1.0, 1.0], 2: [1.0, 1.0]},
                    process_walls={1: [1.0, 1.0], 2: [0.5, 0.5]}, planned=5)
    return log._replace(runs=log.runs[:-2])


def test_an_incomplete_sweep_says_so():
    log = interrupted_log()
    scaling = sweep_scaling(log)
    assert [w.kind for w in scaling.warnings] == ["incomplete-sweep"]
    assert caveat_texts(scaling.warnings) == [
        "incomplete: the sweep stopped after 8 of 25 runs; 1 of 5 rounds complete"]


def test_the_subtitle_names_the_plain_kernel_and_the_sampler():
    log = interrupted_log()
    what, how, note = subtitle(log, sweep_scaling(log))
    assert what == "CPython 3.11.7 · 2 cores · 1,000 iterations split between the workers"
    assert how == "1 round, interleaved (+1 warm-up) · plain kernel (no probe) · sampler off"
    assert note is None


def test_a_partial_log_says_so_first():
    log = interrupted_log()._replace(incomplete="interrupted after 8 of 25 runs")
    what, _, _ = subtitle(log, sweep_scaling(log))
    assert what.startswith("partial: interrupted after 8 of 25 runs · CPython 3.11.7")


def test_the_ideal_line_is_capped_only_for_work_that_keeps_a_core_busy():
    busy = sweep_scaling(interrupted_log())
    assert ideal_label(busy, 8) == "ideal: min(workers, 2 cores)"
    waiting = sweep_scaling(new_log([
        timed_run("serial", 1, "baseline", cpu_share=0.02, kernel="io"),
        timed_run("threads", 4, wall_s=0.25, cpu_share=0.08, kernel="io")]))
    assert ideal_label(waiting, 16).startswith("ideal: speedup = workers (the serial run kept 2 %")
    assert ideal_label(waiting, 200) == \
        "ideal: min(workers, 100.0 = 2 cores ÷ the serial run's 2 % CPU share)"


def test_the_chart_of_an_interrupted_sweep_is_written(tmp_path):
    log = interrupted_log()
    path = save_png(speedup_figure(log, sweep_scaling(log)), str(tmp_path / "speedup.png"))
    with open(path, "rb") as stream:
        assert stream.read(8) == b"\x89PNG\r\n\x1a\n"
