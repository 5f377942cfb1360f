"""Time-dependent AUC, Brier, IBS, IPA: closed forms without censoring, scikit-survival on
continuous data (no tied times, so G(t-) conventions coincide), degenerate inputs."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from prognosis.errors import MetricInputError
from prognosis.metrics import brier_score, integrated_brier_score, ipa, kaplan_meier, time_dependent_auc


def _sim(n=800, seed=0, cens=1.5):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    T = rng.exponential(np.exp(-x))
    C = rng.exponential(cens, n)
    time, event = np.minimum(T, C), (T <= C).astype(int)
    S = lambda h: np.exp(-np.asarray(h) * np.exp(x)[:, None])  # noqa: E731  true S(t|x)
    return time, event, x, S


def test_uncensored_closed_forms():
    # without censoring G = 1: Brier = plain mean squared error, AUC = Mann-Whitney
    time = np.array([1., 2, 3, 4, 5, 6])
    event = np.ones(6, int)
    surv = np.array([.2, .5, .4, .7, .9, .6])
    t = 3.5
    alive = (time > t).astype(float)
    assert brier_score(time, event, surv, t) == pytest.approx(np.mean((alive - surv) ** 2))
    risk = 1 - surv
    cases, ctrls = risk[time <= t], risk[time > t]
    mw = np.mean([(a > b) + 0.5 * (a == b) for a in cases for b in ctrls])
    assert time_dependent_auc(time, event, risk, t) == pytest.approx(mw)
    # IPA against the KM null (S = 1/2 at 3.5)
    null = np.mean((alive - 0.5) ** 2)
    assert ipa(time, event, surv, t) == pytest.approx(1 - np.mean((alive - surv) ** 2) / null)


def test_tied_risks_count_half_in_auc():
    time = np.array([1., 2, 3, 4])
    event = np.ones(4, int)
    assert time_dependent_auc(time, event, [1, 1, 1, 1], 2.5) == 0.5


def test_auc_and_brier_match_scikit_survival():
    from sksurv.metrics import brier_score as sk_brier
    from sksurv.metrics import cumulative_dynamic_auc
    from sksurv.metrics import integrated_brier_score as sk_ibs
    from sksurv.util import Surv
    time, event, x, S = _sim()
    y = Surv.from_arrays(event.astype(bool), time)
    hs = np.quantile(time[event == 1], [0.2, 0.5, 0.8])
    sk_auc, _ = cumulative_dynamic_auc(y, y, x, hs)
    np.testing.assert_allclose(time_dependent_auc(time, event, x, hs).to_numpy(), sk_auc,
                               atol=1e-9)
    Sm = S(hs)
    _, sk_bs = sk_brier(y, y, Sm, hs)
    np.testing.assert_allclose(brier_score(time, event, Sm, hs).to_numpy(), sk_bs, atol=1e-9)
    grid = np.linspace(hs[0], hs[-1], 15)
    assert integrated_brier_score(time, event, S(grid), grid, convention="trapezoid") == pytest.approx(
        sk_ibs(y, y, S(grid), grid), abs=1e-9)


def test_training_censoring_distribution_is_used():
    time, event, x, S = _sim(600, seed=4)
    h = float(np.median(time))
    a = brier_score(time[:300], event[:300], S(h)[:300, 0], h)
    b = brier_score(time[:300], event[:300], S(h)[:300, 0], h, train_time=time,
                    train_event=event)
    assert a != b
    assert abs(a - b) < 0.02


def test_true_model_beats_null_and_constant_model_has_ipa_zero():
    time, event, x, S = _sim(2000, seed=9)
    h = float(np.median(time))
    assert ipa(time, event, S(h)[:, 0], h) > 0.1
    km = float(kaplan_meier(time, event)(h))
    assert ipa(time, event, np.full(time.size, km), h) == pytest.approx(0.0, abs=1e-12)


def test_vector_risk_per_horizon_and_series_output():
    time, event, x, S = _sim(300, seed=1)
    hs = [0.3, 0.6]
    out = time_dependent_auc(time, event, 1 - S(hs), hs)
    assert isinstance(out, pd.Series)
    assert list(out.index) == hs
    assert out.iloc[0] == pytest.approx(time_dependent_auc(time, event, x, 0.3), abs=1e-12)


def test_horizon_beyond_followup_raises_or_truncates_explicitly():
    time, event, x, S = _sim(200, seed=2)
    far = float(time.max()) * 1.01
    with pytest.raises(MetricInputError, match="beyond the last follow-up"):
        time_dependent_auc(time, event, x, far)
    with pytest.raises(MetricInputError, match="beyond_followup='truncate'"):
        brier_score(time, event, S(far)[:, 0], far)
    with pytest.raises(MetricInputError, match="beyond_followup must be"):
        brier_score(time, event, S(1)[:, 0], 1.0, beyond_followup="silently")


def test_all_censored_before_t_raises():
    time = np.array([1., 2, 3, 4, 5])
    event = np.array([1, 0, 0, 0, 0])
    # the training data's censoring distribution reaches 0 at 2 (its last patient censored)
    with pytest.raises(MetricInputError, match="G reaches 0"):
        brier_score([1., 3, 5], [1, 0, 1], np.full(3, .5), 4, train_time=[1., 2],
                    train_event=[1, 0])
    with pytest.raises(MetricInputError, match="under observation"):
        time_dependent_auc(time, event, [5, 4, 3, 2, 1], 5.0)
    with pytest.raises(MetricInputError, match="no deaths at or before"):
        time_dependent_auc(np.array([2., 3, 4]), np.array([1, 0, 0]), [1, 2, 3], 1.5)
    with pytest.raises(MetricInputError, match="no events"):
        brier_score([1, 2, 3], [0, 0, 0], [.5, .5, .5], 2)


@pytest.mark.parametrize(("surv", "msg"), [([.5, np.nan, .5], "NaN"), ([.5, 1.5, .5], r"\[0, 1\]"),
                                      ([.5, .5], "shape")])
def test_bad_predictions_raise(surv, msg):
    with pytest.raises(MetricInputError, match=msg):
        brier_score([1, 2, 3], [1, 0, 1], surv, 2)


def test_multi_horizon_needs_matrix():
    with pytest.raises(MetricInputError, match="matrix"):
        brier_score([1, 2, 3], [1, 0, 1], [.5, .5, .5], [1, 2])
    with pytest.raises(MetricInputError, match="strictly increasing"):
        integrated_brier_score([1, 2, 3], [1, 0, 1], np.full((3, 2), .5), [2, 1])
