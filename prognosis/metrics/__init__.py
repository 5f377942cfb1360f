"""Survival metrics that agree with R (survival, riskRegression, rms).

Conventions everywhere: ``risk`` is higher = worse (earlier death); ``surv`` is a predicted
probability of being alive at t, S(t | x); time in months; event 1 = death, 0 = censored.
Degenerate inputs raise :class:`prognosis.errors.MetricInputError`.

:mod:`prognosis.metrics.catalogue` is the one registry of the measures a study computes and a
report shows (name, label, group, per-horizon, direction, function, decimals).
"""
from __future__ import annotations

from . import catalogue
from ._cox import cox_zph
from .auc import time_dependent_auc
from .bootstrap import BootstrapResult, PairedBootstrapResult, bootstrap, paired_bootstrap, resample_indices
from .brier import brier_score, integrated_brier_score, ipa
from .calibration import CalibrationResult, calibration
from .catalogue import Measure, MeasureData
from .concordance import ConcordanceResult, concordance_indices, harrell_c, uno_c
from .decision import net_benefit
from .km import KaplanMeier, censoring_km, kaplan_meier, km_at
from .plots import plot_calibration, plot_decision_curve, plot_kaplan_meier, plot_metric_over_time
from .rms_indices import gini_mean_difference, rms_indices

__all__ = [
    "harrell_c", "uno_c", "concordance_indices", "ConcordanceResult",
    "time_dependent_auc", "brier_score", "integrated_brier_score", "ipa",
    "calibration", "CalibrationResult",
    "net_benefit", "cox_zph", "rms_indices", "gini_mean_difference",
    "bootstrap", "paired_bootstrap", "BootstrapResult", "PairedBootstrapResult",
    "resample_indices",
    "kaplan_meier", "km_at", "censoring_km", "KaplanMeier",
    "plot_calibration", "plot_metric_over_time", "plot_decision_curve", "plot_kaplan_meier",
    "catalogue", "Measure", "MeasureData",
]
