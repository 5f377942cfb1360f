"""The MSK-MET study config and notebook stay valid and free of patient-level output (no data needed)."""
from __future__ import annotations

import inspect
import json

import pandas as pd
import pytest
import yaml

from prognosis.datasets.msk_met import load_msk_met


@pytest.fixture(scope="module")
def cfg(repo_root):
    return yaml.safe_load((repo_root / "data" / "examples" / "msk_met_bone.yaml").read_text())


def test_cohort_spec_matches_loader(cfg):
    spec = cfg["cohorts"]["development"]
    assert spec["dataset"] == "msk_met"
    params = inspect.signature(load_msk_met).parameters
    assert set(spec["options"]) <= set(params)
    assert spec["options"]["subset"] in ("bone_biopsied", "bone_relevant")


def test_config_validates_with_study_schema(cfg):
    study = pytest.importorskip("prognosis.study")
    c = dict(cfg, cohorts={"development": "demo"})  # the MSK cohort itself is handed over at run time
    config = study.load_config(c)
    kinds = {s.kind for s in config.scores}
    assert kinds == {"component", "column"}  # only primary-site items + met_site_count are computable
    assert {m.kind for m in config.models} == {"cox", "rsf", "gbm"}


def test_score_options_are_accepted(cfg):
    scores = pytest.importorskip("prognosis.scores")
    from prognosis.cohort.schema import conform_dtypes

    frame = conform_dtypes(pd.DataFrame({
        "patient_id": ["a", "b"], "cohort": ["x", "x"], "time_months": [1.0, 2.0], "event": [1, 0],
        "primary_site": ["lung", "prostate"], "egfr": ["mutant", "wildtype"], "alk": ["negative", "negative"],
        "ros1": ["negative", "negative"],
    }))
    for entry in cfg["scores"]:
        if "name" in entry:
            score, _, comp = entry["name"].partition("__")
            out = scores.compute(frame, score, errors="coerce", **entry.get("options", {}))
            assert entry["name"] in out.columns
            assert out[entry["name"]].notna().all(), entry["name"]


def test_notebook_outputs_stripped(repo_root):
    nb = json.loads((repo_root / "notebooks" / "04_msk_met_molecular.ipynb").read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs", []) == [] and cell.get("execution_count") is None
