"""JSON text of many trace events at once, built with numpy.

A run of a million holds makes two million events: as dicts handed to the
json module they took half a minute. Here each column becomes a block of
ASCII bytes, one row an event, and the blocks are laid side by side.
Numbers are right-aligned in a fixed width, the space before them being
JSON whitespace, so the rows need no joining: the text parses to exactly
the numbers the dicts held (a time of t ns is written as the decimal
t / 1000 µs, which parses to the same float as t / 1e3).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, Union

import numpy as np

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, SupportsWrite
    from numpy.typing import ArrayLike, NDArray

SPACE, MINUS, ZERO = ord(" "), ord("-"), ord("0")
Event = dict[str, Any]
"""A trace event as the json module reads and writes it."""


class Column(NamedTuple):
    """A field of every row: `width` bytes, written by fill(target, rows)
    for the rows of a slice into an (n, width) view of them."""

    width: int
    fill: Callable[[NDArray[np.uint8], slice], None]


Piece = Union[str, Column]
"""A piece of a row: literal text (the same in every row), or a Column."""

_TRIPLETS = np.frombuffer("".join("%03d" % i for i in range(1000)).encode("ascii"),
                          np.uint8).reshape(1000, 3)
"""The three digits of 0..999: a number is written three digits a lookup."""

BLOCK_ROWS = 1 << 16
"""Rows made at a time: a million holds make two million rows of ~110
bytes, which made whole took ~600 MB with their digits on the way."""


def _count_digits(magnitude: NDArray[np.int64]) -> NDArray[np.int64]:
    count = np.ones(len(magnitude), np.int64)
    limit = 10
    while np.any(magnitude >= limit):
        count += magnitude >= limit
        limit *= 10
    return count


def _digits(magnitude_of: Callable[[slice], NDArray[np.int64]],
            negative_of: Callable[[slice], NDArray[np.bool_]], high: int, any_negative: bool,
            at_least: int = 1, pad: int = SPACE) -> Column:
    """Right-aligned decimal digits of non-negative int64s, '-' before the
    negative ones, `pad` in front: magnitude_of(rows) and negative_of(rows)
    give those of a slice of rows, `high` the largest magnitude of all."""
    width = max(at_least, len(str(max(high, 0))) + bool(any_negative))

    def fill(target: NDArray[np.uint8], rows: slice) -> None:
        magnitude = magnitude_of(rows)
        count = _count_digits(magnitude)
        triplets = -(-width // 3)
        digits = np.empty((len(magnitude), 3 * triplets), np.uint8)
        rest = magnitude.copy()
        for group in range(triplets - 1, -1, -1):
            digits[:, 3 * group:3 * group + 3] = _TRIPLETS[rest % 1000]
            rest //= 1000
        digits = digits[:, 3 * triplets - width:]
        leading = np.arange(width)[None, :] < (width - count)[:, None]
        target[:] = np.where(leading, np.uint8(pad), digits)
        negative = np.flatnonzero(negative_of(rows))
        target[negative, (width - 1 - count)[negative]] = MINUS
    return Column(width, fill)


def _extremes(values: NDArray[np.int64]) -> tuple[int, int]:
    return (int(values.min()), int(values.max())) if len(values) else (0, 0)


def integers(values: ArrayLike) -> Column:
    """JSON integers."""
    values = np.asarray(values, np.int64)
    low, high = _extremes(values)
    return _digits(lambda rows: np.abs(values[rows]), lambda rows: values[rows] < 0,
                   max(high, -low), low < 0)


def microseconds(ns: ArrayLike) -> list[Piece]:
    """JSON numbers: nanoseconds as decimal microseconds (pieces for rows())."""
    ns = np.asarray(ns, np.int64)
    low, high = _extremes(ns)
    return [_digits(lambda rows: np.abs(ns[rows]) // 1000, lambda rows: ns[rows] < 0,
                    max(high, -low) // 1000, low < 0), ".",
            _digits(lambda rows: np.abs(ns[rows]) % 1000,
                    lambda rows: np.zeros(len(ns[rows]), bool), 999, False, at_least=3,
                    pad=ZERO)]


def strings(codes: ArrayLike, vocabulary: Sequence[str]) -> Column:
    """JSON strings, vocabulary[code] for each code, padded with spaces
    after the closing quote."""
    encoded = [json.dumps(word).encode("ascii") for word in vocabulary]
    table = np.full((len(encoded), max(len(word) for word in encoded)), SPACE, np.uint8)
    for row, word in enumerate(encoded):
        table[row, :len(word)] = np.frombuffer(word, np.uint8)
    codes = np.asarray(codes, np.int64)

    def fill(target: NDArray[np.uint8], rows: slice) -> None:
        target[:] = table[codes[rows]]
    return Column(table.shape[1], fill)


class Blocks:
    """Rows of events made a block at a time, as they are written: `count`
    rows of `width` bytes, block(begin, end) making some."""

    count = width = 0

    @property
    def nbytes(self) -> int:
        return self.count * self.width

    def block(self, begin: int, end: int) -> NDArray[np.uint8]:
        """Rows begin..end-1 as an (n, width) uint8 array."""
        raise NotImplementedError

    def blocks(self, size: int = BLOCK_ROWS) -> Iterator[NDArray[np.uint8]]:
        for begin in range(0, self.count, size):
            yield self.block(begin, min(begin + size, self.count))


class Rows(Blocks):
    """`count` events of one form, each row ",\n" then the pieces side by
    side: literal text (the same in every row), Columns, or lists of them."""

    def __init__(self, count: int, *pieces: Piece | list[Piece]) -> None:
        flat: list[Piece] = []
        for piece in ("\n,",) + pieces:
            flat += piece if isinstance(piece, list) else [piece]
        flat[0] = ",\n"
        widths = [len(piece) if isinstance(piece, str) else piece.width for piece in flat]
        self.template = np.full(sum(widths), SPACE, np.uint8)
        edges = np.concatenate(([0], np.cumsum(widths)))
        self._columns: list[tuple[Column, int, int]] = []
        for piece, at, end in zip(flat, edges, edges[1:]):
            if isinstance(piece, str):
                self.template[at:end] = np.frombuffer(piece.encode("ascii"), np.uint8)
            else:
                self._columns.append((piece, at, end))
        self.count = count
        self.width = len(self.template)

    def block(self, begin: int, end: int) -> NDArray[np.uint8]:
        """Rows begin..end-1 as an (n, width) uint8 array."""
        out = np.empty((end - begin, self.width), np.uint8)
        out[:] = self.template
        if end > begin:
            for column, at, stop in self._columns:
                column.fill(out[:, at:stop], slice(begin, end))
        return out


def rows(count: int, *pieces: Piece | list[Piece]) -> Rows:
    """Rows (see above) of `count` events."""
    return Rows(count, *pieces)


class Interleaved(Blocks):
    """Rows of two blocks in one order: row i from `second` where
    take_second[i], else the next of `first`; the narrower padded at its
    end with spaces (whitespace between two events)."""

    def __init__(self, first: Blocks, second: Blocks, take_second: ArrayLike) -> None:
        self._first, self._second = first, second
        self._take = np.asarray(take_second, bool)
        # Rows of `second` before each row: where each block starts in each.
        self._seconds_before = np.concatenate(([0], np.cumsum(self._take)))
        self.count = len(self._take)
        self.width = max(first.width, second.width)

    def block(self, begin: int, end: int) -> NDArray[np.uint8]:
        take = self._take[begin:end]
        seconds = self._seconds_before[begin], self._seconds_before[end]
        firsts = begin - seconds[0], end - seconds[1]
        merged = np.full((end - begin, self.width), SPACE, np.uint8)
        merged[~take, :self._first.width] = self._first.block(*firsts)
        merged[take, :self._second.width] = self._second.block(*seconds)
        return merged


def interleave(first: Blocks, second: Blocks, take_second: ArrayLike) -> Interleaved:
    """Interleaved rows (see above)."""
    return Interleaved(first, second, take_second)


def event_text(events: Iterable[Event]) -> bytes:
    """Rows of events given as dicts, in the form of rows()."""
    return "".join(",\n" + json.dumps(event, separators=(",", ":"))
                   for event in events).encode("ascii")


def write_document(stream: SupportsWrite[ReadableBuffer], chunks: Iterable[bytes | Blocks],
                   other_data: Mapping[str, object]) -> None:
    """Write the whole trace file: chunks of rows (bytes, or Rows written a
    block at a time), each row opened by ",\n", then `other_data`."""
    stream.write(b'{"traceEvents":[')
    first = True
    for chunk in chunks:
        for block in chunk.blocks() if isinstance(chunk, Blocks) else [chunk]:
            # numpy's stubs give arrays the buffer protocol on Python 3.12 and later only.
            view = memoryview(block.reshape(-1)  # type: ignore[arg-type]
                              if isinstance(block, np.ndarray) else block)
            if len(view) == 0:
                continue
            stream.write(view[2:] if first else view)
            first = False
    # UTF-8, not \u escapes, as save_runs_trace writes: the caveats' words have "µ" and "×".
    stream.write(b'],"otherData":' + json.dumps(other_data, ensure_ascii=False).encode("utf-8")
                 + b"}")
