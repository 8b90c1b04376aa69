"""Export of a run to the Chrome Trace Event format.

The file opens in https://ui.perfetto.dev or chrome://tracing, where every
turn can be scrolled and zoomed through: one track per worker thread with
its states as slices, the sampler's failed acquisitions as instant events,
and each core's utilisation as a counter. Timestamps are microseconds since
the release of the workers.

A comparison, a convoy or a sweep is one trace of several runs
(save_runs_trace): each run a process of its own, named by what it is
("A · 1 core", "I/O thread alone", "round 2 · 4 threads"), all from 0.

Every event carries a pid and a tid. Events of a whole process (its name,
the CPU counter) carry the tid of its main thread, which Linux numbers
like the process.
"""

from __future__ import annotations

import json

import numpy as np

from ..log import atomic_write
from ..analysis import run_segments
from ..report import STATE_NAMES

FAILED_ACQUISITION = "woke up, did not get the GIL"
TOO_BRIEF = "%s, too briefly to time"
"""A state the probe saw at a single instant: the worker's first and last
timestamps of a turn were one and the same clock read, as when it lost the
GIL again within the chunk after taking it. It ran for some time there, but
less than the probe can resolve (one chunk), so the trace shows an instant
rather than a slice: no length would be measured, and leaving it out would
hide a turn that the run's hand-off count includes."""


def _us(ns):
    return float(ns) / 1e3


def _process_events(run, pids):
    return [{"name": "process_name", "ph": "M", "pid": pid, "tid": pid,
             "args": {"name": "%s %s (pid %d)" % (run.interpreter.implementation,
                                                 run.interpreter.version, pid)}}
            for pid in sorted(pids)]


def _segment_event(name, pid, tid, start, stop):
    if stop > start:
        return {"name": name, "cat": "gil", "ph": "X", "pid": pid, "tid": tid,
                "ts": _us(start), "dur": _us(stop - start)}
    return {"name": TOO_BRIEF % name, "cat": "gil", "ph": "i", "s": "t", "pid": pid,
            "tid": tid, "ts": _us(start)}


def _counter_events(run):
    pid = run.interpreter.pid
    events = []
    for t, percent in zip(run.cores.t_ns.tolist(), run.cores.percent.tolist()):
        if not any(value != value for value in percent):  # skip the all-NaN first row
            events.append({"name": "CPU utilisation %", "ph": "C", "pid": pid, "tid": pid,
                           "ts": _us(t), "args": {"core %d" % core: value
                                                  for core, value in enumerate(percent)}})
    return events


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

    segments = run_segments(run)
    for worker, start, stop, state in zip(segments.worker.tolist(), segments.start_ns.tolist(),
                                          segments.stop_ns.tolist(), segments.state.tolist()):
        events.append(_segment_event(STATE_NAMES[state], *tid_of[worker], start, stop))

    for row in np.asarray(stats.failed_samples).tolist():
        pid, tid = tid_of[int(run.threads.worker[row])]
        events.append({"name": FAILED_ACQUISITION, "cat": "sampler", "ph": "i",
                       "s": "t", "pid": pid, "tid": tid, "ts": _us(run.threads.t_ns[row])})

    counters = _counter_events(run)
    pids = {w.pid for w in run.workers} | {event["pid"] for event in counters}
    return _process_events(run, pids) + events + counters


def save_trace(run, stats, path):
    """Write the trace of `run` to `path` (JSON, atomically).

    No displayTimeUnit: Perfetto ignores it, and "ms" is chrome://tracing's
    default anyway."""
    document = {"traceEvents": trace_events(run, stats),
                "otherData": {"kernel": run.spec.kernel, "backend": run.spec.backend,
                              "workers": run.spec.workers, "started_at": run.started_at}}
    return atomic_write(path, lambda stream: json.dump(document, stream))


def labelled_events(run, stats, trace_pid, label):
    """trace_events of `run` as one process of a trace of several runs:
    every event under `trace_pid`, the process named `label` (with the
    run's interpreter and real pids) and sorted by its pid."""
    pids = sorted({w.pid for w in run.workers})
    name = "%s · %s %s (pid %s)" % (label, run.interpreter.implementation,
                                    run.interpreter.version, ", ".join(map(str, pids)))
    events = [{"name": "process_name", "ph": "M", "pid": trace_pid, "tid": trace_pid,
               "args": {"name": name}},
              {"name": "process_sort_index", "ph": "M", "pid": trace_pid, "tid": trace_pid,
               "args": {"sort_index": trace_pid}}]
    for event in trace_events(run, stats):
        if event["name"] != "process_name":
            events.append(dict(event, pid=trace_pid))
    return events


def save_runs_trace(labelled_runs, path, other_data=None):
    """Write one trace of several runs to `path` (JSON, atomically): each of
    `labelled_runs`, (label, run, stats), is a process of its own, numbered
    from 1 in their order and named by its label ("A · 1 core"). Every run's
    time starts at its own release of the workers, so the runs lie side by
    side from 0."""
    events = []
    for number, (label, run, stats) in enumerate(labelled_runs, start=1):
        events += labelled_events(run, stats, number, label)
    document = {"traceEvents": events,
                "otherData": dict(other_data or {},
                                  runs=[label for label, _, _ in labelled_runs])}
    # UTF-8, not \u escapes: Perfetto shows a name's escapes as they are written.
    text = json.dumps(document, ensure_ascii=False).encode("utf-8")
    return atomic_write(path, lambda stream: stream.write(text), mode="wb")
