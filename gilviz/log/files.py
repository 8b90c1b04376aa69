"""Where runs are written, and how: fresh run directories and atomic writes."""

import datetime
import os


def atomic_write(path, write, mode="w"):
    """Call write(stream) on a temporary file beside `path`, then move it into
    place: a reader never sees half a file, and a failure leaves none."""
    directory, name = os.path.split(path)
    partial = os.path.join(directory, ".%s.partial" % name)
    try:
        with open(partial, mode) as stream:
            write(stream)
        os.replace(partial, path)
    except BaseException:
        try:
            os.unlink(partial)
        except OSError:
            pass
        raise
    return path


def new_run_dir(out_dir, name):
    """A fresh directory out_dir/<timestamp>-<name>[-N] for one invocation."""
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
