"""Dates → follow-up time, event and age: :class:`DateDerivation`.

Date columns are parsed with the mapping's named convention (``dayfirst``, ``monthfirst``,
``iso``; formats tried in order, no per-value guessing) or an explicit ``strftime`` format, once
per distinct text. ``time_months`` = (death or last contact − origin) days / 30.4375 (the
schema's calendar month); ``age_years`` = (origin − birth) days / 365.25.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from ._text import Coded
from .audit import AuditLog, LazyText
from .mapping import DATE_FORMATS, Mapping
from .schema import COLUMN_BY_NAME, DAYS_PER_MONTH
from .validate import out_of_range, range_reason

__all__ = ["DateDerivation"]

_TS_MIN, _TS_MAX = pd.Timestamp.min, pd.Timestamp.max
_NAT = np.datetime64("NaT", "ns")


def _ymd_coded(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, texts): 'YYYY-MM-DD' ('NA' for NaT) of datetime64[ns] values, one text per day."""
    days = x.astype("datetime64[D]")
    codes, uniques = pd.factorize(days.view(np.int64), use_na_sentinel=False)
    texts = uniques.view("datetime64[D]").astype(str).astype(object)
    texts[np.isnat(uniques.view("datetime64[D]"))] = "NA"
    return codes, texts


def _days(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Whole days from start to end (floor, as ``Timedelta.days``), NaN where a date is missing."""
    return (pd.Series(end) - pd.Series(start)).dt.days.to_numpy(dtype=float)


def _arrow(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """'YYYY-MM-DD → YYYY-MM-DD' per row for two datetime64[ns] arrays ('NA' for NaT); the
    dates are formatted once per distinct day and joined with one string concatenation per row."""
    ca, ta = _ymd_coded(a)
    cb, tb = _ymd_coded(b)
    left = np.array([f"{t} → " for t in ta.tolist()], dtype=object)
    if not len(ca):
        return np.empty(0, dtype=object)
    return left[ca] + tb[cb]


def _native_dates(role: str, label: str, vals: np.ndarray, native: np.ndarray, audit: AuditLog) -> np.ndarray:
    """Native date cells → datetime64[ns]; a date outside pandas' range (1677-09-22 to
    2262-04-11) becomes NA with an audit record instead of an OutOfBoundsDatetime."""
    out = np.full(len(vals), _NAT)
    oob = np.zeros(len(vals), dtype=bool)
    for i in np.flatnonzero(native):
        try:
            ts = pd.Timestamp(vals[i])
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
        audit.add(np.flatnonzero(oob), f"date:{role}", "na", raw=raw,
                  reason=f"{label} is outside 1677-09-22 to 2262-04-11; set to NA")
    return out


def _parse_formats(texts: np.ndarray, fmts) -> np.ndarray:
    """datetime64[ns] of each text under the first format that reads it (NaT if none)."""
    parsed_all = pd.Series(pd.NaT, index=range(len(texts)), dtype="datetime64[ns]")
    todo = np.ones(len(texts), dtype=bool)
    u_text = pd.Series(texts, dtype=object)
    for f in fmts:
        if not todo.any():
            break
        parsed = pd.to_datetime(u_text[todo], format=f, errors="coerce")
        hit = parsed.notna().to_numpy()
        idx = np.flatnonzero(todo)[hit]
        parsed_all.iloc[idx] = parsed[hit].to_numpy()
        todo[idx] = False
    return parsed_all.to_numpy()


@dataclass
class DateDerivation:
    """Parses the mapping's date columns and derives time_months, event and age_years."""

    raw: pd.DataFrame
    mapping: Mapping
    date_sources: dict[str, str]
    audit: AuditLog
    text_of: Callable[[str], Coded]  # cleaned text of a source column (cached by the caller)
    conversions: list[str]

    @property
    def n(self) -> int:
        return len(self.raw)

    def parse(self, role: str) -> np.ndarray:
        """datetime64[ns] per row of the date column for ``role`` (NaT where missing/unreadable)."""
        src = self.date_sources[role]
        s = self.raw[src]
        label = f"{role} date ({src})"
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            s = s.dt.tz_localize(None) if getattr(s.dt, "tz", None) else s
            vals = pd.Series(list(s.astype("object")), dtype=object).to_numpy()
            return _native_dates(role, label, vals, np.asarray(s.notna(), dtype=bool), self.audit)
        coded = self.text_of(src)
        fmt = self.mapping.dates.get("format", "iso")
        out = np.full(self.n, _NAT)
        obj = s.astype("object")
        if pd.api.types.infer_dtype(obj, skipna=True) in ("string", "empty"):
            native = np.zeros(len(obj), dtype=bool)  # text only (every CSV): nothing to convert
        else:
            native = obj.map(lambda v: hasattr(v, "year") and hasattr(v, "month")).to_numpy(dtype=bool)
        if native.any():  # Excel cells already holding dates
            out[native] = _native_dates(role, label, obj.to_numpy(), native, self.audit)[native]
        todo = coded.present & ~native
        # parse each distinct date text once, in order of first appearance
        needed = pd.unique(coded.codes[todo])
        parsed = np.full(len(coded.uniques) + 1, _NAT)
        parsed[needed] = _parse_formats(coded.uniques[needed], DATE_FORMATS.get(fmt, (fmt,)))
        got = parsed[coded.codes]
        fill = todo & ~np.isnat(got)
        out[fill] = got[fill]
        todo &= np.isnat(got)
        if todo.any():
            rows = np.flatnonzero(todo)
            self.audit.add(rows, f"date:{role}", "na", raw=coded.at(rows),
                           reason=f"{label} is not a date in format {fmt!r}; set to NA")
        return out

    # ---- outcome ---------------------------------------------------------------------------
    def _event(self, event: pd.Series | None, death: np.ndarray) -> np.ndarray:
        if event is None:
            ev = (~np.isnat(death)).astype(float)
            raw = np.array(["no death date", "death date present"], dtype=object)[ev.astype(np.int64)]
            self.audit.add(np.arange(self.n), "event", "derived", raw=raw, value=ev.astype(int),
                           reason="event from dates: 1 if a death date is recorded")
            self.conversions.append("event: 1 if a death date is recorded, else 0")
            return ev
        ev = event.to_numpy(dtype=float)
        conflict = (ev == 0) & ~np.isnat(death)
        if conflict.any():
            self.audit.reject(np.flatnonzero(conflict), "event", raw="0",
                              reason="event is 0 but a death date is recorded")
        return ev

    def _reject_bad_intervals(self, origin: np.ndarray, end: np.ndarray, ev: np.ndarray, days: np.ndarray) -> None:
        no_origin = np.isnat(origin)
        if no_origin.any():
            self.audit.reject(np.flatnonzero(no_origin), "time_months", reason="origin date is missing")
        no_end = np.isnat(end) & ~no_origin & ~np.isnan(ev)
        if no_end.any():
            why = np.where(ev[no_end] == 1, "event is 1 but the death date is missing",
                           "last-contact date is missing for a patient without a death date")
            self.audit.reject(np.flatnonzero(no_end), "time_months", reason=why)
        neg = days < 0
        if neg.any():
            why = np.where(ev[neg] == 1, "death date before diagnosis (time origin) date",
                           "last-contact date before the time origin date")
            self.audit.reject(np.flatnonzero(neg), "time_months", raw=LazyText(partial(_arrow, origin[neg], end[neg])),
                              reason=why)
        zero = days == 0
        if zero.any():
            self.audit.reject(np.flatnonzero(zero), "time_months", raw="0 days",
                              reason="time_months must be > 0 (end date equals origin date)")

    def outcome(self, event: pd.Series | None) -> tuple[dict[str, pd.Series], np.ndarray]:
        """time_months (and event when the table has no event column) from the dates; also
        returns the origin dates (for :meth:`age`)."""
        d = self.mapping.dates
        origin = self.parse("origin")
        death = self.parse("death") if "death" in d else np.full(self.n, _NAT)
        last = self.parse("last_contact") if "last_contact" in d else np.full(self.n, _NAT)
        ev = self._event(event, death)
        # one "last follow-up or death" date column with a separate event column when no death date
        end = np.where(ev == 1, death, last) if "death" in d else last
        days = _days(origin, end)
        self._reject_bad_intervals(origin, end, ev, days)
        tm = days / DAYS_PER_MONTH
        ok = days > 0
        rows = np.flatnonzero(ok)
        self.audit.add(rows, "time_months", "derived", raw=LazyText(partial(_arrow, origin[rows], end[rows])),
                       value=np.round(tm[rows], 6), reason="days between dates / 30.4375")
        self.conversions.append(f"time_months: ({'death' if 'death' in d else ''}"
                                f"{' or ' if 'death' in d and 'last_contact' in d else ''}"
                                f"{'last contact' if 'last_contact' in d else ''} − origin) days / 30.4375")
        out = {"time_months": pd.Series(np.where(ok, tm, np.nan), dtype="float64")}
        if event is None:
            out["event"] = pd.Series(ev, dtype="float64")
        return out, origin

    def age(self, origin: np.ndarray) -> pd.Series:
        """age_years = (origin − birth) days / 365.25; outside the schema's range → NA (audited)."""
        birth = self.parse("birth")
        days = _days(birth, origin)
        age = days / 365.25
        col = COLUMN_BY_NAME["age_years"]
        bad = out_of_range(pd.Series(age), col)
        if bad.any():
            rows = np.flatnonzero(bad)
            self.audit.add(rows, "age_years", "na", raw=LazyText(partial(_arrow, birth[rows], origin[rows])),
                           reason=f"age from dates outside {range_reason(col)}; set to NA")
            age = np.where(bad, np.nan, age)
        rows = np.flatnonzero(~np.isnan(age))
        self.audit.add(rows, "age_years", "derived", raw=LazyText(partial(_arrow, birth[rows], origin[rows])),
                       value=np.round(age[rows], 4), reason="(origin − birth) days / 365.25")
        self.conversions.append("age_years: (origin − birth date) days / 365.25")
        return pd.Series(age, dtype="float64")
