"""The log's file format: one JSON document, versioned.

Tables are stored column-wise and loaded back as numpy arrays: a short
column as a list, NaN as null, as JSON has none; a long numeric one as base64
of its binary values (binary.py); thread states as one string, a character a
sample.

Loading validates the whole document first (validate.py): a file that is
not a well-formed log raises LogError, naming the file and what is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import IO, Any, NamedTuple, TypeVar, Union

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

from . import binary
from .binary import BINARY_MIN_ROWS
from .files import atomic_write
from .validate import LogError, parse, validate
from .records import (CoreSamples, FlagReading, GilFlags, Holds, Interpreter, LoadSamples, Marks,
                      ProbeSettings, ProcessSamples, Run, RunLog, RunSpec, SamplerStats,
                      SweepPlan, ThreadSamples, Worker)

LOG_FORMAT_VERSION = "1.3"
# History of LOG_FORMAT_VERSION:
#   1.0  runs with spec, interpreter, probe settings, workers, probe holds,
#        thread / process / core samples and sampler statistics; kernel
#        marks; an optional sweep plan (speedup sweeps). Unreleased, so
#        fields were added without a new version: among them RunSpec.cores
#        (pinning), SamplerStats.cores (where the sampler ran), the roles
#        "a", "b", "alone" and "beside-cpu", and the thread samples' run_delay
#        and what a sleeping thread waited on.
#   1.1  runs gain `load`: the machine's CPU use, other processes' included,
#        every 50 ms; numeric columns of BINARY_MIN_ROWS rows or more are
#        stored as base64 of little-endian values, integers as deltas in
#        the narrowest type (binary.py). 1.0 files are read with load None
#        (not measured). Also new in 1.1, each with a default so that 1.0
#        files read as they were: RunLog.incomplete; RunSpec.check_interval
#        and gil; Interpreter.check_interval and free_threaded (and
#        switch_interval_s null on Python 2); Worker.name; SamplerStats.nice
#        and cpu_wait_ns; the roles "c", "d" and "share"; the kernels of
#        programs ("script", "module", "call", "attach"); the wait codes "z"
#        (a sleep) and "i" (I/O); the mark kinds of sharing.
#   1.2  Worker.sleeps: a worker thread's voluntary context switches over its
#        run (the old GIL's failed wake-ups are counted from them); None in
#        the files before.
#   1.3  runs gain `gil_flags` and `flag_reading`: the interpreter's own GIL
#        flags (CPython 3.15+) and how they were read; null or absent where
#        they were not (as in every file before).
SUPPORTED_VERSIONS = ("1.0", "1.1", "1.2", "1.3")
BLOB_TOKEN = "\x00%d"
BLOB_MARK = '"\\u0000'
"""How json.dumps writes the start of a BLOB_TOKEN string."""

Table = Union[Holds, Marks, ThreadSamples, ProcessSamples, CoreSamples, LoadSamples, GilFlags]
"""A table of a run: a NamedTuple of numpy columns of one length."""
TableT = TypeVar("TableT", Holds, Marks, ThreadSamples, ProcessSamples, CoreSamples, LoadSamples,
                 GilFlags)
RecordT = TypeVar("RecordT", ProbeSettings, SamplerStats, FlagReading, SweepPlan)
EncodedColumn = Union[list[Any], binary.BinaryColumn, str]
"""A column as it goes to JSON: a list, a binary object (binary.py) or a
string of one letter a row."""


class Codec(NamedTuple):
    """How one column of a table goes to JSON and back."""

    encode: Callable[[NDArray[Any], int | None], EncodedColumn]
    """The column as it goes to JSON; in binary form from the number of rows
    given (None: never)."""
    decode: Callable[[Any], NDArray[Any]]
    """The array of a column as validation left it: a list, a string of one
    letter a row, or the array of a binary column."""


def _encode_numbers(array: NDArray[Any], binary_min_rows: int | None = None) -> EncodedColumn:
    """Lists for JSON, NaN as null, as JSON has no NaN; a binary object
    (binary.py) for a column of `binary_min_rows` rows or more."""
    if binary_min_rows is not None and len(array) >= binary_min_rows and array.ndim == 1 \
            and array.dtype.kind in "iuf":
        return binary.encode(array)
    if array.dtype.kind == "f" and np.isnan(array).any():
        # numpy's stubs leave None out of where()'s array-likes; numpy takes
        # it as any other object.
        array = np.where(np.isnan(array), None,  # type: ignore[call-overload]
                         array.astype(object))
    values: list[Any] = array.tolist()
    return values


def _column(dtype: npt.DTypeLike) -> Codec:
    return Codec(_encode_numbers, lambda values: np.asarray(values, dtype=dtype))


def _decode_matrix(values: list[list[float | None]]) -> NDArray[np.float32]:
    rows = np.asarray(values, dtype=np.float32)  # null -> NaN
    return rows.reshape(len(values), -1) if len(values) else np.zeros((0, 0), np.float32)


_matrix = Codec(lambda array, binary_min_rows: _encode_numbers(array), _decode_matrix)
# One character a sample, stored as one string: "RRSR...". Validation has
# made sure it is ASCII.
# Converted through the code points: numpy's string casts (S1 <-> U1) took
# over a second for 3.5M samples.
def _encode_states(array: NDArray[np.str_], binary_min_rows: int | None = None) -> str:
    return array.view(np.uint32).astype(np.uint8).tobytes().decode("ascii")


def _decode_states(text: str) -> NDArray[np.str_]:
    if not len(text):
        return np.zeros(0, "<U1")
    return np.frombuffer(text.encode("ascii"), np.uint8).astype(np.uint32).view("<U1")


_states = Codec(_encode_states, _decode_states)


TABLE_COLUMNS: dict[type[Table], dict[str, Codec]] = {
    Holds: {"worker": _column(np.int32), "start_ns": _column(np.int64),
            "stop_ns": _column(np.int64), "cpu_wait_ns": _column(np.int64)},
    Marks: {"worker": _column(np.int32), "t_ns": _column(np.int64), "kind": _column(str),
            "value": _column(np.float64)},
    ThreadSamples: {"t_ns": _column(np.int64), "worker": _column(np.int32), "state": _states,
                    "cpu": _column(np.int16), "cpu_ticks": _column(np.int64),
                    "wait": _states, "run_delay_ns": _column(np.int64)},
    ProcessSamples: {"t_ns": _column(np.int64), "pid": _column(np.int64),
                     "user_s": _column(np.float64), "system_s": _column(np.float64),
                     "cpu": _column(np.int16)},
    CoreSamples: {"t_ns": _column(np.int64), "percent": _matrix},
    LoadSamples: {"t_ns": _column(np.int64), "busy": _column(np.float64),
                  "target": _column(np.float64), "gilviz": _column(np.float64),
                  "other": _column(np.float64), "steal": _column(np.float64)},
    GilFlags: {"t_ns": _column(np.int64), "worker": _column(np.int32),
               "status": _column(np.int16), "code": _column(np.int32)},
}


def empty_table(cls: type[TableT]) -> TableT:
    return cls(**{name: codec.decode([]) for name, codec in TABLE_COLUMNS[cls].items()})


def _encode(value: Any, binary_min_rows: int | None, blobs: list[str]) -> Any:
    """`value` (a log, or a record, table, list or value in one) as JSON-ready
    objects; each binary column's base64 text is put in `blobs`, leaving a
    token BLOB_TOKEN % its index in its place."""
    if type(value) in TABLE_COLUMNS:
        columns = TABLE_COLUMNS[type(value)]
        encoded = {name: columns[name].encode(column, binary_min_rows)
                   for name, column in value._asdict().items()}
        for column in encoded.values():
            if binary.is_binary(column):
                blobs.append(column["base64"])
                column["base64"] = BLOB_TOKEN % (len(blobs) - 1)
        return encoded
    if hasattr(value, "_asdict"):
        return {key: _encode(item, binary_min_rows, blobs)
                for key, item in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [_encode(item, binary_min_rows, blobs) for item in value]
    return value


def _table(cls: type[TableT], data: dict[str, Any]) -> TableT:
    columns = TABLE_COLUMNS[cls]
    return cls(**{name: columns[name].decode(data[name]) for name in cls._fields})


def _optional(cls: type[RecordT], data: dict[str, Any] | None) -> RecordT | None:
    return None if data is None else cls(**data)


def _run(data: dict[str, Any]) -> Run:
    return Run(
        spec=RunSpec(**data["spec"]),
        interpreter=Interpreter(**data["interpreter"]),
        probe=_optional(ProbeSettings, data["probe"]),
        started_at=data["started_at"],
        release_ns=data["release_ns"],
        end_ns=data["end_ns"],
        workers=tuple(Worker(**worker) for worker in data["workers"]),
        holds=_table(Holds, data["holds"]),
        marks=_table(Marks, data["marks"]),
        threads=_table(ThreadSamples, data["threads"]),
        processes=_table(ProcessSamples, data["processes"]),
        cores=_table(CoreSamples, data["cores"]),
        sampler=_optional(SamplerStats, data["sampler"]),
        load=None if data.get("load") is None else _table(LoadSamples, data["load"]),
        gil_flags=None if data.get("gil_flags") is None else _table(GilFlags,
                                                                      data["gil_flags"]),
        flag_reading=_optional(FlagReading, data.get("flag_reading")),
    )


def _pieces(log: RunLog, binary_min_rows: int | None) -> list[str]:
    """The log's JSON text as a list of ASCII strings, which joined make
    the document.

    The base64 of the binary columns (tens of MB for a million holds) does
    not go through json.dumps, which would scan and copy it again: each one
    is left out as a token and written in its place. A token is a string
    json.dumps writes as "\\u0000<n>"; should any other string of the log
    look the same, the whole document goes through json.dumps instead.
    """
    blobs: list[str] = []
    document = {"format": "gilviz-log", "format_version": LOG_FORMAT_VERSION}
    document.update(_encode(log, binary_min_rows, blobs))
    text = json.dumps(document, separators=(",", ":"), allow_nan=False)
    parts = text.split(BLOB_MARK)
    if len(parts) == len(blobs) + 1 and all(
            part.startswith('%d"' % index) for index, part in enumerate(parts[1:])):
        pieces = [parts[0]]
        for index, (blob, part) in enumerate(zip(blobs, parts[1:])):
            pieces += ['"', blob, part[len(str(index)):]]
        return pieces
    for column, blob in zip(_binary_columns(document), blobs):
        column["base64"] = blob
    return [json.dumps(document, separators=(",", ":"), allow_nan=False)]


def _binary_columns(value: object) -> Iterator[dict[str, Any]]:
    """The binary column objects in an encoded document, in the order
    _encode made them."""
    if isinstance(value, dict):
        if binary.is_binary(value) and set(value) == set(binary.KEYS):
            yield value
            return
        for item in value.values():
            yield from _binary_columns(item)
    elif isinstance(value, list):
        for item in value:
            yield from _binary_columns(item)


def dumps(log: RunLog, binary_min_rows: int | None = BINARY_MIN_ROWS) -> str:
    """The log as JSON text; numeric columns of `binary_min_rows` rows or
    more in binary form (None: every column a list, as in format 1.0)."""
    return "".join(_pieces(log, binary_min_rows))


def loads(text: str) -> RunLog:
    """The RunLog in `text`; LogError if it is not a valid log."""
    return _log(parse(text))


def _log(document: object) -> RunLog:
    """The RunLog of a parsed document; LogError if it is not a valid log."""
    if not isinstance(document, dict) or document.get("format") != "gilviz-log":
        raise LogError("not a gilviz event log")
    version = document.get("format_version")
    if version not in SUPPORTED_VERSIONS:
        raise LogError("file format version %r not supported (this gilviz reads %s)"
                       % (version, ", ".join(SUPPORTED_VERSIONS)))
    validate(document)
    return RunLog(
        tool_version=document["tool_version"],
        created=document["created"],
        runs=tuple(_run(run) for run in document["runs"]),
        sweep=_optional(SweepPlan, document.get("sweep")),
        incomplete=document.get("incomplete"),
    )


def save(log: RunLog, path: str) -> None:
    """Write the log atomically: a reader never sees half a file."""
    pieces = _pieces(log, BINARY_MIN_ROWS)

    def write(stream: IO[bytes]) -> None:
        for piece in pieces:
            stream.write(piece.encode("ascii"))  # json.dumps escapes all else

    atomic_write(path, write, mode="wb")


HEAD_BYTES = 64 * 1024
"""How much of a file is read to tell whether it is a log before all of it
is: dumps() names the format first, so a log's first bytes say so."""


def check_head(head: bytes) -> None:
    """LogError unless `head`, a file's first bytes, can begin a log: a JSON
    object naming the format. A file of anything else (200 MB of zeros, a
    Chrome trace) is refused before it is read whole: reading and decoding
    it took 2.4x its size in memory."""
    if not head:
        why = "it is empty"
    elif head.lstrip()[:1] != b"{":
        why = "it does not begin with a JSON object"
    elif b'"gilviz-log"' not in head:
        why = 'its first %d kB do not name the format "gilviz-log"' % (HEAD_BYTES // 1024)
    else:
        return
    raise LogError("not a gilviz event log: %s" % why)


def load(path: str) -> RunLog:
    """The RunLog in the file at `path`; LogError, naming the file, if it is
    not a valid log (OSError if it cannot be read)."""
    with open(path, "rb") as stream:
        try:
            check_head(stream.read(HEAD_BYTES))
        except LogError as error:
            raise LogError("%s: %s" % (path, error)) from None
        stream.seek(0)
        data = stream.read()
    try:
        text = data.decode("utf-8")
        # Each form of the file let go as soon as the next is made: the
        # bytes, the text and the parsed document of a million holds are
        # 64 MB each.
        del data
        document = parse(text)
        del text
        return _log(document)
    except UnicodeDecodeError as error:
        raise LogError("%s: not UTF-8 text (byte %d)" % (path, error.start)) from None
    except LogError as error:
        raise LogError("%s: %s" % (path, error)) from None
