"""Sharing between workers, without a target: the analysis of hand-built
marks, the words, the chart, and bad input refused."""

import io
import os

import numpy as np
import pytest

from gilviz import api, cli
from gilviz.analysis import SHARING, RUNNING, Segments, sharing, summarize, with_sharing
from gilviz.analysis.caveats import SharingMismatch
from gilviz.analysis.sharing import sharing_comparison
from gilviz.log import Role
from gilviz.api.sharing import sharing_specs
from gilviz.log import new_log
from gilviz.report import summary_lines
from gilviz.report.sharing import comparison_lines

from helpers import sharing_run


def test_sharing_figures_from_the_marks():
    stats = sharing(sharing_run("value", workers=2, reports=3, report_ns=2000, lock_ns=500))
    assert stats.mechanism == "value"
    assert stats.reports.count == 6 and stats.reports.median_ns == 2000
    assert stats.lock_waits.count == 6 and stats.lock_waits.total_ns == 3000
    assert [w.reports for w in stats.workers] == [3, 3]
    assert [w.sharing_ns for w in stats.workers] == [6000, 6000]
    assert stats.own_total == 150 and stats.collected_total == 150 and stats.agrees


def test_a_queue_has_no_lock_waits():
    stats = sharing(sharing_run("queue"))
    assert stats.lock_waits is None and stats.agrees


def test_no_sharing_without_the_param():
    run = sharing_run("queue")
    assert sharing(run._replace(spec=run.spec._replace(params={"variant": "fast"}))) is None


@pytest.mark.parametrize("collected", [[(0, 70), (1, 79)], []])
def test_totals_that_differ_are_a_warning(collected):
    run = sharing_run("array", collected=collected)
    stats = summarize(run)
    mismatch = [c for c in stats.warnings if isinstance(c, SharingMismatch)]
    assert len(mismatch) == 1 and mismatch[0].own_total == 150
    text = "\n".join(summary_lines(run, stats))
    assert "check FAILED" in text and "do not add up" in text


def test_agreeing_totals_are_said():
    run = sharing_run("manager")
    text = "\n".join(summary_lines(run, summarize(run)))
    assert "shared through a Manager's dict" in text
    assert "add up to the workers' own, 150" in text


def test_reports_are_laid_over_the_sampled_bands():
    run = sharing_run("queue", workers=1, reports=2, chunk_ns=100_000, report_ns=2000)
    segments = Segments(np.array([0], np.int32), np.array([0]), np.array([200_000]),
                        np.array([RUNNING], np.int8))
    laid = with_sharing(segments, run.marks)
    assert laid.start_ns.tolist() == [0, 50_000, 52_000, 150_000, 152_000]
    assert laid.stop_ns.tolist() == [50_000, 52_000, 150_000, 152_000, 200_000]
    assert laid.state.tolist() == [RUNNING, SHARING, RUNNING, SHARING, RUNNING]


def share_log():
    runs = []
    for mechanism, backend, report_ns in (("return", "threads", 100), ("value", "threads", 800),
                                          ("manager", "processes", 200_000),
                                          ("value", "processes", 900)):
        for _ in range(2):
            runs.append(sharing_run(mechanism, backend, report_ns=report_ns, role=Role.SHARING))
    return new_log(runs)


def test_share_comparison_groups_the_runs():
    compared = sharing_comparison(share_log())
    keys = [(each.mechanism, each.backend) for each in compared.configs]
    assert keys == [("return", "threads"), ("manager", "processes"), ("value", "threads"),
                    ("value", "processes")]
    assert compared.repeats == 2 and all(each.agrees for each in compared.configs)
    manager = compared.configs[1]
    assert manager.reports.median_ns == 200_000
    assert manager.ns_per_sample == 50.0  # 50 µs of numpy for 1000 samples
    assert manager.break_even_chunk == 4000
    text = "\n".join(comparison_lines(compared))
    assert "processes: a report through a Manager's dict took 222x" in text
    assert "check: in every run" in text


@pytest.mark.slow  # draws the full-size chart
def test_share_chart_is_written_and_loaded_back(tmp_path):
    result = api.SharingResult(share_log())
    run_dir = result.save(str(tmp_path))
    assert os.path.getsize(os.path.join(run_dir, "share.png")) > 10_000
    loaded = api.load(run_dir)
    assert isinstance(loaded, api.SharingResult)
    assert len(loaded.summary.configs) == 4


def test_share_specs_apply_each_mechanism_where_it_can():
    target = dict(python=None, cores=None, switch_interval_s=None, sample_hz=0.0)
    specs = sharing_specs(4, ["threads", "processes"], 10**6, 10_000, 7, 2, target)
    pairs = [(s.params["share"], s.backend) for s in specs[:len(specs) // 2]]
    assert ("pipe", "threads") not in pairs and ("pipe", "processes") in pairs
    assert len(pairs) == 11 and specs[:11] == specs[11:]
    assert {s.params["seed"] for s in specs} == {7}
    assert {s.role for s in specs} == {Role.SHARING}


@pytest.mark.parametrize("options, words", [
    (dict(threads=2, share="telepathy"), "give one of return, queue, pipe, manager"),
    (dict(threads=2, share="pipe"), "does not apply to threads: give one of return, queue"),
    (dict(pool=2, share="value"), "does not apply to pool: give one of return"),
    (dict(threads=2, share="queue", variant="seed"), "--share is for --kernel fast"),
    (dict(threads=2, share="queue", samples=10**9, chunk=10), "reports, at most"),
])
def test_bad_sharing_is_refused(options, words):
    with pytest.raises(api.OptionError, match=words.replace("(", r"\(")):
        api.run("pi", **options)


@pytest.mark.parametrize("argv, words", [
    (["pi", "--threads", "2", "--share", "telepathy"], "give one of return, queue, pipe"),
    (["pi", "--threads", "2", "--share", "pipe"], "does not apply to threads"),
    (["share", "--backends", "pool"], "give threads, processes or both"),
])
def test_bad_sharing_on_the_command_line_exits_2(argv, words, tmp_path, capsys):
    with pytest.raises(SystemExit) as ended:
        cli.main(argv + ["--out", str(tmp_path)], io.StringIO(), io.StringIO())
    assert ended.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and words in lines[0]
