"""What the agent needs from the interpreter, on every one it runs in: CPython
2.7 and 3.6 onwards.

The countdown path of the agent (main, backends, kernels, probe, lifeline,
protocol and this module) is written in the syntax common to 2.7 and 3.x,
so that the old GIL is measured by the very same worker body and probe as
the new one. What 2.7-3.7 lack is supplied here through ctypes and /proc:

  - clock(): CLOCK_MONOTONIC in ns, the orchestrator's time.perf_counter_ns.
    Before 3.7 there is no perf_counter_ns: libc's clock_gettime is called
    through ctypes.PyDLL, which keeps the GIL during the call (CDLL would
    release it, and the probe would cause the very switches it measures).
  - thread_cpu_ns(): CLOCK_THREAD_CPUTIME_ID, as time.thread_time_ns.
  - native_thread_id(): the OS thread id, from /proc/thread-self.
  - the CPUs the process may use, and pinning to some (sched_*affinity).
  - the interval at which the GIL is handed over: the switch interval (3.2+,
    seconds) or the check interval (2.x, "ticks": bytecode instructions).
"""

from __future__ import absolute_import

import errno
import os
import sys
import threading
import time

CLOCK_MONOTONIC = 1
CLOCK_THREAD_CPUTIME_ID = 3
NS = 1000000000

HAS_SWITCH_INTERVAL = hasattr(sys, "setswitchinterval")
"""3.2+: the new GIL, handed over after a time. Else the old GIL's check interval."""

try:
    import queue
except ImportError:  # 2.x
    import Queue as queue  # noqa: F401 (re-exported)


def _libc_clock(clock_id):
    """A function returning clock_gettime(clock_id) in ns, called with the GIL
    held (ctypes.PyDLL). Each thread has its own timespec: a switch between
    the call and the read of a shared one would give another thread's time.
    The arguments are made once, ctypes objects passed as they are (no
    argtypes to convert through): about half the time, 0.5-0.8 us a read
    on 2.7 here against 1.1-1.6 us."""
    import ctypes

    class Timespec(ctypes.Structure):
        _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]

    clock_gettime = ctypes.PyDLL(None).clock_gettime
    clock_gettime.restype = ctypes.c_int
    which = ctypes.c_int(clock_id)
    mine = threading.local()

    def read():
        try:
            spec, reference = mine.spec, mine.reference
        except AttributeError:
            spec = mine.spec = Timespec()
            reference = mine.reference = ctypes.byref(spec)
        clock_gettime(which, reference)
        return spec.tv_sec * NS + spec.tv_nsec
    return read


def _float_clock(clock_id):
    """time.clock_gettime (3.3+) in ns: a double of seconds since boot keeps
    well under a microsecond for years of uptime, at a quarter of ctypes' cost."""
    get = time.clock_gettime
    return lambda: int(get(clock_id) * NS)


if hasattr(time, "perf_counter_ns"):  # 3.7+
    clock = time.perf_counter_ns
    thread_cpu_ns = time.thread_time_ns
elif hasattr(time, "clock_gettime"):  # 3.3-3.6
    clock = _float_clock(CLOCK_MONOTONIC)
    thread_cpu_ns = _float_clock(CLOCK_THREAD_CPUTIME_ID)
else:  # 2.x: about 0.6 us a read here, against 78 ns for perf_counter_ns
    clock = _libc_clock(CLOCK_MONOTONIC)
    thread_cpu_ns = _libc_clock(CLOCK_THREAD_CPUTIME_ID)


def native_thread_id():
    """The OS id of the calling thread (what /proc/PID/task/ lists)."""
    get = getattr(threading, "get_native_id", None)
    if get is not None:
        return get()
    return int(os.readlink("/proc/thread-self").rsplit("/", 1)[-1])


def voluntary_switches():
    """How often the calling thread has gone to sleep (voluntary context
    switches, from /proc); None where the kernel does not say."""
    try:
        with open("/proc/thread-self/status") as status:
            for line in status:
                if line.startswith("voluntary_ctxt_switches:"):
                    return int(line.split(":", 1)[1])
    except (IOError, OSError, ValueError):
        pass
    return None


def allowed_cpus():
    """The CPU ids this process may run on, sorted; None if unknown."""
    if hasattr(os, "sched_getaffinity"):
        return sorted(os.sched_getaffinity(0))
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Cpus_allowed_list:"):
                    return _cpu_list(line.split(":", 1)[1])
    except (IOError, OSError):
        pass
    return None


def _cpu_list(text):
    """[0, 1, 2, 5] from "0-2,5"."""
    cpus = []
    for part in text.strip().split(","):
        first, _, last = part.partition("-")
        cpus.extend(range(int(first), int(last or first) + 1))
    return cpus


def pin_to_cpus(cpus):
    """Pin the calling thread, and so every thread and process it starts
    later, to `cpus`; raises RuntimeError with the reason if that fails."""
    where = ",".join(str(cpu) for cpu in cpus)
    if hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, cpus)  # 0: the calling thread; new threads inherit its mask
        except OSError as error:
            raise RuntimeError("cannot pin to cores %s: %s" % (where, error.strerror))
        return
    if not sys.platform.startswith("linux"):
        raise RuntimeError("cannot pin to cores on this platform (no sched_setaffinity)")
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    mask = (ctypes.c_ulong * 16)()  # 1024 CPUs, glibc's cpu_set_t
    bits = 8 * ctypes.sizeof(ctypes.c_ulong)
    for cpu in cpus:
        mask[cpu // bits] |= 1 << (cpu % bits)
    if libc.sched_setaffinity(0, ctypes.sizeof(mask), ctypes.byref(mask)) != 0:
        raise RuntimeError("cannot pin to cores %s: %s"
                           % (where, os.strerror(ctypes.get_errno())))


def set_handover(switch_interval_s, check_interval):
    """Apply the switch interval (3.x) or the check interval (2.x) if given.
    The orchestrator refuses the one an interpreter lacks; this refuses it too."""
    if switch_interval_s is not None:
        if not HAS_SWITCH_INTERVAL:
            raise ValueError("Python %d.%d has no switch interval: give a check interval"
                             % sys.version_info[:2])
        sys.setswitchinterval(switch_interval_s)
    if check_interval is not None:
        if HAS_SWITCH_INTERVAL:
            raise ValueError("Python %d.%d hands the GIL over by time: give a switch interval"
                             % sys.version_info[:2])
        sys.setcheckinterval(check_interval)


def handover_facts():
    """{"switch_interval_s": s or None, "check_interval": ticks or None}: the
    one this interpreter's GIL uses, as in effect now."""
    if HAS_SWITCH_INTERVAL:
        return {"switch_interval_s": sys.getswitchinterval(), "check_interval": None}
    return {"switch_interval_s": None, "check_interval": sys.getcheckinterval()}


def pid_exists(pid):
    try:
        os.kill(pid, 0)
    except OSError as error:
        return error.errno != errno.ESRCH
    return True


def fork_context():
    """multiprocessing with the fork start method (2.x has no contexts: it always forks)."""
    import multiprocessing
    if hasattr(multiprocessing, "get_context"):
        return multiprocessing.get_context("fork")
    return multiprocessing


def simple_queue(context):
    """context.SimpleQueue() (3.4+), or 2.x's multiprocessing.queues.SimpleQueue."""
    if hasattr(context, "SimpleQueue"):
        return context.SimpleQueue()
    from multiprocessing.queues import SimpleQueue
    return SimpleQueue()


def wait_for_connections(connections):
    """The connections that have something to read (or are closed), blocking."""
    try:
        from multiprocessing.connection import wait
    except ImportError:  # 2.x: Connection has fileno()
        import select
        return select.select(connections, [], [])[0]
    return wait(connections)
