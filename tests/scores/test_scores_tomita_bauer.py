"""Tomita (2001), Bauer (1995) and modified Bauer (2008) against hand-written vectors
(clinical-facts §1.3, §1.4 and the constructed vectors M1-M8 / modified Bauer of §2.2)."""
from __future__ import annotations

import pandas as pd
import pytest

from prognosis.scores import compute, explain

TOMITA_VECTORS = [
    # site, visceral_mets, vertebral, extraspinal, items (primary/visceral/bone), total, group
    ("breast", "none", 1, 0, (1, 0, 1), 2, "long-term local control"),            # M1
    ("prostate", "none", 2, 1, (1, 0, 2), 3, "long-term local control"),          # M2
    ("kidney", "none", 1, 0, (2, 0, 1), 3, "long-term local control"),            # M3
    ("lung", "none", 1, 0, (4, 0, 1), 5, "middle-term local control"),            # M4
    ("kidney", "removable", 3, 2, (2, 2, 2), 6, "short-term palliation"),          # M5
    ("breast", "unremovable", 1, 4, (1, 4, 2), 7, "short-term palliation"),        # M6
    ("lung", "removable", 2, 0, (4, 2, 2), 8, "terminal care"),                    # M7
    ("lung", "unremovable", 5, 5, (4, 4, 2), 10, "terminal care"),                 # M8
    ("thyroid", "removable", 1, 0, (1, 2, 1), 4, "middle-term local control"),     # 3/4 boundary
]


def test_tomita_vectors():
    f = pd.DataFrame([{"primary_site": v[0], "visceral_mets": v[1], "vertebral_mets": v[2],
                           "extraspinal_bone_mets": v[3]} for v in TOMITA_VECTORS])
    out = compute(f, "tomita")
    for i, v in enumerate(TOMITA_VECTORS):
        r = out.iloc[i]
        assert (r["tomita__primary_tumor"], r["tomita__visceral"], r["tomita__bone"]) == v[4]
        assert r["tomita"] == v[5]
        assert r["tomita_group"] == v[6]


TOMITA_SITES = {"breast": 1, "thyroid": 1, "prostate": 1, "testis": 1, "kidney": 2, "uterus": 2,
                "cervix": 2, "lung": 4, "stomach": 4, "liver": 4, "colon": 4, "rectum": 4,
                "unknown": 4, "other": 4, "myeloma": 4, "melanoma": 4}


@pytest.mark.parametrize("site", sorted(TOMITA_SITES))
def test_tomita_primary_sites(site):
    f = pd.DataFrame([{"primary_site": site, "visceral_mets": "none", "vertebral_mets": 1,
                           "extraspinal_bone_mets": 0}])
    r = compute(f, "tomita").iloc[0]
    assert r["tomita__primary_tumor"] == TOMITA_SITES[site]
    assert r["tomita"] == TOMITA_SITES[site] + 1


def test_tomita_solitary_rule_and_partial_bone_data():
    f = pd.DataFrame([
        {"vertebral_mets": 1, "extraspinal_bone_mets": 0},        # solitary
        {"vertebral_mets": 2, "extraspinal_bone_mets": 0},        # multiple (2 vertebrae)
        {"vertebral_mets": None, "extraspinal_bone_mets": 1},     # multiple whatever the spine
        {"vertebral_mets": 3, "extraspinal_bone_mets": None},     # multiple whatever elsewhere
        {"vertebral_mets": 1, "extraspinal_bone_mets": None},     # undetermined
        {"vertebral_mets": None, "extraspinal_bone_mets": 0},     # undetermined
    ])
    f["primary_site"], f["visceral_mets"] = "breast", "none"
    out = compute(f, "tomita")
    assert out["tomita__bone"].astype("float").fillna(-1).tolist() == [1, 2, 2, 2, -1, -1]
    assert out["tomita_min"].tolist() == [2, 3, 3, 3, 2, 2]
    assert out["tomita_max"].tolist() == [2, 3, 3, 3, 3, 3]
    alt = compute(f, "tomita", solitary_rule="no_extraspinal")
    assert alt["tomita__bone"].astype("float").fillna(-1).tolist() == [1, 1, 2, -1, -1, 1]


def test_tomita_extremes_and_missing():
    f = pd.DataFrame([{"primary_site": None, "visceral_mets": None, "vertebral_mets": None},
                      {"primary_site": "lung", "visceral_mets": None, "vertebral_mets": 4}])
    out = compute(f, "tomita")
    assert out["tomita"].isna().all()
    assert out["tomita_min"].tolist() == [2, 6]
    assert out["tomita_max"].tolist() == [10, 10]
    assert pd.isna(out["tomita_group"].iloc[0])
    assert pd.isna(out["tomita_group"].iloc[1])  # 6..10 spans two groups


MB_VECTORS = [
    # site, visceral, vertebral, extraspinal, (no_visceral, not_lung, favourable, solitary), total, group
    ("breast", "none", 1, 0, (1, 1, 1, 1), 4, "middle-term local control"),
    ("prostate", "none", 2, 0, (1, 1, 0, 0), 2, "short-term palliation"),
    ("lung", "unremovable", 3, 2, (0, 0, 0, 0), 0, "supportive care"),
    ("myeloma", "none", 1, 3, (1, 1, 1, 0), 3, "middle-term local control"),
    ("kidney", "removable", 1, 1, (0, 1, 1, 0), 2, "short-term palliation"),
    ("colon", "removable", 2, 0, (0, 1, 0, 0), 1, "supportive care"),
    ("lymphoma", "unremovable", 1, 0, (0, 1, 1, 1), 3, "middle-term local control"),
]
MB_ITEMS = ["no_visceral", "not_lung", "favourable_primary", "solitary"]


def test_modified_bauer_vectors():
    f = pd.DataFrame([{"primary_site": v[0], "visceral_mets": v[1], "vertebral_mets": v[2],
                           "extraspinal_bone_mets": v[3], "brain_mets": False} for v in MB_VECTORS])
    out = compute(f, "modified_bauer")
    for i, v in enumerate(MB_VECTORS):
        r = out.iloc[i]
        assert tuple(r[f"modified_bauer__{c}"] for c in MB_ITEMS) == v[4]
        assert r["modified_bauer"] == v[5]
        assert r["modified_bauer_group"] == v[6]


@pytest.mark.parametrize(("site", "favourable", "not_lung"), [
    ("breast", 1, 1), ("kidney", 1, 1), ("lymphoma", 1, 1), ("myeloma", 1, 1),
    ("prostate", 0, 1), ("thyroid", 0, 1), ("lung", 0, 0), ("unknown", 0, 1)])
def test_bauer_primary_items(site, favourable, not_lung):
    r = compute(pd.DataFrame([{"primary_site": site}]), "bauer").iloc[0]
    assert r["bauer__favourable_primary"] == favourable
    assert r["bauer__not_lung"] == not_lung


def test_original_bauer_fracture_and_groups():
    base = {"primary_site": "breast", "visceral_mets": "none", "vertebral_mets": 1,
                "extraspinal_bone_mets": 0, "brain_mets": False}
    f = pd.DataFrame([
        {**base, "pathological_fracture": False},                               # 5
        {**base, "pathological_fracture": True},                                # 4
        {**base, "pathological_fracture": True, "vertebral_mets": 2},           # 3
        {**base, "pathological_fracture": True, "vertebral_mets": 2,
         "primary_site": "prostate"},                                           # 2
        {**base, "pathological_fracture": True, "vertebral_mets": 2,
         "primary_site": "lung"},                                               # 1
        {**base, "pathological_fracture": True, "vertebral_mets": 2,
         "primary_site": "lung", "visceral_mets": "unremovable"},               # 0
        {**base, "pathological_fracture": None},                                # 4..5
    ])
    out = compute(f, "bauer")
    assert out["bauer"].astype("float").fillna(-1).tolist() == [5, 4, 3, 2, 1, 0, -1]
    assert out["bauer_group"].astype(str).tolist()[:6] == ["4-5", "4-5", "2-3", "2-3", "0-1", "0-1"]
    assert out["bauer_group"].iloc[6] == "4-5"  # 4..5 lies inside one group
    assert (out["bauer_min"].iloc[6], out["bauer_max"].iloc[6]) == (4, 5)


def test_bauer_visceral_from_pattern():
    f = pd.DataFrame([{"visceral_pattern": "nodular"}, {"visceral_pattern": "none"},
                      {"visceral_mets": "none", "visceral_pattern": "nodular"}, {}])
    f["brain_mets"] = False
    col = compute(f, "modified_bauer")["modified_bauer__no_visceral"]
    assert col.astype("float").fillna(-1).tolist() == [0, 1, 1, -1]


@pytest.mark.parametrize("score", ["bauer", "modified_bauer"])
def test_bauer_counts_brain_metastases_by_default(score):
    # Bauer & Wedin 1995 (abstract): "visceral or brain metastases" remove the point
    base = {"primary_site": "breast", "visceral_mets": "none", "vertebral_mets": 1,
                "extraspinal_bone_mets": 0, "pathological_fracture": False}
    f = pd.DataFrame([dict(base, brain_mets=True), dict(base, brain_mets=False),
                      dict(base, brain_mets=None), dict(base, visceral_mets="removable", brain_mets=False)])
    col = f"{score}__no_visceral"
    full = 5 if score == "bauer" else 4
    out = compute(f, score)
    assert out[col].astype("float").fillna(-1).tolist() == [0, 1, -1, 0]
    assert out[f"{score}_min"].tolist() == [full - 1, full, full - 1, full - 1]
    assert out[f"{score}_max"].tolist() == [full - 1, full, full, full - 1]
    excl = compute(f, score, brain_as_visceral=False)
    assert excl[col].tolist() == [1, 1, 1, 0]
    ex = explain(f.iloc[[0]], score)
    row = ex.table.set_index("item").loc["no_visceral"]
    assert "brain metastasis counts" in row["decided_by"]
    assert "brain_mets=True" in row["recorded"]


def test_brain_as_visceral_option():
    base = {"primary_site": "breast", "visceral_mets": "none", "vertebral_mets": 1,
                "extraspinal_bone_mets": 0}
    f = pd.DataFrame([dict(base, brain_mets=True), dict(base, brain_mets=False),
                      dict(base, brain_mets=None),
                      dict(base, visceral_mets="removable", brain_mets=True)])
    # default: brain metastases are not read
    assert compute(f, "tomita")["tomita__visceral"].tolist() == [0, 0, 0, 2]
    out = compute(f, "tomita", brain_as_visceral=True)  # brain -> untreatable (default as)
    assert out["tomita__visceral"].astype("float").fillna(-1).tolist() == [4, 0, -1, 4]
    assert (out["tomita_min"].tolist(), out["tomita_max"].tolist()) == ([6, 2, 2, 6], [6, 2, 6, 6])
    out = compute(f, "tomita", brain_as_visceral=True, visceral_unknown_as=None)
    assert (out["tomita_min"].tolist(), out["tomita_max"].tolist()) == ([4, 2, 2, 4], [6, 2, 6, 6])
    rts = compute(f, "revised_tokuhashi", brain_as_visceral=True)["revised_tokuhashi__major_organs"]
    assert rts.astype("float").fillna(-1).tolist() == [0, 2, -1, 0]
    mb = compute(f, "modified_bauer", brain_as_visceral=True)["modified_bauer__no_visceral"]
    assert mb.astype("float").fillna(-1).tolist() == [0, 1, -1, 0]


def test_tomita_unverified_sites():
    from prognosis.scores.tomita import UNVERIFIED_SITES
    assert len(UNVERIFIED_SITES) == 18
    assert {"myeloma", "lymphoma"} <= set(UNVERIFIED_SITES)
    f = pd.DataFrame([{"primary_site": s} for s in ("myeloma", "lymphoma", "breast", "lung")])
    rng = compute(f, "tomita", unverified_sites="range")["tomita__primary_tumor"]
    assert rng.astype("float").fillna(-1).tolist() == [-1, -1, 1, 4]
    t = explain(f.iloc[[0]], "tomita").table.set_index("item")
    assert "[M], unverified" in t.loc["primary_tumor", "decided_by"]
    t = explain(f.iloc[[2]], "tomita").table.set_index("item")
    assert "[M], unverified" not in t.loc["primary_tumor", "decided_by"]


def test_tokuhashi_1990_other_primary_flagged():
    t = explain(pd.DataFrame([{"primary_site": "other"}]), "original_tokuhashi").table.set_index("item")
    assert "1 vs 2 points" in t.loc["primary_site", "decided_by"]
    assert compute(pd.DataFrame([{"primary_site": "unknown"}]), "original_tokuhashi",
                   other_primary_points=2)["original_tokuhashi__primary_site"].iloc[0] == 2
