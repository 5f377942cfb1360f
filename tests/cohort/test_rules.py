"""Audit rules: each rule has a test with the exact message (brief of issue 3, item 3)."""
import numpy as np
import pandas as pd
import pytest

from prognosis import read_cohort
from prognosis.errors import MappingError


def base(n=3, **cols):
    d = {"patient_id": [f"P{i}" for i in range(n)], "time_months": ["5"] * n, "event": ["1"] * n}
    d.update(cols)
    return pd.DataFrame(d)


def records(c, column, action=None):
    a = c.audit[c.audit["column"] == column]
    return a if action is None else a[a["action"] == action]


def status(c):
    return c.audit[c.audit["column"] == "*"].set_index("row")["action"].to_dict()


def test_duplicate_patient_id_rejects_every_occurrence():
    df = base(4)
    df.loc[3, "patient_id"] = "P1"
    df.loc[3, "time_months"] = "7"  # same id, conflicting values
    c = read_cohort(df, cohort="X")
    rej = records(c, "patient_id", "rejected").set_index("row")["reason"].to_dict()
    assert rej == {1: "duplicate patient_id (same id at row 3)", 3: "duplicate patient_id (same id at row 1)"}
    assert c.frame["patient_id"].tolist() == ["P0", "P2"]
    assert status(c) == {0: "kept", 1: "rejected", 2: "kept", 3: "rejected"}


@pytest.mark.parametrize(("raw", "msg"), [("-3", "time_months must be > 0 (got -3)"),
                                     ("0", "time_months must be > 0 (got 0)"),
                                     ("abc", "time_months 'abc' is not a number"),
                                     ("", "time_months is missing")])
def test_negative_zero_or_missing_time_rejects(raw, msg):
    df = base(2)
    df.loc[1, "time_months"] = raw
    c = read_cohort(df, cohort="X")
    r = records(c, "time_months", "rejected")
    assert r["row"].tolist() == [1]
    assert r["reason"].tolist() == [msg]
    assert len(c) == 1


def test_time_in_days_zero_after_conversion_still_rejected_with_raw_value():
    df = base(2, time_months=["-30", "61"])
    c = read_cohort(df, {"units": {"time_months": "days"}}, cohort="X")
    assert records(c, "time_months", "rejected")["reason"].tolist() == ["time_months must be > 0 (got -30)"]
    assert c.frame["time_months"].tolist() == [61 / 30.4375]
    ch = records(c, "time_months", "changed")
    assert ch["raw"].tolist() == ["61"]
    assert float(ch["value"].iloc[0]) == pytest.approx(61 / 30.4375)


def test_death_date_before_diagnosis_rejects():
    df = pd.DataFrame({"id": ["a", "b"], "dx": ["2020-03-01", "2020-03-01"],
                       "dod": ["2020-02-01", "2020-04-01"], "last": ["", ""]})
    m = {"columns": {"patient_id": "id"},
         "dates": {"format": "iso", "origin": "dx", "death": "dod", "last_contact": "last"}}
    c = read_cohort(df, m, cohort="X")
    r = records(c, "time_months", "rejected")
    assert r["row"].tolist() == [0]
    assert r["reason"].tolist() == ["death date before diagnosis (time origin) date"]
    assert r["raw"].tolist() == ["2020-03-01 → 2020-02-01"]
    assert c.frame["time_months"].tolist() == [31 / 30.4375]  # March has 31 days
    assert c.frame["event"].tolist() == [1]


def test_event_outside_0_1_rejects():
    df = base(4, event=["1", "2", "dead", "-1"])
    c = read_cohort(df, cohort="X")
    r = records(c, "event", "rejected").set_index("row")["reason"].to_dict()
    assert r == {1: "event value '2' is not 0 or 1", 3: "event value '-1' is not 0 or 1"}
    assert c.frame["event"].tolist() == [1, 1]


def test_kps_150_becomes_na_with_audit_record():
    df = base(3, kps=["80", "150", "75"])
    c = read_cohort(df, cohort="X")
    r = records(c, "kps", "na")
    assert r["row"].tolist() == [1]
    assert r["raw"].tolist() == ["150"]
    assert r["reason"].tolist() == ["kps 150 outside 0–100; set to NA"]
    assert c.frame["kps"].tolist()[0] == 80
    assert pd.isna(c.frame["kps"].iloc[1])
    assert c.frame["kps"].iloc[2] == 75
    assert status(c) == {0: "kept", 1: "changed", 2: "kept"}  # optional value: row kept


def test_unknown_site_becomes_na_never_guessed():
    df = base(4, primary_site=["Lungenkrebs", "Zebra carcinoma", "lung ca with liver mets", "C79.5"])
    c = read_cohort(df, cohort="X")
    r = records(c, "primary_site", "na").set_index("row")["reason"].to_dict()
    assert r == {
        1: "primary_site: 'Zebra carcinoma' names no known primary site; set to NA",
        2: "primary_site: 'lung ca with liver mets' names more than one site (liver, lung); set to NA",
        3: "primary_site: ICD-10 C79 codes a secondary (metastatic) site, not a single primary site; set to NA",
    }
    assert c.frame["primary_site"].astype(object).tolist()[0] == "lung"
    assert c.frame["primary_site"].isna().tolist() == [False, True, True, True]


def test_kps_non_integer_and_text_in_optional_numeric():
    df = base(2, kps=["75.5", "good"], age_years=["61", "sixty"])
    c = read_cohort(df, cohort="X")
    assert records(c, "kps", "na")["reason"].tolist() == ["kps must be a whole number; set to NA",
                                                         "kps 'good' is not a number; set to NA"]
    assert records(c, "age_years", "na")["reason"].tolist() == ["age_years 'sixty' is not a number; set to NA"]


def test_missing_mapped_column_one_sentence():
    with pytest.raises(MappingError) as exc:
        read_cohort(base(2), {"columns": {"kps": "Karnofsky"}}, cohort="X")
    assert str(exc.value) == ("<DataFrame>: mapped column(s) 'Karnofsky' (for kps) not found; the table has "
                              "columns ['patient_id', 'time_months', 'event'].")


def test_mapping_typos_are_suggested():
    with pytest.raises(MappingError, match=r"unknown key 'colums' \(did you mean 'columns'\?\)"):
        read_cohort(base(2), {"colums": {}})
    with pytest.raises(MappingError, match=r"'kpss' under columns is not a canonical column \(did you mean 'kps'\?\)"):
        read_cohort(base(2), {"columns": {"kpss": "x"}})
    with pytest.raises(MappingError, match=r"maps 'M' to 'mal', which is not one of \['female', 'male'\]"):
        read_cohort(base(2), {"values": {"sex": {"M": "mal"}}})
    with pytest.raises(MappingError, match="unit 'fortnights' for time_months"):
        read_cohort(base(2), {"units": {"time_months": "fortnights"}})


def test_no_mapping_and_non_canonical_table():
    df = pd.DataFrame({"ID": ["a"], "Überleben": ["3"]})
    with pytest.raises(MappingError, match=r"required column\(s\) patient_id, time_months, event not found "
                                           r"and no mapping was given"):
        read_cohort(df)


def test_event_zero_with_death_date_conflict():
    df = pd.DataFrame({"id": ["a", "b"], "ev": ["0", "1"], "dx": ["01.01.2020", "01.01.2020"],
                       "dod": ["01.02.2020", "01.03.2020"], "lc": ["", ""]})
    m = {"columns": {"patient_id": "id", "event": "ev"},
         "dates": {"format": "dayfirst", "origin": "dx", "death": "dod", "last_contact": "lc"}}
    c = read_cohort(df, m, cohort="X")
    assert records(c, "event", "rejected")["reason"].tolist() == ["event is 0 but a death date is recorded"]
    assert c.frame["time_months"].tolist() == [60 / 30.4375]  # 31 (Jan) + 29 (Feb 2020) days


def test_unreadable_date_is_na_and_two_digit_years_refused():
    df = pd.DataFrame({"id": ["a", "b"], "dx": ["01.01.2020", "01.01.20"], "dod": ["31.01.2020", "31.01.2020"]})
    m = {"columns": {"patient_id": "id"}, "dates": {"format": "dayfirst", "origin": "dx", "death": "dod"}}
    c = read_cohort(df, m, cohort="X")
    na = records(c, "date:origin", "na")
    assert na["raw"].tolist() == ["01.01.20"]
    assert records(c, "time_months", "rejected")["reason"].tolist() == ["origin date is missing"]
    assert c.frame["time_months"].tolist() == [30 / 30.4375]


def test_last_contact_used_for_censored_and_age_from_birth():
    df = pd.DataFrame({"id": ["a"], "dx": ["2021-01-01"], "dod": [""], "lc": ["2022-01-01"], "dob": ["1961-01-01"]})
    m = {"columns": {"patient_id": "id"},
         "dates": {"origin": "dx", "death": "dod", "last_contact": "lc", "birth": "dob"}}
    c = read_cohort(df, m, cohort="X")
    assert c.frame["event"].tolist() == [0]
    assert c.frame["time_months"].tolist() == [365 / 30.4375]
    assert float(c.frame["age_years"].iloc[0]) == pytest.approx(21915 / 365.25)  # 60 years incl. 15 leap days


def test_ecog_kps_derivations_are_recorded_and_flagged():
    df = base(4, ecog=["0", "1", "", "4"], kps=["", "", "60", "100"])
    c = read_cohort(df, {"derive": {"kps_from_ecog": "lower", "ecog_from_kps": True}}, cohort="X")
    # low end of the KPS band under the default convention (Ma et al. 2010: ECOG 0 = 100, 1 = 80-90)
    assert c.frame["kps"].tolist() == [100, 80, 60, 100]
    assert c.frame["ecog"].tolist() == [0, 1, 2, 4]  # recorded ECOG 4 kept even though KPS 100
    assert c.frame["kps_derived"].tolist() == [True, True, False, False]
    assert c.frame["ecog_derived"].tolist() == [False, False, True, False]
    d = records(c, "kps", "derived")
    assert d["raw"].tolist() == ["ecog 0", "ecog 1"]
    assert d["value"].tolist() == ["100", "80"]
    c2 = read_cohort(df, {"derive": {"kps_from_ecog": "upper"}}, cohort="X")
    assert c2.frame["kps"].tolist() == [100, 90, 60, 100]


def test_asia_to_frankel():
    df = base(3, asia=["ASIA C", "e", "F"])
    c = read_cohort(df, {"columns": {"asia": "asia"}}, cohort="X")
    assert c.frame["frankel"].astype(object).tolist()[:2] == ["C", "E"]
    assert pd.isna(c.frame["frankel"].iloc[2])
    assert records(c, "frankel", "derived")["raw"].tolist() == ["ASIA ASIA C", "ASIA e"]
    assert records(c, "frankel", "na")["reason"].tolist() == ["ASIA grade 'F' is not A–E; frankel set to NA"]


def test_value_map_to_null_and_molecular_unknown_is_a_value():
    df = base(3, egfr=["mut", "not tested", "?"])
    c = read_cohort(df, {"values": {"egfr": {"?": None}}}, cohort="X")
    assert c.frame["egfr"].astype(object).tolist()[:2] == ["mutant", "unknown"]
    assert records(c, "egfr", "na")["reason"].tolist() == ["mapped to NA by the mapping"]


def test_labs_units():
    df = base(1, calcium_mg_dl=["2.5"], bilirubin_mg_dl=["17.104"], hemoglobin_g_dl=["120"])
    m = {"units": {"calcium_mg_dl": "mmol/L", "bilirubin_mg_dl": "umol/L", "hemoglobin_g_dl": "g/L"}}
    c = read_cohort(df, m, cohort="X")
    assert float(c.frame["calcium_mg_dl"].iloc[0]) == pytest.approx(10.02)
    assert float(c.frame["bilirubin_mg_dl"].iloc[0]) == pytest.approx(1.0)
    assert float(c.frame["hemoglobin_g_dl"].iloc[0]) == pytest.approx(12.0)


def test_entry_not_before_exit_becomes_na():
    df = base(2, entry_months=["1", "9"])
    c = read_cohort(df, cohort="X")
    assert c.frame["entry_months"].tolist()[0] == 1
    assert pd.isna(c.frame["entry_months"].iloc[1])
    assert records(c, "entry_months", "na")["reason"].tolist() == ["entry_months must be < time_months; set to NA"]


def test_audit_accounts_for_every_row_and_summary_has_no_ids():
    df = base(6, kps=["80", "150", "", "", "70", "x"], event=["1", "0", "2", "1", "1", "0"])
    df["patient_id"] = [f"SECRET-ID-{i}" for i in range(6)]
    df.loc[4, "patient_id"] = "SECRET-ID-0"
    c = read_cohort(df, cohort="X")
    st = c.audit[c.audit["column"] == "*"]
    assert sorted(st["row"]) == list(range(6))
    s = c.summary()
    assert (s.n_kept + s.n_changed + s.n_rejected) == 6 == s.n_input
    assert s.n_patients == len(c.frame) == 6 - s.n_rejected
    text = str(s) + repr(s) + s.missingness.to_string() + str(s.rejection_reasons) + c.audit.to_string()
    assert "SECRET" not in text


def test_canonical_frame_needs_no_mapping_and_round_trips(tmp_path):
    df = base(3, sex=["male", "female", "male"], primary_site=["lung", "unknown", "breast"])
    c = read_cohort(df, cohort="X")
    assert (c.audit[c.audit["column"] == "*"]["action"] == "kept").all()
    assert c.frame["primary_site"].astype(object).tolist() == ["lung", "unknown", "breast"]
    p = c.to_parquet(tmp_path / "c.parquet")
    c2 = type(c).from_parquet(p)
    pd.testing.assert_frame_equal(c.frame, c2.frame)
    assert c2.metadata["cohort"] == "X"
    c3 = read_cohort(p)
    pd.testing.assert_frame_equal(c.frame, c3.frame)


def test_keep_copies_extra_columns_and_ignored_are_listed():
    df = base(2, ward=["A", "B"], name=["x", "y"])
    c = read_cohort(df, {"keep": ["ward"]}, cohort="X")
    assert c.frame["ward"].tolist() == ["A", "B"]
    assert "name" in c.metadata["ignored_columns"]
    assert "name" not in c.frame.columns


def test_frame_dtypes_are_canonical():
    from prognosis.cohort.schema import PANDAS_DTYPES

    c = read_cohort(base(2, kps=["80", "90"], brain_mets=["ja", "nein"]), cohort="X")
    for col, dt in PANDAS_DTYPES.items():
        assert str(c.frame[col].dtype) in (dt, "string[python]" if dt == "string" else dt), col
    assert c.frame["brain_mets"].tolist() == [True, False]
    assert c.frame["time_months"].dtype == np.float64
    assert c.frame["event"].dtype == np.int64


def test_single_end_date_with_event_column():
    df = pd.DataFrame({"id": ["a", "b"], "st": ["verstorben", "lebt"], "dx": ["2020-01-01", "2020-01-01"],
                       "end": ["2020-01-11", "2020-02-01"]})
    m = {"columns": {"patient_id": "id", "event": "st"}, "values": {"event": {"verstorben": 1, "lebt": 0}},
         "dates": {"origin": "dx", "last_contact": "end"}}
    c = read_cohort(df, m, cohort="X")
    assert c.frame["event"].tolist() == [1, 0]
    assert c.frame["time_months"].tolist() == [10 / 30.4375, 31 / 30.4375]
    with pytest.raises(MappingError, match="with only a last_contact date, map an 'event' column"):
        read_cohort(df, {"columns": {"patient_id": "id"}, "dates": {"origin": "dx", "last_contact": "end"}})


def test_mapped_names_match_ignoring_case_and_spacing_when_unambiguous():
    df = base(2, **{"KARNOFSKY  Index": ["80", "90"]})
    c = read_cohort(df, {"columns": {"kps": "Karnofsky Index"}}, cohort="X")
    assert c.frame["kps"].tolist() == [80, 90]
    assert c.metadata["columns_matched_ignoring_case"] == {"Karnofsky Index": "KARNOFSKY  Index"}


def test_decimal_comma_hint_and_three_duplicates():
    df = base(3, time_months=["1,5", "2", "3"])
    df["patient_id"] = ["p", "p", "p"]
    c = read_cohort(df, cohort="X")
    st = c.audit[c.audit["column"] == "*"].set_index("row")["reason"]
    assert st[0] == ("time_months '1,5' is not a number (decimal comma? set read: {decimal: ','} in the mapping); "
                     "duplicate patient_id (same id at rows 1, 2)")
    assert st[2] == "duplicate patient_id (same id at rows 0, 1)"
    assert c.summary().rejection_reasons.to_dict() == {"duplicate patient_id": 3, "time_months '…' is not a number "
                                                       "(decimal comma? set read: {decimal: '…'} in the mapping)": 1}
