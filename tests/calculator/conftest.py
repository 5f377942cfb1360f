"""A Cox model with every encoding path the calculator must reproduce, and a patient table.

Fitted on the bundled simulated demo cohort (no real patients) after blanking values with a
seed, so that the model has missingness indicators (kps, albumin, LDH, visceral_mets,
primary_site: >= 10 missing), items imputed without an indicator (sex: < 10 missing), a
restricted cubic spline (age) and log1p labs.
"""
from __future__ import annotations

import shutil
import warnings

import numpy as np
import pandas as pd
import pytest

from prognosis.datasets import load_demo
from prognosis.models import make_model, save
from prognosis.survival_data import y_from_frame


def _blank(frame: pd.DataFrame, rng, col: str, n: int) -> None:
    idx = rng.choice(len(frame), n, replace=False)
    frame.loc[frame.index[idx], col] = pd.NA


@pytest.fixture(scope="session")
def cox_artifact(tmp_path_factory):
    rng = np.random.default_rng(18)
    dev = load_demo("development").frame.copy()
    for col, n in (("kps", 40), ("albumin_g_dl", 60), ("ldh_u_l", 30), ("visceral_mets", 25),
                   ("primary_site", 20), ("sex", 4)):
        _blank(dev, rng, col, n)
    model = make_model("cox", feature_set="clinical+molecular", spline_terms=("age_years",), penalizer=0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(dev, y_from_frame(dev))
    d = tmp_path_factory.mktemp("calc")
    path = d / "cox.skops"
    save(model, path, training_data=dev)
    return {"path": path, "model": model, "dir": d}


def patient_table() -> pd.DataFrame:
    """24 external-cohort patients, then edited: missing inputs, unknown/untested molecular
    levels, Rades intervals at their cut-offs, a pooled primary site, subtype levels pooled as sparse
    (lung ALK, breast HR-/HER2+, prostate unknown, the whole melanoma block), ECOG without KPS, labs at
    score thresholds."""
    ext = load_demo("external").frame
    cols = ["age_years", "sex", "primary_site", "kps", "ecog", "extraspinal_bone_mets", "vertebral_mets",
            "visceral_mets", "visceral_pattern", "brain_mets", "frankel", "ambulatory", "pathological_fracture",
            "prior_chemotherapy", "targeted_therapy", "albumin_g_dl", "crp_mg_dl", "ldh_u_l",
            "platelets_10e9_l", "calcium_mg_dl", "bilirubin_mg_dl", "hemoglobin_g_dl", "egfr", "alk", "ros1",
            "kras", "braf", "er", "pr", "her2", "castration", "months_since_primary", "motor_deficit_days",
            "spine_level", "sins_pain", "sins_lesion", "sins_alignment", "sins_collapse", "sins_posterolateral"]
    p = ext.sample(24, random_state=5)[cols].astype(object).reset_index(drop=True)
    p = p.where(p.notna(), None)
    p.loc[0, ["primary_site", "egfr", "alk", "ros1", "kras"]] = ["lung", "mutant", None, None, None]
    p.loc[1, ["primary_site", "egfr", "alk", "ros1", "kras"]] = ["lung", "unknown", "unknown", None, None]  # untested
    p.loc[2, ["primary_site", "egfr", "alk", "ros1", "kras"]] = ["lung", "wildtype", "negative", "negative", "mutant"]
    p.loc[3, ["primary_site", "er", "pr", "her2"]] = ["breast", "negative", "negative", "negative"]
    p.loc[4, ["primary_site", "er", "pr", "her2"]] = ["breast", "unknown", None, "positive"]  # unknown subtype
    p.loc[5, ["primary_site", "castration"]] = ["prostate", "unknown"]
    p.loc[6, ["primary_site", "braf"]] = ["melanoma", "v600"]
    p.loc[7, "primary_site"] = "testis"   # pooled into 'other'
    p.loc[8, "primary_site"] = None       # missing: indicator
    p.loc[9, ["kps", "ecog"]] = [None, 2]  # missing KPS (indicator), ECOG only
    p.loc[10, ["albumin_g_dl", "ldh_u_l", "crp_mg_dl"]] = [None, None, None]
    p.loc[11, ["sex", "visceral_mets"]] = [None, None]  # few-missing item and an indicator item
    p.loc[12, ["crp_mg_dl", "ldh_u_l", "albumin_g_dl", "platelets_10e9_l", "calcium_mg_dl", "bilirubin_mg_dl"]] = \
        [0.4, 250, 3.7, 100, 10.3, 1.4]  # exactly at Katagiri thresholds
    p.loc[12, ["months_since_primary", "motor_deficit_days"]] = [15.0, 7.0]  # at the Rades cut-offs
    p.loc[15, ["months_since_primary", "motor_deficit_days"]] = [15.000001, 7.000001]
    p.loc[13, cols] = None               # nothing recorded at all
    p.loc[14, ["frankel", "ambulatory", "brain_mets", "visceral_pattern"]] = [None, None, None, "disseminated"]
    p.loc[15, ["kps", "age_years"]] = [100, 95.5]
    p.loc[16, ["kps", "age_years"]] = [10, 18]
    # levels the fixture model pools into the reference (< 5 training deaths; FeatureBuilder.pooled_)
    p.loc[17, ["primary_site", "egfr", "alk", "ros1", "kras"]] = ["lung", "wildtype", "rearranged", None, None]
    p.loc[18, ["primary_site", "er", "pr", "her2"]] = ["breast", "negative", "negative", "positive"]
    p.loc[19, ["primary_site", "braf"]] = ["melanoma", "wildtype"]  # whole melanoma block pooled
    # 24 more external patients with 15% of their values blanked at random
    rng = np.random.default_rng(7)
    q = ext.sample(24, random_state=6)[cols].astype(object).reset_index(drop=True)
    q = q.where(q.notna(), None)
    mask = rng.random(q.shape) < 0.15
    q = q.mask(mask, None)
    return pd.concat([p, q], ignore_index=True)


@pytest.fixture(scope="session")
def chromium():
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); the browser tests need it")
    return exe
