"""Writing figures to disk."""

import os

from matplotlib.backends.backend_agg import FigureCanvasAgg


def save_png(figure, path):
    """Write `figure` as a PNG at its own size and dpi, atomically."""
    partial = path + ".partial.png"
    FigureCanvasAgg(figure)
    figure.savefig(partial, format="png", dpi=figure.dpi)
    os.replace(partial, path)
    return path
