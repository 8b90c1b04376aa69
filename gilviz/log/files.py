"""Where runs are written, and how: fresh run directories and atomic writes."""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from typing import IO, Any


class WriteError(OSError):
    """A file or directory gilviz writes could not be written: a full disk, a
    directory without write permission. `filename` is the path asked for,
    never the temporary file beside it; `strerror` says what went wrong."""

    def __str__(self) -> str:
        return "cannot write %s: %s" % (self.filename, self.strerror)


def write_error(error: OSError, path: str) -> WriteError:
    """`error` (an OSError) as a WriteError naming `path`."""
    if isinstance(error, WriteError):
        return error
    return WriteError(error.errno, error.strerror or str(error), path)


def atomic_write(path: str, write: Callable[[IO[Any]], object], mode: str = "w") -> str:
    """Call write(stream) on a temporary file beside `path`, then move it into
    place: a reader never sees half a file, and a failure leaves none. An
    OSError becomes a WriteError naming `path`."""
    directory, name = os.path.split(path)
    partial = os.path.join(directory, ".%s.partial" % name)
    try:
        with open(partial, mode) as stream:
            write(stream)
        os.replace(partial, path)
    except BaseException as error:
        try:
            os.unlink(partial)
        except OSError:
            pass
        if isinstance(error, OSError):
            raise write_error(error, path) from None
        raise
    return path


def new_run_dir(out_dir: str, name: str) -> str:
    """A fresh directory out_dir/<timestamp>-<name>[-N] for one invocation;
    WriteError if it cannot be made."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = os.path.join(out_dir, "%s-%s" % (stamp, name))
    path, suffix = base, 1
    while True:
        try:
            os.makedirs(path)
            return path
        except FileExistsError:
            suffix += 1
            path = "%s-%d" % (base, suffix)
        except OSError as error:
            raise write_error(error, path) from None
