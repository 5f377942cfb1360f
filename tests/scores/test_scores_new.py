"""Mizumoto 2008, Chow NRF 2008 and the Rades short-life-expectancy score: hand-written vectors at
every group boundary, read off the published tables (module docstrings; clinical-facts §1.9, §7)."""
from __future__ import annotations

import pandas as pd
import pytest

from prognosis.scores import compute, explain, group_survival

MZ = "mizumoto"
# favourable patient: breast, ECOG 1, calcium normal, no visceral, no chemo, solitary, age 60 -> 0
MZ0 = {"primary_site": "breast", "ecog": 1, "calcium_mg_dl": 9.5, "visceral_mets": "none", "brain_mets": False,
           "prior_chemotherapy": False, "vertebral_mets": 1, "extraspinal_bone_mets": 0, "age_years": 60}


@pytest.mark.parametrize(("changes", "total", "group"), [
    ({}, 0, "A"),
    ({"age_years": 71, "vertebral_mets": 2, "prior_chemotherapy": True}, 4, "A"),          # 1+1+2: A/B edge
    ({"age_years": 70.9, "vertebral_mets": 2, "prior_chemotherapy": True}, 3, "A"),        # age cut 71
    ({"age_years": 71, "calcium_mg_dl": 10.3, "prior_chemotherapy": True}, 5, "B"),        # 1+2+2
    ({"age_years": 71, "calcium_mg_dl": 10.2, "prior_chemotherapy": True}, 3, "A"),        # calcium cut
])
def test_mizumoto_vectors(changes, total, group):
    r = compute(pd.DataFrame([dict(MZ0, **changes)]), MZ).iloc[0]
    assert r[MZ] == total
    assert r[f"{MZ}_group"] == group


def test_mizumoto_9_10_and_maximum():
    nine = dict(MZ0, primary_site="lung", ecog=3, visceral_mets="removable", vertebral_mets=2)  # 3+3+2+1
    ten = dict(nine, age_years=71)
    full = dict(ten, calcium_mg_dl=11.0, prior_chemotherapy=True)
    out = compute(pd.DataFrame([nine, ten, full]), MZ)
    assert out[MZ].tolist() == [9, 10, 14]
    assert out[f"{MZ}_group"].astype(str).tolist() == ["B", "C", "C"]
    items = ["tumor_type", "performance_status", "hypercalcemia", "visceral", "previous_chemotherapy",
             "multiple_bone", "age"]
    assert [int(out[f"{MZ}__{c}"].iloc[2]) for c in items] == [3, 3, 2, 2, 2, 1, 1]


def test_mizumoto_options_and_flags():
    row = dict(MZ0, ecog=None, kps=50)
    assert pd.isna(compute(pd.DataFrame([row]), MZ)[f"{MZ}__performance_status"].iloc[0])
    assert compute(pd.DataFrame([row]), MZ, ecog_from_kps="ma2010")[f"{MZ}__performance_status"].iloc[0] == 3
    assert compute(pd.DataFrame([dict(MZ0, primary_site="kidney")]), MZ,
                   unfavorable_sites=["kidney"])[f"{MZ}__tumor_type"].iloc[0] == 3
    assert compute(pd.DataFrame([dict(MZ0, calcium_mg_dl=10.5)]), MZ,
                   calcium_cut_mg_dl=11.0)[f"{MZ}__hypercalcemia"].iloc[0] == 0
    t = explain(pd.DataFrame([MZ0]), MZ).table.set_index("item")
    assert "[M]" in t.loc["tumor_type", "decided_by"]
    assert "[M]" in t.loc["hypercalcemia", "decided_by"]
    gs = group_survival(MZ)
    med = gs[gs["statistic"] == "median"].set_index("group")["time_months"].to_dict()
    assert med == {"A": 27.1, "B": 5.4, "C": 1.8}


CH = "chow_nrf"
CH0 = {"primary_site": "breast", "visceral_mets": "none", "brain_mets": False, "kps": 70}


@pytest.mark.parametrize(("changes", "total", "group"), [
    ({}, 0, "I"),
    ({"primary_site": "lung"}, 1, "I"),
    ({"primary_site": "lung", "kps": 60}, 2, "II"),              # KPS 60 is a risk factor (<= 60)
    ({"primary_site": "lung", "kps": 70, "brain_mets": True}, 2, "II"),
    ({"primary_site": "lung", "kps": 60, "visceral_mets": "unremovable"}, 3, "III"),
])
def test_chow_vectors(changes, total, group):
    r = compute(pd.DataFrame([dict(CH0, **changes)]), CH).iloc[0]
    assert r[CH] == total
    assert r[f"{CH}_group"] == group


def test_chow_missing_and_ecog():
    out = compute(pd.DataFrame([dict(CH0, kps=None, ecog=3)]), CH)
    assert (out[f"{CH}_min"].iloc[0], out[f"{CH}_max"].iloc[0]) == (0, 1)
    # ECOG 3 = KPS 40-50 (Ma 2010): always <= 60 -> risk factor
    assert compute(pd.DataFrame([dict(CH0, kps=None, ecog=3)]), CH, kps_from_ecog="range")[CH].iloc[0] == 1
    # ECOG 2 = KPS 60-70: 60 is a risk factor, 70 is not -> undetermined
    r = compute(pd.DataFrame([dict(CH0, kps=None, ecog=2)]), CH, kps_from_ecog="range").iloc[0]
    assert pd.isna(r[CH])
    assert (r[f"{CH}_min"], r[f"{CH}_max"]) == (0, 1)


RS = "rades_sle"
# lowest score: ECOG 2 (0) breast (1) no other bone (1) no visceral (1) interval > 15 (1)
# ambulatory (1) motor deficits > 7 days (1) = 6
RS0 = {"ecog": 2, "primary_site": "breast", "vertebral_mets": 1, "extraspinal_bone_mets": 0, "visceral_mets": "none",
           "brain_mets": False, "months_since_primary": 24, "ambulatory": True, "motor_deficit_days": 14}


@pytest.mark.parametrize(("changes", "total", "group"), [
    ({}, 6, "6-18"),
    ({"months_since_primary": 15}, 8, "6-18"),                   # <= 15 months -> 3
    ({"months_since_primary": 15.1}, 6, "6-18"),
    ({"motor_deficit_days": 7}, 9, "6-18"),                      # <= 7 days -> 4
    ({"motor_deficit_days": 8}, 6, "6-18"),
    ({"ecog": 3, "primary_site": "lung", "extraspinal_bone_mets": 1, "months_since_primary": 10,
      "motor_deficit_days": 3}, 4 + 3 + 3 + 1 + 3 + 1 + 4, ">=19 (death within 2 months likely)"),   # 19
    ({"ecog": 3, "primary_site": "prostate", "extraspinal_bone_mets": 1, "months_since_primary": 10,
      "motor_deficit_days": 3}, 4 + 2 + 3 + 1 + 3 + 1 + 4, "6-18"),                                  # 18
    ({"ecog": 4, "primary_site": "lung", "extraspinal_bone_mets": 1, "visceral_mets": "unremovable",
      "months_since_primary": 2, "ambulatory": False, "motor_deficit_days": 1}, 25,
     ">=19 (death within 2 months likely)"),                                                          # maximum
])
def test_rades_sle_vectors(changes, total, group):
    r = compute(pd.DataFrame([dict(RS0, **changes)]), RS).iloc[0]
    assert r[RS] == total
    assert r[f"{RS}_group"] == group


def test_rades_sle_ecog_01_option():
    f = pd.DataFrame([dict(RS0, ecog=1)])
    assert compute(f, RS)[RS].iloc[0] == 6
    r = compute(f, RS, ecog_01=None).iloc[0]
    assert pd.isna(r[RS])
    assert (r[f"{RS}_min"], r[f"{RS}_max"]) == (6, 10)
    t = explain(f, RS).table.set_index("item")
    assert "not in the derivation cohort" in t.loc["performance_status", "decided_by"]


def test_option_type_errors():
    from prognosis.errors import InputError

    with pytest.raises(InputError, match="unknown sites"):
        compute(pd.DataFrame([MZ0]), MZ, unfavorable_sites=["spleen"])
    assert compute(pd.DataFrame([dict(MZ0, primary_site="kidney")]), MZ,
                   unfavorable_sites="kidney")[f"{MZ}__tumor_type"].iloc[0] == 3
    with pytest.raises(InputError, match="calcium_cut_mg_dl"):
        compute(pd.DataFrame([MZ0]), MZ, calcium_cut_mg_dl="high")
    with pytest.raises(InputError, match="albumin_cut_g_dl"):
        compute(pd.DataFrame([MZ0]), "nesms", albumin_cut_g_dl="normal")
