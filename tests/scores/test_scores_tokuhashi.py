"""Revised (2005) and original (1990) Tokuhashi scores against hand-written vectors.

Expected points are written by hand from the published tables (clinical-facts §1.1, §1.2 and
the constructed vectors T1-T7 of §2.2), never produced by the code under test.
"""
from __future__ import annotations

import pandas as pd
import pytest

from prognosis.errors import InputError, ScoreInputError
from prognosis.scores import compute

RTS = "revised_tokuhashi"
COMPLETE = {"primary_site": "breast", "kps": 90, "extraspinal_bone_mets": 0, "vertebral_mets": 1,
                "visceral_mets": "none", "frankel": "E"}  # 2/2/2/2/5/2 = 15


def one(score, **kw):
    row = {**COMPLETE, **kw}
    row = {k: v for k, v in row.items() if v is not ...}  # ... = drop the column
    return compute(pd.DataFrame([row]), score).iloc[0]


# ---- clinical-facts §2.2 vectors T1-T7 ------------------------------------------------------
VECTORS = [
    # site, kps, extraspinal, vertebral, visceral, frankel, items, total, group
    ("breast", 90, 0, 1, "none", "E", (2, 2, 2, 2, 5, 2), 15, "≥1 year"),
    ("lung", 60, 3, 3, "unremovable", "C", (1, 0, 0, 0, 0, 1), 2, "<6 months"),
    ("kidney", 80, 1, 2, "removable", "D", (2, 1, 1, 1, 3, 1), 9, "≥6 months"),
    ("unknown", 50, 0, 1, "none", "E", (1, 2, 2, 2, 1, 2), 10, "≥6 months"),
    ("prostate", 70, 2, 2, "none", "B", (1, 1, 1, 2, 5, 0), 10, "≥6 months"),
    ("rectum", 40, 3, 1, "unremovable", "E", (0, 0, 2, 0, 4, 2), 8, "<6 months"),
    ("thyroid", 80, 1, 2, "none", "D", (2, 1, 1, 2, 5, 1), 12, "≥1 year"),
    # 11/12 boundary from below: 5 + 1 + 1 + 2 + 2 + 0
    ("breast", 60, 1, 1, "none", "A", (1, 1, 2, 2, 5, 0), 11, "≥6 months"),
    # minimum total 0
    ("lung", 10, 5, 4, "unremovable", "A", (0, 0, 0, 0, 0, 0), 0, "<6 months"),
]
ITEMS = ["general_condition", "extraspinal_bone", "vertebral_body", "major_organs",
         "primary_site", "palsy"]


def test_published_vectors_and_group_boundaries():
    frame = pd.DataFrame(
        [{"primary_site": v[0], "kps": v[1], "extraspinal_bone_mets": v[2], "vertebral_mets": v[3],
              "visceral_mets": v[4], "frankel": v[5]} for v in VECTORS],
        index=[f"p{i}" for i in range(len(VECTORS))])
    out = compute(frame, RTS)
    assert list(out.index) == list(frame.index)
    for (i, v) in enumerate(VECTORS):
        row = out.iloc[i]
        assert tuple(int(row[f"{RTS}__{c}"]) for c in ITEMS) == v[6], v
        assert row[RTS] == v[7] == row[f"{RTS}_min"] == row[f"{RTS}_max"]
        assert row[f"{RTS}_group"] == v[8]
    assert str(out[RTS].dtype) == "Int64"
    assert list(out[f"{RTS}_group"].cat.categories) == ["<6 months", "≥6 months", "≥1 year"]
    assert out[f"{RTS}_group"].cat.ordered


@pytest.mark.parametrize(("kps", "points"), [(0, 0), (10, 0), (40, 0), (45, 0), (50, 1), (70, 1),
                                        (75, 1), (79, 1), (80, 2), (100, 2)])
def test_kps_boundaries(kps, points):
    r = one(RTS, kps=kps)
    assert r[f"{RTS}__general_condition"] == points
    assert r[RTS] == 13 + points


@pytest.mark.parametrize(("n", "points"), [(0, 2), (1, 1), (2, 1), (3, 0), (12, 0)])
def test_extraspinal_boundaries(n, points):
    assert one(RTS, extraspinal_bone_mets=n)[f"{RTS}__extraspinal_bone"] == points


@pytest.mark.parametrize(("n", "points", "alt"), [(1, 2, 1), (2, 1, 1), (3, 0, 0), (7, 0, 0)])
def test_vertebral_boundaries_and_convention_option(n, points, alt):
    assert one(RTS, vertebral_mets=n)[f"{RTS}__vertebral_body"] == points
    f = pd.DataFrame([{**COMPLETE, "vertebral_mets": n}])
    assert compute(f, RTS, vertebral_item="0/1-2/>=3").iloc[0][f"{RTS}__vertebral_body"] == alt


@pytest.mark.parametrize(("grade", "points"), [("A", 0), ("B", 0), ("C", 1), ("D", 1), ("E", 2)])
def test_frankel(grade, points):
    assert one(RTS, frankel=grade)[f"{RTS}__palsy"] == points


@pytest.mark.parametrize(("v", "points"), [("none", 2), ("removable", 1), ("unremovable", 0)])
def test_major_organs(v, points):
    assert one(RTS, visceral_mets=v)[f"{RTS}__major_organs"] == points


# every site of the package vocabulary, points written from the 2005 table
RTS_SITES = {
    "lung": 0, "osteosarcoma": 0, "stomach": 0, "bladder": 0, "esophagus": 0, "pancreas": 0,
    "liver": 1, "gallbladder": 1, "unknown": 1,
    "colon": 2, "ovary": 2, "head_neck": 2, "melanoma": 2, "myeloma": 2, "lymphoma": 2,
    "sarcoma": 2, "testis": 2, "other": 2,
    "kidney": 3, "uterus": 3, "cervix": 3,
    "rectum": 4,
    "thyroid": 5, "breast": 5, "prostate": 5, "carcinoid": 5,
}


@pytest.mark.parametrize("site", sorted(RTS_SITES))
def test_every_primary_site(site):
    r = one(RTS, primary_site=site)
    assert r[f"{RTS}__primary_site"] == RTS_SITES[site]
    assert r[RTS] == 10 + RTS_SITES[site]


def test_primary_site_options():
    f = pd.DataFrame([{**COMPLETE, "primary_site": s} for s in ("colon", "unknown", "cervix")])
    col = f"{RTS}__primary_site"
    assert list(compute(f, RTS)[col]) == [2, 1, 3]
    assert list(compute(f, RTS, colon_as="rectum")[col]) == [4, 1, 3]
    assert list(compute(f, RTS, unknown_primary_points=0)[col]) == [2, 0, 3]
    assert list(compute(f, RTS, cervix_as="others")[col]) == [2, 1, 2]


def test_molecular_breast_option():
    f = pd.DataFrame([
        {**COMPLETE, "er": "negative", "pr": "negative", "her2": "negative"},  # triple negative
        {**COMPLETE, "er": "negative", "pr": "negative", "her2": "positive"},  # HR-negative
        {**COMPLETE, "er": "positive", "pr": "negative"},
        {**COMPLETE, "er": "negative", "pr": "unknown"},
        {**COMPLETE, "primary_site": "prostate", "er": "negative", "pr": "negative"},
    ])
    default = compute(f, RTS)
    assert list(default[RTS]) == [15, 15, 15, 15, 15]
    mol = compute(f, RTS, molecular=True)
    assert list(mol[f"{RTS}__primary_site"].astype("float").fillna(-1)) == [3, 3, 5, -1, 5]
    assert mol[RTS].isna().tolist() == [False, False, False, True, False]
    assert list(mol[f"{RTS}_min"]) == [13, 13, 15, 13, 15]
    assert list(mol[f"{RTS}_max"]) == [13, 13, 15, 15, 15]


def test_missing_items_give_ranges_not_guesses():
    f = pd.DataFrame([
        {**COMPLETE, "kps": None},                               # 13 + 0..2
        {**COMPLETE, "kps": None, "frankel": None},              # 11 + 0..4 = 11..15
        {**COMPLETE, "primary_site": None},                      # 10 + 0..5
        {**COMPLETE, "frankel": None},                           # 13..15: group known
        {"kps": 40},                                             # 0 + 0..13
    ])
    out = compute(f, RTS)
    assert out[RTS].isna().all()
    assert list(out[f"{RTS}_min"]) == [13, 11, 10, 13, 0]
    assert list(out[f"{RTS}_max"]) == [15, 15, 15, 15, 13]
    g = out[f"{RTS}_group"]
    assert g.iloc[0] == "≥1 year"
    assert g.iloc[3] == "≥1 year"
    assert pd.isna(g.iloc[1])
    assert pd.isna(g.iloc[2])
    assert pd.isna(g.iloc[4])
    assert out[f"{RTS}__general_condition"].isna().tolist() == [True, True, False, False, False]


def test_absent_columns_are_missing():
    out = compute(pd.DataFrame(index=range(3)), RTS)
    assert out[RTS].isna().all()
    assert (out[f"{RTS}_min"] == 0).all()
    assert (out[f"{RTS}_max"] == 15).all()


def test_visceral_presence_only_and_unknown_option():
    f = pd.DataFrame([
        {**COMPLETE, "visceral_mets": None, "visceral_pattern": "nodular"},
        {**COMPLETE, "visceral_mets": None, "visceral_pattern": "disseminated"},
        {**COMPLETE, "visceral_mets": None, "visceral_pattern": "none"},
        {**COMPLETE, "visceral_mets": None},
    ])
    col = f"{RTS}__major_organs"
    out = compute(f, RTS)  # default: present -> unremovable (Bollen)
    assert out[col].tolist()[:3] == [0, 0, 2]
    assert pd.isna(out[col].iloc[3])
    out = compute(f, RTS, visceral_unknown_as="removable")
    assert out[col].tolist()[:3] == [1, 1, 2]
    out = compute(f, RTS, visceral_unknown_as=None)
    assert out[col].isna().tolist() == [True, True, False, True]
    assert list(out[f"{RTS}_min"]) == [13, 13, 15, 13]
    assert list(out[f"{RTS}_max"]) == [14, 14, 15, 15]


def test_kps_from_ecog_option():
    f = pd.DataFrame([{**COMPLETE, "kps": None, "ecog": e} for e in range(5)]
                     + [{**COMPLETE, "kps": 50, "ecog": 0}])
    col = f"{RTS}__general_condition"
    assert compute(f, RTS)[col].isna().tolist() == [True] * 5 + [False]
    rng = compute(f, RTS, kps_from_ecog="range")
    # default convention Ma et al. 2010: ECOG 0 = KPS 100 -> 2; 1 = 80-90 -> 2; 2 = 60-70 -> 1;
    # 3 = 40-50 -> 0..1 (straddles the 50 cut); 4 = 10-30 -> 0; recorded KPS wins
    assert rng[col].astype("float").fillna(-1).tolist() == [2, 2, 1, -1, 0, 1]
    assert rng[f"{RTS}_min"].tolist() == [15, 15, 14, 13, 13, 14]
    assert rng[f"{RTS}_max"].tolist() == [15, 15, 14, 14, 13, 14]
    pt = compute(f, RTS, kps_from_ecog="point")  # low end of the band: 100, 80, 60, 40, 10
    assert pt[col].tolist() == [2, 2, 1, 0, 0, 1]
    # the other named conventions (prognosis.clinical), read off their published bands
    conv = {"oken": [2, -1, 1, 0, 0, 1],  # 90-100 / 70-80 / 50-60 / 30-40 / 10-20
            "prasad2018": [2, 2, 1, 1, 0, 1],  # 100 / 80-90 / 70 / 50-60 / 10-40
            "buccheri1996": [2, 2, 1, -1, -1, 1]}  # 80-100 (ECOG 0-1) / 60-70 / 10-50 (ECOG 3-4)
    for name, expected in conv.items():
        got = compute(f, RTS, kps_from_ecog=name)[col].astype("float").fillna(-1).tolist()
        assert got == expected, name
    own = compute(f, RTS, kps_from_ecog={0: 100, 1: 70, 2: 50, 3: 30, 4: 10})
    assert own[col].tolist() == [2, 1, 1, 0, 0, 1]
    with pytest.raises(InputError, match="kps_from_ecog"):
        compute(f, RTS, kps_from_ecog={1: 170})


@pytest.mark.parametrize(("column", "value"), [("kps", 150), ("kps", -10), ("kps", 75.5),
                                          ("frankel", "F"), ("extraspinal_bone_mets", -1),
                                          ("vertebral_mets", 0), ("primary_site", "spleen"),
                                          ("visceral_mets", "maybe")])
def test_invalid_values_raise_naming_row_column_value(column, value):
    rows = [dict(COMPLETE) for _ in range(4)]
    rows[2][column] = value
    f = pd.DataFrame(rows, index=["id-a", "id-b", "id-c", "id-d"])
    with pytest.raises(ScoreInputError) as exc:
        compute(f, RTS)
    msg = str(exc.value)
    assert "row position 2" in msg
    assert repr(column) in msg
    assert str(value) in msg
    assert "id-c" not in msg  # never the patient's key


# ---- original Tokuhashi 1990 -----------------------------------------------------------------
OTS = "original_tokuhashi"
OTS_SITES = {"lung": 0, "stomach": 0, "kidney": 1, "liver": 1, "uterus": 1, "other": 1,
             "unknown": 1, "colon": 1, "melanoma": 1, "thyroid": 2, "prostate": 2, "breast": 2,
             "rectum": 2}


@pytest.mark.parametrize("site", sorted(OTS_SITES))
def test_original_primary_sites(site):
    r = one(OTS, primary_site=site)
    assert r[f"{OTS}__primary_site"] == OTS_SITES[site]
    assert r[OTS] == 10 + OTS_SITES[site]


def test_original_items_groups_and_options():
    rows = [
        # KPS / extraspinal / vertebral / organs / primary / palsy -> total, group
        {"kps": 40, "extraspinal_bone_mets": 3, "vertebral_mets": 3, "visceral_mets": "unremovable",
             "primary_site": "lung", "frankel": "A"},                      # 0 0 0 0 0 0 = 0
        {"kps": 50, "extraspinal_bone_mets": 2, "vertebral_mets": 2, "visceral_mets": "removable",
             "primary_site": "kidney", "frankel": "B"},                    # 1 1 1 1 1 0 = 5
        {"kps": 70, "extraspinal_bone_mets": 1, "vertebral_mets": 2, "visceral_mets": "removable",
             "primary_site": "liver", "frankel": "C"},                     # 1 1 1 1 1 1 = 6
        {"kps": 80, "extraspinal_bone_mets": 1, "vertebral_mets": 2, "visceral_mets": "removable",
             "primary_site": "uterus", "frankel": "D"},                    # 2 1 1 1 1 1 = 7
        {"kps": 80, "extraspinal_bone_mets": 0, "vertebral_mets": 2, "visceral_mets": "removable",
             "primary_site": "unknown", "frankel": "D"},                   # 2 2 1 1 1 1 = 8
        {"kps": 80, "extraspinal_bone_mets": 0, "vertebral_mets": 1, "visceral_mets": "removable",
             "primary_site": "unknown", "frankel": "D"},                   # 2 2 2 1 1 1 = 9
        {"kps": 100, "extraspinal_bone_mets": 0, "vertebral_mets": 1, "visceral_mets": "none",
             "primary_site": "prostate", "frankel": "E"},                  # 12
    ]
    out = compute(pd.DataFrame(rows), OTS)
    assert out[OTS].tolist() == [0, 5, 6, 7, 8, 9, 12]
    assert out[f"{OTS}_group"].astype(str).tolist() == [
        "≤3 months", "≤3 months", "≤12 months", "≤12 months", "≤12 months", "≥12 months",
        "≥12 months"]
    f = pd.DataFrame([{**COMPLETE, "primary_site": s} for s in ("other", "unknown", "colon")])
    assert compute(f, OTS, other_primary_points=2)[f"{OTS}__primary_site"].tolist() == [2, 2, 2]
    assert compute(f, OTS, colon_as="rectum")[f"{OTS}__primary_site"].tolist() == [1, 1, 2]
    r = compute(pd.DataFrame([{**COMPLETE, "primary_site": None}]), OTS).iloc[0]
    assert pd.isna(r[OTS])
    assert r[f"{OTS}_min"] == 10
    assert r[f"{OTS}_max"] == 12
    assert r[f"{OTS}_group"] == "≥12 months"
