"""What a measurement is made of: the RunSpecs of a workload, a convoy, a
sweep or a comparison, from options already parsed (api.options), with the
rules that tie options together. Every refusal is an OptionError.
"""

from __future__ import annotations

import sys

from ..agent.protocol import ECHO, PI_DEFAULT_CHUNK, SHARE_BACKENDS
from ..log import RunSpec, SweepPlan
from .options import (IO_TASKS, IO_WAIT_S, MAX_SWEEP_RUNS, SEED_KERNEL_BYTES_PER_SAMPLE,
                      SEED_KERNEL_MEMORY_SHARE, OptionError)

DEFAULT_WORKERS = 4
"""Threads a workload runs on when no backend is named."""
DEFAULT_WORK = {"countdown": 10_000_000, "io": IO_TASKS, "pi": 10**8}
"""Default total work, by kernel; the convoy has its own."""
CONVOY_TIME_LIMIT_S = 60
"""The convoy's client stops after this long whatever is left of its requests."""
VARIED_OPTIONS = {"cores": "--cores", "switch_interval_s": "--switch-interval",
                  "python": "--python"}
"""The RunSpec fields a comparison may vary, with their options."""


def backend_of(threads=None, processes=None, serial=False, pool=None, dummy_pool=None):
    """(backend, workers) from the backend options, at most one of them given."""
    given = [(name, value) for name, value in (
        ("threads", threads), ("processes", processes), ("serial", serial or None),
        ("pool", pool), ("dummy-pool", dummy_pool)) if value is not None]
    if len(given) > 1:
        raise OptionError("give one backend, not %s"
                          % " and ".join("--%s" % name for name, _ in given))
    if not given:
        return "threads", DEFAULT_WORKERS
    name, value = given[0]
    return (name, 1) if name == "serial" else (name, value)


MAX_REPORTS = 200_000
"""Reports of a run with --share, all workers together: each leaves a mark or
two in the log, and more would make it tens of megabytes."""


def check_share(share, backend, samples, chunk, workers):
    """Refuse a sharing mechanism that does not apply to `backend`, or more
    reports than MAX_REPORTS."""
    if share is None:
        return
    applies = [name for name, backends in SHARE_BACKENDS.items() if backend in backends]
    if share not in applies:
        raise OptionError("--share %s does not apply to %s: give one of %s"
                          % (share, backend, ", ".join(applies)))
    chunk = chunk or PI_DEFAULT_CHUNK
    reports = workers * -(-(-(-samples // workers)) // chunk)  # the largest share's, each
    if reports > MAX_REPORTS:
        raise OptionError("--samples %d in chunks of %d is %s reports, at most %s: give a larger "
                          "--chunk or fewer --samples" % (samples, chunk, format(reports, ","),
                                                          format(MAX_REPORTS, ",")))


def pi_params(variant, seed, chunk, samples, share=None):
    """The pi kernel's parameters. The fast kernel gets a fresh seed when none
    is given, kept in the log so that the run can be made again."""
    if variant == "fast":
        params = {"variant": "fast", "seed": seed}
        if seed is None:
            import secrets
            params["seed"] = secrets.randbits(64)
        if chunk is not None:
            params["chunk"] = chunk
        if share is not None:
            params["share"] = share
        return params
    for option, value in (("--seed", seed), ("--chunk", chunk), ("--share", share)):
        if value is not None:
            raise OptionError("%s is for --kernel fast: the seed kernel reseeds from the OS "
                              "and draws each share at once, as the seed did" % option)
    import psutil
    need = SEED_KERNEL_BYTES_PER_SAMPLE * samples
    available = psutil.virtual_memory().available
    if need > SEED_KERNEL_MEMORY_SHARE * available:
        raise OptionError(
            "--kernel seed keeps every sample in memory: %s samples need about %.1f GB, and "
            "%.1f GB are available; use --kernel fast or fewer samples"
            % (format(samples, ","), need / 1e9, available / 1e9))
    return {"variant": "seed"}


def io_params(wait_s=None, via=None):
    return {"wait_s": wait_s or IO_WAIT_S, "via": via or ECHO}


def check_probe(kernel, probe):
    """The kernel's default probe setting, or a refusal of a probe it lacks."""
    from ..agent.kernels import PROBED_KERNELS
    if probe is None:
        return kernel in PROBED_KERNELS
    if probe and kernel not in PROBED_KERNELS:
        raise OptionError("the %s kernel has no probed form: leave out the probe" % kernel)
    return probe


def workload_spec(kernel, backend, workers, work, probe, python=None, sample_hz=1000.0,
                  switch_interval_s=None, cores=None, params=None, work_option="--count"):
    """The RunSpec of one workload run."""
    if work < workers:
        raise OptionError("%s %d is less than the %d workers" % (work_option, work, workers))
    return RunSpec(kernel=kernel, backend=backend, workers=workers, work=work, probe=probe,
                   python=python or sys.executable, sample_hz=sample_hz,
                   switch_interval_s=switch_interval_s, cores=cores, params=params)


def plan(spec, baseline, repeat):
    """The specs of a workload: a serial baseline and `spec` alternately,
    `repeat` times (B R B R ...), so that drift of the machine hits both
    alike."""
    if not baseline or spec.backend == "serial":
        return [spec] * repeat
    return [spec._replace(backend="serial", workers=1, role="baseline"), spec] * repeat


def convoy_specs(cpu_threads, requests, size, pause_s, count, probe, python=None,
                 sample_hz=1000.0, switch_interval_s=None, cores=None):
    """The convoy's two runs: the I/O thread alone, then beside `cpu_threads`
    CPU-bound threads, each of which counts down at most `count`."""
    workers = 1 + cpu_threads
    # An even split gives every worker `count`; the I/O thread's share goes unused.
    beside = RunSpec(kernel="convoy", backend="threads", workers=workers, work=count * workers,
                     probe=probe, python=python or sys.executable, sample_hz=sample_hz,
                     switch_interval_s=switch_interval_s, cores=cores, role="beside-cpu",
                     params={"requests": requests, "size": size, "pause_s": pause_s,
                             "time_limit_s": CONVOY_TIME_LIMIT_S})
    alone = beside._replace(workers=1, work=count, role="alone")
    return [alone, beside]


def sweep_spec_and_plan(kernel, worker_counts, backends, repeat, warmup, work=None, probe=False,
                        sample_hz=0.0, python=None, io_wait=None, io_via=None, variant=None,
                        cores=None, switch_interval_s=None):
    """The base RunSpec and the SweepPlan of a speedup sweep; `variant` is
    the pi kernel's ("fast" or "seed")."""
    backends = [name for name in backends if name != "serial"]
    if not backends:
        raise OptionError("--backends: give at least one besides serial (which always runs)")
    probe = check_probe(kernel, probe or None) if probe else False
    if (io_wait is not None or io_via is not None) and kernel != "io":
        raise OptionError("--io-wait and --io-via go with the io kernel")
    work = work or DEFAULT_WORK.get(kernel)
    if work is None:
        raise OptionError("the %s kernel has no sweep: give one of %s"
                          % (kernel, ", ".join(sorted(DEFAULT_WORK))))
    if work < max(worker_counts):
        raise OptionError("work %d is less than the %d workers" % (work, max(worker_counts)))
    if variant is not None and kernel != "pi":
        raise OptionError("--kernel fast|seed goes with the pi kernel")
    params = None
    if kernel == "io":
        params = io_params(io_wait, io_via)
    elif kernel == "pi" and variant is not None:
        params = pi_params(variant, None, None, work)
    sweep = SweepPlan(backends=backends, worker_counts=worker_counts, repeat=repeat,
                      warmup=warmup)
    if sweep.planned_runs() > MAX_SWEEP_RUNS:
        raise OptionError("that is %d runs, at most %d: fewer worker counts, backends or rounds"
                          % (sweep.planned_runs(), MAX_SWEEP_RUNS))
    spec = RunSpec(kernel=kernel, backend="serial", workers=1, work=work, probe=probe,
                   python=python or sys.executable, sample_hz=sample_hz, params=params,
                   cores=cores, switch_interval_s=switch_interval_s)
    return spec, sweep


def sweep_specs(spec, sweep):
    """The specs of `sweep` (a log.SweepPlan), `spec` giving the rest: warm-ups
    cycling through the first round's configurations (role "warmup"), then
    per round the serial baseline and every backend at every worker count.
    Rounds interleave the configurations (A B C A B C, not A A B B C C) so
    that drift of a shared machine's speed hits all of them alike."""
    one_round = [spec._replace(backend="serial", workers=1, role="baseline")]
    one_round += [spec._replace(backend=backend, workers=workers, role="main")
                  for backend in sweep.backends for workers in sweep.worker_counts]
    warmups = [one_round[i % len(one_round)]._replace(role="warmup")
               for i in range(sweep.warmup)]
    return warmups + one_round * sweep.repeat


def round_of(index, sweep):
    """The round (from 1) of the index-th spec of sweep_specs, 0 for a warm-up."""
    if index < sweep.warmup:
        return 0
    return (index - sweep.warmup) // sweep.round_length() + 1


def varied_dimension(given):
    """From {RunSpec field: the values given}, (the field given twice, its two
    values, {every other field: its one value or None})."""
    for field, values in given.items():
        if len(values) > 2:
            raise OptionError("%s given %d times: compare takes two values"
                              % (VARIED_OPTIONS[field], len(values)))
    varied = [field for field, values in given.items() if len(values) == 2]
    if not varied:
        raise OptionError("give one of --cores, --switch-interval or --python twice: "
                          "the two sides to compare")
    if len(varied) > 1:
        raise OptionError("%s are each given twice: vary one thing at a time"
                          % " and ".join(VARIED_OPTIONS[field] for field in varied))
    field = varied[0]
    a, b = given[field]
    if a == b:
        raise OptionError("both %s values are the same (%s): nothing to compare"
                          % (VARIED_OPTIONS[field],
                             ",".join(map(str, a)) if field == "cores" else a))
    fixed = {other: values[0] if values else None
             for other, values in given.items() if other != field}
    return field, a, b, fixed
