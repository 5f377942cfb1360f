"""Random survival forest on a time grid."""
from __future__ import annotations

import numpy as np
import pytest

from prognosis.errors import ModelError
from prognosis.models import RandomSurvivalForestModel, make_model
from prognosis.models.forest import snap_to_grid, time_grid
from prognosis.simulate import simulate_cohort
from prognosis.survival_data import y_from_frame


def test_grid_is_event_quantiles_and_snapping_moves_up():
    time = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    event = np.array([1, 0, 1, 1, 0, 1])
    g = time_grid(time, event, 3)  # quantiles 0, .5, 1 of event times {1,3,4,6} (inverted cdf)
    assert g.tolist() == [1.0, 3.0, 6.0]
    assert snap_to_grid(time, g).tolist() == [1.0, 3.0, 3.0, 6.0, 6.0, 6.0]
    g2 = time_grid(time, np.array([1, 1, 1, 1, 1, 0]), 200)
    assert g2.tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]  # never more points than distinct times
    with pytest.raises(ModelError):
        time_grid(time, event, 1)


def test_grid_barely_changes_c_and_bounds_stored_times():
    f = simulate_cohort(1200, seed=5).frame
    y = y_from_frame(f)
    tr, te = f.iloc[:800], f.iloc[800:]
    ytr, yte = y[:800], y[800:]
    # the grid's effect, measured with the former forest shape (leaves of 15, half-samples, sqrt):
    # with the current defaults (leaves of 5) two 40-tree forests differ by ~0.03 in S(t) from
    # tree-to-tree noise alone, which would hide the grid's own effect
    shape = {"min_samples_leaf": 15, "max_samples": 0.5, "max_features": "sqrt"}
    grid = make_model("rsf", n_estimators=40, random_state=1, **shape).fit(tr, ytr)
    exact = make_model("rsf", n_estimators=40, random_state=1, time_grid=None, **shape).fit(tr, ytr)
    cg, ce = grid.score(te, yte), exact.score(te, yte)
    assert abs(cg - ce) < 0.005, (cg, ce)
    assert grid.steps[-1][1].forest_.unique_times_.size <= 129
    assert exact.steps[-1][1].forest_.unique_times_.size == np.unique(ytr["time_months"]).size
    # survival at grid points nearly agrees too
    g = grid.steps[-1][1].time_grid_
    t = [g[20], g[60], g[100]]
    d = np.abs(grid.predict_survival(te, t).to_numpy() - exact.predict_survival(te, t).to_numpy())
    assert d.mean() < 0.01


def test_low_memory_predicts_risk_only(small_cohort):
    f, y = small_cohort
    m = make_model("rsf", n_estimators=10, low_memory=True).fit(f, y)
    assert np.isfinite(m.predict(f)).all()
    with pytest.raises(ModelError, match="low_memory"):
        m.predict_survival(f.iloc[:2], [3])


def test_params_are_forwarded():
    m = RandomSurvivalForestModel(n_estimators=7, max_samples=0.5, min_samples_leaf=3)
    assert m.get_params()["max_samples"] == 0.5
