"""Writing figures to disk."""

from matplotlib.backends.backend_agg import FigureCanvasAgg

from ..log import atomic_write


def save_png(figure, path):
    """Write `figure` as a PNG at its own size and dpi, atomically."""
    FigureCanvasAgg(figure)
    return atomic_write(path, lambda stream: figure.savefig(stream, format="png", dpi=figure.dpi),
                        mode="wb")
