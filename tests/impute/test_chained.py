"""MultipleImputer on the canonical frame: completeness, vocabularies, reproducibility, new patients."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from prognosis.cohort.schema import COLUMN_BY_NAME
from prognosis.errors import InputError, ModelError, NotFittedError
from prognosis.impute import MultipleImputer, missing_pattern, nelson_aalen_at
from prognosis.simulate import simulate_cohort


@pytest.fixture(scope="module")
def cohort():
    return simulate_cohort(300, seed=3, missingness="realistic").frame


@pytest.fixture(scope="module")
def fitted(cohort):
    imp = MultipleImputer(m=3, seed=5, maxit=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sets = imp.fit_transform(cohort)
    return imp, sets


def test_nelson_aalen_hand_calculation():
    # times 1, 2, 2, 3, 4 with events 1, 1, 0, 1, 0: H(1) = 1/5, H(2) = 1/5 + 1/4, H(3) = H(2) + 1/2
    t = np.array([1, 2, 2, 3, 4.0])
    e = np.array([1, 1, 0, 1, 0])
    h = nelson_aalen_at(t, e)
    np.testing.assert_allclose(h, [0.2, 0.45, 0.45, 0.95, 0.95], rtol=1e-15)


def test_nelson_aalen_matches_lifelines():
    from lifelines import NelsonAalenFitter

    rng = np.random.default_rng(1)
    t = np.round(rng.exponential(10, 200), 1) + 0.1
    e = rng.random(200) < 0.7
    naf = NelsonAalenFitter(nelson_aalen_smoothing=False).fit(t, e)
    ref = naf.cumulative_hazard_at_times(t).to_numpy()
    np.testing.assert_allclose(nelson_aalen_at(t, e), ref, rtol=1e-12)


def test_completed_sets_are_complete_and_keep_observed_values(cohort, fitted):
    imp, sets = fitted
    assert len(sets) == 3
    for s in sets:
        assert list(s.columns) == list(cohort.columns)
        assert s.index.equals(cohort.index)
        for c in imp.imputed_columns_:
            assert s[c].notna().all(), c
            obs = cohort[c].notna()
            assert (s.loc[obs, c].astype(object) == cohort.loc[obs, c].astype(object)).all(), c
            meta = COLUMN_BY_NAME.get(c)
            if meta is not None and meta.categories is not None:
                assert set(s[c].astype(str)) <= set(meta.categories)
            if meta is not None and meta.kind in ("int", "float") and meta.min is not None:
                assert (s[c].astype(float) >= meta.min).all()
    assert {"albumin_g_dl", "kps", "frankel"} <= set(imp.imputed_columns_)
    # the m imputations differ (proper imputation, not one fill)
    assert not sets[0]["albumin_g_dl"].equals(sets[1]["albumin_g_dl"])


def test_reproducible_with_seed(cohort, fitted):
    imp, sets = fitted
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        again = MultipleImputer(m=3, seed=5, maxit=4).fit_transform(cohort)
        other = MultipleImputer(m=3, seed=6, maxit=4).fit_transform(cohort)
    for a, b in zip(sets, again, strict=False):
        pd.testing.assert_frame_equal(a, b)
    assert not sets[0]["albumin_g_dl"].equals(other[0]["albumin_g_dl"])


def test_diagnostics(fitted):
    imp, _ = fitted
    conv = imp.convergence()
    assert set(imp.imputed_columns_) == set(conv.index)
    assert set(imp.chain_stats_["iteration"]) == {1, 2, 3, 4}
    s = imp.summary().table
    assert s.loc["albumin_g_dl", "method"] == "pmm"
    assert s.loc["frankel", "method"] == "multinomial"
    assert s.loc["pathological_fracture", "method"] == "logistic"
    assert "MultipleImputer(m=3" in repr(imp)


def test_new_patients_without_outcome(cohort, fitted):
    imp, _ = fitted
    new = cohort.drop(columns=["time_months", "event"]).head(4).copy()
    new["albumin_g_dl"] = None
    out = imp.transform(new, seed=1)
    assert len(out) == 3
    for s in out:
        assert s["albumin_g_dl"].notna().all()
        assert (
            s["albumin_g_dl"].astype(float).between(imp.specs_["albumin_g_dl"].lo, imp.specs_["albumin_g_dl"].hi).all()
        )
    # a multi-level category that was complete in training has no model: typed error naming it
    new2 = cohort.head(2).copy()
    new2["primary_site"] = None
    with pytest.raises(ModelError, match="primary_site"):
        imp.transform(new2)


def test_outcome_enters_imputation():
    """x is related only to the outcome: with the outcome in the imputation model (White & Royston
    2009) imputed x keeps its correlation with the cumulative hazard; without it, none is left."""
    rng = np.random.default_rng(4)
    n = 600
    x = rng.normal(size=n)
    t = rng.exponential(1 / np.exp(x))
    f = pd.DataFrame({"time": t, "event": 1, "x": x, "z": rng.normal(size=n)})
    mis = rng.random(n) < 0.4
    f.loc[mis, "x"] = np.nan
    h = nelson_aalen_at(t, np.ones(n))
    corr = {}
    for use in (True, False):
        sets = MultipleImputer(m=2, seed=1, maxit=3, time_col="time", event_col="event", use_outcome=use).fit_transform(
            f
        )
        corr[use] = np.mean([np.corrcoef(s.loc[mis, "x"], np.log(h[mis]))[0, 1] for s in sets])
    true = np.corrcoef(x[mis], np.log(h[mis]))[0, 1]
    assert true < -0.5  # high x: early death, small H(T)
    assert abs(corr[True] - true) < 0.15
    assert abs(corr[False]) < 0.15


def test_errors(cohort):
    with pytest.raises(InputError, match="m must be"):
        MultipleImputer(m=1).fit(cohort)
    with pytest.raises(InputError, match="outcome"):
        MultipleImputer(m=2).fit(cohort.drop(columns=["event"]))
    with pytest.raises(NotFittedError):
        MultipleImputer().transform(cohort)
    bad = cohort.copy()
    bad.loc[bad.index[3], "time_months"] = np.nan
    with pytest.raises(InputError, match="row 3"):
        MultipleImputer(m=2).fit(bad)


def test_missing_pattern():
    f = pd.DataFrame({"a": [1, None, 3, None], "b": [1, 2, None, None], "c": [1, 2, 3, 4]})
    p = missing_pattern(f)
    assert p.loc["missing", "a"] == 2
    assert p.loc["missing", "b"] == 2
    body = p.drop(index="missing")
    assert body["n"].sum() == 4
    assert list(body["n_missing"]) == [0, 1, 1, 2]
