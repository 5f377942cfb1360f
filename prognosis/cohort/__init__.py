"""Cohort layer: canonical schema, readers, mapping, harmonization and audit."""
from .cohort import Cohort
from .schema import CANONICAL_COLUMNS, COLUMNS, SCHEMA_VERSION

__all__ = ["Cohort", "CANONICAL_COLUMNS", "COLUMNS", "SCHEMA_VERSION"]
