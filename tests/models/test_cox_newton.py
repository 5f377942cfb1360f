"""CoxModel's own Newton-Raphson solver against lifelines ``CoxPHFitter`` (an independent
implementation of the same penalised Efron partial likelihood) and against R (via the committed
reference JSON in test_cox_reference.py, which runs with the default solver)."""
from __future__ import annotations

import json
import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest

from prognosis.errors import ModelError, SeparationWarning
from prognosis.models import CoxModel
from prognosis.models._cox_newton import CoxNewtonError, fit_cox_newton
from prognosis.survival_data import make_y

TIMES = [1, 3, 6, 12]


@pytest.fixture(scope="module")
def design(small_cohort):
    f, y = small_cohort
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from prognosis.models import make_model
        X = make_model("cox", feature_set="clinical+molecular")[:-1].fit_transform(f, y)
    return X, y


def _agree(a: CoxModel, b: CoxModel, X, coef_tol=1e-6, surv_tol=1e-6, se_rtol=1e-5, skip=(), ci_rows=slice(0, 50)):
    keep = [i for i, n in enumerate(a.design_names_) if n not in skip]
    np.testing.assert_allclose(b.coef_[keep], a.coef_[keep], rtol=0, atol=coef_tol)
    np.testing.assert_allclose(np.asarray(b.summary_["se"])[keep], np.asarray(a.summary_["se"])[keep], rtol=se_rtol)
    np.testing.assert_allclose(np.asarray(b.summary_["p"])[keep], np.asarray(a.summary_["p"])[keep], atol=1e-6)
    sa, sb = a.predict_survival(X, TIMES), b.predict_survival(X, TIMES)
    np.testing.assert_allclose(sb.to_numpy(), sa.to_numpy(), rtol=0, atol=surv_tol)
    la, ua = a.predict_survival_interval(X.iloc[ci_rows], TIMES)
    lb, ub = b.predict_survival_interval(X.iloc[ci_rows], TIMES)
    np.testing.assert_allclose(lb.to_numpy(), la.to_numpy(), atol=1e-6)
    np.testing.assert_allclose(ub.to_numpy(), ua.to_numpy(), atol=1e-6)


@pytest.mark.parametrize("penalizer", [0.01, 0.1])
def test_ridge_newton_equals_lifelines(design, penalizer):
    X, y = design
    a = CoxModel(penalizer=penalizer, solver="lifelines").fit(X, y)
    b = CoxModel(penalizer=penalizer, solver="newton").fit(X, y)
    assert (a.solver_, b.solver_) == ("lifelines", "newton")
    _agree(a, b, X)
    assert abs(a.log_likelihood_ - b.log_likelihood_) < 1e-6  # both the penalised log-likelihood


def test_unpenalised_newton_equals_lifelines(design):
    X, y = design
    X = X.iloc[:, :25]  # clinical part: a finite MLE exists
    a = CoxModel(solver="lifelines").fit(X, y)
    b = CoxModel(solver="newton").fit(X, y)
    _agree(a, b, X)


def test_strata_newton_equals_lifelines(design):
    X, y = design
    Xs = X.iloc[:, :12].assign(stratum=(X.iloc[:, 0].to_numpy() > np.median(X.iloc[:, 0])).astype(float))
    Xs = Xs.drop(columns=X.columns[0])
    a = CoxModel(strata=["stratum"], penalizer=0.01, solver="lifelines").fit(Xs, y)
    b = CoxModel(strata=["stratum"], penalizer=0.01, solver="newton").fit(Xs, y)
    _agree(a, b, Xs)


def test_strata_newton_matches_r(repo_root):
    ref = json.loads((repo_root / "tests/reference/models_reference.json").read_text())
    d = pd.read_csv(repo_root / "tests/reference/models_veteran.csv")
    y = make_y(d["time_months"], d["event"])
    X = d[["trt2", "karno", "age"]].assign(cell=d.squamous + 2 * d.smallcell + 3 * d.adeno)
    m = CoxModel(strata=["cell"], solver="newton").fit(X, y)
    np.testing.assert_allclose(m.coef_, list(ref["strata_coef"].values()), atol=1e-5)


def test_default_solver_choice(design):
    X, y = design
    assert CoxModel(penalizer=0.01).fit(X, y).solver_ == "newton"
    Xs = X.iloc[:, :6].assign(s=(np.arange(len(X)) % 2).astype(float))
    assert CoxModel(strata=["s"]).fit(Xs, y).solver_ == "lifelines"
    assert CoxModel(penalizer=0.05, l1_ratio=0.5).fit(X.iloc[:, :6], y).solver_ == "lifelines"
    with pytest.raises(ModelError, match="l1_ratio"):
        CoxModel(penalizer=0.05, l1_ratio=0.5, solver="newton").fit(X, y)
    with pytest.raises(ModelError, match="solver must be"):
        CoxModel(solver="irls").fit(X, y)


def test_monotone_likelihood_other_coefficients_agree():
    # one binary level with no deaths: its coefficient has no finite MLE (-> -inf); both solvers
    # stop on the log-likelihood criterion; every other coefficient and S(t) agree.
    rng = np.random.default_rng(3)
    n = 300
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n), "rare": np.r_[np.ones(4), np.zeros(n - 4)]})
    t = rng.exponential(10 * np.exp(-0.5 * X["a"]), n) + 0.01
    e = rng.random(n) < 0.7
    e[:4] = False
    y = make_y(t, e)
    with pytest.warns(SeparationWarning, match=r"not bounded by the data: rare"):
        a = CoxModel(solver="lifelines").fit(X, y)
    with pytest.warns(SeparationWarning, match=r"not bounded by the data: rare"):
        b = CoxModel(solver="newton").fit(X, y)
    assert b.coef_[2] < -10
    assert a.coef_[2] < -10
    # the interval of a "rare" row involves the arbitrary variance of the infinite coefficient
    _agree(a, b, X, skip=("rare",), se_rtol=1e-4, ci_rows=slice(4, 60))


def test_newton_failures_are_model_errors(monkeypatch):
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=80), "b": rng.normal(size=80)})
    y = make_y(rng.exponential(10, 80) + 0.1, rng.random(80) < 0.7)
    with pytest.raises(CoxNewtonError, match="no convergence in 1 Newton"):
        fit_cox_newton(X.to_numpy(), y["time_months"], y["event"], max_iter=1)
    import prognosis.models._cox_newton as cn

    def fail(*a, **k):
        raise CoxNewtonError("no convergence in 100 Newton iterations")

    monkeypatch.setattr(cn, "fit_cox_newton", fail)
    with pytest.raises(ModelError, match="did not converge.*penalizer"):
        CoxModel(solver="newton").fit(X, y)


def test_exact_collinearity_is_named_by_newton():
    rng = np.random.default_rng(1)
    a = rng.normal(size=200)
    X = pd.DataFrame({"a": a, "b": rng.normal(size=200), "c": 2 * a + 1})
    y = make_y(rng.exponential(10, 200) + 0.1, rng.random(200) < 0.7)
    with pytest.raises(ModelError, match=r"did not converge.*\['c'\] are exact linear combinations"):
        CoxModel(solver="newton").fit(X, y)


def test_check_assumptions_after_newton_fit_uses_lazy_lifelines(design):
    X, y = design
    m = CoxModel(penalizer=0.01).fit(X.iloc[:, :8], y)
    assert m.solver_ == "newton"
    assert m._lifelines is None
    ph = m.check_assumptions()
    assert list(ph.index) == m.design_names_
    assert np.isfinite(ph["p"]).all()


def test_memory_is_linear_in_n():
    # n x p x p would be 25,000 x 60 x 60 x 8 B = 720 MB; the solver keeps O(n p) arrays.
    rng = np.random.default_rng(5)
    n, p = 25_000, 60
    D = rng.normal(size=(n, p))
    t = rng.exponential(10, n)
    e = rng.random(n) < 0.6
    tracemalloc.start()
    res = fit_cox_newton(D, t, e, penalizer=0.01)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert np.isfinite(res.coef).all()
    assert peak < 200 * 2**20, f"peak {peak / 2**20:.0f} MB"


def test_newton_reaches_the_optimum_where_lifelines_stops_short():
    # Bootstrap resample 0 of the demo study (rng 0): lifelines' step-size heuristic diverges on
    # a rare molecular level (ModelError) although the ridge problem has a unique optimum. Check
    # the Newton solution independently: lifelines started there converges and stays there.
    from lifelines import CoxPHFitter

    from prognosis.datasets import load_demo
    from prognosis.models import make_model
    from prognosis.survival_data import y_from_frame

    f = load_demo().frame.reset_index(drop=True)
    y = y_from_frame(f)
    idx = np.random.default_rng(0).integers(0, len(y), len(y))
    fb, yb = f.iloc[idx].reset_index(drop=True), y[idx]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # min_level_events=0: keep the rare level (default pooling would remove the problem)
        X = make_model("cox", feature_set="clinical+molecular",
                       feature_params={"min_level_events": 0})[:-1].fit_transform(fb, yb)
    with pytest.raises(ModelError, match="did not converge"):
        CoxModel(penalizer=0.01, solver="lifelines").fit(X, yb)
    m = CoxModel(penalizer=0.01, solver="newton").fit(X, yb)
    sd = X.to_numpy(float).std(axis=0, ddof=1)
    df = X.set_axis([f"c{i}" for i in range(X.shape[1])], axis=1).assign(T=yb["time_months"], E=yb["event"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any lifelines ConvergenceWarning fails the test
        cph = CoxPHFitter(penalizer=0.01).fit(df, "T", "E", initial_point=m.coef_ * sd,
                                              fit_options={"precision": 1e-10, "r_precision": 1e-12})
    np.testing.assert_allclose(cph.params_.to_numpy(), m.coef_, atol=1e-6)
    np.testing.assert_allclose(cph.standard_errors_.to_numpy(), m.summary().table["se"], rtol=1e-5)
