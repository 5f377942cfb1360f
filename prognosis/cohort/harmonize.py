"""Harmonize an institutional table into the canonical cohort: :func:`read_cohort`.

Pipeline (all column-wise pandas/NumPy; value look-ups run once per *distinct* value)::

    read_table  →  resolve columns  →  per column: mapping values → built-in synonyms → parse
    → units → range/vocabulary  →  dates → time_months / event / age  →  derivations
    (ECOG↔KPS, ASIA→Frankel)  →  duplicate ids  →  audit + canonical frame → validate_frame

Policy (documented in ``cohort-schema.md`` terms):

* an invalid or missing **required** value (patient_id, time_months, event, cohort) rejects
  the row; the audit records the cell and the reason;
* an invalid **optional** value (unknown site, KPS 150, "abc" as age) becomes NA with an audit
  record ``na`` (raw value and reason) — never clipped, never guessed;
* every conversion (synonym, unit, date difference, ECOG↔KPS, ASIA→Frankel) is a ``changed`` or
  ``derived`` record with raw and new value;
* rows identical in every column of the input keep their first copy; the other copies are
  rejected as "exact duplicate of row k". The same patient_id with any differing value rejects
  every copy (which one is right cannot be known);
* cells no handler can read faithfully (lists, NUL characters) stop the run with a
  :class:`~prognosis.errors.ReadError` naming row and column, never the value.

Only the mapped, date and ``keep`` columns are loaded from files (``read_table(usecols=...)``),
so a 200-column export costs the memory of the handful of columns used.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from ..clinical import DEFAULT_PS_CONVENTION, ecog_to_kps, kps_to_ecog
from ..errors import MappingError, ReadError
from .audit import AuditLog
from .cohort import Cohort
from .mapping import DATE_FORMATS, UNITS, Mapping, load_mapping
from .readers import read_table
from .schema import COLUMN_BY_NAME, COLUMNS, DAYS_PER_MONTH, SCHEMA_VERSION, conform_dtypes
from .validate import out_of_range, range_reason, validate_frame
from .vocab import (
    ASIA_TO_FRANKEL,
    BOOL_SYNONYMS,
    CATEGORY_SYNONYMS,
    EVENT_SYNONYMS,
    MISSING_MARKERS,
    lookup_site,
    normalize_text,
)

__all__ = ["read_cohort", "harmonize", "ECOG_TO_KPS", "kps_to_ecog"]

#: ECOG → KPS, the two ends of the KPS band of each ECOG grade under the package's default
#: convention (:mod:`prognosis.clinical`, Ma C et al., Eur J Cancer 2010). ``lower`` is the
#: default because it never credits a patient with a better KPS than the band allows; derived
#: values are flagged (``kps_derived``) and recorded in the audit.
ECOG_TO_KPS = {
    "lower": {e: int(ecog_to_kps(e, end="low")) for e in range(5)},
    "upper": {e: int(ecog_to_kps(e, end="high")) for e in range(5)},
}


# --------------------------------------------------------------------------------------------
# small vectorized helpers
# --------------------------------------------------------------------------------------------
def _text(s: pd.Series) -> pd.Series:
    """Object Series of stripped strings, None where missing (NA or a missing marker)."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s.dt.strftime("%Y-%m-%d").where(s.notna(), None).astype("object")
    # object/string columns: clean each *distinct* value once (files repeat values a lot)
    codes, uniques = pd.factorize(s.astype("object"), use_na_sentinel=True)

    def clean(v):
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

    u = np.array([clean(v) for v in uniques] + [None], dtype=object)
    return pd.Series(u[np.where(codes < 0, len(uniques), codes)], index=s.index, dtype=object)


def _lookup_uniques(text: pd.Series, fn: Callable[[str], tuple[object, str | None]]):
    """Apply ``fn(raw) -> (value or None, reason)`` once per distinct non-missing value.

    Returns (values: object ndarray, found: bool ndarray, reasons: object ndarray) aligned with
    ``text``; ``found`` is False where text is present but ``fn`` gave None.
    """
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    res = [fn(u) for u in uniques]
    u_val = np.array([r[0] for r in res] + [None], dtype=object)
    u_rsn = np.array([r[1] for r in res] + [None], dtype=object)
    idx = np.where(codes < 0, len(uniques), codes)
    vals = u_val[idx]
    present = codes >= 0
    found = present & np.array([v is not None for v in u_val], dtype=bool)[idx]
    return vals, found, u_rsn[idx], present


def _user_map(mapping: Mapping, name: str) -> dict[str, object]:
    vm = mapping.values.get(name) or {}
    out = {}
    for k, v in vm.items():
        key = str(k).strip()
        out[key] = v
        out.setdefault(normalize_text(key) or key, v)
    return out


class _Harmonizer:
    def __init__(self, raw: pd.DataFrame, mapping: Mapping, facts: dict, cohort: str | None):
        self.raw = raw
        self.m = mapping
        self.facts = facts
        self.n = len(raw)
        self.audit = AuditLog(self.n)
        self.out: dict[str, pd.Series] = {}
        self.cohort_arg = cohort
        self.conversions: list[str] = []
        self.src = facts.get("source", "<input>")
        self.decimal = str(mapping.read.get("decimal", "."))

    # ---- column resolution ---------------------------------------------------------------
    def resolve(self) -> dict[str, str]:
        cols = list(self.facts.get("header") or self.raw.columns)
        present = set(cols)
        sources: dict[str, str] = {}
        missing = []
        folded: dict[str, list[str]] = {}
        for c in cols:
            folded.setdefault(" ".join(c.split()).casefold(), []).append(c)
        self.renamed_sources: dict[str, str] = {}
        for canon, src in self.m.columns.items():
            if src not in present:
                alt = folded.get(" ".join(src.split()).casefold(), [])
                if len(alt) == 1:  # same name up to case/spacing: unambiguous, recorded in metadata
                    self.renamed_sources[src] = alt[0]
                    src = alt[0]
                else:
                    missing.append((canon, src))
            sources[canon] = src
        self.date_sources: dict[str, str] = {}
        for role, src in self.m.dates.items():
            if role == "format":
                continue
            src = str(src)
            if src not in present:
                alt = folded.get(" ".join(src.split()).casefold(), [])
                if len(alt) == 1:
                    self.renamed_sources[src] = alt[0]
                    src = alt[0]
                else:
                    missing.append((f"dates.{role}", src))
            self.date_sources[role] = src
        for src in self.m.keep:
            if src not in present:
                missing.append(("keep", src))
        n_named = len(self.m.columns) + len([r for r in self.m.dates if r != "format"]) + len(self.m.keep)
        if missing and n_named >= 3 and len(missing) == n_named:
            # not one mapped name in the first row: most likely a file without its header row,
            # whose first row is a patient's record -- so do not print it
            raise MappingError(f"{self.src}: none of the {n_named} columns named in the mapping is in the table's "
                               "first row; is the header row missing, or is this the wrong mapping or sheet? "
                               "(the first row is not shown, as it may hold patient data)")
        if missing:
            what = ", ".join(f"{s!r} (for {c})" for c, s in missing)
            raise MappingError(f"{self.src}: mapped column(s) {what} not found; the table has columns "
                               f"{cols[:40]}{' ...' if len(cols) > 40 else ''}.")
        used = set(sources.values()) | set(self.date_sources.values())
        lower = {c.lower(): c for c in cols}
        for col in COLUMNS:
            if col.name in sources:
                continue
            if col.name == "time_months" and "origin" in self.m.dates:
                continue
            cand = col.name if col.name in present else lower.get(col.name)
            if cand is not None and cand not in used:
                sources[col.name] = cand
                used.add(cand)
        self.sources = sources
        self.ignored = [c for c in cols if c not in used and c not in sources.values() and c not in self.m.keep]
        lacking = [c for c in ("patient_id",) if c not in sources]
        if "time_months" not in sources and "origin" not in self.m.dates:
            lacking.append("time_months")
        if "event" not in sources and "death" not in self.m.dates:
            lacking.append("event")
        if lacking:
            hint = ("" if self.m.columns else " and no mapping was given")
            raise MappingError(f"{self.src}: required column(s) {', '.join(lacking)} not found{hint}; map them "
                               "under 'columns:' (see data/examples/mapping_example.yaml).")
        return sources

    # ---- generic column handlers ---------------------------------------------------------
    def _apply_user_values(self, name: str, text: pd.Series):
        """Apply mapping ``values`` for ``name``; returns (text after map, explicit-NA mask)."""
        um = _user_map(self.m, name)
        if not um:
            return text, np.zeros(self.n, dtype=bool)

        def f(raw):
            if raw in um:
                return um[raw], None
            k = normalize_text(raw)
            if k in um:
                return um[k], None
            return raw, None  # untouched
        codes, uniques = pd.factorize(text, use_na_sentinel=True)
        mapped_u = []
        explicit_na_u = []
        for u in uniques:
            hit = u in um or normalize_text(u) in um
            v = f(u)[0]
            explicit_na_u.append(hit and v is None)
            mapped_u.append(None if v is None else str(v))
        mapped_u = np.array(mapped_u + [None], dtype=object)
        explicit = np.array(explicit_na_u + [False], dtype=bool)
        idx = np.where(codes < 0, len(uniques), codes)
        return pd.Series(mapped_u[idx], index=text.index, dtype=object), explicit[idx]

    def _record_change(self, name, raw, new, mask, reason):
        rows = np.flatnonzero(mask)
        if rows.size:
            self.audit.add(rows, name, "changed", raw=np.asarray(raw, dtype=object)[rows],
                           value=np.asarray(new, dtype=object)[rows],
                           reason=reason if np.isscalar(reason) or reason is None else np.asarray(reason, dtype=object)[rows])

    def _bad(self, name, mask, raw, reason):
        """Invalid value: reject the row for required columns, NA + audit for optional ones."""
        rows = np.flatnonzero(mask)
        if not rows.size:
            return
        raw_v = np.asarray(raw, dtype=object)[rows]
        rsn = reason if isinstance(reason, str) else np.asarray(reason, dtype=object)[rows]
        if COLUMN_BY_NAME[name].required:
            self.audit.reject(rows, name, raw=raw_v, reason=rsn)
        else:
            if isinstance(rsn, str):
                rsn = rsn + "; set to NA"
            else:
                rsn = np.array([f"{r}; set to NA" for r in rsn], dtype=object)
            self.audit.add(rows, name, "na", raw=raw_v, value=None, reason=rsn)

    def numeric(self, name: str, s: pd.Series) -> pd.Series:
        col = COLUMN_BY_NAME[name]
        raw_text = _text(s)
        text, explicit_na = self._apply_user_values(name, raw_text)
        if explicit_na.any():
            self.audit.add(np.flatnonzero(explicit_na), name, "na", raw=raw_text.to_numpy(dtype=object)[explicit_na],
                           reason="mapped to NA by the mapping")
        t = text
        if self.decimal != ".":
            t = t.where(t.isna(), t.astype("object").str.replace(self.decimal, ".", regex=False))
        num = _parse_numbers(t)
        num[np.isinf(num)] = np.nan  # "inf", "1e999": not a usable measurement
        rawv = raw_text.to_numpy(dtype=object)
        present = text.notna().to_numpy()
        notnum = present & np.isnan(num)
        def not_a_number(r):
            hint = ""
            if self.decimal == "." and re.fullmatch(r"-?\d+,\d+", str(r)):
                hint = " (decimal comma? set read: {decimal: ','} in the mapping)"
            return f"{name} {r!r} is not a number{hint}"
        self._bad(name, notnum, rawv, _per_row(notnum, rawv, not_a_number))
        mapped = present & ~notnum & (text.to_numpy(dtype=object) != rawv)
        self._record_change(name, rawv, num, mapped, "value map in mapping")
        unit = self.m.units.get(name)
        factor = UNITS[name][unit] if unit is not None else 1.0
        if factor != 1.0:
            num = num * factor
        out = self._check_range(name, num, rawv)
        if factor != 1.0:
            what = f"{unit} → {col.unit or name} (× {factor:.6g})"
            ok = ~np.isnan(out.to_numpy()) & ~self.audit.rejected
            self._record_change(name, rawv, out.to_numpy(), ok, what)
            self.conversions.append(f"{name}: {what}")
        return out

    def _check_range(self, name, num, rawv):
        col = COLUMN_BY_NAME[name]
        huge = np.isinf(num) | (np.abs(np.nan_to_num(num)) > _MAX_EXACT)
        if huge.any():  # beyond 2**53 a float no longer holds every whole number exactly
            self._bad(name, huge, rawv, f"{name} is too large to be a measurement (|value| > 2^53)")
            num = np.where(huge, np.nan, num)
        if col.kind == "int":
            frac = ~np.isnan(num) & (np.floor(num) != num)
            if frac.any():
                self._bad(name, frac, rawv, f"{name} must be a whole number")
                num = np.where(frac, np.nan, num)
        oor = out_of_range(pd.Series(num), col)
        if oor.any():
            if name == "time_months":
                shown = _per_row(oor, rawv, lambda r: f"time_months must be > 0 (got {r})")
            else:
                rr = range_reason(col)
                shown = _per_row(oor, num, lambda v: f"{name} {_short(v)} outside {rr}")
            self._bad(name, oor, rawv, shown)
            num = np.where(oor, np.nan, num)
        if col.required:
            miss = np.isnan(num) & ~self.audit.rejected
            if miss.any():
                self.audit.reject(np.flatnonzero(miss), name, raw=None, reason=f"{name} is missing")
        return pd.Series(num, dtype="float64")

    def categorical(self, name: str, s: pd.Series) -> pd.Series:
        col = COLUMN_BY_NAME[name]
        raw_text = _text(s)
        text, explicit_na = self._apply_user_values(name, raw_text)
        rawv = raw_text.to_numpy(dtype=object)
        if explicit_na.any():
            self.audit.add(np.flatnonzero(explicit_na), name, "na", raw=rawv[explicit_na],
                           reason="mapped to NA by the mapping")
        cats = set(col.categories)
        histology = None
        if name == "primary_site":
            def fn(raw):
                if raw in cats:
                    return raw, None
                site, _h, why = lookup_site(raw)
                return site, why
            vals, found, reasons, present = _lookup_uniques(text, fn)
            hist_vals, _, _, _ = _lookup_uniques(text, lambda r: (lookup_site(r)[1], None))
            histology = pd.Series(hist_vals, dtype=object)
            unmapped_reason = reasons
        else:
            syn = CATEGORY_SYNONYMS.get(name, {})

            def fn(raw):
                if raw in cats:
                    return raw, None
                k = normalize_text(raw) or raw.strip()
                v = syn.get(k)
                return v, (f"synonym {raw!r}" if v is not None else None)
            vals, found, reasons, present = _lookup_uniques(text, fn)
            allowed = ", ".join(col.categories)
            unmapped_reason = _per_row(present & ~found, text.to_numpy(dtype=object),
                                       lambda r: f"{name} {r!r} is not one of {allowed}")
        unmapped = present & ~found
        if unmapped.any():
            if name == "primary_site":
                unmapped_reason = _per_row(unmapped, reasons, lambda r: f"primary_site: {r}")
            self._bad(name, unmapped, rawv, unmapped_reason)
        changed = found & (vals != rawv)
        user = present & (text.to_numpy(dtype=object) != rawv)
        why = np.where(user, "value map in mapping", np.where(reasons == None, "normalized", reasons))  # noqa: E711
        self._record_change(name, rawv, vals, changed, why)
        if histology is not None:
            self._histology = histology.where(found, None)
        return pd.Series(vals, dtype=object)

    def boolean(self, name: str, s: pd.Series) -> pd.Series:
        raw_text = _text(s)
        text, explicit_na = self._apply_user_values(name, raw_text)
        rawv = raw_text.to_numpy(dtype=object)
        if explicit_na.any():
            self.audit.add(np.flatnonzero(explicit_na), name, "na", raw=rawv[explicit_na],
                           reason="mapped to NA by the mapping")

        def fn(raw):
            f = _as_float(raw, self.decimal)
            if f is not None:
                return ({0.0: False, 1.0: True}.get(f)), None
            k = normalize_text(raw) or raw.strip()
            v = BOOL_SYNONYMS.get(k)
            if v is None and raw.lower() in ("true", "false"):
                v = raw.lower() == "true"
            return v, None
        vals, found, _, present = _lookup_uniques(text, fn)
        unmapped = present & ~found
        if unmapped.any():
            self._bad(name, unmapped, rawv, _per_row(unmapped, rawv, lambda r: f"{name} {r!r} is not yes/no"))
        canon_txt = np.array([None if v is None else ("1" if v else "0") for v in vals], dtype=object)
        plain = pd.Series(rawv, dtype=object).isin(["0", "1", "True", "False", "true", "false"]).to_numpy()
        changed = found & ~plain & (canon_txt != rawv)
        self._record_change(name, rawv, np.where(vals == None, None, vals), changed, "yes/no synonym")  # noqa: E711
        return pd.Series(vals, dtype=object)

    def string(self, name: str, s: pd.Series) -> pd.Series:
        text = _text(s)
        if name == "primary_histology":
            low = text.where(text.isna(), text.astype("object").str.lower().str.replace(r"[\s\-]+", "_", regex=True))
            changed = text.notna().to_numpy() & (low.to_numpy(dtype=object) != text.to_numpy(dtype=object))
            self._record_change(name, text.to_numpy(dtype=object), low.to_numpy(dtype=object), changed,
                                "normalized (lower case, spaces → _)")
            return low
        if COLUMN_BY_NAME[name].required:
            miss = text.isna().to_numpy()
            if miss.any():
                self.audit.reject(np.flatnonzero(miss), name, raw=None, reason=f"{name} is missing")
        return text

    def event(self, s: pd.Series) -> pd.Series:
        raw_text = _text(s)
        text, explicit_na = self._apply_user_values("event", raw_text)
        rawv = raw_text.to_numpy(dtype=object)

        def fn(raw):
            f = _as_float(raw, self.decimal)
            if f is not None:  # numbers first: normalize_text would turn "-1" into "1"
                return (int(f) if f in (0.0, 1.0) else None), None
            return EVENT_SYNONYMS.get(normalize_text(raw)), None
        vals, found, _, present = _lookup_uniques(text, fn)
        bad = present & ~found
        if bad.any():
            self.audit.reject(np.flatnonzero(bad), "event", raw=rawv[bad],
                              reason=np.array([f"event value {r!r} is not 0 or 1" for r in rawv[bad]], dtype=object))
        miss = ~present
        if miss.any():
            self.audit.reject(np.flatnonzero(miss), "event", raw=rawv[miss], reason="event is missing")
        plain = pd.Series(rawv, dtype=object).isin(["0", "1"]).to_numpy()
        changed = found & ~plain
        self._record_change("event", rawv, vals, changed,
                            np.where(text.to_numpy(dtype=object) != rawv, "value map in mapping", "event synonym"))
        return pd.Series(np.where(found, vals, np.nan), dtype="float64")

    # ---- dates ----------------------------------------------------------------------------
    def parse_dates(self, role: str) -> pd.Series:
        src = self.date_sources[role]
        s = self.raw[src]
        label = f"{role} date ({src})"
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            s = s.dt.tz_localize(None) if getattr(s.dt, "tz", None) else s
            return self._date_bounds(role, label, pd.Series(list(s.astype("object")), dtype=object),
                                     np.asarray(s.notna(), dtype=bool))
        text = _text(s)
        fmt = self.m.dates.get("format", "iso")
        fmts = DATE_FORMATS.get(fmt, (fmt,))
        out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
        obj = s.astype("object")
        if pd.api.types.infer_dtype(obj, skipna=True) in ("string", "empty"):
            native = np.zeros(len(obj), dtype=bool)  # text only (every CSV): nothing to convert
        else:
            native = obj.map(lambda v: hasattr(v, "year") and hasattr(v, "month")).to_numpy(dtype=bool)
        if native.any():  # Excel cells already holding dates
            out[native] = self._date_bounds(role, label, obj, native)[native]
        todo = text.notna().to_numpy() & ~native
        # parse each distinct date text once (a cohort has far fewer distinct dates than rows)
        codes, uniques = pd.factorize(text.where(todo, None), use_na_sentinel=True)
        u_parsed = pd.Series(pd.NaT, index=range(len(uniques)), dtype="datetime64[ns]")
        u_todo = np.ones(len(uniques), dtype=bool)
        u_text = pd.Series(uniques, dtype=object)
        for f in fmts:
            if not u_todo.any():
                break
            parsed = pd.to_datetime(u_text[u_todo], format=f, errors="coerce")
            hit = parsed.notna().to_numpy()
            idx = np.flatnonzero(u_todo)[hit]
            u_parsed.iloc[idx] = parsed[hit].to_numpy()
            u_todo[idx] = False
        vals = np.append(u_parsed.to_numpy(), np.datetime64("NaT", "ns"))
        got = vals[np.where(codes < 0, len(uniques), codes)]
        fill = todo & ~np.isnat(got)
        out[fill] = got[fill]
        todo &= np.isnat(got)
        if todo.any():
            rawv = text.to_numpy(dtype=object)
            self.audit.add(np.flatnonzero(todo), f"date:{role}", "na", raw=rawv[todo],
                           reason=f"{label} is not a date in format {fmt!r}; set to NA")
        return out

    def _date_bounds(self, role: str, label: str, obj: pd.Series, native: np.ndarray) -> pd.Series:
        """Native date cells → datetime64[ns]; a date outside pandas' range (1677-09-22 to
        2262-04-11) becomes NA with an audit record instead of an OutOfBoundsDatetime."""
        out = np.full(len(obj), np.datetime64("NaT", "ns"))
        oob = np.zeros(len(obj), dtype=bool)
        vals = obj.to_numpy(dtype=object)
        for i in np.flatnonzero(native):
            v = vals[i]
            try:
                ts = pd.Timestamp(v)
                if ts.tzinfo is not None:
                    ts = ts.tz_localize(None)
                if ts is pd.NaT:
                    continue
                if not (_TS_MIN <= ts <= _TS_MAX):
                    raise OverflowError
                out[i] = ts.as_unit("ns").to_datetime64()
            except (OverflowError, ValueError, TypeError, pd.errors.OutOfBoundsDatetime):
                oob[i] = True
        if oob.any():
            raw = np.array([str(v)[:10] for v in vals[oob]], dtype=object)
            self.audit.add(np.flatnonzero(oob), f"date:{role}", "na", raw=raw,
                           reason=f"{label} is outside 1677-09-22 to 2262-04-11; set to NA")
        return pd.Series(out, index=obj.index, dtype="datetime64[ns]")

    def times_from_dates(self, event: pd.Series | None):
        d = self.m.dates
        origin = self.parse_dates("origin")
        death = self.parse_dates("death") if "death" in d else pd.Series(pd.NaT, index=origin.index)
        last = self.parse_dates("last_contact") if "last_contact" in d else pd.Series(pd.NaT, index=origin.index)
        fmt = _ymd
        if event is None:
            ev = death.notna().to_numpy().astype(float)
            rows = np.arange(self.n)
            self.audit.add(rows, "event", "derived", raw=np.where(ev == 1, "death date present", "no death date"),
                           value=ev.astype(int), reason="event from dates: 1 if a death date is recorded")
            self.conversions.append("event: 1 if a death date is recorded, else 0")
        else:
            ev = event.to_numpy(dtype=float)
            conflict = (ev == 0) & death.notna().to_numpy()
            if conflict.any():
                self.audit.reject(np.flatnonzero(conflict), "event", raw="0",
                                  reason="event is 0 but a death date is recorded")
        if "death" in d:
            end = pd.Series(np.where(ev == 1, death.to_numpy(), last.to_numpy()), index=origin.index)
            end = end.astype("datetime64[ns]")
        else:  # one "last follow-up or death" date column with a separate event column
            end = last
        no_origin = origin.isna().to_numpy()
        if no_origin.any():
            self.audit.reject(np.flatnonzero(no_origin), "time_months", reason="origin date is missing")
        no_end = end.isna().to_numpy() & ~no_origin & ~np.isnan(ev)
        if no_end.any():
            why = np.where(ev[no_end] == 1, "event is 1 but the death date is missing",
                           "last-contact date is missing for a patient without a death date")
            self.audit.reject(np.flatnonzero(no_end), "time_months", reason=why)
        days = (end - origin).dt.days.to_numpy(dtype=float)
        neg = days < 0
        if neg.any():
            why = np.where(ev[neg] == 1, "death date before diagnosis (time origin) date",
                           "last-contact date before the time origin date")
            self.audit.reject(np.flatnonzero(neg), "time_months", raw=fmt(origin)[neg] + " → " + fmt(end)[neg],
                              reason=why)
        zero = days == 0
        if zero.any():
            self.audit.reject(np.flatnonzero(zero), "time_months", raw="0 days",
                              reason="time_months must be > 0 (end date equals origin date)")
        tm = days / DAYS_PER_MONTH
        ok = days > 0
        self.audit.add(np.flatnonzero(ok), "time_months", "derived",
                       raw=(fmt(origin) + " → " + fmt(end))[ok], value=np.round(tm[ok], 6),
                       reason="days between dates / 30.4375")
        self.conversions.append(f"time_months: ({'death' if 'death' in d else ''}"
                                f"{' or ' if 'death' in d and 'last_contact' in d else ''}"
                                f"{'last contact' if 'last_contact' in d else ''} − origin) days / 30.4375")
        self.out["time_months"] = pd.Series(np.where(ok, tm, np.nan), dtype="float64")
        if event is None:
            self.out["event"] = pd.Series(ev, dtype="float64")
        if "birth" in d and "age_years" not in self.sources:
            birth = self.parse_dates("birth")
            age = ((origin - birth).dt.days / 365.25).to_numpy(dtype=float)
            col = COLUMN_BY_NAME["age_years"]
            bad = out_of_range(pd.Series(age), col)
            if bad.any():
                self.audit.add(np.flatnonzero(bad), "age_years", "na", raw=(fmt(birth) + " → " + fmt(origin))[bad],
                               reason=f"age from dates outside {range_reason(col)}; set to NA")
                age = np.where(bad, np.nan, age)
            okA = ~np.isnan(age)
            self.audit.add(np.flatnonzero(okA), "age_years", "derived", raw=(fmt(birth) + " → " + fmt(origin))[okA],
                           value=np.round(age[okA], 4), reason="(origin − birth) days / 365.25")
            self.conversions.append("age_years: (origin − birth date) days / 365.25")
            self.out["age_years"] = pd.Series(age, dtype="float64")

    # ---- derivations ----------------------------------------------------------------------
    def derive(self):
        opt = self.m.derive
        kps = self.out.get("kps")
        ecog = self.out.get("ecog")
        how = opt.get("kps_from_ecog")
        if how and ecog is not None:
            k = kps.to_numpy(dtype=float) if kps is not None else np.full(self.n, np.nan)
            e = ecog.to_numpy(dtype=float)
            fill = np.isnan(k) & ~np.isnan(e)
            table = ECOG_TO_KPS[how]
            newk = np.where(fill, pd.Series(e).map(table).to_numpy(dtype=float), k)
            self.audit.add(np.flatnonzero(fill), "kps", "derived", raw="ecog " + pd.Series(e[fill]).astype("int64").astype(str).to_numpy(dtype=object),
                           value=newk[fill].astype(int), reason=f"KPS from ECOG ({how} end of band {table})")
            self.out["kps"] = pd.Series(newk, dtype="float64")
            self.out["kps_derived"] = pd.Series(fill, dtype="boolean")
            self.conversions.append(f"kps from ecog where kps missing: {how} end of band {table}")
        if opt.get("ecog_from_kps") and self.out.get("kps") is not None:
            k = self.out["kps"].to_numpy(dtype=float)
            e = ecog.to_numpy(dtype=float) if ecog is not None else np.full(self.n, np.nan)
            conv = kps_to_ecog(k)
            fill = np.isnan(e) & ~np.isnan(conv)
            if "kps_derived" in self.out:  # never derive ECOG back from a KPS derived from ECOG
                fill &= ~self.out["kps_derived"].to_numpy(dtype=bool)
            newe = np.where(fill, conv, e)
            self.audit.add(np.flatnonzero(fill), "ecog", "derived", raw="kps " + pd.Series(k[fill]).astype("int64").astype(str).to_numpy(dtype=object),
                           value=newe[fill].astype(int),
                           reason=f"ECOG from KPS by band ({DEFAULT_PS_CONVENTION})")
            self.out["ecog"] = pd.Series(newe, dtype="float64")
            self.out["ecog_derived"] = pd.Series(fill, dtype="boolean")
            self.conversions.append(f"ecog from kps where ecog missing: {DEFAULT_PS_CONVENTION} bands "
                                    "(100→0, 80–90→1, 60–70→2, 40–50→3, 10–30→4)")
        if "asia" in self.sources:
            raw_text = _text(self.raw[self.sources["asia"]])
            rawv = raw_text.to_numpy(dtype=object)
            vals, found, _, present = _lookup_uniques(
                raw_text, lambda r: (ASIA_TO_FRANKEL.get(normalize_text(r)), None))
            bad = present & ~found
            if bad.any():
                self.audit.add(np.flatnonzero(bad), "frankel", "na", raw=rawv[bad],
                               reason=np.array([f"ASIA grade {r!r} is not A–E; frankel set to NA" for r in rawv[bad]],
                                               dtype=object))
            fr = self.out.get("frankel")
            cur = fr.to_numpy(dtype=object) if fr is not None else np.full(self.n, None, dtype=object)
            fill = found & np.array([c is None for c in cur], dtype=bool)
            cur = np.where(fill, vals, cur)
            self.audit.add(np.flatnonzero(fill), "frankel", "derived", raw="ASIA " + rawv[fill].astype(str).astype(object),
                           value=vals[fill], reason="ASIA Impairment Scale → Frankel, letter for letter "
                                                    "(Maynard et al., Spinal Cord 1997)")
            self.out["frankel"] = pd.Series(cur, dtype=object)
            self.conversions.append("frankel from ASIA impairment scale, letter for letter")

    # ---- main -------------------------------------------------------------------------------
    def run(self) -> Cohort:
        self.resolve()
        self._check_cells()
        event = None
        for col in COLUMNS:
            src = self.sources.get(col.name)
            if src is None or col.name == "cohort":
                continue
            s = self.raw[src]
            if col.name == "event":
                event = self.event(s)
                self.out["event"] = event
            elif col.kind in ("float", "int"):
                self.out[col.name] = self.numeric(col.name, s)
            elif col.kind == "category":
                self.out[col.name] = self.categorical(col.name, s)
            elif col.kind == "bool":
                self.out[col.name] = self.boolean(col.name, s)
            else:
                self.out[col.name] = self.string(col.name, s)
        hist = getattr(self, "_histology", None)
        if hist is not None and hist.notna().any():
            cur = self.out.get("primary_histology")
            fill = hist.notna() if cur is None else (cur.isna() & hist.notna())
            if fill.any():
                base = cur if cur is not None else pd.Series(None, index=hist.index, dtype=object)
                self.out["primary_histology"] = base.where(~fill, hist)
                self.audit.add(np.flatnonzero(fill.to_numpy()), "primary_histology", "derived",
                               raw=_text(self.raw[self.sources["primary_site"]]).to_numpy(dtype=object)[fill.to_numpy()],
                               value=hist[fill].to_numpy(dtype=object), reason="histology detail from primary-site text")
        if "origin" in self.m.dates:
            self.times_from_dates(event)
        # the cohort label
        if self.cohort_arg is not None or self.m.cohort is not None:
            label = str(self.cohort_arg if self.cohort_arg is not None else self.m.cohort)
            self.out["cohort"] = pd.Series([label] * self.n, dtype=object)
        elif "cohort" in self.sources:
            self.out["cohort"] = self.string("cohort", self.raw[self.sources["cohort"]])
            label = None
        else:
            label = Path(self.src).stem if self.src != "<DataFrame>" else "cohort"
            self.out["cohort"] = pd.Series([label] * self.n, dtype=object)
        self.derive()
        self._entry_check()
        self._duplicates()
        for src in self.m.keep:
            self.out[src] = self.raw[src].reset_index(drop=True)
        audit = self.audit.finish()
        keep = ~self.audit.rejected
        frame = pd.DataFrame({k: v.reset_index(drop=True) for k, v in self.out.items()})
        frame = frame.loc[keep].reset_index(drop=True)
        frame = conform_dtypes(frame)
        validate_frame(frame, source=self.src)  # invariant: a harmonized frame is always valid
        meta = {
            "source": self.src,
            "sha256": self.facts.get("sha256"),
            "format": self.facts.get("format"),
            "time_origin": self.m.time_origin or (f"date column {self.m.dates['origin']!r}"
                                                  if "origin" in self.m.dates else
                                                  self.facts.get("time_origin") or "not stated"),
            "schema_version": SCHEMA_VERSION,
            "cohort": label,
            "n_input_rows": self.n,
            "n_rejected": int(self.audit.rejected.sum()),
            "columns_used": dict(self.sources),
            "columns_matched_ignoring_case": dict(self.renamed_sources),
            "ignored_columns": list(self.ignored),
            "conversions": self.conversions,
            "mapping": self.m.origin_name if self.m.columns or self.m.dates else None,
        }
        for k in ("encoding", "encoding_source", "delimiter", "sheet", "trailing_delimiter_rows"):
            if k in self.facts:
                meta[k] = self.facts[k]
        return Cohort(frame=frame, audit=audit, metadata=meta)

    def used_columns(self) -> list[str]:
        """Source columns the harmonizer reads (mapped, auto-detected, dates, keep)."""
        used = list(dict.fromkeys(list(self.sources.values()) + list(self.date_sources.values()) + list(self.m.keep)))
        return used

    def _check_cells(self):
        """Refuse cells no column handler can read faithfully: lists/dicts/arrays (nested
        Parquet or DataFrame cells) and text with NUL characters (text files are checked by the
        reader). Row and column are named; the value is not."""
        for src in self.used_columns():
            s = self.raw[src]
            if s.dtype != object and not isinstance(s.dtype, pd.StringDtype):
                continue
            kind = pd.api.types.infer_dtype(s, skipna=True)
            if kind not in ("string", "empty", "integer", "floating", "mixed-integer-float", "boolean", "decimal",
                            "date", "datetime", "datetime64", "time"):
                nested = s.map(lambda v: isinstance(v, (list, tuple, dict, set, np.ndarray))).to_numpy(dtype=bool)
                if nested.any():
                    r = int(np.flatnonzero(nested)[0])
                    raise ReadError(f"{self.src}: row {r}, column {src!r} holds a list or structure, not a single value "
                                    f"({int(nested.sum())} such cell(s)); flatten that column before reading.")
            if self.facts.get("format") != "text" and kind in ("string", "mixed", "mixed-integer"):
                nul = s.map(lambda v: isinstance(v, str) and "\x00" in v).to_numpy(dtype=bool)
                if nul.any():
                    r = int(np.flatnonzero(nul)[0])
                    raise ReadError(f"{self.src}: row {r}, column {src!r} contains a NUL character (binary data); "
                                    "remove it and read the table again.")

    def _entry_check(self):
        if "entry_months" not in self.out or "time_months" not in self.out:
            return
        e = self.out["entry_months"].to_numpy(dtype=float)
        t = self.out["time_months"].to_numpy(dtype=float)
        bad = ~np.isnan(e) & ~np.isnan(t) & (e >= t)
        if bad.any():
            self.audit.add(np.flatnonzero(bad), "entry_months", "na", raw=e[bad],
                           reason="entry_months must be < time_months; set to NA")
            self.out["entry_months"] = pd.Series(np.where(bad, np.nan, e), dtype="float64")

    def _duplicates(self):
        ids = self.out.get("patient_id")
        if ids is None:
            return
        key = pd.DataFrame({"c": self.out["cohort"].to_numpy(dtype=object), "p": ids.to_numpy(dtype=object)})
        dup = key.duplicated(keep=False).to_numpy() & ids.notna().to_numpy()
        if not dup.any():
            return
        sub = key[dup]
        rows_of = sub.groupby(["c", "p"], sort=False).indices
        reason = np.empty(self.n, dtype=object)
        full = self.raw
        if len(self.raw.columns) < len(self.facts.get("header") or []):  # only the used columns were read
            if "read_rows" in self.facts:  # just the rows that share an id, with every column
                full = self.facts["read_rows"](np.flatnonzero(dup))
            elif "reread_all_columns" in self.facts:
                full = self.facts["reread_all_columns"]()
        for idx in rows_of.values():
            rows = sub.index.to_numpy()[idx]
            if _identical_rows(full, rows, list(full.columns)):
                # the same record twice (e.g. exported twice): keep the first copy, audit the rest
                for r in rows[1:]:
                    reason[r] = f"exact duplicate of row {rows[0]}"
                continue
            for r in rows:
                others = [str(o) for o in rows if o != r]
                reason[r] = f"duplicate patient_id (same id at row{'s' if len(others) > 1 else ''} {', '.join(others)})"
        rows = np.flatnonzero(dup & np.array([r is not None for r in reason], dtype=bool))
        self.audit.reject(rows, "patient_id", raw=None, reason=reason[rows])


_MAX_EXACT = float(2 ** 53)
_TS_MIN, _TS_MAX = pd.Timestamp.min, pd.Timestamp.max


_NUMBER_TEXT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _parse_numbers(text: pd.Series) -> np.ndarray:
    """Decimal text → float64, NaN where the text is not a plain ASCII decimal number.

    Python's ``float`` is correctly rounded; ``pandas.to_numeric`` is not for some long inputs
    (e.g. '3.7551196192654696e-112' comes back 1 ulp off), which would change a raw value without
    an audit record. Each distinct text is parsed once. Underscores, non-ASCII digits, hex and
    words such as 'inf' are not numbers here."""
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    vals = np.array([float(u) if isinstance(u, str) and _NUMBER_TEXT.fullmatch(u) else np.nan for u in uniques]
                    + [np.nan], dtype="float64")
    return vals[np.where(codes < 0, len(uniques), codes)]


def _identical_rows(raw: pd.DataFrame, rows, columns) -> bool:
    """True when the rows hold the same raw value in every column of the input table."""
    sub = raw.loc[np.asarray(rows), list(columns)]  # index = input row position
    first = [repr(v) for v in sub.iloc[0].tolist()]
    return all([repr(v) for v in sub.iloc[i].tolist()] == first for i in range(1, len(sub)))


def _per_row(mask: np.ndarray, values: np.ndarray, fn) -> np.ndarray:
    """Object array with ``fn(value)`` where ``mask`` is True (None elsewhere): messages are built
    only for the rows that need one."""
    out = np.full(len(mask), None, dtype=object)
    idx = np.flatnonzero(mask)
    if idx.size:
        vals = np.asarray(values, dtype=object)[idx]
        out[idx] = [fn(v) for v in vals]
    return out


def _ymd(x: pd.Series) -> np.ndarray:
    """'YYYY-MM-DD' strings ('NA' for NaT), vectorized through NumPy's datetime64[D]."""
    out = x.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(str).astype(object)
    out[x.isna().to_numpy()] = "NA"
    return out


def _as_float(raw: str, decimal: str = ".") -> float | None:
    try:
        f = float(raw.replace(decimal, ".") if decimal != "." else raw)
    except (ValueError, AttributeError):
        return None
    return f if np.isfinite(f) else None


def _short(v) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    if np.isnan(f):
        return "NA"
    return str(int(f)) if f.is_integer() else f"{f:.4g}"


def harmonize(raw: pd.DataFrame, mapping=None, *, cohort: str | None = None, facts: dict | None = None) -> Cohort:
    """Harmonize an already-read raw table (see :func:`read_cohort`)."""
    m = load_mapping(mapping)
    if facts is None:
        raw, facts = read_table(raw)
    return _Harmonizer(raw, m, facts, cohort).run()


def read_cohort(source, mapping=None, *, cohort: str | None = None) -> Cohort:
    """Read and harmonize an institutional table into a canonical :class:`Cohort`.

    Parameters
    ----------
    source : str, Path or DataFrame
        .csv/.tsv/.txt (delimiter and encoding detected; latin-1 and UTF-8 BOM handled),
        .xlsx/.xls, .parquet, or a DataFrame. A table whose columns already carry canonical
        names needs no mapping.
    mapping : str, Path or dict, optional
        Mapping file (YAML) or dict: ``columns`` (renames), ``values`` (value maps), ``units``,
        ``dates`` (origin/death/last_contact/birth and ``format`` dayfirst/monthfirst/iso),
        ``time_origin``, ``derive`` (ECOG↔KPS), ``keep``, ``read``. See
        ``data/examples/mapping_example.yaml``.
    cohort : str, optional
        Cohort label; overrides the mapping's ``cohort`` and any cohort column.

    Returns
    -------
    Cohort
        ``.frame`` (kept rows, canonical dtypes), ``.audit`` (every input row accounted for:
        one ``column == "*"`` status record per row plus cell records) and ``.metadata``
        (source, sha256, time_origin, schema_version, conversions, ...).

    Raises
    ------
    ReadError
        The file is missing, empty, binary or not a regular table.
    MappingError
        The mapping is malformed or names a column the table does not have.

    Examples
    --------
    A table with institutional headers and values, harmonized with a mapping given as a dict
    (a YAML file with the same keys works the same way; see
    ``data/examples/klinikum_nord.yaml`` for a real one):

    >>> import pandas as pd
    >>> from prognosis import read_cohort
    >>> raw = pd.DataFrame({"id": ["a1", "a2", "a3"], "OS_m": [14.2, 3.1, 30.0],
    ...                     "dead": ["yes", "yes", "no"], "Primary": ["lung", "breast", "kidney"],
    ...                     "KPS": [80, 50, 90]})
    >>> mapping = {"columns": {"patient_id": "id", "time_months": "OS_m", "event": "dead",
    ...                        "primary_site": "Primary", "kps": "KPS"},
    ...            "values": {"event": {"yes": 1, "no": 0}}}
    >>> cohort = read_cohort(raw, mapping, cohort="example")
    >>> cohort.frame[["time_months", "event", "primary_site", "kps"]]
       time_months  event primary_site  kps
    0         14.2      1         lung   80
    1          3.1      1       breast   50
    2         30.0      0       kidney   90

    Every input row is accounted for in the audit (row positions, never identifiers):

    >>> cohort.audit.query("column == 'event'")[["row", "action", "raw", "value", "reason"]]
       row   action  raw value                reason
    1    0  changed  yes     1  value map in mapping
    3    1  changed  yes     1  value map in mapping
    5    2  changed   no     0  value map in mapping
    """
    m = load_mapping(mapping)
    raw, facts = read_table(source, encoding=m.read.get("encoding"), delimiter=m.read.get("delimiter"),
                            sheet=m.read.get("sheet"), usecols=lambda header: _columns_needed(m, header, source))
    return _Harmonizer(raw, m, facts, cohort).run()


def _columns_needed(m: Mapping, header: list[str], source) -> list[str]:
    """The source columns the harmonizer will read, resolved from the header alone, so that the
    reader loads only those (a 200-column export needs a handful)."""
    name = Path(source).name if isinstance(source, (str, Path)) else "<DataFrame>"
    h = _Harmonizer(pd.DataFrame(columns=header), m, {"header": list(header), "source": name}, None)
    h.resolve()
    return h.used_columns()
