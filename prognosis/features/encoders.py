"""Encoders from canonical cohort columns to numeric model columns.

Each encoder turns one clinical concept into one or more named numeric columns with ``NaN`` where
the source value is missing; imputation is a separate, explicit step (see
:class:`~prognosis.features.FeatureBuilder`, ``impute``). Column names are stable and readable, e.g. ``kps``,
``visceral_mets[unremovable]``, ``site[lung]``, ``lung[egfr_mutant]``.

Molecular subtypes are encoded *within* their primary site: a subtype column is 1 only for
patients of that primary with that subtype, 0 for everyone else. ``untested`` / ``unknown`` is a
level of its own and never merged with negative / wild-type. Within each primary the reference
(all subtype columns 0) is the wild-type / negative-like level named in
:data:`SUBTYPE_REFERENCE`; :class:`~prognosis.features.FeatureBuilder` falls back to another
observed level (and says so) when the training data have no patient with it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..clinical import ecog_to_kps

__all__ = [
    "ECOG_TO_KPS",
    "SUBTYPE_LEVELS",
    "SUBTYPE_REFERENCE",
    "lung_subtype",
    "breast_subtype",
    "prostate_subtype",
    "melanoma_subtype",
    "SUBTYPE_FUNCTIONS",
]

#: ECOG -> KPS conversion used only when ``ecog_to_kps=True`` and KPS is missing: the mid-point
#: of the KPS band of each ECOG grade under the package's default convention
#: (:func:`prognosis.clinical.ecog_to_kps`, Ma C et al., Eur J Cancer 2010: 0 -> 100,
#: 1 -> 85, 2 -> 65, 3 -> 45, 4 -> 20). Converted rows are flagged by the column
#: ``kps_from_ecog`` so the conversion is never hidden.
ECOG_TO_KPS = {e: float(ecog_to_kps(e, end="mid")) for e in range(5)}

#: Subtype levels per primary site (order = column order; the reference is listed separately).
SUBTYPE_LEVELS = {
    "lung": ("egfr_mutant", "alk_ros1_rearranged", "kras_mutant", "wildtype", "untested"),
    "breast": ("hr+her2-", "hr+her2+", "hr-her2+", "triple_negative", "unknown"),
    "prostate": ("castration_sensitive", "castration_resistant", "unknown"),
    "melanoma": ("braf_v600", "wildtype", "unknown"),
}

#: Preferred reference level (no column) per primary, so Cox hazard ratios read "mutant vs
#: wild-type" (breast: HR+/HER2-, the commonest subtype, no HER2 amplification). If no training
#: patient has it, FeatureBuilder uses the first observed level in SUBTYPE_LEVELS order (tested
#: levels before untested/unknown) and records why (``FeatureBuilder.drop_reasons_``).
SUBTYPE_REFERENCE = {
    "lung": "wildtype",
    "breast": "hr+her2-",
    "prostate": "castration_sensitive",
    "melanoma": "wildtype",
}


def _s(frame: pd.DataFrame, col: str) -> pd.Series:
    """Column as object Series with NA -> None (absent column = all missing)."""
    if col not in frame.columns:
        return pd.Series([None] * len(frame), index=frame.index, dtype=object)
    s = frame[col].astype(object)
    return s.where(s.notna(), None)


def lung_subtype(frame: pd.DataFrame) -> pd.Series:
    """Lung driver subtype: EGFR-mutant > ALK/ROS1-rearranged > KRAS-mutant > wild-type > untested.

    The hierarchy resolves the (rare) co-occurrence of drivers in the order of their clinical
    consequence (EGFR and ALK/ROS1 have approved targeted agents). ``wildtype`` requires at least
    one of EGFR/ALK/ROS1/KRAS to be tested and none to be altered; ``untested`` means none was
    tested (all ``unknown`` or missing). Non-lung rows are ``None``.
    """
    egfr, alk, ros1, kras = (_s(frame, c) for c in ("egfr", "alk", "ros1", "kras"))
    site = _s(frame, "primary_site")
    out = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    calls = pd.concat([egfr, alk, ros1, kras], axis=1)
    tested = calls.isin(["mutant", "wildtype", "rearranged", "negative"]).any(axis=1)
    lung = site == "lung"
    out[lung] = "untested"
    out[lung & tested] = "wildtype"
    out[lung & (kras == "mutant")] = "kras_mutant"
    out[lung & ((alk == "rearranged") | (ros1 == "rearranged"))] = "alk_ros1_rearranged"
    out[lung & (egfr == "mutant")] = "egfr_mutant"
    return out


def breast_subtype(frame: pd.DataFrame) -> pd.Series:
    """Breast receptor subtype from ER, PR and HER2.

    HR-positive = ER or PR positive; HR-negative = both ER and PR negative; otherwise HR status
    is unknown. Triple-negative = HR-negative and HER2-negative. Any undetermined part (HR or
    HER2) gives ``unknown``. Non-breast rows are ``None``.
    """
    er, pr, her2 = (_s(frame, c) for c in ("er", "pr", "her2"))
    site = _s(frame, "primary_site")
    hr_pos = (er == "positive") | (pr == "positive")
    hr_neg = (er == "negative") & (pr == "negative")
    out = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    breast = site == "breast"
    out[breast] = "unknown"
    out[breast & hr_pos & (her2 == "negative")] = "hr+her2-"
    out[breast & hr_pos & (her2 == "positive")] = "hr+her2+"
    out[breast & hr_neg & (her2 == "positive")] = "hr-her2+"
    out[breast & hr_neg & (her2 == "negative")] = "triple_negative"
    return out


def prostate_subtype(frame: pd.DataFrame) -> pd.Series:
    """Prostate: castration-sensitive / castration-resistant / unknown. Non-prostate rows ``None``."""
    c = _s(frame, "castration")
    site = _s(frame, "primary_site")
    out = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    pro = site == "prostate"
    out[pro] = "unknown"
    out[pro & (c == "sensitive")] = "castration_sensitive"
    out[pro & (c == "resistant")] = "castration_resistant"
    return out


def melanoma_subtype(frame: pd.DataFrame) -> pd.Series:
    """Melanoma: BRAF V600 / wild-type / unknown. Non-melanoma rows ``None``."""
    b = _s(frame, "braf")
    site = _s(frame, "primary_site")
    out = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    mel = site == "melanoma"
    out[mel] = "unknown"
    out[mel & (b == "v600")] = "braf_v600"
    out[mel & (b == "wildtype")] = "wildtype"
    return out


SUBTYPE_FUNCTIONS = {
    "lung": lung_subtype,
    "breast": breast_subtype,
    "prostate": prostate_subtype,
    "melanoma": melanoma_subtype,
}


def as_float(frame: pd.DataFrame, col: str) -> np.ndarray:
    """Numeric column as float array with NaN for missing (absent column = all NaN)."""
    if col not in frame.columns:
        return np.full(len(frame), np.nan)
    values = frame[col].astype(object).where(frame[col].notna(), np.nan)
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)


def as_binary(frame: pd.DataFrame, col: str) -> np.ndarray:
    """Boolean column as 0.0/1.0 with NaN for missing."""
    if col not in frame.columns:
        return np.full(len(frame), np.nan)
    s = frame[col].astype(object)
    out = np.full(len(frame), np.nan)
    vals = s.to_numpy()
    for i, v in enumerate(vals):
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            continue
        out[i] = 1.0 if bool(v) else 0.0
    return out
