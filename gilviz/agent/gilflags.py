"""Reads, from outside, a CPython 3.15+ process's own GIL flags and where
each thread is in its code, and writes them out as they come.

CPython 3.15 keeps, for each thread, whether it holds the GIL, has asked
for it, and is on a CPU; its _remote_debugging module (the source of
`python -m profiling.sampling`) reads them, with the Python stack, from
another process. The module must be the target's own version, so this file
runs with the target's interpreter (started by measure/gilflags.py), never
inside the measured process.

    python3.15 gilflags.py PID HZ

writes to stdout one line a read, its time the middle of the read
(time.perf_counter_ns: CLOCK_MONOTONIC, the orchestrator's clock)

    T TID:STATUS:CODE TID:STATUS:CODE ...

where CODE numbers the innermost Python function of the thread (-1 for
none), each named once before its first use:

    F CODE function (file)

It ends when its standard input has something to read or is closed (the
orchestrator's stop), or when the target is gone. Stdlib only.
"""

import os
import select
import sys
import time

import _remote_debugging

MODE_GIL_AND_CPU = 3
"""RemoteUnwinder's mode: read the GIL and CPU flags of every thread."""
FLUSH_EVERY = 64
"""Reads between two writes to the pipe (~30 ms at 2 kHz)."""
FAILURES_AT_MOST = 200
"""Reads in a row that may fail (a thread changing under the read) before
the reader gives up, saying why: a lasting failure (no permission, another
version) must not spin a core beside the workers."""


def innermost(frames):
    """"function (file)" of the innermost Python frame, or None."""
    for frame in frames:
        if frame.filename and not frame.filename.startswith("<"):
            return "%s (%s)" % (frame.funcname, os.path.basename(frame.filename))
    return None


def pace(next_read, period):
    """Sleep until the read after `next_read`; returns its time."""
    next_read += period
    pause = next_read - time.perf_counter_ns()
    if pause > 0:
        time.sleep(pause / 1e9)
        return next_read
    return time.perf_counter_ns()  # behind: no burst to catch up


def main(argv):
    pid, hz = int(argv[0]), float(argv[1])
    unwinder = _remote_debugging.RemoteUnwinder(pid, all_threads=True, mode=MODE_GIL_AND_CPU)
    codes = {}
    out = []
    period = int(1e9 / hz)
    next_read = time.perf_counter_ns()
    stdin = sys.stdin.fileno()
    failures = 0
    while not select.select([stdin], [], [], 0)[0]:
        began = time.perf_counter_ns()
        try:
            interpreters = unwinder.get_stack_trace()
            failures = 0
        except (OSError, RuntimeError) as error:
            if not os.path.exists("/proc/%d" % pid):
                break  # the target is gone
            failures += 1
            if failures >= FAILURES_AT_MOST:
                sys.stderr.write("%d reads in a row failed: %s\n" % (failures, error))
                break
            interpreters = None  # read while the target changed under it: the next one
        ended = time.perf_counter_ns()
        if interpreters is None:
            next_read = pace(next_read, period)
            continue
        fields = [str((began + ended) // 2)]
        for interpreter in interpreters:
            for thread in interpreter.threads:
                name = innermost(thread.frame_info)
                code = -1
                if name is not None:
                    code = codes.get(name)
                    if code is None:
                        code = codes[name] = len(codes)
                        out.append("F %d %s" % (code, name))
                fields.append("%d:%d:%d" % (thread.thread_id, thread.status, code))
        out.append(" ".join(fields))
        if len(out) >= FLUSH_EVERY:
            sys.stdout.write("\n".join(out) + "\n")
            sys.stdout.flush()
            del out[:]
        next_read = pace(next_read, period)
    if out:
        sys.stdout.write("\n".join(out) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
