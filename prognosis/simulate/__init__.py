"""Literature-calibrated simulator of spinal-metastasis cohorts with a known truth.

- :func:`simulate_cohort` - a canonical :class:`~prognosis.cohort.Cohort` plus ``true_lp``;
- :func:`true_survival`, :func:`oracle` - true S(t | x) and the best achievable C-index;
- :func:`true_design` - the covariate coding of the true hazard model;
- :func:`load_parameters`, :func:`citations`, :func:`truth_table` - the cited parameter file
  ``parameters.yaml`` and the true model as a table.

The true model (both presets; t in months from the time origin)::

    S(t | x) = exp(-t ** k * exp(true_lp)),   k = weibull_shape (0.85 surgical, 0.80 RT)
    true_lp  = alpha[primary_site] + sum_j log(HR_j) * x_j

with the 17 terms x_j of :func:`true_design` (KPS per 10 points, age per 10 years, male,
visceral removable / unremovable, brain, non-ambulatory, extraspinal bone, >= 2 vertebrae, the
albumin hinge ``max(0, 3.5 - albumin)``, targeted therapy, lung actionable driver, targeted x
lung actionable, breast triple-negative, breast HER2+, prostate castration-resistant, melanoma
BRAF V600). ``alpha`` is solved so each primary's marginal median equals the cited median.
Molecular effects act through the TRUE marker status, also when the recorded value is
``unknown`` (untested). Example::

    >>> from prognosis.simulate import simulate_cohort, oracle
    >>> cohort = simulate_cohort(1000, seed=1, preset="surgical")
    >>> round(oracle(cohort).c_index, 2) > 0.7
    True
"""
from __future__ import annotations

from .generator import KPS_TO_ECOG, simulate_cohort, site_alphas
from .params import PRESETS, citations, load_parameters
from .truth import (
    CODING,
    DESIGN_COLUMNS,
    MOLECULAR_DESIGN_COLUMNS,
    OracleResult,
    log_hazard_ratios,
    oracle,
    true_design,
    true_linear_predictor,
    true_survival,
    truth_table,
)

__all__ = [
    "simulate_cohort",
    "true_survival",
    "oracle",
    "OracleResult",
    "true_design",
    "true_linear_predictor",
    "truth_table",
    "CODING",
    "DESIGN_COLUMNS",
    "MOLECULAR_DESIGN_COLUMNS",
    "log_hazard_ratios",
    "load_parameters",
    "citations",
    "PRESETS",
    "site_alphas",
    "KPS_TO_ECOG",
]
