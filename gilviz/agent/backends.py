"""How workers are started, released together, and collected.

One worker body (`run_worker`) serves every backend; a launcher only decides
where it runs (a thread or a process of its own) and how records travel back.
Records are plain dicts that go to the orchestrator as JSON.

    launcher.start(index, work)   for every worker: it reports its ids, then waits
    launcher.ready(index)         -> {"index", "pid", "tid"} of a thread to sample
    launcher.release()            the start signal, the same instant for all
    launcher.result(index)        -> the worker's record, once it is done
"""

from __future__ import absolute_import

import functools
import json
import multiprocessing
import multiprocessing.dummy
import os
import sys
import threading

from .compat import (clock, fork_context, native_thread_id, pid_exists, queue, simple_queue,
                     thread_cpu_ns, voluntary_switches, wait_for_connections)
from .kernels import load_kernel
from .lifeline import describe_exit, die_with_parent
from .probe import Probe
from .protocol import WORK_DONE


def worker_ids(index):
    return {"index": index, "pid": os.getpid(), "tid": native_thread_id()}


def run_worker(index, work, config, wait_for_release, turn):
    """Run one worker's portion of the work and return its record.

    `wait_for_release` is called once everything the worker needs is made
    (kernel loaded, probe ready): a launcher reports the worker ready there,
    then waits, so that "ready" means waiting at the start line. A worker
    may still start late when the OS gives it no CPU: on a free-threaded
    3.13 beside other load, one thread stayed runnable, never on a CPU, for
    170 ms after the release (its run_delay grew the whole time); the
    probe's first cpu_wait_ns holds that delay, and the summary says so.
    A kernel that stops before its portion is done returns {"work_done": n}
    (and anything else it has to say); the record says n.
    `turn` is the cell the probes of workers sharing one GIL write to.
    """
    record = worker_ids(index)
    record["work"] = work
    # Loaded by the worker itself: without a GIL, in a copy of its own.
    kernel = load_kernel(config["kernel"], own_constants=not config["gil_enabled"])
    context = {"index": index, "workers": config["workers"], "params": config["params"],
               "marks": []}
    channel = config.get("channel")
    reporter = None
    if channel is not None:
        reporter = context["reporter"] = channel.reporter(index, context["marks"].append)
    probe = None
    if config["probe"]:
        probe = Probe(config["chunk"], config["gap_ns"], turn, index)
    # Read before the wait at the start line, as reading a file releases the
    # GIL: the count then has that wait's sleep or two in it too.
    slept_before = voluntary_switches()
    wait_for_release()
    cpu_began = thread_cpu_ns()
    record["start_ns"] = clock()
    result = error = None
    try:
        result = kernel(work, probe, context)
    except Exception as failure:  # reported, so that the run says which worker failed
        error = "%s: %s" % (type(failure).__name__, failure)
    record["stop_ns"] = clock()
    record["cpu_ns"] = thread_cpu_ns() - cpu_began
    # Everything below is outside the measured window.
    slept = voluntary_switches()
    record["sleeps"] = None if None in (slept, slept_before) else slept - slept_before
    if reporter is not None:
        reporter.close()
    if isinstance(result, dict) and WORK_DONE in result:
        result = dict(result)
        record["work"] = result.pop(WORK_DONE)
    record["result"] = result or None
    record["error"] = error
    if probe is not None:
        probe.close()
    record["holds"] = probe.holds if probe is not None else []
    record["marks"] = context["marks"]
    return record


def shared_turn(gil_enabled):
    """The probe's turn cell: one for all threads under a GIL, else one each."""
    shared = [None]
    if gil_enabled:
        return lambda: shared
    return lambda: [None]


class ThreadLauncher(object):
    """Each worker is a thread of the agent's process."""

    def __init__(self, config):
        self.config = config
        self._go = threading.Event()
        self._turn = shared_turn(config["gil_enabled"])
        self._ready = {}
        self._results = {}
        self._threads = []

    def _body(self, index, work, ready, results):
        def report_and_wait():
            ready.put(worker_ids(index))
            self._go.wait()
        results.put(run_worker(index, work, self.config, report_and_wait, self._turn()))

    def start(self, index, work):
        ready, results = queue.Queue(), queue.Queue()
        self._ready[index], self._results[index] = ready, results
        thread = threading.Thread(
            target=self._body, args=(index, work, ready, results), name="worker-%d" % index
        )
        thread.daemon = True
        thread.start()
        self._threads.append(thread)

    def ready(self, index):
        return self._ready[index].get()

    def release(self):
        self._go.set()

    def result(self, index):
        return self._results[index].get()


def _process_body(index, work, config, conn, go, parent_pid, inherited):
    # Dies with the agent; and holds no read end of another worker's pipe, so
    # that a worker writing its record never waits on a reader that is gone.
    die_with_parent(parent_pid)
    for other in inherited:
        other.close()

    def report_and_wait():
        conn.send_bytes(json.dumps(worker_ids(index)).encode())
        go.wait()
    record = run_worker(index, work, config, report_and_wait, [None])
    conn.send_bytes(json.dumps(record).encode())
    conn.close()


class ProcessLauncher(object):
    """Each worker is a process of its own (so it has its own GIL).

    The fork start method is used on purpose: the agent is loaded by file path,
    not from sys.path, so a spawned child could not import it again.
    """

    def __init__(self, config):
        self.config = config
        self._context = fork_context()
        self._go = self._context.Event()
        self._conns = {}
        self._processes = {}
        self._ids = {}
        self._records = None

    def start(self, index, work):
        parent_end, child_end = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=_process_body,
            args=(index, work, self.config, child_end, self._go, os.getpid(),
                  list(self._conns.values())),
            name="worker-%d" % index,
        )
        process.start()
        child_end.close()
        self._conns[index], self._processes[index] = parent_end, process

    def _receive(self, index):
        try:
            return json.loads(self._conns[index].recv_bytes().decode())
        except EOFError:
            process = self._processes[index]
            process.join()
            return None

    def ready(self, index):
        ids = self._receive(index)
        if ids is None:
            raise RuntimeError("worker process %d %s before it was ready"
                               % (index, describe_exit(self._processes[index].exitcode)))
        self._ids[index] = ids
        return ids

    def release(self):
        self._go.set()

    def _lost(self, index, error):
        record = dict(self._ids[index], work=0, result=None, holds=[], marks=[], error=error)
        record.update(start_ns=None, stop_ns=None, cpu_ns=None, sleeps=None)
        return record

    def _collect(self):
        """Every worker's record, as each arrives. Once one worker process
        died, the others are killed: the run has failed, and waiting for them
        would only keep the user waiting."""
        records = {}
        pending = dict(self._conns)
        while pending:
            died = None
            for conn in wait_for_connections(list(pending.values())):
                index = next(i for i, c in pending.items() if c is conn)
                del pending[index]
                records[index] = self._receive(index)
                if records[index] is None:
                    records[index] = self._lost(index, "worker process %s" % describe_exit(
                        self._processes[index].exitcode))
                    died = index if died is None else died
            if died is not None:
                for index in pending:
                    self._processes[index].kill()
                    self._processes[index].join()
                    records[index] = self._lost(
                        index, "killed when worker process %d failed" % died)
                pending.clear()
        for process in self._processes.values():
            process.join()
        return records

    def result(self, index):
        if self._records is None:
            self._records = self._collect()
        return self._records[index]


def _pool_member_init(reports, go, parent_pid):
    """Runs in each pool member before it takes any task: report its ids, then
    wait for the release with the others."""
    if parent_pid is not None:
        die_with_parent(parent_pid)
    reports.put(worker_ids(-1))
    go.wait()


def _pool_task(task):
    index, work, config, turn = task
    return run_worker(index, work, config, lambda: None, turn)


class PoolLauncher(object):
    """Each worker is a task of multiprocessing.Pool.map, as the seed runs it,
    or of multiprocessing.dummy.Pool.map (the same API over threads).

    The pool's members report their ids from the pool initializer and wait
    there for the release, with the tasks already queued, so the sampler
    knows them and all start at one instant. Which member runs which task is
    the pool's choice: each task's record names the member (pid, tid) that
    ran it. ready(index) gives the index-th member, not a task's.
    """

    MEMBER_CHECK_S = 0.2
    """How often a process pool's members are checked while the map runs:
    Pool.map waits forever for the task of a member that died."""

    def __init__(self, config, threads):
        self.config = config
        self._threads = threads
        self._context = multiprocessing.dummy if threads else fork_context()
        self._go = threading.Event() if threads else self._context.Event()
        self._portions = []
        self._members = None
        self._records = None

    def start(self, index, work):
        self._portions.append(work)

    def _open(self):
        """Start the pool and queue the tasks; members wait for the release."""
        reports = queue.Queue() if self._threads else simple_queue(self._context)
        count = len(self._portions)
        self._pool = self._context.Pool(count, initializer=_pool_member_init,
                                        initargs=(reports, self._go,
                                                  None if self._threads else os.getpid()))
        # A task's turn cell travels with it: one shared by all tasks under
        # one GIL (the thread pool), a copy each across processes.
        turn = shared_turn(self.config["gil_enabled"] and self._threads)
        tasks = [(index, work, self.config, turn()) for index, work in enumerate(self._portions)]
        # map_async(...).get() is what Pool.map does; async so that a dead
        # member can be noticed.
        self._map = self._pool.map_async(_pool_task, tasks, chunksize=1)
        self._members = [dict(reports.get(), index=number) for number in range(count)]

    def ready(self, index):
        if self._members is None:
            self._open()
        return self._members[index]

    def release(self):
        self._go.set()

    def _gone(self):
        """Pids of process members that no longer exist."""
        if self._threads:
            return []
        return [member["pid"] for member in self._members if not pid_exists(member["pid"])]

    def _collect(self):
        while not self._map.ready():
            self._map.wait(self.MEMBER_CHECK_S)
            gone = self._gone()
            if gone and not self._map.ready():
                # No Pool.terminate(): after a member was killed it waited
                # forever for the task queue's read lock (py-spy: in
                # Pool._help_stuff_finish), and the run ended only by the
                # runner's stall check, 10 s later, with no word of the member.
                # The runner ends the target's whole process group instead.
                raise RuntimeError("pool worker process %s exited before the map was done"
                                   % ", ".join(map(str, gone)))
        records = self._map.get()
        self._pool.close()
        self._pool.join()
        return records

    def result(self, index):
        if self._records is None:
            self._records = self._collect()
        return self._records[index]


# Serial is one worker thread, not the agent's main thread, so that a serial
# baseline and a threaded run differ only in the number of workers: on the
# 2-vCPU VM this was built on, the same countdown ran 6-11 % faster or
# slower in the main thread than in a worker thread, depending on where the
# scheduler placed it.
LAUNCHERS = {
    "serial": ThreadLauncher,
    "threads": ThreadLauncher,
    "processes": ProcessLauncher,
    "pool": functools.partial(PoolLauncher, threads=False),
    "dummy-pool": functools.partial(PoolLauncher, threads=True),
}


def split_work(total, parts):
    """`total` split into `parts` portions that differ by at most one."""
    base, extra = divmod(total, parts)
    return [base + (1 if index < extra else 0) for index in range(parts)]


def gil_enabled():
    check = getattr(sys, "_is_gil_enabled", None)
    return True if check is None else bool(check())
