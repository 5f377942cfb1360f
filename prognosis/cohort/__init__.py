"""Cohort layer: canonical schema, readers, mapping, harmonization and audit."""
from .cohort import Cohort, CohortSummary
from .harmonize import read_cohort
from .schema import CANONICAL_COLUMNS, COLUMNS, SCHEMA_VERSION
from .validate import validate_frame

__all__ = ["Cohort", "CohortSummary", "read_cohort", "validate_frame", "CANONICAL_COLUMNS", "COLUMNS",
           "SCHEMA_VERSION"]
