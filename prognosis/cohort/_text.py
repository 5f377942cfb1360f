"""Raw cells → cleaned text, kept *factorized*: one code per row and the distinct values once.

Institutional files repeat a handful of values over many rows (sex, sites, grades, dates), so
every look-up, parse and message of the harmonizer runs once per distinct value and is then
broadcast to the rows through the codes (:class:`Coded`). Cleaning is the same everywhere:
surrounding whitespace is stripped and the missing markers of
:data:`~prognosis.cohort.vocab.MISSING_MARKERS` (any case) become missing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from .mapping import Mapping
from .vocab import MISSING_MARKERS, normalize_text

__all__ = ["Coded", "coded_text", "row_text", "parse_numbers", "user_values", "as_float", "short"]


@dataclass(frozen=True)
class Coded:
    """A text column as ``codes`` (int64 per row; -1 = missing) into ``uniques`` (object array of
    cleaned, non-missing text; the same text may appear twice)."""

    codes: np.ndarray
    uniques: np.ndarray

    @property
    def present(self) -> np.ndarray:
        return self.codes >= 0

    def broadcast(self, per_unique, missing=None) -> np.ndarray:
        """Per-row array from one value per distinct text (``missing`` where the text is missing)."""
        per_unique = np.asarray(per_unique)
        dtype = object if missing is None or per_unique.dtype.kind in "USO" else per_unique.dtype
        ext = np.empty(len(per_unique) + 1, dtype=dtype)
        ext[:-1] = per_unique
        ext[-1] = missing
        return ext[self.codes]  # code -1 picks the trailing "missing" entry

    @cached_property
    def text(self) -> np.ndarray:
        """Per-row object array of the cleaned text (None where missing)."""
        return self.broadcast(self.uniques)

    def at(self, rows) -> np.ndarray:
        """Cleaned text of the given rows (None where missing)."""
        return self.text[rows]


def _clean(v):
    if not isinstance(v, str):
        if isinstance(v, (bool, np.bool_)):
            v = "1" if v else "0"
        elif isinstance(v, (float, np.floating)) and not np.isfinite(v):
            v = str(float(v))
        elif hasattr(v, "strftime"):
            v = v.strftime("%Y-%m-%d")
        elif isinstance(v, (float, np.floating)) and float(v).is_integer() and abs(v) < 1e15:
            v = str(int(v))
        elif isinstance(v, (float, np.floating)):
            v = repr(float(v))
        else:
            v = str(v)
    v = v.strip()
    return None if v.lower() in MISSING_MARKERS else v


def _recode(codes: np.ndarray, cleaned: list) -> Coded:
    """Codes into the non-missing entries of ``cleaned`` (one entry per original distinct value;
    None = missing marker, whose rows get code -1)."""
    keep = np.array([c is not None for c in cleaned], dtype=bool)
    remap = np.append(np.where(keep, np.cumsum(keep) - 1, -1), -1).astype(np.int64)
    uniques = np.array([c for c in cleaned if c is not None], dtype=object)
    return Coded(remap[codes], uniques)  # code -1 picks the appended -1


def coded_text(s: pd.Series) -> Coded:
    """Clean a raw column (any cell types) once per distinct value."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        s = s.dt.strftime("%Y-%m-%d").where(s.notna(), None).astype("object")
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        return Coded(codes.astype(np.int64), np.array(list(uniques), dtype=object))
    codes, uniques = pd.factorize(s.astype("object"), use_na_sentinel=True)
    return _recode(codes, [_clean(v) for v in uniques])


def _spellings(word: str) -> set[str]:
    out = {""}
    for ch in word:
        out = {p + c for p in out for c in {ch, ch.upper()}}
    return out


#: every spelling whose ``str.lower()`` is a missing marker (the markers are short ASCII words and
#: no other code point lower-cases to one of their characters), so a set look-up replaces ``lower()``
_MARKER_SPELLINGS = frozenset(s for m in MISSING_MARKERS for s in _spellings(m))


def row_text(s: pd.Series) -> np.ndarray:
    """Per-row cleaned text (object array, None where missing), for columns of mostly distinct
    values (identifiers) where factorizing would cost more than it saves. Same result as
    ``coded_text(s).text``."""
    values = s.to_numpy(dtype=object) if s.dtype == object else None
    if values is None or pd.api.types.infer_dtype(values, skipna=False) != "string":
        return coded_text(s).text
    stripped = np.array([v.strip() for v in values.tolist()], dtype=object)
    missing = pd.Series(stripped).isin(_MARKER_SPELLINGS).to_numpy()
    if missing.any():
        stripped[missing] = None
    return stripped


_NUMBER_TEXT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def parse_numbers(texts) -> np.ndarray:
    """Decimal text → float64, NaN where the text is not a plain ASCII decimal number.

    Python's ``float`` is correctly rounded; ``pandas.to_numeric`` is not for some long inputs
    (e.g. '3.7551196192654696e-112' comes back 1 ulp off), which would change a raw value without
    an audit record. Call it on distinct values. Underscores, non-ASCII digits, hex and words such
    as 'inf' are not numbers here."""
    return np.array([float(u) if isinstance(u, str) and _NUMBER_TEXT.fullmatch(u) else np.nan for u in texts],
                    dtype="float64")


def user_values(mapping: Mapping, name: str, uniques: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The mapping's ``values:`` for ``name`` applied to distinct texts: (text after the map, None
    where mapped to NA; True where the map gave NA explicitly), or None without a value map.
    A key matches as written or after :func:`normalize_text`."""
    vm = mapping.values.get(name) or {}
    if not vm:
        return None
    um: dict[str, object] = {}
    for k, v in vm.items():
        key = str(k).strip()
        um[key] = v
        um.setdefault(normalize_text(key) or key, v)
    mapped, explicit = [], []
    for u in uniques.tolist():
        if u in um:
            hit, v = True, um[u]
        else:
            k = normalize_text(u)
            hit, v = k in um, um.get(k, u)
        explicit.append(hit and v is None)
        mapped.append(None if v is None else str(v))
    return np.array(mapped, dtype=object), np.array(explicit, dtype=bool)


def as_float(raw: str, decimal: str = ".") -> float | None:
    try:
        f = float(raw.replace(decimal, ".") if decimal != "." else raw)
    except (ValueError, AttributeError):
        return None
    return f if np.isfinite(f) else None


def short(v) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    if np.isnan(f):
        return "NA"
    return str(int(f)) if f.is_integer() else f"{f:.4g}"
