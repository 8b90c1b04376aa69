"""Values that look like numbers but are not what anyone means, values
argparse took for options, a file that is no log: each refused in one line
(exit status 2 on the command line) before anything runs or is read whole."""

import os
import tracemalloc

import pytest

from helpers import refused
from gilviz.analysis.caveats import RunsLeftOut
from gilviz.api import chart_options, options
from gilviz.api.options import OptionError
from gilviz.log import LogError, load
from gilviz.report.words import caveat_text

FULL_WIDTH_FOUR = "\uff14"
"""'４': int() reads it as 4."""



@pytest.mark.parametrize("argv", [
    ["countdown", "--threads", FULL_WIDTH_FOUR],
    ["countdown", "--count", "1e" + FULL_WIDTH_FOUR],
    ["countdown", "--switch-interval", FULL_WIDTH_FOUR + "ms"],
    ["countdown", "--timeout", FULL_WIDTH_FOUR + "s"],
    ["countdown", "--sample-hz", FULL_WIDTH_FOUR],
    ["countdown", "--repeat", FULL_WIDTH_FOUR],
    ["countdown", "--cores", FULL_WIDTH_FOUR],
    ["pi", "--samples", FULL_WIDTH_FOUR + "000", "--seed", "1"],
    ["speedup", "countdown", "--workers", "1-" + FULL_WIDTH_FOUR],
    ["attach", FULL_WIDTH_FOUR],
    ["render", "RUN", "--size", "1920x108" + FULL_WIDTH_FOUR],
    ["render", "RUN", "--workers", FULL_WIDTH_FOUR],
])
def test_only_ascii_digits_make_a_number(argv, capsys):
    line = refused(argv, capsys)
    assert "write it in ASCII digits (0-9)" in line
    assert "(see gilviz %s --help)" % argv[0] in line


def test_the_api_refuses_them_too():
    for parse in (options.worker_count, options.work_size, options.sample_rate,
                  options.duration, chart_options.dots_per_inch):
        with pytest.raises(OptionError, match="ASCII digits"):
            parse("1" + FULL_WIDTH_FOUR)


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="no os.sched_getaffinity here")
def test_a_core_named_twice_is_refused(capsys):
    first = min(os.sched_getaffinity(0))
    line = refused(["countdown", "--cores", "%d,%d,%d" % (first, first, first)], capsys)
    assert "core %d named more than once" % first in line


def test_a_worker_named_twice_is_refused():
    with pytest.raises(OptionError, match="worker 1 named more than once"):
        chart_options.worker_set("0-2,1")


@pytest.mark.parametrize("argv, words", [
    (["countdown", "--switch-interval", "-5ms"], "-5ms: the switch interval must be positive"),
    (["countdown", "--switch-interval=-5ms"], "-5ms: the switch interval must be positive"),
    (["compare", "countdown", "--switch-interval", "-1ms", "--switch-interval", "5ms"],
     "-1ms: the switch interval must be positive"),
    (["countdown", "--count", "-1e6"], "-1e6: give 1 to"),
    (["countdown", "--timeout", "-.5s"], "-.5s: give more than 0"),
    (["render", "RUN", "--window", "-5:10ms"], "give 0 <= BEGIN < END"),
])
def test_a_negative_value_reaches_its_option_and_is_refused_with_a_reason(argv, words, capsys):
    line = refused(argv, capsys)
    assert words in line and "expected one argument" not in line


def test_one_run_left_out_is_one_run():
    assert caveat_text(RunsLeftOut(1)) == "1 run left out: a worker failed"
    assert caveat_text(RunsLeftOut(2)) == "2 runs left out: a worker failed"


def test_a_large_file_that_is_no_log_is_refused_before_it_is_read(tmp_path):
    zeros = tmp_path / "zeros.bin"
    with open(zeros, "wb") as stream:
        stream.truncate(200 * 2**20)  # sparse: 200 MB of zeros, no disk used
    tracemalloc.start()
    try:
        with pytest.raises(LogError, match="zeros.bin: not a gilviz event log: it does not "
                                           "begin with a JSON object"):
            load(str(zeros))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**20


@pytest.mark.parametrize("text, words", [
    ("", "it is empty"),
    ('{"traceEvents": []}', 'do not name the format "gilviz-log"'),
    ("  \n[1, 2]", "it does not begin with a JSON object"),
])
def test_what_a_file_that_is_no_log_begins_with_is_named(tmp_path, text, words):
    path = tmp_path / "run.json"
    path.write_text(text)
    with pytest.raises(LogError, match=words):
        load(str(path))
