"""Row rules and derivations after the per-column conversion: ECOG↔KPS, ASIA→Frankel, histology
from primary-site text, ``entry_months < time_months`` and duplicate patients.

Duplicates: rows identical in every column of the input keep their first copy; the other copies
are rejected as "exact duplicate of row k". The same patient_id with any differing value rejects
every copy (which one is right cannot be known).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..clinical import DEFAULT_PS_CONVENTION, ecog_to_kps, kps_to_ecog
from ._text import Coded
from .audit import AuditLog
from .schema import COLUMN_BY_NAME
from .vocab import ASIA_TO_FRANKEL, normalize_text

__all__ = ["ECOG_TO_KPS", "derive_performance", "derive_frankel", "fill_histology", "check_entry",
           "reject_duplicates"]

#: ECOG → KPS, the two ends of the KPS band of each ECOG grade under the package's default
#: convention (:mod:`prognosis.clinical`, Ma C et al., Eur J Cancer 2010). ``lower`` is the
#: default because it never credits a patient with a better KPS than the band allows; derived
#: values are flagged (``kps_derived``) and recorded in the audit.
ECOG_TO_KPS = {
    "lower": {e: int(ecog_to_kps(e, end="low")) for e in range(5)},
    "upper": {e: int(ecog_to_kps(e, end="high")) for e in range(5)},
}


def _labelled(prefix: str, values: np.ndarray) -> np.ndarray:
    """``prefix + str(int(v))`` per value (formatted once per distinct value)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    texts = np.array([f"{prefix}{int(u)}" for u in uniques.tolist()], dtype=object)
    return texts[codes] if len(codes) else np.empty(0, dtype=object)


def derive_performance(out: dict, derive: dict, n: int, audit: AuditLog, conversions: list[str]) -> None:
    """KPS from ECOG (``derive: {kps_from_ecog: lower|upper}``) and ECOG from KPS
    (``derive: {ecog_from_kps: true}``) where the other is missing; flagged and audited."""
    kps, ecog = out.get("kps"), out.get("ecog")
    how = derive.get("kps_from_ecog")
    if how and ecog is not None:
        k = kps.to_numpy(dtype=float) if kps is not None else np.full(n, np.nan)
        e = ecog.to_numpy(dtype=float)
        fill = np.isnan(k) & ~np.isnan(e)
        table = ECOG_TO_KPS[how]
        newk = np.where(fill, pd.Series(e).map(table).to_numpy(dtype=float), k)
        audit.add(np.flatnonzero(fill), "kps", "derived", raw=_labelled("ecog ", e[fill]),
                  value=newk[fill].astype(int), reason=f"KPS from ECOG ({how} end of band {table})")
        out["kps"] = pd.Series(newk, dtype="float64")
        out["kps_derived"] = pd.Series(fill, dtype="boolean")
        conversions.append(f"kps from ecog where kps missing: {how} end of band {table}")
    if derive.get("ecog_from_kps") and out.get("kps") is not None:
        k = out["kps"].to_numpy(dtype=float)
        e = ecog.to_numpy(dtype=float) if ecog is not None else np.full(n, np.nan)
        codes, distinct = pd.factorize(k, use_na_sentinel=False)  # a handful of KPS values: convert each once
        conv = kps_to_ecog(distinct)[codes] if len(distinct) else np.full(n, np.nan)
        fill = np.isnan(e) & ~np.isnan(conv)
        if "kps_derived" in out:  # never derive ECOG back from a KPS derived from ECOG
            fill &= ~out["kps_derived"].to_numpy(dtype=bool)
        newe = np.where(fill, conv, e)
        audit.add(np.flatnonzero(fill), "ecog", "derived", raw=_labelled("kps ", k[fill]),
                  value=newe[fill].astype(int), reason=f"ECOG from KPS by band ({DEFAULT_PS_CONVENTION})")
        out["ecog"] = pd.Series(newe, dtype="float64")
        out["ecog_derived"] = pd.Series(fill, dtype="boolean")
        conversions.append(f"ecog from kps where ecog missing: {DEFAULT_PS_CONVENTION} bands "
                           "(100→0, 80–90→1, 60–70→2, 40–50→3, 10–30→4)")


def derive_frankel(out: dict, asia: Coded, n: int, audit: AuditLog, conversions: list[str]) -> None:
    """Frankel grade from the ASIA Impairment Scale, letter for letter, where Frankel is missing."""
    letters = np.array([ASIA_TO_FRANKEL.get(normalize_text(u)) for u in asia.uniques.tolist()], dtype=object)
    found_u = np.array([v is not None for v in letters.tolist()], dtype=bool)
    bad = asia.broadcast(~found_u, False)
    if bad.any():
        rows = np.flatnonzero(bad)
        raw = asia.at(rows)
        why = [f"ASIA grade {r!r} is not A–E; frankel set to NA" for r in raw.tolist()]
        audit.add(rows, "frankel", "na", raw=raw, reason=np.array(why, dtype=object))
    categories = list(COLUMN_BY_NAME["frankel"].categories)
    new_codes = asia.broadcast(pd.Categorical(letters, categories=categories).codes, -1)
    fr = out.get("frankel")
    cur_codes = fr.cat.codes.to_numpy() if fr is not None else np.full(n, -1, dtype=np.int8)
    fill = asia.broadcast(found_u, False) & (cur_codes < 0)
    rows = np.flatnonzero(fill)
    audit.add(rows, "frankel", "derived", raw=np.array([f"ASIA {r}" for r in asia.at(rows).tolist()], dtype=object),
              value=asia.broadcast(letters)[rows], reason="ASIA Impairment Scale → Frankel, letter for letter "
                                                         "(Maynard et al., Spinal Cord 1997)")
    out["frankel"] = pd.Series(pd.Categorical.from_codes(np.where(fill, new_codes, cur_codes), categories=categories))
    conversions.append("frankel from ASIA impairment scale, letter for letter")


def fill_histology(out: dict, hist: pd.Series | None, site: Coded | None, audit: AuditLog) -> None:
    """Histology detail found in the primary-site text (e.g. "NSCLC") where none is recorded."""
    if hist is None or not hist.notna().any():
        return
    cur = out.get("primary_histology")
    fill = hist.notna() if cur is None else (cur.isna() & hist.notna())
    if not fill.any():
        return
    base = cur if cur is not None else pd.Series(None, index=hist.index, dtype=object)
    out["primary_histology"] = base.where(~fill, hist)
    rows = np.flatnonzero(fill.to_numpy())
    audit.add(rows, "primary_histology", "derived", raw=site.at(rows), value=hist.to_numpy(dtype=object)[rows],
              reason="histology detail from primary-site text")


def check_entry(out: dict, audit: AuditLog) -> None:
    """Delayed entry must precede the end of follow-up; otherwise entry_months becomes NA."""
    if "entry_months" not in out or "time_months" not in out:
        return
    e = out["entry_months"].to_numpy(dtype=float)
    t = out["time_months"].to_numpy(dtype=float)
    bad = ~np.isnan(e) & ~np.isnan(t) & (e >= t)
    if bad.any():
        audit.add(np.flatnonzero(bad), "entry_months", "na", raw=e[bad],
                  reason="entry_months must be < time_months; set to NA")
        out["entry_months"] = pd.Series(np.where(bad, np.nan, e), dtype="float64")


def _identical_rows(raw: pd.DataFrame, rows, columns) -> bool:
    """True when the rows hold the same raw value in every column of the input table."""
    sub = raw.loc[np.asarray(rows), list(columns)]  # index = input row position
    first = [repr(v) for v in sub.iloc[0].tolist()]
    return all([repr(v) for v in sub.iloc[i].tolist()] == first for i in range(1, len(sub)))


def _duplicated_ids(out: dict, one_cohort: bool) -> np.ndarray:
    ids = out["patient_id"]
    present = ids.notna().to_numpy()
    if one_cohort:  # a single cohort label: the id alone is the key
        return ids.duplicated(keep=False).to_numpy() & present
    key = pd.DataFrame({"c": out["cohort"].to_numpy(dtype=object), "p": ids.to_numpy(dtype=object)})
    return key.duplicated(keep=False).to_numpy() & present


def _full_rows(raw: pd.DataFrame, facts: dict, dup: np.ndarray) -> pd.DataFrame:
    """The input rows with every column (a reader may have loaded only the used ones)."""
    if len(raw.columns) < len(facts.get("header") or []):
        if "read_rows" in facts:  # just the rows that share an id, with every column
            return facts["read_rows"](np.flatnonzero(dup))
        if "reread_all_columns" in facts:
            return facts["reread_all_columns"]()
    return raw


def reject_duplicates(out: dict, raw: pd.DataFrame, facts: dict, audit: AuditLog, one_cohort: bool) -> None:
    """Reject duplicate patient_ids within a cohort (see the module docstring)."""
    if out.get("patient_id") is None:
        return
    dup = _duplicated_ids(out, one_cohort)
    if not dup.any():
        return
    ids = out["patient_id"]
    key = pd.DataFrame({"c": out["cohort"].to_numpy(dtype=object)[dup], "p": ids.to_numpy(dtype=object)[dup]},
                       index=np.flatnonzero(dup))
    rows_of = key.groupby(["c", "p"], sort=False).indices
    reason = np.empty(len(dup), dtype=object)
    full = _full_rows(raw, facts, dup)
    for idx in rows_of.values():
        rows = key.index.to_numpy()[idx]
        if _identical_rows(full, rows, list(full.columns)):
            # the same record twice (e.g. exported twice): keep the first copy, audit the rest
            for r in rows[1:]:
                reason[r] = f"exact duplicate of row {rows[0]}"
            continue
        for r in rows:
            others = [str(o) for o in rows if o != r]
            reason[r] = f"duplicate patient_id (same id at row{'s' if len(others) > 1 else ''} {', '.join(others)})"
    rows = np.flatnonzero(dup & np.array([r is not None for r in reason], dtype=bool))
    audit.reject(rows, "patient_id", raw=None, reason=reason[rows])
