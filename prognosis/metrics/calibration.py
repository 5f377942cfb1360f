"""Calibration of predicted survival probabilities at a horizon t.

``surv`` is the predicted probability of being alive at t, S(t | x) (higher = better; the
predicted risk 1 - S(t) is higher = worse). Three views:

(a) Smoothed calibration curve and ICI / E50 / E90 of Austin, Harrell & van Klaveren, "Graphical
    calibration curves and the integrated calibration index (ICI) for survival models",
    Stat Med 2020;39:2714-2742: a Cox model of the outcome on a restricted cubic spline of
    cll = log(-log S(t | x)) with 3 knots at the 10th, 50th, 90th percentiles of cll
    (Harrell's rcs basis, as ``rms::rcs``), Efron ties; observed risk at t for each patient is
    1 - S_cal(t | cll) from the Efron/Breslow baseline (as ``rms::survest``); ICI, E50, E90 are
    the mean, median and 90th percentile of ``|observed - predicted risk|``.
(b) Calibration slope: the Cox coefficient of cll (ideal 1; < 1 means predictions too extreme),
    and the observed/expected ratio at t: O = 1 - KM(t), E = mean predicted risk (ideal 1).
(c) Grouped calibration: quantile groups of predicted risk (deciles by default) or given groups
    (e.g. score categories), each with the Kaplan–Meier observed S(t) and its 95% CI against the
    mean predicted S(t).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._kernels import rcs_basis
from .._summary import Summary
from ..errors import MetricInputError
from ._checks import check_horizons, check_probability, check_survival
from ._cox import _Ties, cox_efron, cox_surv_at
from .km import _km

__all__ = ["CalibrationResult", "calibration", "calibration_measures", "rcs_basis"]


@dataclass
class CalibrationResult:
    """Calibration of predicted S(t) at horizon ``t`` (see :func:`calibration`).

    Attributes
    ----------
    t : horizon
    ici, e50, e90 : mean / median / 90th percentile of ````|observed - predicted|```` risk at t
    slope : Cox coefficient of log(-log S(t)) (ideal 1)
    oe_ratio : observed / expected risk at t (ideal 1)
    observed_risk, expected_risk : 1 - KM(t) and mean predicted risk
    curve : DataFrame (predicted_risk, observed_risk) per patient, sorted by predicted risk
    groups : DataFrame per group: group, n, events, predicted_surv, observed_surv, lower, upper
    n, n_events, knots, n_clipped

    Examples
    --------
    >>> from prognosis.datasets import load_demo
    >>> from prognosis.metrics import calibration
    >>> from prognosis.simulate import true_survival
    >>> d = load_demo().frame
    >>> cal = calibration(d["time_months"], d["event"], true_survival(d, [12])[12], t=12)
    >>> cal.n, cal.n_events
    (1200, 683)
    >>> print(cal.summary())  # doctest: +ELLIPSIS
    Calibration at t = 12...
    """

    t: float
    ici: float
    e50: float
    e90: float
    slope: float
    oe_ratio: float
    observed_risk: float
    expected_risk: float
    curve: pd.DataFrame = field(repr=False)
    groups: pd.DataFrame = field(repr=False)
    n: int = 0
    n_events: int = 0
    knots: tuple = ()
    n_clipped: int = 0

    def summary(self) -> Summary:
        """The calibration measures: ``str()`` is the text, ``.table`` one row."""
        lines = [f"Calibration at t = {self.t:g} (n = {self.n}, deaths = {self.n_events})",
                 f"  ICI {self.ici:.4f}   E50 {self.e50:.4f}   E90 {self.e90:.4f}  "
                 "(absolute difference observed - predicted risk; 0 = perfect)",
                 f"  calibration slope {self.slope:.3f} (1 = ideal; < 1 predictions too extreme)",
                 f"  observed/expected {self.oe_ratio:.3f} (observed risk {self.observed_risk:.3f}"
                 f" vs mean predicted {self.expected_risk:.3f})"]
        if self.n_clipped:
            lines.append(f"  note: {self.n_clipped} predictions at exactly 0 or 1 were moved inside (0, 1)")
        cols = ("n", "n_events", "ici", "e50", "e90", "slope", "oe_ratio", "observed_risk", "expected_risk",
                "n_clipped")
        table = pd.DataFrame([{c: getattr(self, c) for c in cols}], index=pd.Index([self.t], name="t"))
        return Summary("\n".join(lines), table)

    def __repr__(self) -> str:
        return (f"CalibrationResult(t={self.t:g}, ici={self.ici:.4f}, e50={self.e50:.4f}, "
                f"e90={self.e90:.4f}, slope={self.slope:.3f}, oe_ratio={self.oe_ratio:.3f})")


def calibration(time, event, surv, t, *, groups=None, n_groups: int = 10,
                eps: float | None = None, conf_level: float = 0.95,
                beyond_followup: str = "raise") -> CalibrationResult:
    """Calibration of predicted survival probabilities S(t | x) at horizon ``t``.

    Parameters
    ----------
    time, event : array-like
        Validation follow-up and event (1 = death).
    surv : array-like (n,)
        Predicted probability of surviving beyond ``t`` (higher = better; the risk
        1 - surv is higher = worse).
    t : float
        Horizon.
    groups : array-like (n,), optional
        Group labels for grouped calibration (e.g. score categories). Default: ``n_groups``
        quantile groups of predicted risk.
    eps : float, optional
        Only predictions of exactly 0 or 1 (where log(-log) is undefined) are moved, to the
        nearest representable values inside (0, 1) — or to [eps, 1 - eps] when ``eps`` is given;
        their count is ``n_clipped``. Legitimately tiny probabilities (a Cox model's S(t) can
        be 1e-87) keep their cll, so a Cox model's own calibration slope is 1 to convergence
        precision (clipping at 1e-10 gave 0.9974 on PBC).
    conf_level : float
        Level of the Kaplan–Meier intervals in the grouped table (log scale, Greenwood).

    Returns
    -------
    CalibrationResult

    Examples
    --------
    The true survival of a simulated cohort is calibrated (ICI near 0, slope and O/E near 1):

    >>> from prognosis.datasets import load_demo
    >>> from prognosis.simulate import true_survival
    >>> d = load_demo().frame
    >>> s12 = true_survival(d, [12])[12]
    >>> cal = calibration(d["time_months"], d["event"], s12, t=12)
    >>> round(cal.ici, 3), round(cal.slope, 2), round(cal.oe_ratio, 2)
    (0.006, 1.0, 1.01)
    >>> list(cal.groups.columns)[:3]
    ['group', 'n', 'events']
    """
    tm, e = check_survival(time, event)
    if np.ndim(t) != 0:
        raise MetricInputError("calibration takes a single horizon t")
    h = float(check_horizons(t, tm, beyond_followup=beyond_followup)[0])
    s = check_probability(surv, tm.size, "surv")
    cm = _Calibrator(tm, e).measures(s, h, eps)
    pred_risk, obs_risk = cm.pred_risk, cm.obs_risk
    order = np.argsort(pred_risk, kind="stable")
    curve = pd.DataFrame({"predicted_risk": pred_risk[order], "observed_risk": obs_risk[order]})
    # (c) grouped
    if groups is None:
        if n_groups < 1:
            raise MetricInputError(f"n_groups must be >= 1, got {n_groups}")
        g = pd.qcut(pd.Series(pred_risk).rank(method="first"), n_groups, labels=False) + 1
        labels = g.to_numpy()
    else:
        labels = np.asarray(groups)
        if labels.shape[0] != tm.size:
            raise MetricInputError(f"length mismatch: groups has {labels.shape[0]} values, "
                                   f"time/event have {tm.size}")
        if pd.isna(labels).any():
            raise MetricInputError(f"groups is missing at rows "
                                   f"{np.flatnonzero(pd.isna(labels))[:5].tolist()}")
    rows = []
    for lab in pd.unique(labels):
        m = labels == lab
        kg = _km(tm[m], e[m], conf_level=conf_level)
        if h > kg.time[-1]:
            sv, lo, hi = np.nan, np.nan, np.nan   # not estimable: group follow-up ends before t
        else:
            sv = float(kg(h))
            lo_, hi_ = kg.confint(h)
            lo, hi = float(lo_), float(hi_)
        rows.append({"group": lab, "n": int(m.sum()), "events": int(e[m].sum()),
                     "predicted_surv": float(s[m].mean()), "observed_surv": sv,
                     "lower": lo, "upper": hi})
    gdf = pd.DataFrame(rows)
    if groups is None:
        gdf = gdf.sort_values("group").reset_index(drop=True)
    return CalibrationResult(
        t=h, ici=cm.ici, e50=cm.e50, e90=cm.e90, slope=cm.slope, oe_ratio=cm.oe_ratio,
        observed_risk=cm.observed_risk, expected_risk=cm.expected_risk, curve=curve, groups=gdf, n=int(tm.size),
        n_events=int(e.sum()), knots=cm.knots, n_clipped=cm.n_clipped)


@dataclass
class _Measures:
    """The numbers of :func:`calibration` without its tables (one horizon)."""

    ici: float
    e50: float
    e90: float
    slope: float
    oe_ratio: float
    observed_risk: float
    expected_risk: float
    knots: tuple
    n_clipped: int
    pred_risk: np.ndarray = field(repr=False)
    obs_risk: np.ndarray = field(repr=False)


class _Calibrator:
    """Calibration of several predictions against one validated outcome ``(tm, e)``.

    The outcome's sort order and tie structure (shared by the spline and the slope Cox fits)
    and its Kaplan–Meier curve are built once, not once per horizon and prediction; the
    arithmetic of every fit is unchanged, so the numbers are identical to separate calls.
    """

    def __init__(self, tm: np.ndarray, e: np.ndarray):
        self.tm, self.e = tm, e
        self._ties = None
        self._km = None

    @property
    def ties(self) -> _Ties:
        if self._ties is None:
            self._ties = _Ties(self.tm, self.e)
        return self._ties

    @property
    def km(self):
        if self._km is None:
            self._km = _km(self.tm, self.e)
        return self._km

    def measures(self, s: np.ndarray, h: float, eps: float | None = None) -> _Measures:
        """ICI, E50, E90, slope and O/E of validated predicted S(h) ``s`` (Austin et al. 2020)."""
        tm, e = self.tm, self.e
        if not (e[tm <= h] == 1).any():
            raise MetricInputError(f"no deaths at or before t={h:g}: calibration at t undefined")
        lo_, hi_ = ((np.finfo(float).tiny, np.nextafter(1.0, 0.0)) if eps is None
                    else (float(eps), 1.0 - float(eps)))
        clipped = (s < lo_) | (s > hi_)
        sc = np.clip(s, lo_, hi_)
        cll = np.log(-np.log(sc))
        knots = np.quantile(cll, [0.1, 0.5, 0.9])
        if np.unique(knots).size < 3:
            raise MetricInputError("predictions take too few distinct values for a 3-knot spline "
                                   "(10th, 50th, 90th percentiles coincide); use the grouped "
                                   "calibration (groups=) instead")
        pred_risk = 1 - s
        # (a) Austin et al. 2020 smoothed curve
        X = rcs_basis(cll, knots)
        beta, bt, bh = cox_efron(tm, e, X, ties=self.ties)
        obs_risk = 1 - cox_surv_at(beta, bt, bh, X, h)
        diff = np.abs(obs_risk - pred_risk)
        # (b) slope and O/E
        b1, _, _ = cox_efron(tm, e, cll[:, None], ties=self.ties)
        obs = 1 - float(self.km(h))
        exp_ = float(pred_risk.mean())
        return _Measures(ici=float(diff.mean()), e50=float(np.median(diff)), e90=float(np.quantile(diff, 0.9)),
                         slope=float(b1[0]), oe_ratio=obs / exp_ if exp_ > 0 else np.nan,
                         observed_risk=obs, expected_risk=exp_, knots=tuple(float(k) for k in knots),
                         n_clipped=int(clipped.sum()), pred_risk=pred_risk, obs_risk=obs_risk)


def calibration_measures(time, event, surv, horizons) -> list:
    """ICI, E50, E90, slope and O/E at each horizon, as :func:`calibration` computes them.

    ``surv`` has one column per horizon. The outcome is checked once and its tie structure and
    Kaplan–Meier curve are shared by all horizons (the bootstrap evaluates this thousands of
    times). Returns, per horizon, a dict ``{"ici", "e50", "e90", "slope", "oe_ratio"}`` or the
    :class:`~prognosis.errors.MetricInputError` / ``LinAlgError`` that :func:`calibration`
    would have raised for that horizon (so one inestimable horizon does not lose the others).
    """
    horizons = np.atleast_1d(np.asarray(horizons, dtype=float))
    try:
        tm, e = check_survival(time, event)
    except MetricInputError as exc:     # e.g. a resample without deaths: no horizon is estimable
        return [exc] * horizons.size
    S = np.asarray(surv, dtype=float).reshape(tm.size, -1)
    cal = _Calibrator(tm, e)
    out: list = []
    for j, t in enumerate(horizons):
        try:
            h = float(check_horizons(t, tm)[0])
            m = cal.measures(check_probability(S[:, j], tm.size, "surv"), h)
            out.append({"ici": m.ici, "e50": m.e50, "e90": m.e90, "slope": m.slope, "oe_ratio": m.oe_ratio})
        except (MetricInputError, np.linalg.LinAlgError) as exc:
            out.append(exc)
    return out
