"""The event log's file format: round trip, version refusal, atomic save."""

import json
import os

import numpy as np
import pytest

from gilviz import log
from gilviz.log import dumps, load, loads, new_log, new_run_dir, save

from helpers import MS, samples_table


def assert_runs_equal(loaded, original):
    for field in original._fields:
        a, b = getattr(loaded, field), getattr(original, field)
        if hasattr(b, "_fields") and any(isinstance(getattr(b, f), np.ndarray) for f in b._fields):
            for column in b._fields:
                np.testing.assert_array_equal(getattr(a, column), getattr(b, column))
                assert getattr(a, column).dtype == getattr(b, column).dtype
        else:
            assert a == b, field


def test_round_trip_keeps_every_field_and_dtype(battle):
    run = battle._replace(threads=samples_table([(1, 0, "R"), (2, 1, "S"), (3, 0, "D")]))
    loaded = loads(dumps(new_log([run])))
    assert len(loaded.runs) == 1
    assert_runs_equal(loaded.runs[0], run)


def test_nan_is_stored_as_null_and_read_back_as_nan(battle):
    from gilviz.log import CoreSamples
    cores = CoreSamples(np.asarray([0, 5], np.int64),
                        np.asarray([[np.nan, np.nan], [50, 100]], np.float32))
    text = dumps(new_log([battle._replace(cores=cores)]))
    assert "NaN" not in text and "[null,null]" in text
    loaded = loads(text).runs[0].cores.percent
    assert np.isnan(loaded[0]).all() and loaded[1].tolist() == [50, 100]


def test_states_are_stored_as_one_string(battle):
    run = battle._replace(threads=samples_table([(1, 0, "R"), (2, 1, "S")]))
    document = json.loads(dumps(new_log([run])))
    assert document["runs"][0]["threads"]["state"] == "RS"
    assert document["format_version"] == log.LOG_FORMAT_VERSION


def test_unknown_version_is_refused_with_a_clear_message(battle):
    document = json.loads(dumps(new_log([battle])))
    document["format_version"] = "9.9"
    with pytest.raises(ValueError, match="file format version '9.9' not supported"):
        loads(json.dumps(document))


def test_other_json_is_not_a_log():
    with pytest.raises(ValueError, match="not a gilviz event log"):
        loads('{"runs": []}')


def test_save_and_load(tmp_path, battle):
    path = str(tmp_path / "run.json")
    save(new_log([battle, battle._replace(spec=battle.spec._replace(role="baseline"))]), path)
    assert os.listdir(tmp_path) == ["run.json"]  # no partial file left behind
    loaded = load(path)
    assert loaded.find("baseline").spec.role == "baseline"
    assert loaded.find("main").workers[0].stop_ns == 15 * MS
    assert loaded.find("nothing") is None


def test_new_run_dir_never_reuses_a_directory(tmp_path):
    first = new_run_dir(str(tmp_path), "countdown-threads4")
    second = new_run_dir(str(tmp_path), "countdown-threads4")
    assert first != second and os.path.isdir(first) and os.path.isdir(second)


def a_load_table():
    from gilviz.log import LoadSamples
    nan = np.nan
    return LoadSamples(t_ns=np.asarray([-5, 50 * MS, 100 * MS], np.int64),
                       busy=np.asarray([nan, 1.5, 2.0]), target=np.asarray([nan, 0.9, 1.0]),
                       gilviz=np.asarray([nan, 0.05, 0.04]), other=np.asarray([nan, 0.55, 0.96]),
                       steal=np.asarray([nan, 0.0, 0.0]))


def test_other_load_round_trips(battle):
    run = battle._replace(load=a_load_table())
    loaded = loads(dumps(new_log([run]))).runs[0]
    assert_runs_equal(loaded, run)


def test_a_1_0_file_is_read_with_load_not_measured(battle):
    document = json.loads(dumps(new_log([battle._replace(load=a_load_table())])))
    document["format_version"] = "1.0"
    del document["runs"][0]["load"]
    assert loads(json.dumps(document)).runs[0].load is None


def test_a_malformed_load_table_is_a_log_error(battle):
    document = json.loads(dumps(new_log([battle._replace(load=a_load_table())])))
    document["runs"][0]["load"]["other"].append(1.0)
    with pytest.raises(log.LogError, match=r"runs\[0\].load.other: 4 values in a table of 3"):
        loads(json.dumps(document))


@pytest.mark.parametrize("values", [
    np.asarray([5, 3, 2 ** 62, -2 ** 63, 2 ** 63 - 1, 0], np.int64),  # deltas would overflow
    np.arange(0, 10 ** 12, 10 ** 9, dtype=np.int64),
    np.asarray([], np.int16),
    np.asarray([1.5, np.nan, -0.0]),
])
def test_binary_columns_round_trip_exactly(values):
    from gilviz.log import binary
    kind = "float" if values.dtype.kind == "f" else "int"
    np.testing.assert_array_equal(binary.decode(binary.encode(values), kind), values)


def test_long_columns_are_binary_and_short_ones_lists(battle):
    from gilviz.log import binary
    many = samples_table([(t, t % 2, "RS"[t % 2]) for t in range(binary.BINARY_MIN_ROWS)])
    run = battle._replace(threads=many)
    document = json.loads(dumps(new_log([run])))
    assert document["runs"][0]["threads"]["t_ns"]["dtype"] == "<i1"  # deltas of 1
    assert isinstance(document["runs"][0]["holds"]["start_ns"], list)
    assert_runs_equal(loads(json.dumps(document)).runs[0], run)


@pytest.mark.parametrize("damage, message", [
    (lambda column: column.update(base64="!!!"), "not valid base64"),
    (lambda column: column.update(length=column["length"] + 1), "bytes for"),
    (lambda column: column.update(dtype="<f8"), "is not one of"),
    (lambda column: column.pop("delta"), "a binary column has the keys"),
])
def test_a_malformed_binary_column_is_a_log_error(battle, damage, message):
    document = json.loads(dumps(new_log([battle]), binary_min_rows=0))
    damage(document["runs"][0]["holds"]["start_ns"])
    with pytest.raises(log.LogError, match=r"runs\[0\].holds.start_ns: .*" + message):
        loads(json.dumps(document))


def test_binary_columns_written_apart_from_json_dumps_make_the_same_document(battle, tmp_path):
    from gilviz.log import binary
    many = samples_table([(t, t % 2, "RS"[t % 2]) for t in range(binary.BINARY_MIN_ROWS)])
    run = battle._replace(threads=many)
    text = dumps(new_log([run]), binary_min_rows=0)
    column = json.loads(text)["runs"][0]["threads"]["t_ns"]
    assert column["base64"] == binary.encode(many.t_ns)["base64"]
    # A string that looks like a token in json.dumps' output takes the plain path.
    tricky = run._replace(workers=tuple(w._replace(error="\x000") for w in run.workers))
    assert_runs_equal(loads(dumps(new_log([tricky]), binary_min_rows=0)).runs[0], tricky)
    save(new_log([tricky]), str(tmp_path / "run.json"))
    assert_runs_equal(load(str(tmp_path / "run.json")).runs[0], tricky)


def test_the_named_roles_are_the_roles_a_log_may_hold():
    from gilviz.log import ROLES, Role
    named = [value for key, value in vars(Role).items() if key.isupper()]
    flat = {role for value in named for role in (value if isinstance(value, tuple) else (value,))}
    assert flat == set(ROLES)
