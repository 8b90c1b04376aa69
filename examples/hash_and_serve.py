"""A thread pool hashing files beside a thread serving requests on 127.0.0.1.

    gilviz run examples/hash_and_serve.py

The pool's threads hash each file twice: at once, which hashlib does
without the GIL (native code, while the other threads run), and in small
pieces, a Python loop that holds the GIL. The server thread waits in
accept() and recv() (I/O), and each request it answers needs the GIL back.
A client thread times its requests.
"""

import concurrent.futures
import hashlib
import os
import socket
import tempfile
import threading
import time

FILES, FILE_BYTES, PIECE = 16, 4_000_000, 64
REQUESTS = 40


def make_files(directory):
    paths = []
    for number in range(FILES):
        path = os.path.join(directory, "file-%02d.bin" % number)
        with open(path, "wb") as stream:
            stream.write(os.urandom(FILE_BYTES))
        paths.append(path)
    return paths


def whole_digest(data):
    """One call on megabytes: hashlib lets the GIL go while it hashes them."""
    return hashlib.sha256(data).hexdigest()


def piecewise_digest(data):
    """Small pieces: the loop is Python's, so the thread holds the GIL."""
    digest = hashlib.sha256()
    for start in range(0, len(data), PIECE):
        digest.update(data[start:start + PIECE])
    return digest.hexdigest()


def hash_file(path):
    with open(path, "rb") as stream:
        data = stream.read()
    assert whole_digest(data) == piecewise_digest(data)
    return whole_digest(data)[:12]


def serve(listener):
    while True:
        connection, _ = listener.accept()
        with connection:
            request = connection.recv(64)
            if request == b"stop":
                return
            connection.sendall(request.upper())


def client(port, latencies):
    for _ in range(REQUESTS):
        began = time.perf_counter()
        with socket.create_connection(("127.0.0.1", port)) as connection:
            connection.sendall(b"ping")
            connection.recv(64)
        latencies.append(time.perf_counter() - began)
        time.sleep(0.01)


def main():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    server = threading.Thread(target=serve, args=(listener,), name="server")
    server.start()
    latencies = []
    asking = threading.Thread(target=client, args=(port, latencies), name="client")
    with tempfile.TemporaryDirectory() as directory:
        paths = make_files(directory)
        asking.start()
        with concurrent.futures.ThreadPoolExecutor(3, thread_name_prefix="hasher") as pool:
            digests = list(pool.map(hash_file, paths))
        asking.join()
    with socket.create_connection(("127.0.0.1", port)) as connection:
        connection.sendall(b"stop")
    server.join()
    latencies.sort()
    print("%d files hashed (%s...); %d requests, median %.1f ms, max %.1f ms"
          % (len(digests), digests[0], len(latencies), 1e3 * latencies[len(latencies) // 2],
             1e3 * latencies[-1]))


if __name__ == "__main__":
    main()
