"""Simulated spine columns ([C] distributions of prognosis.simulate.spine) in the demo cohorts."""
from __future__ import annotations

import numpy as np
import pandas as pd

from prognosis.cohort.schema import COLUMN_BY_NAME
from prognosis.datasets.demo import demo_path
from prognosis.simulate import simulate_cohort
from prognosis.simulate.spine import simulate_spine_columns


def test_demo_has_valid_spine_columns():
    d = pd.read_csv(demo_path(), dtype={"escc_grade": str})
    for col in ("spine_level", "sins_pain", "sins_lesion", "sins_alignment", "sins_collapse",
                "sins_posterolateral", "escc_grade", "treatment_received"):
        assert d[col].notna().all(), col
        assert set(d[col].astype(str)) <= set(COLUMN_BY_NAME[col].categories), col
    assert d["sins_location"].isna().all()
    assert d["radiosensitivity"].isna().all()
    # [C] structure: deficits come with high-grade compression; no deficit -> no motor_deficit_days
    deficit = d["frankel"].isin(["A", "B"])
    assert d.loc[deficit, "escc_grade"].isin(["1c", "2", "3"]).all()
    assert (d["motor_deficit_days"].isna() == (d["frankel"] == "E")).all()
    # prostate metastases mostly blastic, others mostly lytic
    pro = d.loc[d["primary_site"] == "prostate", "sins_lesion"].value_counts(normalize=True)
    assert pro.idxmax() == "blastic"
    assert d.loc[d["primary_site"] == "kidney", "sins_lesion"].value_counts().idxmax() == "lytic"


def test_spine_stream_is_separate_and_seeded():
    a = simulate_cohort(150, seed=3).frame
    b = simulate_cohort(150, seed=3).frame
    pd.testing.assert_frame_equal(a, b)
    # redrawing the spine columns from the same seed reproduces them exactly, and the draw does
    # not touch the other columns
    again = simulate_spine_columns(a, 3, "surgical")
    for col in again.columns:
        if again[col].notna().any():
            x = again[col].astype(object).where(again[col].notna(), None).astype(str).to_numpy()
            y = a[col].astype(object).where(a[col].notna(), None).astype(str).to_numpy()
            np.testing.assert_array_equal(x, y, err_msg=col)
