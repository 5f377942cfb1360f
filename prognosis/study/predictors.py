"""Picklable factories turning config entries into estimators on the canonical frame.

Every predictor in a study — model, classic score, score component or plain numeric column —
is an estimator with ``fit(frame, y)``, ``predict(frame)`` (risk, higher = worse) and
``predict_survival(frame, times)``, so validation treats them identically (the baselines are
refitted in every bootstrap replicate too, so their — small — optimism is counted as well).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .._kernels import step_evaluate
from ..errors import ModelError, NotFittedError
from ..survival_data import split_y
from .config import ModelSpec, ScoreSpec

__all__ = ["ModelFactory", "ScoreFactory", "ColumnCox", "make_factory"]


class ModelFactory:
    """``factory(seed)`` → ``prognosis.models.make_model(kind, feature_set=..., **params)``.

    Every ``*random_state`` parameter of the pipeline is set to ``seed``.
    """

    def __init__(self, spec: ModelSpec):
        self.spec = spec

    def __call__(self, seed: int):
        from ..models import make_model

        est = make_model(self.spec.kind, feature_set=self.spec.features, **self.spec.params)
        upd = {k: int(seed) for k in est.get_params(deep=True) if k.endswith("random_state")}
        if upd:
            est.set_params(**upd)
        return est


class ColumnCox:
    """One-variable Cox model on a numeric column or a classic-score component.

    The value is taken from ``frame[column]`` or, for a score component
    ``<score>__<item>``, from ``prognosis.scores.compute(frame, score)``. Missing values are
    imputed by the training median; how many were imputed is kept in ``n_imputed_`` and shown
    in the report. Ties: Efron (lifelines). ``predict_survival`` uses the Breslow baseline as a
    right-continuous step function (no interpolation).
    """

    def __init__(self, column: str, score: str | None = None, options: dict | None = None):
        self.column = column
        self.score = score
        self.options = options or {}

    def _values(self, X: pd.DataFrame) -> np.ndarray:
        if self.score is not None:
            from ..scores import compute

            s = compute(X, self.score, **self.options)[self.column]
        else:
            s = X[self.column]
        return pd.to_numeric(pd.Series(s).astype("object"), errors="coerce").to_numpy(dtype=float)

    def fit(self, X: pd.DataFrame, y) -> ColumnCox:
        from lifelines import CoxPHFitter

        t, e = split_y(y)
        v = self._values(X)
        ok = np.isfinite(v)
        if not ok.any():
            raise ModelError(f"baseline {self.column!r}: no non-missing values to fit on")
        self.median_ = float(np.median(v[ok]))
        self.n_imputed_ = int((~ok).sum())
        v = np.where(ok, v, self.median_)
        self.center_ = float(v.mean())
        df = pd.DataFrame({"x": v - self.center_, "T": t, "E": e})
        if np.ptp(v) == 0:
            raise ModelError(f"baseline {self.column!r} is constant in the training data")
        cph = CoxPHFitter().fit(df, "T", "E")
        self.coef_ = float(cph.params_["x"])
        bch = cph.baseline_cumulative_hazard_
        self.bh_times_ = bch.index.to_numpy(dtype=float)
        self.bh_values_ = bch.iloc[:, 0].to_numpy(dtype=float)
        self.max_time_ = float(t.max())
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        if not hasattr(self, "coef_"):
            raise NotFittedError("ColumnCox is not fitted")
        v = self._values(X)
        v = np.where(np.isfinite(v), v, self.median_)
        return self.coef_ * (v - self.center_)

    def predict_survival(self, X: pd.DataFrame, times, truncate: bool = False) -> pd.DataFrame:
        """S(t | x); with ``truncate=True`` NaN at times beyond the training follow-up."""
        times = np.atleast_1d(np.asarray(times, dtype=float))
        lp = self.predict(X)
        H0 = step_evaluate(self.bh_times_, self.bh_values_, times, 0.0)
        S = np.exp(-np.outer(np.exp(lp), H0))
        if truncate:
            S[:, times > self.max_time_] = np.nan
        return pd.DataFrame(S, index=X.index, columns=times)


class ScoreFactory:
    """A classic-score total turned into a risk by a Cox model on the development data.

    Uses ``prognosis.models.ScoreModel(name, how="cox", options=..., missing=...)`` for totals, and
    :class:`ColumnCox` for components and plain columns.
    """

    def __init__(self, spec: ScoreSpec, how: str = "cox"):
        self.spec = spec
        self.how = how

    def __call__(self, seed: int):
        s = self.spec
        if s.kind == "score":
            from ..models import ScoreModel

            return ScoreModel(s.score, how=self.how, options=dict(s.options) or None, missing=s.missing)
        if s.kind == "component":
            return ColumnCox(s.name, score=s.score, options=s.options)
        return ColumnCox(s.column)


def make_factory(spec):
    """Factory for a :class:`ModelSpec` or :class:`ScoreSpec`."""
    return ModelFactory(spec) if isinstance(spec, ModelSpec) else ScoreFactory(spec)
