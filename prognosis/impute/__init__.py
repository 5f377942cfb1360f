"""Missing data: multiple imputation by chained equations and Rubin's rules.

Layer: ``cohort -> impute -> features -> models``. The imputer transforms the canonical cohort
frame into m completed canonical frames (same columns and vocabularies), so every later stage
(scores, FeatureBuilder, models) runs unchanged on each of them.

- :class:`MultipleImputer` -- chained equations with the outcome (event, Nelson-Aalen H) in the
  imputation models, PMM / logistic / multinomial draws, convergence diagnostics, and
  outcome-free models for new patients;
- :func:`pool` -> :class:`PooledResult` -- Rubin's rules with Barnard-Rubin df, as R ``mice::pool``;
- :func:`missing_pattern`, :func:`nelson_aalen_at`.
"""
from .chained import MultipleImputer, missing_pattern, nelson_aalen_at
from .pool import PooledResult, barnard_rubin_df, pool

__all__ = ["MultipleImputer", "pool", "PooledResult", "barnard_rubin_df", "missing_pattern", "nelson_aalen_at"]
