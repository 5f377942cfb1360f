"""Lazy validation of a canonical cohort frame against the schema.

:func:`validate_frame` collects *every* failure (types, ranges, vocabularies, required values,
unique ``patient_id`` within a cohort, ``entry_months < time_months``) into one table and raises
a single :class:`~prognosis.errors.SchemaError` whose ``failures`` holds it.

Why not pandera: the schema already lives as data in :mod:`prognosis.cohort.schema`, the checks
are a dozen vectorized pandas expressions, and the failure table must use the package's audit
vocabulary (row positions, never patient identifiers — pandera's failure cases would print the
offending ``patient_id`` values). A second schema definition in pandera would have to be kept in
sync by hand, so this module reads the one in ``schema.py`` instead.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import SchemaError
from .schema import COLUMNS, Column

__all__ = ["validate_frame", "range_reason", "out_of_range"]

FAILURE_COLUMNS = ("row", "column", "value", "reason")


def _fmt(x) -> str:
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def range_reason(col: Column) -> str:
    """Human text of a column's allowed range, e.g. ``'0–100'`` or ``'> 0'``."""
    lo, hi = col.min, col.max
    if lo is not None and hi is not None:
        return f"{_fmt(lo)}–{_fmt(hi)}"
    if lo is not None:
        return f"{'>=' if col.min_inclusive else '>'} {_fmt(lo)}"
    if hi is not None:
        return f"<= {_fmt(hi)}"
    return "any"


def out_of_range(values: pd.Series, col: Column) -> np.ndarray:
    """Boolean mask of non-NA numeric ``values`` outside ``col``'s range."""
    v = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
    bad = np.zeros(v.shape, dtype=bool)
    ok = ~np.isnan(v)
    if col.min is not None:
        bad |= ok & ((v < col.min) if col.min_inclusive else (v <= col.min))
    if col.max is not None:
        bad |= ok & (v > col.max)
    return bad


def _failures(rows, column, values, reason) -> pd.DataFrame:
    rows = np.asarray(rows)
    if column == "patient_id":
        values = ["<patient_id>"] * len(rows)  # never print identifiers
    return pd.DataFrame({"row": rows, "column": column,
                         "value": pd.Series(values, dtype="object").astype(str).to_numpy(), "reason": reason})


def _as_numbers(s: pd.Series, na: np.ndarray) -> pd.Series:
    """float64 view of a column (NaN where NA or not a number)."""
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        # numeric dtypes (float64, Int64, Float64, ...): the same values as the text round trip below
        return pd.Series(s.to_numpy(dtype="float64", na_value=np.nan), index=s.index)
    return pd.to_numeric(s.astype("object").where(~na, None), errors="coerce").astype("float64")


def _numeric_failures(col: Column, s: pd.Series, na: np.ndarray, pos: np.ndarray) -> list[pd.DataFrame]:
    parts = []
    num = _as_numbers(s, na)
    notnum = ~na & num.isna().to_numpy()
    if notnum.any():
        parts.append(_failures(pos[notnum], col.name, s[notnum], f"{col.name} is not a number"))
    if col.kind == "int":
        v = num.to_numpy()
        frac = ~np.isnan(v) & (np.floor(v) != v)
        if frac.any():
            parts.append(_failures(pos[frac], col.name, s[frac], f"{col.name} must be a whole number"))
        huge = ~np.isnan(v) & (np.abs(v) > 2.0 ** 53)  # beyond exact float integers / Int64
        if huge.any():
            parts.append(_failures(pos[huge], col.name, s[huge], f"{col.name} is too large to be a count"))
    oor = out_of_range(num, col)
    if oor.any():
        parts.append(_failures(pos[oor], col.name, s[oor], f"{col.name} outside {range_reason(col)}"))
    return parts


def _category_failures(col: Column, s: pd.Series, na: np.ndarray, pos: np.ndarray) -> list[pd.DataFrame]:
    if isinstance(s.dtype, pd.CategoricalDtype) and set(s.cat.categories) <= set(col.categories):
        return []  # fast path: a conformed categorical cannot hold other values
    bad = ~na & ~s.astype("object").isin(col.categories).to_numpy()
    if not bad.any():
        return []
    return [_failures(pos[bad], col.name, s[bad], f"{col.name} not one of {', '.join(col.categories)}")]


def _bool_failures(col: Column, s: pd.Series, na: np.ndarray, pos: np.ndarray) -> list[pd.DataFrame]:
    if pd.api.types.is_bool_dtype(s.dtype):
        return []  # bool / boolean dtype holds only True, False, NA
    bad = ~na & ~s.astype("object").isin([True, False, 0, 1]).to_numpy()
    return [_failures(pos[bad], col.name, s[bad], f"{col.name} must be true/false")] if bad.any() else []


_BY_KIND = {"float": _numeric_failures, "int": _numeric_failures, "category": _category_failures,
            "bool": _bool_failures}


def _duplicate_ids(cohort: pd.Series, ids: pd.Series) -> np.ndarray:
    """Rows whose (cohort, patient_id) occurs more than once (patient_id present)."""
    if len(cohort) and cohort.notna().all() and (cohort == cohort.iloc[0]).all():
        dup = ids.astype("object").duplicated(keep=False).to_numpy()  # one cohort: the id alone is the key
    else:
        dup = pd.DataFrame({"c": cohort.astype("object"), "p": ids.astype("object")}).duplicated(keep=False).to_numpy()
    return dup & ids.notna().to_numpy()


def _row_failures(frame: pd.DataFrame, pos: np.ndarray) -> list[pd.DataFrame]:
    """Checks across columns: unique patient_id within a cohort, entry before end of follow-up."""
    parts = []
    if {"patient_id", "cohort"} <= set(frame.columns):
        dup = _duplicate_ids(frame["cohort"], frame["patient_id"])
        if dup.any():
            parts.append(_failures(pos[dup], "patient_id", [""] * int(dup.sum()),
                                   "duplicate patient_id within cohort"))
    if {"entry_months", "time_months"} <= set(frame.columns):
        e = pd.to_numeric(frame["entry_months"], errors="coerce").astype("float64").to_numpy()
        t = pd.to_numeric(frame["time_months"], errors="coerce").astype("float64").to_numpy()
        bad = ~np.isnan(e) & ~np.isnan(t) & (e >= t)
        if bad.any():
            parts.append(_failures(pos[bad], "entry_months", frame["entry_months"][bad],
                                   "entry_months must be < time_months"))
    return parts


def _raise(parts: list[pd.DataFrame], where: str) -> None:
    failures = pd.concat(parts, ignore_index=True).sort_values(["row", "column"], kind="stable")
    failures = failures.reset_index(drop=True)
    first = failures.head(3).apply(
        lambda r: (f"row {r['row']}" if r["row"] >= 0 else "table") + f": {r['reason']}"
        + (f" (got {r['value']!r})" if r["value"] not in ("", "<patient_id>") else ""), axis=1)
    more = f" and {len(failures) - 3} more" if len(failures) > 3 else ""
    raise SchemaError(f"{len(failures)} schema failure(s){where}: " + "; ".join(first) + more
                      + " (see .failures)", failures=failures)


def validate_frame(frame: pd.DataFrame, *, source: str | None = None) -> None:
    """Check a canonical cohort frame; raise :class:`SchemaError` listing every failure.

    Parameters
    ----------
    frame : DataFrame
        A table with canonical column names (extra columns are ignored). Rows are reported by
        position (0-based), never by ``patient_id``.
    source : str, optional
        Name used in the error message (file name or cohort label).

    Raises
    ------
    SchemaError
        With ``failures``: DataFrame(row, column, value, reason), one row per failing cell.
    """
    where = f" in {source}" if source else ""
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(f"expected a DataFrame{where}, got {type(frame).__name__}",
                          failures=pd.DataFrame(columns=list(FAILURE_COLUMNS)))
    parts: list[pd.DataFrame] = []
    pos = np.arange(len(frame))
    missing = [c.name for c in COLUMNS if c.required and c.name not in frame.columns]
    for name in missing:
        parts.append(pd.DataFrame({"row": [-1], "column": [name], "value": [""],
                                   "reason": [f"required column {name} is missing"]}))
    for col in COLUMNS:
        if col.name not in frame.columns:
            continue
        s = frame[col.name]
        na = s.isna().to_numpy()
        if col.required and na.any():
            parts.append(_failures(pos[na], col.name, [""] * int(na.sum()), f"required {col.name} is missing"))
        if col.kind in _BY_KIND:
            parts += _BY_KIND[col.kind](col, s, na, pos)
    parts += _row_failures(frame, pos)
    if parts:
        _raise(parts, where)
