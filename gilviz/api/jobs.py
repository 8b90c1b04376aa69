"""The jobs of the Python API: run, speedup, compare, convoy and share. Each
puts its keywords through api.options' parsers, makes its specs (workloads,
sharing), runs them (session) and returns its kind of Result; `measure` is
that last step, which run_function (api.program) shares.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Optional, TypedDict, TypeVar

from ..agent.protocol import IO_MODES, PI_VARIANTS
from ..log import Role, RunSpec, SweepPlan, new_run_dir
from ..report import DIMENSION_SLUGS
from . import options as parse
from .comparisons import CompareResult, ConvoyResult
from .options import Given, GivenIds, GivenNames, OptionError, Parsed, parsed
from .results import Result, RunResult, SpeedupResult, Summary, run_name
from .session import Progress, run_specs
from .sharing import DEFAULT_CHUNK as SHARING_CHUNK, DEFAULT_SAMPLES as SHARING_SAMPLES
from .sharing import SHARING_BACKENDS_SHOWN, SharingResult, sharing_specs
from .workloads import (DEFAULT_WORK, DEFAULT_WORKERS, SideValue, Target, backend_of,
                        backends_given, check_probe, check_sharing, compare_specs, convoy_specs,
                        io_params, pi_params, plan, sweep_spec_and_plan, sweep_specs,
                        varied_dimension, workload_spec)

if TYPE_CHECKING:
    from typing_extensions import Unpack

KERNELS = ("countdown", "io", "pi")
"""The workloads run() takes."""

ResultT = TypeVar("ResultT", bound="Result[Optional[Summary]]")


def _target(python: str | None, cores: GivenIds | None, switch_interval: Given | None,
            sample_hz: Given, check_interval: Given | None = None,
            gil: Given | None = None) -> Target:
    return Target(python=parsed(parse.interpreter, python),
                  cores=parsed(parse.core_set, cores),
                  switch_interval_s=parsed(parse.switch_interval, switch_interval),
                  sample_hz=parsed(parse.sample_rate, sample_hz),
                  check_interval=parsed(parse.check_interval, check_interval),
                  gil=parsed(parse.gil_switch, gil))


def _backend(threads: Given | None, processes: Given | None, serial: bool,
             pool: Given | None = None, dummy_pool: Given | None = None) -> tuple[str, int]:
    return backend_of(parsed(parse.worker_count, threads), parsed(parse.worker_count, processes),
                      serial=bool(serial), pool=parsed(parse.worker_count, pool),
                      dummy_pool=parsed(parse.worker_count, dummy_pool))


def _run_dir(out: str | None, name: str) -> str | None:
    return None if out is None else new_run_dir(out, name)


def measure(specs: Sequence[RunSpec], result_class: type[ResultT], out: str | None, name: str,
            progress: Callable[[Progress], None] | None, timeout: Given | None,
            sweep: SweepPlan | None = None, wait_quiet: Given | None = None) -> ResultT:
    """Run `specs`; the result, saved in a fresh run directory under `out` if
    given. Each run waits up to `wait_quiet` for a quiet machine, if given."""
    run_dir = _run_dir(out, name)
    try:
        log = run_specs(specs, run_dir=run_dir, sweep=sweep, progress=progress,
                        timeout_s=parsed(parse.timeout, timeout),
                        wait_quiet_s=parsed(parse.wait_quiet, wait_quiet))
    except BaseException:
        if run_dir is not None and not os.listdir(run_dir):
            os.rmdir(run_dir)  # nothing finished: leave no empty directory behind
        raise
    return result_class(log, run_dir)


class WorkloadOptions(TypedDict, total=False):
    """run()'s options: workload_specs' keywords."""

    threads: Optional[Given]
    processes: Optional[Given]
    serial: bool
    pool: Optional[Given]
    dummy_pool: Optional[Given]
    count: Optional[Given]
    samples: Optional[Given]
    repeat: Given
    baseline: bool
    cores: Optional[GivenIds]
    switch_interval: Optional[Given]
    python: Optional[str]
    sample_hz: Given
    probe: Optional[bool]
    variant: str
    seed: Optional[Given]
    chunk: Optional[Given]
    share: Optional[str]
    io_wait: Optional[Given]
    io_via: Optional[str]
    check_interval: Optional[Given]
    gil: Optional[Given]


def workload_specs(kernel: str = "countdown", *, threads: Given | None = None,
                   processes: Given | None = None, serial: bool = False,
                   pool: Given | None = None, dummy_pool: Given | None = None,
                   count: Given | None = None, samples: Given | None = None, repeat: Given = 3,
                   baseline: bool = True, cores: GivenIds | None = None,
                   switch_interval: Given | None = None, python: str | None = None,
                   sample_hz: Given = 1000.0, probe: bool | None = None, variant: str = "fast",
                   seed: Given | None = None, chunk: Given | None = None,
                   share: str | None = None, io_wait: Given | None = None,
                   io_via: str | None = None, check_interval: Given | None = None,
                   gil: Given | None = None) -> list[RunSpec]:
    """The specs run() would run, in order: see run()."""
    if kernel not in KERNELS:
        raise OptionError("%r is not a workload: give one of %s" % (kernel, ", ".join(KERNELS)))
    if samples is not None and kernel != "pi":
        raise OptionError("samples= is pi's count: give count= for %s" % kernel)
    if kernel != "pi" and (pool is not None or dummy_pool is not None):
        raise OptionError("the Pool backends are pi's")
    if kernel != "pi" and share is not None:
        raise OptionError("share= is pi's: the other workloads report nothing")
    backend, workers = _backend(threads, processes, serial, pool, dummy_pool)
    sizes = {"pi": parse.sample_count}
    work = parsed(sizes.get(kernel, parse.work_size),
                  samples if kernel == "pi" and samples is not None else count)
    work = work or DEFAULT_WORK[kernel]
    params: dict[str, object] | None = None
    if kernel == "pi":
        if variant not in PI_VARIANTS:
            raise OptionError("%r is not a pi kernel: give fast or seed" % variant)
        share = parsed(parse.sharing_mechanism, share)
        chunk = parsed(parse.chunk_size, chunk)
        check_sharing(share, backend, work, chunk, workers)
        params = pi_params(variant, parsed(parse.random_seed, seed), chunk, work, share)
    elif kernel == "io":
        if io_via is not None and io_via not in IO_MODES:
            raise OptionError("%r: io_via is echo or sleep" % io_via)
        params = io_params(parsed(parse.io_wait, io_wait), io_via)
    spec = workload_spec(kernel, backend, workers, work, check_probe(kernel, probe),
                         params=params, work_option="--samples" if kernel == "pi" else "--count",
                         **_target(python, cores, switch_interval, sample_hz, check_interval,
                                   gil))
    return plan(spec, baseline, parsed(parse.repeat_count, repeat))


def run(kernel: str = "countdown", *, out: str | None = None,
        progress: Callable[[Progress], None] | None = None, timeout: Given | None = None,
        wait_quiet: Given | None = None, **options: Unpack[WorkloadOptions]) -> RunResult:
    """Measure a workload ("countdown", "pi" or "io") and return a RunResult.

    Options, as the flags: threads=, processes=, serial=True (pi also
    pool=, dummy_pool=); count= (pi: samples=); repeat=3; baseline=True
    (a serial run of the same work before each measured run); cores=,
    switch_interval=, python=, sample_hz=1000; probe= (countdown: True);
    check_interval= (Python 2's ticks); gil=0|1 (a free-threaded build's -X gil=);
    pi: variant="fast"|"seed", seed=, chunk=, share= (how workers report their
    counts after every chunk: "return", "queue", "pipe", "manager", "value",
    "array"); io: io_wait=, io_via=.
    """
    specs = workload_specs(kernel, **options)
    main = next(spec for spec in specs if spec.role == Role.MAIN)
    return measure(specs, RunResult, out, run_name(main), progress, timeout,
                   wait_quiet=wait_quiet)


def speedup(kernel: str = "countdown", *, workers: GivenIds = "1-8",
            backends: GivenNames = ("threads", "processes"), repeat: Given = 3,
            warmup: Given = 1, count: Given | None = None, probe: bool = False,
            sample_hz: Given = 0.0, python: str | None = None, io_wait: Given | None = None,
            io_via: str | None = None, variant: str | None = None,
            cores: GivenIds | None = None, switch_interval: Given | None = None,
            out: str | None = None, progress: Callable[[Progress], None] | None = None,
            timeout: Given | None = None, wait_quiet: Given | None = None,
            work: Given | None = None) -> SpeedupResult:
    """Sweep backends and worker counts for one kernel: a SpeedupResult.
    count= is the work of a run, split between its workers (countdown's
    iterations, io's tasks, pi's samples; work=, its old name, is taken
    too); pi takes variant="fast"|"seed"; cores= and switch_interval= apply
    to every run."""
    if variant not in (None, "fast", "seed"):
        raise OptionError("%r is not a pi kernel: give fast or seed" % variant)
    if work is not None:
        if count is not None:
            raise OptionError("count= and work= are one option: give count=")
        count = work
    spec, sweep = sweep_spec_and_plan(
        kernel, parsed(parse.worker_counts, workers), parsed(parse.backend_names, backends),
        parsed(parse.repeat_count, repeat), parsed(parse.warmup_count, warmup),
        parsed(parse.work_size, count), probe, parsed(parse.sample_rate, sample_hz),
        parsed(parse.interpreter, python), parsed(parse.io_wait, io_wait), io_via,
        variant=variant, cores=parsed(parse.core_set, cores),
        switch_interval_s=parsed(parse.switch_interval, switch_interval))
    name = "speedup-%s-%s" % (kernel, variant) if variant else "speedup-%s" % kernel
    return measure(sweep_specs(spec, sweep), SpeedupResult, out, name,
                   progress, timeout, sweep=sweep, wait_quiet=wait_quiet)


def _sides(value: Given | GivenIds | tuple[Given | GivenIds, ...] | None,
           parser: Callable[[str], Parsed]) -> list[Parsed]:
    """The values of one target option in a comparison: a tuple (A, B, ...)
    is the sides; anything else (a list of cores among them) is one value."""
    if value is None:
        return []
    values = value if isinstance(value, tuple) else (value,)
    return [parsed(parser, each) for each in values]


COMPARED_KERNELS = ("countdown", "pi")


def compare(kernel: str = "countdown", *, threads: Given | None = None,
            processes: Given | None = None, serial: bool = False, pool: Given | None = None,
            dummy_pool: Given | None = None, count: Given | None = None,
            samples: Given | None = None, variant: str = "fast",
            cores: GivenIds | tuple[GivenIds, ...] | None = None,
            switch_interval: Given | tuple[Given, ...] | None = None,
            python: str | tuple[str, ...] | None = None, sample_hz: Given = 1000.0,
            probe: bool | None = None, check_interval: Given | None = None,
            gil: Given | None = None, repeat: Given = 3, out: str | None = None,
            progress: Callable[[Progress], None] | None = None, timeout: Given | None = None,
            wait_quiet: Given | None = None) -> CompareResult:
    """Measure a workload ("countdown" or "pi") over several sides, varying
    one of cores=, switch_interval= (a tuple of two: cores=(1, "all")),
    python= (a tuple of two to four interpreters) or the backend (two to four
    of threads=, processes=, serial=True, and for pi pool=, dummy_pool=), in
    rounds `repeat` times: a CompareResult. Interpreters are each measured
    against a serial run of their own, backends against one serial run a round."""
    if kernel not in COMPARED_KERNELS:
        raise OptionError("compare takes %s" % " or ".join(COMPARED_KERNELS))
    if kernel != "pi" and (pool is not None or dummy_pool is not None):
        raise OptionError("the Pool backends are pi's")
    backends = backends_given(parsed(parse.worker_count, threads),
                              parsed(parse.worker_count, processes), serial=bool(serial),
                              pool=parsed(parse.worker_count, pool),
                              dummy_pool=parsed(parse.worker_count, dummy_pool))
    given: dict[str, Sequence[SideValue]] = {
        "cores": _sides(cores, parse.core_set),
        "switch_interval_s": _sides(switch_interval, parse.switch_interval),
        "python": _sides(python, parse.interpreter), "backend": backends}
    field, values, fixed_values = varied_dimension(given)
    fixed: dict[str, Any] = fixed_values  # workload_spec's keywords: named at run time
    backend, workers = fixed.pop("backend", None) or ("threads", DEFAULT_WORKERS)
    if samples is not None and count is not None:
        raise OptionError("give samples= or count=, not both: they are one amount of work")
    if kernel == "pi":
        work = parsed(parse.sample_count, samples if samples is not None else count)
    elif samples is not None:
        raise OptionError("samples= is pi's count: give count= for %s" % kernel)
    else:
        work = parsed(parse.work_size, count)
    work = work or DEFAULT_WORK[kernel]
    probe = check_probe(kernel, probe)
    if kernel == "pi" and variant not in PI_VARIANTS:
        raise OptionError("%r is not a pi kernel: give fast or seed" % variant)
    params = pi_params(variant, None, None, work) if kernel == "pi" else None

    def side(value: Any) -> dict[str, Any]:
        """workload_spec's keywords for the side at `value`, a SideValue of `field`."""
        if field == "backend":
            return dict(fixed, backend=value[0], workers=value[1])
        return dict(fixed, backend=backend, workers=workers, **{field: value})
    specs = [workload_spec(kernel, work=work, probe=probe, params=params,
                           work_option="--samples" if kernel == "pi" else "--count",
                           sample_hz=parsed(parse.sample_rate, sample_hz),
                           check_interval=parsed(parse.check_interval, check_interval),
                           gil=parsed(parse.gil_switch, gil), **side(value))
             for value in values]  # each side checked against its interpreter
    return measure(compare_specs(specs[0], field, values, parsed(parse.repeat_count, repeat)),
                   CompareResult, out, "compare-%s-%s" % (kernel, DIMENSION_SLUGS[field]),
                   progress, timeout, wait_quiet=wait_quiet)


def convoy(*, cpu_threads: Given = 1, requests: Given = 200, size: Given = 32,
           pause: Given = "1ms", count: Given = 10**9, cores: GivenIds | None = None,
           switch_interval: Given | None = None, python: str | None = None,
           sample_hz: Given = 1000.0, probe: bool = True, gil: Given | None = None,
           out: str | None = None, progress: Callable[[Progress], None] | None = None,
           timeout: Given | None = None, wait_quiet: Given | None = None) -> ConvoyResult:
    """Time small requests answered by an I/O thread, alone and then beside
    `cpu_threads` CPU-bound threads: a ConvoyResult."""
    specs = convoy_specs(parsed(parse.worker_count, cpu_threads),
                         parsed(parse.request_count, requests),
                         parsed(parse.request_size, size), parsed(parse.client_pause, pause),
                         parsed(parse.work_size, count), bool(probe),
                         **_target(python, cores, switch_interval, sample_hz, gil=gil))
    return measure(specs, ConvoyResult, out, "convoy", progress, timeout, wait_quiet=wait_quiet)


def share(*, threads: Given | None = None, processes: Given | None = None,
          backends: GivenNames = SHARING_BACKENDS_SHOWN, samples: Given = SHARING_SAMPLES,
          chunk: Given = SHARING_CHUNK, seed: Given | None = None, repeat: Given = 3,
          cores: GivenIds | None = None, switch_interval: Given | None = None,
          python: str | None = None, sample_hz: Given = 0.0, out: str | None = None,
          progress: Callable[[Progress], None] | None = None, timeout: Given | None = None,
          wait_quiet: Given | None = None) -> SharingResult:
    """Every way of sharing counts (return, queue, pipe, manager, value,
    array) with the same work and seed, on threads and processes side by
    side where the mechanism applies, `repeat` rounds: a SharingResult.

    threads= or processes= gives the number of workers (4 by default) for
    both kinds; backends=("processes",) runs one kind only.
    """
    counts = {parsed(parse.worker_count, value) for value in (threads, processes)
              if value is not None}
    if len(counts) > 1:
        raise OptionError("give one number of workers: both kinds run with it")
    workers = counts.pop() if counts else 4
    seed = parsed(parse.random_seed, seed)
    if seed is None:
        import secrets
        seed = secrets.randbits(64)  # one for all runs: the same work everywhere
    specs = sharing_specs(workers, parsed(parse.backend_names, backends),
                          parsed(parse.sample_count, samples), parsed(parse.chunk_size, chunk),
                          seed, parsed(parse.repeat_count, repeat),
                          _target(python, cores, switch_interval, sample_hz))
    return measure(specs, SharingResult, out, "share-%d" % workers, progress, timeout,
                   wait_quiet=wait_quiet)
