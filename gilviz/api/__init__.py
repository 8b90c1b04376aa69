"""gilviz from Python: measure, load, summarise and draw, with no printing.

    import gilviz
    result = gilviz.run("countdown", threads=4, count=2e6)
    result.summary.comparison.median     # 4 threads over serial, a ratio
    result.figure()                      # a matplotlib Figure; Jupyter shows result inline
    result.save("output")                # run.json, timeline.png, trace.json

Keywords are named like the command line's flags (--switch-interval is
switch_interval=) and take the same values ("5ms", 2e6, "0-1", [0, 1]).
Progress goes to `progress`, a callable given an api.session.Progress before
each run; nothing is printed. With `out`, a run directory is made there
first and the log saved into it after every run, so that an interruption
loses nothing finished (the command line does this).

A bad value raises OptionError; a failed run raises MeasurementFailed with
the runs finished before it; an interruption re-raises KeyboardInterrupt
with their log in its `log` attribute.
"""

from __future__ import annotations

import os

from ..agent.protocol import IO_MODES, PI_VARIANTS
from ..log import LogError, Role, load as load_log, new_run_dir
from . import options as parse
from .options import OptionError, as_text
from .comparisons import CompareResult, ConvoyResult
from .program import ProgramResult, attach, run_function, run_module, run_script
from .results import Result, RunResult, SpeedupResult, result_of, run_name
from .session import LOG_NAME, MeasurementFailed, Progress, run_specs
from .sharing import DEFAULT_CHUNK as SHARING_CHUNK, DEFAULT_SAMPLES as SHARING_SAMPLES
from .sharing import SHARING_BACKENDS_SHOWN, SharingResult, sharing_specs
from .workloads import (DEFAULT_WORK, DEFAULT_WORKERS, backend_of, backends_given, check_probe,
                        check_sharing,
                        compare_specs,
                        convoy_specs, io_params, pi_params, plan, sweep_spec_and_plan,
                        sweep_specs, varied_dimension, workload_spec)

__all__ = ["run", "speedup", "compare", "convoy", "share", "load", "run_script", "run_module",
           "run_function", "attach", "Result", "RunResult", "ProgramResult",
           "SpeedupResult", "CompareResult", "ConvoyResult", "SharingResult", "OptionError",
           "MeasurementFailed",
           "Progress", "LogError"]

KERNELS = ("countdown", "io", "pi")
"""The workloads run() takes."""


def _parsed(parser, value):
    """`value` through an options parser, as the flag's text would go; None stays None."""
    return None if value is None else parser(as_text(value))


def _target(python, cores, switch_interval, sample_hz, check_interval=None, gil=None):
    return dict(python=_parsed(parse.interpreter, python),
                cores=_parsed(parse.core_set, cores),
                switch_interval_s=_parsed(parse.switch_interval, switch_interval),
                sample_hz=_parsed(parse.sample_rate, sample_hz),
                check_interval=_parsed(parse.check_interval, check_interval),
                gil=_parsed(parse.gil_switch, gil))


def _backend(threads, processes, serial, pool=None, dummy_pool=None):
    return backend_of(*(_parsed(parse.worker_count, value) for value in (threads, processes)),
                      serial=bool(serial), pool=_parsed(parse.worker_count, pool),
                      dummy_pool=_parsed(parse.worker_count, dummy_pool))


def _run_dir(out, name):
    return None if out is None else new_run_dir(out, name)


def _measure(specs, result_class, out, name, progress, timeout, sweep=None, wait_quiet=None):
    """Run `specs`; the result, saved in a fresh run directory under `out` if
    given. Each run waits up to `wait_quiet` for a quiet machine, if given."""
    run_dir = _run_dir(out, name)
    try:
        log = run_specs(specs, run_dir=run_dir, sweep=sweep, progress=progress,
                        timeout_s=_parsed(parse.timeout, timeout),
                        wait_quiet_s=_parsed(parse.wait_quiet, wait_quiet))
    except BaseException:
        if run_dir is not None and not os.listdir(run_dir):
            os.rmdir(run_dir)  # nothing finished: leave no empty directory behind
        raise
    return result_class(log, run_dir)


def workload_specs(kernel="countdown", *, threads=None, processes=None, serial=False, pool=None,
                   dummy_pool=None, count=None, samples=None, repeat=3, baseline=True,
                   cores=None, switch_interval=None, python=None, sample_hz=1000.0, probe=None,
                   variant="fast", seed=None, chunk=None, share=None, io_wait=None,
                   io_via=None, check_interval=None, gil=None):
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
    work = _parsed(sizes.get(kernel, parse.work_size),
                   samples if kernel == "pi" and samples is not None else count)
    work = work or DEFAULT_WORK[kernel]
    params = None
    if kernel == "pi":
        if variant not in PI_VARIANTS:
            raise OptionError("%r is not a pi kernel: give fast or seed" % variant)
        share = _parsed(parse.sharing_mechanism, share)
        chunk = _parsed(parse.chunk_size, chunk)
        check_sharing(share, backend, work, chunk, workers)
        params = pi_params(variant, _parsed(parse.random_seed, seed), chunk, work, share)
    elif kernel == "io":
        if io_via is not None and io_via not in IO_MODES:
            raise OptionError("%r: io_via is echo or sleep" % io_via)
        params = io_params(_parsed(parse.io_wait, io_wait), io_via)
    spec = workload_spec(kernel, backend, workers, work, check_probe(kernel, probe),
                         params=params, work_option="--samples" if kernel == "pi" else "--count",
                         **_target(python, cores, switch_interval, sample_hz, check_interval,
                                   gil))
    return plan(spec, baseline, _parsed(parse.repeat_count, repeat))


def run(kernel="countdown", *, out=None, progress=None, timeout=None, wait_quiet=None,
        **options):
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
    return _measure(specs, RunResult, out, run_name(main), progress, timeout,
                    wait_quiet=wait_quiet)


def speedup(kernel="countdown", *, workers="1-8", backends=("threads", "processes"), repeat=3,
            warmup=1, count=None, probe=False, sample_hz=0.0, python=None, io_wait=None,
            io_via=None, variant=None, cores=None, switch_interval=None, out=None,
            progress=None, timeout=None, wait_quiet=None, work=None):
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
        kernel, _parsed(parse.worker_counts, workers), _parsed(parse.backend_names, backends),
        _parsed(parse.repeat_count, repeat), _parsed(parse.warmup_count, warmup),
        _parsed(parse.work_size, count), probe, _parsed(parse.sample_rate, sample_hz),
        _parsed(parse.interpreter, python), _parsed(parse.io_wait, io_wait), io_via,
        variant=variant, cores=_parsed(parse.core_set, cores),
        switch_interval_s=_parsed(parse.switch_interval, switch_interval))
    name = "speedup-%s-%s" % (kernel, variant) if variant else "speedup-%s" % kernel
    return _measure(sweep_specs(spec, sweep), SpeedupResult, out, name,
                    progress, timeout, sweep=sweep, wait_quiet=wait_quiet)


def _sides(value, parser):
    """The values of one target option in a comparison: a tuple (A, B, ...)
    is the sides; anything else (a list of cores among them) is one value."""
    if value is None:
        return []
    values = value if isinstance(value, tuple) else (value,)
    return [_parsed(parser, each) for each in values]


COMPARED_KERNELS = ("countdown", "pi")


def compare(kernel="countdown", *, threads=None, processes=None, serial=False, pool=None,
            dummy_pool=None, count=None, samples=None, variant="fast", cores=None,
            switch_interval=None, python=None, sample_hz=1000.0, probe=None,
            check_interval=None, gil=None, repeat=3, out=None, progress=None, timeout=None,
            wait_quiet=None):
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
    backends = backends_given(*(_parsed(parse.worker_count, value)
                                for value in (threads, processes)), serial=bool(serial),
                              pool=_parsed(parse.worker_count, pool),
                              dummy_pool=_parsed(parse.worker_count, dummy_pool))
    given = {"cores": _sides(cores, parse.core_set),
             "switch_interval_s": _sides(switch_interval, parse.switch_interval),
             "python": _sides(python, parse.interpreter), "backend": backends}
    field, values, fixed = varied_dimension(given)
    backend, workers = fixed.pop("backend", None) or ("threads", DEFAULT_WORKERS)
    if samples is not None and count is not None:
        raise OptionError("give samples= or count=, not both: they are one amount of work")
    if kernel == "pi":
        work = _parsed(parse.sample_count, samples if samples is not None else count)
    elif samples is not None:
        raise OptionError("samples= is pi's count: give count= for %s" % kernel)
    else:
        work = _parsed(parse.work_size, count)
    work = work or DEFAULT_WORK[kernel]
    probe = check_probe(kernel, probe)
    if kernel == "pi" and variant not in PI_VARIANTS:
        raise OptionError("%r is not a pi kernel: give fast or seed" % variant)
    params = pi_params(variant, None, None, work) if kernel == "pi" else None

    def side(value):
        if field == "backend":
            return dict(fixed, backend=value[0], workers=value[1])
        return dict(fixed, backend=backend, workers=workers, **{field: value})
    specs = [workload_spec(kernel, work=work, probe=probe, params=params,
                           work_option="--samples" if kernel == "pi" else "--count",
                           sample_hz=_parsed(parse.sample_rate, sample_hz),
                           check_interval=_parsed(parse.check_interval, check_interval),
                           gil=_parsed(parse.gil_switch, gil), **side(value))
             for value in values]  # each side checked against its interpreter
    from ..report import DIMENSION_SLUGS
    return _measure(compare_specs(specs[0], field, values, _parsed(parse.repeat_count, repeat)),
                    CompareResult, out, "compare-%s-%s" % (kernel, DIMENSION_SLUGS[field]),
                    progress, timeout, wait_quiet=wait_quiet)


def convoy(*, cpu_threads=1, requests=200, size=32, pause="1ms", count=10**9, cores=None,
           switch_interval=None, python=None, sample_hz=1000.0, probe=True, gil=None, out=None,
           progress=None, timeout=None, wait_quiet=None):
    """Time small requests answered by an I/O thread, alone and then beside
    `cpu_threads` CPU-bound threads: a ConvoyResult."""
    specs = convoy_specs(_parsed(parse.worker_count, cpu_threads),
                         _parsed(parse.request_count, requests),
                         _parsed(parse.request_size, size), _parsed(parse.client_pause, pause),
                         _parsed(parse.work_size, count), bool(probe),
                         **_target(python, cores, switch_interval, sample_hz, gil=gil))
    return _measure(specs, ConvoyResult, out, "convoy", progress, timeout, wait_quiet=wait_quiet)


def share(*, threads=None, processes=None, backends=SHARING_BACKENDS_SHOWN, samples=SHARING_SAMPLES,
          chunk=SHARING_CHUNK, seed=None, repeat=3, cores=None, switch_interval=None, python=None,
          sample_hz=0.0, out=None, progress=None, timeout=None, wait_quiet=None):
    """Every way of sharing counts (return, queue, pipe, manager, value,
    array) with the same work and seed, on threads and processes side by
    side where the mechanism applies, `repeat` rounds: a SharingResult.

    threads= or processes= gives the number of workers (4 by default) for
    both kinds; backends=("processes",) runs one kind only.
    """
    counts = {_parsed(parse.worker_count, value) for value in (threads, processes)
              if value is not None}
    if len(counts) > 1:
        raise OptionError("give one number of workers: both kinds run with it")
    workers = counts.pop() if counts else 4
    seed = _parsed(parse.random_seed, seed)
    if seed is None:
        import secrets
        seed = secrets.randbits(64)  # one for all runs: the same work everywhere
    specs = sharing_specs(workers, _parsed(parse.backend_names, backends),
                        _parsed(parse.sample_count, samples), _parsed(parse.chunk_size, chunk),
                        seed, _parsed(parse.repeat_count, repeat),
                        _target(python, cores, switch_interval, sample_hz))
    return _measure(specs, SharingResult, out, "share-%d" % workers, progress, timeout,
                    wait_quiet=wait_quiet)


def load(path):
    """The Result of a saved run: a run directory or its run.json."""
    path = os.fspath(path)
    run_dir = path if os.path.isdir(path) else os.path.dirname(path)
    log_path = os.path.join(path, LOG_NAME) if os.path.isdir(path) else path
    return result_of(load_log(log_path), run_dir)
