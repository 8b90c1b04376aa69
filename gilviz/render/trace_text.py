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
from typing import NamedTuple

import numpy as np

SPACE, MINUS, ZERO = ord(" "), ord("-"), ord("0")


class Column(NamedTuple):
    """A field of every row: `width` bytes, written by fill(target) into an
    (n, width) view of the rows."""

    width: int
    fill: object


_TRIPLETS = np.frombuffer("".join("%03d" % i for i in range(1000)).encode("ascii"),
                          np.uint8).reshape(1000, 3)
"""The three digits of 0..999: a number is written three digits a lookup."""


def _digits(magnitude, negative, at_least=1, pad=SPACE):
    """Right-aligned decimal digits of non-negative int64s, '-' before the
    negative ones, `pad` in front."""
    count = np.ones(len(magnitude), np.int64)
    limit = 10
    while np.any(magnitude >= limit):
        count += magnitude >= limit
        limit *= 10
    width = max(at_least, int(count.max(initial=1)) + bool(np.any(negative)))

    def fill(target):
        triplets = -(-width // 3)
        digits = np.empty((len(magnitude), 3 * triplets), np.uint8)
        rest = magnitude.copy()
        for group in range(triplets - 1, -1, -1):
            digits[:, 3 * group:3 * group + 3] = _TRIPLETS[rest % 1000]
            rest //= 1000
        digits = digits[:, 3 * triplets - width:]
        leading = np.arange(width)[None, :] < (width - count)[:, None]
        target[:] = np.where(leading, np.uint8(pad), digits)
        rows = np.flatnonzero(negative)
        target[rows, (width - 1 - count)[rows]] = MINUS
    return Column(width, fill)


def integers(values):
    """JSON integers."""
    values = np.asarray(values, np.int64)
    return _digits(np.abs(values), values < 0)


def microseconds(ns):
    """JSON numbers: nanoseconds as decimal microseconds (pieces for rows())."""
    ns = np.asarray(ns, np.int64)
    magnitude = np.abs(ns)
    return [_digits(magnitude // 1000, ns < 0), ".",
            _digits(magnitude % 1000, np.zeros(len(ns), bool), at_least=3, pad=ZERO)]


def strings(codes, vocabulary):
    """JSON strings, vocabulary[code] for each code, padded with spaces
    after the closing quote."""
    encoded = [json.dumps(word).encode("ascii") for word in vocabulary]
    table = np.full((len(encoded), max(len(word) for word in encoded)), SPACE, np.uint8)
    for row, word in enumerate(encoded):
        table[row, :len(word)] = np.frombuffer(word, np.uint8)

    def fill(target):
        target[:] = table[np.asarray(codes, np.int64)]
    return Column(table.shape[1], fill)


def rows(count, *pieces):
    """`count` events as an (n, width) uint8 array, each row ",\n" then
    the pieces side by side: literal text (the same in every row), Columns,
    or lists of them."""
    flat = []
    for piece in ("\n,",) + pieces:
        flat += piece if isinstance(piece, list) else [piece]
    flat[0] = ",\n"
    widths = [len(piece) if isinstance(piece, str) else piece.width for piece in flat]
    template = np.full(sum(widths), SPACE, np.uint8)
    edges = np.concatenate(([0], np.cumsum(widths)))
    for piece, at, end in zip(flat, edges, edges[1:]):
        if isinstance(piece, str):
            template[at:end] = np.frombuffer(piece.encode("ascii"), np.uint8)
    out = np.empty((count, len(template)), np.uint8)
    out[:] = template
    for piece, at, end in zip(flat, edges, edges[1:]):
        if not isinstance(piece, str) and count:
            piece.fill(out[:, at:end])
    return out


def interleave(first, second, take_second):
    """Rows of two blocks in one order: row i from `second` where
    take_second[i], else the next of `first`; the narrower padded at its
    end with spaces (whitespace between two events)."""
    width = max(first.shape[1], second.shape[1])
    merged = np.full((len(take_second), width), SPACE, np.uint8)
    merged[~take_second, :first.shape[1]] = first
    merged[take_second, :second.shape[1]] = second
    return merged


def event_text(events):
    """Rows of events given as dicts, in the form of rows()."""
    return "".join(",\n" + json.dumps(event, separators=(",", ":"))
                   for event in events).encode("ascii")


def write_document(stream, chunks, other_data):
    """Write the whole trace file: chunks of rows (bytes or rows() arrays),
    each row opened by ",\n", then `other_data`."""
    stream.write(b'{"traceEvents":[')
    first = True
    for chunk in chunks:
        view = memoryview(chunk.reshape(-1) if isinstance(chunk, np.ndarray) else chunk)
        if len(view) == 0:
            continue
        stream.write(view[2:] if first else view)
        first = False
    # UTF-8, not \u escapes, as save_runs_trace writes: the caveats' words have "µ" and "×".
    stream.write(b'],"otherData":' + json.dumps(other_data, ensure_ascii=False).encode("utf-8")
                 + b"}")
