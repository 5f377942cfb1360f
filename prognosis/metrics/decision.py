"""Decision-curve analysis for survival outcomes at a horizon t.

Net benefit of treating patients whose predicted risk of death by t is >= threshold p
(Vickers, Cronin, Elkin & Gonen, "Extensions to decision curve analysis", BMC Med Inform Decis
Mak 2008;8:53), censoring-aware through Kaplan–Meier:

    NB(p) = TP/n - FP/n * p / (1 - p),
    TP/n = (1 - S_+(t)) * n_+ / n,   FP/n = S_+(t) * n_+ / n,

with S_+ the Kaplan–Meier survival at t among the n_+ patients with risk >= p. Treat-all uses
the whole cohort's KM; treat-none is 0. Same definition as R/Python ``dcurves::dca(time=)``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import MetricInputError
from ._checks import check_horizons, check_probability, check_survival
from .km import _km

__all__ = ["net_benefit"]


def _km_risk(t, e, h):
    """1 − KM(h); NaN only where the KM is undefined at h (its last time is a censoring before h).

    When the group's last observation before h is a death that brings the KM to 0, S(h) = 0 is
    defined (everyone in the group died before h) and the risk is 1 (defect: these thresholds
    used to be lost, e.g. every threshold >= 0.83 on the veteran data).
    """
    km = _km(t, e)
    if h > km.time[-1]:
        s_last = float(km(km.time[-1]))
        return 1.0 if s_last == 0.0 else np.nan
    return 1.0 - float(km(h))


def net_benefit(time, event, risk_at_t, t, thresholds=None, *, name: str = "model",
                beyond_followup: str = "raise") -> pd.DataFrame:
    """Net benefit of a risk model at horizon ``t`` across threshold probabilities.

    Parameters
    ----------
    time, event : array-like
        Follow-up and event (1 = death).
    risk_at_t : array-like (n,)
        Predicted probability of death by ``t`` (= 1 - S(t | x); higher = worse).
    t : float
        Horizon.
    thresholds : array-like, optional
        Threshold probabilities in [0, 1); default 0.01, 0.02, ..., 0.99.
    name : str
        Label of the model in the ``strategy`` column.

    Returns
    -------
    pandas.DataFrame
        Tidy: one row per (threshold, strategy) with columns ``threshold``, ``strategy``
        (``name``, "treat all", "treat none"), ``net_benefit``, ``treated`` (fraction treated).
        ``net_benefit`` is NaN only where the Kaplan–Meier of the treated group is undefined at
        t (its follow-up ends with a censoring before t); a group in which everyone died
        before t has observed risk 1.
    Examples
    --------
    >>> from prognosis.datasets import load_demo
    >>> from prognosis.simulate import true_survival
    >>> d = load_demo().frame
    >>> risk12 = 1 - true_survival(d, [12])[12]
    >>> nb = net_benefit(d["time_months"], d["event"], risk12, t=12, thresholds=[0.3, 0.5])
    >>> nb.round(3)
       threshold    strategy  net_benefit  treated
    0        0.3       model        0.345    0.668
    1        0.3   treat all        0.288    1.000
    2        0.3  treat none        0.000    0.000
    3        0.5       model        0.258    0.433
    4        0.5   treat all        0.003    1.000
    5        0.5  treat none        0.000    0.000
    """
    tm, e = check_survival(time, event)
    if np.ndim(t) != 0:
        raise MetricInputError("net_benefit takes a single horizon t")
    h = float(check_horizons(t, tm, beyond_followup=beyond_followup)[0])
    r = check_probability(risk_at_t, tm.size, "risk_at_t")
    th = np.arange(1, 100) / 100 if thresholds is None else np.atleast_1d(
        np.asarray(thresholds, dtype=float))
    if ((th < 0) | (th >= 1)).any() or not np.isfinite(th).all():
        raise MetricInputError("thresholds must lie in [0, 1)")
    n = tm.size
    risk_all = _km_risk(tm, e, h)
    rows = []
    for p in th:
        odds = p / (1 - p)
        pos = r >= p
        npos = int(pos.sum())
        if npos == 0:
            nb = 0.0
        else:
            rk = _km_risk(tm[pos], e[pos], h)
            nb = rk * npos / n - (1 - rk) * npos / n * odds
        rows.append((p, name, nb, npos / n))
        rows.append((p, "treat all", risk_all - (1 - risk_all) * odds, 1.0))
        rows.append((p, "treat none", 0.0, 0.0))
    return pd.DataFrame(rows, columns=["threshold", "strategy", "net_benefit", "treated"])
