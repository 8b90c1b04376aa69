"""Text fitted to the room it has, measured as drawn: lines rewrapped at
their separators, legends in fewer columns, type made smaller down to a
floor, crowded labels thinned to every k-th. render.layout lays whole
figures out with these."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from matplotlib.text import Text

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.figure import Figure
    from matplotlib.legend import Legend
    from matplotlib.transforms import Bbox

MARGIN = 0.006
"""Fraction of the figure's width and height kept clear at its edges."""
SEPARATORS = (" · ", "; ")
"""Where a line of facts may break, before any space."""

def room(figure: Figure) -> tuple[float, float]:
    """(left, right) pixels that text may take."""
    width = figure.bbox.width
    return MARGIN * width, (1 - MARGIN) * width


def extent(item: Artist, renderer: RendererAgg) -> Bbox:
    return item.get_window_extent(renderer)


def side_by_side(a: Bbox, b: Bbox) -> bool:
    """Two boxes that share no column of pixels."""
    return a.x1 <= b.x0 or b.x1 <= a.x0


def type_size(text: Text) -> float:
    """`text`'s type size in points: get_fontsize's, which matplotlib's stubs
    type float | str, though a size given by name is kept in points too."""
    return text.get_fontproperties().get_size_in_points()


MEASURED: dict[tuple[str, int, float], float] = {}
"""Widths of lines measured, by line, type and resolution: fitting words
measures the same pieces again and again."""


def width_of(text: Text, line: str, renderer: RendererAgg) -> float:
    """Pixels `line` takes in `text`'s type."""
    font = text.get_fontproperties()
    key = (line, hash(font), renderer.dpi)
    if key not in MEASURED:
        if len(MEASURED) > 50_000:
            MEASURED.clear()
        MEASURED[key] = renderer.get_text_width_height_descent(line, font, ismath=False)[0]
    return MEASURED[key]


def fit_line(text: Text, figure: Figure, renderer: RendererAgg, said: str) -> None:
    """Wrap `said`, a figure-level text's words, to the room it has from its anchor."""
    left, right = room(figure)
    anchor = figure.transFigure.transform(text.get_position())[0]
    available = {"left": right - anchor, "right": anchor - left}.get(
        text.get_horizontalalignment(), right - left)
    if hasattr(text, "fit"):  # a line of caveats chooses its words itself
        text.fit(available, renderer)
        return
    text.set_text(rewrapped(said, available, lambda line: width_of(text, line, renderer)))


CONDENSED = 0.75
"""Header lines make room for the panels down to this share of their type
size (and the smallest type)."""


def condense(texts: Iterable[Artist], drawn: dict[Text, float], smallest: float) -> bool:
    """Smaller type for `texts`, the header's lines and the panels' titles
    (not the caveats, whose words give way instead), a step, down to
    CONDENSED of their size as `drawn` ({text: points}) and `smallest`;
    whether any got smaller."""
    smaller = False
    for text in texts:
        if not isinstance(text, Text) or hasattr(text, "fit"):
            continue
        least = max(smallest, CONDENSED * drawn[text])
        if type_size(text) > least + 0.01:
            text.set_fontsize(max(least, type_size(text) * 0.85))
            smaller = True
    return smaller


def rewrapped(text: str, width: float, measure: Callable[[str], float],
              separators: Sequence[str] = SEPARATORS) -> str:
    """`text` with each line that is wider than `width` pixels broken at its
    `separators`, a piece still too wide at its spaces."""
    lines = []
    for line in text.split("\n"):
        if measure(line) <= width:
            lines.append(line)
            continue
        lines += packed(pieces(line, separators), width, measure)
    return "\n".join(lines)


def pieces(line: str, separators: Sequence[str] = SEPARATORS) -> list[str]:
    """`line` cut after each separator, the separator kept with the piece before."""
    parts = [line]
    for separator in separators:
        parts = [piece + (separator if number < len(split) - 1 else "")
                 for part in parts
                 for split in [part.split(separator)] for number, piece in enumerate(split)]
    return [part for part in parts if part]


def packed(parts: Iterable[str], width: float, measure: Callable[[str], float]) -> list[str]:
    """Lines of `parts` (strings to be put together as they are), as many
    on a line as fit `width`; a part wider than a line broken at its spaces."""
    lines: list[str] = []
    for part in parts:
        if lines and measure((lines[-1] + part).rstrip()) <= width:
            lines[-1] += part
            continue
        if measure(part.rstrip()) <= width:
            lines.append(part)
            continue
        characters = max(1, int(len(part) * width / max(measure(part), 1)))
        broken = textwrap.wrap(part, characters)
        while characters > 1 and not all(measure(each) <= width for each in broken):
            characters -= 1
            broken = textwrap.wrap(part, characters)
        lines += [each + " " for each in broken[:-1]] + broken[-1:]
    return [line.rstrip() for line in lines]


def shrink_to_width(text: Text, figure: Figure, renderer: RendererAgg,
                    smallest: float) -> None:
    """Smaller type, down to `smallest`, for a text that passes an edge."""
    left, right = room(figure)
    while text.get_visible() and text.get_text() and type_size(text) > smallest:
        box = extent(text, renderer)
        if box.width == 0 or (box.x0 >= left - 0.5 and box.x1 <= right + 0.5):
            return
        text.set_fontsize(max(smallest, type_size(text) * 0.94))


def fit_legend(legend: Legend, figure: Figure, renderer: RendererAgg,
               smallest: float) -> None:
    """Fewer columns for a figure legend wider than the figure; at one
    column, smaller type down to `smallest`."""
    left, right = room(figure)
    columns = legend._ncols  # type: ignore[attr-defined]  # private, no getter: not in the stubs
    while True:
        figure.draw_without_rendering()
        box = extent(legend, renderer)
        if box.x1 <= right and box.x0 >= left:
            return
        if columns > 1:
            columns -= 1
            set_columns(legend, columns)
            continue
        texts = legend.get_texts()
        if all(type_size(text) <= smallest for text in texts):
            return
        for text in texts:
            text.set_fontsize(max(smallest, type_size(text) * 0.94))


def set_columns(legend: Legend, columns: int) -> None:
    """Lay `legend` out again in `columns`, its entries as they are drawn
    now (a theme's colours and type kept): set_ncols alone does not."""
    texts = legend.get_texts()
    looks = [(text.get_color(), text.get_fontproperties().copy()) for text in texts]
    title = legend.get_title()
    title_looks = (title.get_text(), title.get_color(), title.get_fontproperties().copy())
    legend.set_ncols(columns)
    # Legend's private layout and location, which matplotlib's stubs leave out.
    legend._init_legend_box(  # type: ignore[attr-defined]
        list(legend.legend_handles), [text.get_text() for text in texts])
    legend.set_loc(legend._loc)  # type: ignore[attr-defined]  # the new box where the old one was
    legend.set_title(title_looks[0], prop=title_looks[2])  # none hides its empty box
    legend.get_title().set_color(title_looks[1])
    for text, (colour, font) in zip(legend.get_texts(), looks):
        text.set_color(colour)
        text.set_fontproperties(font)


def show_every(texts: Sequence[Text], renderer: RendererAgg, across: bool = False) -> None:
    """Show only every k-th of `texts` (in order along the axis), k the
    least for which none of those shown meet (with `across`, side by side)."""
    boxes = [extent(text, renderer) for text in texts]
    for step in range(1, len(texts) + 1):
        shown = sorted(boxes[::step], key=lambda box: box.x0 if across else box.y0)
        if not any(meets(a, b) for a, b in zip(shown, shown[1:])):
            break
    for number, text in enumerate(texts):
        text.set_visible(number % step == 0)


def meets(a: Bbox, b: Bbox) -> bool:
    """Two boxes that share more than half a pixel each way."""
    return min(a.x1, b.x1) - max(a.x0, b.x0) > 0.5 and min(a.y1, b.y1) - max(a.y0, b.y0) > 0.5


def crowded(texts: Iterable[Text], renderer: RendererAgg, across: bool = False) -> bool:
    """Whether two of `texts` meet (with `across`, side by side)."""
    boxes = sorted((extent(text, renderer) for text in texts),
                   key=lambda box: box.x0 if across else box.y0)
    return any(not side_by_side(a, b) and min(a.y1, b.y1) - max(a.y0, b.y0) > 0.5
               for a, b in zip(boxes, boxes[1:]))
