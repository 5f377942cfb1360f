"""The report's "Missing data" section: method and m, missingness pattern, FMI, complete case vs MI.

Reads only aggregate tables of ``StudyResult.imputation`` (never patient rows).
"""
from __future__ import annotations

import pandas as pd

__all__ = ["imputation_context"]


def _html(df: pd.DataFrame, index: bool = False) -> str:
    if df is None or not len(df):
        return ""
    return df.to_html(index=index, border=0, classes="table", na_rep="–", float_format=lambda v: f"{v:.3g}")


def imputation_context(result) -> dict | None:
    """Template variables of the section (None when the study has no imputation summary)."""
    imp = getattr(result, "imputation", None) or {}
    if not imp:
        return None
    pattern = imp.get("pattern")
    if isinstance(pattern, pd.DataFrame) and len(pattern) > 12:
        # the commonest patterns and the per-column totals; the full table is in the result
        pattern = pd.concat([pattern.drop(index="missing").nlargest(10, "n"), pattern.loc[["missing"]]])
    return {
        "method": imp["method"], "m": imp.get("m"), "maxit": imp.get("maxit"), "description": imp["description"],
        "n": imp.get("n"), "n_complete": imp.get("n_complete"), "n_excluded": imp.get("n_excluded", 0),
        "missing": _html(imp.get("missing")), "pattern": _html(pattern, index=True),
        "fmi": _html(imp.get("fmi")), "comparison": _html(imp.get("comparison")),
        "convergence": _html(imp.get("convergence")),
        "engine_used": _html(imp.get("engine_used")),
    }
