"""A figure ready for a slide: drawn in a theme, at a size, with every text on
the canvas; written as PNG, SVG or PDF.

Sizes keep the figures' 16-inch width, so that their type keeps its share
of the picture: 1920x1080 is 120 dpi, 1280x720 80 dpi. A dpi given as well
sets the inches instead (type then grows or shrinks against the picture).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg

from ..log import atomic_write
from . import palette as light
from .layout import fit_to_canvas
from .themes import drawn_in, theme_named

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

FORMATS = ("png", "svg", "pdf")
PNG_COMPRESSION = 2
"""zlib's level for PNGs: the same pixels as its default (6) in ~60 % of the
time, the file ~3-14 % larger; a 1,920 x 1,080 timeline spent 86 ms of its
0.5 s encoding at 6, 51 at 2."""
VECTOR_RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",  # text stays text: searchable, editable on the slide
    "pdf.fonttype": 42,      # TrueType, editable too
}


def slide_figure(draw: Callable[[], Figure], theme: str | None = None,
                 size: tuple[int, int] | None = None, dpi: float | None = None) -> Figure:
    """draw() (a figure function returning a Figure at render.palette's size)
    in `theme` ("light", "dark", "talk"; None: light), resized to `size`
    (width, height) pixels or the theme's, at `dpi` if given, with every text
    fitted inside."""
    chosen = theme_named(theme)
    figure = drawn_in(chosen, draw)
    resize(figure, size or (None if dpi else chosen.size), dpi)
    return fit_to_canvas(figure, chosen.smallest_type)


def resize(figure: Figure, size: tuple[int, int] | None, dpi: float | None) -> None:
    """`size` pixels at `dpi`; a size alone keeps the width in inches, a dpi
    alone the inches."""
    width_in = light.FIGSIZE[0]
    if size is None:
        figure.set_dpi(dpi or light.DPI)
        return
    width, height = size
    dpi = dpi or width / width_in
    figure.set_size_inches(width / dpi, height / dpi, forward=False)
    figure.set_dpi(dpi)


class FormatError(ValueError):
    """A file's name and the format asked for it disagree, or its extension
    is no format gilviz writes; the message says what to give."""


def format_of(path: str, asked: str | None = None) -> str:
    """The format to write `path` in: its extension's, which `asked` must
    agree with if given; without an extension, `asked`, else png. A PNG
    written into x.svg would open nowhere: FormatError instead."""
    extension = os.path.splitext(path)[1].lower().lstrip(".")
    if not extension:
        return asked or "png"
    if extension not in FORMATS:
        raise FormatError("%s ends in .%s, not a format gilviz writes: give a file ending in %s"
                          % (path, extension, ", ".join("." + name for name in FORMATS)))
    if asked is not None and asked != extension:
        raise FormatError("%s ends in .%s, but the format asked is %s: leave one out, or make "
                          "them agree" % (path, extension, asked))
    return extension


def write_figure(figure: Figure, stream: IO[bytes], file_format: str = "png") -> None:
    """Write `figure` to the binary `stream` as `file_format`, at its own
    size and dpi."""
    if file_format not in FORMATS:
        raise ValueError("%r is not a format: give one of %s" % (file_format, ", ".join(FORMATS)))
    FigureCanvasAgg(figure)
    encoding: dict[str, Any] = ({"pil_kwargs": {"compress_level": PNG_COMPRESSION}}
                                if file_format == "png" else {})
    with matplotlib.rc_context(VECTOR_RC):
        figure.savefig(stream, format=file_format, dpi=figure.dpi,
                       facecolor=figure.get_facecolor(),
                       metadata={"Date": None} if file_format == "svg" else None,
                       **encoding)


def save_figure(figure: Figure, path: str, file_format: str = "png") -> str:
    """write_figure to `path`, atomically; returns the path."""
    return atomic_write(path, lambda stream: write_figure(figure, stream, file_format), mode="wb")


def save_png(figure: Figure, path: str) -> str:
    """save_figure as a PNG."""
    return save_figure(figure, path, "png")
