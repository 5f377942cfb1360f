"""Dask with worker *processes* gives byte-identical results to the local run (issue 14): the
forest's calibration rows used to differ by ~1e-10 because worker processes run BLAS with one
thread (distributed's default) and the local process with all cores."""
from __future__ import annotations

import pandas as pd
import pytest

from prognosis.study.config import ModelSpec
from prognosis.study.predictors import make_factory
from prognosis.study.scoring import StudyScorer
from prognosis.study.validation import bootstrap_optimism
from prognosis.survival_data import y_from_frame


@pytest.mark.slow
def test_process_cluster_is_byte_identical_to_local(small_cohorts):
    distributed = pytest.importorskip("distributed")
    frame = small_cohorts["dev_frame"]
    y = y_from_frame(frame)
    factories = {"rsf": make_factory(ModelSpec(name="rsf", kind="rsf", features="clinical",
                                               params={"n_estimators": 20})),
                 "cox": make_factory(ModelSpec(name="cox", kind="cox", features="clinical"))}
    scorer = StudyScorer([6.0, 12.0], calibration=True)
    kw = {"n_boot": 2, "seed": 5}
    local = bootstrap_optimism(factories, frame, y, scorer, **kw)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cl:
        on_dask = bootstrap_optimism(factories, frame, y, scorer, scheduler=cl.scheduler_address, **kw)
    assert len(local.failures) == 0
    assert (local.replicates["metric"].str.startswith("slope@")).any()
    pd.testing.assert_frame_equal(local.replicates, on_dask.replicates, check_exact=True)
    pd.testing.assert_frame_equal(local.table, on_dask.table, check_exact=True)
