"""Workloads, each in a plain form and, where it has one, a probed form.

A kernel is called as kernel(work, probe, context) and returns a dict of
results (or None). `probe` is None for the plain form. `context` holds the
worker's "index", the number of "workers", the run's "params" (a dict from
the command line) and "marks", a list to which the kernel may append
[t_ns, kind, value] events (chunk ends, requests) for the log. A kernel that
calls into compiled code which may release the GIL brackets those calls with
[t, "native", None] and [t, "native_end", value] marks; the timeline then
tells its running threads apart: outside, they run Python and hold the GIL.

A kernel may name a session as well: a context manager
session(params, workers, work) that the agent enters before it starts the
workers and leaves after it collected them, and that yields the params the
workers get (the io kernel starts its echo server there, outside the
measured time).

Kernels that need more than the stdlib live in modules of their own, loaded
only when asked for, so that countdown imports nothing else.
"""

from __future__ import absolute_import

import contextlib
import importlib
import types

from .probe import clock


def countdown(n):
    """David Beazley's countdown, exactly as the seed has it."""
    while n > 0:
        n -= 1


def countdown_probed(n, probe, stop_when=None):
    """The same countdown, reading the clock every `probe.chunk` iterations.

    Its cost has to be measured in wall time, not instructions: on this
    kind of machine the interpreter's indirect-branch prediction moves it by
    tens of percent either way (see scripts/bench_probe.py). So each chunk
    runs the seed's loop opcode for opcode, `while m > 1000: m -= 1`, on a
    counter m from chunk + 1000 down to the bound 1000:

    - the bound is a constant, as the seed's 0 is. Comparing with a local
      instead (`while n > stop`) made the same values take 11-13 % longer
      (median of 20-25 fresh-process pairs, CPython 3.11; this loop 0-8 %):
      LOAD_FAST then jumps to three different opcodes instead of one, and
      the dispatch mispredicts (cachegrind: +66 % simulated mispredictions,
      this loop +16 %);
    - the counter stays above 256, so every `m -= 1` allocates a new int as
      the seed's large n does; counting down to 0 would take the last 256 of
      each chunk from CPython's small-int cache and time a faster kernel;
    - the loop is inline, not a function called per chunk: such a function
      is specialized after 8 calls on 3.11 (quickening) while the seed's
      countdown, called once, never is, and it ran 17-25 % faster. For the
      same reason no loop here ends in a plain backward jump (`while True`,
      `for`, `continue`), which warms a function up on 3.11 as calls do.

    What a chunk costs beyond its iterations is paid once a chunk, so it is
    kept to the fewest opcodes: the full chunks run first, each starting
    from the same int `top` with no test of its size, the clock is a local,
    and the short last chunk, if any, is one more pass of the outer loop
    (it runs twice at most).

    `stop_when`, if given, is asked after each switch (never in the hot path)
    whether to end before n reaches 0. Returns the iterations left.
    """
    chunk = probe.chunk
    top = chunk + 1000
    gap_ns = probe.gap_ns
    turn = probe.turn
    me = probe.me
    switched = probe.switched
    read_clock = clock
    last = probe.begin()
    while n > 0:
        if n < chunk:  # the short last chunk
            chunk = n
            top = n + 1000
        while n >= chunk:
            n -= chunk
            m = top
            while m > 1000:
                m -= 1
            now = read_clock()
            if now - last > gap_ns or turn[0] is not me:
                now = switched(last)
                if stop_when is not None and stop_when():
                    probe.end(now)
                    return n
            last = now
    probe.end(last)
    return n


def run_countdown(work, probe, context):
    if probe is None:
        countdown(work)
    else:
        countdown_probed(work, probe)
    return None


def _chunk_loop(m):
    """countdown_probed's inner loop, alone, for timing it."""
    while m > 1000:
        m -= 1


def calibrate_chunk(target_ns, iterations=100000, repeats=3):
    """Iterations of the probed countdown's inner loop that take about
    `target_ns` here (the fastest of `repeats` timings, so that a chunk takes
    longer, not shorter, when the machine is slow)."""
    best = None
    for _ in range(repeats):
        began = clock()
        _chunk_loop(iterations + 1000)
        took = clock() - began
        best = took if best is None else min(best, took)
    return max(16, int(target_ns * iterations / max(best, 1)))


KERNELS = {
    # name: (module, function[, session]), the module relative to this package
    "countdown": (".kernels", "run_countdown"),
    "io": (".io", "run_io", "io_session"),
    "convoy": (".convoy", "run_convoy", "convoy_session"),
    "pi": (".pi", "run_pi"),
    "call": (".call", "run_call", "call_session"),
}

PROBED_KERNELS = ("countdown", "convoy")
"""Kernels with a probed form; the others ignore the probe and run without it."""
CPU_BOUND_KERNELS = ("countdown", "pi")
"""Kernels whose work is all CPU: a serial run of them keeps one core busy."""


def load_kernel(name, own_constants=False):
    """The kernel's function; with `own_constants`, a copy whose constants the
    calling thread made (see thread_own_copy)."""
    module, function = KERNELS[name][:2]
    module = importlib.import_module(module, __package__)
    if own_constants:
        return thread_own_copy(module, function)
    return getattr(module, function)


def thread_own_copy(module, name):
    """`module.name` in a private copy of the module's namespace, where every
    function of the module has constants made by the calling thread.

    Without a GIL, an object that threads running at once keep taking and
    dropping references to has its reference count fought over between the
    cores. The probed countdown loads its bound 1000 at every iteration: on
    a free-threaded 3.13 two threads sharing the module's 1000 took 1.9x the
    serial time, and 0.51x with a 1000 each (the seed's 0 and 1 are
    immortal small ints, shared at no cost).
    """
    namespace = dict(vars(module))
    for key, value in vars(module).items():
        if isinstance(value, types.FunctionType) and value.__module__ == module.__name__:
            namespace[key] = types.FunctionType(
                _own_code(value.__code__), namespace, value.__name__, value.__defaults__,
                value.__closure__)
    return namespace[name]


def _own_code(code):
    """`code` with fresh copies of its int and float constants, nested code too."""
    def fresh(constant):
        if type(constant) in (int, float):
            return type(constant)(repr(constant))
        if isinstance(constant, types.CodeType):
            return _own_code(constant)
        return constant
    return code.replace(co_consts=tuple(fresh(c) for c in code.co_consts))


@contextlib.contextmanager
def _no_session(params, workers, work):
    yield params


def load_session(name):
    """The kernel's session (see above), or one that changes nothing."""
    entry = KERNELS[name]
    if len(entry) < 3:
        return _no_session
    return getattr(importlib.import_module(entry[0], __package__), entry[2])
