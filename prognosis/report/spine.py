"""Report sections from the spine columns: NOMS framework, treatment received (descriptor) and the
published external validation of the classic scores beside this cohort.

Each function returns ``None`` when its inputs are absent, so a report only shows what the cohort
supports. The development cohort is read again from the study configuration
(:func:`prognosis.study.run.load_cohorts`) because the study result does not carry the frame.
"""
from __future__ import annotations

import html

import numpy as np
import pandas as pd

__all__ = ["spine_sections", "noms_section", "literature_section", "treatment_section"]

_NOMS_COLUMNS = ("escc_grade", "sins_pain", "sins_lesion", "sins_alignment", "sins_collapse",
                 "sins_posterolateral", "spine_level", "sins_location")


def _has(frame: pd.DataFrame, cols) -> bool:
    return any(c in frame.columns and frame[c].notna().any() for c in cols)


def _km_median(time: np.ndarray, surv: np.ndarray) -> float:
    """Median of a Kaplan-Meier curve as R's ``survfit`` reports it: the first time S(t) <= 0.5,
    or the midpoint to the next event time where S(t) equals 0.5 exactly; NaN if never reached."""
    below = np.flatnonzero(surv <= 0.5 + 1e-12)
    if not len(below):
        return float("nan")
    i = below[0]
    if abs(surv[i] - 0.5) < 1e-12 and i + 1 < len(time):
        return float((time[i] + time[i + 1]) / 2)
    return float(time[i])


def _table(df: pd.DataFrame) -> str:
    return df.to_html(index=False, na_rep="–", border=0, classes="tbl", float_format=lambda v: f"{v:.2f}")


def noms_section(frame: pd.DataFrame) -> dict | None:
    """Distribution of ESCC grade, SINS group and the NOMS framework's category (systemic input:
    the published median survival of each patient's van der Linden group)."""
    if not _has(frame, _NOMS_COLUMNS):
        return None
    from ..noms import LABEL, NOMS_CITATION, assess

    a = assess(frame, survival="van_der_linden")
    n = len(a)

    def dist(s: pd.Series, name: str) -> pd.DataFrame:
        c = s.astype(object).where(s.notna(), "undetermined").value_counts(sort=False)
        return pd.DataFrame({name: c.index.astype(str), "patients": c.to_numpy(),
                             "%": np.round(100 * c.to_numpy() / n, 1)})

    parts = [
        f"<p class=\"note\">NOMS: neurologic (ESCC grade, Bilsky 2010), oncologic (radiosensitivity), "
        f"mechanical (SINS, Fisher 2010), systemic (published median survival of the van der Linden group). "
        f"{html.escape(NOMS_CITATION)}. Every category below is the {html.escape(LABEL)}; patients "
        f"whose inputs do not decide it are counted as undetermined.</p>",
        "<h3>Framework category</h3>", _table(dist(a["noms_category"], "NOMS category")),
        "<h3>Neurologic: ESCC</h3>", _table(dist(a["neurologic"], "ESCC")),
        "<h3>Mechanical: SINS group</h3>", _table(dist(a["mechanical"], "SINS group")),
        "<h3>Oncologic: radiosensitivity</h3>", _table(dist(a["oncologic"], "radiosensitivity")),
    ]
    return {"id": "noms", "title": "NOMS framework (neurologic, oncologic, mechanical, systemic)",
            "html": "\n".join(parts)}


def treatment_section(frame: pd.DataFrame) -> dict | None:
    """Treatment received as a descriptor: counts and observed median survival per treatment."""
    if not _has(frame, ("treatment_received",)):
        return None
    from ..metrics import kaplan_meier

    rows = []
    for t, g in frame.groupby(frame["treatment_received"].astype(object).fillna("not recorded"), sort=False):
        km = kaplan_meier(g["time_months"].to_numpy(float), g["event"].to_numpy(int))
        rows.append({"treatment received": str(t), "patients": len(g), "deaths": int(g["event"].sum()),
                     "KM median (months)": _km_median(km.time, km.surv)})
    note = ("<p class=\"note\">Treatment received after time zero is shown as a descriptor only. It is never "
            "an input of the survival models: it is chosen because of the expected prognosis, so a model "
            "that conditions on it predicts survival under the treatment that was actually given rather "
            "than the prognosis at the time of the decision (treatment drop-in; Sperrin M et al., Am J "
            "Epidemiol 2021;190:2015-8). Differences between these groups are not treatment effects.</p>")
    return {"id": "treatment", "title": "Treatment received (descriptor)",
            "html": note + _table(pd.DataFrame(rows))}


def literature_section(frame: pd.DataFrame) -> dict | None:
    """Published external-validation measures beside the same measures on this cohort."""
    if not _has(frame, ("primary_site",)):
        return None
    from .literature import HORIZONS, PUBLISHED_CITATION, literature_table

    t = literature_table(frame)
    cols = ["model", "score"]
    for h in HORIZONS:
        cols += [f"published AUC {h:g}m", f"cohort AUC {h:g}m", f"cohort IPCW AUC {h:g}m"]
    cols += ["published slope 12m", "cohort slope 12m", "published Brier 12m", "cohort Brier 12m", "note"]
    t = t[[c for c in cols if c in t.columns]]
    note = (f"<p class=\"note\">Published: {html.escape(PUBLISHED_CITATION)}. Cohort: the same protocol on "
            "this cohort -- ROC AUC of dead vs alive at the horizon among patients whose status is known "
            "(censored earlier: left out); 12-month calibration slope (logistic recalibration of the score's "
            "published group probability) and Brier score. IPCW AUC: the censoring-aware cumulative/dynamic "
            "AUC(t) using every patient. Apparent values (no model is fitted here).</p>")
    return {"id": "literature", "title": "Classic scores: published external validation beside this cohort",
            "html": note + _table(t)}


def spine_sections(result) -> list[dict]:
    """The sections above for the development cohort of a study result (empty list if it cannot
    be loaded or holds none of the columns)."""
    try:
        from ..study.run import load_cohorts

        frame = load_cohorts(result.config)["development"].frame
    except Exception:  # noqa: BLE001 -- the report still renders without these sections
        return []
    out = []
    for fn in (literature_section, noms_section, treatment_section):
        s = fn(frame)
        if s is not None:
            out.append(s)
    return out
