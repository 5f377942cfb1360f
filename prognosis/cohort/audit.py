"""Audit log builder: vectorized records of every change, derivation, NA and rejection.

The finished audit (:meth:`AuditLog.finish`) has the public columns ``row, column, action, raw,
value, reason`` and, for every input row, exactly one *row-status* record with ``column == "*"``
and ``action`` in ``kept`` (no cell changed), ``changed`` (kept; at least one cell changed,
derived or set to NA) or ``rejected`` (reason = every rejection reason of that row joined by
"; "). Cell records use ``action`` ``changed`` (raw → value), ``derived`` (value computed from
other columns; raw names the inputs), ``na`` (raw value could not be used; value is NA) and
``rejected`` (the cell that rejects the row).

Rows are 0-based positions in the input table (the header is not a row); patient identifiers are
never written to the audit.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .cohort import AUDIT_COLUMNS, empty_audit

__all__ = ["AuditLog", "ROW_STATUS_COLUMN"]

#: ``column`` value of the one row-status record per input row.
ROW_STATUS_COLUMN = "*"
_ORDER = {"rejected": 0, "na": 1, "changed": 2, "derived": 3}


def _as_text(values, n: int) -> np.ndarray:
    """Object array of length n; values are turned into text once, in :meth:`AuditLog.finish`."""
    if isinstance(values, (pd.Series, pd.Index, np.ndarray, list)):
        return np.asarray(values, dtype=object).ravel()
    return np.full(n, values, dtype=object)


class AuditLog:
    """Collects audit records for ``n_rows`` input rows."""

    def __init__(self, n_rows: int):
        self.n_rows = int(n_rows)
        self._parts: list[pd.DataFrame] = []
        self.rejected = np.zeros(self.n_rows, dtype=bool)
        self.touched = np.zeros(self.n_rows, dtype=bool)

    def add(self, rows, column: str, action: str, raw=None, value=None, reason="") -> None:
        """Add one record per row in ``rows`` (positions). ``raw``/``value``/``reason`` may be
        scalars or sequences aligned with ``rows``."""
        rows = np.asarray(rows, dtype=np.int64).ravel()
        n = rows.size
        if n == 0:
            return
        if action not in _ORDER:
            raise ValueError(f"unknown audit action {action!r}")
        self._parts.append(pd.DataFrame({
            "row": rows,
            "column": column,
            "action": action,
            "raw": _as_text(raw, n),
            "value": _as_text(value, n),
            "reason": _as_text(reason, n),
        }))
        if action == "rejected":
            self.rejected[rows] = True
        else:
            self.touched[rows] = True

    def reject(self, rows, column: str, raw=None, reason="") -> None:
        self.add(rows, column, "rejected", raw=raw, value=None, reason=reason)

    def finish(self) -> pd.DataFrame:
        """The audit table: cell records plus one row-status record per input row, sorted by row."""
        cells = pd.concat(self._parts, ignore_index=True) if self._parts else empty_audit()
        status = np.where(self.rejected, "rejected", np.where(self.touched, "changed", "kept"))
        reasons = np.full(self.n_rows, None, dtype=object)
        if self.rejected.any():
            rej = cells[cells["action"] == "rejected"]
            joined = rej.groupby("row", sort=True)["reason"].agg(lambda r: "; ".join(map(str, r)))
            reasons[joined.index.to_numpy(dtype=np.int64)] = joined.to_numpy(dtype=object)
        rows = pd.DataFrame({
            "row": np.arange(self.n_rows, dtype=np.int64),
            "column": ROW_STATUS_COLUMN,
            "action": status,
            "raw": None,
            "value": None,
            "reason": reasons,
        })
        out = pd.concat([rows, cells], ignore_index=True)
        order = np.concatenate([np.full(self.n_rows, -1),
                                cells["action"].map(_ORDER).fillna(9).to_numpy(dtype=np.int64)])
        perm = np.lexsort((np.arange(len(out)), order, out["row"].to_numpy(dtype=np.int64)))
        out = out.take(perm).reset_index(drop=True)
        out["row"] = out["row"].astype("int64")
        for c in ("raw", "value", "reason"):  # one vectorized str() per column; NA stays NA
            out[c] = out[c].astype("string").to_numpy(dtype=object, na_value=None)
        return out[list(AUDIT_COLUMNS)]
