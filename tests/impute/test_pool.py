"""prognosis.impute.pool against hand calculation and R mice::pool (tests/reference)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import t as student_t

from prognosis.errors import InputError, PrognosisError
from prognosis.impute import pool

REF = Path(__file__).resolve().parents[1] / "reference" / "impute_reference.json"


def test_hand_calculation_infinite_dfcom():
    # Q = 1, 2, 3; U = 0.5 each: qbar = 2, ubar = 1/2, b = 1, t = 1/2 + 4/3 = 11/6,
    # lambda = (4/3) / (11/6) = 8/11, df = (m - 1) / lambda^2 = 2 * 121 / 64 = 121/32,
    # riv = (4/3) / (1/2) = 8/3, fmi = (riv + 2 / (df + 3)) / (riv + 1) = 1928/2387
    p = pool([1.0, 2.0, 3.0], [0.5, 0.5, 0.5])
    assert p.estimate[0] == pytest.approx(2.0, abs=1e-15)
    assert p.within[0] == pytest.approx(0.5, abs=1e-15)
    assert p.between[0] == pytest.approx(1.0, abs=1e-15)
    assert p.variance[0] == pytest.approx(11 / 6, rel=1e-15)
    assert p.se[0] == pytest.approx(np.sqrt(11 / 6), rel=1e-15)
    assert p.lambda_[0] == pytest.approx(8 / 11, rel=1e-14)
    assert p.df[0] == pytest.approx(121 / 32, rel=1e-14)
    assert p.riv[0] == pytest.approx(8 / 3, rel=1e-14)
    assert p.fmi[0] == pytest.approx(1928 / 2387, rel=1e-14)
    lo, hi = p.ci(0.95)[0]
    q = student_t.ppf(0.975, 121 / 32)
    assert (lo, hi) == pytest.approx((2 - q * np.sqrt(11 / 6), 2 + q * np.sqrt(11 / 6)), rel=1e-14)


def test_hand_calculation_finite_dfcom():
    # nu_obs = (11/13) * 10 * (1 - 8/11) = 30/13; df = nu_old nu_obs / (nu_old + nu_obs) = 3630/2533
    p = pool([1.0, 2.0, 3.0], [0.5, 0.5, 0.5], df_complete=10)
    assert p.df[0] == pytest.approx(3630 / 2533, rel=1e-14)


def test_no_between_variance_floors_lambda_like_mice():
    p = pool(np.ones((4, 2)), np.full((4, 2), 0.2))
    assert np.allclose(p.between, 0)
    assert np.allclose(p.variance, 0.2)
    assert np.allclose(p.df, 3 / 1e-8)  # lambda floored at 1e-4
    assert np.allclose(p.fmi, 2 / (3e8 + 3))


def test_covariance_pooling_and_names():
    rng = np.random.default_rng(0)
    Q = rng.normal(size=(5, 3))
    C = np.stack([np.diag(rng.uniform(0.1, 0.2, 3)) + 0.01 for _ in range(5)])
    p = pool(Q, C, names=["a", "b", "c"])
    d = Q - Q.mean(0)
    assert np.allclose(p.covariance, C.mean(0) + 1.2 * d.T @ d / 4)
    assert np.allclose(np.diag(p.covariance), p.variance)
    assert list(p.summary().table.index) == ["a", "b", "c"]


@pytest.mark.parametrize("args", [
    ([1.0], [1.0]),                              # one imputation
    ([1.0, np.nan], [1.0, 1.0]),                 # failed fit
    ([1.0, 2.0], [1.0, -1.0]),                   # negative variance
    (np.ones((3, 2)), np.ones((3, 3))),          # shapes disagree
])
def test_bad_input_is_a_typed_error(args):
    with pytest.raises(InputError):
        pool(*args)


def test_bad_df_complete():
    with pytest.raises(PrognosisError):
        pool([1.0, 2.0], [1.0, 1.0], df_complete=0)


@pytest.fixture(scope="module")
def ref():
    return json.loads(REF.read_text())


@pytest.mark.parametrize(("which", "dfcom"), [("pool_dfcom_inf", None), ("pool_dfcom_default", "nevent-p")])
def test_matches_r_mice_pool(ref, which, dfcom):
    """The per-imputation Cox fits of R are pooled here and compared with mice::pool's output."""
    est = np.asarray(ref["per_imputation"]["estimate"], float)
    var = np.asarray(ref["per_imputation"]["variance"], float)
    r = ref[which]
    p = pool(est, var, df_complete=None if dfcom is None else r["dfcom"])
    for ours, key in ((p.estimate, "estimate"), (p.se, "se"), (p.df, "df"), (p.fmi, "fmi"), (p.riv, "riv"),
                      (p.lambda_, "lambda"), (p.within, "ubar"), (p.between, "b"), (p.p_value(), "p")):
        np.testing.assert_allclose(ours, r[key], rtol=1e-10, atol=1e-14, err_msg=key)
    ci = p.ci(0.95)
    np.testing.assert_allclose(ci[:, 0], r["lower"], rtol=1e-10)
    np.testing.assert_allclose(ci[:, 1], r["upper"], rtol=1e-10)
