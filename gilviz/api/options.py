"""Option values: each parser takes what a user writes (a flag's text, or a
keyword's value in Python: 2e6, "5ms", [0, 1]) and returns the value gilviz
uses, or raises OptionError with one line saying what to give instead.

The command line uses these as argparse type= callables (cli.parser wraps
them so that argparse prints the line and exits 2); the api calls them on
keyword arguments, so both accept the same values.
"""

from __future__ import annotations

import functools
import math
import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from typing import NamedTuple, TypeVar, Union, overload


class OptionError(ValueError):
    """A value a user gave is not one gilviz takes; the message says why."""


def as_text(value: object) -> str:
    """A keyword's value as the flag's text: 2e6 -> "2000000.0", ["threads",
    "processes"] -> "threads,processes". Whole numbers in a list are written
    as one-number ranges, [0, 1] -> "0-0,1-1", so that they read as ids or
    counts, never as "the first N cores"."""
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join("%d-%d" % (item, item) if isinstance(item, int) else str(item)
                        for item in value)
    return str(value)


Given = Union[str, float]
"""A keyword's value where the flag takes one: its text ("5ms", "2e6", "4")
or a number (0.005, 2e6, 4)."""
GivenIds = Union[str, int, Sequence[int]]
"""Cores or worker counts as a keyword takes them: text ("0-1", "all", "1-8"),
a number, or the ids or counts themselves ([0, 1], [1, 2, 4])."""
GivenNames = Union[str, Sequence[str]]
"""Names as a keyword takes them: "threads,processes" or ("threads", "processes")."""
Parsed = TypeVar("Parsed")


@overload
def parsed(parser: Callable[[str], Parsed], value: None) -> None: ...
@overload
def parsed(parser: Callable[[str], Parsed], value: Given | GivenIds | GivenNames) -> Parsed: ...


def parsed(parser: Callable[[str], Parsed],
           value: Given | GivenIds | GivenNames | None) -> Parsed | None:
    """`value` through an options parser, as the flag's text would go; None stays None."""
    return None if value is None else parser(as_text(value))


MAX_WORKERS = 512
MAX_COUNT = 10**11
"""About 45 minutes of countdown on CPython 3.11 here: beyond it, a typo."""
MAX_SAMPLES = 10**12
"""About 45 minutes of the fast pi kernel on 2 cores here."""
MAX_CHUNK = 10**7
"""170 MB of buffers a worker."""
MAX_SEED = 2**64 - 1
MAX_PID = 2**22
"""Linux's highest pid_max."""
SEED_KERNEL_BYTES_PER_SAMPLE = 33
"""Peak memory of the seed's pi kernel: x, y and two temporaries of 8 bytes a
sample, and the 1-byte mask (measured: 32 bytes a sample, 1 worker, 2e7)."""
SEED_KERNEL_MEMORY_SHARE = 0.8
"""Refuse a seed-kernel run that would need more of the available memory:
past it, the OOM killer, not MemoryError, is what ends it."""
MAX_SAMPLE_HZ = 10_000.0
MAX_REPEAT = 100
MAX_WORKER_COUNTS = 32
MAX_WARMUP = 20
MAX_SWEEP_RUNS = 2000
"""More runs than this is a typo, or a job for a script."""
IO_TASKS = 200
IO_WAIT_S = 0.005
MIN_IO_WAIT_S, MAX_IO_WAIT_S = 1e-4, 10.0
INTERPRETER_TIMEOUT_S = 30
OLDEST_TARGET = (3, 6)
"""The agent's countdown path runs on 2.7 and 3.6+ (agent/compat.py supplies
what they lack); 3.0-3.5 are not supported."""
PYTHON2 = (2, 7)
OLDEST_FULL_TARGET = (3, 8)
"""The other kernels (pi, io, convoy) use 3.8 syntax and its stdlib."""
MAX_CHECK_INTERVAL = 10**6


def ascii_number(text: str, what: str = "a number", shown: str | None = None) -> str:
    """`text`, refused unless it is ASCII: int() and float() read every
    script's digits (int("\uff14") is 4), which no command line means. The
    refusal names `shown` if given (the whole flag of a part)."""
    if not text.isascii():
        raise OptionError("%r is not %s: write it in ASCII digits (0-9)"
                          % (text if shown is None else shown, what))
    return text


def whole_number(low: int, high: int, unit: str) -> Callable[[str], int]:
    """A type= callable for a whole number of `unit` from `low` to `high`."""
    def parse(text: str) -> int:
        ascii_number(text, "a whole number")
        try:
            value = int(text)
        except ValueError:
            raise OptionError("%r is not a whole number" % text) from None
        if not low <= value <= high:
            raise OptionError("%d %s: give %d to %d" % (value, unit, low, high))
        return value
    return parse


worker_count = whole_number(1, MAX_WORKERS, "workers")
repeat_count = whole_number(1, MAX_REPEAT, "repeats")


def size_up_to(limit: int) -> Callable[[str], int]:
    """A type= callable for a positive whole number up to `limit`; accepts
    10000000, 10_000_000 and 1e7."""
    def parse(text: str) -> int:
        cleaned = ascii_number(text).replace("_", "")
        try:
            value = int(cleaned)
        except ValueError:
            try:
                number = float(cleaned)
            except ValueError:
                raise OptionError("%r is not a number" % text) from None
            if not math.isfinite(number) or not number.is_integer():
                raise OptionError("%r is not a whole number" % text) from None
            value = int(number)
        if not 1 <= value <= limit:
            raise OptionError("%s: give 1 to %.0e" % (text, limit))
        return value
    return parse


work_size = size_up_to(MAX_COUNT)
sample_count = size_up_to(MAX_SAMPLES)
chunk_size = size_up_to(MAX_CHUNK)
random_seed = whole_number(0, MAX_SEED, "as a seed")
process_id = whole_number(1, MAX_PID, "as a process id")


def real_number(text: str, what: str = "a number") -> float:
    ascii_number(text, what)
    try:
        return float(text)
    except ValueError:
        raise OptionError("%r is not %s" % (text, what)) from None


def sample_rate(text: str) -> float:
    value = real_number(text)
    if not (value == 0 or 1 <= value <= MAX_SAMPLE_HZ):
        raise OptionError("%s Hz: give 0 (off) or 1 to %.0f" % (text, MAX_SAMPLE_HZ))
    return value


# What the target says of itself: "major minor free-threaded".
FACTS_CODE = ("import sys, sysconfig; print('%d %d %d' % (sys.version_info[0], "
              "sys.version_info[1], bool(sysconfig.get_config_var('Py_GIL_DISABLED'))))")


class PythonFacts(NamedTuple):
    version: tuple[int, int]
    """(major, minor)."""
    free_threaded: bool
    """Built with --disable-gil (3.13t): it runs without a GIL unless asked for one."""

    @property
    def old_gil(self) -> bool:
        """2.x: the GIL is handed over by a check interval of ticks, not by time."""
        return self.version < (3, 0)


@functools.lru_cache(maxsize=None)
def python_facts(path: str) -> PythonFacts:
    """The PythonFacts of the interpreter at `path`; OptionError if it is none."""
    try:
        answer = subprocess.run([path, "-c", FACTS_CODE], capture_output=True, text=True,
                                timeout=INTERPRETER_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise OptionError("%s did not say its version within %d s" % (path, INTERPRETER_TIMEOUT_S))
    except OSError as error:
        raise OptionError("%s does not run: %s" % (path, error.strerror or error)) from None
    try:
        major, minor, free_threaded = (int(part) for part in answer.stdout.split())
    except ValueError:
        major = None
    if answer.returncode != 0 or major is None:
        raise OptionError("%s does not run as a Python interpreter" % path)
    return PythonFacts((major, minor), bool(free_threaded))


@functools.lru_cache(maxsize=None)
def interpreter(text: str) -> str:
    """A CPython 2.7 or 3.6+ executable: a path, or a name on PATH."""
    path = shutil.which(os.path.expanduser(text))
    if path is None:
        raise OptionError("no executable at %r" % text)
    path = os.path.abspath(path)
    version = python_facts(path).version
    if version != PYTHON2 and version < OLDEST_TARGET:
        raise OptionError("%s is Python %d.%d; gilviz measures 2.7 and %d.%d or newer"
                          % ((text,) + version + OLDEST_TARGET))
    return path


def allowed_cores() -> list[int]:
    """The CPU ids gilviz (and so a target it starts) may run on."""
    if not hasattr(os, "sched_getaffinity"):
        raise OptionError(
            "pinning to cores needs Linux (os.sched_setaffinity); leave out --cores")
    return sorted(os.sched_getaffinity(0))


def id_ranges(text: str, allowed: Sequence[int]) -> tuple[list[int], list[str], list[int]]:
    """(core ids, the parts naming cores not in `allowed`, the ids named
    more than once) from "0,2", "0-3" or "1-1"; raises ValueError on bad
    syntax. A range reaching past the highest allowed id is reported as
    written, never expanded: "0-100000000000" must not take the memory of a
    hundred billion ids."""
    ids: set[int] = set()
    missing: list[str] = []
    repeated: set[int] = set()
    for part in ascii_number(text, "a list of ids").split(","):
        first_text, _, last_text = part.partition("-")
        first = int(first_text)
        last = int(last_text) if last_text else first
        if first < 0 or last < first:
            raise ValueError(part)
        if last > allowed[-1]:
            missing.append(part.strip())
            continue
        named = set(range(first, last + 1))
        repeated |= ids & named
        ids |= named
    missing += [str(core) for core in sorted(ids) if core not in allowed]
    return sorted(ids), missing, sorted(repeated)


def ids_text(ids: Sequence[int]) -> str:
    return ",".join(map(str, ids))


def core_set(text: str) -> list[int]:
    """--cores: N (a bare number: the first N cores gilviz may use), core ids
    ("0,1", "2-3", "1-1" for core 1 alone), or "all". Returns sorted ids."""
    from ..report import format_cores

    allowed = allowed_cores()
    here = "this machine lets gilviz use %s (%s)" % (
        "1 core" if len(allowed) == 1 else "%d cores" % len(allowed), format_cores(allowed))
    cleaned = ascii_number(text, "a number of cores, core ids or all").strip().lower()
    if not cleaned:
        raise OptionError("empty: give a number of cores (1), core ids (0,1 or 1-1) or all")
    if cleaned == "all":
        return allowed
    if cleaned.isdigit():
        count = int(cleaned)
        if count == 0:
            raise OptionError("0 cores: give 1 to %d" % len(allowed))
        if count > len(allowed):
            raise OptionError("%d cores asked, but %s" % (count, here))
        return allowed[:count]
    try:
        ids, missing, repeated = id_ranges(cleaned, allowed)
    except ValueError:
        raise OptionError(
            "%r is neither a number of cores (2), core ids (0,1 or 1-1) nor all" % text) from None
    if missing:
        raise OptionError("no core %s here: %s" % (",".join(missing), here))
    if repeated:
        raise OptionError("%s: core %s named more than once; give each core once"
                          % (text, ids_text(repeated)))
    return ids


DURATION_UNITS = (("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("min", 60.0), ("h", 3600.0),
                  ("s", 1.0))
MIN_SWITCH_S, MAX_SWITCH_S = 1e-6, 1.0
MAX_PAUSE_S = 1.0


def duration(text: str) -> float:
    """Seconds from 5ms, 0.5ms, 100us, 1s or a bare number of seconds."""
    cleaned = text.strip().lower().replace(" ", "")
    scale = 1.0
    for unit, unit_scale in DURATION_UNITS:
        if cleaned.endswith(unit):
            cleaned, scale = cleaned[:-len(unit)], unit_scale
            break
    ascii_number(cleaned, "a duration", shown=text)
    try:
        seconds = float(cleaned) * scale
    except ValueError:
        raise OptionError(
            "%r is not a duration: write 5ms, 0.5ms, 100us or 0.005 (seconds)" % text) from None
    if not math.isfinite(seconds):
        raise OptionError("%r is not a finite duration" % text)
    return seconds


MAX_TIMEOUT_S = 7 * 24 * 3600.0


def timeout(text: str) -> float:
    """--timeout: the most one run may take, a duration up to a week."""
    seconds = duration(text)
    if not 0 < seconds <= MAX_TIMEOUT_S:
        raise OptionError("%s: give more than 0 and at most a week (a bare number is seconds)"
                          % text)
    return seconds


def wait_quiet(text: str) -> float:
    """--wait-quiet: the most to wait for a quiet machine before a run, up to an hour."""
    seconds = duration(text)
    if not 0 < seconds <= 3600:
        raise OptionError("%s: give more than 0 and at most an hour (a bare number is seconds)"
                          % text)
    return seconds


def switch_interval(text: str) -> float:
    """--switch-interval: a duration from 1 µs to 1 s."""
    seconds = duration(text)
    if seconds <= 0:
        raise OptionError("%s: the switch interval must be positive: give 1us to 1s" % text)
    if not MIN_SWITCH_S <= seconds <= MAX_SWITCH_S:
        raise OptionError(
            "%s: give 1us to 1s (CPython's default is 5ms; a bare number is seconds)" % text)
    return seconds


def check_interval(text: str) -> int:
    """--check-interval: Python 2's sys.setcheckinterval, in ticks."""
    value = whole_number(1, MAX_CHECK_INTERVAL, "ticks")(text)
    return value


def gil_switch(text: str) -> int:
    """--gil: 0 (off) or 1 (on), as -X gil= of a free-threaded build."""
    if text.strip() not in ("0", "1"):
        raise OptionError("%r: give 0 (no GIL) or 1 (a GIL), as -X gil=" % text)
    return int(text)


def client_pause(text: str) -> float:
    """--pause: a duration from 0 to 1 s."""
    seconds = duration(text)
    if not 0 <= seconds <= MAX_PAUSE_S:
        raise OptionError("%s: give 0 to 1s (a bare number is seconds)" % text)
    return seconds


def worker_counts(text: str) -> list[int]:
    """Worker counts: "1-8", "1,2,4,8" or both ("1-4,8"); sorted, no repeats."""
    counts: set[int] = set()
    for part in ascii_number(text, "a list of worker counts").split(","):
        bounds = part.strip().split("-")
        if len(bounds) > 2 or not all(bound.strip().isdigit() for bound in bounds):
            raise OptionError(
                "%r is not a list of worker counts like 1-8 or 1,2,4,8" % text)
        low, high = (worker_count(bound) for bound in (bounds[0], bounds[-1]))
        if low > high:
            raise OptionError("%s: a range goes up, as in %d-%d"
                                             % (part.strip(), high, low))
        if high - low + 1 > MAX_WORKER_COUNTS:
            raise OptionError(
                "%s: %d worker counts, at most %d (list some, e.g. 1,2,4,8,16)"
                % (part.strip(), high - low + 1, MAX_WORKER_COUNTS))
        counts.update(range(low, high + 1))
    if len(counts) > MAX_WORKER_COUNTS:
        raise OptionError("%s: %d worker counts, at most %d"
                                         % (text, len(counts), MAX_WORKER_COUNTS))
    return sorted(counts)


def backend_names(text: str) -> list[str]:
    """Backends the agent offers, comma-separated, in the order given."""
    from ..agent.backends import LAUNCHERS
    names = []
    for name in (part.strip() for part in text.split(",")):
        if name not in LAUNCHERS:
            raise OptionError("%r is not a backend: give some of %s"
                                             % (name, ", ".join(sorted(LAUNCHERS))))
        if name not in names:
            names.append(name)
    return names


warmup_count = whole_number(0, MAX_WARMUP, "warm-up runs")


def sharing_mechanism(text: str) -> str:
    """--share: how pi's workers share their counts, one of SHARING_MECHANISMS."""
    from ..agent.protocol import SHARING_MECHANISMS
    name = text.strip().lower()
    if name not in SHARING_MECHANISMS:
        raise OptionError("%r is not a way to share: give one of %s"
                          % (text, ", ".join(SHARING_MECHANISMS)))
    return name


def io_wait(text: str) -> float:
    """Seconds a task of the io kernel waits: 0.1 ms to 10 s."""
    value = real_number(text, "a number of seconds")
    if not MIN_IO_WAIT_S <= value <= MAX_IO_WAIT_S:
        raise OptionError("%s s: give %g to %g seconds"
                                         % (text, MIN_IO_WAIT_S, MAX_IO_WAIT_S))
    return value


MAX_REQUESTS = 100_000
MAX_REQUEST_BYTES = 65_536
CONVOY_TIME_LIMIT_S = 60


request_count = whole_number(1, MAX_REQUESTS, "requests")
request_size = whole_number(1, MAX_REQUEST_BYTES, "bytes")
