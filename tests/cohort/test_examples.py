"""The two invented institution files in data/examples, harmonized with their mappings.

Expected values were worked out by hand from the files (day counts from the calendar).
"""
import pandas as pd
import pytest

from prognosis import read_cohort
from prognosis.cohort.cohort import Cohort


@pytest.fixture(scope="module")
def examples(repo_root):
    return repo_root / "data" / "examples"


@pytest.fixture(scope="module")
def nord(examples):
    return read_cohort(examples / "klinikum_nord.csv", examples / "klinikum_nord.yaml")


@pytest.fixture(scope="module")
def b(examples):
    return read_cohort(examples / "spine_center_b.xlsx", examples / "spine_center_b.yaml")


def row(c, pid):
    f = c.frame
    return f[f["patient_id"] == pid].iloc[0]


def test_nord_read_facts(nord):
    m = nord.metadata
    assert m["delimiter"] == ";"
    assert m["encoding"] in ("cp1252", "latin-1")
    assert m["time_origin"] == "date of diagnosis of the spinal metastasis (Diagnose_WS)"
    assert m["n_input_rows"] == 14
    assert len(nord) == 11
    assert m["ignored_columns"] == ["Bemerkung"]


def test_nord_values(nord):
    r = row(nord, "KN-001")
    # 12.01.2019 -> 17.09.2019: 19 + 28 + 31 + 30 + 31 + 30 + 31 + 31 + 17 = 248 days
    assert r["time_months"] == 248 / 30.4375
    assert r["event"] == 1
    # born 03.04.1951, origin 12.01.2019: 67 * 365 + 17 leap days (1952..2016) to 03.04.2018,
    # then 27 + 31 + 30 + 31 + 31 + 30 + 31 + 30 + 31 + 12 = 284 days -> 24756 days
    assert r["age_years"] == pytest.approx(24756 / 365.25)
    assert (r["sex"], r["primary_site"], r["primary_histology"]) == ("male", "lung", "nsclc")
    # ECOG derived from KPS 70: ECOG 2 under the default convention (Ma et al. 2010: KPS 60-70)
    assert (r["kps"], r["ecog"], r["frankel"], r["visceral_mets"]) == (70, 2, "D", "unremovable")
    assert r["albumin_g_dl"] == pytest.approx(3.45)
    assert bool(r["pathological_fracture"]) is True
    r = row(nord, "KN-002")  # censored: 05.02.2019 -> 30.06.2021 = 876 days
    assert r["event"] == 0
    assert r["time_months"] == 876 / 30.4375
    assert r["sex"] == "female"
    assert row(nord, "KN-003")["primary_histology"] == "clear_cell"
    assert row(nord, "KN-006")["primary_histology"] == "adenocarcinoma"
    assert bool(row(nord, "KN-013")["brain_mets"]) is True
    assert row(nord, "KN-010")["primary_site"] == "myeloma"


def test_nord_rejections_and_nas(nord):
    a = nord.audit
    st = a[a["column"] == "*"].set_index("row")
    assert st.loc[8, "action"] == "rejected"
    assert st.loc[8, "reason"] == "death date before diagnosis (time origin) date"
    assert st.loc[10, "reason"] == "duplicate patient_id (same id at row 11)"
    assert st.loc[11, "reason"] == "duplicate patient_id (same id at row 10)"
    assert set(nord.frame["patient_id"]) .isdisjoint({"KN-009", "KN-011"})
    na = a[a["action"] == "na"].set_index("row")
    assert na.loc[9, "reason"] == "kps 150 outside 0–100; set to NA"
    assert na.loc[7, "raw"] == "Unklar"
    assert pd.isna(row(nord, "KN-010")["kps"])
    assert pd.isna(row(nord, "KN-008")["primary_site"])


def test_b_values(b):
    r = row(b, "B0001")
    assert r["time_months"] == pytest.approx(412 / 30.4375)
    assert r["event"] == 1
    assert (r["sex"], r["primary_site"], r["egfr"], r["alk"]) == ("male", "lung", "mutant", "negative")
    assert r["kps"] == 80
    assert bool(r["kps_derived"])
    assert r["calcium_mg_dl"] == pytest.approx(2.45 * 4.008)
    assert r["crp_mg_dl"] == pytest.approx(1.2)
    assert r["hemoglobin_g_dl"] == pytest.approx(11.8)
    assert (r["vertebral_mets"], r["extraspinal_bone_mets"]) == (2, 3)
    assert row(b, "B0002")[["er", "pr", "her2"]].tolist() == ["positive", "positive", "negative"]
    assert row(b, "B0004")["primary_histology"] == "clear_cell"
    sites = dict(zip(b.frame["patient_id"], b.frame["primary_site"].astype(object), strict=False))
    assert sites["B0003"] == "prostate"
    assert sites["B0006"] == "colon"
    assert sites["B0007"] == "rectum"
    assert sites["B0010"] == "myeloma"
    assert sites["B0011"] == "unknown"
    assert sites["B0015"] == "carcinoid"
    assert pd.isna(sites["B0009"])  # C79.5 is a bone metastasis code, not a primary


def test_b_rejections(b):
    st = b.audit[b.audit["column"] == "*"].set_index("row")
    assert st.loc[11, "reason"] == "time_months must be > 0 (got 0)"
    assert st.loc[12, "reason"] == "time_months must be > 0 (got -30)"
    assert st.loc[13, "reason"] == "event value '2' is not 0 or 1"
    assert (st["action"] == "rejected").sum() == 3
    assert len(b) == 13
    na = b.audit[(b.audit["action"] == "na") & (b.audit["column"] == "ecog")]
    assert na["reason"].tolist() == ["ecog 5 outside 0–4; set to NA"]


def test_concat_examples(nord, b):
    both = Cohort.concat([nord, b])
    assert len(both) == 24
    assert both.frame["cohort"].value_counts().to_dict() == {"Spine Center B": 13, "Klinikum Nord": 11}
    lacking = both.metadata["lacking_columns"]
    assert "hemoglobin_g_dl" in lacking["Klinikum Nord"]
    assert "hemoglobin_g_dl" not in lacking["Spine Center B"]
    assert "brain_mets" in lacking["Spine Center B"]
    assert "brain_mets" not in lacking["Klinikum Nord"]
    assert set(both.audit["cohort"]) == {"Klinikum Nord", "Spine Center B"}
    s = both.summary()
    assert (s.n_input, s.n_rejected) == (30, 6)
    assert "Klinikum Nord (11)" in str(s)


def test_mapping_example_is_valid(examples):
    from prognosis.cohort.mapping import load_mapping

    m = load_mapping(examples / "mapping_example.yaml")
    assert m.cohort == "Example Hospital"
    assert m.units["time_months"] == "days"
    assert m.derive == {"kps_from_ecog": "lower", "ecog_from_kps": True}
