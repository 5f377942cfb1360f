"""Predictions of one fitted predictor on one data set, computed once and reused.

A study needs, for every fitted predictor and every data set it is evaluated on (development,
a bootstrap replicate's original data, the external cohort), the risk score and S(t) at every
time any measure asks for: the study horizons (C-indices, AUC, Brier, IPA, calibration), and
the decision-curve horizons. :class:`Predictions` holds them; the apparent and test
evaluations, the calibration curves, the decision curves and external validation all read
from it instead of calling ``predict`` / ``predict_survival`` (and so the feature transform of
a pipeline) again. Predictions are row-wise, so a resample's are ``preds.take(idx)``.

S(t) is computed with ``truncate=True`` (NaN at times beyond the fit's follow-up): where an
untruncated call would succeed the values are the same, and a horizon a bootstrap fit cannot
reach loses only the measures at that horizon.
"""
from __future__ import annotations

import contextlib
import weakref
from contextvars import ContextVar

import numpy as np

__all__ = ["Predictions", "predict_once", "transform_once", "cached_predictions", "reuse_predictions"]


class Predictions:
    """Risk (higher = worse) and S(t) of one fitted predictor on one data set.

    Attributes
    ----------
    risk : ndarray (n,)
    times : ndarray (k,)
        The times at which S(t) was computed (months, sorted, unique).
    surv : ndarray (n, k)
        S(t | x); NaN at times beyond the fit's follow-up.
    """

    __slots__ = ("risk", "times", "surv")

    def __init__(self, risk: np.ndarray, times: np.ndarray, surv: np.ndarray):
        self.risk = np.asarray(risk, dtype=float)
        self.times = np.asarray(times, dtype=float)
        self.surv = np.asarray(surv, dtype=float).reshape(self.risk.size, self.times.size)

    def __len__(self) -> int:
        return self.risk.size

    def __repr__(self) -> str:
        return f"Predictions(n={self.risk.size}, times={self.times.tolist()})"

    def columns(self, times) -> np.ndarray:
        """Column positions of ``times`` in :attr:`surv` (each must have been computed)."""
        times = np.atleast_1d(np.asarray(times, dtype=float))
        pos = np.searchsorted(self.times, times)
        ok = (pos < self.times.size) & (self.times[np.minimum(pos, self.times.size - 1)] == times) \
            if self.times.size else np.zeros(times.size, dtype=bool)
        if not np.all(ok):
            raise KeyError(f"S(t) was not computed at {times[~ok].tolist()} (computed: {self.times.tolist()})")
        return pos

    def at(self, times) -> np.ndarray:
        """S(t | x) at ``times``, shape (n, len(times))."""
        return self.surv[:, self.columns(times)]

    def take(self, idx: np.ndarray) -> Predictions:
        """The predictions of rows ``idx`` (a resample)."""
        return Predictions(self.risk[idx], self.times, self.surv[idx])


def transform_once(est, X):
    """``(final_step, Xt)``: a scikit-learn pipeline's transforms applied once to ``X``.

    For any other estimator ``(est, X)``. ``final_step.predict(Xt)`` equals ``est.predict(X)``
    (a ``Pipeline`` computes exactly this), without transforming ``X`` once per call.
    """
    steps = getattr(est, "steps", None)
    if not steps or not hasattr(est, "_iter"):
        return est, X
    Xt = X
    for _, _, step in est._iter(with_final=False):
        Xt = step.transform(Xt)
    return steps[-1][1], Xt


def predict_once(est, X, times) -> Predictions:
    """Risk and S(t) (truncated at the fit's follow-up) of ``est`` on ``X`` at ``times``."""
    times = np.unique(np.asarray(list(times), dtype=float))
    final, Xt = transform_once(est, X)
    risk = np.asarray(final.predict(Xt), dtype=float)
    if not times.size:
        return Predictions(risk, times, np.empty((risk.size, 0)))
    return Predictions(risk, times, _survival(final, Xt, times))


def _survival(est, X, times: np.ndarray) -> np.ndarray:
    try:
        S = est.predict_survival(X, list(times), truncate=True)
    except TypeError:          # an estimator without the truncate option
        S = est.predict_survival(X, list(times))
    return np.asarray(S, dtype=float)


class _Store:
    """Predictions keyed by the identity of ``(estimator, data set)``, held while both are alive.

    Keys are ``id``s checked against weak references (an ``id`` reused by a new object after
    the old one died is a miss, never a wrong hit); an entry is dropped when its estimator is
    garbage-collected, so refits inside bootstrap replicates do not accumulate.
    """

    def __init__(self):
        self._entries: dict[tuple[int, int], tuple] = {}

    def get(self, est, X, times: np.ndarray) -> Predictions | None:
        ent = self._entries.get((id(est), id(X)))
        if ent is None or ent[0]() is not est or ent[1]() is not X:
            return None
        p = ent[2]
        return p if np.isin(times, p.times).all() else None

    def put(self, est, X, preds: Predictions) -> None:
        key = (id(est), id(X))
        try:
            refs = (weakref.ref(est), weakref.ref(X))
        except TypeError:       # not weak-referenceable: not cached
            return
        self._entries[key] = (*refs, preds)
        weakref.finalize(est, self._entries.pop, key, None)

    def __len__(self) -> int:
        return len(self._entries)


_STORE: ContextVar[_Store | None] = ContextVar("prognosis_study_predictions", default=None)


@contextlib.contextmanager
def reuse_predictions():
    """Inside the block, :func:`cached_predictions` computes each ``(estimator, data set)`` once.

    :func:`prognosis.study.run` opens one for the whole study: the apparent evaluation, the
    replicates' full-data predictions, calibration and decision curves and external validation
    then share one :class:`Predictions` per fitted predictor and cohort. Nested blocks share
    the outer store. Worker processes have none and simply compute.
    """
    if _STORE.get() is not None:
        yield _STORE.get()
        return
    token = _STORE.set(_Store())
    try:
        yield _STORE.get()
    finally:
        _STORE.reset(token)


def cached_predictions(est, X, times) -> Predictions:
    """:func:`predict_once`, reused within a :func:`reuse_predictions` block.

    A cached entry lacking some of ``times`` is recomputed at the union of both sets of times.
    """
    times = np.unique(np.asarray(list(times), dtype=float))
    store = _STORE.get()
    if store is None:
        return predict_once(est, X, times)
    hit = store.get(est, X, times)
    if hit is not None:
        return hit
    old = store.get(est, X, np.empty(0))
    if old is not None:
        times = np.union1d(times, old.times)
    preds = predict_once(est, X, times)
    store.put(est, X, preds)
    return preds
