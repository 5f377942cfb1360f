"""Which source column feeds which canonical column: :func:`plan_columns`.

Resolved from the header alone (so a reader can load only the columns used): mapped names (an
unmapped name matching up to case and spacing is accepted when unambiguous and recorded), date
columns, ``keep`` columns, and canonical names present in the table without a mapping.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import MappingError, ReadError
from .mapping import Mapping
from .schema import COLUMNS

__all__ = ["ColumnPlan", "plan_columns", "check_cells"]


@dataclass
class ColumnPlan:
    """``sources``: canonical (or input-only) name → source column; ``date_sources``: date role →
    source column; ``renamed``: mapped name → the header it matched ignoring case and spacing;
    ``ignored``: header columns not used."""

    sources: dict[str, str] = field(default_factory=dict)
    date_sources: dict[str, str] = field(default_factory=dict)
    renamed: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    keep: list[str] = field(default_factory=list)

    def used_columns(self) -> list[str]:
        """Source columns the harmonizer reads (mapped, auto-detected, dates, keep)."""
        return list(dict.fromkeys(list(self.sources.values()) + list(self.date_sources.values()) + list(self.keep)))


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()


class _Matcher:
    """Finds mapped names in the header, exactly or (unambiguously) up to case and spacing."""

    def __init__(self, header: list[str]):
        self.present = set(header)
        self.folded: dict[str, list[str]] = {}
        for c in header:
            self.folded.setdefault(_fold(c), []).append(c)
        self.renamed: dict[str, str] = {}
        self.missing: list[tuple[str, str]] = []

    def find(self, what: str, src: str) -> str:
        if src in self.present:
            return src
        alt = self.folded.get(_fold(src), [])
        if len(alt) == 1:  # same name up to case/spacing: unambiguous, recorded in metadata
            self.renamed[src] = alt[0]
            return alt[0]
        self.missing.append((what, src))
        return src


def _raise_missing(m: Mapping, matcher: _Matcher, header: list[str], src: str) -> None:
    missing = matcher.missing
    n_named = len(m.columns) + len([r for r in m.dates if r != "format"]) + len(m.keep)
    if n_named >= 3 and len(missing) == n_named:
        # not one mapped name in the first row: most likely a file without its header row,
        # whose first row is a patient's record -- so do not print it
        raise MappingError(f"{src}: none of the {n_named} columns named in the mapping is in the table's "
                           "first row; is the header row missing, or is this the wrong mapping or sheet? "
                           "(the first row is not shown, as it may hold patient data)")
    what = ", ".join(f"{s!r} (for {c})" for c, s in missing)
    raise MappingError(f"{src}: mapped column(s) {what} not found; the table has columns "
                       f"{header[:40]}{' ...' if len(header) > 40 else ''}.")


def _auto_detect(m: Mapping, header: list[str], sources: dict[str, str], used: set[str]) -> None:
    """Canonical columns the mapping does not name, found by their canonical name (any case)."""
    present = set(header)
    lower = {c.lower(): c for c in header}
    for col in COLUMNS:
        if col.name in sources or (col.name == "time_months" and "origin" in m.dates):
            continue
        cand = col.name if col.name in present else lower.get(col.name)
        if cand is not None and cand not in used:
            sources[col.name] = cand
            used.add(cand)


def _require_outcome(m: Mapping, sources: dict[str, str], src: str) -> None:
    lacking = [c for c in ("patient_id",) if c not in sources]
    if "time_months" not in sources and "origin" not in m.dates:
        lacking.append("time_months")
    if "event" not in sources and "death" not in m.dates:
        lacking.append("event")
    if lacking:
        hint = "" if m.columns else " and no mapping was given"
        raise MappingError(f"{src}: required column(s) {', '.join(lacking)} not found{hint}; map them "
                           "under 'columns:' (see data/examples/mapping_example.yaml).")


def plan_columns(m: Mapping, header: list[str], src: str) -> ColumnPlan:
    """Resolve the mapping against the table's header; :class:`MappingError` for a mapped column
    that is not there or a required column that cannot be found."""
    header = list(header)
    matcher = _Matcher(header)
    sources = {canon: matcher.find(canon, s) for canon, s in m.columns.items()}
    date_sources = {role: matcher.find(f"dates.{role}", str(s)) for role, s in m.dates.items() if role != "format"}
    matcher.missing += [("keep", s) for s in m.keep if s not in matcher.present]
    if matcher.missing:
        _raise_missing(m, matcher, header, src)
    used = set(sources.values()) | set(date_sources.values())
    _auto_detect(m, header, sources, used)
    ignored = [c for c in header if c not in used and c not in sources.values() and c not in m.keep]
    _require_outcome(m, sources, src)
    return ColumnPlan(sources, date_sources, matcher.renamed, ignored, list(m.keep))


_PLAIN_KINDS = ("string", "empty", "integer", "floating", "mixed-integer-float", "boolean", "decimal",
                "date", "datetime", "datetime64", "time")


def check_cells(raw: pd.DataFrame, columns: list[str], src: str) -> None:
    """Refuse cells no column handler can read faithfully: lists/dicts/arrays (nested Parquet,
    Excel or DataFrame cells) and text with NUL characters. Row and column are named; the value
    is not. (Text files need no check: their reader yields strings and refuses NUL bytes.)"""
    for col in columns:
        s = raw[col]
        if s.dtype != object and not isinstance(s.dtype, pd.StringDtype):
            continue
        kind = pd.api.types.infer_dtype(s, skipna=True)
        if kind not in _PLAIN_KINDS:
            nested = s.map(lambda v: isinstance(v, (list, tuple, dict, set, np.ndarray))).to_numpy(dtype=bool)
            if nested.any():
                r = int(np.flatnonzero(nested)[0])
                raise ReadError(f"{src}: row {r}, column {col!r} holds a list or structure, not a single value "
                                f"({int(nested.sum())} such cell(s)); flatten that column before reading.")
        if kind in ("string", "mixed", "mixed-integer"):
            nul = s.map(lambda v: isinstance(v, str) and "\x00" in v).to_numpy(dtype=bool)
            if nul.any():
                r = int(np.flatnonzero(nul)[0])
                raise ReadError(f"{src}: row {r}, column {col!r} contains a NUL character (binary data); "
                                "remove it and read the table again.")
