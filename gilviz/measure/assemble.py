"""The Run of a measurement, put together from what the agent reported
(its ready and done messages: the interpreter's facts, each worker's record,
holds and marks), what the sampler saw and what the flag reader read; times
made relative to the workers' release."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..log import (Holds, Interpreter, Marks, ProbeSettings, Run, RunSpec, ThreadSamples,
                   Worker, empty_table)

if TYPE_CHECKING:
    from .gilflags import FlagReader
    from .sampler import Sampler

Message = dict[str, Any]
"""A line between the orchestrator and the agent: a JSON object, its keys
named in agent/protocol.py (CONFIG_KEYS, RECORD_KEYS, ...)."""


def worker_of(record: Message, release_ns: int) -> Worker:
    def relative(value: int | None) -> int | None:
        return None if value is None else value - release_ns

    return Worker(
        index=record["index"], pid=record["pid"], tid=record.get("tid"), work=record["work"],
        start_ns=relative(record["start_ns"]), stop_ns=relative(record["stop_ns"]),
        cpu_ns=record["cpu_ns"], error=record["error"], result=record.get("result"),
        sleeps=record.get("sleeps"),
    )


def holds_of(records: Sequence[Message], release_ns: int) -> Holds:
    """The probes' flat (start, stop, cpu_wait) lists as one Holds table."""
    rows = [(record["index"],) + tuple(record["holds"][i:i + 3])
            for record in records for i in range(0, len(record["holds"]), 3)]
    if not rows:
        return empty_table(Holds)
    table = np.asarray(rows, dtype=np.int64)
    return Holds(
        worker=table[:, 0].astype(np.int32),
        start_ns=table[:, 1] - release_ns,
        stop_ns=table[:, 2] - release_ns,
        cpu_wait_ns=table[:, 3],
    )


def marks_of(records: Sequence[Message], release_ns: int) -> Marks:
    rows = [(record["index"], t, kind, value)
            for record in records for t, kind, value in record.get("marks", [])]
    if not rows:
        return empty_table(Marks)
    worker, t, kind, value = zip(*rows)
    return Marks(
        worker=np.asarray(worker, np.int32),
        t_ns=np.asarray(t, np.int64) - release_ns,
        kind=np.asarray(kind, str),
        value=np.asarray([np.nan if v is None else v for v in value], np.float64),
    )


def attribute_samples(samples: ThreadSamples, members: Sequence[tuple[int, int, int]],
                      workers: Sequence[Worker]) -> ThreadSamples:
    """Give each thread sample to the worker its thread was running.

    The sampler reads the threads the agent named when ready (`members`,
    (index, pid, tid)); with a pool those are the pool's members, and the
    workers are its tasks, which the pool hands out as it likes. A sample of
    a member goes to the last of its tasks begun by then (or its first, before
    any began); a member that ran no task has its samples left out.
    """
    ran_by: dict[tuple[int, int | None], list[Worker]] = {}
    for worker in sorted(workers, key=lambda w: w.start_ns or 0):
        ran_by.setdefault((worker.pid, worker.tid), []).append(worker)
    if all([w.index for w in ran_by.get((pid, tid), [])] == [index]
           for index, pid, tid in members):
        return samples  # each member ran the worker of its own index
    owner = np.full(len(samples.t_ns), -1, np.int32)
    for index, pid, tid in members:
        mine = np.flatnonzero(samples.worker == index)
        ran = ran_by.get((pid, tid))
        if not ran or len(mine) == 0:
            continue
        starts = np.asarray([w.start_ns or 0 for w in ran], np.int64)
        which = np.clip(np.searchsorted(starts, samples.t_ns[mine], side="right") - 1, 0, None)
        owner[mine] = np.asarray([w.index for w in ran], np.int32)[which]
    kept = owner >= 0
    columns = {name: column[kept] for name, column in samples._asdict().items()}
    columns["worker"] = owner[kept]
    return ThreadSamples(**columns)


def assemble_run(spec: RunSpec, ready: Message, done: Message, ids: Sequence[tuple[int, int, int]],
              sampler: Sampler, started_at: str, flags: FlagReader | None = None) -> Run:
    """The Run from what the agent, the sampler and the flag reader reported."""
    release = done["release_ns"]
    workers = tuple(worker_of(record, release) for record in done["workers"])
    gil_flags = reading = None
    if flags is not None:
        gil_flags, reading = flags.reading(release, done["end_ns"],
                                           {w.tid: w.index for w in workers})
    sampled = spec.sample_hz > 0
    threads = empty_table(ThreadSamples)
    if sampled:
        threads = attribute_samples(sampler.thread_samples(release), ids, workers)
    return Run(
        spec=spec,
        interpreter=Interpreter(**ready["interpreter"]),
        probe=ProbeSettings(**ready["probe"]) if ready["probe"] else None,
        started_at=started_at,
        release_ns=release,
        end_ns=done["end_ns"] - release,
        workers=workers,
        holds=holds_of(done["workers"], release),
        marks=marks_of(done["workers"], release),
        threads=threads,
        processes=sampler.process_samples(release),
        cores=sampler.core_samples(release),
        sampler=sampler.stats() if sampled else None,
        load=sampler.load_samples(release),
        gil_flags=gil_flags,
        flag_reading=reading,
    )
