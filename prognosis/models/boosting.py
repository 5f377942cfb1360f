"""Gradient-boosted Cox model (scikit-survival ``GradientBoostingSurvivalAnalysis``, loss "coxph").

Choice: scikit-survival rather than xgboost ``survival:cox`` because it is already a
dependency, fits the same partial-likelihood loss, provides the Breslow baseline hazard
(``predict_survival_function``) and serialises with skops without a foreign binary format.
This is the learner family of the SORG machine-learning algorithms (Karhade AV et al., Spine J
2019;19:976-83 used stochastic gradient boosting).
"""
from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator

from ._base import SurvivalModelMixin, step_evaluate
from ..survival_data import make_y

__all__ = ["GradientBoostingSurvivalModel"]


class GradientBoostingSurvivalModel(SurvivalModelMixin, BaseEstimator):
    """Gradient boosting of regression trees on the Cox partial likelihood.

    Parameters as in :class:`sksurv.ensemble.GradientBoostingSurvivalAnalysis` (defaults: 200
    trees of depth 3, learning rate 0.05, ``subsample=0.8`` -- stochastic boosting,
    ``min_samples_leaf=10``). S(t | x) uses the Breslow baseline on the training event times.
    """

    def __init__(self, n_estimators: int = 200, learning_rate: float = 0.05, max_depth: int = 3,
                 min_samples_leaf: int = 10, subsample: float = 0.8, max_features=None,
                 dropout_rate: float = 0.0, random_state: int = 0):
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.subsample = subsample
        self.max_features = max_features
        self.dropout_rate = dropout_rate
        self.random_state = random_state

    def _fit(self, X, time, event):
        from sksurv.ensemble import GradientBoostingSurvivalAnalysis

        self.booster_ = GradientBoostingSurvivalAnalysis(
            loss="coxph", n_estimators=self.n_estimators, learning_rate=self.learning_rate,
            max_depth=self.max_depth, min_samples_leaf=self.min_samples_leaf,
            subsample=self.subsample, max_features=self.max_features,
            dropout_rate=self.dropout_rate, random_state=self.random_state,
        ).fit(X, make_y(time, event))

    def _risk(self, X):
        return self.booster_.predict(X)

    def _survival(self, X, times):
        fns = self.booster_.predict_survival_function(X, return_array=True)
        grid = self.booster_.unique_times_
        return step_evaluate(grid, np.asarray(fns), times, 1.0)
