"""Harrell and Uno C: hand-worked toy cases, brute-force pair counting, scikit-survival,
lifelines, and properties (hypothesis)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prognosis.errors import MetricInputError
from prognosis.metrics import harrell_c, uno_c
from prognosis.metrics.concordance import _dominance_counts


def brute_force(time, event, risk, w=None):
    """O(n^2) pair loop with R's rules (written from the definition, independently)."""
    n = len(time)
    w = np.ones(n) if w is None else w
    num = den = 0.0
    for i in range(n):
        if not event[i]:
            continue
        for j in range(n):
            if j == i:
                continue
            if time[j] > time[i] or (time[j] == time[i] and not event[j]):
                den += w[i]
                if risk[i] > risk[j]:
                    num += w[i]
                elif risk[i] == risk[j]:
                    num += 0.5 * w[i]
    return num / den


def test_hand_worked_example():
    # times 1..4, all deaths except the last; risk perfectly ordered except one swap
    time = [1, 2, 3, 4]
    event = [1, 1, 1, 0]
    risk = [4, 2, 3, 1]
    # comparable pairs: (1,2),(1,3),(1,4),(2,3),(2,4),(3,4) = 6; discordant: (2,3) -> C = 5/6
    c = harrell_c(time, event, risk)
    assert float(c) == pytest.approx(5 / 6, abs=1e-15)
    assert (c.concordant, c.discordant, c.tied_risk) == (5, 1, 0)


def test_hand_worked_ties():
    # death at 2 tied with a censoring at 2: comparable (censoring counts as later);
    # two deaths at 3: not comparable with each other; tied risks count 1/2
    time = [1, 2, 2, 3, 3]
    event = [1, 1, 0, 1, 1]
    risk = [5, 3, 3, 2, 1]
    # i=0: vs 1,2,3,4 -> 4 concordant. i=1: vs 2 (tie 1/2), 3, 4 -> 2 conc + 1 tie.
    # deaths at 3 are tied: none. Total 6 conc + 1 tie over 7 -> 6.5/7
    c = harrell_c(time, event, risk)
    assert float(c) == pytest.approx(6.5 / 7, abs=1e-15)
    assert c.tied_time == 1


def test_dominance_counts_bruteforce():
    rng = np.random.default_rng(3)
    for n in (1, 2, 3, 17, 64, 65, 300):
        rk = rng.integers(0, max(1, n // 4), n)
        lt, eq = _dominance_counts(rk)
        assert lt.tolist() == [int((rk[:p] < rk[p]).sum()) for p in range(n)]
        assert eq.tolist() == [int((rk[:p] == rk[p]).sum()) for p in range(n)]


@pytest.mark.parametrize("seed", range(4))
def test_harrell_matches_brute_force_with_heavy_ties(seed):
    rng = np.random.default_rng(seed)
    n = 150
    time = rng.integers(1, 20, n).astype(float)
    event = rng.integers(0, 2, n)
    event[0] = 1
    risk = rng.integers(0, 6, n).astype(float)
    assert float(harrell_c(time, event, risk, warn_reversed=False)) == pytest.approx(
        brute_force(time, event, risk), abs=1e-12)


def test_uno_matches_brute_force_weighted():
    from prognosis.metrics import censoring_km
    rng = np.random.default_rng(7)
    n = 200
    time = rng.integers(1, 30, n).astype(float)
    event = (rng.random(n) < 0.6).astype(int)
    risk = rng.normal(size=n).round(1)
    tau = 20.0
    G = censoring_km(time, event)
    w = np.where((event == 1) & (time <= tau), 1 / G(time, left=True) ** 2, 0.0)
    assert float(uno_c(time, event, risk, tau=tau)) == pytest.approx(
        brute_force(time, event, risk, w), abs=1e-12)


def test_harrell_matches_scikit_survival_and_lifelines():
    from lifelines.utils import concordance_index
    from sksurv.metrics import concordance_index_censored
    rng = np.random.default_rng(11)
    n = 3000
    x = rng.normal(size=n)
    time = rng.exponential(np.exp(-x)).round(2)          # tied times
    event = (rng.random(n) < 0.7)
    risk = x.round(1)                                    # tied risks
    ours = float(harrell_c(time, event, risk))
    sk = concordance_index_censored(event, time, risk)[0]
    ll = concordance_index(time, -risk, event)           # lifelines: higher = longer survival
    assert ours == pytest.approx(sk, abs=1e-12)
    assert ours == pytest.approx(ll, abs=1e-12)


def test_uno_matches_scikit_survival_without_ties():
    # without tied times G(t-) conventions coincide; scikit-survival keeps time < tau
    from sksurv.metrics import concordance_index_ipcw
    from sksurv.util import Surv
    rng = np.random.default_rng(5)
    n = 2000
    x = rng.normal(size=n)
    T = rng.exponential(np.exp(-x))
    C = rng.exponential(1.5, n)
    time, event = np.minimum(T, C), T <= C
    y = Surv.from_arrays(event, time)
    tau = float(np.quantile(time, 0.8))
    sk = concordance_index_ipcw(y, y, x, tau=tau)[0]
    assert float(uno_c(time, event, x, tau=tau)) == pytest.approx(sk, abs=1e-6)


def test_uno_with_training_censoring_distribution():
    rng = np.random.default_rng(2)
    n = 400
    x = rng.normal(size=n)
    T = rng.exponential(np.exp(-x))
    C = rng.exponential(1.0, n)
    time, event = np.minimum(T, C), (T <= C).astype(int)
    a = uno_c(time[:200], event[:200], x[:200], tau=1.0, train_time=time, train_event=event)
    b = uno_c(time[:200], event[:200], x[:200], tau=1.0)
    assert 0.5 < float(a) < 1
    assert float(a) != float(b)


finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@st.composite
def survival_data(draw, ties=True):
    n = draw(st.integers(3, 60))
    time = draw(st.lists(st.integers(1, 15) if ties else st.floats(0.1, 100), min_size=n,
                         max_size=n))
    event = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    event[0] = 1
    time = np.asarray(time, float)
    time[0] = min(time) - 0.05 if min(time) > 0.1 else min(time)
    risk = draw(st.lists(st.integers(-5, 5) if ties else finite, min_size=n, max_size=n,
                         unique=not ties))
    return time, np.asarray(event), np.asarray(risk, float)


@settings(max_examples=60, deadline=None)
@given(survival_data())
def test_property_increasing_transform_invariant(data):
    time, event, risk = data
    if not (time > time.min()).any():
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            c1 = float(harrell_c(time, event, risk))
        except MetricInputError:
            return
        c2 = float(harrell_c(time, event, np.exp(risk / 3) * 7 + 1))
        c3 = float(harrell_c(time, event, risk ** 3 + risk))
    assert c1 == pytest.approx(c2, abs=1e-12)
    assert c1 == pytest.approx(c3, abs=1e-12)
    assert c1 == pytest.approx(brute_force(time, event, risk), abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(survival_data(ties=False))
def test_property_negation_complements(data):
    time, event, risk = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            c = float(harrell_c(time, event, risk))
        except MetricInputError:
            return
        assert float(harrell_c(time, event, -risk)) == pytest.approx(1 - c, abs=1e-12)


def test_reversed_score_warns():
    time = np.arange(1, 11.0)
    event = np.ones(10)
    with pytest.warns(UserWarning, match="reversed"):
        c = harrell_c(time, event, time)         # longer survivors have higher "risk"
    assert float(c) == 0.0


def test_result_is_float_like_and_summarises():
    c = harrell_c([1, 2, 3], [1, 1, 0], [3, 2, 1])
    assert c == 1.0
    assert c > 0.5
    assert isinstance(c, float)
    assert "Harrell C = 1.0000" in str(c.summary())
    import pickle
    assert pickle.loads(pickle.dumps(c)).concordant == c.concordant


@pytest.mark.parametrize(("kwargs", "msg"), [
    ({"time": [1, 2, 3], "event": [0, 0, 0], "risk": [1, 2, 3]}, "no events"),
    ({"time": [1, 2, 3], "event": [1, 0, 1], "risk": [1, np.nan, 3]}, r"NaN.*rows \[1\]"),
    ({"time": [1, 2, 3], "event": [1, 0], "risk": [1, 2, 3]}, "length mismatch"),
    ({"time": [1, 2, 3], "event": [1, 0, 1], "risk": [1, 2]}, "length mismatch"),
    ({"time": [1, -2, 3], "event": [1, 0, 1], "risk": [1, 2, 3]}, "negative"),
    ({"time": [1, 2, 3], "event": [1, 2, 1], "risk": [1, 2, 3]}, "0/1"),
    ({"time": [2, 2, 2], "event": [1, 1, 1], "risk": [1, 2, 3]}, "no comparable pairs"),
])
def test_degenerate_inputs_raise(kwargs, msg):
    with pytest.raises(MetricInputError, match=msg):
        harrell_c(**kwargs)


def test_uno_degenerate():
    time, event, risk = [1, 2, 3, 4], [1, 0, 1, 0], [4, 3, 2, 1]
    with pytest.raises(MetricInputError, match="no deaths at or before tau"):
        uno_c(time, event, risk, tau=0.5)
    with pytest.raises(MetricInputError, match="both train_time and train_event"):
        uno_c(time, event, risk, train_time=time)
    # training censoring ends at 2: G(3-) = 0 -> tells the user to lower tau
    with pytest.raises(MetricInputError, match="choose tau"):
        uno_c(time, event, risk, train_time=[1, 2], train_event=[1, 0])


def test_concordance_indices_equals_separate_calls():
    from prognosis.metrics import concordance_indices
    rng = np.random.default_rng(8)
    n = 500
    time = rng.integers(1, 40, n).astype(float)
    event = (rng.random(n) < 0.6).astype(int)
    risk = rng.normal(size=n).round(1)
    both = concordance_indices(time, event, risk, tau=30)
    assert both["harrell"] == float(harrell_c(time, event, risk, warn_reversed=False))
    assert both["uno"] == pytest.approx(float(uno_c(time, event, risk, tau=30)), abs=1e-15)
