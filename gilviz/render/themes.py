"""Themes for slides: light (the figures as drawn), dark and talk.

A figure is drawn once, in the light colours of render.palette, inside the
theme's rc_context; restyle() then maps each colour of the finished figure
to the theme's and, for talk, scales type and strokes. No figure function
knows about themes, and nothing touches pyplot state.

dark keeps the Okabe-Ito palette, which stays distinguishable under the
common forms of colour blindness; its two darkest hues (blue, vermillion)
are lightened so that they stand out from the dark background as well as
they do from white. talk is the light theme with larger type and thicker
strokes, for 1280x720 seen from the back of a room.

Each theme states its smallest type, in points of the 16-inch-wide figure
every size keeps (render.formats): nothing is drawn smaller, and the layout
(render.layout) makes room rather than shrink text below it.

    light, dark   11 pt: 18 pixels at 1920x1080, 12 at 1280x720
    talk          17 pt: 19 pixels at its 1280x720, 28 at 1920x1080
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import matplotlib
import numpy as np
from matplotlib.collections import Collection, PathCollection, PolyCollection
from matplotlib.colors import to_rgba, to_rgba_array
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text

from . import palette
from .textfit import type_size

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.typing import ColorType, RcKeyType
    from numpy.typing import NDArray

DARK_BACKGROUND = "#16181D"


class Theme(NamedTuple):
    name: str
    colours: dict[str, str]
    """{light colour: this theme's}; colours not listed stay."""
    rc: dict[RcKeyType, Any]
    """rcParams to draw in, beside render.palette.RC."""
    type_scale: float = 1.0
    """Font sizes are multiplied by this ..."""
    smallest_type: float = 11.0
    """... and raised to at least this many points: the smallest type
    drawn, which the layout keeps too."""
    stroke_scale: float = 1.0
    """Line widths and marker sizes are multiplied by this."""
    size: tuple[int, int] = (1920, 1080)
    """Pixels when none are asked for."""


LIGHT = Theme("light", {}, {})
DARK = Theme("dark", {
    "white": DARK_BACKGROUND,
    palette.INK: "#E8E8E8",
    "black": "#E8E8E8",
    palette.MUTED: "#A8A8A8",
    palette.GREY: "#6E6E6E",
    palette.BLUE: "#3D9BE9",
    palette.VERMILLION: "#FF7A3D",
    palette.BLUISH_GREEN: "#1DBF8E",
    palette.REDDISH_PURPLE: "#E08FC0",
}, {"figure.facecolor": DARK_BACKGROUND, "axes.facecolor": DARK_BACKGROUND,
    "savefig.facecolor": DARK_BACKGROUND, "text.color": "#E8E8E8"})
TALK = Theme("talk", {}, {"lines.linewidth": 3.0}, type_scale=1.15, smallest_type=17,
             stroke_scale=1.6, size=(1280, 720))
THEMES = {each.name: each for each in (LIGHT, DARK, TALK)}


def theme_named(name: str | None) -> Theme:
    """The Theme called `name` (None: light); ValueError for another name."""
    if name is None:
        return LIGHT
    if name not in THEMES:
        raise ValueError("%r is not a theme: give one of %s" % (name, ", ".join(THEMES)))
    return THEMES[name]


def drawn_in(chosen: Theme, draw: Callable[[], Figure]) -> Figure:
    """draw() (a figure function) inside `chosen`'s rc_context, restyled."""
    with matplotlib.rc_context(chosen.rc):
        figure = draw()
    restyle(figure, chosen)
    return figure


class ColourMap:
    """Maps RGBA colours to a theme's, alpha kept; colours not listed stay."""

    def __init__(self, colours: dict[str, str]) -> None:
        self.pairs = [(np.asarray(to_rgba(old)[:3]), to_rgba(new)[:3])
                      for old, new in colours.items()]

    def one(self, colour: ColorType) -> tuple[float, float, float, float]:
        rgba = to_rgba(colour)
        for old, new in self.pairs:
            if np.allclose(rgba[:3], old, atol=2 / 255):
                return new + (rgba[3],)
        return rgba

    def many(self, colours: ColorType | Sequence[ColorType]) -> NDArray[np.float64]:
        rgba = to_rgba_array(colours)
        return np.asarray([self.one(each) for each in rgba]).reshape(-1, 4) if len(rgba) else rgba


def restyle(figure: Figure, chosen: Theme) -> Figure:
    """Recolour and rescale the finished `figure` in place for `chosen`."""
    if chosen.colours:
        recolour(figure, ColourMap(chosen.colours))
    if chosen.type_scale != 1 or chosen.smallest_type:
        for text in figure.findobj(Text, include_self=False):
            text.set_fontsize(max(type_size(text) * chosen.type_scale, chosen.smallest_type))
    if chosen.stroke_scale != 1:
        thicken(figure, chosen.stroke_scale)
    return figure


def recolour(figure: Figure, colours: ColourMap) -> None:
    figure.set_facecolor(colours.one(figure.get_facecolor()))
    for artist in figure.findobj():
        if isinstance(artist, Text):
            artist.set_color(colours.one(artist.get_color()))
            box = artist.get_bbox_patch()
            if box is not None:
                box.set_facecolor(colours.one(box.get_facecolor()))
                box.set_edgecolor(colours.one(box.get_edgecolor()))
        elif isinstance(artist, Line2D):
            artist.set_color(colours.one(artist.get_color()))
            for get, put in ((artist.get_markerfacecolor, artist.set_markerfacecolor),
                             (artist.get_markeredgecolor, artist.set_markeredgecolor)):
                colour = get()
                if not (isinstance(colour, str) and colour == "none"):
                    put(colours.one(colour))
        elif isinstance(artist, Patch):
            artist.set_facecolor(colours.one(artist.get_facecolor()))
            artist.set_edgecolor(colours.one(artist.get_edgecolor()))
        elif isinstance(artist, Collection):
            faces, edges = artist.get_facecolor(), artist.get_edgecolor()
            # An (n, 4) array of RGBA is a sequence of colours, which the stubs do not say.
            if len(faces):
                artist.set_facecolor(colours.many(faces))  # type: ignore[arg-type]
            if not isinstance(edges, str) and len(edges):
                artist.set_edgecolor(colours.many(edges))  # type: ignore[arg-type]
    for ax in figure.axes:
        ax.tick_params(colors=colours.one(palette.MUTED), which="both")
        for text in ax.get_xticklabels() + ax.get_yticklabels():
            text.set_color(colours.one(palette.INK))


def thicken(figure: Figure, scale: float) -> None:
    for artist in figure.findobj():
        if isinstance(artist, Line2D):
            artist.set_linewidth(artist.get_linewidth() * scale)
            artist.set_markersize(artist.get_markersize() * scale ** 0.5)
        elif isinstance(artist, PathCollection):  # scatter markers
            artist.set_sizes(np.asarray(artist.get_sizes()) * scale)
        elif isinstance(artist, Collection) and not isinstance(artist, PolyCollection):
            # Bands keep their hairline edges: thicker ones would swallow short holds.
            widths = np.asarray(artist.get_linewidth())
            if len(widths):  # an array of widths is a sequence, which the stubs do not say
                artist.set_linewidth(widths * scale)  # type: ignore[arg-type]
        elif isinstance(artist, Patch) and artist.get_linewidth():
            artist.set_linewidth(artist.get_linewidth() * scale)

