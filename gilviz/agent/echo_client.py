"""The convoy's client: sends small requests to the I/O thread, one at a time.

It runs as a process of its own, started by the convoy kernel, so that its
clock readings never wait for the measured interpreter's GIL. Stdlib only and
run by path (no imports from the agent).

    echo_client.py PORT REQUESTS SIZE PAUSE_S TIME_LIMIT_S AGENT_PID

It connects to 127.0.0.1:PORT, waits for the server's start byte, then sends
REQUESTS requests of SIZE bytes, each PAUSE_S after the answer to the one
before (0: at once), and stops early at TIME_LIMIT_S or when the server
closes. At the
end it prints one JSON line: {"sent_ns": [...], "answered_ns": [...],
"ended": why}, times from time.perf_counter_ns (CLOCK_MONOTONIC on Linux, the
clock of the rest of the run).
"""

import json
import os
import socket
import sys
import time

# lifeline.py imports nothing of the agent: load it from beside this file
# (-I leaves this directory off sys.path).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lifeline import die_with_parent  # noqa: E402

clock = time.perf_counter_ns


def receive_exactly(sock, view):
    """Fill `view` from `sock`; False if the peer closed first."""
    got = 0
    while got < len(view):
        count = sock.recv_into(view[got:])
        if count == 0:
            return False
        got += count
    return True


def exchange(sock, requests, size, pause_s, limit_s):
    """(sent_ns, answered_ns, why it ended)."""
    sent, answered = [], []
    message = b"x" * size
    answer = memoryview(bytearray(size))
    try:
        if not receive_exactly(sock, memoryview(bytearray(1))):
            return sent, answered, "the server closed before the start"
        deadline = clock() + int(limit_s * 1e9)
        for _ in range(requests):
            if pause_s and sent:
                time.sleep(pause_s)
            if clock() >= deadline:
                return sent, answered, "time limit"
            began = clock()
            sock.sendall(message)
            if not receive_exactly(sock, answer):
                return sent, answered, "the server stopped"
            answered.append(clock())
            sent.append(began)
    except socket.timeout:
        return sent, answered, "time limit"
    except OSError:  # reset or broken pipe: the server went away
        return sent, answered, "the server stopped"
    return sent, answered, "all requests answered"


def main(argv):
    port, requests, size = int(argv[0]), int(argv[1]), int(argv[2])
    pause_s, limit_s = float(argv[3]), float(argv[4])
    if len(argv) > 5:
        die_with_parent(int(argv[5]))
    # One timeout for every call: the limit bounds a stuck request too.
    sock = socket.create_connection(("127.0.0.1", port), timeout=limit_s)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sent, answered, ended = exchange(sock, requests, size, pause_s, limit_s)
    finally:
        sock.close()
    sys.stdout.write(json.dumps({"sent_ns": sent, "answered_ns": answered, "ended": ended}))
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
