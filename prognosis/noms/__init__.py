"""The NOMS framework (neurologic, oncologic, mechanical, systemic) as a per-patient table.

Laufer I, Rubin DG, Lis E, et al. *The NOMS framework: approach to the treatment of spinal
metastatic tumors.* Oncologist 2013;18(6):744-751 (decision logic as summarised by MSKCC,
clinical-facts §7.3 [V2]):

* **N**eurologic: epidural spinal cord compression (ESCC) grade (Bilsky MH et al., J Neurosurg
  Spine 2010;13:324-328): 0, 1a, 1b low grade; 2, 3 high grade; 1c is debated (option
  ``escc_1c_as``); myelopathy is reported beside it.
* **O**ncologic: radiosensitivity of the histology to conventional external beam radiotherapy
  (cEBRT), from :data:`RADIOSENSITIVITY` or the ``radiosensitivity`` column, which overrides it.
* **M**echanical: spinal instability (SINS, :mod:`prognosis.scores.sins`): 13-18 unstable.
* **S**ystemic: whether the patient can tolerate the treatment given the expected survival; this
  package's survival models and scores supply it (``survival=``).

The output column ``noms_category`` is **the framework's category** with the rule that produced it
(``noms_rule``) — a description of what the published framework would place the patient in, never
a treatment recommendation for an individual patient.

Treatment received (column ``treatment_received``) is a descriptor for stratified reporting only and is
never a predictor of the survival models: treatment decided after time zero depends on the
expected prognosis itself, and conditioning a prediction on it answers a different question
(treatment drop-in; Sperrin M, Diaz-Ordaz K, Pajouheshnia R. Invited commentary: treatment
drop-in -- making the case for causal prediction. Am J Epidemiol 2021;190(10):2015-2018,
doi:10.1093/aje/kwab030).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..cohort.schema import COLUMN_BY_NAME
from ..errors import InputError

__all__ = ["assess", "radiosensitivity", "RADIOSENSITIVITY", "CATEGORIES", "NOMS_CITATION",
           "escc_level"]

NOMS_CITATION = "Laufer I, Rubin DG, Lis E, et al. Oncologist 2013;18(6):744-751 (NOMS framework)"
LABEL = "framework category (NOMS, Laufer et al. 2013) -- not a treatment recommendation"

CATEGORIES = ("cEBRT", "SRS/SBRT", "separation surgery + SRS", "stabilization + radiation",
              "best supportive care")


@dataclass(frozen=True)
class _Sens:
    value: str
    source: str


#: Radiosensitivity to conventional EBRT by primary site. [V2] AO Surgery Reference, "Classification
#: of tumor radiosensitivity" (radiosensitive: lymphoma, myeloma, seminoma; radioresistant: renal
#: cell, melanoma, thyroid, colorectal). [M] Laufer et al. 2013 (hepatocellular, non-small-cell
#: lung and sarcoma radioresistant; small-cell lung radiosensitive), not verified against the
#: paper. Breast, prostate, ovary and neuroendocrine (carcinoid) are "intermediate" (option
#: ``intermediate_as``). Sites absent from the table are not classified (NA) unless the
#: ``radiosensitivity`` column says.
RADIOSENSITIVITY: dict[str, _Sens] = {
    "lymphoma": _Sens("sensitive", "AO Surgery Reference [V2]"),
    "myeloma": _Sens("sensitive", "AO Surgery Reference [V2]"),
    "testis": _Sens("sensitive", "seminoma: AO Surgery Reference [V2]"),
    "kidney": _Sens("resistant", "AO Surgery Reference [V2]"),
    "melanoma": _Sens("resistant", "AO Surgery Reference [V2]"),
    "thyroid": _Sens("resistant", "AO Surgery Reference [V2]"),
    "colon": _Sens("resistant", "AO Surgery Reference [V2]"),
    "rectum": _Sens("resistant", "AO Surgery Reference [V2]"),
    "liver": _Sens("resistant", "Laufer 2013 [M]"),
    "sarcoma": _Sens("resistant", "Laufer 2013 [M]"),
    "osteosarcoma": _Sens("resistant", "Laufer 2013 [M]"),
    "lung": _Sens("resistant", "non-small-cell lung: Laufer 2013 [M]"),
    "stomach": _Sens("resistant", "gastrointestinal adenocarcinoma: Laufer 2013 [M]"),
    "esophagus": _Sens("resistant", "gastrointestinal: Laufer 2013 [M]"),
    "pancreas": _Sens("resistant", "gastrointestinal adenocarcinoma: Laufer 2013 [M]"),
    "breast": _Sens("intermediate", "Laufer 2013 [M]"),
    "prostate": _Sens("intermediate", "Laufer 2013 [M]"),
    "ovary": _Sens("intermediate", "Laufer 2013 [M]"),
    "carcinoid": _Sens("intermediate", "neuroendocrine: Laufer 2013 [M]"),
}
_SCLC = ("sclc", "small_cell", "small cell")

_LOW, _HIGH = ("0", "1a", "1b"), ("2", "3")


def escc_level(grades, escc_1c_as: str | None = None) -> np.ndarray:
    """'low' (0, 1a, 1b), 'high' (2, 3), 1c per ``escc_1c_as`` (None: undetermined) -> object array."""
    g = pd.Series(grades, dtype="object").map(lambda v: v if v is None or pd.isna(v) else str(v).strip().lower())
    out = np.full(len(g), None, dtype=object)
    gv = g.to_numpy(dtype=object)
    out[np.isin(gv, _LOW)] = "low"
    out[np.isin(gv, _HIGH)] = "high"
    if escc_1c_as is not None:
        out[gv == "1c"] = escc_1c_as
    return out


def radiosensitivity(frame: pd.DataFrame, *, intermediate_as: str | None = "sensitive") -> pd.DataFrame:
    """Radiosensitivity to cEBRT per patient: columns ``radiosensitivity`` (sensitive / resistant /
    NA) and ``radiosensitivity_source`` (the column, or the table row and its evidence tag).

    ``intermediate_as``: how breast, prostate, ovary and neuroendocrine primaries are classed —
    'sensitive' (default; Laufer 2013 [M]), 'resistant', or None (not classified)."""
    if intermediate_as not in ("sensitive", "resistant", None):
        raise InputError(f"intermediate_as must be 'sensitive', 'resistant' or None, got {intermediate_as!r}")
    n = len(frame)
    site = _col(frame, "primary_site")
    hist = _col(frame, "primary_histology")
    val = np.full(n, None, dtype=object)
    src = np.full(n, "primary not classified", dtype=object)
    for i in range(n):
        s = site[i]
        if s is None or pd.isna(s):
            src[i] = "primary_site missing"
            continue
        entry = RADIOSENSITIVITY.get(str(s))
        if str(s) == "lung" and hist[i] is not None and str(hist[i]).lower() in _SCLC:
            entry = _Sens("sensitive", "small-cell lung: Laufer 2013 [M]")
        if entry is None:
            continue
        if entry.value == "intermediate":
            if intermediate_as is None:
                src[i] = f"{s}: intermediate ({entry.source}); intermediate_as=None"
                continue
            val[i] = intermediate_as
            src[i] = f"{s}: intermediate -> {intermediate_as} (intermediate_as; {entry.source})"
        else:
            val[i], src[i] = entry.value, f"{s}: {entry.source}"
    col = _col(frame, "radiosensitivity")
    given = np.array([v is not None and not pd.isna(v) for v in col], dtype=bool)
    allowed = COLUMN_BY_NAME["radiosensitivity"].categories
    for i in np.flatnonzero(given):
        v = str(col[i]).strip().lower()
        if v not in allowed:
            raise InputError(f"radiosensitivity: invalid value at row position {i}; expected one of {list(allowed)}")
        val[i], src[i] = v, "radiosensitivity column (overrides the table)"
    return pd.DataFrame({"radiosensitivity": val, "radiosensitivity_source": src}, index=frame.index)


def _col(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(frame), None, dtype=object)
    s = frame[name].astype("object")
    return s.where(s.notna(), None).to_numpy(dtype=object)


def _expected_survival(frame: pd.DataFrame, survival) -> tuple[np.ndarray, str]:
    """Expected survival in months per patient, and where it came from."""
    n = len(frame)
    if survival is None:
        return np.full(n, np.nan), "not given"
    if isinstance(survival, str):
        from ..scores import compute, group_survival

        gs = group_survival(survival)
        med = gs[gs["statistic"] == "median"]
        if med.empty:
            raise InputError(f"noms: score {survival!r} has no published median survival per group; "
                             "pass predicted survival times instead")
        table = dict(zip(med["group"].astype(str), med["time_months"].astype(float), strict=True))
        groups = compute(frame, survival, errors="coerce")[f"{survival}_group"].astype(object)
        vals = np.array([table.get(str(g), np.nan) if g is not None and not pd.isna(g) else np.nan
                         for g in groups], dtype=float)
        return vals, f"published median of the {survival} group ({med['source'].iloc[0]})"
    vals = pd.Series(survival).to_numpy(dtype=float) if not isinstance(survival, pd.Series) else (
        survival.reindex(frame.index).to_numpy(dtype=float))
    if vals.shape != (n,):
        raise InputError(f"noms: survival must have one value per patient ({n}), got shape {vals.shape}")
    if (vals[~np.isnan(vals)] < 0).any():
        raise InputError("noms: survival must be expected survival times in months (>= 0)")
    return vals, "given expected survival (months)"


def assess(frame, survival=None, *, escc_1c_as: str | None = None, intermediate_as: str | None = "sensitive",
           min_surgery_months: float = 3.0, supportive_months: float = 2.0,
           instability: str = "unstable") -> pd.DataFrame:
    """Place each patient in the NOMS framework's treatment category, with the rule used.

    Parameters
    ----------
    frame : DataFrame or Cohort
        Canonical cohort columns: ``escc_grade``, ``myelopathy``, ``primary_site`` (and
        ``primary_histology``, ``radiosensitivity``), the SINS columns.
    survival : None, str, or array-like / Series of expected survival in months
        The systemic input. None: not assessed (categories that need it are still given when
        the other three decide, and the rule says S was not assessed). A score name (e.g.
        ``"van_der_linden"``) uses the published median survival of each patient's group.
        Numbers: e.g. the predicted median survival of a fitted model.
    escc_1c_as : None, "low" or "high"
        ESCC 1c is debated (Bilsky 2010); None (default) leaves it undetermined.
    intermediate_as : "sensitive" (default), "resistant" or None
        See :func:`radiosensitivity`.
    min_surgery_months : float
        Expected survival below which surgery is not an option of the framework's category
        (default 3 months: the inclusion criterion of the surgery trial of Patchell et al., Lancet
        2005 [M]).
    supportive_months : float
        Expected survival below which the category is best supportive care (default 2 months:
        the endpoint of Rades' short-life-expectancy score, death within 2 months [V2]) [C].
    instability : "unstable" (default) or "indeterminate"
        SINS group from which stabilization is part of the category (13-18, or 7-18, the range in
        which Fisher 2010 advise surgical consultation).

    Returns
    -------
    DataFrame, one row per patient (same index): ``neurologic`` (low / high ESCC), ``escc_grade``,
    ``myelopathy``, ``oncologic`` (radiosensitive / radioresistant) and its source, ``sins``,
    ``mechanical`` (SINS group), ``expected_survival_months``, ``systemic``, ``noms_category``
    (one of :data:`CATEGORIES` or NA when the inputs do not decide it), ``noms_rule`` and
    ``label``. ``attrs["label"]`` repeats that this is the framework's category, not advice.
    """
    from ..cohort.cohort import Cohort
    from ..scores import compute

    if isinstance(frame, Cohort):
        frame = frame.frame
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"noms.assess: expected a DataFrame or Cohort, got {type(frame).__name__}")
    if escc_1c_as not in (None, "low", "high"):
        raise InputError(f"escc_1c_as must be None, 'low' or 'high', got {escc_1c_as!r}")
    if instability not in ("unstable", "indeterminate"):
        raise InputError(f"instability must be 'unstable' or 'indeterminate', got {instability!r}")
    if not 0 <= supportive_months <= min_surgery_months:
        raise InputError("noms.assess: need 0 <= supportive_months <= min_surgery_months")
    n = len(frame)
    escc = _col(frame, "escc_grade")
    allowed = COLUMN_BY_NAME["escc_grade"].categories
    for i, g in enumerate(escc):
        if g is not None and str(g).strip().lower() not in allowed:
            raise InputError(f"escc_grade: invalid value at row position {i}; expected one of {list(allowed)}")
    neuro = escc_level(escc, escc_1c_as)
    onc = radiosensitivity(frame, intermediate_as=intermediate_as)
    sens = onc["radiosensitivity"].to_numpy(dtype=object)
    sins = compute(frame, "sins")
    sgroup = sins["sins_group"].astype(object).to_numpy()
    unstable_groups = ("unstable",) if instability == "unstable" else ("indeterminate", "unstable")
    surv, surv_src = _expected_survival(frame, survival)

    thresholds = (supportive_months, min_surgery_months, unstable_groups)
    src = onc["radiosensitivity_source"].to_numpy(dtype=object)
    decided = [_decide(sens[i], src[i], neuro[i], escc[i], sgroup[i], surv[i], surv_src, thresholds)
               for i in range(n)]
    cat = np.array([d[0] for d in decided], dtype=object)
    rule = np.array([d[1] for d in decided], dtype=object)

    out = pd.DataFrame({
        "neurologic": pd.Series(neuro, index=frame.index, dtype="object").map(
            lambda v: None if v is None else f"{v}-grade ESCC"),
        "escc_grade": escc,
        "myelopathy": _col(frame, "myelopathy"),
        "oncologic": pd.Series(sens, index=frame.index, dtype="object").map(
            lambda v: None if v is None else f"radio{v}"),
        "oncologic_source": onc["radiosensitivity_source"].to_numpy(),
        "sins": sins["sins"].to_numpy(),
        "mechanical": sgroup,
        "expected_survival_months": surv,
        "systemic": np.where(np.isnan(surv), "not assessed",
                             np.where(surv < supportive_months, "below supportive-care threshold",
                                      np.where(surv < min_surgery_months, "surgery not tolerable",
                                               "surgery tolerable"))),
        "noms_category": pd.Categorical(cat, categories=list(CATEGORIES)),
        "noms_rule": rule,
        "label": LABEL,
    }, index=frame.index)
    out.attrs["label"] = LABEL
    out.attrs["citation"] = NOMS_CITATION
    out.attrs["options"] = {"escc_1c_as": escc_1c_as, "intermediate_as": intermediate_as,
                            "min_surgery_months": min_surgery_months,
                            "supportive_months": supportive_months, "instability": instability,
                            "survival": surv_src}
    return out


def _systemic_text(s: float, surv_src: str, min_surgery_months: float) -> tuple[bool, str]:
    """(surgery tolerable?, the S part of the rule) for one expected survival (NaN = not given)."""
    if np.isnan(s):
        return True, f"S: not assessed ({surv_src})"
    ok = s >= min_surgery_months
    verdict = (f" >= {min_surgery_months:g}: surgery tolerable" if ok
               else f" < {min_surgery_months:g}: surgery excluded")
    return ok, f"S: expected survival {s:.1f} months ({surv_src})" + verdict


def _oncologic_rule(sens, src, neuro, escc, surgery_ok: bool, s_note: str) -> tuple[str | None, str]:
    """Category and rule text from radiosensitivity (O) and ESCC (N), bounded by S."""
    if sens == "sensitive":
        return "cEBRT", f"O: radiosensitive ({src}) -> cEBRT whatever the ESCC grade; {s_note}"
    if sens != "resistant":
        return None, f"O: radiosensitivity undetermined ({src}) -> category undetermined"
    if neuro == "low":
        return "SRS/SBRT", f"O: radioresistant, N: low-grade ESCC ({escc}) -> SRS; {s_note}"
    if neuro == "high" and surgery_ok:
        return ("separation surgery + SRS",
                f"O: radioresistant, N: high-grade ESCC ({escc}) -> separation surgery then SRS; {s_note}")
    if neuro == "high":
        return "cEBRT", f"O: radioresistant, N: high-grade ESCC ({escc}) but {s_note} -> radiation alone (cEBRT)"
    return None, f"O: radioresistant, N: ESCC {escc or 'missing'} undetermined -> category undetermined"


def _decide(sens, src, neuro, escc, sgroup, s, surv_src, thresholds) -> tuple[str | None, str]:
    """The framework's category for one patient and the rule that produced it: S below the
    supportive-care threshold first, then mechanical instability (if surgery is tolerable),
    then radiosensitivity and ESCC grade."""
    supportive_months, min_surgery_months, unstable_groups = thresholds
    if not np.isnan(s) and s < supportive_months:
        return ("best supportive care",
                f"S: expected survival {s:.1f} months ({surv_src}) < {supportive_months:g} months")
    surgery_ok, s_note = _systemic_text(s, surv_src, min_surgery_months)
    mech_unknown = sgroup is None or pd.isna(sgroup)
    prefix = ""
    if not mech_unknown and sgroup in unstable_groups:
        if surgery_ok:
            return "stabilization + radiation", f"M: SINS {sgroup} -> stabilization; {s_note}"
        prefix = f"M: SINS {sgroup} but {s_note}; "
    cat, rule = _oncologic_rule(sens, src, neuro, escc, surgery_ok, s_note)
    if cat is not None and mech_unknown:
        rule += "; M: SINS undetermined (stabilization not assessed)"
    return cat, prefix + rule
