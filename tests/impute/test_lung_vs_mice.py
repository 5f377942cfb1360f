"""Acceptance: pooled Cox on NCCTG lung (natural missingness) agrees with R mice + pool.

R reference: tests/reference/make_reference_impute.R (mice 3.15, PMM, outcome as event +
Nelson-Aalen H, m = 50, maxit = 20). One mice run is random, so the reference holds the mean and
SD of the pooled coefficient and SE over 20 independent R runs. A Python run (an independent
draw of the same procedure) agrees when |python - mean_R| <= 4 * sd_R * sqrt(1 + 1/20): the SD
of the difference of one more run and the mean of 20 runs; 4 SDs keep the false-alarm rate
below 1e-4 per number while still detecting a systematic difference of a quarter of a
standard error (sd_R is ~1.5% of the SE for most coefficients).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from prognosis.impute import MultipleImputer, pool
from prognosis.models import CoxModel
from prognosis.survival_data import make_y

REF = Path(__file__).resolve().parents[1] / "reference"


@pytest.fixture(scope="module")
def ref():
    return json.loads((REF / "impute_reference.json").read_text())


@pytest.fixture(scope="module")
def python_pooled(ref):
    d = pd.read_csv(REF / "impute_lung.csv")
    covs = ref["covariates"]
    assert [int(d[c].isna().sum()) for c in covs] == [int(v) for v in ref["n_missing"]]
    imp = MultipleImputer(m=50, seed=20261130, maxit=20, time_col="time", event_col="event")
    sets = imp.fit_transform(d)
    y = make_y(d["time"].to_numpy(float), d["event"].to_numpy())
    fits = [CoxModel().fit(s[covs], y) for s in sets]
    return pool(np.array([f.coef_ for f in fits]), np.array([np.diag(f.cov_) for f in fits]), names=covs), imp


@pytest.mark.slow
def test_pooled_cox_matches_mice_within_monte_carlo_error(ref, python_pooled):
    p, imp = python_pooled
    mc = ref["mc"]
    k = 4 * np.sqrt(1 + 1 / mc["n_rep"])
    est_gap = np.abs(p.estimate - np.asarray(mc["estimate_mean"])) / np.asarray(mc["estimate_sd"])
    se_gap = np.abs(p.se - np.asarray(mc["se_mean"])) / np.asarray(mc["se_sd"])
    assert np.all(est_gap < k), dict(zip(ref["covariates"], est_gap.round(2), strict=False))
    assert np.all(se_gap < k), dict(zip(ref["covariates"], se_gap.round(2), strict=False))
    # and the pooled result differs from the complete-case fit where missingness is large
    cc = np.asarray(ref["complete_case"]["se"])
    assert p.se[ref["covariates"].index("meal_cal")] < cc[ref["covariates"].index("meal_cal")]
    assert imp.convergence()["rhat"].max() < 1.1
