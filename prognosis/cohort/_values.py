"""Per-column value conversion: mapping value maps, synonyms, numbers, units, ranges, yes/no and
the event indicator (:class:`ValueConverter`).

Every conversion runs once per distinct cleaned text (:class:`~prognosis.cohort._text.Coded`) and
is broadcast to the rows; audit records are added column by column in a fixed order.

Policy: an invalid or missing **required** value rejects the row; an invalid **optional** value
becomes NA with an ``na`` record (raw value and reason) — never clipped, never guessed; every
conversion is a ``changed`` record with raw and new value.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._text import Coded, as_float, parse_numbers, row_text, short, user_values
from .audit import AuditLog
from .mapping import UNITS, Mapping
from .schema import COLUMN_BY_NAME
from .validate import out_of_range, range_reason
from .vocab import BOOL_SYNONYMS, CATEGORY_SYNONYMS, EVENT_SYNONYMS, lookup_site, normalize_text

__all__ = ["ValueConverter", "MAX_EXACT"]

#: beyond 2**53 a float no longer holds every whole number exactly
MAX_EXACT = float(2 ** 53)
_MAPPED_NA = "mapped to NA by the mapping"


def _none_mask(values: np.ndarray) -> np.ndarray:
    return np.array([v is None for v in values.tolist()], dtype=bool)


@dataclass
class _Mapped:
    """A column's distinct texts after the mapping's value map (``text``; None = explicit NA)."""

    coded: Coded
    text: np.ndarray
    explicit_na: np.ndarray
    by_map: np.ndarray  # the map changed the text (per distinct value)

    @property
    def present(self) -> np.ndarray:
        """Per distinct value: text present after the value map."""
        return ~_none_mask(self.text)


@dataclass
class ValueConverter:
    """Converts source columns to canonical values, recording every change in ``audit``."""

    raw: pd.DataFrame
    mapping: Mapping
    audit: AuditLog
    text_of: Callable[[str], Coded]  # cleaned text of a source column (cached by the caller)
    decimal: str = "."
    conversions: list[str] = field(default_factory=list)
    histology: pd.Series | None = None  # detail found in primary-site text (see :meth:`categorical`)

    # ---- shared steps ----------------------------------------------------------------------
    def _mapped(self, name: str, src: str, record_na: bool = True) -> _Mapped:
        """Clean source column ``src``, apply the mapping's value map and (``record_na``) record the values it
        mapped to NA."""
        coded = self.text_of(src)
        res = user_values(self.mapping, name, coded.uniques)
        if res is None:
            none = np.zeros(len(coded.uniques), dtype=bool)
            return _Mapped(coded, coded.uniques, none, none)
        text, explicit = res
        by_map = ~_none_mask(text) & (text != coded.uniques)
        explicit_rows = coded.broadcast(explicit, False)
        if record_na and explicit_rows.any():
            rows = np.flatnonzero(explicit_rows)
            self.audit.add(rows, name, "na", raw=coded.at(rows), reason=_MAPPED_NA)
        return _Mapped(coded, text, explicit, by_map)

    def _record_change(self, name, coded: Coded, new_rows, mask, reason) -> None:
        rows = np.flatnonzero(mask)
        if rows.size:
            new = new_rows[rows] if isinstance(new_rows, np.ndarray) else new_rows
            why = reason[rows] if isinstance(reason, np.ndarray) else reason
            self.audit.add(rows, name, "changed", raw=coded.at(rows), value=new, reason=why)

    def _bad(self, name: str, mask: np.ndarray, raw_rows, reason) -> None:
        """Invalid value: reject the row for required columns, NA + audit for optional ones.
        ``raw_rows`` is a function of row positions; ``reason`` a string or per-row array."""
        rows = np.flatnonzero(mask)
        if not rows.size:
            return
        rsn = reason if isinstance(reason, str) else reason[rows]
        if COLUMN_BY_NAME[name].required:
            self.audit.reject(rows, name, raw=raw_rows(rows), reason=rsn)
            return
        rsn = rsn + "; set to NA" if isinstance(rsn, str) else np.array([f"{r}; set to NA" for r in rsn], dtype=object)
        self.audit.add(rows, name, "na", raw=raw_rows(rows), value=None, reason=rsn)

    def _bad_coded(self, name: str, coded: Coded, bad_u: np.ndarray, reason_u) -> np.ndarray:
        """:meth:`_bad` for a per-distinct-value mask and reasons; returns the per-row mask."""
        mask = coded.broadcast(bad_u, False)
        if mask.any():
            reason = reason_u if isinstance(reason_u, str) else coded.broadcast(reason_u)
            self._bad(name, mask, coded.at, reason)
        return mask

    # ---- numbers -----------------------------------------------------------------------------
    def _not_a_number(self, name: str, raw: str) -> str:
        hint = ""
        if self.decimal == "." and re.fullmatch(r"-?\d+,\d+", str(raw)):
            hint = " (decimal comma? set read: {decimal: ','} in the mapping)"
        return f"{name} {raw!r} is not a number{hint}"

    def numeric(self, name: str, src: str) -> pd.Series:
        col = COLUMN_BY_NAME[name]
        mp = self._mapped(name, src)
        coded, present = mp.coded, mp.present
        texts = mp.text
        if self.decimal != ".":
            texts = np.array([t if t is None else t.replace(self.decimal, ".") for t in texts.tolist()], dtype=object)
        num_u = parse_numbers(texts)
        num_u[np.isinf(num_u)] = np.nan  # "inf", "1e999": not a usable measurement
        notnum_u = present & np.isnan(num_u)
        reasons = np.array([self._not_a_number(name, r) if b else None
                            for r, b in zip(coded.uniques.tolist(), notnum_u.tolist(), strict=True)], dtype=object)
        self._bad_coded(name, coded, notnum_u, reasons)
        num = coded.broadcast(num_u, np.nan)
        self._record_change(name, coded, num, coded.broadcast(present & ~notnum_u & mp.by_map, False),
                            "value map in mapping")
        unit = self.mapping.units.get(name)
        factor = UNITS[name][unit] if unit is not None else 1.0
        if factor != 1.0:
            num = num * factor
        out = self._check_range(name, num, coded)
        if factor != 1.0:
            what = f"{unit} → {col.unit or name} (× {factor:.6g})"
            self._record_change(name, coded, out, ~np.isnan(out) & ~self.audit.rejected, what)
            self.conversions.append(f"{name}: {what}")
        return pd.Series(out, dtype="float64")

    def _check_range(self, name: str, num: np.ndarray, coded: Coded) -> np.ndarray:
        col = COLUMN_BY_NAME[name]
        huge = np.isinf(num) | (np.abs(np.nan_to_num(num)) > MAX_EXACT)
        if huge.any():
            self._bad(name, huge, coded.at, f"{name} is too large to be a measurement (|value| > 2^53)")
            num = np.where(huge, np.nan, num)
        if col.kind == "int":
            frac = ~np.isnan(num) & (np.floor(num) != num)
            if frac.any():
                self._bad(name, frac, coded.at, f"{name} must be a whole number")
                num = np.where(frac, np.nan, num)
        oor = out_of_range(pd.Series(num), col)
        if oor.any():
            rows = np.flatnonzero(oor)
            shown = np.full(len(num), None, dtype=object)
            if name == "time_months":
                shown[rows] = [f"time_months must be > 0 (got {r})" for r in coded.at(rows).tolist()]
            else:
                rr = range_reason(col)
                shown[rows] = _format_distinct(num[rows], lambda v: f"{name} {short(v)} outside {rr}")
            self._bad(name, oor, coded.at, shown)
            num = np.where(oor, np.nan, num)
        if col.required:
            miss = np.isnan(num) & ~self.audit.rejected
            if miss.any():
                self.audit.reject(np.flatnonzero(miss), name, raw=None, reason=f"{name} is missing")
        return num

    # ---- categories --------------------------------------------------------------------------
    def _site_lookup(self, mp: _Mapped, cats: set) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        vals, reasons, hist = [], [], []
        for raw in mp.text.tolist():
            if raw is None:
                vals.append(None)
                reasons.append(None)
                hist.append(None)
                continue
            site, h, why = lookup_site(raw)
            hist.append(h)
            vals.append(raw if raw in cats else site)
            reasons.append(None if raw in cats else why)
        return np.array(vals, dtype=object), np.array(reasons, dtype=object), np.array(hist, dtype=object)

    def _synonym_lookup(self, name: str, mp: _Mapped, cats: set) -> tuple[np.ndarray, np.ndarray]:
        syn = CATEGORY_SYNONYMS.get(name, {})
        vals, reasons = [], []
        for raw in mp.text.tolist():
            if raw is None or raw in cats:
                vals.append(raw)
                reasons.append(None)
                continue
            v = syn.get(normalize_text(raw) or raw.strip())
            vals.append(v)
            reasons.append(f"synonym {raw!r}" if v is not None else None)
        return np.array(vals, dtype=object), np.array(reasons, dtype=object)

    def categorical(self, name: str, src: str) -> pd.Series:
        col = COLUMN_BY_NAME[name]
        mp = self._mapped(name, src)
        coded, present = mp.coded, mp.present
        cats = set(col.categories)
        hist = None
        if name == "primary_site":
            vals, reasons, hist = self._site_lookup(mp, cats)
        else:
            vals, reasons = self._synonym_lookup(name, mp, cats)
        found = present & ~_none_mask(vals)
        unmapped = present & ~found
        if unmapped.any():
            if name == "primary_site":
                why = np.array([f"primary_site: {r}" if b else None
                                for r, b in zip(reasons.tolist(), unmapped.tolist(), strict=True)], dtype=object)
            else:
                allowed = ", ".join(col.categories)
                why = np.array([f"{name} {r!r} is not one of {allowed}" if b else None
                                for r, b in zip(mp.text.tolist(), unmapped.tolist(), strict=True)], dtype=object)
            self._bad_coded(name, coded, unmapped, why)
        changed = found & (vals != coded.uniques)
        why = np.where(mp.by_map, "value map in mapping", np.where(_none_mask(reasons), "normalized", reasons))
        changed_rows = coded.broadcast(changed, False)
        self._record_change(name, coded, coded.broadcast(vals), changed_rows, coded.broadcast(why.astype(object)))
        if hist is not None:
            self.histology = pd.Series(coded.broadcast(np.where(found, hist, None)), dtype=object)
        cat_codes = pd.Categorical(vals, categories=list(col.categories)).codes
        return pd.Series(pd.Categorical.from_codes(coded.broadcast(cat_codes, -1), categories=list(col.categories)))

    # ---- yes/no ------------------------------------------------------------------------------
    def _yes_no(self, raw: str):
        f = as_float(raw, self.decimal)
        if f is not None:
            return {0.0: False, 1.0: True}.get(f)
        v = BOOL_SYNONYMS.get(normalize_text(raw) or raw.strip())
        if v is None and raw.lower() in ("true", "false"):
            v = raw.lower() == "true"
        return v

    def boolean(self, name: str, src: str) -> pd.Series:
        mp = self._mapped(name, src)
        coded, present = mp.coded, mp.present
        vals = np.array([None if t is None else self._yes_no(t) for t in mp.text.tolist()], dtype=object)
        found = present & ~_none_mask(vals)
        unmapped = present & ~found
        if unmapped.any():
            why = np.array([f"{name} {r!r} is not yes/no" if b else None
                            for r, b in zip(coded.uniques.tolist(), unmapped.tolist(), strict=True)], dtype=object)
            self._bad_coded(name, coded, unmapped, why)
        canon = np.array([None if v is None else ("1" if v else "0") for v in vals.tolist()], dtype=object)
        plain = np.isin(coded.uniques, ["0", "1", "True", "False", "true", "false"])
        changed = found & ~plain & (canon != coded.uniques)
        truth = np.array([bool(v) for v in vals.tolist()], dtype=bool)
        self._record_change(name, coded, coded.broadcast(truth, False), coded.broadcast(changed, False),
                            "yes/no synonym")
        arr = pd.arrays.BooleanArray(coded.broadcast(truth, False), ~coded.broadcast(found, False))
        return pd.Series(arr)

    # ---- text --------------------------------------------------------------------------------
    def string(self, name: str, src: str) -> pd.Series:
        if name == "primary_histology":
            coded = self.text_of(src)
            low = np.array([re.sub(r"[\s\-]+", "_", u.lower()) for u in coded.uniques.tolist()], dtype=object)
            changed = coded.broadcast(low != coded.uniques, False)
            self._record_change(name, coded, coded.broadcast(low), changed, "normalized (lower case, spaces → _)")
            return pd.Series(coded.broadcast(low), dtype=object)
        text = row_text(self.raw[src])
        if COLUMN_BY_NAME[name].required:
            miss = _none_mask(text)
            if miss.any():
                self.audit.reject(np.flatnonzero(miss), name, raw=None, reason=f"{name} is missing")
        return pd.Series(text, dtype=object)

    # ---- event -------------------------------------------------------------------------------
    def _event_value(self, raw: str):
        f = as_float(raw, self.decimal)
        if f is not None:  # numbers first: normalize_text would turn "-1" into "1"
            return int(f) if f in (0.0, 1.0) else None
        return EVENT_SYNONYMS.get(normalize_text(raw))

    def event(self, src: str) -> pd.Series:
        mp = self._mapped("event", src, record_na=False)
        coded, present = mp.coded, mp.present
        vals = np.array([None if t is None else self._event_value(t) for t in mp.text.tolist()], dtype=object)
        found = present & ~_none_mask(vals)
        bad = coded.broadcast(present & ~found, False)
        if bad.any():
            rows = np.flatnonzero(bad)
            raw = coded.at(rows)
            self.audit.reject(rows, "event", raw=raw,
                              reason=np.array([f"event value {r!r} is not 0 or 1" for r in raw.tolist()], dtype=object))
        miss = ~coded.broadcast(present, False)
        if miss.any():
            rows = np.flatnonzero(miss)
            self.audit.reject(rows, "event", raw=coded.at(rows), reason="event is missing")
        plain = np.isin(coded.uniques, ["0", "1"])
        why = np.where(mp.by_map, "value map in mapping", "event synonym").astype(object)
        self._record_change("event", coded, coded.broadcast(vals), coded.broadcast(found & ~plain, False),
                            coded.broadcast(why))
        as_float = np.array([np.nan if v is None else float(v) for v in vals.tolist()], dtype="float64")
        return pd.Series(coded.broadcast(as_float, np.nan), dtype="float64")


def _format_distinct(values: np.ndarray, fn) -> list:
    """``fn(value)`` for each value, computed once per distinct value."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    texts = [fn(v) for v in uniques.tolist()]
    return [texts[c] for c in codes.tolist()]
