"""Literature-calibrated simulator of spinal-metastasis cohorts with a known truth.

- :func:`simulate_cohort` - a canonical :class:`~prognosis.cohort.Cohort` plus ``true_lp``;
- :func:`true_survival`, :func:`oracle` - true S(t | x) and the best achievable C-index;
- :func:`true_design` - the covariate coding of the true hazard model;
- :func:`load_parameters`, :func:`citations` - the cited parameter file ``parameters.yaml``.
"""
from __future__ import annotations

from .generator import KPS_TO_ECOG, simulate_cohort, site_alphas
from .params import PRESETS, citations, load_parameters
from .truth import DESIGN_COLUMNS, MOLECULAR_DESIGN_COLUMNS, OracleResult, log_hazard_ratios, oracle, true_design, true_linear_predictor, true_survival

__all__ = [
    "simulate_cohort", "true_survival", "oracle", "OracleResult", "true_design", "true_linear_predictor",
    "DESIGN_COLUMNS", "MOLECULAR_DESIGN_COLUMNS", "log_hazard_ratios", "load_parameters", "citations", "PRESETS", "site_alphas", "KPS_TO_ECOG",
]
