"""Net benefit (closed form without censoring), bootstrap reproducibility, KM vs lifelines,
plots."""
from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

from prognosis.errors import MetricInputError
from prognosis.metrics import (
    bootstrap,
    calibration,
    harrell_c,
    kaplan_meier,
    km_at,
    net_benefit,
    paired_bootstrap,
    plot_calibration,
    plot_decision_curve,
    plot_metric_over_time,
    resample_indices,
    time_dependent_auc,
    uno_c,
)


def test_net_benefit_uncensored_closed_form():
    rng = np.random.default_rng(0)
    n = 500
    risk = rng.uniform(size=n)
    died = rng.uniform(size=n) < risk
    time = np.where(died, 5.0, 20.0) + rng.uniform(0, 1, n)
    event = np.ones(n, int)
    t = 10.0
    th = [0.1, 0.3, 0.5, 0.8]
    nb = net_benefit(time, event, risk, t, th).set_index(["threshold", "strategy"])["net_benefit"]
    for p in th:
        treat = risk >= p
        tp = np.sum(treat & died) / n
        fp = np.sum(treat & ~died) / n
        assert nb[(p, "model")] == pytest.approx(tp - fp * p / (1 - p), abs=1e-12)
        prev = died.mean()
        assert nb[(p, "treat all")] == pytest.approx(prev - (1 - prev) * p / (1 - p), abs=1e-12)
        assert nb[(p, "treat none")] == 0.0


def test_net_benefit_censoring_aware_and_errors():
    rng = np.random.default_rng(1)
    n = 400
    x = rng.normal(size=n)
    T = rng.exponential(10 * np.exp(-x))
    C = rng.uniform(2, 30, n)
    time, event = np.minimum(T, C), (T <= C).astype(int)
    r = 1 - np.exp(-8 / 10 * np.exp(x))
    df = net_benefit(time, event, r, 8.0)
    assert set(df["strategy"]) == {"model", "treat all", "treat none"}
    assert len(df) == 3 * 99
    # with a threshold of 0 everyone is treated: model equals treat-all
    d0 = net_benefit(time, event, r, 8.0, [0.0]).set_index("strategy")["net_benefit"]
    assert d0["model"] == pytest.approx(d0["treat all"])
    with pytest.raises(MetricInputError, match=r"\[0, 1\)"):
        net_benefit(time, event, r, 8.0, [1.0])
    with pytest.raises(MetricInputError, match="risk_at_t must be a probability"):
        net_benefit(time, event, r * 5, 8.0)


def _frame(n=600, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    T = rng.exponential(np.exp(-x))
    C = rng.exponential(2, n)
    return pd.DataFrame({"time": np.minimum(T, C), "event": (T <= C).astype(int), "x": x,
                         "noise": x + rng.normal(0, 2, n)})


def _c(d):
    return harrell_c(d.time, d.event, d.x)


def _both(d):
    return {"harrell": float(harrell_c(d.time, d.event, d.x)),
            "uno": float(uno_c(d.time, d.event, d.x, tau=1.0))}


def test_bootstrap_seeded_and_identical_across_n_jobs():
    d = _frame()
    a = bootstrap(_c, d, n_boot=40, seed=5, n_jobs=1)
    b = bootstrap(_c, d, n_boot=40, seed=5, n_jobs=2)
    np.testing.assert_array_equal(a.replicates, b.replicates)
    assert (a.lower, a.upper) == (b.lower, b.upper)
    c = bootstrap(_c, d, n_boot=40, seed=6)
    assert not np.array_equal(a.replicates, c.replicates)
    assert a.lower < a.estimate < a.upper
    assert a.estimate == float(_c(d))
    # replicate b is the metric on resample b (indices from the seed alone)
    idx = list(resample_indices(len(d), 40, 5))[7]
    assert a.replicates[7] == float(_c(d.iloc[idx]))
    assert np.quantile(a.replicates, 0.025) == a.lower


def test_bootstrap_several_metrics_and_summary():
    r = bootstrap(_both, _frame(), n_boot=20, seed=1)
    assert list(r.estimate.index) == ["harrell", "uno"]
    assert r.replicates.shape == (20, 2)
    assert "harrell" in str(r.summary())


def test_bootstrap_se_close_to_r_infinitesimal_jackknife_order():
    # sanity: the bootstrap SE of C is of the order sqrt(C(1-C)/events) (not an exact check)
    d = _frame(800, 3)
    r = bootstrap(_c, d, n_boot=100, seed=2)
    assert 0.3 * np.sqrt(0.25 / d.event.sum()) < r.se < 3 * np.sqrt(0.25 / d.event.sum())


def test_paired_bootstrap_detects_a_better_predictor():
    d = _frame(800, 4)
    res = paired_bootstrap(_c, lambda d: harrell_c(d.time, d.event, d.noise), d, n_boot=60,
                           seed=3)
    assert res.difference > 0
    assert res.lower > 0
    assert res.p_value < 0.05
    same = paired_bootstrap(_c, _c, d, n_boot=30, seed=3)
    assert same.difference == 0
    assert same.p_value == 1.0
    assert "a - b" in str(res.summary())


def test_bootstrap_failed_replicates_are_reported():
    d = pd.DataFrame({"time": [1., 2, 3, 4, 5, 6], "event": [1, 0, 0, 0, 0, 0],
                      "x": [6., 5, 4, 3, 2, 1]})
    with pytest.warns(UserWarning, match="replicates failed"):
        r = bootstrap(_c, d, n_boot=30, seed=0)
    assert r.n_failed > 0
    assert np.isnan(r.replicates).sum() == r.n_failed
    with pytest.raises(MetricInputError, match="seed"):
        bootstrap(_c, d, n_boot=3, seed=None)


def test_kaplan_meier_matches_lifelines():
    from lifelines import KaplanMeierFitter
    d = _frame(300, 5)
    d["time"] = d["time"].round(1)
    km = kaplan_meier(d.time, d.event)
    f = KaplanMeierFitter().fit(d.time, d.event)
    grid = np.linspace(0, d.time.max(), 50)
    np.testing.assert_allclose(km(grid), f.survival_function_at_times(grid).to_numpy(),
                               atol=1e-12)
    # log-log interval as lifelines' default exponential Greenwood interval
    kll = kaplan_meier(d.time, d.event, conf_type="log-log")
    ci = f.confidence_interval_survival_function_
    times = ci.index.to_numpy()[1:-1]
    lo, hi = kll.confint(times)
    np.testing.assert_allclose(lo, ci.iloc[1:-1, 0].to_numpy(), atol=1e-9)
    np.testing.assert_allclose(hi, ci.iloc[1:-1, 1].to_numpy(), atol=1e-9)
    with pytest.raises(MetricInputError, match="beyond the last follow-up"):
        km_at(d.time, d.event, d.time.max() + 1)


def test_plots_return_figures():
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    d = _frame(400, 6)
    s = np.exp(-0.5 * np.exp(d.x))
    cal = calibration(d.time, d.event, s, 0.5)
    fig = plot_calibration(cal)
    assert fig.axes
    assert fig.axes[0].get_xlabel().startswith("Predicted risk")
    auc = time_dependent_auc(d.time, d.event, d.x, [0.25, 0.5, 1.0])
    fig2, ax = plt.subplots()
    assert plot_metric_over_time({"cox": auc}, ax=ax) is fig2
    fig3 = plot_decision_curve(net_benefit(d.time, d.event, 1 - s, 0.5))
    assert len(fig3.axes[0].lines) == 3
    from prognosis.metrics import plot_kaplan_meier
    fig4 = plot_kaplan_meier(d.time, d.event, np.where(d.x > 0, "high", "low"))
    assert len(fig4.axes[0].lines) == 2
    assert "deaths=" in fig4.axes[0].get_legend().texts[0].get_text()
    plt.close("all")
