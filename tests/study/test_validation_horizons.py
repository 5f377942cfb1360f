"""Bootstrap replicates that do not reach a horizon lose only that horizon's measures (defect 3),
and decision curves keep every threshold where net benefit is defined (defect 6)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from prognosis.metrics import net_benefit
from prognosis.study.predictors import ColumnCox
from prognosis.study.scoring import StudyScorer
from prognosis.study.validation import bootstrap_optimism
from prognosis.survival_data import make_y


class _Fac:
    def __call__(self, seed):
        return ColumnCox("x")


def test_replicate_short_of_a_horizon_keeps_its_c_index():
    rng = np.random.default_rng(3)
    n = 40
    x = rng.normal(size=n)
    t = rng.exponential(10 * np.exp(-0.7 * x))
    e = (rng.uniform(size=n) < 0.8).astype(int)
    t[np.argmax(t)] += 5.0
    e[np.argmax(t)] = 1
    h_late = float(np.sort(t)[-2] + 1.0)       # reached only by samples containing the longest time
    h_early = float(np.median(t))
    frame = pd.DataFrame({"x": x})
    res = bootstrap_optimism({"x": _Fac()}, frame, make_y(t, e), StudyScorer([h_early, h_late], tau=h_early),
                             n_boot=30, seed=2)
    n_rep = res.table.set_index("metric")["n_rep"]
    assert n_rep["harrell_c"] == 30
    assert n_rep["uno_c"] == 30
    assert n_rep[f"brier@{h_early:g}"] == 30
    assert 0 < n_rep[f"brier@{h_late:g}"] < 30        # ~ 1 - (1 - 1/40)^40 = 64% of samples reach it
    assert len(res.failures) == 0


def test_decision_curve_defined_where_the_treated_all_died_before_t():
    t = np.array([1, 2, 3, 4, 10, 11, 12], float)
    e = np.array([1, 1, 1, 1, 0, 0, 0])
    risk = np.array([0.9, 0.9, 0.8, 0.8, 0.1, 0.1, 0.1])
    nb = net_benefit(t, e, risk, 5, [0.85, 0.5])
    model = nb[nb["strategy"] == "model"].set_index("threshold")["net_benefit"]
    assert model[0.85] == pytest.approx(2 / 7)        # both treated died before t: risk 1
    assert model[0.5] == pytest.approx(4 / 7)
    # undefined only where the treated group's follow-up ends with a censoring before t
    nb2 = net_benefit(np.array([1, 2, 3, 10.]), np.array([1, 0, 1, 1]), np.array([.9, .9, .1, .1]), 5, [0.5])
    assert np.isnan(nb2[nb2["strategy"] == "model"]["net_benefit"].iloc[0])


def test_interval_methods_read_the_replicates_as_documented():
    from prognosis.study.validation import bootstrap_interval

    rng = np.random.default_rng(0)
    r = pd.DataFrame({"boot": rng.normal(0.75, 0.02, 400), "test": rng.normal(0.70, 0.02, 400),
                      "fixed": rng.normal(0.72, 0.015, 400)})
    opt = float((r["boot"] - r["test"]).mean())
    lo, hi = bootstrap_interval(r, 0.71, 0.95, "location_shifted")
    assert lo == pytest.approx(np.quantile(r["boot"], 0.025) - opt)
    assert hi == pytest.approx(np.quantile(r["boot"], 0.975) - opt)
    lo, hi = bootstrap_interval(r, 0.71, 0.95, "fixed")
    assert lo == pytest.approx(0.71 + np.quantile(r["fixed"], 0.025) - r["fixed"].mean())
    lo, hi = bootstrap_interval(r, 0.71, 0.95, "combined")
    half = 1.959963984540054 * np.sqrt(r["fixed"].var() + r["test"].var())
    assert (lo, hi) == pytest.approx((0.71 - half, 0.71 + half))
    # the default: "fixed" for calibration measures, "combined" for the others
    assert bootstrap_interval(r, 0.71, 0.95, "auto", "slope@12") == bootstrap_interval(r, 0.71, 0.95, "fixed")
    assert bootstrap_interval(r, 0.71, 0.95, "auto", "harrell_c") == (lo, hi)
    with pytest.raises(ValueError, match="ci_method"):
        bootstrap_interval(r, 0.71, 0.95, "bca")


def test_paired_difference_methods_on_a_real_bootstrap():
    from prognosis.study.validation import CI_METHODS, paired_difference

    rng = np.random.default_rng(4)
    n = 120
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    t = rng.exponential(10 * np.exp(-(0.9 * x1 + 0.3 * x2)))
    e = (rng.uniform(size=n) < 0.8).astype(int)
    frame = pd.DataFrame({"x1": x1, "x2": x2})

    class F:
        def __init__(self, c):
            self.c = c

        def __call__(self, seed):
            return ColumnCox(self.c)

    res = bootstrap_optimism({"a": F("x1"), "b": F("x2")}, frame, make_y(t, e), StudyScorer([5.0], tau=5.0),
                             n_boot=20, seed=1)
    for meth in CI_METHODS:
        d = paired_difference(res, "a", "b", "harrell_c", ci_method=meth)
        assert d["ci_low"] < d["ci_high"]
        assert 0 < d["p_value"] <= 1
        assert d["n_rep"] == 20
        assert d["corrected_delta"] > 0          # x1 is the stronger predictor
