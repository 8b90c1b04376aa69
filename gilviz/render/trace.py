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

import gzip
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from ..log import atomic_write
from ..analysis import Segments, run_segments
from ..analysis.flags import code_spans
from ..report import STATE_NAMES, caveat_texts
from . import trace_text as text
from .trace_text import Event

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from ..analysis.summary import RunStats
    from ..log import Run

FAILED_ACQUISITION = "woke up, did not get the GIL"
TOO_BRIEF = "%s, too briefly to time"
"""A state the probe saw at a single instant: the worker's first and last
timestamps of a turn were one and the same clock read, as when it lost the
GIL again within the chunk after taking it. It ran for some time there, but
less than the probe can resolve (one chunk), so the trace shows an instant
rather than a slice: no length would be measured, and leaving it out would
hide a turn that the run's hand-off count includes."""


def _us(ns: float) -> float:
    return float(ns) / 1e3


def _process_events(run: Run, pids: Iterable[int]) -> list[Event]:
    return [{"name": "process_name", "ph": "M", "pid": pid, "tid": pid,
             "args": {"name": "%s %s (pid %d)" % (run.interpreter.implementation,
                                                 run.interpreter.version, pid)}}
            for pid in sorted(pids)]


def _counter_events(run: Run) -> list[Event]:
    pid = run.interpreter.pid
    events = []
    for t, percent in zip(run.cores.t_ns.tolist(), run.cores.percent.tolist()):
        if not any(value != value for value in percent):  # skip the all-NaN first row
            events.append({"name": "CPU utilisation %", "ph": "C", "pid": pid, "tid": pid,
                           "ts": _us(t), "args": {"core %d" % core: value
                                                  for core, value in enumerate(percent)}})
    return events


GZIP_OVER_BYTES = 32 * 2 ** 20
"""A trace whose JSON text passes 32 MiB is written gzipped, as NAME.json.gz
(Perfetto and chrome://tracing open it as it is): a million holds make
~200 MB of text, ~30 MB gzipped."""


def _threads(run: Run) -> tuple[dict[int, tuple[int, int]], list[Event]]:
    """{worker index: (pid, tid)}, and the events naming and ordering the threads."""
    noun = run.spec.worker_noun
    tid_of: dict[int, tuple[int, int]] = {}
    events: list[Event] = []
    for worker in run.workers:
        tid = worker.tid if worker.tid is not None else -1 - worker.index
        tid_of[worker.index] = (worker.pid, tid)
        events.append({"name": "thread_name", "ph": "M", "pid": worker.pid, "tid": tid,
                       "args": {"name": worker.name or "%s %d" % (noun, worker.index)}})
        events.append({"name": "thread_sort_index", "ph": "M", "pid": worker.pid, "tid": tid,
                       "args": {"sort_index": worker.index}})
    return tid_of, events


def _ids(tid_of: Mapping[int, tuple[int, int]],
         worker: NDArray[np.integer[Any]]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The pid and tid columns of rows of `worker` indices."""
    size = max(tid_of, default=-1) + 1
    pids, tids = np.zeros(size, np.int64), np.zeros(size, np.int64)
    for index, (pid, tid) in tid_of.items():
        pids[index], tids[index] = pid, tid
    return pids[worker], tids[worker]


def _segment_rows(run: Run, tid_of: Mapping[int, tuple[int, int]]) -> text.Blocks:
    """A slice per segment, an instant for one too brief to time, in the
    segments' order."""
    segments = run_segments(run)
    known = np.isin(segments.worker, list(tid_of))
    if not known.all():
        segments = Segments._make(column[known] for column in segments)
    pid, tid = _ids(tid_of, segments.worker)
    code = segments.state  # a state is its own row in the names below
    names = [STATE_NAMES.get(state, str(state)) for state in range(max(STATE_NAMES) + 1)]
    brief = segments.stop_ns <= segments.start_ns
    # Usually every segment has a length: then no column is copied.
    timed = ~brief if brief.any() else slice(None)
    start = segments.start_ns[timed]
    slices = text.rows(len(start),
                       '{"name":', text.strings(code[timed], names),
                       ',"cat":"gil","ph":"X","pid":', text.integers(pid[timed]),
                       ',"tid":', text.integers(tid[timed]),
                       ',"ts":', text.microseconds(start),
                       ',"dur":', text.microseconds(segments.stop_ns[timed] - start), "}")
    if not brief.any():
        return slices
    instants = text.rows(int(brief.sum()),
                         '{"name":', text.strings(code[brief], [TOO_BRIEF % name
                                                               for name in names]),
                         ',"cat":"gil","ph":"i","s":"t","pid":', text.integers(pid[brief]),
                         ',"tid":', text.integers(tid[brief]),
                         ',"ts":', text.microseconds(segments.start_ns[brief]), "}")
    return text.interleave(slices, instants, brief)


def _code_events(run: Run, tid_of: Mapping[int, tuple[int, int]]) -> list[Event]:
    """Where the interpreter's own flags (3.15+) are read: the function each
    worker was in, as slices nested in its state's, named by the function."""
    if run.gil_flags is None or not len(run.gil_flags.t_ns):
        return []
    assert run.flag_reading is not None  # the flags come with their reading
    names = run.flag_reading.code
    events: list[Event] = []
    for worker, start, stop, state, code in zip(*(column.tolist()
                                                  for column in code_spans(run))):
        if worker not in tid_of or stop <= start or code < 0:
            continue
        pid, tid = tid_of[worker]
        events.append({"name": names[code] if code < len(names) else str(code), "cat": "code",
                       "ph": "X", "pid": pid, "tid": tid, "ts": _us(start),
                       "dur": _us(stop - start), "args": {"state": STATE_NAMES[state]}})
    return events


def _failed_rows(run: Run, stats: RunStats,
                 tid_of: Mapping[int, tuple[int, int]]) -> text.Rows:
    rows = np.asarray(stats.failed_samples, np.int64)
    pid, tid = _ids(tid_of, run.threads.worker[rows])
    return text.rows(len(rows), '{"name":', text.strings(np.zeros(len(rows)),
                                                         [FAILED_ACQUISITION]),
                     ',"cat":"sampler","ph":"i","s":"t","pid":', text.integers(pid),
                     ',"tid":', text.integers(tid),
                     ',"ts":', text.microseconds(run.threads.t_ns[rows]), "}")


def trace_chunks(run: Run, stats: RunStats) -> list[bytes | text.Blocks]:
    """The trace of `run` in chunks of JSON rows (trace_text): its process
    names, thread names, segments, failed acquisitions and counters, in
    that order."""
    tid_of, threads = _threads(run)
    counters = _counter_events(run)
    pids = {w.pid for w in run.workers} | {event["pid"] for event in counters}
    return [text.event_text(_process_events(run, pids) + threads),
            _segment_rows(run, tid_of), text.event_text(_code_events(run, tid_of)),
            _failed_rows(run, stats, tid_of), text.event_text(counters)]


def context(incomplete: str | None = None, stats: RunStats | None = None) -> dict[str, object]:
    """What a trace's metadata (otherData) says of the measurement, as its
    charts do: "partial", why the log stops short of its plan
    (RunLog.incomplete); "warnings" and "notes", the caveats of `stats` in
    full words. Only those there are."""
    said: dict[str, object] = {}
    if incomplete:
        said["partial"] = incomplete
    if stats is not None:
        for kind in ("warnings", "notes"):
            if getattr(stats, kind):
                said[kind] = caveat_texts(getattr(stats, kind))
    return said


def _other_data(run: Run, stats: RunStats | None = None,
                incomplete: str | None = None) -> dict[str, object]:
    return dict({"kernel": run.spec.kernel, "backend": run.spec.backend,
                 "workers": run.spec.workers, "started_at": run.started_at},
                **context(incomplete, stats))


def trace_events(run: Run, stats: RunStats) -> list[Event]:
    """The run's trace events, as the file holds them (dicts)."""
    stream = io.BytesIO()
    text.write_document(stream, trace_chunks(run, stats), _other_data(run))
    return json.loads(stream.getvalue())["traceEvents"]


def save_trace(run: Run, stats: RunStats, path: str, incomplete: str | None = None) -> str:
    """Write the trace of `run` to `path` (JSON, atomically); past
    GZIP_OVER_BYTES to `path` + ".gz", gzipped. Returns the path written.
    Its metadata (otherData) names the run and says what its chart says of
    the measurement (context): its caveats, and that the log is partial
    where `incomplete` (RunLog.incomplete) says why.

    No displayTimeUnit: Perfetto ignores it, and "ms" is chrome://tracing's
    default anyway."""
    chunks = trace_chunks(run, stats)
    other_data = _other_data(run, stats, incomplete)
    if sum(chunk.nbytes if isinstance(chunk, text.Blocks) else len(chunk)
           for chunk in chunks) <= GZIP_OVER_BYTES:
        return atomic_write(path, lambda stream: text.write_document(stream, chunks, other_data),
                            mode="wb")

    def write_gzip(stream: IO[bytes]) -> None:
        # Level 1: ~8x smaller already; higher levels cost seconds more.
        with gzip.GzipFile(fileobj=stream, mode="wb", compresslevel=1, mtime=0) as packed:
            text.write_document(packed, chunks, other_data)
    return atomic_write(path + ".gz", write_gzip, mode="wb")


def labelled_events(run: Run, stats: RunStats, trace_pid: int, label: str) -> list[Event]:
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


def save_runs_trace(labelled_runs: Sequence[tuple[str, Run, RunStats]], path: str,
                    other_data: Mapping[str, object] | None = None,
                    incomplete: str | None = None) -> str:
    """Write one trace of several runs to `path` (JSON, atomically): each of
    `labelled_runs`, (label, run, stats), is a process of its own, numbered
    from 1 in their order and named by its label ("A · 1 core"). Every run's
    time starts at its own release of the workers, so the runs lie side by
    side from 0. The metadata (otherData) holds `other_data`, the runs'
    labels, each run's caveats by its label, and why the log is partial
    where `incomplete` (RunLog.incomplete) says."""
    events: list[Event] = []
    for number, (label, run, stats) in enumerate(labelled_runs, start=1):
        events += labelled_events(run, stats, number, label)
    said = context(incomplete)
    for kind in ("warnings", "notes"):
        by_run = {label: caveat_texts(getattr(stats, kind)) for label, _, stats in labelled_runs
                  if getattr(stats, kind)}
        if by_run:
            said[kind] = by_run
    document = {"traceEvents": events,
                "otherData": dict(other_data or {},
                                  runs=[label for label, _, _ in labelled_runs], **said)}
    # UTF-8, not \u escapes: Perfetto shows a name's escapes as they are written.
    text = json.dumps(document, ensure_ascii=False).encode("utf-8")
    return atomic_write(path, lambda stream: stream.write(text), mode="wb")
