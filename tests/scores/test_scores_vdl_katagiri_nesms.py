"""van der Linden (2005), New Katagiri (2014) and NESMS against hand-written vectors
(clinical-facts §1.5-§1.7 and §2.2)."""
from __future__ import annotations

import pandas as pd
import pytest

from prognosis.scores import compute, explain

VDL = "van_der_linden"


def test_van_der_linden_vectors_and_groups():
    rows = [
        # site, kps, visceral -> items (kps/primary/visceral), total, group
        ("breast", 80, "none", (2, 3, 1), 6, "C"),
        ("prostate", 60, "unremovable", (1, 2, 0), 3, "A"),
        ("lung", 90, "none", (2, 1, 1), 4, "B"),
        ("breast", 70, "none", (1, 3, 1), 5, "B"),
        ("other", 40, "removable", (0, 0, 0), 0, "A"),
        ("kidney", 10, "none", (0, 0, 1), 1, "A"),
        ("lung", 50, "none", (1, 1, 1), 3, "A"),
        ("prostate", 100, "none", (2, 2, 1), 5, "B"),
    ]
    f = pd.DataFrame([{"primary_site": r[0], "kps": r[1], "visceral_mets": r[2]} for r in rows])
    out = compute(f, VDL)
    for i, r in enumerate(rows):
        o = out.iloc[i]
        assert (o[f"{VDL}__kps"], o[f"{VDL}__primary_tumor"], o[f"{VDL}__visceral"]) == r[3]
        assert o[VDL] == r[4]
        assert o[f"{VDL}_group"] == r[5]


def test_van_der_linden_missing():
    f = pd.DataFrame([{"primary_site": "breast", "kps": None, "visceral_mets": "none"},
                      {"primary_site": "breast", "kps": 80, "visceral_mets": None}])
    out = compute(f, VDL)
    assert out[VDL].isna().all()
    assert out[f"{VDL}_min"].tolist() == [4, 5]
    assert out[f"{VDL}_max"].tolist() == [6, 6]
    assert pd.isna(out[f"{VDL}_group"].iloc[0])
    assert pd.isna(out[f"{VDL}_group"].iloc[1])


KN = "katagiri_new"
KN_ITEMS = ["primary_lesion", "visceral", "laboratory", "ecog", "previous_chemotherapy",
            "multiple_skeletal"]
NORMAL_LABS = {"crp_mg_dl": 0.1, "ldh_u_l": 180.0, "albumin_g_dl": 4.2, "platelets_10e9_l": 250.0,
                   "calcium_mg_dl": 9.2, "bilirubin_mg_dl": 0.6}
BASE = dict(primary_site="breast", er="positive", pr="positive", visceral_pattern="none",
            brain_mets=False, ecog=1, prior_chemotherapy=False, vertebral_mets=1,
            extraspinal_bone_mets=0, **NORMAL_LABS)


def kn(rows, **opts):
    return compute(pd.DataFrame(rows), KN, **opts)


def test_katagiri_vectors():
    lung = dict(BASE, primary_site="lung", egfr="mutant", visceral_pattern="nodular",
                crp_mg_dl=1.2, ecog=2, prior_chemotherapy=True, vertebral_mets=3)
    out = kn([BASE, dict(lung, targeted_therapy=True), dict(lung, targeted_therapy=False)])
    expected = [((0, 0, 0, 0, 0, 0), 0, "low risk"), ((2, 1, 1, 0, 1, 1), 6, "intermediate risk"),
                ((3, 1, 1, 0, 1, 1), 7, "high risk")]
    for i, (items, total, group) in enumerate(expected):
        r = out.iloc[i]
        assert tuple(r[f"{KN}__{c}"] for c in KN_ITEMS) == items
        assert r[KN] == total
        assert r[f"{KN}_group"] == group
    # the driver option reads EGFR instead of the treatment column
    drv = kn([dict(lung, targeted_therapy=None), dict(lung, egfr="wildtype", alk="negative",
                                                       ros1="negative", targeted_therapy=None)],
             lung_targeted="driver")
    assert drv[f"{KN}__primary_lesion"].tolist() == [2, 3]


def test_katagiri_group_boundaries_and_extremes():
    worst = {"primary_site": "unknown", "visceral_pattern": "disseminated", "platelets_10e9_l": 80.0,
                 "ecog": 4, "prior_chemotherapy": True, "vertebral_mets": 2, "extraspinal_bone_mets": 0,
                 "brain_mets": True, "crp_mg_dl": 3.0, "ldh_u_l": 400.0, "albumin_g_dl": 3.0,
                 "calcium_mg_dl": 9.0, "bilirubin_mg_dl": 0.5}
    rows = [
        dict(BASE, prior_chemotherapy=True, ecog=3, vertebral_mets=2, crp_mg_dl=0.4),     # 0+0+1+1+1+1 = 4
        dict(BASE, prior_chemotherapy=True, ecog=2, vertebral_mets=2, crp_mg_dl=0.4),     # 3
        dict(BASE, primary_site="kidney", visceral_pattern="nodular", ecog=3,
             prior_chemotherapy=True, vertebral_mets=2),                                 # 2+1+0+1+1+1 = 6
        dict(BASE, primary_site="colon", visceral_pattern="nodular", ecog=3,
             prior_chemotherapy=True, vertebral_mets=2),                                 # 3+1+0+1+1+1 = 7
        worst,                                                                            # 3+2+2+1+1+1 = 10
    ]
    out = kn(rows)
    assert out[KN].tolist() == [4, 3, 6, 7, 10]
    assert out[f"{KN}_group"].astype(str).tolist() == [
        "intermediate risk", "low risk", "intermediate risk", "high risk", "high risk"]


@pytest.mark.parametrize(("col", "value", "points"), [
    ("crp_mg_dl", 0.39, 0), ("crp_mg_dl", 0.4, 1), ("ldh_u_l", 249.0, 0), ("ldh_u_l", 250.0, 1),
    ("albumin_g_dl", 3.7, 0), ("albumin_g_dl", 3.69, 1),
    ("platelets_10e9_l", 100.0, 0), ("platelets_10e9_l", 99.0, 2),
    ("calcium_mg_dl", 10.2, 0), ("calcium_mg_dl", 10.3, 2),
    ("bilirubin_mg_dl", 1.39, 0), ("bilirubin_mg_dl", 1.4, 2)])
def test_katagiri_lab_thresholds(col, value, points):
    assert kn([dict(BASE, **{col: value})]).iloc[0][f"{KN}__laboratory"] == points


def test_katagiri_labs_missing():
    rows = [dict(BASE, crp_mg_dl=None),                        # 0..1
            dict(BASE, platelets_10e9_l=None),                 # 0..2
            dict(BASE, crp_mg_dl=1.0, calcium_mg_dl=None),     # 1..2
            dict(BASE, calcium_mg_dl=11.0, crp_mg_dl=None)]    # 2 (critical decides)
    out = kn(rows)
    assert out[f"{KN}_min"].tolist() == [0, 0, 1, 2]
    assert out[f"{KN}_max"].tolist() == [1, 2, 2, 2]
    assert kn(rows, labs_missing="normal")[f"{KN}__laboratory"].tolist() == [0, 0, 1, 2]


@pytest.mark.parametrize(("row", "lo", "hi"), [
    ({"primary_site": "breast", "er": "negative", "pr": "negative"}, 2, 2),
    ({"primary_site": "breast", "er": "negative", "pr": "positive"}, 0, 0),
    ({"primary_site": "breast", "er": "unknown", "pr": "negative"}, 0, 2),
    ({"primary_site": "prostate", "castration": "sensitive"}, 0, 0),
    ({"primary_site": "prostate", "castration": "resistant"}, 2, 2),
    ({"primary_site": "prostate", "castration": "unknown"}, 0, 2),
    ({"primary_site": "lung", "targeted_therapy": None}, 2, 3),
    ({"primary_site": "thyroid"}, 0, 0), ({"primary_site": "myeloma"}, 0, 0),
    ({"primary_site": "lymphoma"}, 0, 0), ({"primary_site": "kidney"}, 2, 2),
    ({"primary_site": "uterus"}, 2, 2), ({"primary_site": "ovary"}, 2, 2),
    ({"primary_site": "sarcoma"}, 2, 2), ({"primary_site": "other"}, 2, 2),
    ({"primary_site": "colon"}, 3, 3), ({"primary_site": "rectum"}, 3, 3),
    ({"primary_site": "stomach"}, 3, 3), ({"primary_site": "pancreas"}, 3, 3),
    ({"primary_site": "head_neck"}, 3, 3), ({"primary_site": "esophagus"}, 3, 3),
    ({"primary_site": "bladder"}, 3, 3), ({"primary_site": "melanoma"}, 3, 3),
    ({"primary_site": "liver"}, 3, 3), ({"primary_site": "gallbladder"}, 3, 3),
    ({"primary_site": "cervix"}, 3, 3), ({"primary_site": "unknown"}, 3, 3),
    ({"primary_site": None}, 0, 3)])
def test_katagiri_primary_classes(row, lo, hi):
    base = {k: v for k, v in BASE.items() if k not in ("er", "pr")}
    r = kn([dict(base, **row)]).iloc[0]
    assert (r[f"{KN}_min"], r[f"{KN}_max"]) == (lo, hi)


def test_katagiri_prostate_assume_dependent():
    r = kn([dict(BASE, primary_site="prostate", castration="unknown")],
           prostate_hormone="assume_dependent").iloc[0]
    assert r[KN] == 0


@pytest.mark.parametrize(("row", "lo", "hi"), [
    ({"visceral_pattern": "nodular"}, 1, 1),
    ({"visceral_pattern": "disseminated"}, 2, 2),
    ({"visceral_pattern": "none", "brain_mets": True}, 1, 1),
    ({"visceral_pattern": "disseminated", "brain_mets": True}, 2, 2),
    ({"visceral_pattern": None, "visceral_mets": "unremovable"}, 1, 2),
    ({"visceral_pattern": None, "visceral_mets": "none"}, 0, 0),
    ({"visceral_pattern": None, "brain_mets": True}, 1, 2),
    ({"visceral_pattern": None, "brain_mets": None}, 0, 2)])
def test_katagiri_visceral(row, lo, hi):
    r = kn([dict(BASE, **row)]).iloc[0]
    assert (r[f"{KN}_min"], r[f"{KN}_max"]) == (lo, hi)


def test_katagiri_brain_unknown_option_and_ecog():
    rows = [dict(BASE, brain_mets=None), dict(BASE, ecog=None, kps=40), dict(BASE, ecog=None, kps=50)]
    # KPS 40 and KPS 50 are ECOG 3 under Ma 2010 (default), Prasad 2018 and Buccheri 1996 -> 1 point
    out = kn(rows, brain_mets_unknown="range", ecog_from_kps="usual")
    assert out[f"{KN}_min"].tolist() == [0, 1, 1]
    assert out[f"{KN}_max"].tolist() == [1, 1, 1]
    for conv in ("ma2010", "prasad2018", "buccheri1996"):
        assert kn(rows, ecog_from_kps=conv)[f"{KN}__ecog"].tolist()[1:] == [1, 1], conv
    assert kn(rows, ecog_from_kps="oken")[f"{KN}__ecog"].tolist()[1:] == [1, 0]  # KPS 50 -> ECOG 2
    # KPS 60 is ECOG 3 only under Prasad 2018 (50-60); Buccheri's 60-70 band is ECOG 2
    k60 = [dict(BASE, ecog=None, kps=60)]
    assert [int(kn(k60, ecog_from_kps=c)[f"{KN}__ecog"].iloc[0])
            for c in ("ma2010", "prasad2018", "buccheri1996", "oken")] == [0, 1, 0, 0]
    out = kn(rows)
    assert out[f"{KN}_min"].tolist() == [0, 0, 0]
    assert out[f"{KN}_max"].tolist() == [0, 1, 1]
    ecog = kn([dict(BASE, ecog=e) for e in range(5)])[f"{KN}__ecog"].tolist()
    assert ecog == [0, 0, 0, 1, 1]


NE = "nesms"


def test_nesms_vectors_and_ceiling():
    mb4 = {"primary_site": "breast", "visceral_mets": "none", "vertebral_mets": 1, "extraspinal_bone_mets": 0}
    mb2 = {"primary_site": "prostate", "visceral_mets": "none", "vertebral_mets": 2, "extraspinal_bone_mets": 0}
    mb3 = {"primary_site": "myeloma", "visceral_mets": "none", "vertebral_mets": 2, "extraspinal_bone_mets": 0}
    mb4, mb2, mb3 = (dict(d, brain_mets=False) for d in (mb4, mb2, mb3))
    rows = [dict(mb4, ambulatory=True, albumin_g_dl=3.9),    # 2 + 1 + 1 -> ceiling 3
            dict(mb2, ambulatory=False, albumin_g_dl=3.0),   # 0
            dict(mb3, ambulatory=False, albumin_g_dl=3.6),   # 2 + 0 + 1 = 3
            dict(mb2, ambulatory=True, albumin_g_dl=3.5),    # 0 + 1 + 1 = 2 (albumin boundary)
            dict(mb2, ambulatory=True, albumin_g_dl=3.49),   # 1
            dict(mb3, ambulatory=False, albumin_g_dl=3.4)]   # 2
    out = compute(pd.DataFrame(rows), NE)
    assert out[NE].tolist() == [3, 0, 3, 2, 1, 2]
    assert out[f"{NE}__modified_bauer"].tolist() == [2, 0, 2, 0, 0, 2]
    assert out[f"{NE}_group"].astype(str).tolist() == ["3", "0", "3", "2", "1", "2"]


def test_nesms_partial_modified_bauer():
    rows = [{"primary_site": "breast", "visceral_mets": "none", "vertebral_mets": None,
                 "ambulatory": True, "albumin_g_dl": 4.0},       # MB 3..4 -> 2 decided; total 3
            {"primary_site": "prostate", "visceral_mets": "unremovable", "vertebral_mets": None,
                 "ambulatory": True, "albumin_g_dl": 4.0},       # MB 1..2 -> 0 decided; total 2
            {"primary_site": "prostate", "visceral_mets": "none", "vertebral_mets": None,
                 "ambulatory": False, "albumin_g_dl": None}]     # MB 2..3 -> 0..2; albumin 0..1
    out = compute(pd.DataFrame(rows).assign(brain_mets=False), NE)
    assert out[NE].astype("float").fillna(-1).tolist() == [3, 2, -1]
    assert out[f"{NE}_min"].tolist() == [3, 2, 0]
    assert out[f"{NE}_max"].tolist() == [3, 2, 3]


def test_nesms_brain_metastasis_and_threshold_options():
    mb4 = {"primary_site": "breast", "visceral_mets": "none", "vertebral_mets": 1, "extraspinal_bone_mets": 0,
               "ambulatory": False, "albumin_g_dl": 3.0}
    f = pd.DataFrame([dict(mb4, brain_mets=True), dict(mb4, brain_mets=False)])
    # brain metastasis: modified Bauer 4 -> 3, still >= 3 -> 2 points
    assert compute(f, NE)[f"{NE}__modified_bauer"].tolist() == [2, 2]
    assert compute(f, NE, modified_bauer_cut=4)[f"{NE}__modified_bauer"].tolist() == [0, 2]
    assert compute(f, NE, albumin_cut_g_dl=3.0)[f"{NE}__albumin"].tolist() == [1, 1]
    assert compute(f, NE)[f"{NE}__albumin"].tolist() == [0, 0]
    t = explain(f.iloc[[1]], NE).table.set_index("item")
    assert "threshold [M], unverified" in t.loc["modified_bauer", "decided_by"]
    assert "threshold [M], unverified" in t.loc["albumin", "decided_by"]


@pytest.mark.parametrize("site", ["uterus", "ovary", "cervix", "bladder", "gallbladder", "testis",
                                  "carcinoid", "osteosarcoma", "other"])
def test_katagiri_unverified_sites_flagged_or_ranged(site):
    row = dict(BASE, primary_site=site)
    t = explain(pd.DataFrame([row]), KN).table.set_index("item")
    assert "[M], unverified" in t.loc["primary_lesion", "decided_by"]
    rng = kn([row], unverified_sites="range").iloc[0]
    assert pd.isna(rng[f"{KN}__primary_lesion"])
    assert rng[f"{KN}_max"] - rng[f"{KN}_min"] == 3  # slow 0 .. rapid 3


def test_katagiri_verified_site_not_flagged():
    t = explain(pd.DataFrame([dict(BASE, primary_site="colon")]), KN).table.set_index("item")
    assert "unverified" not in t.loc["primary_lesion", "decided_by"].split("; options")[0]
