"""Inverse-probability-of-censoring weights shared by AUC, Brier and Uno's C (riskRegression conventions).

Two censoring models, named as R ``riskRegression::Score(cens.model = ...)``:

``censoring="km"`` (default)
    the reverse Kaplan–Meier G(t) of the data the weights come from (marginal censoring; see
    :func:`prognosis.metrics.km.censoring_km` for the tie convention);
``censoring="cox"``
    a Cox model for the censoring hazard given covariates Z (``censoring_covariates``), Efron
    ties, G(t | z) = exp(−Λ0_c(t) exp(z β_c)) — what riskRegression fits with
    ``rms::cph(Surv(time, status == 0) ~ Z)``. Deaths tied with a censoring stay in the
    censoring risk set (as in ``coxph``). It removes the bias of the KM weights when censoring
    depends on covariates that also predict death (Gerds & Schumacher, Biom J 2006;48:1029).

In both, a death at T_i is weighted by 1 / G(T_i− | z_i) (left limit) and a patient still
under observation after the horizon h by 1 / G(h | z_i); patients censored at or before h get
weight 0. The weights always come from the data being evaluated unless training data are
given explicitly (``train_time``/``train_event``): an external cohort is weighted by its own
censoring, as riskRegression and the CLI do.
"""
from __future__ import annotations

import numpy as np

from ..errors import MetricInputError
from ._checks import check_survival
from .km import censoring_km

CENSORING_MODELS = ("km", "cox")


class _KMCensoring:
    """Marginal censoring: G(T_i−) and G(h) from a reverse Kaplan–Meier."""

    kind = "km"

    def __init__(self, G, t):
        self.G, self.t = G, t

    def subject(self) -> np.ndarray:
        return np.asarray(self.G(self.t, left=True), dtype=float)

    def at(self, h: float) -> np.ndarray:
        return np.full(self.t.size, float(self.G(h)))


class _CoxCensoring:
    """Censoring Cox model fitted on (train time, 1 − train event, train Z), evaluated at the
    evaluation data's (time, Z)."""

    kind = "cox"

    def __init__(self, t_fit, e_fit, Z_fit, t, Z):
        from ._cox import _Efron

        cens = (1 - e_fit).astype(np.int64)
        if cens.sum() == 0:
            self.beta, self.bt, self.bh = np.zeros(Z_fit.shape[1]), np.array([0.0]), np.array([0.0])
        else:
            const = np.flatnonzero(np.ptp(Z_fit, axis=0) == 0)
            if const.size:
                raise MetricInputError(f"censoring_covariates column(s) {const.tolist()} are constant: "
                                       "the censoring Cox model is not identifiable")
            m = _Efron(t_fit, cens, Z_fit).fit(max_iter=100, tol=1e-13)
            if not np.all(np.isfinite(m.beta)):
                raise MetricInputError("the censoring Cox model did not converge")
            self.beta = m.beta
            self.bt, self.bh = m.baseline_cumhaz()
        self.t, self.eta = t, Z @ self.beta

    def _H0(self, s, left=False) -> np.ndarray:
        i = np.searchsorted(self.bt, s, side="left" if left else "right") - 1
        return np.where(i >= 0, self.bh[np.clip(i, 0, None)], 0.0)

    def subject(self) -> np.ndarray:
        return np.exp(-self._H0(self.t, left=True) * np.exp(self.eta))

    def at(self, h: float) -> np.ndarray:
        return np.exp(-self._H0(np.array([h]))[0] * np.exp(self.eta))


def _covariates(Z, n: int, name: str) -> np.ndarray:
    if Z is None:
        raise MetricInputError(f"censoring='cox' needs {name} (an n x p matrix of covariates "
                               "of the censoring model)")
    try:
        z = np.asarray(Z, dtype=float)
    except (TypeError, ValueError) as exc:
        raise MetricInputError(f"{name} must be numeric: {exc}") from None
    if z.ndim == 1:
        z = z[:, None]
    if z.ndim != 2 or z.shape[0] != n:
        raise MetricInputError(f"{name} must have {n} rows (one per patient), got shape {z.shape}")
    bad = ~np.isfinite(z)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise MetricInputError(f"{name} is missing or infinite at row {r}, column {c}")
    return z


def ipcw_setup(t, e, train_time, train_event, censoring: str = "km", censoring_covariates=None,
               train_censoring_covariates=None):
    """The censoring model whose weights the IPCW measures use (see the module docstring)."""
    if censoring not in CENSORING_MODELS:
        raise MetricInputError(f"censoring must be one of {CENSORING_MODELS}, got {censoring!r}")
    if (train_time is None) != (train_event is None):
        raise MetricInputError("give both train_time and train_event, or neither")
    if train_time is None:
        tt, te = t, e
    else:
        tt, te = check_survival(train_time, train_event, prefix="train_", require_event=False)
    if censoring == "km":
        return _KMCensoring(censoring_km(tt, te), t)
    Z = _covariates(censoring_covariates, t.size, "censoring_covariates")
    if train_time is None:
        Zt = Z
    else:
        Zt = _covariates(train_censoring_covariates, tt.size, "train_censoring_covariates")
    if Zt.shape[1] != Z.shape[1]:
        raise MetricInputError(f"censoring_covariates has {Z.shape[1]} columns but "
                               f"train_censoring_covariates has {Zt.shape[1]}")
    return _CoxCensoring(tt, te, Zt, t, Z)


def ipcw_weights(G, t, e, h: float):
    """Weights at horizon h as riskRegression::Score:

    deaths with time <= h get 1 / G(time− | z), patients still under observation after h get
    1 / G(h | z), patients censored at or before h get 0.
    Returns (w_case, w_control, case_mask, control_mask) with one weight per case / control.
    """
    case = (t <= h) & (e == 1)
    ctrl = t > h
    g_sub = G.subject()[case]
    g_h = G.at(h)[ctrl]
    if (g_sub <= 0).any() or (g_h <= 0).any():
        raise MetricInputError(
            f"censoring survival G reaches 0 before horizon {h:g}: every patient still at risk "
            "was censored; choose an earlier horizon")
    return 1.0 / g_sub, 1.0 / g_h, case, ctrl
