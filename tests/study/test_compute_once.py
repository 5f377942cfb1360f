"""Compute once (issue 19 item 5): one Predictions object per fit and data set, one feature
encoding per fit, calibration sharing the outcome's structures, replicates sent in chunks.

Every shortcut is checked against the direct computation it replaces (same numbers, bit for bit
where the arithmetic is unchanged)."""
from __future__ import annotations

import gc
import warnings

import numpy as np
import pandas as pd
import pytest

from prognosis.errors import FeatureEncodingWarning, MetricInputError
from prognosis.metrics import calibration
from prognosis.metrics.calibration import calibration_measures
from prognosis.study.config import ModelSpec, ScoreSpec
from prognosis.study.parallel import _chunks, run_tasks
from prognosis.study.predictions import Predictions, cached_predictions, predict_once, reuse_predictions
from prognosis.study.predictors import make_factory
from prognosis.study.scoring import StudyScorer
from prognosis.survival_data import y_from_frame


@pytest.fixture(scope="module")
def fitted(small_cohorts):
    frame = small_cohorts["dev_frame"]
    y = y_from_frame(frame)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FeatureEncodingWarning)  # rare levels in a 300-patient sample
        cox = make_factory(ModelSpec(name="cox", kind="cox", features="clinical", params={"penalizer": 0.01}))(0)
        cox.fit(frame, y)
    score = make_factory(ScoreSpec(name="tomita", kind="score", score="tomita", column="tomita"))(0).fit(frame, y)
    return frame, y, {"cox": cox, "tomita": score}


@pytest.mark.parametrize("name", ["cox", "tomita"])
def test_predictions_equal_direct_calls(fitted, name):
    frame, _, ests = fitted
    est = ests[name]
    p = predict_once(est, frame, [12.0, 3.0, 6.0, 6.0])
    assert p.times.tolist() == [3.0, 6.0, 12.0]            # sorted, unique
    np.testing.assert_array_equal(p.risk, np.asarray(est.predict(frame), float))
    direct = np.asarray(est.predict_survival(frame, [6.0, 12.0], truncate=True), float)
    np.testing.assert_array_equal(p.at([6.0, 12.0]), direct)
    idx = np.array([5, 5, 0, 17])
    np.testing.assert_array_equal(p.take(idx).at([3.0]), p.at([3.0])[idx])
    with pytest.raises(KeyError, match="not computed"):
        p.at([24.0])


def test_truncated_beyond_followup_is_nan(fitted):
    frame, y, ests = fitted
    beyond = float(y["time_months"].max()) + 1
    p = predict_once(ests["cox"], frame, [6.0, beyond])
    assert np.isnan(p.at([beyond])).all()
    assert np.isfinite(p.at([6.0])).all()


def test_reuse_predictions_computes_once_per_fit_and_frame(fitted, monkeypatch):
    frame, _, ests = fitted
    est = ests["cox"]
    calls = []
    real = type(est.steps[0][1]).transform

    def counting(self, X):
        calls.append(1)
        return real(self, X)

    monkeypatch.setattr(type(est.steps[0][1]), "transform", counting)
    assert cached_predictions(est, frame, [6.0]) is not cached_predictions(est, frame, [6.0])  # no block: no cache
    calls.clear()
    with reuse_predictions() as store:
        a = cached_predictions(est, frame, [6.0, 12.0])
        assert cached_predictions(est, frame, [12.0]) is a           # a subset of the times: reused
        assert len(calls) == 1                                        # one feature transform
        b = cached_predictions(est, frame, [3.0])                     # a new time: union recomputed
        assert b.times.tolist() == [3.0, 6.0, 12.0]
        other = frame.copy()                                          # equal content, other object: not shared
        assert cached_predictions(est, other, [6.0]) is not b
        n = len(store)
        del other
        gc.collect()
        assert len(store) == n                                        # entries live as long as the estimator
    assert cached_predictions(est, frame, [6.0]) is not b


def test_store_entry_dropped_with_its_estimator(fitted):
    frame, y, _ = fitted
    with reuse_predictions() as store:
        est = make_factory(ScoreSpec(name="tomita", kind="score", score="tomita", column="tomita"))(0).fit(frame, y)
        cached_predictions(est, frame, [6.0])
        assert len(store) == 1
        del est
        gc.collect()
        assert len(store) == 0


def test_scorer_evaluate_matches_per_measure_calls(fitted):
    """The scorer's calibration measures equal calibration() with one group, horizon by horizon."""
    frame, y, ests = fitted
    hs = [3.0, 6.0, 12.0]
    sc = StudyScorer(hs)
    p = sc.predict(ests["cox"], frame)
    out = sc.evaluate(p, y, y)
    t, e = y["time_months"], y["event"].astype(int)
    for j, h in enumerate(hs):
        cal = calibration(t, e, p.at(hs)[:, j], h, groups=np.zeros(t.size, dtype=int))
        for k in ("ici", "e50", "e90", "slope", "oe_ratio"):
            assert out[f"{k}@{h:g}"] == float(getattr(cal, k))


def test_calibration_measures_identical_and_per_horizon_errors():
    rng = np.random.default_rng(3)
    n = 400
    t = rng.exponential(10, n).round(1) + 0.1
    e = (rng.uniform(size=n) < 0.7).astype(int)
    S = np.column_stack([np.exp(-h / rng.uniform(5, 20, n)) for h in (2.0, 5.0, 8.0)])
    S[:, 2] = np.nan                                    # a horizon the fit could not reach
    got = calibration_measures(t, e, S, [2.0, 5.0, 8.0])
    for j, h in enumerate((2.0, 5.0)):
        cal = calibration(t, e, S[:, j], h)
        assert got[j] == {k: float(getattr(cal, k)) for k in ("ici", "e50", "e90", "slope", "oe_ratio")}
    assert isinstance(got[2], MetricInputError)
    none = calibration_measures(t, np.zeros(n, int), S, [2.0, 5.0])   # no deaths: every horizon fails
    assert all(isinstance(x, MetricInputError) for x in none)


def test_feature_builder_fit_transform_encodes_once(small_cohorts, monkeypatch):
    from prognosis.features import FeatureBuilder

    frame = small_cohorts["dev_frame"]
    y = y_from_frame(frame)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FeatureEncodingWarning)
        expected = FeatureBuilder("clinical+molecular").fit(frame, y).transform(frame)
        calls = []
        real = FeatureBuilder._encode

        def counting(self, *a):
            calls.append(1)
            return real(self, *a)

        monkeypatch.setattr(FeatureBuilder, "_encode", counting)
        got = FeatureBuilder("clinical+molecular").fit_transform(frame, y)
    assert len(calls) == 1
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_fit_transform_warns_like_fit_then_transform(small_cohorts):
    from prognosis.features import FeatureBuilder

    frame = small_cohorts["dev_frame"].copy()
    frame.loc[:2, "albumin_g_dl"] = np.nan              # missing in 3 (< 10) rows: no indicator, a warning
    y = y_from_frame(frame)

    def messages(fn):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            fn()
        return sorted(str(x.message) for x in w)

    a = messages(lambda: FeatureBuilder("clinical").fit(frame, y).transform(frame))
    b = messages(lambda: FeatureBuilder("clinical").fit_transform(frame, y))
    assert a == b
    assert any("albumin_g_dl" in m for m in a)


def _pair(i, j):
    return (i, j, i * j)


@pytest.mark.parametrize("n_tasks", [1, 2, 7, 33])
def test_chunks_keep_order_and_cover_every_task(n_tasks):
    tasks = [(i,) for i in range(n_tasks)]
    for k in (1, 3, 8, 100):
        ch = _chunks(tasks, k)
        assert [t for c in ch for t in c] == tasks
        assert len(ch) == min(k, n_tasks)
        assert max(map(len, ch)) - min(map(len, ch)) <= 1


def test_run_tasks_chunked_parallel_equals_serial():
    tasks = [(i, i + 3) for i in range(23)]
    assert run_tasks(_pair, tasks, n_jobs=2) == run_tasks(_pair, tasks) == [_pair(*t) for t in tasks]


def test_predictions_rejects_wrong_shape():
    with pytest.raises(ValueError, match="reshape"):
        Predictions(np.zeros(3), np.array([1.0, 2.0]), np.zeros(5))
    assert len(Predictions(np.zeros(3), np.array([1.0]), np.zeros(3))) == 3


def test_scorer_without_horizons_returns_c_indices(fitted):
    frame, y, ests = fitted
    sc = StudyScorer([])
    out = sc.evaluate(sc.predict(ests["tomita"], frame), y, y)
    assert set(out) == {"harrell_c", "uno_c"}
    assert np.isfinite(list(out.values())).all()


def test_take_of_resample_matches_predicting_resample(fitted):
    """Predictions are row-wise: indexing the cohort's predictions equals predicting the resample."""
    frame, _, ests = fitted
    idx = np.random.default_rng(0).integers(0, len(frame), len(frame))
    for est in ests.values():
        full = predict_once(est, frame, [6.0, 12.0])
        direct = predict_once(est, frame.iloc[idx].reset_index(drop=True), [6.0, 12.0])
        np.testing.assert_array_equal(full.take(idx).risk, direct.risk)
        np.testing.assert_array_equal(full.take(idx).surv, direct.surv)

