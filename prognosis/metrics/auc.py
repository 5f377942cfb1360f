"""Cumulative/dynamic time-dependent AUC with inverse-probability-of-censoring weights.

Risk direction: ``risk`` is higher = worse. At horizon t, cases are deaths at or before t
(weight 1 / G(T_i-)), controls are patients still under observation after t (weight 1 / G(t));
patients censored before t contribute only through G. Tied risks between a case and a control
count 1/2. Same estimator as R ``riskRegression::Score(metrics = "auc")`` (Blanche, Dartigues &
Jacqmin-Gadda, Stat Med 2013;32:5381; Uno et al., JASA 2007) and, up to the G(t-) vs G(t)
convention at tied times, scikit-survival ``cumulative_dynamic_auc``.
O(n log n) per horizon (sorted controls + searchsorted), written here because scikit-survival's
version requires the training ``y`` and is O(n^2) memory-free but slower and has no tie option.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import MetricInputError
from ._checks import as_numeric, check_horizons, check_survival, check_vector
from ._ipcw import ipcw_setup, ipcw_weights

__all__ = ["time_dependent_auc"]


def time_dependent_auc(time, event, risk, t, *, train_time=None, train_event=None,
                       beyond_followup: str = "raise", censoring: str = "km",
                       censoring_covariates=None, train_censoring_covariates=None):
    """Cumulative/dynamic AUC(t) of a risk score (**higher risk = worse**), IPCW-weighted.

    Parameters
    ----------
    time, event : array-like
        Follow-up time and event (1 = death) of the validation data.
    risk : array-like, shape (n,) or (n, len(t))
        Predicted risk, higher = worse. A 2-D array gives a separate risk per horizon (e.g.
        ``1 - S(t_k)`` of a model whose ranking changes over time).
    t : float or sequence of float
        Horizon(s).
    train_time, train_event : array-like, optional
        Data for the censoring Kaplan–Meier G (default: the validation data).
    beyond_followup : {"raise", "truncate"}
        What to do with horizons beyond the last follow-up time.
    censoring : {"km", "cox"}
        Censoring model of the weights, as riskRegression ``cens.model``; ``"cox"`` needs
        ``censoring_covariates`` (n x p) and weights each control by 1 / G(t | z_j).

    Returns
    -------
    float or pandas.Series
        AUC(t) (a float for a scalar ``t``; a Series indexed by ``t`` otherwise).

    Examples
    --------
    >>> time = [5, 8, 12, 20, 25, 30]          # months
    >>> event = [1, 1, 0, 1, 0, 0]             # 1 = death, 0 = censored
    >>> risk = [2.0, 0.9, 1.5, 0.8, 1.0, 0.1]
    >>> time_dependent_auc(time, event, risk, t=10)
    0.75
    >>> time_dependent_auc(time, event, risk, t=[10, 22]).round(4).tolist()
    [0.75, 0.65]
    """
    tm, e = check_survival(time, event)
    scalar = np.ndim(t) == 0
    hs = check_horizons(t, tm, beyond_followup=beyond_followup)
    rk = as_numeric(risk, "risk")
    if rk.ndim == 2 and rk.shape[1] > 1:
        if rk.shape[1] != hs.size:
            raise MetricInputError(f"risk has {rk.shape[1]} columns but there are {hs.size} horizons")
        cols = [check_vector(rk[:, k], tm.size, f"risk[:, {k}]") for k in range(hs.size)]
    else:
        r1 = check_vector(rk, tm.size, "risk")
        cols = [r1] * hs.size
    G = ipcw_setup(tm, e, train_time, train_event, censoring, censoring_covariates,
                   train_censoring_covariates)
    out = np.empty(hs.size)
    for k, h in enumerate(hs):
        r = cols[k]
        wc, wk, case, ctrl = ipcw_weights(G, tm, e, h)
        if not case.any():
            raise MetricInputError(f"no deaths at or before horizon t={h:g}: AUC undefined")
        if not ctrl.any():
            raise MetricInputError(f"nobody is under observation after horizon t={h:g}: "
                                   "AUC undefined")
        # weighted count of controls with lower / equal risk, via sorted cumulative weights
        o = np.argsort(r[ctrl], kind="stable")
        rc, cw = r[ctrl][o], np.concatenate([[0.0], np.cumsum(wk[o])])
        lo = np.searchsorted(rc, r[case], side="left")
        hi = np.searchsorted(rc, r[case], side="right")
        below, tied = cw[lo], cw[hi] - cw[lo]
        out[k] = float((wc * (below + 0.5 * tied)).sum()) / (wc.sum() * cw[-1])
    if scalar:
        return float(out[0])
    return pd.Series(out, index=pd.Index(hs, name="t"), name="auc")
