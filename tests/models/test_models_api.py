"""scikit-learn contract and the predict_survival contract of every model."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold, cross_validate

from prognosis.errors import InputError, ModelError, NotFittedError
from prognosis.models import (
    CoxModel,
    GradientBoostingSurvivalModel,
    RandomSurvivalForestModel,
    make_model,
    make_pipeline,
    make_scorer,
)
from prognosis.models._base import step_evaluate

FAST = {
    "cox": {},
    "rsf": {"n_estimators": 20, "min_samples_leaf": 10},
    "gbm": {"n_estimators": 20, "max_depth": 2},
}


@pytest.mark.parametrize("kind", ["cox", "rsf", "gbm"])
def test_clone_params_and_prediction_contract(kind, small_cohort):
    f, y = small_cohort
    model = make_model(kind, **FAST[kind])
    c = clone(model)
    assert c.get_params()["model"].get_params() == model.get_params()["model"].get_params()
    model.set_params(features__impute="indicator")
    model.fit(f, y)
    risk = model.predict(f)
    assert risk.shape == (len(f),)
    assert np.isfinite(risk).all()
    times = [0.0, 1.0, 3.0, 6.0, 12.0]
    s = model.predict_survival(f.iloc[:50], times)
    assert list(s.columns) == times
    assert list(s.index) == list(f.index[:50])
    arr = s.to_numpy()
    assert np.all(arr[:, 0] == 1.0)
    assert np.all(np.diff(arr, axis=1) <= 1e-12)
    assert np.all((arr >= 0) & (arr <= 1))
    # higher risk goes with lower survival at 12 months (Spearman > 0.8)
    r = pd.Series(risk[:50]).rank().corr(pd.Series(1 - arr[:, -1]).rank())
    assert r > 0.8
    assert 0.6 < model.score(f, y) < 1.0


@pytest.mark.parametrize("cls", [CoxModel, RandomSurvivalForestModel, GradientBoostingSurvivalModel])
def test_beyond_followup_raises_or_truncates(cls, small_cohort):
    f, y = small_cohort
    m = make_pipeline(cls(**FAST.get({CoxModel: "cox", RandomSurvivalForestModel: "rsf"}.get(cls, "gbm")))).fit(f, y)
    tmax = float(y["time_months"].max())
    with pytest.raises(ModelError, match="beyond the training follow-up"):
        m.predict_survival(f.iloc[:3], [6, tmax + 1])
    s = m.predict_survival(f.iloc[:3], [6, tmax + 1], truncate=True)
    assert s.iloc[:, 1].isna().all()
    assert s.iloc[:, 0].notna().all()


def test_step_semantics_no_interpolation():
    grid = np.array([1.0, 2.0, 4.0])
    vals = np.array([[0.9, 0.7, 0.4]])
    out = step_evaluate(grid, vals, np.array([0.5, 1.0, 1.99, 2.0, 3.0, 4.0, 5.0]), 1.0)
    assert out.tolist() == [[1.0, 0.9, 0.9, 0.7, 0.7, 0.4, 0.4]]


def test_cox_step_between_event_times(small_cohort):
    f, y = small_cohort
    m = make_model("cox").fit(f, y)
    bt = m.steps[-1][1].baseline_times_["__all__"]
    t0, t1 = bt[10], bt[11]
    s = m.predict_survival(f.iloc[:5], [t0, (t0 + t1) / 2, t1]).to_numpy()
    assert np.array_equal(s[:, 0], s[:, 1])
    assert (s[:, 2] < s[:, 1]).all()


def test_y_as_dataframe_equals_structured(small_cohort):
    f, y = small_cohort
    a = make_model("cox").fit(f, y).predict(f)
    b = make_model("cox").fit(f, f[["time_months", "event"]]).predict(f)
    np.testing.assert_array_equal(a, b)


def test_errors_are_typed(small_cohort):
    f, y = small_cohort
    with pytest.raises(NotFittedError):
        CoxModel().predict(np.zeros((2, 2)))
    with pytest.raises(InputError, match="missing or non-finite value at row 0"):
        CoxModel().fit(pd.DataFrame({"a": [np.nan, 1.0]}), y[:2])
    with pytest.raises(InputError, match="2 rows but y has 3"):
        CoxModel().fit(pd.DataFrame({"a": [0.0, 1.0]}), y[:3])
    m = make_model("cox").fit(f, y)
    with pytest.raises(InputError, match="times must be finite"):
        m.predict_survival(f.iloc[:2], [-1])
    with pytest.raises(InputError, match="unknown model kind"):
        make_model("svm")
    Xm = m.steps[0][1].transform(f)
    with pytest.raises(ModelError, match="input differs"):
        m.steps[-1][1].predict(Xm.iloc[:, ::-1])


def test_same_seed_same_numbers(small_cohort):
    f, y = small_cohort
    a = make_model("rsf", **FAST["rsf"], random_state=3).fit(f, y).predict(f)
    b = make_model("rsf", **FAST["rsf"], random_state=3).fit(f, y).predict(f)
    c = make_model("rsf", **FAST["rsf"], random_state=4).fit(f, y).predict(f)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


# encoding notes on the small cohort; not what this test checks
@pytest.mark.filterwarnings("ignore::prognosis.errors.FeatureEncodingWarning")
def test_gridsearch_over_rsf_and_cross_validate(small_cohort):
    f, y = small_cohort
    pipe = make_model("rsf", n_estimators=10)
    gs = GridSearchCV(pipe, {"model__min_samples_leaf": [5, 40]}, cv=KFold(2, shuffle=True, random_state=0),
                      scoring=make_scorer("uno_c", tau=12))
    gs.fit(f, y)
    assert gs.best_params_["model__min_samples_leaf"] in (5, 40)
    assert 0.5 < gs.best_score_ < 1
    res = cross_validate(make_model("cox", penalizer=0.01), f, y, cv=KFold(3, shuffle=True, random_state=0),
                         scoring={"c": make_scorer("harrell_c"), "brier": make_scorer("brier", t=6),
                                  "ibs": make_scorer("ibs", times=[1, 3, 6, 9])})
    assert (res["test_c"] > 0.6).all()
    assert (res["test_brier"] < 0).all()
    assert (res["test_ibs"] > -0.25).all()


def test_scorer_equals_metric_on_same_data(small_cohort):
    from prognosis.metrics.concordance import harrell_c, uno_c

    f, y = small_cohort
    m = make_model("cox").fit(f, y)
    risk = m.predict(f)
    assert make_scorer("harrell_c")(m, f, y) == pytest.approx(float(harrell_c(y["time_months"], y["event"], risk)))
    assert make_scorer("uno_c", tau=12)(m, f, y) == pytest.approx(
        float(uno_c(y["time_months"], y["event"], risk, tau=12))
    )
    with pytest.raises(InputError, match="needs option"):
        make_scorer("brier")


def test_permutation_importance_ranks_kps_over_noise(small_cohort):
    f, y = small_cohort
    pipe = make_model("rsf", n_estimators=30, feature_set="score_items").fit(f, y)
    X = pipe.steps[0][1].transform(f)
    imp = pipe.steps[-1][1].permutation_importance(X, y, n_repeats=2)
    assert imp.loc["kps", "importance_mean"] > imp["importance_mean"].median()
