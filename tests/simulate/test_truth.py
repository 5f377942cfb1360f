"""True survival and the oracle, against closed forms and independent implementations."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines.utils import concordance_index

from prognosis.errors import InputError
from prognosis.simulate import OracleResult, oracle, simulate_cohort, true_survival


def test_true_survival_closed_form():
    # S(t) = exp(-t**k * exp(lp)): lp = 0, k = 1 is the unit exponential; lp = log 2, k = 0.5
    frame = pd.DataFrame({"true_lp": [0.0, np.log(2.0)], "true_weibull_shape": [1.0, 0.5]}, index=[10, 20])
    s = true_survival(frame, [0.0, 1.0, 4.0])
    assert list(s.index) == [10, 20]
    assert list(s.columns) == [0.0, 1.0, 4.0]
    np.testing.assert_allclose(s.loc[10].to_numpy(), np.exp(-np.array([0.0, 1.0, 4.0])), rtol=1e-15)
    np.testing.assert_allclose(s.loc[20].to_numpy(), np.exp(-2.0 * np.sqrt([0.0, 1.0, 4.0])), rtol=1e-15)


def test_true_survival_median_is_weibull_median():
    # the median of a Weibull PH law: t50 = (log 2 / exp(lp)) ** (1 / k)
    lp, k = -2.3, 0.8
    t50 = (np.log(2) / np.exp(lp)) ** (1 / k)
    s = true_survival(pd.DataFrame({"true_lp": [lp], "true_weibull_shape": [k]}), [t50])
    assert s.iloc[0, 0] == pytest.approx(0.5, abs=1e-12)


def test_true_survival_errors():
    with pytest.raises(InputError, match="true_lp"):
        true_survival(pd.DataFrame({"time_months": [1.0]}), [1.0])
    with pytest.raises(InputError, match="times"):
        true_survival(pd.DataFrame({"true_lp": [0.0], "true_weibull_shape": [1.0]}), [-1.0])
    with pytest.raises(InputError, match="row 1"):
        true_survival(pd.DataFrame({"true_lp": [0.0, np.nan], "true_weibull_shape": [1.0, 1.0]}), [1.0])


def test_oracle_matches_lifelines_concordance():
    c = simulate_cohort(2000, seed=21, preset="radiotherapy")
    res = oracle(c, times=[6, 12])
    f = c.frame
    expected = concordance_index(f["time_months"], -f["true_lp"], f["event"])
    # scikit-survival treats risks closer than 1e-8 as tied (lifelines needs exact equality);
    # that is the only difference, worth < 1e-6 here
    assert res.c_index == pytest.approx(expected, abs=1e-6)
    assert isinstance(res, OracleResult)
    assert res.n == 2000
    assert res.events == int(f["event"].sum())
    assert list(res.survival.columns) == [6.0, 12.0]
    assert (res.survival[6.0] >= res.survival[12.0]).all()
    assert "Harrell C" in str(res.summary())
    assert "OracleResult(" in repr(res)
    # realistic discrimination of the best possible model (clinical-facts.md §3.1: 0.73-0.85)
    assert 0.72 < res.c_index < 0.82
    # works on a bare DataFrame too
    assert oracle(f).c_index == res.c_index


def test_true_survival_agrees_with_kaplan_meier():
    from lifelines import KaplanMeierFitter

    c = simulate_cohort(6000, seed=22, preset="surgical")
    f = c.frame
    km = KaplanMeierFitter().fit(f["time_months"], f["event"])
    for t in (3.0, 6.0, 12.0):
        est = float(km.survival_function_at_times(t).iloc[0])
        truth = float(true_survival(f, [t]).mean(axis=0).iloc[0])
        assert abs(est - truth) < 0.03, (t, est, truth)
