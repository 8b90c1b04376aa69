"""What crosses the process boundary is what the protocol module names."""

import sys

from gilviz.agent import protocol
from gilviz.agent.backends import run_worker
from gilviz.api.workloads import convoy_specs, io_params, pi_params
from gilviz.log import RunSpec
from gilviz.measure.runner import agent_config


def test_the_config_the_orchestrator_sends_has_the_protocols_keys():
    spec = RunSpec(kernel="countdown", backend="threads", workers=2, work=1000, probe=True,
                   python=sys.executable, sample_hz=0.0)
    assert tuple(agent_config(spec)) == protocol.CONFIG_KEYS


def test_a_workers_record_has_the_protocols_keys():
    config = {"kernel": "countdown", "workers": 1, "params": {}, "probe": True, "gil_enabled": True,
              "chunk": 100, "gap_ns": 10**9}
    record = run_worker(0, 1000, config, wait_for_release=lambda: None, turn=[None])
    assert sorted(record) == sorted(protocol.RECORD_KEYS)


def test_kernel_params_are_the_protocols():
    assert tuple(io_params(0.001, "echo")) == protocol.IO_PARAMS
    alone, _ = convoy_specs(1, 10, 32, 0.001, 1000, True)
    assert tuple(alone.params) == protocol.CONVOY_PARAMS
    assert set(pi_params("fast", 7, 1000, 10**6)) <= set(protocol.PI_PARAMS)


def test_a_programs_config_has_the_protocols_keys():
    from gilviz.measure.program import program_config
    spec = RunSpec(kernel="script", backend="threads", workers=1, work=0, probe=False,
                   python=sys.executable, sample_hz=1000.0,
                   params={"target": "x.py", "args": ["-v"]})
    assert tuple(program_config(spec)) == protocol.PROGRAM_KEYS
