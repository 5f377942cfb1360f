"""The study's score function: every performance measure of one fitted predictor on one data set.

All measures come from :mod:`prognosis.metrics` (checked against R there) and are those of the
measure catalogue (:mod:`prognosis.metrics.catalogue`): the built-in ones through the joint
kernels below, every other registered one through its own function. Keys are
``catalogue.key(name, h)``: ``"<metric>"`` for horizon-free measures and ``"<metric>@<h>"`` for
measures at horizon ``h`` months (calibration-group measures only with ``calibration=True``).

A measure that cannot be computed on a particular (bootstrap) sample — e.g. no patient at risk
at the horizon — is NaN for that sample (counted in ``n_rep``), never silently replaced.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..errors import MetricInputError
from ..metrics import catalogue
from ..survival_data import split_y

__all__ = ["StudyScorer", "split_key", "predict_survival_truncated"]


def split_key(key: str) -> tuple[str, float]:
    """``"brier@12"`` → ``("brier", 12.0)``; ``"harrell_c"`` → ``("harrell_c", nan)``
    (:func:`prognosis.metrics.catalogue.parse_key`)."""
    return catalogue.parse_key(key)


class StudyScorer:
    """Callable ``(estimator, X, y, y_train) -> {metric: value}``, split into
    :meth:`predict` (once per fitted model) and :meth:`evaluate` (per evaluation data set).

    Parameters
    ----------
    horizons : sequence of float
        Months.
    tau : float, optional
        Truncation time of Uno's C (default: the largest horizon).
    calibration : bool
        Also compute the calibration measures (Austin 2020 ICI/E50/E90, slope, O/E).
    """

    def __init__(self, horizons, tau: float | None = None, calibration: bool = True):
        self.horizons = tuple(float(h) for h in horizons)
        # no horizon (follow-up too short for any): Uno's C is then not truncated
        self.tau = float(tau) if tau is not None else (max(self.horizons) if self.horizons else None)
        self.calibration = calibration
        # registered measures without a built-in kernel, taken now so that worker processes
        # (joblib, Dask), whose catalogue holds only the built-in measures, compute them too
        self.extra_measures = tuple(m for m in catalogue.measures(kernel=None)
                                    if calibration or m.group != "calibration")

    def predict(self, est, X) -> tuple[np.ndarray, np.ndarray]:
        """Predictions needed by :meth:`evaluate`: ``(risk, S)`` with S of shape (n, n_horizons).

        Predictions are row-wise, so those of a resample are the resampled predictions; the
        validation code uses this to predict once per fit instead of once per evaluation.
        """
        risk = np.asarray(est.predict(X), dtype=float)
        if not self.horizons:  # only the horizon-free measures (C-indices) are computed
            return risk, np.empty((risk.size, 0))
        return risk, predict_survival_truncated(est, X, self.horizons)

    @staticmethod
    def take(preds, idx: np.ndarray):
        """Predictions of the rows ``idx`` (for resamples)."""
        risk, S = preds
        return risk[idx], S[idx]

    def evaluate(self, preds, y, y_train) -> dict[str, float]:
        """All measures of predictions ``preds`` against outcome ``y``.

        Censoring weights come from ``y_train``; the validation code passes the evaluation data
        itself (riskRegression's convention: an external cohort is weighted by its own censoring).
        """
        from .. import metrics as M

        risk, S = preds
        t, e = split_y(y)
        tt, te = split_y(y_train)
        out: dict[str, float] = {}

        def put(key, fn):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    out[key] = float(fn())
            except MetricInputError:
                out[key] = float("nan")

        put("harrell_c", lambda: M.harrell_c(t, e, risk))
        put("uno_c", lambda: M.uno_c(t, e, risk, tau=self.tau, train_time=tt, train_event=te))
        hs = list(self.horizons)
        # measures registered in the catalogue without a built-in kernel: their own functions
        out.update(catalogue.evaluate(catalogue.MeasureData(t, e, risk, S, self.horizons, tt, te, self.tau),
                                      getattr(self, "extra_measures", ())))
        if not hs:
            return out
        # all horizons in one call per measure (one censoring KM each); if one horizon is not
        # estimable on this sample, fall back to horizon-by-horizon so the others are kept
        for key, fn in (("auc", lambda: M.time_dependent_auc(t, e, risk, hs, train_time=tt, train_event=te)),
                        ("brier", lambda: M.brier_score(t, e, S, hs, train_time=tt, train_event=te)),
                        ("ipa", lambda: M.ipa(t, e, S, hs, train_time=tt, train_event=te))):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    vals = np.asarray(fn(), dtype=float).ravel()
                for h, v in zip(self.horizons, vals, strict=False):
                    out[f"{key}@{h:g}"] = float(v)
            except MetricInputError:
                for j, h in enumerate(self.horizons):
                    if key == "auc":
                        put(f"auc@{h:g}", lambda: _first(M.time_dependent_auc(t, e, risk, h, train_time=tt,
                                                                                train_event=te)))
                    elif key == "brier":
                        put(f"brier@{h:g}", lambda: _first(M.brier_score(t, e, S[:, j], h, train_time=tt,
                                                                          train_event=te)))
                    else:
                        put(f"ipa@{h:g}", lambda: _first(M.ipa(t, e, S[:, j], h, train_time=tt, train_event=te)))
        for j, h in enumerate(self.horizons):
            if self.calibration:
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        # one group: the grouped KM table is not needed here (it is
                        # drawn once from the full-data fit), which halves the cost
                        cal = M.calibration(t, e, S[:, j], h, groups=np.zeros(t.size, dtype=int))
                    for k in catalogue.names(kernel="calibration"):
                        out[f"{k}@{h:g}"] = float(getattr(cal, k))
                except (MetricInputError, np.linalg.LinAlgError):
                    for k in catalogue.names(kernel="calibration"):
                        out[f"{k}@{h:g}"] = float("nan")
        return out

    def __call__(self, est, X, y, y_train) -> dict[str, float]:
        return self.evaluate(self.predict(est, X), y, y_train)


def predict_survival_truncated(est, X, horizons) -> np.ndarray:
    """S(t | x) at ``horizons`` with NaN columns for horizons beyond the fit's follow-up.

    A bootstrap sample whose follow-up ends before one horizon must lose only the measures at
    that horizon (counted in ``n_rep``), not the whole replicate with its C-indices.
    """
    try:
        S = est.predict_survival(X, list(horizons), truncate=True)
    except TypeError:          # an estimator without the truncate option
        S = est.predict_survival(X, list(horizons))
    return np.asarray(S, dtype=float)


def _first(x) -> float:
    """Metric functions may return a float, a float-like result or a 1-element array/Series."""
    if hasattr(x, "estimate"):
        x = x.estimate
    a = np.asarray(x, dtype=float).ravel()
    return float(a[0]) if a.size else float("nan")
