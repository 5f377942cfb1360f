"""CoxModel against R survival::coxph (Efron) on the VA lung cancer trial (survival::veteran).

Reference numbers come from tests/reference/make_reference_models.R (committed JSON).
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from prognosis.models import CoxModel
from prognosis.models.cox import rcs_basis
from prognosis.survival_data import make_y


@pytest.fixture(scope="module")
def ref(repo_root):
    return json.loads((repo_root / "tests/reference/models_reference.json").read_text())


@pytest.fixture(scope="module")
def veteran(repo_root):
    d = pd.read_csv(repo_root / "tests/reference/models_veteran.csv")
    return d, make_y(d["time_months"], d["event"])


def test_coefficients_se_loglik_match_r(ref, veteran):
    d, y = veteran
    covs = ref["covariates"]
    m = CoxModel().fit(d[covs], y)
    np.testing.assert_allclose(m.coef_, [ref["coef"][c] for c in covs], rtol=0, atol=1e-5)
    np.testing.assert_allclose(m.summary().table["se"], [ref["se"][c] for c in covs], rtol=1e-5)
    assert abs(m.log_likelihood_ - ref["loglik"]) < 1e-6
    assert abs(m.score(d[covs], y) - ref["concordance"]) < 1e-9


def test_survival_curves_match_r_survfit(ref, veteran):
    d, y = veteran
    covs = ref["covariates"]
    m = CoxModel().fit(d[covs], y)
    s = m.predict_survival(pd.DataFrame(ref["newdata"])[covs], ref["surv_times"])
    np.testing.assert_allclose(s.to_numpy(), np.array(ref["surv"]), rtol=0, atol=1e-6)
    lo, up = m.predict_survival_interval(pd.DataFrame(ref["newdata"])[covs], ref["surv_times"])
    np.testing.assert_allclose(lo.to_numpy(), np.array(ref["surv_lower"]), rtol=0, atol=1e-6)
    np.testing.assert_allclose(up.to_numpy(), np.array(ref["surv_upper"]), rtol=0, atol=1e-6)


def test_strata_and_ridge_match_r(ref, veteran):
    d, y = veteran
    X = d[["trt2", "karno", "age"]].assign(cell=d.squamous + 2 * d.smallcell + 3 * d.adeno)
    ms = CoxModel(strata=["cell"]).fit(X, y)
    np.testing.assert_allclose(ms.coef_, list(ref["strata_coef"].values()), atol=1e-5)
    covs = ref["covariates"]
    # lifelines' penalizer p on the mean log-likelihood = R ridge theta = n * p (standardised)
    mr = CoxModel(penalizer=ref["ridge_theta"] / len(d)).fit(d[covs], y)
    np.testing.assert_allclose(mr.coef_, [ref["ridge_coef"][c] for c in covs], atol=1e-5)


def test_rcs_basis_closed_form():
    # Harrell's rcs with knots (0, 1, 2): second column = [(x)+^3 - 2 (x-1)+^3 + (x-2)+^3] / 4
    x = np.array([-1.0, 0.5, 1.5, 3.0])
    b = rcs_basis(x, np.array([0.0, 1.0, 2.0]))
    expected = np.array([0.0, 0.125, (3.375 - 2 * 0.125) , (27 - 2 * 8 + 1)]) / 4
    np.testing.assert_allclose(b[:, 0], x)
    np.testing.assert_allclose(b[:, 1], expected)
    # linear beyond the last knot: equal increments for equal steps
    far = rcs_basis(np.array([3.0, 4.0, 5.0]), np.array([0.0, 1.0, 2.0]))[:, 1]
    assert np.isclose(far[2] - far[1], far[1] - far[0])


def test_summary_and_ph_test(veteran, ref):
    d, y = veteran
    covs = ref["covariates"]
    m = CoxModel().fit(d[covs], y)
    s = m.summary().table
    assert list(s.index) == covs
    assert np.allclose(s["HR"], np.exp(s["coef"]))
    assert (s["HR_lower_95"] < s["HR"]).all()
    assert (s["HR"] < s["HR_upper_95"]).all()
    ph = m.check_assumptions()
    assert list(ph.columns) == ["test_statistic", "p"]
    assert list(ph.index) == covs
    # Karnofsky is the covariate R's cox.zph flags (p < 0.001): lifelines' test agrees
    assert ph.loc["karno", "p"] < 0.001
    assert ref["zph_rank_p"]["karno"] < 0.001


def test_spline_terms_fit_and_predict(veteran):
    d, y = veteran
    m = CoxModel(spline_terms=("karno",), spline_knots=3).fit(d[["karno", "age"]], y)
    assert m.design_names_ == ["karno", "karno'", "age"]
    s = m.predict_survival(d[["karno", "age"]].iloc[:3], [1, 3, 6])
    assert (np.diff(s.to_numpy(), axis=1) <= 0).all()
