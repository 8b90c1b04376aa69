"""Real pi runs through the target process, one per backend: the log's structure."""

import os
import shutil
import subprocess
import sys

import pytest

np = pytest.importorskip("numpy")  # before anything of gilviz's, which needs it

from gilviz import log
from gilviz.analysis import NATIVE_END_MARK, NATIVE_MARK, pi_estimate, summarize
from gilviz.log import RunSpec
from gilviz.measure.runner import run_target

pytestmark = pytest.mark.slow  # every test here measures real targets

BACKENDS = [("serial", 1), ("threads", 2), ("processes", 2), ("pool", 2), ("dummy-pool", 3)]
SEED = 99


def pi_spec(backend, workers, work=60_000, variant="fast", sample_hz=500.0):
    params = {"variant": variant, "seed": SEED, "chunk": 5000} if variant == "fast" \
        else {"variant": "seed"}
    return RunSpec(kernel="pi", backend=backend, workers=workers, work=work, probe=False,
                   python=sys.executable, sample_hz=sample_hz, params=params)


@pytest.fixture(scope="module")
def runs():
    return {backend: run_target(pi_spec(backend, workers)) for backend, workers in BACKENDS}


@pytest.mark.parametrize("backend, workers", BACKENDS)
def test_log_structure(runs, backend, workers):
    run = runs[backend]
    assert [w.index for w in run.workers] == list(range(workers))
    assert sum(w.work for w in run.workers) == 60_000
    for worker in run.workers:
        assert worker.error is None
        assert 0 <= worker.start_ns <= worker.stop_ns <= run.end_ns
        assert worker.result["samples"] == worker.work
        mine = run.marks.worker == worker.index
        ends = run.marks.kind[mine] == NATIVE_END_MARK
        assert np.count_nonzero(run.marks.kind[mine] == NATIVE_MARK) == np.count_nonzero(ends)
        assert run.marks.value[mine][ends].sum() == worker.work
        times = run.marks.t_ns[mine]
        assert worker.start_ns <= times.min() and times.max() <= worker.stop_ns
    assert set(run.threads.worker.tolist()) <= set(range(workers))
    assert run.holds.worker.size == 0 and run.probe is None


def test_threads_share_a_process_and_processes_do_not(runs):
    # A pool member may run more than one task: the pool hands them out.
    for backend in ("threads", "dummy-pool"):
        run = runs[backend]
        assert {w.pid for w in run.workers} == {run.interpreter.pid}
    assert len({w.tid for w in runs["threads"].workers}) == 2
    for backend in ("processes", "pool"):
        assert all(w.pid != runs[backend].interpreter.pid and w.tid == w.pid
                   for w in runs[backend].workers)
    assert len({w.pid for w in runs["processes"].workers}) == 2


def test_same_seed_and_workers_same_counts_on_every_backend(runs):
    # The streams depend only on the seed, the worker count and the index.
    two = [runs[backend] for backend in ("threads", "processes", "pool")]
    assert len({tuple(w.result["hits"] for w in run.workers) for run in two}) == 1
    again = run_target(pi_spec("threads", 2, sample_hz=0))
    assert [w.result["hits"] for w in again.workers] == [w.result["hits"] for w in two[0].workers]


def test_estimates_are_close_to_pi(runs):
    for run in runs.values():
        estimate = pi_estimate(run)
        assert estimate.samples == 60_000
        assert abs(estimate.error) < 4 * estimate.standard_error


def test_sampled_runs_summarize_without_probe(runs):
    for run in runs.values():
        stats = summarize(run)
        assert stats.handoffs is None and stats.median_turn_ns is None
        sampled = np.any((run.threads.t_ns >= 0) & (run.threads.t_ns < stats.wall_ns))
        if sampled:
            assert 0 <= stats.parallelism <= len(run.workers)
        else:  # a run shorter than a sampling period: nothing to tell
            assert stats.parallelism is None
        for worker in stats.workers:
            assert worker.held_ns is None
            # a run over before the sampler's first read has no sampled states
            assert (worker.sampled_ns is not None) == (len(run.threads.t_ns) > 0)


def test_log_round_trip_keeps_the_new_columns(runs, tmp_path):
    path = str(tmp_path / "run.json")
    log.save(log.new_log([runs["pool"]]), path)
    loaded = log.load(path).runs[0]
    assert loaded.threads.wait.tolist() == runs["pool"].threads.wait.tolist()
    assert loaded.threads.run_delay_ns.tolist() == runs["pool"].threads.run_delay_ns.tolist()
    assert loaded.spec.params == runs["pool"].spec.params
    assert loaded.spec.describe() == "2 Pool processes"


def test_seed_kernel_runs_on_threads():
    run = run_target(pi_spec("threads", 2, work=20_000, variant="seed", sample_hz=0))
    assert all(w.error is None for w in run.workers)
    assert pi_estimate(run).samples == 20_000


NUMPY_CHECK = """
import sys
if sys.version_info < (3, 8):
    sys.exit(2)
try:
    import numpy
except ImportError:
    sys.exit(3)
"""


def interpreter_without_numpy():
    """A pyenv-installed Python 3.8+ that cannot import numpy, or None."""
    if shutil.which("pyenv") is None:
        return None
    versions = os.path.join(subprocess.run(["pyenv", "root"], capture_output=True,
                                           text=True).stdout.strip(), "versions")
    for name in sorted(os.listdir(versions)) if os.path.isdir(versions) else []:
        python = os.path.join(versions, name, "bin", "python")
        if os.access(python, os.X_OK) and \
                subprocess.run([python, "-c", NUMPY_CHECK], capture_output=True).returncode == 3:
            return python
    return None


def test_missing_numpy_names_the_interpreter(tmp_path):
    python = interpreter_without_numpy()
    if python is None:
        pytest.skip("no Python 3.8+ without numpy installed here")
    result = subprocess.run(
        [sys.executable, "-m", "gilviz", "pi", "--serial", "--samples", "1000", "--repeat", "1",
         "--python", python, "--out", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert python in last and "numpy" in last
    assert "Traceback" not in result.stderr
