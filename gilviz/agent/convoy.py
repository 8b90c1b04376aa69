"""Beazley's convoy effect: an I/O thread answering requests beside CPU-bound threads.

Worker 0 is the I/O thread: an echo server on a loopback socket. Its client
(echo_client.py) is a process of its own, started by the session before the
workers, so that its clock readings never wait for this interpreter's GIL.
Workers 1..k run the countdown until the I/O thread is done.

    client process           I/O thread (worker 0)          CPU threads (1..k)
    connect             -->  accept                (session)
    wait for the start  <--  one byte        (at the release)  countdown ...
    request, t sent     -->  recv, wait for the GIL, mark "served"
    answer, t answered  <--  send the same bytes back
    ... REQUESTS requests, the time limit, or the CPU threads' work runs out
    timings on stdout   -->  marks "round-trip"                stop at the next switch

Every blocking socket call releases the GIL and must take it back before
the thread can go on: beside a CPU-bound thread that means waiting for the
switch interval (bpo-7946). The sockets are blocking on purpose: with a
timeout, each call would release the GIL twice (poll, then recv).

Params: "requests", "size" (bytes a request), "pause_s" (the client's pause
between an answer and its next request), "time_limit_s". A CPU thread's
share of the work is the most it counts down; the I/O thread's share is not
used (it answers "requests" requests). One run per target process: the
workers share this module's state.
"""

import contextlib
import json
import os
import select
import socket
import subprocess
import sys
import threading

from .kernels import countdown, countdown_probed
from .probe import clock
from .protocol import ROUND_TRIP, SERVED

LOOPBACK = "127.0.0.1"
CLIENT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "echo_client.py")
CONNECT_TIMEOUT_S = 30
RESULTS_TIMEOUT_S = 30
PLAIN_SLICE = 100000
"""Iterations between two looks at the I/O thread, for a CPU thread without probe."""

io_done = threading.Event()
cpu_done = threading.Event()
_finished_lock = threading.Lock()
_finished = [0]


@contextlib.contextmanager
def convoy_session(params, workers, work):
    """Before the workers start: listen on loopback, start the client process
    and accept its connection. Yields the params with the file descriptors of
    the connection and of the client's output, for the I/O thread. On exit,
    waits for the client (or kills it)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client = None
    try:
        listener.bind((LOOPBACK, 0))
        listener.listen(1)
        listener.settimeout(CONNECT_TIMEOUT_S)
        # -s -S, not -I: an interpreter started through a script that sets
        # PYTHONHOME (Debian's 3.14 and 3.15 here) cannot start without it.
        client = subprocess.Popen(
            [sys.executable, "-s", "-S", CLIENT_PATH, str(listener.getsockname()[1]),
             str(params["requests"]), str(params["size"]), str(params["pause_s"]),
             str(params["time_limit_s"]), str(os.getpid())],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
        connection = listener.accept()[0]
    except BaseException:
        if client is not None:
            client.kill()
            client.wait()
        raise
    finally:
        listener.close()
    connection.settimeout(None)
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        yield dict(params, connection_fd=connection.fileno(),
                   results_fd=client.stdout.fileno())
    finally:
        connection.close()
        try:
            client.wait(timeout=RESULTS_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            client.kill()
            client.wait()
        client.stdout.close()


class BlockingCalls(object):
    """Runs the I/O thread's socket calls and tells its probe, if any, about
    each: the thread runs no Python code (and holds no GIL) from just before
    the call until just after it."""

    def __init__(self, probe):
        self.probe = probe
        if probe is not None:
            probe.begin()

    def call(self, function, argument):
        if self.probe is None:
            return function(argument)
        last = clock()
        result = function(argument)
        self.probe.switched(last)
        return result

    def receive_exactly(self, connection, view):
        got = 0
        while got < len(view):
            count = self.call(connection.recv_into, view[got:])
            if count == 0:
                return False
            got += count
        return True

    def end(self):
        if self.probe is not None:
            self.probe.end(clock())


def serve(connection, probe, context):
    """Answer requests until the client stops or the CPU threads' work runs
    out; returns (requests served, why it ended)."""
    with_cpu = context["workers"] > 1
    marks = context["marks"]
    calls = BlockingCalls(probe)
    request = memoryview(bytearray(context["params"]["size"]))
    served = 0
    ended = "the client stopped"
    try:
        calls.call(connection.sendall, b"g")
        while calls.receive_exactly(connection, request):
            marks.append([clock(), SERVED, None])
            calls.call(connection.sendall, request)
            served += 1
            if with_cpu and cpu_done.is_set():
                ended = "the CPU threads ran out of work"
                break
    except OSError:
        ended = "the client went away"
    finally:
        io_done.set()
        if probe is not None:
            # A probed CPU thread asks whether to stop only when it sees
            # another worker took a turn: make sure it sees one.
            probe.turn[0] = probe.me
        calls.end()
    return served, ended


def read_until_closed(fd, timeout_s):
    """All the bytes from `fd` until its writer closes it, within `timeout_s`."""
    chunks = []
    deadline = clock() + int(timeout_s * 1e9)
    while True:
        left_s = (deadline - clock()) / 1e9
        if left_s <= 0 or not select.select([fd], [], [], left_s)[0]:
            raise RuntimeError("the echo client did not finish within %d s" % timeout_s)
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def run_io_thread(probe, context):
    """Serve the client, then turn its timings into marks."""
    params = context["params"]
    # A socket of its own on a duplicate descriptor: the session closes the original.
    connection = socket.socket(fileno=os.dup(params["connection_fd"]))
    try:
        served, ended = serve(connection, probe, context)
    finally:
        try:
            connection.shutdown(socket.SHUT_RDWR)  # the client sees the end, whatever it waits for
        except OSError:  # it has gone already
            pass
        connection.close()
    timings = json.loads(read_until_closed(params["results_fd"], RESULTS_TIMEOUT_S).decode())
    for sent, answered in zip(timings["sent_ns"], timings["answered_ns"]):
        context["marks"].append([sent, ROUND_TRIP, answered - sent])
    if ended == "the client stopped":
        ended = timings["ended"]
    return {"work_done": served, "answered": len(timings["answered_ns"]), "ended": ended}


def run_cpu_thread(work, probe, context):
    """The countdown until the I/O thread is done (or `work` runs out)."""
    if probe is not None:
        left = countdown_probed(work, probe, stop_when=io_done.is_set)
    else:
        left = work
        while left > 0 and not io_done.is_set():
            step = min(PLAIN_SLICE, left)
            countdown(step)
            left -= step
    if left == 0:
        with _finished_lock:
            _finished[0] += 1
            if _finished[0] == context["workers"] - 1:
                cpu_done.set()
    return {"work_done": work - left}


def run_convoy(work, probe, context):
    if context["index"] != 0:
        return run_cpu_thread(work, probe, context)
    try:
        return run_io_thread(probe, context)
    finally:
        io_done.set()  # also when it failed: the CPU threads must not wait for it

