"""Bounded fuzz suite (issue 14): every input family gives a Cohort whose audit holds the
invariants, or a PrognosisError — nothing else. About 60 s in CI; the long run (>= 5,000
inputs) is ``benchmarks/fuzz_long.py``."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from . import inputs as F


def cfg(n):
    return settings(max_examples=n, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                    database=None)
TMP = F.tmp()


@cfg(120)
@given(F.csv_cases())
def test_csv_files(case):
    rows, m, opts = case
    F.run_csv_case(rows, m, opts, TMP)


@cfg(50)
@given(st.binary(max_size=300), st.sampled_from([".csv", ".txt", ".xlsx", ".parquet"]))
def test_junk_bytes(data, suffix):
    F.run_bytes_case(data, suffix, TMP)


@cfg(60)
@given(F.frame_cases())
def test_dataframes_parquet_excel(case):
    df, m, fmt = case
    F.run_frame_case(df, m, fmt, TMP)


@cfg(60)
@given(F.junk_mappings())
def test_junk_mappings(m):
    F.run_mapping_case(m, TMP)


def test_checker_catches_a_silent_change():
    """The value check can fail: a frame value that differs from the raw cell without an audit
    record is reported."""
    import pandas as pd

    from prognosis import read_cohort

    rows = [{"id": "a", "t": "5", "e": "1"}]
    m = {"columns": {"patient_id": "id", "time_months": "t", "event": "e"}}
    c = read_cohort(pd.DataFrame(rows), m)
    c.frame.loc[0, "time_months"] = 6.0
    with pytest.raises(AssertionError, match="changed without an audit record"):
        F.check_cohort(c, 1, rows, m)
