"""Monte-Carlo pi: throw darts at the unit square, count those in the circle.

The only agent module that needs numpy, loaded only when a pi kernel is asked
for. Two variants, chosen by params["variant"]:

  seed  the seed's kernel as it was: the legacy global RandomState, reseeded
        from the OS in each worker, draws the whole share in two arrays.
        Memory grows with the share (~33 bytes a sample); every draw takes the
        RandomState's one lock, so threads queue for it.
  fast  a numpy Generator (SFC64) per worker, from one SeedSequence spawned
        into as many independent streams as there are workers (reproducible
        with params["seed"]), filling preallocated buffers chunk by chunk:
        memory stays the same whatever the sample count.

Both mark when they enter and leave numpy, [t, "native", None] and
[t, "native_end", samples counted], so that the timeline can tell a thread
running Python (it holds the GIL) from one inside numpy (which releases the
GIL while it generates numbers and loops over arrays).

With params["share"], the fast kernel reports its running count of hits
through context["reporter"] (agent/sharing.py) after every chunk, each report
marked [t, "share", ns it took]; every chunk is then a section of its own.
"""

import resource
import sys

from .probe import clock
from .protocol import NATIVE, NATIVE_END, PI_DEFAULT_CHUNK, SHARING_CALL

try:
    import numpy as np
    # numpy 2 imports numpy.random on first use: do it here, before the
    # release, or the first worker imports it in the timed run while the
    # others wait for the import lock.
    import numpy.random
except ImportError as error:
    raise ImportError("pi needs numpy in the measured interpreter (%s); install it there with "
                      "'%s -m pip install numpy'" % (error, sys.executable)) from None


DEFAULT_CHUNK = PI_DEFAULT_CHUNK
MAX_SECTIONS = 10000
"""At most this many marked sections a worker, so that the marks of a very
long run stay small: past it, one section spans several chunks."""


def peak_rss_bytes():
    """The highest resident set size of this process's memory (VmHWM).

    Not ru_maxrss: that one carries over, through exec, the size the parent
    had when it started this process.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def result(samples, hits, reported=None):
    counts = {"samples": samples, "hits": hits, "max_rss_bytes": peak_rss_bytes()}
    if reported is not None:
        counts["reported"] = reported
    return counts


def pi_seed(work, context):
    """The seed's kernel: two arrays of the whole share, then one count."""
    mark = context["marks"].append
    mark([clock(), NATIVE, None])
    np.random.seed()
    x = np.random.uniform(size=work)
    y = np.random.uniform(size=work)
    hits = int(np.count_nonzero(x * x + y * y <= 1))
    mark([clock(), NATIVE_END, work])
    return result(work, hits)


def worker_generator(seed, workers, index):
    """Worker `index`'s stream: independent of the other workers' and the same
    for the same seed and number of workers.

    SFC64 rather than default_rng's PCG64: drawing the numbers is nearly all
    of this kernel's time, and SFC64 drew them ~1.3x faster here (paired
    runs in one process), with the same seeding by SeedSequence.
    """
    stream = np.random.SeedSequence(seed).spawn(workers)[index]
    return np.random.Generator(np.random.SFC64(stream))


def count_in_circle(generator, x, y, inside):
    """Fill x and y with uniform draws and count the points with x² + y² <= 1.

    Works in place in the given buffers, so that no array is allocated.
    """
    generator.random(out=x)
    generator.random(out=y)
    np.multiply(x, x, out=x)
    np.multiply(y, y, out=y)
    np.add(x, y, out=x)
    np.less_equal(x, 1.0, out=inside)
    return int(np.count_nonzero(inside))


def chunks_per_section(work, chunk):
    chunks = -(-work // chunk)
    return max(1, -(-chunks // MAX_SECTIONS))


def pi_fast(work, context):
    """Chunks of params["chunk"] samples into buffers allocated once."""
    params = context["params"]
    chunk = params.get("chunk", DEFAULT_CHUNK)
    generator = worker_generator(params.get("seed"), context["workers"], context["index"])
    size = min(chunk, work)
    x, y, inside = np.empty(size), np.empty(size), np.empty(size, dtype=bool)
    reporter = context.get("reporter")
    per_section = 1 if reporter is not None else chunks_per_section(work, chunk)
    mark = context["marks"].append
    hits = done = 0
    while done < work:
        mark([clock(), NATIVE, None])
        counted = 0
        for _ in range(per_section):
            size = min(chunk, work - done - counted)
            if size == 0:
                break
            if size < len(x):  # the last, shorter chunk: views, not new arrays
                x, y, inside = x[:size], y[:size], inside[:size]
            hits += count_in_circle(generator, x, y, inside)
            counted += size
        done += counted
        mark([clock(), NATIVE_END, counted])
        if reporter is not None:
            began = clock()
            reporter.report(hits)
            mark([began, SHARING_CALL, clock() - began])
    # The return mechanism's count travels back with the result: the last one
    # its reporter took, checked by the agent against the kernel's own hits.
    return result(work, hits, getattr(reporter, "count", None))


VARIANTS = {"seed": pi_seed, "fast": pi_fast}


def run_pi(work, probe, context):
    """The kernel entry point; `probe` is unused (the probe is for pure-Python kernels)."""
    return VARIANTS[context["params"].get("variant", "fast")](work, context)
