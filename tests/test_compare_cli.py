"""--cores, --switch-interval, --pause and compare's one varied dimension:
bad input ends with one line and exit status 2."""

import os

import pytest

from gilviz import cli
from gilviz.api import options
from gilviz.api.options import OptionError
from gilviz.api.workloads import varied_dimension
from gilviz.report import format_cores, format_interval, verdict
from gilviz.analysis import compare_sides

needs_affinity = pytest.mark.skipif(not hasattr(os, "sched_getaffinity"),
                                    reason="no os.sched_getaffinity here")


def usage_error(argv, capsys):
    """Run main(argv), expect exit 2; return the one line on stderr."""
    with pytest.raises(SystemExit) as stop:
        cli.main(argv)
    assert stop.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@needs_affinity
def test_core_set_forms():
    allowed = sorted(os.sched_getaffinity(0))
    assert options.core_set("all") == allowed
    assert options.core_set("1") == allowed[:1]
    assert options.core_set(str(len(allowed))) == allowed
    first = allowed[0]
    assert options.core_set("%d-%d" % (first, first)) == [first]
    # A core named twice is a typo, not a wish: refused, where it used to be merged.
    for text in ("%d,%d,%d" % (first, first, first), "%d-%d,%d" % (first, first, first)):
        with pytest.raises(OptionError, match="core %d named more than once" % first):
            options.core_set(text)


@needs_affinity
@pytest.mark.parametrize("text, words", [
    ("99", "99 cores asked"), ("", "empty"), ("0", "0 cores"), ("abc", "neither"),
    ("1-0", "neither"), ("4096,4097", "no core 4096,4097"),
    ("0-100000000000", "no core 0-100000000000"),
])
def test_bad_cores_exit_2_with_one_line(text, words, capsys):
    line = usage_error(["countdown", "--cores", text], capsys)
    assert "--cores" in line and words in line


@pytest.mark.parametrize("text, seconds", [
    ("5ms", 0.005), ("0.5ms", 0.0005), ("100us", 100e-6), ("100µs", 100e-6), ("0.005", 0.005),
    ("1s", 1.0), ("1us", 1e-6),
])
def test_switch_interval_units(text, seconds):
    assert options.switch_interval(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["0", "0.5us", "2", "1.5s", "abc", "5ns", "nan", "inf"])
def test_bad_switch_interval_exit_2_with_one_line(text, capsys):
    line = usage_error(["countdown", "--switch-interval=" + text], capsys)
    assert "--switch-interval" in line


def test_pause_allows_zero_but_not_negative_or_long():
    assert options.client_pause("0") == 0
    assert options.client_pause("2ms") == pytest.approx(0.002)
    for text in ("-1ms", "2s"):
        with pytest.raises(OptionError):
            options.client_pause(text)


def test_compare_needs_one_dimension_given_twice(capsys):
    line = usage_error(["compare", "countdown", "--switch-interval", "1ms"], capsys)
    assert ("give --cores or --switch-interval twice, --python two to four times, or two "
            "backends (--threads N --processes N)") in line


def test_compare_varies_one_thing_at_a_time(capsys):
    line = usage_error(["compare", "countdown", "--switch-interval", "1ms", "--switch-interval",
                        "2ms", "--cores", "all", "--cores", "1"], capsys)
    assert "vary one thing at a time" in line


def test_compare_takes_two_values_that_differ(capsys):
    line = usage_error(["compare", "countdown"] + ["--switch-interval", "1ms"] * 3, capsys)
    assert "compare takes two values" in line
    line = usage_error(["compare", "countdown", "--switch-interval", "1ms", "--switch-interval",
                        "0.001"], capsys)
    assert "nothing to compare" in line


def test_varied_dimension_keeps_the_values_given_once():
    field, values, fixed = varied_dimension(
        {"cores": [[0]], "switch_interval_s": [0.001, 0.02], "python": []})
    assert (field, values) == ("switch_interval_s", [0.001, 0.02])
    assert fixed == {"cores": [0], "python": None}


def test_format_cores_and_intervals():
    assert format_cores([5, 0, 1, 2]) == "0-2,5"
    assert format_cores([3]) == "3"
    assert [format_interval(s) for s in (0.005, 0.0005, 1e-6, 1.0)] == \
        ["5 ms", "500 µs", "1 µs", "1 s"]


def test_verdict_speaks_of_the_faster_side_and_its_handoffs():
    a_faster = compare_sides([100, 100, 100], [120, 110, 130], [10, 10, 10], [100, 100, 100])
    headline, detail = verdict("A side", "B side", a_faster)
    assert headline == "A side was 1.20× faster than B side, with 0.10× the GIL hand-offs"
    assert "all 3 pairs agree: 1.10×–1.30×" in detail

    b_faster = compare_sides([120, 110, 130], [100, 100, 100], [10, 10, 10], [100, 100, 100])
    headline, _ = verdict("A side", "B side", b_faster)
    assert headline == "B side was 1.20× faster than A side, with 10× the GIL hand-offs"

    unclear = compare_sides([100, 100], [90, 110], [None], [None])
    headline, detail = verdict("A side", "B side", unclear)
    assert headline.startswith("no clear winner")
    assert "hand-offs" not in headline

    one = compare_sides([100], [200], [None], [None])
    assert "the noise is unknown" in verdict("A side", "B side", one)[1]


def test_backends_are_sides_measured_against_one_serial_run_a_round():
    from gilviz.api.workloads import compare_specs
    from gilviz.log import RunSpec
    spec = RunSpec(kernel="pi", backend="threads", workers=4, work=1000, probe=False,
                   python="python3", sample_hz=0)
    field, values, fixed = varied_dimension(
        {"cores": [], "switch_interval_s": [], "python": [],
         "backend": [("threads", 2), ("processes", 2)]})
    specs = compare_specs(spec, field, values, 2)
    assert [(s.role, s.backend, s.workers) for s in specs] == [
        ("baseline", "serial", 1), ("a", "threads", 2), ("b", "processes", 2)] * 2
