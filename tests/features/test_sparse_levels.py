"""Sparse levels (issue 12): 0/1 features with fewer than MIN_LEVEL_EVENTS training deaths are pooled."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from prognosis.errors import FeatureEncodingWarning
from prognosis.features import FeatureBuilder
from prognosis.features.builder import MIN_LEVEL_EVENTS
from prognosis.survival_data import make_y


@pytest.fixture(scope="module")
def demo():
    from prognosis.datasets import load_demo

    f = load_demo("development").frame.reset_index(drop=True)
    return f, make_y(f["time_months"].to_numpy(float), f["event"].to_numpy(int))


def _fit(frame, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return FeatureBuilder("clinical+molecular", **kw).fit(frame, y)


def test_default_threshold_is_documented():
    assert MIN_LEVEL_EVENTS == 5
    assert FeatureBuilder().min_level_events == 5


def test_level_without_deaths_is_pooled_with_reason(demo):
    f, y = demo
    fb = _fit(f, y)
    assert "melanoma[unknown]" not in fb.get_feature_names_out()
    assert fb.pooled_["melanoma[unknown]"] == "1 training patients, 0 deaths (< 5): pooled into the reference level"
    assert fb.spec()["pooled"] == fb.pooled_
    # every kept 0/1 level has at least 5 training deaths among its patients
    X = fb.transform(f)
    e = f["event"].to_numpy(int)
    for c in X.columns:
        v = X[c].to_numpy()
        if np.isin(v, (0.0, 1.0)).all() and "[" in c:
            assert e[v == 1].sum() >= 5, c


def test_no_outcome_no_pooling_and_zero_disables(demo):
    f, y = demo
    assert _fit(f, None).pooled_ == {}
    assert _fit(f, y, min_level_events=0).pooled_ == {}
    assert "melanoma[unknown]" in _fit(f, y, min_level_events=0).get_feature_names_out()


def test_sparse_site_is_pooled_into_other():
    rng = np.random.default_rng(0)
    n = 200
    f = pd.DataFrame({"primary_site": ["lung"] * 100 + ["breast"] * 88 + ["thyroid"] * 12,
                      "age_years": rng.normal(60, 10, n), "sex": rng.choice(["male", "female"], n),
                      "kps": rng.choice([50, 70, 90], n)})
    event = np.r_[np.ones(60), np.zeros(40), np.ones(40), np.zeros(48), np.ones(2), np.zeros(10)].astype(int)
    y = make_y(rng.uniform(1, 24, n), event)
    # pooled 'other' (the documented reference) then has 2 deaths: the reference moves, with a warning
    msg = r"reference level of primary_site: the documented reference has 2 training deaths"
    with pytest.warns(FeatureEncodingWarning, match=msg):
        fb = FeatureBuilder("clinical", min_site_count=10).fit(f, y)
    assert "site[thyroid]" not in fb.sites_
    assert fb.pooled_["site[thyroid]"] == "12 training patients, 2 deaths (< 5): pooled into primary site 'other'"
    notes = fb.patient_notes(f.iloc[[0, 199]])
    assert notes[1][-1] == "site[thyroid] pooled with the reference (< 5 training deaths)"
    assert not any("pooled" in n for n in notes[0])
