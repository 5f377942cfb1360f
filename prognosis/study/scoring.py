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
from .predictions import Predictions, cached_predictions

__all__ = ["StudyScorer", "split_key", "predict_survival_truncated"]

#: The measures of one calibration() fit (the catalogue's built-in "calibration" kernel), read once
#: here rather than per horizon and evaluation.
_CAL_KEYS = catalogue.names(kernel="calibration")


def split_key(key: str) -> tuple[str, float]:
    """``"brier@12"`` → ``("brier", 12.0)``; ``"harrell_c"`` → ``("harrell_c", nan)``
    (:func:`prognosis.metrics.catalogue.parse_key`)."""
    return catalogue.parse_key(key)


class StudyScorer:
    """Callable ``(estimator, X, y, y_train) -> {metric: value}``, split into
    :meth:`predict` (once per fitted model and data set) and :meth:`evaluate` (per evaluation).

    Parameters
    ----------
    horizons : sequence of float
        Months.
    tau : float, optional
        Truncation time of Uno's C (default: the largest horizon).
    calibration : bool
        Also compute the calibration measures (Austin 2020 ICI/E50/E90, slope, O/E).
    extra_times : sequence of float
        Further times at which :meth:`predict` computes S(t) (e.g. the decision-curve
        horizons), so the same :class:`~prognosis.study.predictions.Predictions` serve them.
    """

    def __init__(self, horizons, tau: float | None = None, calibration: bool = True, extra_times=()):
        self.horizons = tuple(float(h) for h in horizons)
        # no horizon (follow-up too short for any): Uno's C is then not truncated
        self.tau = float(tau) if tau is not None else (max(self.horizons) if self.horizons else None)
        self.calibration = calibration
        self.extra_times = tuple(float(h) for h in extra_times)
        # registered measures without a built-in kernel, taken now so that worker processes
        # (joblib, Dask), whose catalogue holds only the built-in measures, compute them too
        self.extra_measures = tuple(m for m in catalogue.measures(kernel=None)
                                    if calibration or m.group != "calibration")

    @property
    def times(self) -> tuple[float, ...]:
        """Every time at which :meth:`predict` computes S(t)."""
        return tuple(sorted(set(self.horizons) | set(self.extra_times)))

    def predict(self, est, X) -> Predictions:
        """Risk and S(t) at :attr:`times` of ``est`` on ``X``, computed once (one feature transform).

        Predictions are row-wise, so those of a resample are ``take(preds, idx)``; the
        validation code predicts once per fit instead of once per evaluation.
        """
        return cached_predictions(est, X, self.times)

    @staticmethod
    def take(preds: Predictions, idx: np.ndarray) -> Predictions:
        """Predictions of the rows ``idx`` (for resamples)."""
        return preds.take(idx)

    def evaluate(self, preds: Predictions, y, y_train) -> dict[str, float]:
        """All measures of predictions ``preds`` against outcome ``y``.

        Censoring weights come from ``y_train``; the validation code passes the evaluation data
        itself (riskRegression's convention: an external cohort is weighted by its own censoring).
        """
        risk = preds.risk
        t, e = split_y(y)
        tt, te = split_y(y_train)
        with warnings.catch_warnings():
            # overflow / 0-division inside a measure on a degenerate resample: the measure is
            # NaN or raises MetricInputError (NaN here), counted in n_rep
            warnings.simplefilter("ignore", RuntimeWarning)
            out = self._c_indices(t, e, risk, tt, te)
            S = preds.at(self.horizons) if self.horizons else np.empty((risk.size, 0))
            # measures registered in the catalogue without a built-in kernel: their own functions
            out.update(catalogue.evaluate(catalogue.MeasureData(t, e, risk, S, self.horizons, tt, te, self.tau),
                                          self.extra_measures))
            if not self.horizons:
                return out
            out.update(self._horizon_measures(t, e, risk, S, tt, te))
            if self.calibration:
                out.update(self._calibration(t, e, S))
        return out

    def _c_indices(self, t, e, risk, tt, te) -> dict[str, float]:
        from .. import metrics as M

        # a reversed score is reported as its C < 0.5, not warned about in every replicate
        return {"harrell_c": _value(lambda: M.harrell_c(t, e, risk, warn_reversed=False)),
                "uno_c": _value(lambda: M.uno_c(t, e, risk, tau=self.tau, train_time=tt, train_event=te))}

    def _horizon_measures(self, t, e, risk, S, tt, te) -> dict[str, float]:
        """AUC(t), Brier(t), IPA(t): all horizons in one call per measure (one censoring KM each);
        if one horizon is not estimable on this sample, horizon by horizon so the others are kept."""
        from .. import metrics as M

        hs = list(self.horizons)
        kw = {"train_time": tt, "train_event": te}
        every = {"auc": lambda h, j: M.time_dependent_auc(t, e, risk, h, **kw),
                 "brier": lambda h, j: M.brier_score(t, e, S if j is None else S[:, j], h, **kw),
                 "ipa": lambda h, j: M.ipa(t, e, S if j is None else S[:, j], h, **kw)}
        out: dict[str, float] = {}
        for key, fn in every.items():
            try:
                vals = np.asarray(fn(hs, None), dtype=float).ravel()
                out.update({f"{key}@{h:g}": float(v) for h, v in zip(self.horizons, vals, strict=False)})
            except MetricInputError:
                for j, h in enumerate(self.horizons):
                    out[f"{key}@{h:g}"] = _value(lambda fn=fn, h=h, j=j: _first(fn(h, j)))
        return out

    def _calibration(self, t, e, S) -> dict[str, float]:
        from ..metrics.calibration import calibration_measures

        out: dict[str, float] = {}
        # as calibration(..., groups=<one group>) per horizon: the grouped KM table is not needed
        # here (it is drawn once from the full-data fit); outcome checked once for all horizons
        for h, cal in zip(self.horizons, calibration_measures(t, e, S, self.horizons), strict=True):
            for k in _CAL_KEYS:
                out[f"{k}@{h:g}"] = float("nan") if isinstance(cal, Exception) else float(cal[k])
        return out

    def __call__(self, est, X, y, y_train) -> dict[str, float]:
        return self.evaluate(self.predict(est, X), y, y_train)




def _value(fn) -> float:
    """``float(fn())``; NaN when the measure is not estimable on this sample."""
    try:
        return float(fn())
    except MetricInputError:
        return float("nan")


def predict_survival_truncated(est, X, horizons) -> np.ndarray:
    """S(t | x) at ``horizons`` with NaN columns for horizons beyond the fit's follow-up.

    A bootstrap sample whose follow-up ends before one horizon must lose only the measures at
    that horizon (counted in ``n_rep``), not the whole replicate with its C-indices. Reuses the
    study's :class:`~prognosis.study.predictions.Predictions` of ``(est, X)`` when they hold
    these times.
    """
    return cached_predictions(est, X, horizons).at(horizons)


def _first(x) -> float:
    """Metric functions may return a float, a float-like result or a 1-element array/Series."""
    if hasattr(x, "estimate"):
        x = x.estimate
    a = np.asarray(x, dtype=float).ravel()
    return float(a[0]) if a.size else float("nan")
