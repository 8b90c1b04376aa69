"""Checks a log document, as JSON gives it, before any record is built.

Everything the rest of gilviz takes for granted about a log is checked here,
so that a damaged or hand-edited file fails once, at load, with one error
type and a message that says where (e.g. "runs[0].holds.start_ns[3]") and
what is wrong, rather than somewhere in analysis or drawing:

  - every record has its required keys and no unknown ones, each of its type
    (an int is an int, not a float, a bool or a string);
  - the columns of a table have one length; integers fit their column's dtype;
    a binary column (binary.py) is well-formed base64 of its dtype and length;
    state strings hold one letter a sample, wait codes only known codes;
  - worker indices are 0..n-1 in order, and every table's worker column
    names one of them; an interval ends no earlier than it starts;
  - core utilisation rows all have one length; a sweep plan is sane.
"""

from __future__ import annotations

import json
import string
from collections.abc import Callable, Container, Iterable, Sequence
from typing import Any, NoReturn, Optional, Union

import numpy as np
from numpy.typing import NDArray

from . import binary
from .records import (ROLES, WAIT_IO, WAIT_MUTEX, WAIT_NOT_READ, WAIT_OTHER, WAIT_RUNNING,
                      WAIT_SLEEP, WAIT_TIMED, WAIT_UNREADABLE, WAIT_UNTIMED, FlagReading,
                      Interpreter,
                      ProbeSettings, RunSpec, SamplerStats, SweepPlan, Worker)

KERNELS = ("countdown", "io", "convoy", "pi", "call", "script", "module", "attach")
BACKENDS = ("serial", "threads", "processes", "pool", "dummy-pool")
WAIT_CODES = frozenset((WAIT_MUTEX, WAIT_NOT_READ, WAIT_OTHER, WAIT_RUNNING, WAIT_TIMED,
                        WAIT_UNREADABLE, WAIT_UNTIMED, WAIT_SLEEP, WAIT_IO))
INT_RANGES: dict[str | None, int] = {"int16": 2 ** 15, "int32": 2 ** 31, "int64": 2 ** 63}
"""The bound of an integer column's values, by its dtype in COLUMNS (None,
a column of another kind, has none)."""

Check = Callable[[Any], Optional[str]]
"""A check of one value as JSON gives it: a message if it is wrong, else None."""
Record = Union[RunSpec, Interpreter, ProbeSettings, Worker, SamplerStats, FlagReading, SweepPlan]
"""A record the log holds as a JSON object of its fields."""


class LogError(ValueError):
    """A file or text that is not a valid gilviz log; the message says what is wrong."""


def _reject_constant(name: str) -> NoReturn:
    raise LogError("%s is not JSON (a number must be finite)" % name)


def parse(text: str) -> Any:
    """The JSON document in `text`, refusing NaN and Infinity, which JSON has not."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise LogError("not a gilviz event log (nested too deeply)") from None
    except json.JSONDecodeError as error:
        raise LogError("not JSON: %s" % error) from None


def fail(where: str, what: str) -> NoReturn:
    raise LogError("%s: %s" % (where, what))


# Scalar checks: each returns a message if `value` is wrong, else None.

def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def integer(low: int | None = None) -> Check:
    def check(value: Any) -> str | None:
        if not is_int(value):
            return "expected an integer, got %s" % json.dumps(value)[:40]
        if low is not None and value < low:
            return "expected an integer >= %d, got %d" % (low, value)
        if abs(value) >= INT_RANGES["int64"]:
            return "%d does not fit 64 bits" % value
        return None
    return check


def number(low: float | None = None) -> Check:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "expected a number, got %s" % json.dumps(value)[:40]
        if low is not None and value < low:
            return "expected a number >= %g, got %g" % (low, value)
        return None
    return check


def positive(value: Any) -> str | None:
    problem = number()(value)
    if not problem and value <= 0:
        problem = "expected a number > 0, got %g" % value
    return problem


def text(value: object) -> str | None:
    if not isinstance(value, str):
        return "expected a string, got %s" % json.dumps(value)[:40]
    return None


def boolean(value: object) -> str | None:
    if not isinstance(value, bool):
        return "expected true or false, got %s" % json.dumps(value)[:40]
    return None


def obj(value: object) -> str | None:
    if not isinstance(value, dict):
        return "expected an object, got %s" % json.dumps(value)[:40]
    return None


def one_of(choices: Sequence[str]) -> Check:
    def check(value: object) -> str | None:
        if value not in choices:
            return "expected one of %s, got %s" % (", ".join(choices), json.dumps(value)[:40])
        return None
    return check


def list_of(item: Check, nonempty: bool = False) -> Check:
    def check(value: object) -> str | None:
        if not isinstance(value, list):
            return "expected a list, got %s" % json.dumps(value)[:40]
        if nonempty and not value:
            return "expected a list that is not empty"
        for number_, element in enumerate(value):
            problem = item(element)
            if problem:
                return "[%d]: %s" % (number_, problem)
        return None
    return check


def zero_or_one(value: object) -> str | None:
    if not (is_int(value) and value in (0, 1)):
        return "expected 0 or 1, got %s" % json.dumps(value)[:40]
    return None


def optional(check: Check) -> Check:
    return lambda value: None if value is None else check(value)


RECORDS: dict[type[Record], dict[str, Check]] = {
    RunSpec: {"kernel": one_of(KERNELS), "backend": one_of(BACKENDS), "workers": integer(1),
              "work": integer(0), "probe": boolean, "python": text, "sample_hz": number(0),
              "switch_interval_s": optional(number(0)), "role": one_of(ROLES),
              "params": optional(obj), "cores": optional(list_of(integer(0))),
              "check_interval": optional(integer(1)), "gil": optional(zero_or_one)},
    Interpreter: {"executable": text, "version": text, "implementation": text,
                  "gil_enabled": boolean, "switch_interval_s": optional(number(0)),
                  "cpu_count": integer(1), "affinity": optional(list_of(integer(0))),
                  "pid": integer(0), "check_interval": optional(integer(1)),
                  "free_threaded": optional(boolean)},
    ProbeSettings: {"chunk": integer(1), "gap_ns": integer(0)},
    Worker: {"index": integer(0), "pid": integer(0), "tid": optional(integer(0)),
             "work": integer(0), "start_ns": optional(integer()),
             "stop_ns": optional(integer()), "cpu_ns": optional(integer(0)),
             "error": optional(text), "result": optional(obj), "name": optional(text),
             "sleeps": optional(integer(0))},
    SamplerStats: {"requested_hz": positive, "achieved_hz": number(0), "ticks": integer(0),
                   "max_interval_ns": integer(0), "late_ticks": integer(0),
                   "cpu_ns": integer(0), "cores": optional(list_of(integer(0))),
                   "nice": optional(integer(-20)), "cpu_wait_ns": optional(integer(0))},
    FlagReading: {"requested_hz": positive, "reads": integer(0), "cpu_ns": optional(integer(0)),
                  "code": list_of(text), "failure": optional(text)},
    SweepPlan: {"backends": list_of(one_of(BACKENDS[1:]), nonempty=True),
                "worker_counts": list_of(integer(1), nonempty=True), "repeat": integer(1),
                "warmup": integer(0)},
}


def only_known(data: Any, known: Container[str], where: str, noun: str) -> None:
    """Check `data` is an object whose keys are all in `known`."""
    problem = obj(data)
    if problem:
        fail(where, problem)
    for key in data:
        if key not in known:
            fail(where, "unknown %s %r" % (noun, key))


def record(cls: type[Record], data: Any, where: str) -> None:
    """Check `data` is an object with the keys of `cls`, each of the right type."""
    checks = RECORDS[cls]
    only_known(data, checks, where, "key")
    for key, check in checks.items():
        if key not in data:
            if key in cls._field_defaults:
                continue
            fail(where, "missing key %r" % key)
        problem = check(data[key])
        if problem:
            fail("%s.%s" % (where, key), problem)


# Table columns: (kind, dtype), kind one of "int", "float", "str", "states", "waits".
COLUMNS: dict[str, dict[str, tuple[str, str | None]]] = {
    "holds": {"worker": ("int", "int32"), "start_ns": ("int", "int64"),
              "stop_ns": ("int", "int64"), "cpu_wait_ns": ("int", "int64")},
    "marks": {"worker": ("int", "int32"), "t_ns": ("int", "int64"), "kind": ("str", None),
              "value": ("float", None)},
    "threads": {"t_ns": ("int", "int64"), "worker": ("int", "int32"), "state": ("states", None),
                "cpu": ("int", "int16"), "cpu_ticks": ("int", "int64"),
                "wait": ("waits", None), "run_delay_ns": ("int", "int64")},
    "processes": {"t_ns": ("int", "int64"), "pid": ("int", "int64"),
                  "user_s": ("float", None), "system_s": ("float", None),
                  "cpu": ("int", "int16")},
    "cores": {"t_ns": ("int", "int64"), "percent": ("matrix", None)},
    "load": {"t_ns": ("int", "int64"), "busy": ("float", None), "target": ("float", None),
             "gilviz": ("float", None), "other": ("float", None), "steal": ("float", None)},
    "gil_flags": {"t_ns": ("int", "int64"), "worker": ("int", "int32"),
                  "status": ("int", "int16"), "code": ("int", "int32")},
}
OPTIONAL_TABLES = ("load", "gil_flags")
"""Tables a run may lack (null or absent): not measured, as in format 1.0."""


def _letters(allowed: Iterable[str]) -> NDArray[np.bool_]:
    """A table of the byte values allowed in a string column."""
    table_ = np.zeros(256, bool)
    table_[[ord(letter) for letter in allowed]] = True
    return table_


LETTERS = _letters(string.ascii_letters)
WAIT_LETTERS = _letters(WAIT_CODES)


def codes(values: object, allowed: NDArray[np.bool_], where: str) -> str:
    """Check a string of one letter a sample, all in the table `allowed`;
    returns it."""
    if not isinstance(values, str):
        fail(where, "expected a string of one letter a sample")
    if not values.isascii():
        position = next(i for i, letter in enumerate(values) if not letter.isascii())
        fail("%s[%d]" % (where, position), "unknown code %r" % values[position])
    bad = np.flatnonzero(~allowed[np.frombuffer(values.encode("ascii"), np.uint8)])
    if len(bad):
        fail("%s[%d]" % (where, bad[0]), "unknown code %r" % values[bad[0]])
    return values


def column(values: Any, kind: str, dtype: str | None,
           where: str) -> list[Any] | str | NDArray[Any]:
    """Check one column; returns it, a binary one decoded into a numpy array."""
    if kind in ("states", "waits"):
        return codes(values, WAIT_LETTERS if kind == "waits" else LETTERS, where)
    if kind in ("int", "float") and binary.is_binary(values):
        decoded = binary.decode(values, kind)
        if isinstance(decoded, str):
            fail(where, decoded)
        limit = INT_RANGES.get(dtype)
        if limit is not None and len(decoded) and not (
                -limit <= decoded.min() and decoded.max() < limit):
            position = int(np.flatnonzero((decoded < -limit) | (decoded >= limit))[0])
            fail("%s[%d]" % (where, position), "%d does not fit %s" % (decoded[position], dtype))
        return decoded
    if not isinstance(values, list):
        fail(where, "expected a list")
    if kind == "matrix":
        width = None
        for position, row in enumerate(values):
            problem = list_of(optional(number()))(row)
            if problem:
                fail("%s[%d]" % (where, position), problem)
            if width is not None and len(row) != width:
                fail("%s[%d]" % (where, position),
                     "a row of %d values among rows of %d" % (len(row), width))
            width = len(row)
        return values
    check = {"int": integer(), "float": optional(number()), "str": text}[kind]
    limit = INT_RANGES.get(dtype)
    for position, value in enumerate(values):
        problem = check(value)
        if not problem and limit is not None and not -limit <= value < limit:
            problem = "%d does not fit %s" % (value, dtype)
        if problem:
            fail("%s[%d]" % (where, position), problem)
    return values


def table(name: str, data: dict[str, Any], workers: int, where: str) -> None:
    """Check one table: its columns, their types and their common length.
    Binary columns are replaced in `data` by the arrays they hold."""
    columns = COLUMNS[name]
    only_known(data, columns, where, "column")
    length = None
    for key, (kind, dtype) in columns.items():
        if key not in data:
            fail(where, "missing column %r" % key)
        data[key] = column(data[key], kind, dtype, "%s.%s" % (where, key))
        if length is not None and len(data[key]) != length:
            fail("%s.%s" % (where, key), "%d values in a table of %d rows"
                 % (len(data[key]), length))
        length = len(data[key])
    if "worker" in data and length:
        index = np.asarray(data["worker"], np.int64)
        bad = np.flatnonzero((index < 0) | (index >= workers))
        if len(bad):
            fail("%s.worker[%d]" % (where, bad[0]), "no worker %d in this run" % index[bad[0]])
    if name == "holds" and length:
        bad = np.flatnonzero(np.asarray(data["stop_ns"], np.int64)
                             < np.asarray(data["start_ns"], np.int64))
        if len(bad):
            fail("%s[%d]" % (where, bad[0]), "an interval that ends before it starts")


RUN_KEYS = ("spec", "interpreter", "probe", "started_at", "release_ns", "end_ns", "workers",
            "holds", "marks", "threads", "processes", "cores", "sampler", "load", "gil_flags",
            "flag_reading")


def run(data: Any, where: str) -> None:
    problem = obj(data)
    if problem:
        fail(where, problem)
    for key in data:
        if key not in RUN_KEYS:
            fail(where, "unknown key %r" % key)
    for key in RUN_KEYS:
        if key not in data and key not in OPTIONAL_TABLES + ("flag_reading",):
            fail(where, "missing key %r" % key)
    record(RunSpec, data["spec"], where + ".spec")
    record(Interpreter, data["interpreter"], where + ".interpreter")
    if data["probe"] is not None:
        record(ProbeSettings, data["probe"], where + ".probe")
    if data["sampler"] is not None:
        record(SamplerStats, data["sampler"], where + ".sampler")
    if data.get("flag_reading") is not None:
        record(FlagReading, data["flag_reading"], where + ".flag_reading")
    for key, check in (("started_at", text), ("release_ns", integer()), ("end_ns", integer())):
        problem = check(data[key])
        if problem:
            fail("%s.%s" % (where, key), problem)
    workers = data["workers"]
    if not isinstance(workers, list) or len(workers) != data["spec"]["workers"]:
        fail(where + ".workers", "expected a list of the %d workers of the spec"
             % data["spec"]["workers"])
    for position, worker in enumerate(workers):
        at = "%s.workers[%d]" % (where, position)
        record(Worker, worker, at)
        if worker["index"] != position:
            fail(at + ".index", "worker %d in place %d" % (worker["index"], position))
        if worker["start_ns"] is not None and worker["stop_ns"] is not None \
                and worker["stop_ns"] < worker["start_ns"]:
            fail(at, "stops before it starts")
    for name in COLUMNS:
        if name in OPTIONAL_TABLES and data.get(name) is None:
            continue
        table(name, data[name], len(workers), "%s.%s" % (where, name))


def validate(document: dict[str, Any]) -> None:
    """Raise LogError if the document (format and version already checked) is not a valid log."""
    for key, check in (("tool_version", text), ("created", text), ("runs", list_of(obj))):
        if key not in document:
            fail("log", "missing key %r" % key)
        problem = check(document[key])
        if problem:
            fail(key, problem)
    for key in document:
        if key not in ("format", "format_version", "tool_version", "created", "runs", "sweep",
                       "incomplete"):
            fail("log", "unknown key %r" % key)
    if document.get("incomplete") is not None:
        problem = text(document["incomplete"])
        if problem:
            fail("incomplete", problem)
    if document.get("sweep") is not None:
        record(SweepPlan, document["sweep"], "sweep")
    for position, data in enumerate(document["runs"]):
        run(data, "runs[%d]" % position)
