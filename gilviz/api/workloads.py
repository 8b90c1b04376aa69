"""What a measurement is made of: the RunSpecs of a workload, a convoy, a
sweep or a comparison, from options already parsed (api.options), with the
rules that tie options together. Every refusal is an OptionError.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any, Optional, TypedDict, Union

from ..agent.protocol import ECHO, PI_DEFAULT_CHUNK, SHARING_BACKENDS
from ..log import Role, RunSpec, SweepPlan
from .options import (IO_TASKS, IO_WAIT_S, MAX_SWEEP_RUNS, OLDEST_FULL_TARGET,
                      SEED_KERNEL_BYTES_PER_SAMPLE, SEED_KERNEL_MEMORY_SHARE, OptionError,
                      ids_text, python_facts)

DEFAULT_WORKERS = 4
"""Threads a workload runs on when no backend is named."""
DEFAULT_WORK = {"countdown": 10_000_000, "io": IO_TASKS, "pi": 10**8}
"""Default total work, by kernel; the convoy has its own."""
CONVOY_TIME_LIMIT_S = 60
"""The convoy's client stops after this long whatever is left of its requests."""
VARIED_OPTIONS = {"cores": "--cores", "switch_interval_s": "--switch-interval",
                  "python": "--python", "backend": "--threads, --processes, --serial"}
"""The RunSpec fields a comparison may vary, with their options (a backend
side is a backend with its number of workers)."""
MAX_SIDES = {"cores": 2, "switch_interval_s": 2, "python": 4, "backend": 4}
"""How many values of each a comparison takes: interpreters (old GIL, new
GIL, no GIL and one more) up to four, the others two."""
OLD_INTERPRETER_KERNELS = ("countdown",)
"""Kernels whose agent code runs on 2.7 and 3.6-3.7; the others need 3.8."""
class Target(TypedDict):
    """Where and how a workload's target runs: workload_spec's and
    convoy_specs' keywords of the target."""

    python: Optional[str]
    cores: Optional[list[int]]
    switch_interval_s: Optional[float]
    sample_hz: float
    check_interval: Optional[int]
    gil: Optional[int]


SideValue = Union[list[int], float, str, tuple[str, int]]
"""The value of a side of a comparison: its cores, its switch interval, its
interpreter or its (backend, workers)."""


def check_target(kernel: str, python: str, switch_interval_s: float | None = None,
                 check_interval: int | None = None, gil: int | None = None) -> None:
    """Refuse what the interpreter at `python` cannot do, in one line each."""
    facts = python_facts(python)
    version = "%s is Python %d.%d" % ((python,) + facts.version)
    if kernel not in OLD_INTERPRETER_KERNELS and facts.version < OLDEST_FULL_TARGET:
        raise OptionError("%s; the %s kernel needs %d.%d or newer (countdown runs on 2.7 "
                          "and 3.6+)" % ((version, kernel) + OLDEST_FULL_TARGET))
    if switch_interval_s is not None and facts.old_gil:
        # The old GIL counts bytecode instructions, not time: no duration maps
        # to ticks for every kernel (a tick of countdown is ~10 ns, of a call
        # far more), so a converted value would mislead.
        raise OptionError("%s, whose old GIL has no switch interval: give --check-interval "
                          "N, in ticks (bytecode instructions; default 100)" % version)
    if check_interval is not None and not facts.old_gil:
        raise OptionError("%s, whose GIL is handed over by time: --check-interval is for "
                          "Python 2; give --switch-interval" % version)
    if gil is not None and not facts.free_threaded:
        raise OptionError("%s without free threading: --gil is for a free-threaded build "
                          "(3.13t), which may turn its GIL on or off" % version)


def backends_given(threads: int | None = None, processes: int | None = None, serial: bool = False,
                   pool: int | None = None,
                   dummy_pool: int | None = None) -> list[tuple[str, int]]:
    """[(backend, workers)] of the backend options given, in this order:
    threads, processes, serial, pool, dummy-pool."""
    given = [(name, value) for name, value in (
        ("threads", threads), ("processes", processes), ("serial", serial or None),
        ("pool", pool), ("dummy-pool", dummy_pool)) if value is not None]
    return [(name, 1) if name == "serial" else (name, value) for name, value in given]


def backend_of(threads: int | None = None, processes: int | None = None, serial: bool = False,
               pool: int | None = None, dummy_pool: int | None = None) -> tuple[str, int]:
    """(backend, workers) from the backend options, at most one of them given."""
    given = backends_given(threads, processes, serial, pool, dummy_pool)
    if len(given) > 1:
        raise OptionError("give one backend, not %s"
                          % " and ".join("--%s" % name for name, _ in given))
    return given[0] if given else ("threads", DEFAULT_WORKERS)


MAX_REPORTS = 200_000
"""Reports of a run with --share, all workers together: each leaves a mark or
two in the log, and more would make it tens of megabytes."""


def check_sharing(mechanism: str | None, backend: str, samples: int, chunk: int | None,
                  workers: int) -> None:
    """Refuse a sharing mechanism that does not apply to `backend`, or more
    reports than MAX_REPORTS."""
    if mechanism is None:
        return
    applies = [name for name, backends in SHARING_BACKENDS.items() if backend in backends]
    if mechanism not in applies:
        raise OptionError("--share %s does not apply to %s: give one of %s"
                          % (mechanism, backend, ", ".join(applies)))
    chunk = chunk or PI_DEFAULT_CHUNK
    reports = workers * -(-(-(-samples // workers)) // chunk)  # the largest portion's, each
    if reports > MAX_REPORTS:
        raise OptionError("--samples %d in chunks of %d is %s reports, at most %s: give a larger "
                          "--chunk or fewer --samples" % (samples, chunk, format(reports, ","),
                                                          format(MAX_REPORTS, ",")))


def pi_params(variant: str, seed: int | None, chunk: int | None, samples: int,
              mechanism: str | None = None) -> dict[str, object]:
    """The pi kernel's parameters. The fast kernel gets a fresh seed when none
    is given, kept in the log so that the run can be made again."""
    if variant == "fast":
        params: dict[str, object] = {"variant": "fast", "seed": seed}
        if seed is None:
            import secrets
            params["seed"] = secrets.randbits(64)
        if chunk is not None:
            params["chunk"] = chunk
        if mechanism is not None:
            params["share"] = mechanism  # the log's name of the sharing mechanism
        return params
    for option, value in (("--seed", seed), ("--chunk", chunk), ("--share", mechanism)):
        if value is not None:
            raise OptionError("%s is for --kernel fast: the seed kernel reseeds from the OS "
                              "and draws each portion at once, as the seed did" % option)
    import psutil
    need = SEED_KERNEL_BYTES_PER_SAMPLE * samples
    available = psutil.virtual_memory().available
    if need > SEED_KERNEL_MEMORY_SHARE * available:
        raise OptionError(
            "--kernel seed keeps every sample in memory: %s samples need about %.1f GB, and "
            "%.1f GB are available; use --kernel fast or fewer samples"
            % (format(samples, ","), need / 1e9, available / 1e9))
    return {"variant": "seed"}


def io_params(wait_s: float | None = None, via: str | None = None) -> dict[str, object]:
    return {"wait_s": wait_s or IO_WAIT_S, "via": via or ECHO}


def check_probe(kernel: str, probe: bool | None) -> bool:
    """The kernel's default probe setting, or a refusal of a probe it lacks."""
    from ..agent.kernels import PROBED_KERNELS
    if probe is None:
        return kernel in PROBED_KERNELS
    if probe and kernel not in PROBED_KERNELS:
        raise OptionError("the %s kernel has no probed form: leave out the probe" % kernel)
    return probe


def workload_spec(kernel: str, backend: str, workers: int, work: int, probe: bool,
                  python: str | None = None, sample_hz: float = 1000.0,
                  switch_interval_s: float | None = None, cores: list[int] | None = None,
                  params: dict[str, object] | None = None, work_option: str = "--count",
                  check_interval: int | None = None, gil: int | None = None) -> RunSpec:
    """The RunSpec of one workload run."""
    if work < workers:
        raise OptionError("%s %d is less than the %d workers" % (work_option, work, workers))
    python = python or sys.executable
    check_target(kernel, python, switch_interval_s, check_interval, gil)
    return RunSpec(kernel=kernel, backend=backend, workers=workers, work=work, probe=probe,
                   python=python, sample_hz=sample_hz, switch_interval_s=switch_interval_s,
                   cores=cores, params=params, check_interval=check_interval, gil=gil)


def plan(spec: RunSpec, baseline: bool, repeat: int) -> list[RunSpec]:
    """The specs of a workload: a serial baseline and `spec` alternately,
    `repeat` times (B R B R ...), so that drift of the machine hits both
    alike."""
    if not baseline or spec.backend == "serial":
        return [spec] * repeat
    return [spec._replace(backend="serial", workers=1, role=Role.BASELINE), spec] * repeat


def convoy_specs(cpu_threads: int, requests: int, size: int, pause_s: float, count: int,
                 probe: bool, python: str | None = None, sample_hz: float = 1000.0,
                 switch_interval_s: float | None = None, cores: list[int] | None = None,
                 check_interval: int | None = None, gil: int | None = None) -> list[RunSpec]:
    """The convoy's two runs: the I/O thread alone, then beside `cpu_threads`
    CPU-bound threads, each of which counts down at most `count`."""
    workers = 1 + cpu_threads
    check_target("convoy", python or sys.executable, switch_interval_s, check_interval, gil)
    # An even split gives every worker `count`; the I/O thread's portion goes unused.
    beside = RunSpec(kernel="convoy", backend="threads", workers=workers, work=count * workers,
                     probe=probe, python=python or sys.executable, sample_hz=sample_hz,
                     switch_interval_s=switch_interval_s, cores=cores, gil=gil,
                     role=Role.BESIDE_CPU,
                     params={"requests": requests, "size": size, "pause_s": pause_s,
                             "time_limit_s": CONVOY_TIME_LIMIT_S})
    alone = beside._replace(workers=1, work=count, role=Role.ALONE)
    return [alone, beside]


def sweep_spec_and_plan(kernel: str, worker_counts: list[int], backends: Sequence[str],
                        repeat: int, warmup: int, work: int | None = None, probe: bool = False,
                        sample_hz: float = 0.0, python: str | None = None,
                        io_wait: float | None = None, io_via: str | None = None,
                        variant: str | None = None, cores: list[int] | None = None,
                        switch_interval_s: float | None = None) -> tuple[RunSpec, SweepPlan]:
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
        raise OptionError("--count %d is less than the %d workers" % (work, max(worker_counts)))
    check_target(kernel, python or sys.executable, switch_interval_s)
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


def sweep_specs(spec: RunSpec, sweep: SweepPlan) -> list[RunSpec]:
    """The specs of `sweep` (a log.SweepPlan), `spec` giving the rest: warm-ups
    cycling through the first round's configurations (role "warmup"), then
    per round the serial baseline and every backend at every worker count.
    Rounds interleave the configurations (A B C A B C, not A A B B C C) so
    that drift of a shared machine's speed hits all of them alike."""
    one_round = [spec._replace(backend="serial", workers=1, role=Role.BASELINE)]
    one_round += [spec._replace(backend=backend, workers=workers, role=Role.MAIN)
                  for backend in sweep.backends for workers in sweep.worker_counts]
    warmups = [one_round[i % len(one_round)]._replace(role=Role.WARMUP)
               for i in range(sweep.warmup)]
    return warmups + one_round * sweep.repeat


def round_of(index: int, sweep: SweepPlan) -> int:
    """The round (from 1) of the index-th spec of sweep_specs, 0 for a warm-up."""
    if index < sweep.warmup:
        return 0
    return (index - sweep.warmup) // sweep.round_length() + 1


def varied_dimension(given: Mapping[str, Sequence[SideValue]]
                     ) -> tuple[str, Sequence[SideValue], dict[str, SideValue | None]]:
    """From {RunSpec field: the values given}, (the field given more than
    once, its values, {every other field: its one value or None})."""
    for field, values in given.items():
        if len(values) > MAX_SIDES[field]:
            raise OptionError("%s given %d times: compare takes %s"
                              % (VARIED_OPTIONS[field], len(values),
                                 "two values" if MAX_SIDES[field] == 2
                                 else "two to %d values" % MAX_SIDES[field]))
    varied = [field for field, values in given.items() if len(values) > 1]
    if not varied:
        raise OptionError("give --cores or --switch-interval twice, --python two to four times, "
                          "or two backends (--threads N --processes N): the sides to compare")
    if len(varied) > 1:
        raise OptionError("%s are each given more than once: vary one thing at a time"
                          % " and ".join(VARIED_OPTIONS[field] for field in varied))
    field = varied[0]
    values = given[field]
    repeated = [value for number, value in enumerate(values) if value in values[:number]]
    if repeated and field != "backend":  # a backend is given once by its option
        first = repeated[0]
        raise OptionError("%s %s is given twice: nothing to compare"
                          % (VARIED_OPTIONS[field],
                             ids_text(first) if isinstance(first, list) else first))  # cores
    fixed = {other: each[0] if each else None
             for other, each in given.items() if other != field}
    return field, values, fixed


def compare_specs(spec: RunSpec, field: str, values: Sequence[Any], repeat: int) -> list[RunSpec]:
    """The runs of a comparison of `spec` over `values` of `field`, in rounds
    (A B A B ...) so that drift of the machine hits every side alike. Sides
    that are different interpreters each get a serial run of their own
    before their run: how much slower 2.7 counts down than 3.13 says
    nothing of the GIL, so each side is measured against its own serial
    time, and those ratios are compared. Sides that are backends (`values`
    of (backend, workers)) share one serial run a round, which each is
    measured against: how each fares against serial is the story. Other
    sides share the interpreter, so their wall times compare directly.

    `values` are SideValues of `field`: Any, as the field they go to is
    named at run time."""
    if field == "backend":
        sides = [spec._replace(role=role, backend=backend, workers=workers)
                 for role, (backend, workers) in zip(Role.SIDES, values)]
        serial = spec._replace(backend="serial", workers=1, role=Role.BASELINE)
        return ([serial] + sides) * repeat
    sides = [spec._replace(role=role, **{field: value})
             for role, value in zip(Role.SIDES, values)]
    one_round = []
    for side in sides:
        if field == "python" and side.backend != "serial":
            one_round.append(side._replace(backend="serial", workers=1, role=Role.BASELINE))
        one_round.append(side)
    return one_round * repeat
