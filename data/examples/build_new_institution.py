"""Regenerate ``new_institution.csv``: an invented "new institution" export (simulated patients).

    python data/examples/build_new_institution.py

450 patients simulated by :func:`prognosis.simulate.simulate_cohort` (radiotherapy preset, seed
20250417), written the way a hospital export looks: its own column names, sex as M/F, dates of
diagnosis of the spinal metastasis (2012-2021), death and last contact instead of a survival
time, and follow-up ending at a data cut-off (2023-06-30). ``new_institution.yaml`` maps it to the
canonical schema (and keeps the diagnosis date for temporal validation). Used by notebook 03.
Every value is simulated; no real patient is behind any row.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from prognosis.simulate import simulate_cohort

OUT = Path(__file__).resolve().parent / "new_institution.csv"
DAYS_PER_MONTH = 30.4375  # the schema's convention (cohort-schema.md)


def build() -> pd.DataFrame:
    f = simulate_cohort(450, seed=20250417, preset="radiotherapy").frame
    rng = np.random.default_rng(20250417)
    start, cutoff = pd.Timestamp("2012-01-01"), pd.Timestamp("2023-06-30")
    dx = start + pd.to_timedelta(rng.integers(0, (pd.Timestamp("2021-12-31") - start).days, len(f)), unit="D")
    days = np.round(f["time_months"].to_numpy(float) * DAYS_PER_MONTH).clip(1).astype(int)
    end = dx + pd.to_timedelta(days, unit="D")
    died = (f["event"].to_numpy(int) == 1) & (end <= cutoff)
    end = end.where(end <= cutoff, cutoff)
    out = pd.DataFrame(
        {
            "MRN": [f"NI-{i:04d}" for i in range(1, len(f) + 1)],
            "Sex": f["sex"].map({"male": "M", "female": "F"}),
            "AgeAtDiagnosis": f["age_years"],
            "DiagnosisDate": dx.strftime("%Y-%m-%d"),
            "DeathDate": np.where(died, end.strftime("%Y-%m-%d"), ""),
            "LastContact": np.where(died, "", end.strftime("%Y-%m-%d")),
            "Primary": f["primary_site"],
            "Histology": f["primary_histology"],
            "KPS": f["kps"],
            "BoneMetsOutsideSpine": f["extraspinal_bone_mets"],
            "SpinalMetsCount": f["vertebral_mets"],
            "VisceralMets": f["visceral_mets"],
            "VisceralPattern": f["visceral_pattern"],
            "BrainMets": f["brain_mets"],
            "Frankel": f["frankel"],
            "Walks": f["ambulatory"],
            "PathFracture": f["pathological_fracture"],
            "PriorChemo": f["prior_chemotherapy"],
            "TargetedTx": f["targeted_therapy"],
            "Albumin_g_dl": f["albumin_g_dl"],
            "CRP_mg_dl": f["crp_mg_dl"],
            "LDH": f["ldh_u_l"],
            "Platelets": f["platelets_10e9_l"],
            "Calcium_mg_dl": f["calcium_mg_dl"],
            "Bilirubin_mg_dl": f["bilirubin_mg_dl"],
            "Hb_g_dl": f["hemoglobin_g_dl"],
            "EGFR": f["egfr"],
            "ALK": f["alk"],
            "ROS1": f["ros1"],
            "KRAS": f["kras"],
            "BRAF": f["braf"],
            "ER": f["er"],
            "PR": f["pr"],
            "HER2": f["her2"],
            "Castration": f["castration"],
        }
    )
    return out


if __name__ == "__main__":
    build().to_csv(OUT, index=False, lineterminator="\n", float_format="%.6g")
    print(f"wrote {OUT}")
