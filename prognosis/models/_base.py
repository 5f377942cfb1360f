"""Common behaviour of the survival estimators in :mod:`prognosis.models`.

Every model is a scikit-learn estimator taking ``X`` (numeric matrix, preferably a DataFrame
with named columns) and ``y`` (scikit-survival structured array or a DataFrame with
``time_months``/``event``). It exposes

- ``predict(X)``: risk score, higher = worse;
- ``predict_survival(X, times, truncate=False)``: DataFrame (rows = patients with ``X``'s
  index, columns = ``times`` in months) of S(t | x), a right-continuous step function of t
  evaluated exactly at ``times`` (never interpolated). Times beyond the training follow-up
  raise :class:`~prognosis.errors.ModelError` unless ``truncate=True``, which returns NaN for
  those columns (nothing is extrapolated);
- ``score(X, y)``: Harrell's C-index.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .._kernels import step_evaluate  # noqa: F401  (re-exported: models import it from here)
from ..errors import ArtifactError, InputError, ModelError, NotFittedError
from ..survival_data import split_y

__all__ = ["SurvivalModelMixin", "step_evaluate", "check_times", "check_params", "check_fitted", "constraints_of"]


def check_times(times) -> np.ndarray:
    """Validate prediction horizons: 1-D, finite, >= 0."""
    t = np.atleast_1d(np.asarray(times, dtype=float))
    if t.ndim != 1 or t.size == 0:
        raise InputError(f"times must be a non-empty 1-D sequence of months, got shape {t.shape}")
    if not np.all(np.isfinite(t)) or (t < 0).any():
        bad = t[~np.isfinite(t) | (t < 0)][0]
        raise InputError(f"times must be finite and >= 0 months, got {bad!r}")
    return t


def harrell_c(time, event, risk) -> float:
    """Harrell's C (R ``survival::concordance`` conventions) from :mod:`prognosis.metrics`."""
    from ..metrics import harrell_c as _hc

    return float(_hc(time, event, risk, warn_reversed=False))


def constraints_of(cls, names) -> dict:
    """The ``_parameter_constraints`` of a wrapped scikit-learn/-survival class for ``names``."""
    return {k: cls._parameter_constraints[k] for k in names}


def check_params(estimator) -> None:
    """Validate ``estimator``'s parameters against its ``_parameter_constraints``.

    scikit-learn's own validation (``BaseEstimator._validate_params``); its
    ``InvalidParameterError`` is re-raised as :class:`~prognosis.errors.ModelError` (a
    ``ValueError``) with the message phrased as "Class: param must be ...".
    """
    import re

    from sklearn.utils._param_validation import InvalidParameterError

    try:
        estimator._validate_params()
    except InvalidParameterError as exc:
        msg = re.sub(r"^The '(\w+)' parameter of (\w+) must be", r"\2: \1 must be", str(exc))
        raise ModelError(msg) from exc


def check_fitted(estimator, attributes=None) -> None:
    """``sklearn.utils.validation.check_is_fitted`` raising the package's :class:`NotFittedError`."""
    from sklearn.exceptions import NotFittedError as SklearnNotFittedError
    from sklearn.utils.validation import check_is_fitted

    try:
        check_is_fitted(estimator, attributes)
    except SklearnNotFittedError as exc:
        if isinstance(exc, NotFittedError):
            raise
        name = type(estimator).__name__
        raise NotFittedError(f"This {name} instance is not fitted yet; call fit(X, y) first") from exc


class SurvivalModelMixin:
    """Shared input checks, follow-up bookkeeping and the ``predict_survival`` contract.

    Subclasses implement ``_fit(X: ndarray, time, event)``, ``_risk(X: ndarray)`` and
    ``_survival(X: ndarray, times: ndarray) -> ndarray (n, len(times))``, and declare
    ``_parameter_constraints`` (scikit-learn's parameter-validation format), checked by ``fit``.
    Inputs go through ``sklearn.utils.validation.validate_data`` (dense, 2-D, numeric, at least
    2 samples and 1 feature, ``n_features_in_``/``feature_names_in_`` bookkeeping); missing
    values are reported by the model with their row and column.
    """

    _estimator_type = "survival"  # lets sklearn tooling recognise a non-classifier

    # -- input handling ----------------------------------------------------------------------
    def _feature_names(self) -> list[str]:
        """Column names seen in fit: ``feature_names_in_`` for a DataFrame, else ``x0, x1, ...``."""
        names = getattr(self, "feature_names_in_", None)
        if names is not None:
            return [str(c) for c in names]
        return [f"x{i}" for i in range(self.n_features_in_)]

    @staticmethod
    def _float_frame(X):
        """pandas nullable columns (Int64, Float64, boolean with ``pd.NA``) as float with NaN."""
        if isinstance(X, pd.DataFrame) and any(isinstance(d, pd.api.extensions.ExtensionDtype) for d in X.dtypes):
            return pd.DataFrame(X.to_numpy(dtype=float, na_value=np.nan), index=X.index, columns=X.columns)
        return X

    def _validate_fit_X(self, X) -> np.ndarray:
        from sklearn.utils.validation import validate_data

        arr = validate_data(self, self._float_frame(X), reset=True, dtype=np.float64,
                            ensure_all_finite=False, ensure_min_samples=2)
        self._check_finite(arr)
        return arr

    def _check_finite(self, arr: np.ndarray) -> None:
        bad = ~np.isfinite(arr)
        if bad.any():
            r, c = np.argwhere(bad)[0]
            names = self._feature_names() if hasattr(self, "n_features_in_") else []
            col = names[c] if c < len(names) else c
            raise InputError(f"X has a missing or non-finite value at row {r}, column {col!r} (NaN or inf); "
                             "impute first (e.g. make_pipeline(model) includes FeatureBuilder imputation)")

    def _validate_X(self, X) -> np.ndarray:
        from sklearn.utils.validation import validate_data

        check_fitted(self, "n_features_in_")
        if isinstance(X, pd.DataFrame) and getattr(self, "feature_names_in_", None) is not None:
            cols = [str(c) for c in X.columns]
            expected = self._feature_names()
            if cols != expected:
                missing = [c for c in expected if c not in cols]
                extra = [c for c in cols if c not in expected]
                msg = (
                    f"{type(self).__name__} was fitted on columns {expected[:6]}{'...' if len(expected) > 6 else ''}; "
                    f"input differs (missing {missing[:5]}, unexpected {extra[:5]}"
                    f"{', or different order' if not missing and not extra else ''})"
                )
                if getattr(self, "loaded_from_artifact_", False):
                    raise ArtifactError("feature spec of the saved model does not match the input: " + msg)
                raise ModelError(msg)
        arr = validate_data(self, self._float_frame(X), reset=False, dtype=np.float64, ensure_all_finite=False,
                            ensure_min_samples=0)  # predicting for no patient gives an empty result
        self._check_finite(arr)
        return arr

    @staticmethod
    def _split_y(y, n: int) -> tuple[np.ndarray, np.ndarray]:
        if y is None:
            raise InputError("this survival model requires y to be passed, but the target y is None")
        time, event = split_y(y)
        if len(time) != n:
            raise InputError(f"X has {n} rows but y has {len(time)}")
        if (time <= 0).any():
            i = int(np.flatnonzero(time <= 0)[0])
            raise InputError(f"time_months must be > 0; row {i} has {time[i]!r}")
        if event.sum() == 0:
            raise ModelError("y has no events; a survival model cannot be fitted")
        return time, event

    # -- public API ----------------------------------------------------------------------------
    def fit(self, X, y):
        """Fit the model.

        Parameters
        ----------
        X : DataFrame or array, shape (n, p)
            Numeric covariates (named columns are kept for ``predict`` checks).
        y : structured array or DataFrame
            Survival outcome: ``event`` (bool/0-1) and ``time_months`` (> 0), e.g. from
            :func:`prognosis.survival_data.y_from_frame`.

        Returns
        -------
        self
        """
        check_params(self)
        arr = self._validate_fit_X(X)
        time, event = self._split_y(y, arr.shape[0])
        self.max_time_ = float(time.max())
        self.max_event_time_ = float(time[event == 1].max())
        self._fit(arr, time, event)
        return self

    def predict(self, X) -> np.ndarray:
        """Risk score (higher = worse), shape (n,).

        Parameters
        ----------
        X : DataFrame or array, shape (n, p)
            The columns the model was fitted on.

        Returns
        -------
        ndarray of float, shape (n,)
        """
        return np.asarray(self._risk(self._validate_X(X)), dtype=float)

    def predict_survival(self, X, times, truncate: bool = False) -> pd.DataFrame:
        """S(t | x) at ``times`` (months): rows = patients (index of ``X``), columns = times.

        Parameters
        ----------
        X : DataFrame or array
        times : sequence of float
            Horizons in months; evaluated exactly (step function, no interpolation).
        truncate : bool, default False
            If False, a horizon beyond the training follow-up (the largest observed time)
            raises :class:`ModelError`; if True those columns are NaN.

        Returns
        -------
        DataFrame
            S(t | x): one row per patient (index of ``X``), one column per time (float months).
        """
        arr = self._validate_X(X)
        t = check_times(times)
        beyond = t > self.max_time_
        if beyond.any() and not truncate:
            raise ModelError(f"time {t[beyond][0]:g} months is beyond the training follow-up "
                             f"({self.max_time_:.4g} months); survival there is not estimable. "
                             "Pass truncate=True to get NaN for such horizons.")
        surv = np.full((arr.shape[0], t.size), np.nan)
        ok = ~beyond
        if ok.any():
            surv[:, ok] = self._survival(arr, t[ok])
        index = X.index if isinstance(X, pd.DataFrame) else pd.RangeIndex(arr.shape[0])
        return pd.DataFrame(surv, index=index, columns=pd.Index(t, name="time_months"))

    def score(self, X, y) -> float:
        """Harrell's C-index of ``predict(X)`` against ``y``."""
        time, event = split_y(y)
        return harrell_c(time, event, self.predict(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags
