"""Survival scorers for scikit-learn model selection (``cross_validate``, ``GridSearchCV``).

``make_scorer(name, **options)`` returns a callable ``scorer(estimator, X, y) -> float`` where
greater is better (error metrics are negated, as scikit-learn's ``neg_*`` scorers), computed by
:mod:`prognosis.metrics` on the held-out fold. ``y`` is the survival structured array (or a
DataFrame with ``time_months``/``event``).

Note: inside a scorer only the held-out fold is visible, so IPCW weights (Uno's C, Brier, IBS,
AUC) use the Kaplan-Meier censoring distribution of that fold (the metrics' default).
"""
from __future__ import annotations

import numpy as np

from ..errors import InputError
from ..survival_data import split_y

__all__ = ["make_scorer", "SCORERS"]


def _metric(name: str):
    """A metric function of :mod:`prognosis.metrics`."""
    import prognosis.metrics as metrics

    return getattr(metrics, name)


class _SurvivalScorer:
    """Callable scorer with a readable repr (picklable, unlike a closure)."""

    def __init__(self, name: str, options: dict):
        self.name = name
        self.options = dict(options)

    def __repr__(self) -> str:
        opts = ", ".join(f"{k}={v!r}" for k, v in self.options.items())
        return f"make_scorer({self.name!r}{', ' if opts else ''}{opts})"

    def __call__(self, estimator, X, y) -> float:
        time, event = split_y(y)
        o = self.options
        if self.name == "harrell_c":
            return float(_metric("harrell_c")(time, event, estimator.predict(X), warn_reversed=False))
        if self.name == "uno_c":
            return float(_metric("uno_c")(time, event, estimator.predict(X), tau=o.get("tau")))
        if self.name == "auc":
            return float(_metric("time_dependent_auc")(time, event, estimator.predict(X), o["t"]))
        if self.name == "brier":
            s = estimator.predict_survival(X, [o["t"]]).to_numpy()[:, 0]
            return -float(_metric("brier_score")(time, event, s, o["t"]))
        if self.name == "ibs":
            times = np.asarray(o["times"], float)
            s = estimator.predict_survival(X, times).to_numpy()
            return -float(_metric("integrated_brier_score")(time, event, s, times))
        if self.name == "ipa":
            s = estimator.predict_survival(X, [o["t"]]).to_numpy()[:, 0]
            return float(_metric("ipa")(time, event, s, o["t"]))
        raise InputError(f"unknown scorer {self.name!r}")  # pragma: no cover - checked in make_scorer


#: scorer name -> required options
SCORERS = {"harrell_c": (), "uno_c": (), "auc": ("t",), "brier": ("t",), "ibs": ("times",), "ipa": ("t",)}


def make_scorer(name: str, **options) -> _SurvivalScorer:
    """Scorer for ``cross_validate`` / ``GridSearchCV`` (greater is better).

    Parameters
    ----------
    name : {"harrell_c", "uno_c", "auc", "brier", "ibs", "ipa"}
        ``uno_c`` takes ``tau`` (months); ``auc``, ``brier`` and ``ipa`` take ``t``; ``ibs``
        takes ``times``. ``brier`` and ``ibs`` are returned negated (greater is better).

    Examples
    --------
    >>> from sklearn.model_selection import cross_validate
    >>> cross_validate(model, X, y, scoring={"uno": make_scorer("uno_c", tau=12)})  # doctest: +SKIP
    """
    if name not in SCORERS:
        raise InputError(f"unknown scorer {name!r}; choose one of {sorted(SCORERS)}")
    missing = [k for k in SCORERS[name] if k not in options]
    if missing:
        raise InputError(f"scorer {name!r} needs option(s) {missing}")
    allowed = set(SCORERS[name]) | ({"tau"} if name == "uno_c" else set())
    extra = set(options) - allowed
    if extra:
        raise InputError(f"scorer {name!r} does not take option(s) {sorted(extra)}")
    return _SurvivalScorer(name, options)
