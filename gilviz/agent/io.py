"""The io kernel: tasks that wait on I/O, not on the CPU.

Each task is one round trip to a small echo server on 127.0.0.1 that holds
every reply for `wait_s` before sending it back, like a remote service with
that latency. While a request is outstanding the worker thread sleeps in
recv() with the GIL released, so other workers run (or wait too). With
"via": "sleep" instead of "echo" (or when no server can be started) a task is time.sleep(wait_s)
instead: the same shape of waiting, without the network stack.

    io_session(params, workers, work)   in the agent's main thread, before the
      |                                 workers start: bind 127.0.0.1:0, fork
      |                                 the server process, yield its port
      |-- run_io(share, None, context)  in every worker: one connection,
      |                                 `share` requests, one mark each
      `-- on exit: stop the server

The server is a process of its own, not a thread of the measured one, so
that it never competes with the workers for their GIL. It is bounded: it
accepts at most `workers` connections, answers at most `work` requests,
and exits after a deadline or as soon as the agent is gone.

Each request is recorded as a mark [t_ns, kind, value]: t_ns when it was
sent, kind "request" (or "sleep"), value the time until the reply in ns.
"""

import contextlib
import heapq
import multiprocessing
import os
import selectors
import socket
import struct
import time

from .lifeline import die_with_parent
from .probe import clock
from .protocol import ECHO, REQUEST, SLEEP

LOOPBACK = "127.0.0.1"
MESSAGE = struct.Struct("!QQ")
"""A request and its echo: worker index, request number."""
LIFETIME_MARGIN_S = 60.0
"""The server outlives the slowest plausible run (every task in turn) by this."""
POLL_S = 0.25
"""How often an idle server checks that the agent is still there."""

# How a task waits ("via"): a round trip to the echo server (ECHO), or
# time.sleep (SLEEP, also the kind of a sleep's mark; a round trip's is REQUEST).


def serve(listener, wait_ns, max_connections, max_requests, lifetime_s, agent_pid):
    """Echo each MESSAGE back on its connection `wait_ns` after it arrived."""
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    buffers = {}
    due = []  # heap of (reply time, sequence, connection, message)
    accepted = answered = sequence = 0
    deadline = clock() + int(lifetime_s * 1e9)
    while answered < max_requests and clock() < deadline and os.getppid() == agent_pid:
        now = clock()
        while due and due[0][0] <= now:
            _, _, connection, message = heapq.heappop(due)
            try:
                connection.sendall(message)
            except OSError:  # the worker is gone; its run reports why
                pass
            answered += 1
        timeout = POLL_S if not due else max(0.0, (due[0][0] - clock()) / 1e9)
        for key, _ in selector.select(min(timeout, POLL_S)):
            if key.fileobj is listener:
                connection, _ = listener.accept()
                connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                selector.register(connection, selectors.EVENT_READ)
                buffers[connection] = b""
                accepted += 1
                if accepted >= max_connections:
                    selector.unregister(listener)
                continue
            connection = key.fileobj
            data = connection.recv(4096)
            if not data:
                selector.unregister(connection)
                connection.close()
                continue
            buffer = buffers[connection] + data
            arrived = clock()
            while len(buffer) >= MESSAGE.size:
                sequence += 1
                heapq.heappush(due, (arrived + wait_ns, sequence, connection,
                                     buffer[:MESSAGE.size]))
                buffer = buffer[MESSAGE.size:]
            buffers[connection] = buffer


def _serve_process(listener, wait_ns, max_connections, max_requests, lifetime_s, agent_pid):
    die_with_parent(agent_pid)
    try:
        serve(listener, wait_ns, max_connections, max_requests, lifetime_s, agent_pid)
    finally:
        listener.close()


@contextlib.contextmanager
def io_session(params, workers, work):
    """Start the echo server for a run; yield the params the workers get.

    If no server can be started, the tasks sleep instead and the params say
    why ("fallback"), so the run's records tell what was measured.
    """
    wait_s = float(params.get("wait_s", 0.005))
    via = params.get("via", ECHO)
    if via not in (ECHO, SLEEP):
        raise ValueError("io tasks wait via %r: give %r or %r" % (via, ECHO, SLEEP))
    if via == SLEEP:
        yield dict(params, wait_s=wait_s, via=SLEEP)
        return
    try:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind((LOOPBACK, 0))
        listener.listen(workers)
        port = listener.getsockname()[1]
        # fork, like the process launcher: the agent is loaded by file path.
        server = multiprocessing.get_context("fork").Process(
            target=_serve_process, name="gilviz-echo-server",
            args=(listener, int(wait_s * 1e9), workers, work,
                  work * wait_s + LIFETIME_MARGIN_S, os.getpid()))
        server.daemon = True
        server.start()
        listener.close()
    except OSError as error:
        yield dict(params, wait_s=wait_s, via=SLEEP,
                   fallback="no echo server on %s (%s): the tasks slept instead"
                            % (LOOPBACK, error))
        return
    try:
        yield dict(params, wait_s=wait_s, via=ECHO, port=port)
    finally:
        server.terminate()
        server.join()


def _receive_exactly(connection, size):
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise ConnectionError("the echo server closed the connection")
        data += chunk
    return data


def _round_trips(count, index, port, marks):
    # Not socket.create_connection: its getaddrinfo loaded the resolver's
    # modules on first use and took 2-4 ms of the measured time here.
    connection = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection.connect((LOOPBACK, port))
        for number in range(count):
            message = MESSAGE.pack(index, number)
            sent = clock()
            connection.sendall(message)
            reply = _receive_exactly(connection, MESSAGE.size)
            marks.append([sent, REQUEST, clock() - sent])
            if reply != message:
                raise ValueError("the echo server answered %r to %r" % (reply, message))
    finally:
        connection.close()


def _sleeps(count, wait_s, marks):
    for _ in range(count):
        began = clock()
        time.sleep(wait_s)
        marks.append([began, SLEEP, clock() - began])


def run_io(work, probe, context):
    """`work` tasks, one after the other, each waiting on I/O (or sleeping)."""
    params = context["params"]
    if params["via"] == ECHO:
        _round_trips(work, context["index"], params["port"], context["marks"])
    else:
        _sleeps(work, params["wait_s"], context["marks"])
    result = {"tasks": work, "via": params["via"], "wait_s": params["wait_s"]}
    if params.get("fallback"):
        result["fallback"] = params["fallback"]
    return result
