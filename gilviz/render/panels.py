"""The panels' grid: each row as high and each column as wide as its labels
and decorations need, between the header and the footnote (layout.py
stacks those and calls lay_out_panels)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.legend import Legend
from matplotlib.text import Text

from .textfit import MARGIN, extent, side_by_side, type_size

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.axes._base import _AxesBase
    from matplotlib.axis import Axis, Tick
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.figure import Figure, SubFigure
    from numpy.typing import ArrayLike, NDArray

GAP = 0.006
"""Fraction of the figure's height between two items stacked by the layout."""
HEADER_GAP = 0.014
"""Fraction of the figure's height between the header and the panels."""
FLOOR = 2.5
"""No panel gets lower than this many times its tick labels' type size
while the header can make room."""


def gap(figure: Figure | SubFigure, fraction: float = GAP) -> float:
    return fraction * figure.bbox.height


def y_tick_labels(ax: _AxesBase) -> list[Text]:
    """The y tick labels `ax` draws (left or right)."""
    return [label for tick in drawn_ticks(ax.yaxis) for label in (tick.label1, tick.label2)
            if label.get_visible() and label.get_text()]


def drawn_ticks(axis: Axis) -> list[Tick]:
    """The ticks `axis` draws, placed and labelled as drawn."""
    return axis._update_ticks()  # type: ignore[attr-defined]  # private: not in the stubs


def labels_of(ax: Axes, renderer: RendererAgg) -> list[list[Text]]:
    """The y tick labels `ax` draws, its texts placed by data y (the figures
    at the bands' ends), and the tick labels of the panels inside it (a
    colour bar): the groups of texts that crowd as the panel shrinks."""
    placed = [text for text in ax.texts if text.get_visible() and text.get_text()
              and text.get_transform().contains_branch_seperately(ax.transData)[1]]
    return [y_tick_labels(ax), placed] + [y_tick_labels(child) for child in ax.child_axes]


def anchor_y(text: Text) -> float:
    return text.get_transform().transform(text.get_position())[1]


def needed_height(ax: Axes, renderer: RendererAgg, scale: float = 1.0) -> float:
    """The height in pixels at which no two of the panel's labels (labels_of)
    meet, with their type `scale` times its size; and a legend inside it
    fits its upper half."""
    box = ax.get_window_extent(renderer)
    height = box.height
    needed = 0.0
    legend = ax.get_legend()
    if legend is not None and extent(legend, renderer).y0 < box.y1 - 1:
        needed = 2 * extent(legend, renderer).height * scale
    for group in labels_of(ax, renderer):
        boxes = sorted(((anchor_y(text), extent(text, renderer)) for text in group),
                       key=lambda pair: pair[0])
        for (low, a), (high, b) in zip(boxes, boxes[1:]):
            if high - low < 0.5 or side_by_side(a, b):
                continue
            above_anchor, below_anchor = (a.y1 - low) * scale, (high - b.y0) * scale
            needed = max(needed, height * (above_anchor + below_anchor + 2) / (high - low))
    return needed


class Cell:
    """A panel and what its grid position says: its rows, its columns, and
    the room its decorations take on each side, in pixels."""

    def __init__(self, ax: Axes, figure: Figure, renderer: RendererAgg) -> None:
        spec = ax.get_subplotspec()
        assert spec is not None  # lay_out_panels gives the panels of a grid only
        self.ax = ax
        self.rows, self.columns = spec.rowspan, spec.colspan
        box = ax.get_position().transformed(figure.transFigure)
        tight = ax.get_tightbbox(renderer)
        assert tight is not None  # None for a panel not drawn
        self.above = max(0.0, tight.y1 - box.y1)
        self.below = max(0.0, box.y0 - tight.y0)
        self.left = max(0.0, box.x0 - tight.x0)
        self.right = max(0.0, tight.x1 - box.x1)
        self.needed = needed_height(ax, renderer)
        ticks = [type_size(tick.label1) for tick in ax.yaxis.get_major_ticks()[:1]]
        self.type_px = (ticks[0] if ticks else 10) * figure.dpi / 72


def shares(total: float, weights: ArrayLike, least: ArrayLike) -> NDArray[np.float64]:
    """`total` split by `weights`, each part at least its `least`: parts at
    their least keep it, the others share the rest; all scaled down where
    the leasts alone pass the total."""
    weights, least = np.asarray(weights, float), np.asarray(least, float)
    if least.sum() >= total:
        return least * total / max(least.sum(), 1e-9)
    fixed = np.zeros(len(weights), bool)
    while True:
        scale = (total - least[fixed].sum()) / max(weights[~fixed].sum(), 1e-9)
        parts = np.where(fixed, least, weights * scale)
        short = ~fixed & (parts < least)
        if not short.any():
            return parts
        fixed |= short


def lay_out_panels(figure: Figure, header: Sequence[Text | Legend], footnote: Sequence[Text],
                   renderer: RendererAgg, smallest: float) -> tuple[bool, tuple[float, float]]:
    """Place the panels' grid between the header and the footnote, each row
    and column with room for its decorations; (whether any panel moved, the
    pixels the panels lack for their labels at the smallest type, the
    pixels they lack for their floors)."""
    axes = [ax for ax in figure.axes if ax.get_subplotspec() is not None]
    if not axes:
        return False, (0.0, 0.0)
    spec = axes[0].get_subplotspec()
    assert spec is not None  # kept above
    grid = spec.get_gridspec()
    rows, columns = grid.get_geometry()
    cells = [Cell(ax, figure, renderer) for ax in axes]
    height, width = figure.bbox.height, figure.bbox.width
    top = min([extent(item, renderer).y0 for item in header] + [(1 - MARGIN) * height])
    top -= gap(figure, HEADER_GAP) if header else 0
    bottom = max([extent(text, renderer).y1 for text in footnote] + [MARGIN * height])
    bottom += gap(figure) if footnote else 0

    above = [max([c.above for c in cells if c.rows.start == r] + [0]) for r in range(rows)]
    below = [max([c.below for c in cells if c.rows.stop - 1 == r] + [0]) for r in range(rows)]
    needed = [max([c.needed / len(c.rows) for c in cells if r in c.rows] + [0])
              for r in range(rows)]
    floor = np.asarray([max([FLOOR * c.type_px for c in cells if r in c.rows] + [0])
                        for r in range(rows)], float)
    spacing = gap(figure)
    free = top - bottom - sum(above) - sum(below) - spacing * (rows - 1)
    ratios = grid.get_height_ratios() or [1] * rows
    least = np.maximum(needed, floor)
    if least.sum() > free:  # not all labels fit at their size: at the smallest type, then
        scale = [smallest / max(c.type_px * 72 / figure.dpi, smallest) for c in cells]
        needed = [max([needed_height(c.ax, renderer, s) / len(c.rows)
                       for c, s in zip(cells, scale) if r in c.rows] + [0]) for r in range(rows)]
        least = np.maximum(needed, floor)
    if least.sum() <= free:
        heights = shares(free, ratios, least)
    elif floor.sum() < free:  # every panel its floor, and the rest towards what its labels need
        heights = floor + (least - floor) * (free - floor.sum()) / (least - floor).sum()
    else:
        heights = floor * max(free, 0) / max(floor.sum(), 1e-9)
    row_top, row_bottom, y = [], [], top
    for r in range(rows):
        y -= above[r]
        row_top.append(y)
        y -= heights[r]
        row_bottom.append(y)
        y -= below[r] + spacing

    left_room = [max([c.left for c in cells if c.columns.start == k] + [0])
                 for k in range(columns)]
    right_room = [max([c.right for c in cells if c.columns.stop - 1 == k] + [0])
                  for k in range(columns)]
    boxes = {c.ax: c.ax.get_position().transformed(figure.transFigure) for c in cells}
    first = min(box.x0 for box in boxes.values())
    last = max(box.x1 for box in boxes.values())
    x0 = max(first, MARGIN * width + left_room[0])
    x1 = min(last, (1 - MARGIN) * width - right_room[-1])
    old_widths = [np.mean([boxes[c.ax].width / len(c.columns) for c in cells
                           if k in c.columns]) for k in range(columns)]
    old_gaps = [max(0.0, min([boxes[c.ax].x0 for c in cells if c.columns.start == k + 1])
                    - max([boxes[c.ax].x1 for c in cells if c.columns.stop - 1 == k]))
                for k in range(columns - 1)]
    gaps = [max(old, right_room[k] + left_room[k + 1] + spacing)
            for k, old in enumerate(old_gaps)]
    widths = np.asarray(old_widths) * max(0.0, x1 - x0 - sum(gaps)) / max(sum(old_widths), 1e-9)
    column_left, column_right, x = [], [], x0
    for k in range(columns):
        column_left.append(x)
        x += widths[k]
        column_right.append(x)
        x += gaps[k] if k < columns - 1 else 0

    moved = False
    for c in cells:
        new = [column_left[c.columns.start], row_bottom[c.rows.stop - 1],
               column_right[c.columns.stop - 1], row_top[c.rows.start]]
        old = boxes[c.ax]
        if max(abs(a - b) for a, b in zip(new, (old.x0, old.y0, old.x1, old.y1))) > 0.5:
            c.ax.set_position((new[0] / width, new[1] / height, (new[2] - new[0]) / width,
                               (new[3] - new[1]) / height))
            moved = True
    return moved, (least.sum() - free, floor.sum() - free)
