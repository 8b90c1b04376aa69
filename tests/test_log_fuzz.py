"""Damaged logs: every mutant of a small valid log either loads, and then
analysis and the trace export work on it, or load raises LogError.

The mutations are seeded, so a failure is reproducible: the assertion names
the mutant's number and what was done to it.
"""

import json
import random

import numpy as np
import pytest

from gilviz.analysis import summarize
from gilviz.log import (CoreSamples, LoadSamples, LogError, Marks, ProcessSamples, SweepPlan,
                        dumps, load,
                        loads, new_log)
from gilviz.render.trace import trace_events

from helpers import MS, make_run

SEED = 20260101
MUTANTS = 600
WRONG_VALUES = ["abc", "", 1.5, -1, 0, None, [], {}, True, 2 ** 70, [1, 2], {"x": 1}]


def small_log():
    """Two runs with a row in every table, and a sweep plan."""
    run = make_run([(0, 15 * MS), (50_000, 10 * MS)],
                   holds=[(0, 0, 5 * MS, 0), (1, 5 * MS + 50_000, 10 * MS, 0),
                          (0, 10 * MS + 50_000, 15 * MS, -1)],
                   samples=[(1 * MS, 0, "R"), (2 * MS, 1, "S"), (6 * MS, 1, "R"), (7 * MS, 0, "S")])
    run = run._replace(
        marks=Marks(np.asarray([0, 1], np.int32), np.asarray([MS, 2 * MS], np.int64),
                    np.asarray(["native", "native_end"]), np.asarray([np.nan, 5.0])),
        processes=ProcessSamples(np.asarray([0, 5 * MS], np.int64), np.asarray([100, 100]),
                                 np.asarray([0.0, 0.01]), np.asarray([0.0, 0.0]),
                                 np.asarray([0, 1], np.int16)),
        cores=CoreSamples(np.asarray([0, 5 * MS], np.int64),
                          np.asarray([[np.nan, np.nan], [50, 100]], np.float32)),
        load=LoadSamples(np.asarray([0, 5 * MS], np.int64), *(
            np.asarray([np.nan, value]) for value in (1.5, 0.9, 0.05, 0.55, 0.0))))
    baseline = make_run([(0, 12 * MS)], backend="serial", role="baseline", probe=False)
    plan = SweepPlan(backends=["threads"], worker_counts=[2], repeat=1, warmup=0)
    return new_log([baseline, run], sweep=plan)


def places(node, path=()):
    """Every (path, container, key) in a JSON document."""
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        yield path + (key,), node, key
        if isinstance(value, (dict, list)):
            yield from places(value, path + (key,))


def mutate(document, text, rng):
    """(description, bytes) of one mutant."""
    how = rng.choice(["truncate", "flip", "remove", "retype", "lengthen", "nan", "nest"])
    data = text.encode()
    if how == "truncate":
        cut = rng.randrange(len(data))
        return "truncated at %d" % cut, data[:cut]
    if how == "flip":
        data = bytearray(data)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(data))
            data[at] = rng.randrange(256)
        return "bytes flipped", bytes(data)
    document = json.loads(text)
    path, container, key = rng.choice(list(places(document)))
    if how == "remove":
        del container[key]
    elif how == "retype":
        container[key] = rng.choice(WRONG_VALUES)
    elif how == "lengthen":
        lists = [(p, c, k) for p, c, k in places(document) if isinstance(c[k], (list, str))]
        path, container, key = rng.choice(lists)
        container[key] = container[key] + (container[key][-1:] or "R" if isinstance(
            container[key], str) else [rng.choice([0, 1, 2.5, None, "x"])])
    elif how == "nan":
        container[key] = rng.choice([float("nan"), float("inf"), -float("inf")])
    else:
        depth = rng.choice([50, 5000, 100000])
        return "nested %d deep at %s" % (depth, path), (
            text[:-1] + ',"deep":' + "[" * depth + "]" * depth + "}").encode()
    return "%s %s" % (how, "/".join(map(str, path))), json.dumps(document).encode()


def test_the_small_log_is_valid_and_works(tmp_path):
    path = tmp_path / "run.json"
    path.write_text(dumps(small_log()))
    for run in load(str(path)).runs:
        trace_events(run, summarize(run))


@pytest.mark.parametrize("binary_min_rows", [None, 0], ids=["lists", "binary"])
def test_every_mutant_loads_and_works_or_raises_log_error(tmp_path, binary_min_rows):
    """Once with every column a list, once with every numeric one binary."""
    rng = random.Random(SEED)
    text = dumps(small_log(), binary_min_rows=binary_min_rows)
    document = json.loads(text)
    path = tmp_path / "run.json"
    outcomes = {"loaded": 0, "refused": 0}
    for number in range(MUTANTS):
        what, data = mutate(document, text, rng)
        path.write_bytes(data)
        try:
            log = load(str(path))
        except LogError as error:
            assert str(path) in str(error), (number, what, error)
            outcomes["refused"] += 1
            continue
        except Exception as error:  # anything but LogError is a miss of validation
            pytest.fail("mutant %d (%s): load raised %r" % (number, what, error))
        try:
            for run in log.runs:
                trace_events(run, summarize(run))
            dumps(log)
        except Exception as error:
            pytest.fail("mutant %d (%s) loaded, then analysis raised %r" % (number, what, error))
        outcomes["loaded"] += 1
    assert outcomes["refused"] > MUTANTS / 2 and outcomes["loaded"] > 0, outcomes


@pytest.mark.parametrize("text, message", [
    ("", "not JSON"),
    ("[]", "not a gilviz event log"),
    ('{"format": "gilviz-log", "format_version": "1.0", "x": NaN}', "NaN is not JSON"),
    ("[" * 100000 + "]" * 100000, "nested too deeply"),
])
def test_malformed_text_is_a_log_error(text, message):
    with pytest.raises(LogError, match=message):
        loads(text)


def test_the_message_says_where_and_what(tmp_path):
    document = json.loads(dumps(small_log()))
    document["runs"][1]["holds"]["start_ns"].append(1)
    path = tmp_path / "run.json"
    path.write_text(json.dumps(document))
    with pytest.raises(LogError, match=r"run.json: runs\[1\].holds.start_ns: 4 values in a "
                                       r"table of 3 rows"):
        load(str(path))
    document = json.loads(dumps(small_log()))
    document["runs"][0]["workers"][0]["pid"] = "abc"
    with pytest.raises(LogError, match=r"runs\[0\].workers\[0\].pid: expected an integer"):
        loads(json.dumps(document))
