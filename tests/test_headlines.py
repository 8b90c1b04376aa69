"""No impossible headline: a ratio to the serial runs that the run's own
parallelism cannot explain is not stated as a speedup, in words or on the chart."""

import pytest

from helpers import timed_run
from gilviz.analysis import caveats, compare_walls, summarize, timeline_view, wall_ns
from gilviz.analysis.plausibility import unexplained_ratio
from gilviz.report import caveat_text, summary_lines


def seed_kernel_pair():
    """2 pi threads at 0.26x the serial time, both of them busy: 3.8x on 2
    cores, with a baseline that had a CPU for only 40 % of its time."""
    baseline = timed_run("serial", 1, "baseline", wall_s=1.0, cpu_share=0.4, kernel="pi")
    run = timed_run("threads", 2, "main", wall_s=0.26, cpu_share=0.95, kernel="pi")
    return run, baseline


def test_a_speedup_beyond_the_runs_parallelism_is_a_caveat():
    run, baseline = seed_kernel_pair()
    caveat = unexplained_ratio([run], [baseline])
    assert caveat.speedup == pytest.approx(1 / 0.26)
    assert caveat.parallelism == pytest.approx(1.9)
    assert caveat.baseline_cpu_share == pytest.approx(0.4)
    assert caveat.baseline_cpu_ratio == pytest.approx(0.4 / (2 * 0.95 * 0.26))


@pytest.mark.parametrize("run, baseline", [
    # 2 processes, each busy: 1.9x is what 1.9 cores of work explain
    (timed_run("processes", 2, wall_s=0.53, cpu_share=0.95),
     timed_run("serial", 1, "baseline", wall_s=1.0)),
    # io tasks wait, they do not compute: no CPU bound to beat
    (timed_run("threads", 8, wall_s=0.13, cpu_share=0.05, kernel="io"),
     timed_run("serial", 1, "baseline", wall_s=1.0, cpu_share=0.05, kernel="io")),
])
def test_a_speedup_that_parallelism_explains_is_no_caveat(run, baseline):
    assert unexplained_ratio([run], [baseline]) is None


def test_the_summary_states_no_speedup_and_says_why():
    run, baseline = seed_kernel_pair()
    stats = summarize(run, baselines=[baseline])
    (caveat,) = [c for c in stats.warnings if isinstance(c, caveats.UnexplainedSpeedup)]
    comparison = compare_walls([wall_ns(run)], [wall_ns(baseline)])
    text = "\n".join(summary_lines(run, stats, comparison))
    assert "no speedup to state: 2 threads took 0.26x the serial time" in text
    assert "see the warning" in text
    assert "they had a CPU for only 40% of their time" in caveat_text(caveat)
    assert "warning: the serial runs were slower than the parallel work can explain" in text


def test_the_chart_headline_states_no_speedup():
    from gilviz.render.timeline import title_lines
    run, baseline = seed_kernel_pair()
    stats = summarize(run, baselines=[baseline])
    comparison = compare_walls([wall_ns(run)], [wall_ns(baseline)])
    _, facts = title_lines(run, stats, comparison)
    text = " ".join(facts)
    assert "no speedup to state" in text and "took 0.26×" not in text
    timeline_view(run, stats)  # the view of such a run still builds
