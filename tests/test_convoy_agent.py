"""The agent's pieces for the convoy, in this process: early stops, the
session's client and reports of work done."""

import json
import os
import socket

import pytest

from gilviz.agent import backends, convoy
from gilviz.agent.kernels import countdown_probed
from gilviz.agent.probe import Probe


def test_countdown_probed_stops_when_asked_at_a_switch():
    # gap_ns=0: every clock read counts as a switch, so stop_when is asked
    # after the first chunk.
    probe = Probe(chunk=100, gap_ns=0, turn=[None], me=0)
    left = countdown_probed(1000, probe, stop_when=lambda: True)
    assert left == 900
    holds = probe.holds
    assert len(holds) == 6  # the chunk, then the instant it stopped
    assert holds[0] <= holds[1] <= holds[3] == holds[4]


def test_countdown_probed_runs_to_the_end_without_stop():
    probe = Probe(chunk=100, gap_ns=10**12, turn=[None], me=0)
    assert countdown_probed(1000, probe) == 0
    assert len(probe.holds) == 3


@pytest.mark.slow
def test_the_session_connects_a_client_that_times_each_round_trip():
    params = {"requests": 3, "size": 8, "pause_s": 0, "time_limit_s": 20}
    with convoy.convoy_session(params, 1, 1) as session:
        connection = socket.socket(fileno=os.dup(session["connection_fd"]))
        connection.sendall(b"g")  # the start
        for _ in range(3):
            request = connection.recv(8, socket.MSG_WAITALL)
            assert request == b"x" * 8
            connection.sendall(request)
        assert connection.recv(1) == b""  # the client is done and closed
        connection.close()
        timings = json.loads(convoy.read_until_closed(session["results_fd"], 20))
    assert timings["ended"] == "all requests answered"
    assert len(timings["sent_ns"]) == len(timings["answered_ns"]) == 3
    assert all(answered > sent
               for sent, answered in zip(timings["sent_ns"], timings["answered_ns"]))


def test_work_done_replaces_the_share(monkeypatch):
    def kernel(work, probe, context):
        return {"work_done": 3, "answered": 2}

    monkeypatch.setattr(backends, "load_kernel", lambda name, own_constants=False: kernel)
    config = {"kernel": "test", "workers": 1, "params": {}, "probe": False, "gil_enabled": True}
    record = backends.run_worker(0, 5, config, lambda: None, [None])
    assert record["work"] == 3
    assert record["result"] == {"answered": 2}
    assert record["error"] is None
