"""How workers share their running counts with the agent: one channel a mechanism.

    agent                                   worker (a thread or a forked process)
    channel = open_channel(...)      before the workers start; forked ones inherit it
                                     reporter = channel.reporter(index, mark)
                                     reporter.report(count)  after every chunk
                                     reporter.close()        at the end
    channel.collect(records)         after the workers ended: [(index, count)]
    channel.close()                  servers stopped, readers joined

`report(count)` takes the worker's running count; each mechanism delivers it
its own way, and `collect` gives what reached the agent, to be checked
against the workers' own counts. Readers of a queue or pipe run in a thread
of the agent while the workers report: a multiprocessing.Queue's writer
cannot exit until its data has been read, and a pipe holds only 64 KB.

Stdlib only: the agent's rule.
"""

import multiprocessing
import multiprocessing.connection
import threading

from .compat import fork_context, queue
from .lifeline import die_with_parent
from .probe import clock
from .protocol import LOCK_WAIT, PROCESS_BACKENDS, RETURN

DRAIN_TIMEOUT_S = 10.0
"""After the workers' records are in, the longest the agent waits for their
last reports: a worker killed before its last report must not hang the run.
What was collected by then is what the check sees."""


class ReturnChannel(object):
    """The count travels back with the worker's result (Pool and Process results)."""

    class Reporter(object):
        def __init__(self):
            self.count = 0

        def report(self, count):
            self.count = count

        def close(self):
            pass

    def reporter(self, index, mark):
        return self.Reporter()

    def collect(self, records):
        return [(record["index"], (record.get("result") or {}).get("reported", 0))
                for record in records]

    def close(self):
        pass


class _Drained(object):
    """The last count each worker sent, kept by a reader thread until every
    worker said it was done (count None) or the drain timed out."""

    def __init__(self, workers):
        self._last = {}
        self._open = set(range(workers))
        self._done = threading.Condition()

    def receive(self, index, count):
        with self._done:
            if count is None:
                self._open.discard(index)
                self._done.notify_all()
            else:
                self._last[index] = count

    @property
    def finished(self):
        with self._done:
            return not self._open

    def wait(self, timeout_s):
        with self._done:
            self._done.wait_for(lambda: not self._open, timeout_s)
            return sorted(self._last.items())


def _reader(target, name):
    thread = threading.Thread(target=target, name=name)
    thread.daemon = True
    thread.start()
    return thread


class QueueChannel(object):
    """queue.Queue between threads, multiprocessing.Queue between processes:
    each report puts (index, count)."""

    class Reporter(object):
        def __init__(self, put, index):
            self._put, self._index = put, index

        def report(self, count):
            self._put((self._index, count))

        def close(self):
            self._put((self._index, None))

    def __init__(self, context, workers, processes):
        self._queue = context.Queue() if processes else queue.Queue()
        self._drained = _Drained(workers)
        self._thread = _reader(self._read, "gilviz-share-queue")

    def _read(self):
        while not self._drained.finished:
            index, count = self._queue.get()
            self._drained.receive(index, count)

    def reporter(self, index, mark):
        return self.Reporter(self._queue.put, index)

    def collect(self, records):
        return self._drained.wait(DRAIN_TIMEOUT_S)

    def close(self):
        if hasattr(self._queue, "cancel_join_thread"):
            self._queue.close()


class PipeChannel(object):
    """A one-way multiprocessing.Pipe a worker; each report sends its count."""

    class Reporter(object):
        def __init__(self, connection):
            self._send = connection.send

        def report(self, count):
            self._send(count)

        def close(self):
            self._send(None)

    def __init__(self, context, workers, processes):
        ends = [context.Pipe(duplex=False) for _ in range(workers)]
        self._readers = {reader: index for index, (reader, _) in enumerate(ends)}
        self._writers = [writer for _, writer in ends]
        self._drained = _Drained(workers)
        self._thread = _reader(self._read, "gilviz-share-pipe")

    def _read(self):
        pending = dict(self._readers)
        while pending:
            for reader in multiprocessing.connection.wait(list(pending)):
                try:
                    count = reader.recv()
                except EOFError:
                    count = None
                self._drained.receive(pending[reader], count)
                if count is None:
                    del pending[reader]

    def reporter(self, index, mark):
        return self.Reporter(self._writers[index])

    def collect(self, records):
        return self._drained.wait(DRAIN_TIMEOUT_S)

    def close(self):
        pass


def _manager_init(parent_pid):
    """The Manager's server process dies with the agent, as every worker does."""
    die_with_parent(parent_pid)


class ManagerChannel(object):
    """A Manager's dict: each report is a round trip to its server process."""

    class Reporter(object):
        def __init__(self, counts, index):
            self._counts, self._index = counts, index

        def report(self, count):
            self._counts[self._index] = count

        def close(self):
            pass

    def __init__(self, context, workers, processes):
        import os
        from multiprocessing.managers import SyncManager
        self._manager = SyncManager(ctx=context)
        self._manager.start(_manager_init, (os.getpid(),))
        self._counts = self._manager.dict()

    def reporter(self, index, mark):
        return self.Reporter(self._counts, index)

    def collect(self, records):
        return sorted(self._counts.items())

    def close(self):
        self._manager.shutdown()


class _LockedReporter(object):
    """Takes the one lock, marking how long it waited, and calls the
    subclass's update(count) under it (a method: no closure built a report,
    which would add to the timed call of these mechanisms alone)."""

    def __init__(self, lock, mark):
        self._acquire, self._release = lock.acquire, lock.release
        self._mark = mark

    def report(self, count):
        asked = clock()
        self._acquire()
        held = clock()
        try:
            self.update(count)
        finally:
            self._release()
        self._mark([asked, LOCK_WAIT, held - asked])

    def close(self):
        pass


class ValueChannel(object):
    """One shared ctypes total (multiprocessing.Value), to which each report
    adds what the worker counted since its last, under one Lock."""

    class Reporter(_LockedReporter):
        def __init__(self, lock, total, mark):
            _LockedReporter.__init__(self, lock, mark)
            self._total, self._last = total, 0

        def update(self, count):
            self._total.value += count - self._last
            self._last = count

    def __init__(self, context, workers, processes):
        self._lock = context.Lock()
        self._total = context.RawValue("q", 0)

    def reporter(self, index, mark):
        return self.Reporter(self._lock, self._total, mark)

    def collect(self, records):
        return [(0, self._total.value)]

    def close(self):
        pass


class ArrayChannel(object):
    """A shared ctypes array (multiprocessing.Array), a slot a worker, each
    report writing the worker's count under one Lock."""

    class Reporter(_LockedReporter):
        def __init__(self, lock, slots, index, mark):
            _LockedReporter.__init__(self, lock, mark)
            self._slots, self._index = slots, index

        def update(self, count):
            self._slots[self._index] = count

    def __init__(self, context, workers, processes):
        self._lock = context.Lock()
        self._slots = context.RawArray("q", workers)

    def reporter(self, index, mark):
        return self.Reporter(self._lock, self._slots, index, mark)

    def collect(self, records):
        return list(enumerate(self._slots))

    def close(self):
        pass


CHANNELS = {"queue": QueueChannel, "pipe": PipeChannel, "manager": ManagerChannel,
            "value": ValueChannel, "array": ArrayChannel}


def open_channel(mechanism, backend, workers):
    """The channel of `mechanism` for `workers` workers of `backend`; None
    where the kernel reports nothing (no mechanism asked for)."""
    if mechanism is None:
        return None
    if mechanism == RETURN:
        return ReturnChannel()
    # fork, as the launchers: the agent is loaded by path, a spawned child
    # could not import it again.
    context = fork_context()
    return CHANNELS[mechanism](context, workers, backend in PROCESS_BACKENDS)
