"""Byar & Green prostate trial loader, checked against the raw CSV (read with plain pandas)."""
from __future__ import annotations

import pandas as pd
import pytest

from prognosis.cohort.schema import PANDAS_DTYPES
from prognosis.datasets import load_byar_prostate
from prognosis.errors import DataUnavailableError, InputError, ReadError


@pytest.fixture(scope="module")
def csv(raw_data_dir):
    p = raw_data_dir / "byar_prostate" / "prostate.csv"
    if not p.is_file():
        pytest.skip(f"Byar prostate table {p} is absent")
    return p


@pytest.fixture(scope="module")
def cohort(csv):
    return load_byar_prostate(csv)


def test_counts(cohort, csv):
    raw = pd.read_csv(csv)
    assert len(cohort) == len(raw) == 502
    assert int(cohort.frame["event"].sum()) == 354  # SOURCE.md
    assert int(cohort.frame["bone_mets"].sum()) == 82
    assert (cohort.frame["primary_site"] == "prostate").all()
    assert set(cohort.audit["row"]) == set(range(502))
    for col, dt in PANDAS_DTYPES.items():
        assert str(cohort.frame[col].dtype) == str(dt), col
    from prognosis.cohort.validate import validate_frame

    validate_frame(cohort.frame, source="byar")


def test_performance_to_ecog(cohort, csv):
    raw = pd.read_csv(csv)
    f = cohort.frame
    # Oken 1982 definitions: in bed <50% -> 2, >50% -> 3, confined -> 4; normal activity -> 0 (default)
    assert f["ecog"].value_counts().to_dict() == {0: 450, 2: 37, 3: 13, 4: 2}
    assert (f["performance"].astype(str) == raw["fac_pf"]).all()
    one = load_byar_prostate(csv, normal_activity_ecog=1).frame
    assert (one["ecog"] == 1).sum() == 450
    none = load_byar_prostate(csv, normal_activity_ecog=None).frame
    assert none["ecog"].isna().sum() == 450
    with pytest.raises(InputError):
        load_byar_prostate(csv, normal_activity_ecog=5)


def test_values_and_units(cohort, csv):
    raw = pd.read_csv(csv)
    f = cohort.frame
    # haemoglobin g/100 ml == g/dL, no conversion
    assert (f["hemoglobin_g_dl"].to_numpy(dtype=float) == raw["num_hg"].to_numpy()).all()
    assert f["age_years"].isna().sum() == raw["num_age"].isna().sum() == 1
    assert f["treatment"].value_counts().to_dict() == raw["fac_rx"].value_counts().to_dict()
    assert f["stage"].value_counts().to_dict() == {3: 289, 4: 213}
    assert f["vertebral_mets"].isna().all()
    assert f["extraspinal_bone_mets"].isna().all()
    assert "randomisation" in cohort.metadata["time_origin"]


def test_zero_time(cohort, csv):
    raw = pd.read_csv(csv)
    zero = raw["time"] == 0
    assert zero.sum() == 16
    assert (cohort.frame.loc[zero.to_numpy(), "time_months"] == 0.25).all()
    assert (cohort.frame["time_months"] > 0).all()
    changed = cohort.audit[(cohort.audit["action"] == "changed") & (cohort.audit["column"] != "*")]
    assert sorted(changed["row"]) == sorted(zero[zero].index)
    assert len(load_byar_prostate(csv, zero_time="drop")) == 502 - 16


def test_errors(tmp_path):
    with pytest.raises(DataUnavailableError):
        load_byar_prostate(tmp_path / "missing.csv")
    p = tmp_path / "prostate.csv"
    p.write_text("pid,event,time\n0,1,3\n")
    with pytest.raises(ReadError, match="fac_bm"):
        load_byar_prostate(tmp_path)
