"""Report sections built from the spine columns: NOMS, treatment (descriptor) and the published
external validation beside the cohort (protocol of Bindels et al. 2025, clinical-facts §7.4)."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from prognosis.datasets.demo import load_demo
from prognosis.report.literature import PUBLISHED, literature_table
from prognosis.report.spine import (
    _km_median,
    literature_section,
    noms_section,
    spine_sections,
    treatment_section,
)


@pytest.fixture(scope="module")
def demo():
    return load_demo().frame


def test_literature_table_protocol_by_hand():
    # 6 patients, score higher = better (revised Tokuhashi): hand-computed binary AUC at 3 months
    f = pd.DataFrame({"time_months": [1.0, 2.0, 4.0, 5.0, 2.5, 10.0], "event": [1, 1, 0, 1, 0, 0],
                      "primary_site": ["lung", "lung", "breast", "breast", "breast", "breast"],
                      "kps": [40, 60, 90, 80, 90, 90], "extraspinal_bone_mets": 0, "vertebral_mets": 1,
                      "visceral_mets": "none", "frankel": "E"})
    t = literature_table(f).set_index("model")
    # status at 3 months: dead = rows 0, 1; alive = rows 2, 3, 5; row 4 censored at 2.5 -> left out.
    # RTS: lung KPS 40 -> 0+2+2+2+0+2 = 8; lung KPS 60 -> 9; breast KPS 80/90 -> 15 => every dead
    # patient has a lower score than every alive one: AUC 1
    assert t.loc["Revised Tokuhashi", "cohort AUC 3m"] == 1.0
    assert np.isnan(t.loc["Bollen", "cohort AUC 3m"])
    assert t.loc["Bollen", "score"] == "not implemented"
    assert t.loc["Revised Tokuhashi", "published AUC 12m"] == 0.71


def test_literature_on_demo(demo):
    t = literature_table(demo).set_index("model")
    assert len(t) == len(PUBLISHED) == 13
    kat = t.loc["Revised Katagiri (individual)"]
    assert 0.5 < kat["cohort AUC 12m"] < 1
    assert 0 < kat["cohort slope 12m"] < 2
    # binary AUC among known-status patients and IPCW AUC agree closely with little early censoring
    assert abs(kat["cohort AUC 6m"] - kat["cohort IPCW AUC 6m"]) < 0.02
    assert "0% or 100%" in t.loc["Original Bauer", "note"]  # published 0% group -> slope withheld
    assert np.isnan(t.loc["Original Bauer", "cohort slope 12m"])


def test_sections_on_demo(demo):
    n = noms_section(demo)
    assert n["id"] == "noms"
    assert "not a treatment recommendation" in n["html"]
    tr = treatment_section(demo)
    assert "Sperrin" in tr["html"]
    assert "surgery_radiotherapy" in tr["html"]
    lit = literature_section(demo)
    assert "Bindels" in lit["html"]
    assert not any("DEV0" in s["html"] for s in (n, tr, lit))
    spine_cols = ("sins_", "escc", "spine_", "treatment_received")
    bare = demo.drop(columns=[c for c in demo.columns if c.startswith(spine_cols)])
    assert noms_section(bare) is None
    assert treatment_section(bare) is None


def test_spine_sections_from_a_study_config():
    from prognosis.study.config import load_config

    cfg = load_config({"name": "t", "cohorts": {"development": {"demo": "development"}},
                       "scores": ["revised_tokuhashi"], "models": [], "horizons": [3, 6, 12],
                       "validation": {"method": "bootstrap", "n_boot": 2}, "seed": 1})
    secs = spine_sections(SimpleNamespace(config=cfg))
    assert [s["id"] for s in secs] == ["literature", "noms", "treatment"]


def test_km_median_matches_r_convention():
    assert _km_median(np.array([1.0, 2.0, 3.0]), np.array([0.75, 0.5, 0.25])) == 2.5
    assert _km_median(np.array([1.0, 2.0]), np.array([0.6, 0.4])) == 2.0
    assert np.isnan(_km_median(np.array([1.0]), np.array([0.9])))


def test_sections_are_inserted_before_the_model_card(monkeypatch):
    import prognosis.report.spine as spine
    from prognosis.report.html import _add_spine_sections

    page = ('<nav><ol>\n  <li><a href="#decision">D</a></li>\n  <li><a href="#model-card">Model card</a></li>\n'
            '</ol></nav>\n<section id="decision"></section>\n<section id="model-card"></section>')
    sec = [{"id": "noms", "title": "NOMS", "html": "<p>x</p>"}]
    monkeypatch.setattr(spine, "spine_sections", lambda result: sec)
    out = _add_spine_sections(page, None)
    assert out.index('id="noms"') < out.index('id="model-card"')
    assert out.index('href="#noms"') < out.index('href="#model-card"')
    monkeypatch.setattr(spine, "spine_sections", lambda result: [])
    assert _add_spine_sections(page, None) == page
