"""The io kernel: its echo server, its marks, and how a run without a probe is shown."""

import os
import socket
import subprocess
import sys
import threading

import numpy as np
import pytest

from helpers import samples_table, timed_run
from gilviz.agent.io import MESSAGE, serve
from gilviz.analysis import (OFF_CPU, ON_CPU, SLEEPING, WAIT_IO, KernelFallback, sampled_segments,
                             summarize, wait_spans, wait_stats, waiting_share)
from gilviz.cli import main
from gilviz.log import Marks, RunSpec, load
from gilviz.report import summary_lines
from gilviz.measure.runner import run_target


def marks(rows):
    worker, t, kind, value = zip(*rows)
    return Marks(worker=np.asarray(worker, np.int32), t_ns=np.asarray(t, np.int64),
                 kind=np.asarray(kind, str), value=np.asarray(value, np.float64))


MARKS = marks([
    (0, 100, "request", 50),     # worker 0 waits 100-150
    (0, 200, "chunk", np.nan),   # not a wait
    (0, 160, "request", 30),     # 160-190, out of order on purpose
    (1, 100, "sleep", 200),      # worker 1 sleeps 100-300
])


def test_wait_spans_take_requests_and_sleeps_sorted_by_worker_and_start():
    waits = wait_spans(MARKS)
    assert list(waits.worker) == [0, 0, 1]
    assert list(waits.start_ns) == [100, 160, 100]
    assert list(waits.stop_ns) == [150, 190, 300]
    assert list(waits.state) == [WAIT_IO, WAIT_IO, SLEEPING]


def test_wait_stats_and_shares():
    waits = wait_spans(MARKS)
    requests, sleeps = wait_stats(waits)
    assert (requests.state, requests.count, requests.median_ns, requests.max_ns) == \
        (WAIT_IO, 2, 40, 50)
    assert (sleeps.state, sleeps.count, sleeps.median_ns) == (SLEEPING, 1, 200)
    assert waiting_share(waits, 0, 400) == 80 / 400
    assert waiting_share(waits, 5, 400) is None


def test_off_cpu_samples_inside_a_request_are_blocked_on_io():
    samples = samples_table([(90, 0, "S"), (110, 0, "S"), (120, 0, "R"), (155, 0, "S"),
                             (170, 0, "S"), (120, 1, "S")])
    segments = sampled_segments(samples, {0: 400, 1: 400}, longest_ns=1000,
                                waits=wait_spans(MARKS))
    assert list(segments.state) == [OFF_CPU, WAIT_IO, ON_CPU, OFF_CPU, WAIT_IO, SLEEPING]
    # Without the marks, the same samples are only off or on a CPU (and
    # neighbours in one state join).
    plain = sampled_segments(samples, {0: 400, 1: 400}, longest_ns=1000)
    assert list(plain.state) == [OFF_CPU, ON_CPU, OFF_CPU, OFF_CPU]


def start_server(max_requests, lifetime_s):
    """The echo server in a thread of this process: one connection, 1 ms replies."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    server = threading.Thread(target=serve, args=(listener, 1_000_000, 1, max_requests,
                                                  lifetime_s, os.getppid()))
    server.start()
    return listener, server


def test_the_echo_server_answers_and_stops_after_its_requests():
    listener, server = start_server(max_requests=2, lifetime_s=30.0)
    client = socket.create_connection(listener.getsockname())
    for number in range(2):
        message = MESSAGE.pack(0, number)
        client.sendall(message)
        assert client.recv(MESSAGE.size, socket.MSG_WAITALL) == message
    server.join(timeout=30)
    assert not server.is_alive()
    client.close()
    listener.close()


def test_the_echo_server_gives_up_after_its_lifetime():
    listener, server = start_server(max_requests=100, lifetime_s=0.05)
    server.join(timeout=30)
    assert not server.is_alive()
    listener.close()


def io_spec(python, backend="threads", workers=3, via="echo"):
    return RunSpec(kernel="io", backend=backend, workers=workers, work=7, probe=False,
                   python=python, sample_hz=500.0, params={"wait_s": 0.002, "via": via})


@pytest.mark.slow
@pytest.mark.parametrize("backend, workers", [("serial", 1), ("threads", 3), ("processes", 3)])
def test_every_task_is_one_request_with_its_mark(backend, workers):
    run = run_target(io_spec(sys.executable, backend, workers))
    assert [w.work for w in run.workers] == [7 // workers + (1 if i < 7 % workers else 0)
                                            for i in range(workers)]
    assert all(w.error is None for w in run.workers)
    assert all(w.result["via"] == "echo" and "fallback" not in w.result for w in run.workers)
    assert list(run.marks.kind) == ["request"] * 7
    assert list(np.bincount(run.marks.worker)) == [w.work for w in run.workers]
    assert np.all(run.marks.value >= 2e6)


@pytest.mark.slow
def test_sleep_stands_in_for_io_and_says_so():
    run = run_target(io_spec(sys.executable, via="sleep"))
    assert list(run.marks.kind) == ["sleep"] * 7
    lines = summary_lines(run, summarize(run))
    assert any(line.startswith("sleeps: 7,") for line in lines)
    assert any("time.sleep(2.0 ms), standing in for I/O" in line for line in lines)


def test_a_kernel_fallback_is_a_warning():
    run = timed_run(kernel="io")
    failed_over = run.workers[0]._replace(result={"tasks": 1, "via": "sleep", "wait_s": 0.005,
                                                  "fallback": "no echo server on 127.0.0.1"})
    stats = summarize(run._replace(workers=(failed_over,)))
    assert KernelFallback("no echo server on 127.0.0.1") in stats.warnings


def python38():
    try:
        root = subprocess.run(["pyenv", "root"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return None
    path = os.path.join(root, "versions", "3.8.18", "bin", "python")
    return path if root and os.path.exists(path) else None


@pytest.mark.slow
@pytest.mark.skipif(python38() is None, reason="no Python 3.8 from pyenv here")
def test_the_io_kernel_runs_in_python_38():
    run = run_target(io_spec(python38()))
    assert run.interpreter.version.startswith("3.8")
    assert list(run.marks.kind) == ["request"] * 7


@pytest.mark.slow
def test_gilviz_io_summarises_without_probe_columns_and_draws(tmp_path, capsys):
    status = main(["io", "--threads", "2", "--count", "4", "--io-wait", "0.002", "--repeat", "1",
                   "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert status == 0
    assert "held GIL" not in out and "waiting %" in out
    assert "requests (round trips): 4," in out
    run_dir, = tmp_path.iterdir()
    log = load(str(run_dir / "run.json"))
    assert [r.spec.role for r in log.runs] == ["baseline", "main"]
    assert all(r.probe is None for r in log.runs)
    assert (run_dir / "timeline.png").exists()
