"""Real pi runs sharing their counts through every mechanism: the same totals
as `return` for a fixed seed, a report a chunk, the check performed."""

import sys

import numpy as np
import pytest

from gilviz.agent.protocol import SHARING_BACKENDS, SHARING_MECHANISMS
from gilviz.analysis import sharing, summarize
from gilviz.log import RunSpec
from gilviz.measure.runner import run_target

pytestmark = pytest.mark.slow  # every test here measures real targets

WORK, CHUNK, SEED, WORKERS = 50_000, 4000, 1234, 3
CASES = [(mechanism, backend) for mechanism in SHARING_MECHANISMS
         for backend in ("threads", "processes") if backend in SHARING_BACKENDS[mechanism]]


def share_spec(mechanism, backend):
    return RunSpec(kernel="pi", backend=backend, workers=WORKERS, work=WORK, probe=False,
                   python=sys.executable, sample_hz=0.0,
                   params={"variant": "fast", "seed": SEED, "chunk": CHUNK, "share": mechanism})


@pytest.fixture(scope="module")
def runs():
    return {case: run_target(share_spec(*case)) for case in CASES}


def test_every_mechanism_gives_the_total_of_return(runs):
    expected = sharing(runs[("return", "threads")]).own_total
    for case, run in runs.items():
        stats = sharing(run)
        assert stats.collected_total == expected, case
        assert stats.own_total == expected and stats.agrees, case
        assert not [c for c in summarize(run).warnings if c.kind == "share-mismatch"]


def test_a_report_after_every_chunk(runs):
    chunks_of_worker = [-(-share // CHUNK) for share in (16_667, 16_667, 16_666)]
    for case, run in runs.items():
        for worker in run.workers:
            mine = run.marks.worker == worker.index
            reports = run.marks.t_ns[mine & (run.marks.kind == "share")]
            ends = run.marks.t_ns[mine & (run.marks.kind == "native_end")]
            assert len(reports) == chunks_of_worker[worker.index], case
            assert np.array_equal(np.sort(reports) >= np.sort(ends), np.ones(len(ends), bool))
        lock_waits = np.count_nonzero(run.marks.kind == "lock-wait")
        assert lock_waits == (sum(chunks_of_worker) if case[0] in ("value", "array") else 0)


def test_the_pool_returns_its_counts(runs):
    run = run_target(share_spec("return", "pool"))
    assert sharing(run).collected_total == sharing(runs[("return", "threads")]).own_total
