"""Lay a finished figure out from its drawn text, so that no two texts meet,
none leaves the canvas and none gets smaller than the theme's smallest
type, whatever the number and length of the warnings, the workers, the
theme or the size.

Text is measured and fitted by render.textfit. The figures place their
parts by figure fractions worked out for their usual text; warnings come
in any number and length, and talk type is larger, so the fractions cannot
be trusted to hold. fit_to_canvas measures instead, in this order:

    header lines    rewrapped to the width at their separators (" · "), the
                    caveats each in full where their lines allow, else short
                    (header.CaveatText)
    header legends  fewer columns until they fit the width
    header          stacked top down, each item under the ones above it
    footnote        rewrapped to the width, from the bottom up
    above a panel   its title raised over the legend or facts beside it,
                    and kept within the panel's width
    panels          each grid row as high as its labels need (or its share
                    of the rest), between the header and the footnote, with
                    room for the titles, legends and labels around it; each
                    grid column as wide, with room for the labels beside it
                    (render.panels)
    no room left    where the panels cannot get their floor (panels.FLOOR), the
                    header's lines in smaller type (CONDENSED), then the
                    caveats in fewer lines, those left out counted
    crowded labels  in smaller type, down to the smallest, then every k-th

A panel's own text that still passes the edge gets smaller type, down to
the smallest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.legend import Legend
from matplotlib.text import Text

from .panels import anchor_y, drawn_ticks, gap, labels_of, lay_out_panels
from .textfit import (MARGIN, condense, crowded, extent, fit_legend, fit_line, meets, rewrapped,
                      show_every, shrink_to_width, side_by_side, type_size, width_of)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.figure import Figure
    from matplotlib.transforms import Bbox

WIDEST_GAP = 0.016
"""The widest gap between two items of the header kept, as a fraction of
the figure's height: a wider one was room left for text that is not there."""
SMALLEST_TYPE = 11.0
"""The least size of type, in points of the 16-inch-wide figure (18 pixels
at 1920x1080), where a theme states none."""
TITLE_SEPARATORS = (" · ", ": ", "; ", ", ")
"""Where a panel's title may break, before any space."""
ROUNDS = 4



def fit_to_canvas(figure: Figure, smallest: float = SMALLEST_TYPE) -> Figure:
    """Lay `figure` out (see above), no type under `smallest` points;
    returns the figure."""
    canvas = figure.canvas
    if not isinstance(canvas, FigureCanvasAgg):
        canvas = FigureCanvasAgg(figure)
    renderer = canvas.get_renderer()
    figure.draw_without_rendering()
    header, footnote = figure_items(figure, renderer)
    gaps = header_gaps(figure, header, renderer)
    lines = [item for item in header + footnote if isinstance(item, Text)]
    said = {text: text.get_text() for text in lines}
    titles = [left_title(ax) for ax in figure.axes if left_title(ax).get_text()]
    drawn = {text: type_size(text) for text in lines + titles}
    for item in header:
        if isinstance(item, Legend):
            fit_legend(item, figure, renderer, smallest)
    while True:
        for text in lines:
            fit_line(text, figure, renderer, said[text])
        labels_short, floor_short = settle(figure, header, gaps, footnote, renderer, smallest)
        # Panels without the room their labels need: the header's lines and
        # the panels' titles in smaller type; panels without their floor:
        # then the caveats in fewer lines, those that do not fit counted
        # (never cut).
        if labels_short > 0 and condense([*header, *titles], drawn, smallest):
            continue
        if floor_short <= 0 or not any(text.fewer_lines(floor_short) for text in lines
                                       if hasattr(text, "fewer_lines")):
            break
    figure.draw_without_rendering()
    for ax in figure.axes:
        uncrowd(ax, renderer, smallest)
    for ax in figure.axes:
        for text in ax.findobj(Text):
            shrink_to_width(text, figure, renderer, smallest)
    return figure


def settle(figure: Figure, header: Sequence[Text | Legend], gaps: dict[Text | Legend, float],
           footnote: Sequence[Text], renderer: RendererAgg, smallest: float) -> tuple[float, float]:
    """Stack the header, raise the panels' titles and lay the panels out
    until nothing moves; the pixels the panels lack (lay_out_panels)."""
    short = (0.0, 0.0)
    for _ in range(ROUNDS):
        figure.draw_without_rendering()
        for ax in figure.axes:
            fit_texts_above(ax, renderer, smallest)
        moved = stack_header(figure, header, gaps, renderer)
        for ax in figure.axes:
            moved = raise_title(ax, renderer) or moved
        placed, short = lay_out_panels(figure, header, footnote, renderer, smallest)
        if not (moved or placed):
            break
    return short


# Measures --------------------------------------------------------------

def figure_texts(figure: Figure) -> list[Text]:
    """The figure's own texts: figure.text()'s and Text artists added to it."""
    return list(figure.texts) + [artist for artist in figure.artists if isinstance(artist, Text)]


def figure_items(figure: Figure,
                 renderer: RendererAgg) -> tuple[list[Text | Legend], list[Text]]:
    """(header, footnote): the figure's own texts and legends above the
    panels, top first, and its texts below them."""
    items = [item for item in figure_texts(figure) + list(figure.legends)
             if item.get_visible() and (not isinstance(item, Text) or item.get_text())]
    if not figure.axes:
        return items, []
    boxes = [ax.get_position().transformed(figure.transFigure) for ax in figure.axes]
    middle = (max(box.y1 for box in boxes) + min(box.y0 for box in boxes)) / 2
    header = [item for item in items if extent(item, renderer).y0 >= middle]
    footnote = [item for item in items if isinstance(item, Text) and item not in header]
    return sorted(header, key=lambda item: -extent(item, renderer).y1), footnote


# The header --------------------------------------------------------------

def move_down(item: Text | Legend, figure: Figure, pixels: float) -> None:
    fraction = pixels / figure.bbox.height
    if isinstance(item, Text):
        x, y = item.get_position()
        item.set_y(y - fraction)
    else:  # a legend, anchored by a point or box in figure coordinates
        (x0, y0), (x1, y1) = figure.transFigure.inverted().transform(
            item.get_bbox_to_anchor().get_points())
        item.set_bbox_to_anchor((x0, y0 - fraction, x1 - x0, y1 - y0),
                                transform=figure.transFigure)


def header_gaps(figure: Figure, header: Sequence[Text | Legend],
                renderer: RendererAgg) -> dict[Text | Legend, float]:
    """{item: the gap over it as drawn}, between GAP and WIDEST_GAP of the
    figure's height: the room between the header's items that the layout keeps."""
    gaps: dict[Text | Legend, float] = {}
    placed: list[Bbox] = []
    for item in header:
        box = extent(item, renderer)
        over = [other.y0 - box.y1 for other in placed if not side_by_side(box, other)]
        gaps[item] = min(max(min(over, default=gap(figure)), gap(figure)),
                         gap(figure, WIDEST_GAP))
        placed.append(box)
    return gaps


def stack_header(figure: Figure, header: Sequence[Text | Legend],
                 gaps: dict[Text | Legend, float], renderer: RendererAgg) -> bool:
    """Place each header item its gap (header_gaps) under the items above it
    that share its columns, the first at the top; whether any moved."""
    moved = False
    top = (1 - MARGIN) * figure.bbox.height
    placed: list[Bbox] = []
    for item in header:
        box = extent(item, renderer)
        over = [other.y0 for other in placed if not side_by_side(box, other)]
        limit = min(over) - gaps[item] if over else min(top, box.y1)
        if abs(box.y1 - limit) > 0.5:
            move_down(item, figure, box.y1 - limit)
            box = extent(item, renderer)
            moved = True
        placed.append(box)
    return moved


# Above a panel -----------------------------------------------------------

def above(ax: Axes, renderer: RendererAgg) -> list[tuple[Text | Legend, Bbox]]:
    """The texts and legends over `ax` (its title aside): facts, a legend, a
    column heading; their boxes."""
    top = ax.get_window_extent(renderer).y1
    items: list[Text | Legend] = [text for text in ax.texts
                                  if text.get_visible() and text.get_text()]
    legend = ax.get_legend()
    if legend is not None:
        items.append(legend)
    boxes = [(item, extent(item, renderer)) for item in items]
    return [(item, box) for item, box in boxes if box.y0 >= top - 1]


def fit_texts_above(ax: Axes, renderer: RendererAgg, smallest: float) -> None:
    """Keep the title and the texts over a panel, left-aligned on it, within
    its width: the title in smaller type (down to the smallest, and by a
    fifth at most), then broken into lines; a text rewrapped."""
    box = ax.get_window_extent(renderer)
    title = left_title(ax)
    if title.get_text():
        least = max(smallest, 0.8 * type_size(title))
        while extent(title, renderer).width > box.width and type_size(title) > least:
            title.set_fontsize(max(least, type_size(title) * 0.95))
        if extent(title, renderer).width > box.width:
            title.set_text(rewrapped(title.get_text(), box.width,
                                     lambda line: width_of(title, line, renderer),
                                     TITLE_SEPARATORS))
    for item, where in above(ax, renderer):
        if isinstance(item, Text) and item.get_horizontalalignment() == "left" \
                and box.x0 - 1 <= where.x0 < box.x1 and where.x1 > box.x1:
            item.set_text(rewrapped(item.get_text(), box.x1 - where.x0,
                                    lambda line: width_of(item, line, renderer)))


def left_title(ax: Axes) -> Text:
    """The panel's title at the left (loc="left")."""
    return ax._left_title  # type: ignore[attr-defined]  # private: not in matplotlib's stubs


def title_pad(ax: Axes) -> float:
    """The title's distance over the panel, in points."""
    offset = ax.titleOffsetTrans  # type: ignore[attr-defined]  # an attribute the stubs leave out
    return offset.get_matrix()[1, 2] * 72 / ax.figure.dpi


def raise_title(ax: Axes, renderer: RendererAgg) -> bool:
    """Raise the panel's left title over the legend or texts over the panel
    that it meets; whether it moved."""
    title = left_title(ax)
    if not title.get_text():
        return False
    box = extent(title, renderer)
    met = [where for _, where in above(ax, renderer)
           if not side_by_side(box, where) and where.y1 > box.y0 and where.y0 < box.y1]
    if not met:
        return False
    rise = max(where.y1 for where in met) + gap(ax.figure) / 2 - box.y0
    # Private, as the title's offset is: not in matplotlib's stubs.
    ax._set_title_offset_trans(  # type: ignore[attr-defined]
        title_pad(ax) + rise * 72 / ax.figure.dpi)
    return True


# Panels ----------------------------------------------------------------

def uncrowd(ax: Axes, renderer: RendererAgg, smallest: float) -> None:
    """Smaller type for the labels of a panel that still meet, down to
    `smallest`, then only every k-th of them shown; none over the time labels."""
    groups = labels_of(ax, renderer)
    ticks, placed = groups[0], groups[1]
    # A text beside a band's name (its share, at the name's data y) is shown
    # where the name is.
    beside = {text: tick for text in placed for tick in ticks
              if abs(text.get_position()[1] - tick.get_position()[1]) < 1e-9}
    for group in [ticks, list(beside), [t for t in placed if t not in beside]] + groups[2:]:
        while crowded(group, renderer) and any(type_size(t) > smallest for t in group):
            for text in group:
                text.set_fontsize(max(smallest, type_size(text) * 0.94))
        if group and group[0] not in beside:
            show_every(sorted(group, key=anchor_y, reverse=True), renderer)
    for text, tick in beside.items():
        text.set_visible(tick.get_visible())
    shown = [extent(text, renderer) for text in beside if text.get_visible()]
    for text in placed:  # a heading over the shares clears the top one
        if text in beside or not text.get_visible():
            continue
        box = extent(text, renderer)
        met = [other for other in shown if meets(box, other)]
        if met:
            raise_by(text, max(other.y1 for other in met) + 1 - box.y0)
    xticks = [tick.label1 for tick in drawn_ticks(ax.xaxis)
              if tick.label1.get_visible() and tick.label1.get_text()]
    below = [extent(text, renderer) for text in xticks]
    for text in (text for group in groups for text in group if text.get_visible()):
        if any(meets(extent(text, renderer), box) for box in below):
            text.set_visible(False)  # a band's name hanging over the time axis
    show_every(xticks, renderer, across=True)


def raise_by(text: Text, pixels: float) -> None:
    """Move `text` up by `pixels`, in whatever coordinates it is placed."""
    transform = text.get_transform()
    x, y = transform.transform(text.get_position())
    # A point as an array, which matplotlib's stubs do not take for a tuple.
    text.set_position(transform.inverted().transform((x, y + pixels)))  # type: ignore[arg-type]


