"""Audit log builder: vectorized records of every change, derivation, NA and rejection.

The finished audit (:meth:`AuditLog.finish`) has the public columns ``row, column, action, raw,
value, reason`` and, for every input row, exactly one *row-status* record with ``column == "*"``
and ``action`` in ``kept`` (no cell changed), ``changed`` (kept; at least one cell changed,
derived or set to NA) or ``rejected`` (reason = every rejection reason of that row joined by
"; "). Cell records use ``action`` ``changed`` (raw → value), ``derived`` (value computed from
other columns; raw names the inputs), ``na`` (raw value could not be used; value is NA) and
``rejected`` (the cell that rejects the row).

Records are sorted by row; within a row the status record comes first, then ``rejected``,
``na``, ``changed`` and ``derived`` records, each group in the order the records were added.
``raw``, ``value`` and ``reason`` are text (``str`` of the value added) or None for NA.

Rows are 0-based positions in the input table (the header is not a row); patient identifiers are
never written to the audit.

How it is built (a harmonized million-row file has ~11 million records): each :meth:`AuditLog.add`
keeps its records as columns, as given; :meth:`AuditLog.finish` turns them into text (a scalar
once; a numeric array once per *distinct* value; a text array as is; a :class:`LazyText` is
computed then), computes every record's final position by a counting sort over rows (no
comparison sort) and writes the columns straight into one object block — no per-record Python
objects beyond the texts themselves and no intermediate frames.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .cohort import AUDIT_COLUMNS

__all__ = ["AuditLog", "LazyText", "ROW_STATUS_COLUMN"]

#: ``column`` value of the one row-status record per input row.
ROW_STATUS_COLUMN = "*"
_ORDER = {"rejected": 0, "na": 1, "changed": 2, "derived": 3}
_TEXT_COLUMNS = AUDIT_COLUMNS[1:]  # column, action, raw, value, reason


def _scalar_text(v):
    """``str(v)``, or None where pandas counts ``v`` as missing (None, NaN, NaT, NA)."""
    if isinstance(v, str):
        return v
    return None if pd.isna(v) else str(v)


def _pandas_text(values: np.ndarray) -> np.ndarray:
    """Element-wise ``str`` with missing → None, exactly as ``Series.astype("string")`` does."""
    return pd.array(values, dtype="string").to_numpy(dtype=object, na_value=None)


def _unique_text(values: np.ndarray, key: np.ndarray, fmt) -> np.ndarray:
    """Text of a numeric array, formatted once per distinct ``key`` (the value's bit pattern)."""
    codes, uniques = pd.factorize(key, use_na_sentinel=False)
    where = np.zeros(len(uniques), dtype=np.int64)
    where[codes] = np.arange(len(codes))  # a position holding each distinct value
    texts = np.array([fmt(v) for v in values[where].tolist()], dtype=object)
    return texts[codes]


def _float_text(v: float):
    return None if v != v else str(v)  # NaN is missing


def _as_text(values, n: int):
    """A record column as text: a scalar (str or None) or an object array of length ``n``.

    The result equals ``str(x)`` element-wise with missing values as None (what the audit always
    held), but numeric arrays are formatted once per distinct value and text arrays are reused."""
    if not isinstance(values, (pd.Series, pd.Index, np.ndarray, list)):
        return _scalar_text(values)
    arr = values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object)
    arr = arr.ravel()
    kind = arr.dtype.kind
    if kind == "f" and arr.dtype.itemsize == 8:
        return _unique_text(arr, arr.view(np.int64), _float_text)  # bit pattern: -0.0 is not 0.0
    if kind in "iu":
        return _unique_text(arr, arr, str)
    if kind == "b":
        return np.array(["False", "True"], dtype=object)[arr.astype(np.int8)]
    if kind == "U":
        return arr.astype(object)
    if kind != "O":
        return _pandas_text(np.asarray(arr, dtype=object))
    if pd.api.types.infer_dtype(arr, skipna=False) == "string":  # text only (the usual case)
        return arr
    if pd.api.types.infer_dtype(arr, skipna=True) in ("string", "empty"):
        missing = pd.isna(arr)
        if missing.any():
            arr = arr.copy()
            arr[missing] = None
        return arr
    return _pandas_text(arr)


class LazyText:
    """A record column computed when the audit table is built (e.g. per-row text that only the
    table needs): ``LazyText(fn)`` with ``fn()`` returning the values aligned with the rows."""

    def __init__(self, fn):
        self.fn = fn


def _given(values):
    """Keep a record column as given until :meth:`AuditLog.finish` (arrays are not copied)."""
    if isinstance(values, (LazyText, np.ndarray)) or not isinstance(values, (pd.Series, pd.Index, list)):
        return values
    return np.asarray(values, dtype=object)


@dataclass
class _Part:
    """The records of one :meth:`AuditLog.add` call (one column and action)."""

    rows: np.ndarray
    column: str
    action: str
    raw: object  # str, None or object ndarray aligned with rows
    value: object
    reason: object
    reason_given: object = None  # rejections only: the reasons as given, for the row-status join


class AuditLog:
    """Collects audit records for ``n_rows`` input rows."""

    def __init__(self, n_rows: int):
        self.n_rows = int(n_rows)
        self._parts: list[_Part] = []
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
        part = _Part(rows, column, action, _given(raw), _given(value), _given(reason))
        if action == "rejected":
            part.reason_given = reason if np.isscalar(reason) or reason is None else np.asarray(reason, dtype=object)
            self.rejected[rows] = True
        else:
            self.touched[rows] = True
        self._parts.append(part)

    def reject(self, rows, column: str, raw=None, reason="") -> None:
        self.add(rows, column, "rejected", raw=raw, value=None, reason=reason)

    # ---- finishing -----------------------------------------------------------------------------
    def _rejection_reasons(self) -> np.ndarray:
        """Row-status reasons: every rejection reason of a row, in record order, joined by "; "."""
        reasons = np.full(self.n_rows, None, dtype=object)
        parts = [p for p in self._parts if p.action == "rejected"]
        if not parts:
            return reasons
        rows = np.concatenate([p.rows for p in parts])
        given = np.concatenate([np.full(p.rows.size, p.reason_given, dtype=object)
                                if np.isscalar(p.reason_given) or p.reason_given is None
                                else p.reason_given for p in parts])
        if len(np.unique(rows)) == len(rows):  # one rejection per row (the usual case): no join
            reasons[rows] = [str(r) for r in given]
            return reasons
        joined = pd.Series(given).groupby(rows, sort=True).agg(lambda r: "; ".join(map(str, r)))
        reasons[joined.index.to_numpy(dtype=np.int64)] = joined.to_numpy(dtype=object)
        return reasons

    def _positions(self) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        """Counting sort by row: the start of each row's records and each part's final positions
        (status first, then by action order, then in the order the records were added)."""
        counts = np.ones(self.n_rows, dtype=np.int64)
        for p in self._parts:
            counts += np.bincount(p.rows, minlength=self.n_rows)
        start = np.zeros(self.n_rows, dtype=np.int64)
        np.cumsum(counts[:-1], out=start[1:])
        fill = start + 1
        dest: list[np.ndarray] = [np.empty(0, dtype=np.int64)] * len(self._parts)
        for i in sorted(range(len(self._parts)), key=lambda i: (_ORDER[self._parts[i].action], i)):
            rows = self._parts[i].rows
            if rows.size < 2 or np.all(rows[1:] > rows[:-1]):  # distinct rows (always, from the harmonizer)
                dest[i] = fill[rows]
                fill[rows] += 1
                continue
            order = np.argsort(rows, kind="stable")  # a row more than once: keep their order
            sorted_rows = rows[order]
            new_group = np.r_[True, sorted_rows[1:] != sorted_rows[:-1]]
            group_start = np.maximum.accumulate(np.where(new_group, np.arange(rows.size), 0))
            d = np.empty(rows.size, dtype=np.int64)
            d[order] = fill[sorted_rows] + (np.arange(rows.size) - group_start)
            dest[i] = d
            np.add.at(fill, rows, 1)
        return start, counts, dest

    def finish(self) -> pd.DataFrame:
        """The audit table: cell records plus one row-status record per input row, sorted by row."""
        start, counts, dest = self._positions()
        total = int(counts.sum())
        block = np.empty((len(_TEXT_COLUMNS), total), dtype=object)  # None everywhere
        block[0, start] = ROW_STATUS_COLUMN
        status = np.array(["kept", "changed", "rejected"], dtype=object)
        block[1, start] = status[np.where(self.rejected, 2, self.touched.astype(np.int64))]
        block[4, start] = self._rejection_reasons()
        for p, d in zip(self._parts, dest, strict=True):
            for j, v in enumerate((p.column, p.action, p.raw, p.value, p.reason)):
                v = _as_text(v.fn() if isinstance(v, LazyText) else v, d.size)
                if v is not None:
                    block[j, d] = v
        rows = pd.DataFrame({"row": np.repeat(np.arange(self.n_rows, dtype=np.int64), counts)}, copy=False)
        text = pd.DataFrame(block.T, columns=list(_TEXT_COLUMNS), dtype=object, copy=False)
        return pd.concat([rows, text], axis=1, copy=False)  # the arrays become the frame's columns
