"""SINS (Fisher et al., Spine 2010): hand-written vectors at every group boundary, the level ->
location table and the harmonizer synonyms. Expected values are read off clinical-facts §7.2."""
from __future__ import annotations

import pandas as pd
import pytest

from prognosis.cohort import read_cohort
from prognosis.errors import ScoreInputError
from prognosis.scores import available, compute, explain
from prognosis.scores._base import ScoreInputWarning

ITEMS = ("location", "pain", "lesion", "alignment", "collapse", "posterolateral")


def row(level, pain, lesion, alignment, collapse, postero, **kw):
    return dict(spine_level=level, sins_pain=pain, sins_lesion=lesion, sins_alignment=alignment,
                sins_collapse=collapse, sins_posterolateral=postero, **kw)


# (row, item points in ITEMS order, total, group)
VECTORS = [
    (row("S3", "none", "blastic", "normal", "none", "none"), (0, 0, 0, 0, 0, 0), 0, "stable"),  # minimum
    (row("T6", "mechanical", "lytic", "normal", "none", "none"), (1, 3, 2, 0, 0, 0), 6, "stable"),  # 6/7
    (row("T6", "mechanical", "lytic", "normal", "involved_over_50", "none"), (1, 3, 2, 0, 1, 0), 7,
     "indeterminate"),
    (row("L3", "mechanical", "lytic", "deformity", "involved_over_50", "unilateral"), (2, 3, 2, 2, 1, 1), 11,
     "indeterminate"),
    (row("L3", "mechanical", "lytic", "deformity", "involved_over_50", "none"), (2, 3, 2, 2, 1, 0), 10,
     "indeterminate"),
    (row("T12", "occasional", "mixed", "deformity", "under_50", "unilateral"), (3, 1, 1, 2, 2, 1), 10,
     "indeterminate"),
    (row("C5", "mechanical", "mixed", "deformity", "under_50", "unilateral"), (2, 3, 1, 2, 2, 1), 11,
     "indeterminate"),
    (row("C5", "mechanical", "lytic", "deformity", "under_50", "unilateral"), (2, 3, 2, 2, 2, 1), 12,
     "indeterminate"),  # 12/13
    (row("C5", "mechanical", "lytic", "deformity", "over_50", "unilateral"), (2, 3, 2, 2, 3, 1), 13, "unstable"),
    (row("L5", "mechanical", "lytic", "subluxation", "over_50", "bilateral"), (3, 3, 2, 4, 3, 3), 18,
     "unstable"),  # maximum
]


def test_sins_vectors_every_boundary():
    out = compute(pd.DataFrame([v[0] for v in VECTORS]), "sins")
    for i, (_, pts, total, group) in enumerate(VECTORS):
        r = out.iloc[i]
        assert tuple(int(r[f"sins__{c}"]) for c in ITEMS) == pts, i
        assert r["sins"] == total, i
        assert r["sins_group"] == group, i
        assert r["sins_min"] == r["sins_max"] == total


@pytest.mark.parametrize(("levels", "points"), [
    (["C1", "C2", "C7", "T1", "T2", "T11", "T12", "L1", "L5", "S1"], 3),  # junctional
    (["C3", "C4", "C5", "C6", "L2", "L3", "L4"], 2),                    # mobile
    ([f"T{i}" for i in range(3, 11)], 1),                               # semi-rigid
    (["S2", "S3", "S4", "S5"], 0),                                      # rigid
])
def test_location_from_level(levels, points):
    f = pd.DataFrame({"spine_level": levels})
    assert compute(f, "sins")["sins__location"].tolist() == [points] * len(levels)


def test_location_category_fallback_and_level_wins():
    f = pd.DataFrame({"spine_level": [None, None, "T6", "t12"],
                      "sins_location": ["junctional", "rigid", "junctional", None]})
    assert compute(f, "sins")["sins__location"].tolist() == [3, 0, 1, 3]
    t = explain(f.iloc[[2]], "sins").table.set_index("item")
    assert "derived from spine_level" in t.loc["location", "decided_by"]


def test_missing_items_give_ranges():
    f = pd.DataFrame([row("T6", None, "lytic", "normal", "none", "none"), {}])
    out = compute(f, "sins")
    assert pd.isna(out["sins"].iloc[0])
    assert (out["sins_min"].iloc[0], out["sins_max"].iloc[0]) == (3, 6)
    assert out["sins_group"].iloc[0] == "stable"  # 3..6 lies inside one group
    assert (out["sins_min"].iloc[1], out["sins_max"].iloc[1]) == (0, 18)
    assert pd.isna(out["sins_group"].iloc[1])


def test_invalid_level_is_a_typed_error():
    with pytest.raises(ScoreInputError, match="spine_level"):
        compute(pd.DataFrame({"spine_level": ["T13"]}), "sins")
    with pytest.warns(ScoreInputWarning, match="spine_level"):
        out = compute(pd.DataFrame({"spine_level": ["T13"]}), "sins", errors="coerce")
    assert (out["sins__location"].isna()).all()


def test_sins_is_registered_as_mechanical():
    assert "sins" in available()
    assert "sins" in available("mechanical")
    assert "sins" not in available("survival")


def test_harmonizer_synonyms(tmp_path):
    raw = pd.DataFrame({
        "id": ["a", "b", "c"], "t": [3, 4, 5], "e": [1, 0, 1],
        "level": ["Th12", "LWK 3", "c5"], "pain": ["Mechanical pain", "non-mechanical", "pain-free"],
        "lesion": ["osteolytic", "mixed", "sclerotic"], "align": ["kyphosis", "normal", "translation"],
        "collapse": ["more than 50", "no collapse", "less than 50"], "pl": ["both", "none", "unilateral"],
        "escc": ["Bilsky 1c", "grade 2", "0"], "tx": ["SBRT", "bsc", "separation surgery srs"],
    })
    m = {"columns": {"patient_id": "id", "time_months": "t", "event": "e", "spine_level": "level",
                     "sins_pain": "pain", "sins_lesion": "lesion", "sins_alignment": "align",
                     "sins_collapse": "collapse", "sins_posterolateral": "pl", "escc_grade": "escc",
                     "treatment_received": "tx"}}
    c = read_cohort(raw, m, cohort="X")
    f = c.frame
    assert f["spine_level"].astype(str).tolist() == ["T12", "L3", "C5"]
    assert f["sins_pain"].astype(str).tolist() == ["mechanical", "occasional", "none"]
    assert f["sins_collapse"].astype(str).tolist() == ["over_50", "none", "under_50"]
    assert f["escc_grade"].astype(str).tolist() == ["1c", "2", "0"]
    assert f["treatment_received"].astype(str).tolist() == ["sbrt", "supportive", "surgery_radiotherapy"]
    out = compute(f, "sins")
    # T12 3 + mech 3 + lytic 2 + kyphosis 2 + >50% 3 + bilateral 3 = 16
    assert out["sins"].tolist() == [16, 2 + 1 + 1 + 0 + 0 + 0, 2 + 0 + 0 + 4 + 2 + 1]
