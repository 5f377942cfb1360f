"""The Byar & Green prostate cancer trial (502 patients) as a canonical :class:`Cohort`.

Source: Byar DP, Green SB. "The choice of treatment for cancer patients based on covariate
information: application to prostate cancer." Bull Cancer 1980;67:477-490; the data are
reprinted in Andrews DF, Herzberg AM, "Data", Springer 1985, and distributed as ``prostate`` by
the Vanderbilt Department of Biostatistics (hbiostat.org/data; variable labels as in Harrell FE,
"Regression Modeling Strategies", 2nd ed., Springer 2015, ch. 8). The file read here is the
SurvSet encoding (Drysdale E, SurvSet, GPL-3: ``prostate.csv`` with ``pid, event, time, num_*,
fac_*`` columns); see ``prognosis/datasets/PROVENANCE.md``.

A randomised trial of estrogen (diethylstilbestrol 0.2 / 1.0 / 5.0 mg) vs placebo in stage 3-4
prostate cancer. Time origin is randomisation; time is in whole months. It has a bone-metastasis
flag and an ordinal performance status, but no spinal-level detail, no visceral-metastasis flag
and no molecular markers.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..cohort import Cohort
from ..cohort.readers import sha256_of
from ..errors import DataUnavailableError, InputError, ReadError
from ._audit import audit_records as _audit
from ._audit import build_audit, validated_cohort

__all__ = ["load_byar_prostate", "PERFORMANCE_TO_ECOG"]

COHORT_LABEL = "byar_prostate"
REQUIRED = ("pid", "event", "time", "num_age", "num_hg", "fac_stage", "fac_rx", "fac_pf", "fac_bm")

#: Byar performance rating -> ECOG (Oken MM et al., Am J Clin Oncol 1982;5:649-655):
#: ECOG 2 = "ambulatory ... up and about more than 50% of waking hours" (= in bed < 50%);
#: ECOG 3 = "confined to bed or chair more than 50% of waking hours" (= in bed > 50%);
#: ECOG 4 = "completely disabled ... totally confined to bed or chair" (= confined to bed).
#: "normal activity" is ECOG 0 by the letter of the ECOG definition ("fully active"), but the
#: trial did not distinguish ECOG 0 from 1; see ``normal_activity_ecog``.
PERFORMANCE_TO_ECOG = {"in bed < 50% daytime": 2, "in bed > 50% daytime": 3, "confined to bed": 4}
PERFORMANCE_LEVELS = ("normal activity", "in bed < 50% daytime", "in bed > 50% daytime", "confined to bed")
TREATMENTS = ("placebo", "0.2 mg estrogen", "1.0 mg estrogen", "5.0 mg estrogen")
#: time is in whole months and 0 occurs (16 deaths). Whether the source floored or rounded is
#: not documented; 0 lies in [0, 0.5) under either rule, and its midpoint 0.25 month is used.
ZERO_TIME_MONTHS = 0.25


def load_byar_prostate(path, *, normal_activity_ecog: int | None = 0,
                       zero_time: str = "midpoint") -> Cohort:
    """Load the Byar & Green prostate trial table (SurvSet ``prostate.csv``).

    Parameters
    ----------
    path : str or Path
        The CSV file, or a folder containing ``prostate.csv``.
    normal_activity_ecog : {0, 1, None}
        ECOG assigned to "normal activity" (450 patients). Default 0 (the literal ECOG 0
        definition); 1 is the conservative reading (normal activity may include ECOG 1);
        ``None`` leaves ECOG NA for them. The original 4-level rating is kept in ``performance``.
    zero_time : {"midpoint", "drop"}
        Follow-up of 0 months (16 deaths) violates time > 0: ``"midpoint"`` (default) sets 0.25
        month (audit "changed"); ``"drop"`` rejects those rows.

    Returns
    -------
    Cohort
        ``primary_site="prostate"``, ``age_years``, ``ecog``, ``hemoglobin_g_dl`` (the source's
        g/100 ml = g/dL), plus extras: ``bone_mets`` (bool), ``performance`` (ordered
        category), ``stage`` (3/4), ``treatment`` (trial arm), ``cardiovascular_history``,
        ``ekg``, ``tumor_size_cm2``, ``stage_grade_index``, ``acid_phosphatase``,
        ``weight_index``, ``sbp_cmhg``, ``dbp_cmhg`` (blood pressure / 10, as in the source).
        ``extraspinal_bone_mets`` and ``vertebral_mets`` are NA: the trial recorded only
        presence of bone metastases.
    """
    p = _locate(path)
    if normal_activity_ecog not in (0, 1, None):
        raise InputError(f"normal_activity_ecog must be 0, 1 or None, got {normal_activity_ecog!r}")
    if zero_time not in ("midpoint", "drop"):
        raise InputError(f"zero_time must be 'midpoint' or 'drop', got {zero_time!r}")
    d = _read(p)
    n = len(d)
    rows = np.arange(n)
    audits: list[pd.DataFrame] = []
    t, e, keep = _outcome(d, rows, zero_time, audits)

    f = pd.DataFrame(index=d.index)
    f["patient_id"] = d["pid"].astype(str)
    f["cohort"] = COHORT_LABEL
    f["time_months"] = t.astype(float)
    f["event"] = e.fillna(0).astype("int64")
    f["age_years"] = pd.to_numeric(d["num_age"], errors="coerce")
    f["sex"] = "male"
    f["primary_site"] = "prostate"
    f["primary_histology"] = "adenocarcinoma"
    # hemoglobin: Byar's hg is g/100 ml, identical to g/dL -> no conversion
    f["hemoglobin_g_dl"] = pd.to_numeric(d["num_hg"], errors="coerce")
    _performance(d, f, rows, normal_activity_ecog, audits)
    _trial_columns(d, f, rows, audits)
    m = f["age_years"].isna()
    if m.any():
        audits.append(_audit(rows[m.to_numpy()], "age_years", "na", None, None, "num_age missing"))

    audit = build_audit(n, audits)
    metadata = {
        "cohort": COHORT_LABEL,
        "source": ("Byar DP, Green SB, Bull Cancer 1980;67:477-490; Andrews & Herzberg, Data (1985); "
                   "SurvSet prostate.csv (Drysdale E, GPL-3)"),
        "path": str(p),
        "sha256": sha256_of(p),
        "time_origin": "randomisation into the trial (stage 3-4 prostate cancer), whole months",
        "options": {"normal_activity_ecog": normal_activity_ecog, "zero_time": zero_time},
        "n_input_rows": int(n),
        "not_recorded": ["spinal level / vertebral count", "extraspinal bone metastasis count",
                         "visceral metastases", "molecular markers", "castration status"],
    }
    return validated_cohort(f.loc[keep].reset_index(drop=True), audit, metadata)


def _locate(path) -> Path:
    p = Path(path)
    if p.is_dir():
        p = p / "prostate.csv"
    if not p.is_file():
        raise DataUnavailableError(f"Byar prostate table {p} not found (see prognosis/datasets/PROVENANCE.md)")
    return p


def _read(p: Path) -> pd.DataFrame:
    try:
        d = pd.read_csv(p)
    except Exception as exc:
        raise ReadError(f"{p.name}: cannot be read as CSV ({exc})") from exc
    missing = [c for c in REQUIRED if c not in d.columns]
    if missing:
        raise ReadError(f"{p.name}: missing column(s) {missing}")
    return d


def _outcome(d: pd.DataFrame, rows: np.ndarray, zero_time: str, audits: list) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(time, event, rows kept): unusable outcomes rejected, follow-up 0 by the ``zero_time`` rule."""
    keep = pd.Series(True, index=d.index)
    t = pd.to_numeric(d["time"], errors="coerce")
    e = pd.to_numeric(d["event"], errors="coerce")
    bad = t.isna() | (t < 0) | ~e.isin([0, 1])
    if bad.any():
        r = rows[bad.to_numpy()]
        audits.append(_audit(r, "time_months,event", "rejected", d["time"].to_numpy()[r], None,
                             "time missing/negative or event not 0/1"))
    keep &= ~bad
    zero = keep & (t == 0)
    if zero.any():
        r = rows[zero.to_numpy()]
        if zero_time == "midpoint":
            t = t.where(~zero, ZERO_TIME_MONTHS)
            audits.append(_audit(r, "time_months", "changed", 0, ZERO_TIME_MONTHS,
                                 "follow-up 0 whole months: set to 0.25 (midpoint of [0, 0.5))"))
        else:
            keep &= ~zero
            audits.append(_audit(r, "time_months", "rejected", 0, None, "follow-up 0 months (zero_time='drop')"))
    return t, e, keep


def _performance(d: pd.DataFrame, f: pd.DataFrame, rows: np.ndarray, normal_activity_ecog, audits: list) -> None:
    """``ecog`` (derived, audited) and the original 4-level ``performance`` rating."""
    pf = d["fac_pf"].astype(str).str.strip()
    unknown_pf = ~pf.isin(PERFORMANCE_LEVELS)
    if unknown_pf.any():
        r = rows[unknown_pf.to_numpy()]
        audits.append(_audit(r, "ecog", "na", pf.to_numpy()[r], None, "performance rating not in the Byar coding"))
    ecog_map = dict(PERFORMANCE_TO_ECOG)
    if normal_activity_ecog is not None:
        ecog_map["normal activity"] = normal_activity_ecog
    f["ecog"] = pf.map(ecog_map).astype("Int64")
    known = (~unknown_pf).to_numpy()
    audits.append(_audit(rows[known], "ecog", "derived", pf.to_numpy()[known],
                         f["ecog"].astype(object).where(f["ecog"].notna(), None).to_numpy()[known],
                         "Byar performance rating -> ECOG (Oken 1982); normal activity -> "
                         f"{normal_activity_ecog}"))
    f["performance"] = pd.Categorical(pf.where(~unknown_pf), categories=list(PERFORMANCE_LEVELS), ordered=True)


def _trial_columns(d: pd.DataFrame, f: pd.DataFrame, rows: np.ndarray, audits: list) -> None:
    """Bone metastases, stage, trial arm and the trial's other baseline measurements."""
    bm = d["fac_bm"].astype(str).str.strip().map({"Y": True, "N": False})
    if bm.isna().any():
        r = rows[bm.isna().to_numpy()]
        audits.append(_audit(r, "bone_mets", "na", d["fac_bm"].to_numpy()[r], None, "fac_bm not Y/N"))
    f["bone_mets"] = bm.astype("boolean")
    f["stage"] = pd.to_numeric(d["fac_stage"], errors="coerce").astype("Int64")
    rx = d["fac_rx"].astype(str).str.strip()
    f["treatment"] = pd.Categorical(rx.where(rx.isin(TREATMENTS)), categories=list(TREATMENTS))
    if "fac_hx" in d:
        f["cardiovascular_history"] = d["fac_hx"].map({"Y": True, "N": False}).astype("boolean")
    if "fac_ekg" in d:
        f["ekg"] = d["fac_ekg"].astype("string").replace("missing", pd.NA)
    for src, dst in (("num_sz", "tumor_size_cm2"), ("num_sg", "stage_grade_index"),
                     ("num_ap", "acid_phosphatase"), ("num_wt", "weight_index"),
                     ("num_sbp", "sbp_cmhg"), ("num_dbp", "dbp_cmhg")):
        if src in d:
            f[dst] = pd.to_numeric(d[src], errors="coerce").astype("Float64")
