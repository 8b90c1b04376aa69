"""`gilviz render`: a saved run drawn again, measuring nothing, and where
its chart or animation goes."""

from __future__ import annotations

import argparse
import os
import tempfile
from typing import TextIO

from .. import api
from ..log import WriteError
from .progress import FrameProgress
from .status import EXIT_FAILED, EXIT_USAGE


def chart_path(result: api.Result, args: argparse.Namespace, file_format: str) -> str:
    """Where `gilviz render` writes without --out: in the run directory,
    named by what differs from the chart the run drew (timeline-dark.svg)."""
    assert result.run_dir is not None, "a loaded result has the directory it was loaded from"
    parts = [os.path.splitext(result.chart_name)[0]]
    if args.theme != "light":
        parts.append(args.theme)
    if args.size:
        parts.append("%dx%d" % args.size)
    if args.dpi:
        parts.append("%ddpi" % args.dpi)
    if args.window:
        parts.append("%g-%gms" % tuple(t / 1e6 for t in args.window))
    if args.workers:
        parts.append("workers" + "-".join(map(str, args.workers)))
    return os.path.join(result.run_dir, "%s.%s" % ("-".join(parts), file_format))


def check_out_file(path: str, option: str) -> str | None:
    """Refuse a file `option` (--out, --animate) names where none can be
    written, before anything is drawn; the refusal names `path` as given."""
    if os.path.isdir(path):
        return "%s %s is a directory: give a file in it" % (option, path)
    directory = os.path.dirname(path) or "."
    try:
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as error:
        return "%s %s cannot be written: %s" % (option, path, error.strerror or error)
    return None


def animation_path(path: str, run: str) -> str:
    """Where --animate `path` goes: a bare file name into the directory of
    `run` (a run directory or its run.json), as every file a run has; a
    path with a directory as given."""
    if os.path.dirname(path):
        return path
    return os.path.join(run if os.path.isdir(run) else os.path.dirname(run), path)


def run_render(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Draw a saved run again; bad input is one line and exit status 2, a
    file that cannot be written (a full disk) exit status 1."""
    from ..render.animate import AnimationError
    from ..render.formats import FormatError, format_of
    try:
        file_format = format_of(args.out or "", args.format)
    except FormatError as error:
        args.command_parser.error("--out %s" % error)
    animation = args.animate and animation_path(args.animate, args.path)
    for path, option in ((args.out, "--out"), (animation, "--animate")):
        # RUN not there: loading it says so
        problem = path and os.path.exists(args.path) and check_out_file(path, option)
        if problem:
            args.command_parser.error(problem)
    try:
        result = api.load(args.path)
        if not result.has_figure():
            raise api.OptionError("%s holds no run to draw: %s" % (args.path, result.report()))
        options = dict(theme=args.theme, size=args.size, dpi=args.dpi, window_ns=args.window,
                       workers=args.workers)
        if animation:
            frames = FrameProgress(err)
            try:
                path = result.animate(animation, progress=frames, **options)
            finally:
                frames.close()
        else:
            path = result.render(args.out or chart_path(result, args, file_format),
                                 file_format, **options)
    except WriteError as error:
        err.write("gilviz render: error: %s\n" % error)
        return EXIT_FAILED
    except (api.LogError, api.OptionError, AnimationError, OSError) as error:
        err.write("gilviz render: error: %s\n" % error)
        return EXIT_USAGE
    out.write("chart:    %s\n" % path)
    return 0
