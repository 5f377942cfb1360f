"""Calibration: ICI -> 0 for a perfectly calibrated predictor as n grows, not for S(t)^3;
slope/O-E closed forms; grouped KM; errors."""
from __future__ import annotations

import numpy as np
import pytest

from prognosis.errors import MetricInputError
from prognosis.metrics import calibration, kaplan_meier
from prognosis.metrics.calibration import rcs_basis


def _sim(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    T = rng.exponential(12 * np.exp(-0.8 * x))
    C = rng.uniform(6, 36, n)
    time, event = np.minimum(T, C), (T <= C).astype(int)
    t = 12.0
    true_s = np.exp(-t / 12 * np.exp(0.8 * x))
    return time, event, true_s, t


def test_ici_shrinks_for_perfect_predictor_but_not_for_cubed():
    icis, cubed = [], []
    for n in (400, 1600, 6400):
        reps = [calibration(*(_sim(n, s)[:2]), _sim(n, s)[2], 12.0).ici for s in range(3)]
        icis.append(np.mean(reps))
        time, event, s, t = _sim(n, 0)
        cubed.append(calibration(time, event, s ** 3, t).ici)
    assert icis[0] > icis[1] > icis[2]
    assert icis[2] < 0.012
    assert min(cubed) > 0.1                                # S^3 overstates risk a lot
    assert cubed[-1] > 5 * icis[-1]


def test_slope_and_oe_ratio():
    time, event, s, t = _sim(4000, 1)
    res = calibration(time, event, s, t)
    assert res.slope == pytest.approx(1.0, abs=0.08)
    assert res.oe_ratio == pytest.approx(1.0, abs=0.06)
    # predictions too extreme (cll scaled by 2): slope ~ 1/2
    extreme = np.exp(-(-np.log(s)) ** 2)
    assert calibration(time, event, extreme, t).slope == pytest.approx(0.5, abs=0.05)
    # O/E by definition: (1 - KM(t)) / mean predicted risk
    km = float(kaplan_meier(time, event)(t))
    assert res.oe_ratio == pytest.approx((1 - km) / np.mean(1 - s), rel=1e-12)


def test_grouped_calibration_matches_km_per_group():
    time, event, s, t = _sim(1000, 2)
    groups = np.where(s > 0.5, "low risk", "high risk")
    res = calibration(time, event, s, t, groups=groups)
    g = res.groups.set_index("group")
    for lab in ("low risk", "high risk"):
        m = groups == lab
        km = kaplan_meier(time[m], event[m])
        assert g.loc[lab, "observed_surv"] == pytest.approx(float(km(t)), abs=1e-12)
        lo, hi = km.confint(t)
        assert g.loc[lab, "lower"] == pytest.approx(float(lo))
        assert g.loc[lab, "upper"] == pytest.approx(float(hi))
        assert g.loc[lab, "predicted_surv"] == pytest.approx(s[m].mean())
        assert g.loc[lab, "n"] == m.sum()
    dec = calibration(time, event, s, t).groups
    assert len(dec) == 10
    assert dec["n"].sum() == 1000
    assert (np.diff(dec["predicted_surv"]) < 0).all()     # deciles of increasing risk


def test_rcs_basis_closed_form():
    # Harrell's restricted cubic spline, 3 knots: linear beyond the outer knots
    k = [0.0, 1.0, 3.0]
    x = np.array([-1.0, 0.5, 2.0, 4.0, 5.0])
    b = rcs_basis(x, k)
    expected = (np.maximum(x, 0) ** 3 - np.maximum(x - 1, 0) ** 3 * 3 / 2
                + np.maximum(x - 3, 0) ** 3 * 1 / 2) / 9
    np.testing.assert_allclose(b[:, 1], expected)
    # second derivative 0 beyond the last knot: equal slopes between 4-5 and extrapolation
    assert (b[4, 1] - b[3, 1]) == pytest.approx(rcs_basis([6.0], k)[0, 1] - b[4, 1])


def test_summary_and_repr():
    time, event, s, t = _sim(300, 3)
    res = calibration(time, event, s, t)
    assert "ICI" in str(res.summary())
    assert "slope" in str(res.summary())
    assert res.summary().table.loc[res.t, "ici"] == res.ici
    assert repr(res).startswith("CalibrationResult(t=12")


def test_calibration_errors():
    time, event, s, t = _sim(200, 4)
    with pytest.raises(MetricInputError, match="too few distinct"):
        calibration(time, event, np.full(200, 0.5), t)
    with pytest.raises(MetricInputError, match="single horizon"):
        calibration(time, event, s, [6, 12])
    with pytest.raises(MetricInputError, match=r"\[0, 1\]"):
        calibration(time, event, s * 2, t)
    with pytest.raises(MetricInputError, match="beyond the last follow-up"):
        calibration(time, event, s, 100.0)
    res = calibration(time, event, s, 100.0, beyond_followup="truncate")
    assert res.t == pytest.approx(time.max())
    with pytest.raises(MetricInputError, match="no deaths at or before"):
        calibration(time + 50, event, s, 10.0)
    with pytest.raises(MetricInputError, match="groups is missing"):
        calibration(time, event, s, t, groups=np.where(s > .5, "a", None))
