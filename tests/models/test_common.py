"""scikit-learn's common estimator checks over every survival model, through a survival-y adapter.

``sklearn.utils.estimator_checks`` feeds classification/regression targets; a survival model
needs ``(event, time)``. :func:`survival_adapted` subclasses each model so that ``fit`` and
``score`` turn a 1-D numeric ``y`` into a structured survival array elementwise (time =
``exp(y)`` clipped, so the order of ``y`` is kept and subsets map identically; every
observation is an event), and pass a survival ``y`` through untouched. Everything else --
parameters, input validation, fitted-state checks, tags -- is the model's own, so a failing
check is the model's failure.

Expected failures are listed with their reason; scikit-survival's own models fail 0 (Cox),
2 (random survival forest) and 0 (gradient boosting) of these checks with the same adapter.

``ScoreModel`` and ``SurvivalPipeline`` are not run: their ``X`` is the canonical cohort frame
(named clinical columns), not an arbitrary numeric matrix, so the generic checks do not apply.
"""
from __future__ import annotations

import numpy as np
from sklearn.utils.estimator_checks import parametrize_with_checks

from prognosis import models as _models
from prognosis.survival_data import make_y


def _to_survival_y(y):
    if y is None:  # the model itself must refuse a missing target
        return None
    y = np.asarray(y)
    if y.dtype.names is not None:
        return y
    if y.dtype.kind not in "biuf":  # string class labels -> codes
        y = np.unique(y, return_inverse=True)[1]
    y = np.asarray(y, dtype=float).ravel()
    return make_y(np.exp(np.clip(y, -30.0, 30.0)), np.ones(y.shape[0]))


def survival_adapted(cls):
    """A subclass of ``cls`` whose ``fit``/``score`` accept a plain numeric ``y``."""

    def fit(self, X, y, **kw):
        return cls.fit(self, X, _to_survival_y(y), **kw)

    def score(self, X, y):
        return cls.score(self, X, _to_survival_y(y))

    return type(cls.__name__, (cls,), {"fit": fit, "score": score, "__module__": __name__,
                                       "__doc__": cls.__doc__})


# module-level names equal to the class names, so the adapted classes pickle
CoxModel = survival_adapted(_models.CoxModel)
RandomSurvivalForestModel = survival_adapted(_models.RandomSurvivalForestModel)
GradientBoostingSurvivalModel = survival_adapted(_models.GradientBoostingSurvivalModel)

#: check name -> reason, per estimator class. Kept to at most scikit-survival's own count.
EXPECTED_FAILED_CHECKS = {
    "CoxModel": {},
    "RandomSurvivalForestModel": {},
    "GradientBoostingSurvivalModel": {},
}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


ESTIMATORS = [
    CoxModel(),
    RandomSurvivalForestModel(n_estimators=10, time_grid=16, min_samples_leaf=3),
    GradientBoostingSurvivalModel(n_estimators=10),
]


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
