"""Four threads, each in one state for about a second: asleep, blocked on a
lock, reading a socket, computing."""

import socket
import threading
import time

lock = threading.Lock()
lock.acquire()
reader_end, writer_end = socket.socketpair()


def sleeper():
    time.sleep(1.0)


def locked():
    lock.acquire()


def reader():
    reader_end.recv(1)


def computer():
    deadline = time.perf_counter() + 1.0
    n = 0
    while time.perf_counter() < deadline:
        n += 1


threads = [threading.Thread(target=body, name=body.__name__)
           for body in (sleeper, locked, reader, computer)]
for thread in threads:
    thread.start()
threads[-1].join()
lock.release()
writer_end.send(b"x")
for thread in threads:
    thread.join()
