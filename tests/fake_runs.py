"""Hand-built runs for tests of what is computed from logs."""

from gilviz.log import (CoreSamples, Holds, Interpreter, Marks, ProcessSamples, Run, RunSpec,
                        ThreadSamples, Worker, empty_table)

INTERPRETER = Interpreter(executable="/usr/bin/python3", version="3.11.7",
                          implementation="CPython", gil_enabled=True, switch_interval_s=0.005,
                          cpu_count=2, affinity=[0, 1], pid=1)


def fake_run(backend="serial", workers=1, role="main", wall_s=1.0, cpu_share=1.0,
             kernel="countdown", work=1000, error=None, marks=None, params=None):
    """A run whose workers all stop at `wall_s`, each busy `cpu_share` of it."""
    spec = RunSpec(kernel=kernel, backend=backend, workers=workers, work=work, probe=False,
                   python="/usr/bin/python3", sample_hz=0.0, role=role, params=params)
    wall_ns = int(wall_s * 1e9)
    records = tuple(
        Worker(index=i, pid=1 if backend != "processes" else 100 + i, tid=10 + i,
               work=work // workers, start_ns=0, stop_ns=wall_ns,
               cpu_ns=int(cpu_share * wall_ns / workers), error=error if i == 0 else None)
        for i in range(workers))
    return Run(spec=spec, interpreter=INTERPRETER, probe=None,
               started_at="2026-01-01T00:00:00+00:00", release_ns=0, end_ns=wall_ns,
               workers=records, holds=empty_table(Holds),
               marks=marks if marks is not None else empty_table(Marks),
               threads=empty_table(ThreadSamples), processes=empty_table(ProcessSamples),
               cores=empty_table(CoreSamples), sampler=None)
