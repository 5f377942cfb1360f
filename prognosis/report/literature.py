"""Published external validation of the classic scores beside the same measures on this cohort.

Published numbers: Bindels et al., Spine J 2025 (AOSpine; Utrecht, 953 patients treated 2016-2021),
results tables in the authors' public repository (clinical-facts §7.4 [V2]). Their protocol, which
is repeated here on the cohort: the outcome is binary -- dead or alive at 3 / 6 / 12 months among
patients whose status at that horizon is known (patients censored before it are left out) --
scored with the ROC AUC; at 12 months the calibration slope is a logistic recalibration of the
score's published group probability (logit of the predicted risk of death) and the Brier score is
the mean squared error of that probability. Slopes cannot be estimated where a published group
probability is 0% or 100% (infinite logit), which is also why some published slopes are near 0.

The censoring-aware counterpart (cumulative/dynamic AUC(t) with inverse-probability-of-censoring
weights, :func:`prognosis.metrics.time_dependent_auc`) uses every patient and is shown beside it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["PUBLISHED", "PUBLISHED_CITATION", "literature_table", "HORIZONS"]

PUBLISHED_CITATION = ("Bindels et al., Spine J 2025 (AOSpine external validation of 12 models + SORG; "
                      "953 patients, Utrecht 2016-2021), results tables of the authors' public repository "
                      "[V2] (clinical-facts §7.4)")
HORIZONS = (3.0, 6.0, 12.0)

#: model -> (package score, use the group instead of the total, AUC 3 / 6 / 12 months, slope 12, Brier 12)
PUBLISHED: dict[str, tuple] = {
    "Revised Katagiri (individual)": ("katagiri_new", False, 0.79, 0.81, 0.81, 0.64, 0.19),
    "Bollen": (None, False, 0.76, 0.77, 0.77, 0.64, 0.22),
    "Revised Katagiri (grouped)": ("katagiri_new", True, 0.75, 0.76, 0.76, 0.73, 0.20),
    "OSRI": (None, False, 0.75, 0.77, 0.75, 0.05, 0.24),
    "SORG-MLA": (None, False, 0.68, np.nan, 0.76, 0.62, 0.21),
    "Modified Bauer": ("modified_bauer", False, 0.70, 0.73, 0.73, 0.66, 0.21),
    "Mizumoto": ("mizumoto", False, 0.70, 0.71, 0.72, 0.69, 0.21),
    "NESMS": ("nesms", False, 0.59, 0.71, 0.72, 1.61, 0.21),
    "PathFx": (None, False, 0.66, 0.70, 0.71, 0.92, 0.23),
    "Revised Tokuhashi": ("revised_tokuhashi", False, 0.70, 0.71, 0.71, 0.44, 0.28),
    "van der Linden": ("van_der_linden", False, 0.68, 0.70, 0.69, 0.62, 0.28),
    "Tomita": ("tomita", False, 0.64, 0.66, 0.72, 0.03, 0.28),
    "Original Bauer": ("bauer", False, 0.66, 0.67, 0.68, 0.04, 0.28),
}


def _known_status(time, event, h):
    dead = (event == 1) & (time <= h)
    alive = time > h
    return dead | alive, dead


def _binary_auc(risk, dead) -> float:
    from sklearn.metrics import roc_auc_score

    if dead.all() or not dead.any():
        return np.nan
    return float(roc_auc_score(dead.astype(int), risk))


def _slope_brier(p_death, dead) -> tuple[float, float, str]:
    from sklearn.linear_model import LogisticRegression

    ok = ~np.isnan(p_death)
    p, y = p_death[ok], dead[ok].astype(int)
    if len(p) < 20 or y.min() == y.max():
        return np.nan, np.nan, "too few patients with a published probability"
    brier = float(np.mean((p - y) ** 2))
    if (p <= 0).any() or (p >= 1).any():
        return np.nan, brier, "slope not estimable: a published group probability is 0% or 100%"
    lp = np.log(p / (1 - p)).reshape(-1, 1)
    fit = LogisticRegression(C=np.inf).fit(lp, y)  # unpenalized maximum likelihood
    return float(fit.coef_[0, 0]), brier, ""


def literature_table(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per published model: the published AUC at 3/6/12 months, slope and Brier at 12
    months, and the same measures on ``frame`` (binary, patients with known status), plus the
    censoring-aware AUC(t). Models the package does not implement have NA cohort values."""
    from ..metrics import time_dependent_auc
    from ..scores import compute, get_score, group_survival

    time = frame["time_months"].to_numpy(dtype=float)
    event = frame["event"].to_numpy(dtype=int)
    rows = []
    cache: dict[str, pd.DataFrame] = {}
    for model, (score, grouped, a3, a6, a12, s12, b12) in PUBLISHED.items():
        row = {"model": model, "score": score or "not implemented",
               "published AUC 3m": a3, "published AUC 6m": a6, "published AUC 12m": a12,
               "published slope 12m": s12, "published Brier 12m": b12}
        note = ""
        if score is not None:
            if score not in cache:
                cache[score] = compute(frame, score, errors="coerce")
            res = cache[score]
            d = get_score(score)
            if grouped:
                codes = res[f"{score}_group"].cat.codes.to_numpy().astype(float)
                codes[codes < 0] = np.nan
                risk = codes  # groups are ordered from the first to the last published group
                worse = d.higher_is_worse
            else:
                risk = res[score].astype("float64").to_numpy()
                worse = d.higher_is_worse
            risk = risk if worse else -risk
            have = ~np.isnan(risk)
            row["n scored"] = int(have.sum())
            for h in HORIZONS:
                known, dead = _known_status(time, event, h)
                m = known & have
                row[f"cohort AUC {h:g}m"] = _binary_auc(risk[m], dead[m])
                try:
                    row[f"cohort IPCW AUC {h:g}m"] = float(time_dependent_auc(time[have], event[have], risk[have], h))
                except Exception:  # noqa: BLE001 -- horizon beyond follow-up / no cases: withheld
                    row[f"cohort IPCW AUC {h:g}m"] = np.nan
            gs = group_survival(score)
            s12_tab = gs[(gs["statistic"] == "S(t)") & (gs["time_months"] == 12.0)]
            if len(s12_tab):
                table = dict(zip(s12_tab["group"].astype(str), s12_tab["survival"].astype(float), strict=True))
                grp = res[f"{score}_group"].astype(object)
                p_death = np.array([1 - table[str(g)] if g is not None and not pd.isna(g) and str(g) in table
                                    else np.nan for g in grp], dtype=float)
                known, dead = _known_status(time, event, 12.0)
                sl, br, why = _slope_brier(p_death[known], dead[known])
                row["cohort slope 12m"], row["cohort Brier 12m"] = sl, br
                note = why
            else:
                note = "no published 12-month survival per group: slope and Brier not computable"
        row["note"] = note
        rows.append(row)
    out = pd.DataFrame(rows)
    out.attrs["citation"] = PUBLISHED_CITATION
    return out
