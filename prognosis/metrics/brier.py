"""IPCW Brier score, integrated Brier score and the index of prediction accuracy (IPA).

``surv`` is the predicted probability of being alive at t, S(t | x) (so higher surv = better;
the equivalent risk 1 - S(t) is higher = worse). Conventions of R ``riskRegression::Score``
(Gerds & Schumacher, Biom J 2006; Graf et al., Stat Med 1999): with G the censoring
Kaplan–Meier (or a Cox censoring model, ``censoring="cox"``),

    BS(t) = mean_i [ 1{T_i <= t, death} S_i(t)^2 / G(T_i-) + 1{T_i > t} (1 - S_i(t))^2 / G(t) ],

patients censored at or before t contribute 0 to the sum but count in the mean. IPA(t) =
1 - BS_model(t) / BS_null(t), the null model being the Kaplan–Meier estimate of the
validation data (Kattan & Gerds, Diagn Progn Res 2018;2:7).

G is the reverse Kaplan–Meier with deaths preceding censorings at tied times, and deaths are
weighted by its left limit G(T_i-): this reproduces riskRegression to machine precision.
scikit-survival's ``brier_score`` weights deaths by G(T_i) instead; the two agree exactly
without tied times and differ by up to ~1e-4 on tied data (veteran: <= 7.5e-5).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import MetricInputError
from ._checks import as_numeric, check_horizons, check_survival
from ._ipcw import ipcw_setup, ipcw_weights
from .km import kaplan_meier

__all__ = ["brier_score", "integrated_brier_score", "ipa", "IBS_CONVENTIONS"]


def _surv_matrix(surv, n: int, m: int, name: str = "surv") -> np.ndarray:
    s = as_numeric(surv, name)
    if s.ndim == 1:
        if m != 1:
            if s.size == n:
                raise MetricInputError(
                    f"{name} is 1-D but there are {m} horizons: pass an (n, {m}) matrix of S(t_k)")
        s = s.reshape(-1, 1)
    if s.ndim != 2 or s.shape != (n, m):
        raise MetricInputError(f"{name} must have shape ({n}, {m}) (patients x horizons), "
                               f"got {s.shape}")
    bad = ~np.isfinite(s)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise MetricInputError(f"{name} is missing (NaN) at row {r}, horizon column {c}")
    if ((s < 0) | (s > 1)).any():
        r, c = np.argwhere((s < 0) | (s > 1))[0]
        raise MetricInputError(f"{name} must be a survival probability in [0, 1]; row {r}, "
                               f"column {c} has {s[r, c]!r}")
    return s


def _brier(tm, e, s, hs, G) -> np.ndarray:
    out = np.empty(hs.size)
    for k, h in enumerate(hs):
        wc, wk, case, ctrl = ipcw_weights(G, tm, e, h)
        sk = s[:, k]
        out[k] = (float((wc * sk[case] ** 2).sum()) + float((wk * (1 - sk[ctrl]) ** 2).sum())) / tm.size
    return out


def brier_score(time, event, surv, t, *, train_time=None, train_event=None,
                beyond_followup: str = "raise", censoring: str = "km", censoring_covariates=None,
                train_censoring_covariates=None):
    """IPCW Brier score at horizon(s) t of predicted survival probabilities.

    Parameters
    ----------
    time, event : array-like
        Validation follow-up and event (1 = death).
    surv : array-like, shape (n,) or (n, len(t))
        Predicted S(t | x) (probability of being alive; 1 - surv is the risk, higher = worse).
    t : float or sequence
        Horizon(s).
    train_time, train_event : optional
        Data for the censoring Kaplan–Meier G (default: the validation data).
    beyond_followup : {"raise", "truncate"}
    censoring : {"km", "cox"}
        Censoring model of the weights, as riskRegression ``cens.model`` (see
        :mod:`prognosis.metrics._ipcw`); ``"cox"`` needs ``censoring_covariates`` (n x p).

    Returns
    -------
    float or pandas.Series indexed by t

    Examples
    --------
    >>> time = [5, 8, 12, 20, 25, 30]          # months
    >>> event = [1, 1, 0, 1, 0, 0]             # 1 = death, 0 = censored
    >>> surv = [0.3, 0.6, 0.5, 0.7, 0.6, 0.95]   # predicted S(10 months)
    >>> round(brier_score(time, event, surv, t=10), 4)
    0.1588
    """
    tm, e = check_survival(time, event)
    scalar = np.ndim(t) == 0
    hs = check_horizons(t, tm, beyond_followup=beyond_followup)
    s = _surv_matrix(surv, tm.size, hs.size)
    G = ipcw_setup(tm, e, train_time, train_event, censoring, censoring_covariates,
                   train_censoring_covariates)
    out = _brier(tm, e, s, hs, G)
    return float(out[0]) if scalar else pd.Series(out, index=pd.Index(hs, name="t"), name="brier")


IBS_CONVENTIONS = ("riskregression", "trapezoid")


def integrated_brier_score(time, event, surv_matrix, times, *, train_time=None,
                           train_event=None, beyond_followup: str = "raise",
                           convention: str = "riskregression", censoring: str = "km",
                           censoring_covariates=None, train_censoring_covariates=None) -> float:
    """Integrated Brier score over the grid ``times`` = t_1 < ... < t_K.

    ``surv_matrix`` holds S(t_k | x_i) (higher = better), shape (n, K).

    convention : {"riskregression", "trapezoid"}
        ``"riskregression"`` (default): R ``riskRegression::Score(summary = "ibs")`` and
        ``pec::crps`` — a right-continuous step function from 0, BS = 0 on [0, t_1) and BS(t_k)
        on [t_k, t_{k+1}), divided by t_K:
        IBS = sum_{k<K} BS(t_k) (t_{k+1} − t_k) / t_K (Graf et al., Stat Med 1999;18:2529).
        ``"trapezoid"``: scikit-survival ``integrated_brier_score`` — trapezoid rule from t_1,
        divided by t_K − t_1. The two differ by the discretisation (use a fine grid).
    censoring : {"km", "cox"}
        Censoring model of the weights (see :func:`brier_score`).

    Parameters
    ----------
    time, event : array-like
        Validation follow-up and event (1 = death).
    surv_matrix : array-like, shape (n, len(times))
        Predicted S(t_k | x_i), one column per time of ``times``.
    times : sequence of float
        At least two increasing horizons.
    train_time, train_event : array-like, optional
        Data for the censoring model G (default: the validation data).
    beyond_followup : {"raise", "truncate"}
        What to do with times beyond the last follow-up time.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> time = [5, 8, 12, 20, 25, 30]
    >>> event = [1, 1, 0, 1, 0, 0]
    >>> s10 = np.array([0.3, 0.6, 0.5, 0.7, 0.6, 0.95])
    >>> S = np.column_stack([s10 ** 0.6, s10, s10 ** 1.5])   # S at 6, 10 and 15 months
    >>> round(integrated_brier_score(time, event, S, [6, 10, 15], convention="trapezoid"), 4)
    0.1388
    """
    if convention not in IBS_CONVENTIONS:
        raise MetricInputError(f"convention must be one of {IBS_CONVENTIONS}, got {convention!r}")
    tm, e = check_survival(time, event)
    hs = check_horizons(times, tm, beyond_followup=beyond_followup, name="times")
    if hs.size < 2:
        raise MetricInputError("integrated_brier_score needs at least 2 times")
    if (np.diff(hs) <= 0).any():
        raise MetricInputError("times must be strictly increasing")
    s = _surv_matrix(surv_matrix, tm.size, hs.size, "surv_matrix")
    G = ipcw_setup(tm, e, train_time, train_event, censoring, censoring_covariates,
                   train_censoring_covariates)
    bs = _brier(tm, e, s, hs, G)
    if convention == "riskregression":
        return float((bs[:-1] * np.diff(hs)).sum() / hs[-1])
    trapezoid = getattr(np, "trapezoid", None) or np.trapz   # numpy < 2 has only trapz
    return float(trapezoid(bs, hs) / (hs[-1] - hs[0]))


def ipa(time, event, surv, t, *, train_time=None, train_event=None,
        beyond_followup: str = "raise", censoring: str = "km", censoring_covariates=None,
        train_censoring_covariates=None):
    """Index of prediction accuracy, IPA(t) = 1 - BS_model(t) / BS_null(t).

    The null model predicts the Kaplan–Meier S(t) of the validation data for everyone (as
    riskRegression::Score). ``surv`` = predicted S(t | x) (higher = better). 1 is perfect, 0 is
    no better than the null, negative is harmful.

    Parameters
    ----------
    time, event : array-like
        Validation follow-up and event (1 = death).
    surv : array-like, shape (n,) or (n, len(t))
        Predicted S(t | x).
    t : float or sequence of float
        Horizon(s).
    train_time, train_event : array-like, optional
        Data for the censoring Kaplan–Meier G (default: the validation data).
    beyond_followup : {"raise", "truncate"}
        What to do with horizons beyond the last follow-up time.

    Returns
    -------
    float or pandas.Series indexed by t

    Examples
    --------
    >>> time = [5, 8, 12, 20, 25, 30]
    >>> event = [1, 1, 0, 1, 0, 0]
    >>> surv = [0.3, 0.6, 0.5, 0.7, 0.6, 0.95]
    >>> round(ipa(time, event, surv, t=10), 4)
    0.2856
    """
    tm, e = check_survival(time, event)
    scalar = np.ndim(t) == 0
    hs = check_horizons(t, tm, beyond_followup=beyond_followup)
    s = _surv_matrix(surv, tm.size, hs.size)
    G = ipcw_setup(tm, e, train_time, train_event, censoring, censoring_covariates,
                   train_censoring_covariates)
    km = kaplan_meier(tm, e)
    null = np.broadcast_to(km(hs), s.shape)
    bm, bn = _brier(tm, e, s, hs, G), _brier(tm, e, null, hs, G)
    if (bn <= 0).any():
        raise MetricInputError(f"null-model Brier score is 0 at t={hs[bn <= 0].tolist()}: "
                               "IPA undefined")
    out = 1.0 - bm / bn
    return float(out[0]) if scalar else pd.Series(out, index=pd.Index(hs, name="t"), name="ipa")
