"""Option values of drawing: what `gilviz render` and every command that
draws take (formats, themes, sizes, a window of time, a set of workers).
Each parser raises OptionError with one line, as those of api.options do."""

from __future__ import annotations

from .options import (MAX_WORKERS, OptionError, ascii_number, duration, id_ranges, ids_text,
                      whole_number)

IMAGE_FORMATS = ("png", "svg", "pdf")
THEME_NAMES = ("light", "dark", "talk")
MIN_PIXELS, MAX_PIXELS = 200, 8000
dots_per_inch = whole_number(20, 600, "dpi")


def image_size(text: str) -> tuple[int, int]:
    """--size: WIDTHxHEIGHT in pixels, e.g. 1920x1080."""
    width, _, height = ascii_number(text, "a size").strip().lower().partition("x")
    if not (width.isdigit() and height.isdigit()):
        raise OptionError("%r is not a size: write WIDTHxHEIGHT in pixels, e.g. 1920x1080"
                          % text)
    size = int(width), int(height)
    if not all(MIN_PIXELS <= side <= MAX_PIXELS for side in size):
        raise OptionError("%s: give %d to %d pixels a side" % (text, MIN_PIXELS, MAX_PIXELS))
    return size


def time_window(text: str) -> tuple[int, int]:
    """--window: BEGIN:END, times since the workers were released, e.g.
    100:150ms (a unit at the end is both's), 0.1s:0.15s; (begin, end) in ns."""
    begin, colon, end = text.strip().partition(":")
    if not colon or not begin.strip() or not end.strip():
        raise OptionError("%r is not a window: write BEGIN:END, e.g. 100:150ms" % text)
    if begin.strip().replace(".", "", 1).isdigit():  # no unit of its own: END's
        unit = end.strip().lstrip("0123456789.")
        begin += unit
    begin_s, end_s = duration(begin), duration(end)
    if not 0 <= begin_s < end_s:
        raise OptionError("%s: give 0 <= BEGIN < END" % text)
    return round(begin_s * 1e9), round(end_s * 1e9)


def worker_set(text: str) -> list[int]:
    """--workers: worker indices, "0-3", "0,2" or "1"; sorted."""
    ascii_number(text, "a set of workers")
    try:
        ids, beyond, repeated = id_ranges(text.strip(), range(MAX_WORKERS))
    except ValueError:
        raise OptionError("%r is not a set of workers: write 0-3, 0,2 or 1" % text) from None
    if beyond:
        raise OptionError("no worker %s: a run has at most %d" % (",".join(beyond), MAX_WORKERS))
    if repeated:
        raise OptionError("%s: worker %s named more than once" % (text, ids_text(repeated)))
    return ids
