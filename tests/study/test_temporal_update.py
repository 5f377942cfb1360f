"""Temporal validation (split by a kept date column), drift by calendar period, study `update:`."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from prognosis.errors import ConfigError
from prognosis.study import run
from prognosis.study.config import load_config
from prognosis.study.temporal import period_performance, temporal_split


@pytest.fixture(scope="module")
def dated(tmp_path_factory, small_cohorts):
    f = small_cohorts["dev_frame"].copy()
    rng = np.random.default_rng(0)
    f["DiagnosisDate"] = (pd.Timestamp("2012-01-01")
                          + pd.to_timedelta(rng.integers(0, 365 * 8, len(f)), unit="D")).strftime("%Y-%m-%d")
    p = tmp_path_factory.mktemp("temporal") / "dated.csv"
    f.to_csv(p, index=False)
    return p, f


def _cfg(path, **over):
    cfg = {"name": "temporal", "cohorts": {"development": {"path": str(path), "mapping": {"keep": ["DiagnosisDate"]}}},
           "scores": ["revised_tokuhashi"], "models": [{"name": "Cox", "kind": "cox", "features": "clinical"}],
           "horizons": [6, 12], "validation": {"method": "temporal", "split": "2017-01-01",
                                               "date_column": "DiagnosisDate", "n_boot": 2, "period": "2year"},
           "update": {"model": "Cox", "method": "slope"}, "seed": 1}
    cfg.update(over)
    return cfg


def test_config_checks(dated):
    path, _ = dated
    with pytest.raises(ConfigError, match="needs validation.split"):
        load_config(_cfg(path, validation={"method": "temporal", "date_column": "DiagnosisDate"}))
    with pytest.raises(ConfigError, match="update.model"):
        load_config(_cfg(path, update={"model": "Coxx"}))
    with pytest.raises(ConfigError, match="update.method"):
        load_config(_cfg(path, update={"model": "Cox", "method": "recal"}))
    with pytest.raises(ConfigError, match="only used with validation.method: temporal"):
        load_config(_cfg(path, validation={"method": "bootstrap", "split": "2017-01-01"}))
    cfg = load_config(_cfg(path))
    assert cfg.validation.split == "2017-01-01"
    assert cfg.update["method"] == "slope"


def test_split_and_drift(dated):
    from prognosis import read_cohort
    from prognosis.models import make_model
    from prognosis.survival_data import y_from_frame

    path, f = dated
    cohort = read_cohort(path, {"keep": ["DiagnosisDate"]})
    early, late = temporal_split(cohort, "2017-01-01", "DiagnosisDate")
    d = pd.to_datetime(f["DiagnosisDate"])
    assert len(early) == int((d < "2017-01-01").sum())
    assert len(late) == int((d >= "2017-01-01").sum())
    model = make_model("cox", feature_set="clinical").fit(early.frame, y_from_frame(early.frame))
    drift = period_performance({"Cox": model}, cohort.frame, "DiagnosisDate", "2year", [12])
    assert list(drift["period"]) == ["2012-2013", "2014-2015", "2016-2017", "2018-2019"]
    assert drift["n"].sum() == len(f)
    # O/E by hand for one period: (1 - KM(12)) / mean predicted risk
    from prognosis.metrics import kaplan_meier

    m = (d.dt.year >= 2018).to_numpy()
    sub = cohort.frame.loc[m]
    km = kaplan_meier(sub.time_months.to_numpy(float), sub.event.to_numpy(int))
    oe = (1 - float(km(12))) / float((1 - model.predict_survival(sub, [12])[12]).mean())
    assert drift.iloc[-1]["oe_ratio@12"] == pytest.approx(oe, rel=1e-12)
    bad = cohort.frame.copy()
    bad.loc[3, "DiagnosisDate"] = "soon"
    with pytest.raises(ConfigError, match="not a date"):
        period_performance({"Cox": model}, bad, "DiagnosisDate", "year", [12])


@pytest.fixture(scope="module")
def temporal_result(dated):
    path, _ = dated
    return run(_cfg(path))


def test_temporal_study_with_update_and_report(temporal_result, tmp_path):
    res = temporal_result
    assert len(res.drift)
    assert set(res.drift["predictor"]) == {"revised_tokuhashi", "Cox"}
    assert set(res.updating["metric"]) >= {"harrell_c", "calibration_slope@12", "oe_ratio@12"}
    after = res.updating.set_index("metric")["after"]
    assert after["calibration_slope@12"] == pytest.approx(1, abs=1e-6)  # slope update, in-sample
    html = res.to_html(tmp_path / "r.html").read_text()
    assert 'id="updating"' in html
    assert 'id="drift"' in html
    assert "Temporal validation (TRIPOD type 2b)" in html
    files = {p.name for p in res.save(tmp_path / "out")}
    assert {"drift.csv", "updating.csv"} <= files
    assert "updating_tests.csv" not in files


def test_update_config_needs_a_cohort(small_cohorts):
    with pytest.raises(ConfigError, match="needs a cohort to update on"):
        load_config({"cohorts": {"development": "demo"}, "models": [{"name": "Cox", "kind": "cox"}],
                     "update": {"model": "Cox"}})
