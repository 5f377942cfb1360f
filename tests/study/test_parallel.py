"""Scale-out: the same seed gives the same numbers in-process, with joblib workers and on Dask."""
from __future__ import annotations

import pandas as pd
import pytest

from prognosis.study.config import ModelSpec, ScoreSpec
from prognosis.study.parallel import run_tasks
from prognosis.study.predictors import make_factory
from prognosis.study.scoring import StudyScorer
from prognosis.study.validation import bootstrap_optimism
from prognosis.survival_data import y_from_frame


def _square(i, j):
    return i * j


@pytest.fixture(scope="module")
def setup(small_cohorts):
    frame = small_cohorts["dev_frame"]
    factories = {
        "tomita": make_factory(ScoreSpec(name="tomita", kind="score", score="tomita", column="tomita")),
        "bone count": make_factory(ScoreSpec(name="extraspinal_bone_mets", kind="column",
                                             column="extraspinal_bone_mets")),
        "cox": make_factory(ModelSpec(name="cox", kind="cox", features="clinical")),
    }
    return frame, y_from_frame(frame), factories, StudyScorer([6.0, 12.0], calibration=False)


def test_run_tasks_keeps_order():
    tasks = [(i, i + 1) for i in range(7)]
    assert run_tasks(_square, tasks) == run_tasks(_square, tasks, n_jobs=2) == [i * (i + 1) for i in range(7)]


def test_local_joblib_and_dask_give_identical_tables(setup):
    distributed = pytest.importorskip("distributed")
    frame, y, factories, scorer = setup
    kw = {"n_boot": 3, "seed": 123}
    local = bootstrap_optimism(factories, frame, y, scorer, **kw)
    two = bootstrap_optimism(factories, frame, y, scorer, n_jobs=2, **kw)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cl:
        # by address, as `prognosis report --scheduler tcp://host:8786` or `dask: {address: ...}` do
        on_dask = bootstrap_optimism(factories, frame, y, scorer, scheduler=cl.scheduler_address, **kw)
    assert len(local.failures) == 0
    assert local.table["n_rep"].eq(3).all()
    pd.testing.assert_frame_equal(local.table, two.table)
    pd.testing.assert_frame_equal(local.table, on_dask.table)
    pd.testing.assert_frame_equal(local.replicates, on_dask.replicates)
