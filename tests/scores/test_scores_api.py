"""Registry, errors / coercion, explain, group survival and required columns."""
from __future__ import annotations

import pandas as pd
import pytest

from prognosis.cohort.schema import CANONICAL_COLUMNS, conform_dtypes
from prognosis.errors import InputError, PrognosisError, ScoreInputError
from prognosis.scores import (
    ScoreInputWarning,
    available,
    compute,
    explain,
    get_score,
    group_survival,
    groups,
    required_columns,
)

ALL = ["revised_tokuhashi", "original_tokuhashi", "tomita", "bauer", "modified_bauer",
       "van_der_linden", "katagiri_new", "nesms"]
NEW = ["mizumoto", "rades_sle", "chow_nrf"]
MECHANICAL = ["sins"]
FULL = {"primary_site": "breast", "kps": 90, "ecog": 0, "extraspinal_bone_mets": 0, "vertebral_mets": 1,
            "visceral_mets": "none", "visceral_pattern": "none", "brain_mets": False, "frankel": "E",
            "ambulatory": True, "pathological_fracture": False, "prior_chemotherapy": False,
            "targeted_therapy": False, "albumin_g_dl": 4.0, "crp_mg_dl": 0.1, "ldh_u_l": 150.0,
            "platelets_10e9_l": 250.0, "calcium_mg_dl": 9.0, "bilirubin_mg_dl": 0.5, "er": "positive",
            "pr": "positive", "her2": "negative"}
# best possible patient: published maxima (Katagiri and Tomita: lowest = best)
BEST = {"revised_tokuhashi": 15, "original_tokuhashi": 12, "tomita": 2, "bauer": 5,
        "modified_bauer": 4, "van_der_linden": 6, "katagiri_new": 0, "nesms": 3}
RANGES = {"revised_tokuhashi": (0, 15), "original_tokuhashi": (0, 12), "tomita": (2, 10),
          "bauer": (0, 5), "modified_bauer": (0, 4), "van_der_linden": (0, 6),
          "katagiri_new": (0, 10), "nesms": (0, 3)}


def test_available_names():
    assert available("survival") == ALL + NEW
    assert available() == ALL + NEW + MECHANICAL


@pytest.mark.parametrize("name", ALL)
def test_full_patient_on_canonical_dtypes_and_empty_range(name):
    frame = conform_dtypes(pd.DataFrame([dict(FULL, time_months=1.0, event=1),
                                         {"time_months": 2.0, "event": 0}]))
    out = compute(frame, name)
    assert out[name].iloc[0] == BEST[name]
    assert out[f"{name}_min"].iloc[0] == out[f"{name}_max"].iloc[0] == BEST[name]
    lo, hi = RANGES[name]
    assert pd.isna(out[name].iloc[1])
    assert (out[f"{name}_min"].iloc[1], out[f"{name}_max"].iloc[1]) == (lo, hi)
    comps = [c for c in out.columns if c.startswith(f"{name}__")]
    assert comps == [f"{name}__{c}" for c in get_score(name).components]
    g = groups(name)
    assert g["min_total"].iloc[0] == lo
    assert g["max_total"].iloc[-1] == hi
    assert (g["min_total"].iloc[1:].to_numpy() == g["max_total"].iloc[:-1].to_numpy() + 1).all()
    assert list(out[f"{name}_group"].cat.categories) == list(g["group"])


def test_unknown_score_and_option():
    with pytest.raises(InputError, match="unknown score"):
        compute(pd.DataFrame([FULL]), "spinal_oracle")
    with pytest.raises(InputError, match="colour_as"):
        compute(pd.DataFrame([FULL]), "revised_tokuhashi", colour_as="rectum")
    with pytest.raises(InputError, match="not one of"):
        compute(pd.DataFrame([FULL]), "revised_tokuhashi", colon_as="sigmoid")


def test_coerce_reports_invalid_values():
    rows = [dict(FULL), dict(FULL, kps=150, frankel="F"), dict(FULL, extraspinal_bone_mets=-2)]
    frame = pd.DataFrame(rows, index=["x", "y", "z"])
    with pytest.raises(ScoreInputError, match=r"row position 1.*3 invalid values in total"):
        compute(frame, "revised_tokuhashi")
    with pytest.warns(ScoreInputWarning, match="row position 1"):
        out = compute(frame, "revised_tokuhashi", errors="coerce")
    assert out["revised_tokuhashi"].isna().tolist() == [False, True, True]
    assert out["revised_tokuhashi__general_condition"].isna().tolist() == [False, True, False]
    assert out["revised_tokuhashi__palsy"].isna().tolist() == [False, True, False]
    rec = out.attrs["coerced"]
    assert [(r["row"], r["column"], r["value"]) for r in rec] == [
        (1, "frankel", "F"), (1, "kps", 150), (2, "extraspinal_bone_mets", -2)]
    assert (out["revised_tokuhashi_min"].tolist(), out["revised_tokuhashi_max"].tolist()) == (
        [15, 11, 13], [15, 15, 15])


def test_invalid_booleans_and_labs():
    with pytest.raises(ScoreInputError, match="'ambulatory' at row position 0"):
        compute(pd.DataFrame([dict(FULL, ambulatory="sometimes")]), "nesms")
    with pytest.raises(ScoreInputError, match="'albumin_g_dl'"):
        compute(pd.DataFrame([dict(FULL, albumin_g_dl=-1.0)]), "nesms")
    with pytest.raises(ScoreInputError, match="'ecog'"):
        compute(pd.DataFrame([dict(FULL, ecog=5)]), "katagiri_new")
    # yes/no strings and 0/1 are understood
    out = compute(pd.DataFrame([dict(FULL, ambulatory="yes"), dict(FULL, ambulatory=0)]), "nesms")
    assert out["nesms__ambulatory"].tolist() == [1, 0]


def test_raw_strings_are_normalised():
    f = pd.DataFrame([dict(FULL, primary_site=" Breast ", frankel="e", visceral_mets="None")])
    assert compute(f, "revised_tokuhashi")["revised_tokuhashi"].iloc[0] == 15


def test_errors_are_prognosis_errors():
    assert issubclass(ScoreInputError, PrognosisError)


def test_explain_breakdown():
    # ECOG 3 = KPS 40-50 (Ma et al. 2010, the default convention) straddles the KPS 50 cut
    f = pd.DataFrame([dict(FULL), dict(FULL, kps=None, ecog=3, visceral_mets=None,
                                       visceral_pattern="nodular", primary_site="colon")],
                     index=["id-1", "id-2"])
    ex = explain(f.loc[["id-2"]], "revised_tokuhashi", kps_from_ecog="range")
    t = ex.to_frame()
    assert t["item"].tolist() == ["general_condition", "extraspinal_bone", "vertebral_body",
                                  "major_organs", "primary_site", "palsy"]
    gc = t.set_index("item").loc["general_condition"]
    assert pd.isna(gc["points"])
    assert (gc["min"], gc["max"]) == (0, 1)
    assert "kps_from_ecog='range'" in gc["decided_by"]
    assert "ecog=3" in gc["recorded"]
    mo = t.set_index("item").loc["major_organs"]
    assert mo["points"] == 0
    assert "visceral_unknown_as='unremovable' (default)" in mo["decided_by"]
    ps = t.set_index("item").loc["primary_site"]
    assert ps["points"] == 2
    assert "colon_as='others' (default)" in ps["decided_by"]
    assert pd.isna(ex.total)
    assert (ex.total_min, ex.total_max) == (8, 9)
    text = str(ex)
    assert "total: NA (possible 8-9)" in text
    assert "id-2" not in text
    assert "Spine 2005" in text
    with pytest.raises(InputError, match="one patient"):
        explain(f, "revised_tokuhashi")
    ex1 = explain(f.iloc[0], "katagiri_new")  # a Series works too
    assert ex1.total == 0
    assert ex1.group == "low risk"


def test_explain_shows_harmonizer_derived_kps():
    f = pd.DataFrame([dict(FULL, kps=70, kps_derived=True)])
    t = explain(f, "van_der_linden").to_frame().set_index("item")
    assert "derived from ECOG during harmonization" in t.loc["kps", "decided_by"]


def test_group_survival_tables():
    kn = group_survival("katagiri_new")
    assert list(kn.columns[:4]) == ["group", "time_months", "survival", "source"]
    hi = kn[kn["group"] == "high risk"].set_index("time_months")
    assert hi.loc[6.0, "survival"] == 0.27
    assert hi.loc[12.0, "survival"] == 0.06
    assert hi.loc[6.0, "tag"] == "[V1]"
    lo = kn[kn["group"] == "low risk"].set_index("time_months")
    assert lo.loc[12.0, "survival"] == 0.91
    assert lo.loc[24.0, "survival"] == 0.78
    vdl = group_survival("van_der_linden")
    med = vdl[vdl["statistic"] == "median"].set_index("group")
    # abstract of van der Linden et al., Cancer 2005: 3.0 / 9.0 / 18.7 months [V1]
    assert med["time_months"].to_dict() == {"A": 3.0, "B": 9.0, "C": 18.7}
    assert set(med["tag"]) == {"[V1]"}
    assert (med["survival"] == 0.5).all()
    two = vdl[vdl["time_months"] == 24.0].set_index("group")["survival"].to_dict()
    assert two == {"A": 0.04, "B": 0.22, "C": 0.37}
    b = group_survival("bauer")
    assert b["survival"].tolist() == [0.0, 0.25, 0.5]
    assert b["tag"].tolist() == ["[V2]", "[M]", "[V2]"]
    rts = group_survival("revised_tokuhashi")
    assert len(rts) == 0
    assert "not survival probabilities" in rts.attrs["note"]
    for name in ALL:
        gs = group_survival(name)
        assert set(gs["group"].dropna()) <= set(groups(name)["group"])
        assert gs["survival"].between(0, 1).all()


def test_required_columns():
    assert required_columns("revised_tokuhashi") == [
        "kps", "extraspinal_bone_mets", "vertebral_mets", "visceral_mets", "visceral_pattern",
        "primary_site", "frankel"]
    assert "ecog" in required_columns("revised_tokuhashi", kps_from_ecog="range")
    assert {"er", "pr"} <= set(required_columns("revised_tokuhashi", molecular=True))
    assert "pathological_fracture" in required_columns("bauer")
    assert "pathological_fracture" not in required_columns("modified_bauer")
    assert {"egfr", "alk", "ros1"} <= set(required_columns("katagiri_new", lung_targeted="driver"))
    for name in ALL:
        assert set(required_columns(name)) <= set(CANONICAL_COLUMNS)


def test_scores_only_read_their_columns():
    """Changing a column a score does not declare must not change that score."""
    base = pd.DataFrame([FULL] * 2)
    for name in ALL:
        cols = set(required_columns(name))
        ref = compute(base, name)
        other = base.drop(columns=[c for c in base.columns if c not in cols])
        pd.testing.assert_frame_equal(compute(other, name), ref)


def test_cohort_object_is_accepted():
    from prognosis import read_cohort

    frame = pd.DataFrame([dict(FULL, patient_id="a", time_months=2.0, event=1)])
    cohort = read_cohort(frame)
    out = compute(cohort, "van_der_linden")
    assert out["van_der_linden"].tolist() == [6]
    assert explain(cohort, "van_der_linden").total == 6
