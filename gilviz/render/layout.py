"""Keep every piece of text on the canvas, whatever its length, theme or
size: a finished figure's header lines wrap where they would pass the
edge, header lines that then meet move down, and the panels below make
room; a panel's own text that would pass the edge gets smaller type.

The figures place their headers by figure fractions worked out for their
usual text; warnings come in any number and length, and talk type is
larger, so the fractions cannot be trusted to hold. A figure whose text
fits is left exactly as it was drawn.
"""

from __future__ import annotations

import textwrap

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

MARGIN = 0.006
"""Fraction of the figure's width and height kept clear at its edges."""
GAP = 0.004
"""Fraction of the figure's height between two header items that had to move."""
SMALLEST_TYPE = 8.0


def fit_to_canvas(figure):
    """Wrap, move and shrink `figure`'s text until all of it lies inside the
    figure; returns the figure."""
    if figure.canvas is None or not isinstance(figure.canvas, FigureCanvasAgg):
        FigureCanvasAgg(figure)
    renderer = figure.canvas.get_renderer()
    for text in figure.texts:
        wrap_to_width(text, figure, renderer)
    for legend in figure.legends:
        shrink_legend(legend, figure, renderer)
    for _ in range(3):  # moving the panels moves their titles: settle in a few rounds
        moved = make_room_for_header(figure, renderer)
        moved = make_room_for_footnote(figure, renderer) or moved
        moved = separate_panels(figure, renderer) or moved
        if not moved:
            break
    figure.draw_without_rendering()  # legends inside panels place their text when drawn
    for ax in figure.axes:
        for text in ax.findobj(Text):
            shrink_to_width(text, figure, renderer)
    return figure


def room(figure):
    width = figure.bbox.width
    return MARGIN * width, (1 - MARGIN) * width


def wrap_to_width(text, figure, renderer):
    """Rewrap a figure-level text that passes the left or right edge."""
    left, right = room(figure)
    for _ in range(4):
        box = text.get_window_extent(renderer)
        if not text.get_text() or (box.x0 >= left and box.x1 <= right):
            return
        anchor = figure.transFigure.transform(text.get_position())[0]
        available = {"left": right - anchor, "right": anchor - left}.get(
            text.get_horizontalalignment(), right - left)
        lines = text.get_text().split("\n")
        per_pixel = max(len(line) for line in lines) / max(box.width, 1)
        width = max(10, int(available * per_pixel * 0.97))
        text.set_text("\n".join(wrapped for line in lines
                                for wrapped in (textwrap.wrap(line, width) or [""])))


def shrink_to_width(text, figure, renderer):
    """Smaller type for a text inside a panel that passes an edge of the figure."""
    left, right = room(figure)
    while text.get_visible() and text.get_text() and text.get_fontsize() > SMALLEST_TYPE:
        box = text.get_window_extent(renderer)
        if box.width == 0 or (box.x0 >= left and box.x1 <= right):
            return
        text.set_fontsize(max(SMALLEST_TYPE, text.get_fontsize() * 0.92))


def shrink_legend(legend, figure, renderer):
    """Smaller type for a figure legend that passes the right edge."""
    left, right = room(figure)
    for _ in range(12):
        figure.draw_without_rendering()
        if legend.get_window_extent(renderer).x1 <= right:
            return
        for text in legend.get_texts():
            text.set_fontsize(max(SMALLEST_TYPE, text.get_fontsize() * 0.94))


def header_items(figure, renderer):
    """The figure-level texts and legends above the panels, top first."""
    if not figure.axes:
        return []
    panels_top = max(ax.get_position().y1 for ax in figure.axes) * figure.bbox.height
    items = [item for item in list(figure.texts) + list(figure.legends)
             if item.get_visible() and item.get_window_extent(renderer).y1 > panels_top]
    return sorted(items, key=lambda item: -item.get_window_extent(renderer).y1)


def move_down(item, figure, pixels):
    fraction = pixels / figure.bbox.height
    if isinstance(item, Text):
        x, y = item.get_position()
        item.set_y(y - fraction)
    else:  # a legend, anchored by a point or box in figure coordinates
        (x0, y0), (x1, y1) = figure.transFigure.inverted().transform(
            item.get_bbox_to_anchor().get_points())
        item.set_bbox_to_anchor((x0, y0 - fraction, x1 - x0, y1 - y0),
                                transform=figure.transFigure)


def make_room_for_header(figure, renderer):
    """Move header items that overlap the one above down, and squeeze the
    panels below the header's end; whether anything moved."""
    figure.draw_without_rendering()  # a legend's extent is known once it is placed
    items = header_items(figure, renderer)
    if not items:
        return False
    height = figure.bbox.height
    moved = False
    above = None
    for item in items:
        box = item.get_window_extent(renderer)
        if above is not None and box.y1 > above:
            move_down(item, figure, box.y1 - above + GAP * height)
            box = item.get_window_extent(renderer)
            moved = True
        above = box.y0 if above is None else min(above, box.y0)
    header_end = above - GAP * height
    panels_top = max(ax.get_tightbbox(renderer).y1 for ax in figure.axes)
    if panels_top <= header_end:
        return moved
    squeeze_panels(figure, (panels_top - header_end) / height)
    return True


def make_room_for_footnote(figure, renderer):
    """Raise the panels above the figure-level texts below them (the
    footnote); whether anything moved."""
    if not figure.axes:
        return False
    panels_bottom = min(ax.get_position().y0 for ax in figure.axes) * figure.bbox.height
    below = [text.get_window_extent(renderer) for text in figure.texts
             if text.get_visible() and text.get_text()
             and text.get_window_extent(renderer).y1 <= panels_bottom]
    if not below:
        return False
    footnote_top = max(box.y1 for box in below) + GAP * figure.bbox.height
    lowest = min(ax.get_tightbbox(renderer).y0 for ax in figure.axes)
    if lowest >= footnote_top:
        return False
    squeeze_panels(figure, 0, (footnote_top - lowest) / figure.bbox.height)
    return True


def separate_panels(figure, renderer):
    """Lower the top of a panel whose title or legend meets the labels of the
    panel above it; whether anything moved."""
    moved = False
    boxes = {ax: ax.get_tightbbox(renderer) for ax in figure.axes}
    for upper in figure.axes:
        for lower in figure.axes:
            high, low = upper.get_position(), lower.get_position()
            side_by_side = high.x1 <= low.x0 or low.x1 <= high.x0
            if upper is lower or side_by_side or high.y0 <= low.y1:
                continue
            overlap = boxes[lower].y1 - boxes[upper].y0 + GAP * figure.bbox.height
            if overlap > 0:
                cut = min(overlap / figure.bbox.height, 0.5 * low.height)
                lower.set_position([low.x0, low.y0, low.width, low.height - cut])
                boxes[lower] = lower.get_tightbbox(renderer)
                moved = True
    return moved


def squeeze_panels(figure, top_by, bottom_by=0.0):
    """Lower the top of the panels' area by `top_by` and raise its bottom by
    `bottom_by` (figure fractions), every panel scaled within it."""
    boxes = [ax.get_position() for ax in figure.axes]
    bottom, top = min(box.y0 for box in boxes), max(box.y1 for box in boxes)
    scale = max(0.3, (top - top_by - bottom - bottom_by) / (top - bottom))
    for ax, box in zip(figure.axes, boxes):
        ax.set_position([box.x0, bottom + bottom_by + (box.y0 - bottom) * scale, box.width,
                         box.height * scale])
