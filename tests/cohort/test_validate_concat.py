"""validate_frame (lazy: every failure collected) and Cohort.concat / from_frame / summary."""
import numpy as np
import pandas as pd
import pytest

from prognosis.cohort.cohort import Cohort
from prognosis.cohort.validate import validate_frame
from prognosis.errors import InputError, SchemaError


def canon(n=3, cohort="A"):
    return pd.DataFrame({"patient_id": [f"id{i}" for i in range(n)], "cohort": cohort,
                         "time_months": np.arange(1.0, n + 1), "event": [1, 0, 1][:n] + [0] * max(0, n - 3)})


def test_valid_frame_passes():
    validate_frame(canon())


def test_all_failures_collected_without_ids():
    f = canon(5)
    f["patient_id"] = ["SECRET", "SECRET", "x", "y", None]
    f.loc[2, "time_months"] = -1.0
    f["event"] = [1, 0, 2, 1, 0]
    f["kps"] = [150, 80, 75.5, None, 10]
    f["sex"] = ["male", "M", None, "female", "female"]
    f["entry_months"] = [0.0, 3.0, None, None, None]
    with pytest.raises(SchemaError) as exc:
        validate_frame(f, source="test")
    fl = exc.value.failures
    got = set(zip(fl["row"], fl["column"], fl["reason"], strict=False))
    assert got == {
        (0, "patient_id", "duplicate patient_id within cohort"),
        (1, "patient_id", "duplicate patient_id within cohort"),
        (4, "patient_id", "required patient_id is missing"),
        (2, "time_months", "time_months outside > 0"),
        (2, "event", "event outside 0–1"),
        (0, "kps", "kps outside 0–100"),
        (2, "kps", "kps must be a whole number"),
        (1, "sex", "sex not one of female, male"),
        (1, "entry_months", "entry_months must be < time_months"),
    }
    assert "SECRET" not in str(exc.value)
    assert "SECRET" not in fl.to_string()
    assert str(exc.value).startswith("9 schema failure(s) in test: row 0: ")


def test_missing_required_column():
    with pytest.raises(SchemaError, match="required column event is missing"):
        validate_frame(canon().drop(columns="event"))


def test_from_frame_and_summary_for_simulated_frames():
    c = Cohort.from_frame(canon(3).drop(columns="cohort"), cohort="sim", metadata={"time_origin": "t0"})
    assert c.frame["cohort"].tolist() == ["sim"] * 3
    s = c.summary()
    assert (s.n_input, s.n_kept, s.n_rejected, s.n_events) == (3, 3, 0, 2)
    assert "time origin: t0" in str(s)
    with pytest.raises(SchemaError):
        Cohort.from_frame(canon(3).assign(event=[1, 5, 0]), cohort="sim")
    # a Cohort built directly (as the simulator does) has an empty audit; summary still works
    d = Cohort(frame=canon(3), metadata={"time_origin": "t0"})
    assert d.summary().n_kept == 3


def test_median_followup_is_reverse_kaplan_meier():
    # censoring "events" at 2 and 4 (event 0); deaths at 1, 3 censor the reverse KM.
    f = pd.DataFrame({"patient_id": list("abcd"), "cohort": "A", "time_months": [1.0, 2.0, 3.0, 4.0],
                      "event": [1, 0, 1, 0]})
    # reverse KM: S(2) = 1 - 1/3 = 2/3, S(4) = 0 -> median (first t with S <= 0.5) = 4
    assert Cohort.from_frame(f).summary().median_followup_months == 4.0


def test_concat_rejects_id_clash_within_cohort_but_not_across():
    a, b = Cohort.from_frame(canon(3, "A")), Cohort.from_frame(canon(3, "B"))
    both = Cohort.concat([a, b])
    assert len(both) == 6
    assert both.frame["cohort"].tolist() == ["A"] * 3 + ["B"] * 3
    with pytest.raises(SchemaError) as exc:
        Cohort.concat([a, Cohort.from_frame(canon(2, "A"))])
    assert str(exc.value) == ("Cohort.concat: 4 rows share a patient_id with another row of the same cohort "
                              "(cohort 'A': combined rows [0, 1, 3, 4]); relabel the cohorts or remove the "
                              "duplicates.")
    relabeled = Cohort.concat([a, Cohort.from_frame(canon(2, "A"))], labels=["A1", "A2"])
    assert relabeled.frame["cohort"].tolist() == ["A1"] * 3 + ["A2"] * 2


def test_concat_reports_lacking_columns():
    a = Cohort.from_frame(canon(3, "A").assign(kps=[80, 90, 70]))
    b = Cohort.from_frame(canon(3, "B").assign(ecog=[1, 0, 2]))
    both = Cohort.concat([a, b])
    lack = both.metadata["lacking_columns"]
    assert "ecog" in lack["A"]
    assert "kps" not in lack["A"]
    assert "kps" in lack["B"]
    assert "ecog" not in lack["B"]


def test_concat_bad_input():
    with pytest.raises(InputError, match="needs at least one Cohort"):
        Cohort.concat([])
    with pytest.raises(InputError, match="item 1 is a DataFrame, not a Cohort"):
        Cohort.concat([Cohort.from_frame(canon()), canon()])
