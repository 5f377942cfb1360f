"""Bootstrap optimism, CV, paired differences and recalibration against independent computations."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter
from sksurv.metrics import concordance_index_censored

from prognosis.study.parallel import bootstrap_indices, kfold_indices, task_seeds
from prognosis.study.validation import bootstrap_optimism, paired_difference, recalibrate_at, repeated_cv
from prognosis.survival_data import make_y, split_y


class LifelinesCox:
    """A deliberately independent little estimator for the tests (lifelines, 3 covariates)."""

    def __init__(self, cols=("x1", "x2", "noise")):
        self.cols = list(cols)

    def fit(self, X, y):
        t, e = split_y(y)
        df = X[self.cols].copy()
        df["T"], df["E"] = t, e
        self.cph = CoxPHFitter().fit(df, "T", "E")
        return self

    def predict(self, X):
        return np.asarray(self.cph.predict_log_partial_hazard(X[self.cols]), dtype=float)

    def predict_survival(self, X, times):
        return self.cph.predict_survival_function(X[self.cols], times=times).T


class Factory:
    def __init__(self, cols):
        self.cols = cols

    def __call__(self, seed):
        return LifelinesCox(self.cols)


def harrell_only(est, X, y, y_train):
    t, e = split_y(y)
    return {"c": concordance_index_censored(e.astype(bool), t, est.predict(X))[0]}


@pytest.fixture(scope="module")
def toy():
    rng = np.random.default_rng(3)
    n = 160
    X = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.binomial(1, 0.4, n).astype(float),
                      "noise": rng.normal(size=n)})
    lp = 0.8 * X["x1"] + 0.6 * X["x2"]
    t = rng.exponential(10 * np.exp(-lp))
    c = rng.uniform(2, 25, n)
    return X, make_y(np.minimum(t, c), (t <= c).astype(int))


def test_bootstrap_optimism_matches_a_hand_loop(toy):
    X, y = toy
    B, seed = 6, 5
    res = bootstrap_optimism({"cox": Factory(["x1", "x2", "noise"])}, X, y, harrell_only, n_boot=B, seed=seed,
                             ci_method="fixed")
    # independent loop: the textbook algorithm (Steyerberg 2019, ch. 17), same resamples
    t, e = split_y(y)
    full = LifelinesCox().fit(X, y)
    app = concordance_index_censored(e.astype(bool), t, full.predict(X))[0]
    opt, fixed = [], []
    for idx in bootstrap_indices(len(y), B, seed):
        Xb, yb = X.iloc[idx].reset_index(drop=True), y[idx]
        tb, eb = split_y(yb)
        m = LifelinesCox().fit(Xb, yb)
        c_boot = concordance_index_censored(eb.astype(bool), tb, m.predict(Xb))[0]
        c_orig = concordance_index_censored(e.astype(bool), t, m.predict(X))[0]
        opt.append(c_boot - c_orig)
        fixed.append(concordance_index_censored(eb.astype(bool), tb, full.predict(Xb))[0])
    row = res.table.iloc[0]
    assert row["apparent"] == pytest.approx(app, abs=1e-12)
    assert row["optimism"] == pytest.approx(np.mean(opt), abs=1e-12)
    assert row["corrected"] == pytest.approx(app - np.mean(opt), abs=1e-12)
    lo, hi = np.quantile(fixed, [0.025, 0.975])
    assert row["ci_low"] == pytest.approx(row["corrected"] + lo - np.mean(fixed), abs=1e-12)
    assert row["ci_high"] == pytest.approx(row["corrected"] + hi - np.mean(fixed), abs=1e-12)
    assert row["n_rep"] == B
    # optimism of a model with a pure-noise covariate is positive on average here
    assert row["optimism"] > 0


def test_paired_difference_of_a_predictor_with_itself_is_zero(toy):
    X, y = toy
    f = Factory(["x1", "x2"])
    res = bootstrap_optimism({"a": f, "b": f}, X, y, harrell_only, n_boot=4, seed=1)
    d = paired_difference(res, "a", "b", "c")
    assert d["apparent_delta"] == 0
    assert d["corrected_delta"] == 0
    assert d["ci_low"] == 0
    assert d["ci_high"] == 0


def test_paired_difference_detects_the_informative_model(toy):
    X, y = toy
    res = bootstrap_optimism({"good": Factory(["x1", "x2"]), "noise": Factory(["noise"])}, X, y, harrell_only,
                             n_boot=8, seed=2)
    d = paired_difference(res, "good", "noise", "c")
    assert d["corrected_delta"] > 0.1
    assert d["ci_low"] > 0
    assert d["p_value"] < 0.3


def test_failed_fits_are_recorded_not_hidden(toy):
    X, y = toy

    class Fragile(LifelinesCox):
        def fit(self, X, y):
            if len(np.unique(X["x1"])) < len(X):  # every bootstrap sample has duplicates
                raise RuntimeError("refuses resampled data")
            return super().fit(X, y)

    res = bootstrap_optimism({"fragile": lambda s: Fragile()}, X, y, harrell_only, n_boot=3, seed=0)
    assert len(res.failures) == 3
    assert set(res.failures["error"]) == {"RuntimeError: refuses resampled data"}
    assert res.table.iloc[0]["n_rep"] == 0
    assert np.isnan(res.table.iloc[0]["corrected"])


def test_repeated_cv_matches_a_hand_loop(toy):
    X, y = toy
    res = repeated_cv({"cox": Factory(["x1", "x2"])}, X, y, harrell_only, folds=3, repeats=2, seed=4)
    t, e = split_y(y)
    cs = []
    for _, _, tr, te in kfold_indices(e, 3, 2, 4):
        m = LifelinesCox(["x1", "x2"]).fit(X.iloc[tr].reset_index(drop=True), y[tr])
        cs.append(concordance_index_censored(e[te].astype(bool), t[te], m.predict(X.iloc[te]))[0])
    assert len(cs) == 6
    assert res.table.iloc[0]["corrected"] == pytest.approx(np.mean(cs), abs=1e-12)
    assert np.isnan(res.table.iloc[0]["ci_low"])


def test_recalibration_of_an_already_calibrated_cox_is_the_identity(toy):
    """Closed form: if S(t|x) = S0(t)^exp(b x) from a Cox fit on these data, then cll = log H0(t) + b x,
    and the Cox model on cll reproduces b x exactly: slope 1 and unchanged S(t)."""
    X, y = toy
    t, e = split_y(y)
    df = pd.DataFrame({"x1": X["x1"], "T": t, "E": e})
    cph = CoxPHFitter().fit(df, "T", "E")
    S = cph.predict_survival_function(df[["x1"]], times=[8.0]).to_numpy().ravel()
    s_new, beta, se = recalibrate_at(S, t, e, 8.0)
    assert beta == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_allclose(s_new, S, atol=1e-5)
    assert se > 0


def test_recalibration_fixes_a_miscalibrated_prediction(toy):
    X, y = toy
    t, e = split_y(y)
    df = pd.DataFrame({"x1": X["x1"], "T": t, "E": e})
    cph = CoxPHFitter().fit(df, "T", "E")
    S = cph.predict_survival_function(df[["x1"]], times=[8.0]).to_numpy().ravel()
    too_extreme = S ** np.exp(1.0 * (np.log(-np.log(S)) - np.log(-np.log(S)).mean()))  # slope 1/2 truth
    s_new, beta, _ = recalibrate_at(too_extreme, t, e, 8.0)
    assert beta == pytest.approx(0.5, abs=1e-4)
    np.testing.assert_allclose(s_new, S, atol=1e-4)


def test_seeds_and_indices_are_reproducible():
    a, b = bootstrap_indices(50, 4, 9), bootstrap_indices(50, 4, 9)
    np.testing.assert_array_equal(a, b)
    # replicate b depends only on (seed, b): more replicates keep the first ones
    np.testing.assert_array_equal(bootstrap_indices(50, 6, 9)[:4], a)
    assert not np.array_equal(bootstrap_indices(50, 4, 10), a)
    assert task_seeds(3, 5) == task_seeds(3, 5)
    assert len(set(task_seeds(3, 5))) == 5


def test_paired_difference_p_value_agrees_with_its_interval():
    """p < 0.05 exactly when the 95% interval excludes 0 (both from one shifted distribution).

    Hand-made replicate table: the fixed-model differences have mean 0.03 and spread ±0.02,
    while optimism makes the corrected Δ only 0.005, so the corrected interval straddles 0 and
    p must be large (a p from the unshifted differences would be ~0).
    """
    from prognosis.study.validation import ValidationResult

    rng = np.random.default_rng(1)
    n = 400
    da = 0.70 + rng.normal(0, 0.01, n)
    db = da - (0.03 + rng.normal(0, 0.01, n))
    reps = pd.DataFrame({
        "predictor": ["a"] * n + ["b"] * n, "metric": "c", "replicate": list(range(n)) * 2,
        "boot": np.nan, "test": np.nan, "fixed": np.concatenate([da, db])})
    table = pd.DataFrame({"predictor": ["a", "b"], "metric": ["c", "c"], "apparent": [0.73, 0.70],
                          "optimism": [0.025, 0.0], "corrected": [0.705, 0.70],
                          "ci_low": np.nan, "ci_high": np.nan, "n_rep": n})
    res = ValidationResult(method="bootstrap", table=table, replicates=reps, fitted={},
                           failures=pd.DataFrame(columns=["replicate", "predictor", "error"]))
    d = paired_difference(res, "a", "b", "c")
    assert d["corrected_delta"] == pytest.approx(0.005)
    assert d["ci_low"] < 0 < d["ci_high"]
    assert d["p_value"] > 0.05
    assert d["ci_low"] == pytest.approx(0.005 - 0.0196, abs=0.004)


def test_paired_difference_p_value_is_never_zero():
    """No replicate on the other side of 0 gives p = 2/(B+1), not 0 (Davison & Hinkley 1997)."""
    from prognosis.study.validation import ValidationResult

    n = 99
    da = np.full(n, 0.80) + np.linspace(0, 0.01, n)
    db = np.full(n, 0.60)
    reps = pd.DataFrame({
        "predictor": ["a"] * n + ["b"] * n, "metric": "c", "replicate": list(range(n)) * 2,
        "boot": np.nan, "test": np.nan, "fixed": np.concatenate([da, db])})
    table = pd.DataFrame({"predictor": ["a", "b"], "metric": ["c", "c"], "apparent": [0.80, 0.60],
                          "optimism": [0.0, 0.0], "corrected": [0.80, 0.60],
                          "ci_low": np.nan, "ci_high": np.nan, "n_rep": n})
    res = ValidationResult(method="bootstrap", table=table, replicates=reps, fitted={},
                           failures=pd.DataFrame(columns=["replicate", "predictor", "error"]))
    d = paired_difference(res, "a", "b", "c")
    assert d["p_value"] == pytest.approx(2 / (n + 1))
