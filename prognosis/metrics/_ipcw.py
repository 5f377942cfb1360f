"""Inverse-probability-of-censoring weights shared by AUC and Brier (riskRegression conventions)."""
from __future__ import annotations

import numpy as np

from ..errors import MetricInputError
from ._checks import check_survival
from .km import censoring_km


def ipcw_setup(t, e, train_time, train_event):
    """Censoring KM from the training data (default: the test data itself)."""
    if (train_time is None) != (train_event is None):
        raise MetricInputError("give both train_time and train_event, or neither")
    if train_time is None:
        return censoring_km(t, e)
    tt, te = check_survival(train_time, train_event, prefix="train_", require_event=False)
    return censoring_km(tt, te)


def ipcw_weights(G, t, e, h: float):
    """Weights at horizon h as riskRegression::Score (cens.model = "km", marginal):

    deaths with time <= h get 1 / G(time-), patients still under observation after h get
    1 / G(h), patients censored at or before h get 0.
    Returns (w_case, w_control, case_mask, control_mask).
    """
    case = (t <= h) & (e == 1)
    ctrl = t > h
    g_sub = G(t[case], left=True)
    g_h = float(G(h))
    if (g_sub <= 0).any() or (ctrl.any() and g_h <= 0):
        raise MetricInputError(
            f"censoring survival G reaches 0 before horizon {h:g}: every patient still at risk "
            "was censored; choose an earlier horizon")
    return 1.0 / g_sub, (1.0 / g_h if ctrl.any() else 0.0), case, ctrl
