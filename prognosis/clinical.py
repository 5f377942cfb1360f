"""Clinical conventions: the one cited home of ECOG ↔ KPS conversions, time units and horizons.

Every module that converts a performance status, a time unit or picks a default horizon uses
this module (harmonizer, scores, features, simulator); nothing else holds its own table.

Performance status
------------------
ECOG (Eastern Cooperative Oncology Group) grades 0–4 are defined by Oken MM, Creech RH, Tormey DC
et al., *Toxicity and response criteria of the Eastern Cooperative Oncology Group*, Am J Clin
Oncol 1982;5(6):649–655. KPS (Karnofsky performance status) runs 0–100 in steps of 10. There is no
single published correspondence; each named convention below is a table of KPS bands:

``"ma2010"`` (default)
    Ma C, Bandukwala S, Burman D, et al. *Interconversion of three measures of performance
    status: an empirical analysis.* Eur J Cancer 2010;46(18):3175–3183,
    doi:10.1016/j.ejca.2010.06.126 — 1,385 paired assessments in advanced cancer; the
    categorisation KPS 100 → ECOG 0, 80–90 → 1, 60–70 → 2, 40–50 → 3, 10–30 → 4 had the highest
    hit rate (75%) [V1, abstract]. Default because it was derived in patients with advanced cancer
    (the setting of spinal metastases), maximises agreement, and agrees with both other measured
    correspondences on the points that change scores (ECOG 1 = KPS 80–90; KPS 50 = ECOG 3).
``"prasad2018"``
    Prasad KT, Kaur H, Muthu V, et al. *Interconversion of two commonly used performance tools:
    an analysis of 5844 paired assessments in 1501 lung cancer patients.* World J Clin Oncol
    2018;9(7):140–147, doi:10.5306/wjco.v9.i7.140 — KPS 100 → 0, 80–90 → 1, 70 → 2, 50–60 → 3,
    10–40 → 4 (hit rate 78.1%) [V1, abstract].
``"buccheri1996"``
    Buccheri G, Ferrigno D, Tamburini M. *Karnofsky and ECOG performance status scoring in lung
    cancer: a prospective, longitudinal study of 536 patients from a single institution.* Eur J
    Cancer 1996;32A(7):1135–1141 — a **three-level** table (agreement > 84%): KPS 80–100 ↔
    ECOG 0–1; KPS 60–70 ↔ ECOG 2; KPS < 60 ↔ ECOG 3–4 [V1, abstract]. Its bands span two ECOG
    grades (or 50 KPS points), so a single value is only defined for ECOG 2 / KPS 60–70;
    :func:`kps_to_ecog` gives NaN elsewhere — use the ``*_range`` functions.
``"oken"``
    The "commonly used comparison" printed beside the Oken 1982 scale by ECOG-ACRIN (ECOG 0 ↔
    KPS 90–100, 1 ↔ 70–80, 2 ↔ 50–60, 3 ↔ 30–40, 4 ↔ 10–20) [V2, ECOG-ACRIN web page; the 1982
    paper defines ECOG but publishes no KPS correspondence]. Kept because many older cohorts and
    calculators use it; it places KPS 90 at ECOG 0 and KPS 50 at ECOG 2, which all three measured
    correspondences contradict.

KPS values between the deciles (e.g. 75) fall in the band whose lower edge is the largest one
not above them. KPS 0 (dead) and 1–9 have no ECOG 0–4 grade and convert to NaN; ECOG 5 (dead) is
outside the schema.

Time
----
Time is in months throughout the package (cohort schema): a calendar-average month of
``DAYS_PER_MONTH = 365.25 / 12 = 30.4375`` days.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import InputError

__all__ = [
    "DAYS_PER_YEAR", "MONTHS_PER_YEAR", "DAYS_PER_MONTH", "DAYS_PER_WEEK", "DEFAULT_HORIZONS",
    "PerformanceConvention", "PS_CONVENTIONS", "DEFAULT_PS_CONVENTION",
    "kps_to_ecog", "kps_to_ecog_range", "ecog_to_kps", "ecog_to_kps_range", "ps_convention_table",
]

#: Julian year (days); ages are (date difference in days) / 365.25.
DAYS_PER_YEAR = 365.25
MONTHS_PER_YEAR = 12
#: Calendar-average month used for every time conversion (cohort schema: days / 30.4375).
DAYS_PER_MONTH = DAYS_PER_YEAR / MONTHS_PER_YEAR
DAYS_PER_WEEK = 7.0
#: Default prediction horizons in months: 3, 6 and 12 months are the landmarks of the published
#: external validations of spinal-metastasis scores (Bindels et al., Spine J 2025; clinical-facts
#: §7.4); 24 months is the longest horizon the classic score tables describe (van der Linden 2005
#: 2-year survival; Katagiri 2014 2-year survival).
DEFAULT_HORIZONS: tuple[float, ...] = (3.0, 6.0, 12.0, 24.0)


@dataclass(frozen=True)
class PerformanceConvention:
    """One named KPS ↔ ECOG correspondence: rows ``(kps_low, kps_high, ecog_low, ecog_high)``."""

    name: str
    citation: str
    evidence: str
    bands: tuple[tuple[int, int, int, int], ...]

    def describe(self) -> str:
        parts = []
        for klo, khi, elo, ehi in self.bands:
            k = f"{klo}" if klo == khi else f"{klo}–{khi}"
            e = f"{elo}" if elo == ehi else f"{elo}–{ehi}"
            parts.append(f"KPS {k} ↔ ECOG {e}")
        return f"{self.name}: " + ", ".join(parts) + f" ({self.citation}) [{self.evidence}]"


PS_CONVENTIONS: dict[str, PerformanceConvention] = {
    "ma2010": PerformanceConvention(
        "ma2010", "Ma C et al., Eur J Cancer 2010;46:3175-83", "V1",
        ((100, 100, 0, 0), (80, 90, 1, 1), (60, 70, 2, 2), (40, 50, 3, 3), (10, 30, 4, 4))),
    "prasad2018": PerformanceConvention(
        "prasad2018", "Prasad KT et al., World J Clin Oncol 2018;9:140-7", "V1",
        ((100, 100, 0, 0), (80, 90, 1, 1), (70, 70, 2, 2), (50, 60, 3, 3), (10, 40, 4, 4))),
    "buccheri1996": PerformanceConvention(
        "buccheri1996", "Buccheri G et al., Eur J Cancer 1996;32A:1135-41 (three levels)", "V1",
        ((80, 100, 0, 1), (60, 70, 2, 2), (10, 50, 3, 4))),
    "oken": PerformanceConvention(
        "oken", "ECOG-ACRIN comparison printed with Oken MM et al., Am J Clin Oncol 1982;5:649-55",
        "V2", ((90, 100, 0, 0), (70, 80, 1, 1), (50, 60, 2, 2), (30, 40, 3, 3), (10, 20, 4, 4))),
}
DEFAULT_PS_CONVENTION = "ma2010"


def _convention(convention) -> PerformanceConvention:
    if isinstance(convention, PerformanceConvention):
        return convention
    try:
        return PS_CONVENTIONS[convention]
    except (KeyError, TypeError):
        raise InputError(f"unknown performance-status convention {convention!r}; choose one of "
                         f"{sorted(PS_CONVENTIONS)}") from None


def _as_array(values, name: str, lo: float, hi: float, integer: bool):
    scalar = np.ndim(values) == 0
    try:
        x = np.asarray(pd.to_numeric(pd.Series(np.atleast_1d(values), dtype="object"),
                                     errors="raise"), dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{name}: expected numbers") from None
    bad = ~np.isnan(x) & ((x < lo) | (x > hi) | ((x != np.round(x)) if integer else False))
    if bad.any():
        raise InputError(f"{name} must be {'an integer ' if integer else ''}in {lo:g}–{hi:g}; "
                         f"got {x[bad][0]:g}")
    return x, scalar


def _out(x: np.ndarray, scalar: bool):
    return float(x[0]) if scalar else x


def kps_to_ecog_range(kps, convention: str = DEFAULT_PS_CONVENTION):
    """ECOG interval ``(low, high)`` for KPS values under a named convention (NaN where undefined).

    Each KPS falls in the band whose lower edge is the largest one not above it; KPS < 10 gives
    NaN. Scalars in → floats out; array-likes in → float arrays out.
    """
    conv = _convention(convention)
    k, scalar = _as_array(kps, "kps", 0, 100, integer=False)
    lo = np.full(k.shape, np.nan)
    hi = np.full(k.shape, np.nan)
    for klo, _khi, elo, ehi in sorted(conv.bands):  # ascending lower edges: later bands win
        m = k >= klo
        lo[m], hi[m] = elo, ehi
    return _out(lo, scalar), _out(hi, scalar)


def kps_to_ecog(kps, convention: str = DEFAULT_PS_CONVENTION):
    """ECOG grade for KPS values under a named convention (default Ma et al. 2010).

    NaN where KPS is missing or below 10, and where the convention's band spans several ECOG
    grades (Buccheri's three-level table except KPS 60–70): use :func:`kps_to_ecog_range` there.

    >>> kps_to_ecog([100, 90, 80, 70, 60, 50, 40, 30, 20, 10])
    array([0., 1., 1., 2., 2., 3., 3., 4., 4., 4.])
    >>> kps_to_ecog(50, "oken")
    2.0
    """
    lo, hi = kps_to_ecog_range(kps, convention)
    return np.where(np.asarray(lo) == np.asarray(hi), lo, np.nan) if np.ndim(lo) else (
        lo if lo == hi else float("nan"))


def ecog_to_kps_range(ecog, convention: str = DEFAULT_PS_CONVENTION):
    """KPS interval ``(low, high)`` for ECOG grades 0–4 under a named convention."""
    conv = _convention(convention)
    e, scalar = _as_array(ecog, "ecog", 0, 4, integer=True)
    lo = np.full(e.shape, np.nan)
    hi = np.full(e.shape, np.nan)
    for klo, khi, elo, ehi in conv.bands:
        m = (e >= elo) & (e <= ehi)
        lo[m], hi[m] = klo, khi
    return _out(lo, scalar), _out(hi, scalar)


def ecog_to_kps(ecog, convention: str = DEFAULT_PS_CONVENTION, *, end: str = "low"):
    """One KPS value per ECOG grade: the ``"low"`` (default; never credits a better KPS than the
    band allows), ``"high"`` or ``"mid"`` point of the convention's KPS band.

    >>> ecog_to_kps([0, 1, 2, 3, 4])
    array([100.,  80.,  60.,  40.,  10.])
    >>> ecog_to_kps(1, end="mid")
    85.0
    """
    if end not in ("low", "high", "mid"):
        raise InputError(f"ecog_to_kps: end must be 'low', 'high' or 'mid', got {end!r}")
    lo, hi = ecog_to_kps_range(ecog, convention)
    if end == "low":
        return lo
    if end == "high":
        return hi
    return (np.asarray(lo) + np.asarray(hi)) / 2.0 if np.ndim(lo) else (lo + hi) / 2.0


def ps_convention_table(convention: str = DEFAULT_PS_CONVENTION) -> pd.DataFrame:
    """The KPS deciles 10–100 with their ECOG interval under one convention (for documentation)."""
    kps = np.arange(100, 0, -10)
    lo, hi = kps_to_ecog_range(kps, convention)
    return pd.DataFrame({"kps": kps, "ecog_low": lo.astype(int), "ecog_high": hi.astype(int)})
