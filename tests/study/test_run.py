"""End-to-end study on small simulated cohorts: tables, determinism, Table 1."""
from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from prognosis.study import run, table1
from prognosis.study.result import TABLES


@pytest.fixture(scope="module")
def lean_config(small_config):
    c = copy.deepcopy(small_config)
    c["cohorts"] = {"development": c["cohorts"]["development"]}
    c["horizons"] = [6, 12]
    c["decision_curves"] = {"horizons": [6], "thresholds": [0.2, 0.5, 0.8]}
    c["validation"]["n_boot"] = 2
    return c


def test_same_config_and_seed_give_byte_identical_tables(lean_config, tmp_path):
    a = run(lean_config)
    b = run(lean_config)
    pa, pb = a.save(tmp_path / "a"), b.save(tmp_path / "b")
    csvs = [p for p in pa if p.suffix == ".csv"]
    assert {p.stem for p in csvs} == set(TABLES)
    for p, q in zip(pa, pb, strict=False):
        if p.suffix in (".csv", ".parquet"):
            assert p.read_bytes() == q.read_bytes(), p.name
    # and the content is what the study promises
    m = a.metrics
    assert set(m["predictor"]) == {"revised_tokuhashi", "katagiri_new", "bone met count", "Cox clinical"}
    for metric in ("harrell_c", "uno_c", "auc", "brier", "ipa", "ici", "e50", "e90", "slope", "oe_ratio"):
        assert (m["metric"] == metric).any(), metric
    c = m[m["metric"] == "harrell_c"].set_index("predictor")
    assert ((c["corrected"] > 0.5) & (c["corrected"] < 0.95)).all()
    assert (c["ci_low"] <= c["corrected"]).all()
    assert (c["corrected"] <= c["ci_high"]).all()
    assert set(a.comparisons["predictor"]) == {"Cox clinical"}
    assert a.comparisons["reference"].iloc[0] in ("revised_tokuhashi", "katagiri_new")
    assert set(a.decision_curves["horizon"]) == {6.0}
    assert a.oracle["cohort"].tolist() == ["development"]  # simulated: true_lp present
    assert 0.6 < a.oracle["harrell_c"].iloc[0] < 1
    assert set(a.km["score"]) == {"revised_tokuhashi", "katagiri_new"}


def test_different_seed_changes_the_replicates(lean_config):
    c = copy.deepcopy(lean_config)
    c["seed"] = 8
    c["scores"] = ["katagiri_new"]
    c["models"] = []
    a = run(c)
    c["seed"] = 9
    b = run(c)
    key = ["predictor", "metric", "horizon"]
    ma, mb = a.metrics.set_index(key), b.metrics.set_index(key)
    assert np.allclose(ma["apparent"], mb["apparent"])        # the data and fit are the same
    assert not np.allclose(ma["optimism"], mb["optimism"], equal_nan=True)  # the resamples are not


def test_table1_counts_by_hand():
    f = pd.DataFrame({
        "time_months": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        "event": [1, 0, 1, 1, 0, 1],
        "primary_site": ["lung", "lung", "lung", "breast", "breast", "prostate"],
        "age_years": [50.0, 60.0, 70.0, 40.0, np.nan, 80.0],
        "brain_mets": pd.array([True, False, None, False, False, True], dtype="boolean"),
        "egfr": ["mutant", "wildtype", "unknown", None, None, None],
    })
    t = table1(f, max_groups=2)
    cols = list(t.columns)
    assert cols[:3] == ["variable", "level", "Overall (n=6)"]
    assert cols[3:] == ["lung (n=3)", "breast (n=2)", "remaining sites, pooled (n=1)"]
    row = lambda v, lev: t[(t["variable"] == v) & (t["level"] == lev)].iloc[0]  # noqa: E731
    assert row("Deaths", "n (%)")["Overall (n=6)"] == "4 (66.7%)"
    assert row("Deaths", "n (%)")["lung (n=3)"] == "2 (66.7%)"
    assert row("Age, years", "median [IQR]")["Overall (n=6)"] == "60 [50–70]"
    assert row("Age, years", "missing")["Overall (n=6)"] == "1 (16.7%)"
    assert row("Brain metastases", "yes")["Overall (n=6)"] == "2 (40.0%)"   # of 5 non-missing
    assert row("Brain metastases", "missing")["lung (n=3)"] == "1 (33.3%)"
    # molecular markers are described within their primary only
    assert row("EGFR (lung primaries)", "mutant")["Overall (n=6)"] == "1 (33.3%)"
    assert row("EGFR (lung primaries)", "missing")["Overall (n=6)"] == "0 (0.0%)"
    assert row("EGFR (lung primaries)", "mutant")["breast (n=2)"] == ""
    # KM median of the overall cohort: S drops to 0.5 at t=4 (by hand: 5/6, 4/6*..., see below)
    # S(1)=5/6, S(3)=5/6*3/4=0.625, S(4)=0.625*2/3=0.4167 -> median 4
    assert row("Overall survival", "median, months (95% CI)")["Overall (n=6)"].startswith("4.0 (")


def test_cross_validation_scheme_end_to_end(small_cohorts, tmp_path):
    cfg = {"cohorts": {"development": {"path": str(small_cohorts["dev"])}}, "scores": ["tomita"],
           "models": [{"name": "cox", "kind": "cox", "features": "clinical", "params": {"penalizer": 0.01}}],
           "horizons": [6], "decision_curves": {"horizons": [6]},
           "validation": {"method": "cv", "folds": 3, "repeats": 1}, "seed": 3}
    r = run(cfg)
    c = r.metrics[r.metrics["metric"] == "harrell_c"]
    assert (c["method"] == "cv").all()
    assert (c["n_rep"] == 3).all()
    assert c["ci_low"].isna().all()
    comp = r.comparisons[r.comparisons["metric"] == "harrell_c"].iloc[0]
    assert comp["reference"] == "tomita"
    assert comp["n_rep"] == 3
    assert np.isnan(comp["ci_low"])
    html = r.to_html(tmp_path / "cv.html").read_text(encoding="utf-8")
    assert "repeated stratified 3-fold cross-validation" in html
