"""Export of a run to the Chrome Trace Event format.

The file opens in https://ui.perfetto.dev or chrome://tracing, where every
turn can be scrolled and zoomed through: one track per worker thread with
its states as slices, the sampler's failed acquisitions as instant events,
and each core's utilisation as a counter. Timestamps are microseconds since
the release of the workers.
"""

from __future__ import annotations

import json

import numpy as np

from ..log import atomic_write
from ..analysis import run_segments
from ..report import STATE_NAMES


def _us(ns):
    return float(ns) / 1e3


def trace_events(run, stats):
    """The run as a list of trace events (dicts)."""
    events = []
    noun = run.spec.worker_noun
    tid_of = {}
    for worker in run.workers:
        tid = worker.tid if worker.tid is not None else -1 - worker.index
        tid_of[worker.index] = (worker.pid, tid)
        events.append({"name": "thread_name", "ph": "M", "pid": worker.pid, "tid": tid,
                       "args": {"name": worker.name or "%s %d" % (noun, worker.index)}})
        events.append({"name": "thread_sort_index", "ph": "M", "pid": worker.pid, "tid": tid,
                       "args": {"sort_index": worker.index}})
    for pid in sorted({w.pid for w in run.workers}):
        events.append({"name": "process_name", "ph": "M", "pid": pid, "tid": 0,
                       "args": {"name": "%s %s (pid %d)" % (run.interpreter.implementation,
                                                           run.interpreter.version, pid)}})

    segments = run_segments(run)
    for worker, start, stop, state in zip(segments.worker.tolist(), segments.start_ns.tolist(),
                                          segments.stop_ns.tolist(), segments.state.tolist()):
        pid, tid = tid_of[worker]
        events.append({"name": STATE_NAMES[state], "cat": "gil", "ph": "X", "pid": pid,
                       "tid": tid, "ts": _us(start), "dur": _us(stop - start)})

    for row in np.asarray(stats.failed_samples).tolist():
        pid, tid = tid_of[int(run.threads.worker[row])]
        events.append({"name": "woke up, did not get the GIL", "cat": "sampler", "ph": "i",
                       "s": "t", "pid": pid, "tid": tid, "ts": _us(run.threads.t_ns[row])})

    counter_pid = run.interpreter.pid
    for t, percent in zip(run.cores.t_ns.tolist(), run.cores.percent.tolist()):
        if not any(value != value for value in percent):  # skip the all-NaN first row
            events.append({"name": "CPU utilisation %", "ph": "C", "pid": counter_pid,
                           "ts": _us(t), "args": {"core %d" % core: value
                                                  for core, value in enumerate(percent)}})
    return events


def save_trace(run, stats, path):
    """Write the trace of `run` to `path` (JSON, atomically)."""
    document = {"traceEvents": trace_events(run, stats), "displayTimeUnit": "ms",
                "otherData": {"kernel": run.spec.kernel, "backend": run.spec.backend,
                              "workers": run.spec.workers, "started_at": run.started_at}}
    return atomic_write(path, lambda stream: json.dump(document, stream))
