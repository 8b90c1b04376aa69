"""How big a trace.json the Perfetto UI opens here, and how fast.

Builds synthetic runs of `--workers` threads taking round-robin turns of
50 us (5 us hand-offs), writes each one's trace with gilviz's own exporter,
opens it in the Perfetto UI in headless Chromium exactly as
tests/test_perfetto.py does, and prints the file's size and the time from
asking for the UI until it had loaded and drawn the trace. Each size is
checked through Perfetto's SQL: as many slices as the file holds. Stops at
the first size that fails or takes longer than --give-up-s.

    python scripts/bench_perfetto_load.py --holds 10000 100000 1000000
"""

import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tests"))

import perfetto_ui  # noqa: E402
from test_perfetto import round_robin_run  # noqa: E402

from gilviz.analysis import summarize  # noqa: E402
from gilviz.render.trace import save_trace  # noqa: E402


def count_slices(path, block=1 << 24):
    """Slices and instants in the file, read as bytes: json.dump writes each
    event's phase as '"ph": "X"', and loading a gigabyte of JSON into Python
    objects would take many times that in memory."""
    patterns = [b'"ph": "X"', b'"ph": "i"']
    count, tail = 0, b""
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(block), b""):
            data = tail + chunk
            count += sum(data.count(p) for p in patterns)
            tail = data[-(len(patterns[0]) - 1):]  # too short to hold a whole match
    return count


def measure(workers, holds, directory, give_up_s):
    run = round_robin_run(workers, holds)
    began = time.monotonic()
    path = save_trace(run, summarize(run), os.path.join(directory, "trace-%d.json" % holds))
    export_s = time.monotonic() - began
    slices = count_slices(path)
    size_mb = os.path.getsize(path) / 1e6
    with perfetto_ui.opened(path, timeout_s=give_up_s) as perfetto:
        shown = perfetto.query("select count(*) as n from slice")[0]["n"]
        load_s = perfetto.load_s
    os.unlink(path)
    print("%9d holds  %9d slices  %7.1f MB  export %5.1f s  Perfetto load %6.1f s  %s"
          % (holds, slices, size_mb, export_s, load_s,
             "all slices there" if shown == slices else "Perfetto shows %d slices" % shown),
          flush=True)
    return shown == slices and load_s <= give_up_s


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=64)
    parser.add_argument("--holds", type=int, nargs="+",
                        default=[10_000, 30_000, 100_000, 300_000, 1_000_000])
    parser.add_argument("--give-up-s", type=float, default=300.0)
    args = parser.parse_args(argv)
    reason = perfetto_ui.missing()
    if reason:
        print("cannot drive the Perfetto UI: " + reason, file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as directory:
        for holds in args.holds:
            try:
                if not measure(args.workers, holds, directory, args.give_up_s):
                    return 1
            except Exception as error:  # a timeout or a crashed tab: the size is too big
                print("%9d holds  failed: %s" % (holds, str(error).splitlines()[0]), flush=True)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
