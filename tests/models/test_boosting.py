"""The O(n log n) Cox boosting loss against scikit-survival's original (Cython, O(n^2)) code.

The reference is scikit-survival's own implementation (``sksurv.ensemble._coxph_loss`` and
``GradientBoostingSurvivalAnalysis(loss="coxph")``), independent of our code.
"""
from __future__ import annotations

import numpy as np
import pytest
from sksurv.ensemble import GradientBoostingSurvivalAnalysis
from sksurv.ensemble._coxph_loss import coxph_loss as sk_loss
from sksurv.ensemble._coxph_loss import coxph_negative_gradient as sk_gradient

from prognosis.models import GradientBoostingSurvivalModel, load, save
from prognosis.models._coxph_loss import coxph_loss, coxph_negative_gradient
from prognosis.models.boosting import FastCoxGradientBoosting
from prognosis.survival_data import make_y


def _data(n, seed, p=4, tie_round=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    t = rng.exponential(np.exp(-0.7 * X[:, 0] + 0.4 * X[:, 1]) * 12)
    t = np.round(t, tie_round) + 0.5  # heavy ties
    e = rng.random(n) < 0.65
    return X, t, e


@pytest.mark.parametrize(("n", "seed"), [(1, 0), (2, 1), (7, 2), (300, 3)])
def test_loss_and_gradient_equal_sksurv_cython(n, seed):
    _, t, e = _data(n, seed)
    f = np.random.default_rng(seed + 10).normal(0, 2, n)
    assert coxph_loss(e, t, f) == pytest.approx(sk_loss(e.astype(np.uint8), t, f), rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(coxph_negative_gradient(e, t, f), sk_gradient(e.astype(np.uint8), t, f),
                               rtol=1e-10, atol=1e-12)


def test_gradient_is_stable_for_large_predictions():
    _, t, e = _data(50, 4)
    f = np.linspace(600, 800, 50)  # exp(f) overflows without the shift
    g = coxph_negative_gradient(e, t, f)
    assert np.isfinite(g).all()
    assert np.isfinite(coxph_loss(e, t, f))
    np.testing.assert_allclose(g, coxph_negative_gradient(e, t, f - 700), atol=1e-12)


@pytest.mark.parametrize("params", [
    {"subsample": 1.0},
    {"subsample": 0.8},
    {"subsample": 0.8, "dropout_rate": 0.1, "max_features": 2},
])
def test_boosting_predictions_equal_original(params):
    X, t, e = _data(300, 5, tie_round=1)
    y = make_y(t, e)
    common = {
        "loss": "coxph",
        "n_estimators": 8,
        "learning_rate": 0.1,
        "max_depth": 2,
        "min_samples_leaf": 5,
        "random_state": 0,
    }
    ref = GradientBoostingSurvivalAnalysis(**common, **params).fit(X, y)
    ours = FastCoxGradientBoosting(**common, **params).fit(X, y)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=0, atol=1e-8)
    np.testing.assert_allclose(ours.train_score_, ref.train_score_, rtol=1e-10)
    s_ref = ref.predict_survival_function(X[:20], return_array=True)
    s_ours = ours.predict_survival_function(X[:20], return_array=True)
    np.testing.assert_allclose(s_ours, s_ref, rtol=0, atol=1e-8)


def test_model_uses_fast_loss_and_roundtrips(tmp_path):
    X, t, e = _data(300, 6, tie_round=1)
    m = GradientBoostingSurvivalModel(n_estimators=5, random_state=1).fit(X, make_y(t, e))
    assert isinstance(m.booster_, FastCoxGradientBoosting)
    m2 = load(save(m, tmp_path / "gbm.skops"))
    np.testing.assert_array_equal(m.predict(X), m2.predict(X))
    np.testing.assert_array_equal(m.predict_survival(X, [1, 5, 10]).to_numpy(),
                                  m2.predict_survival(X, [1, 5, 10]).to_numpy())


def test_only_coxph_loss_is_supported():
    X, t, e = _data(50, 7)
    with pytest.raises(ValueError, match="coxph"):
        FastCoxGradientBoosting(loss="squared", n_estimators=2).fit(X, make_y(t, e))
