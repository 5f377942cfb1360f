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
    assert n_rep["harrell_c"] == 30 and n_rep["uno_c"] == 30
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
