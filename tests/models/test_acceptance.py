"""Issue 7 acceptance on the simulated cohort (n = 5,000, 30% held out).

The truth is the simulator's Weibull PH model (prognosis/simulate/parameters.yaml); the oracle
C is Harrell's C of the true linear predictor on the held-out outcomes.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from prognosis.metrics.calibration import calibration
from prognosis.metrics.concordance import harrell_c
from prognosis.models import CoxModel, make_model
from prognosis.simulate import MOLECULAR_DESIGN_COLUMNS, load_parameters, log_hazard_ratios, oracle, true_design

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fitted(acceptance_split):
    tr, ytr, te, yte = acceptance_split
    out = {}
    for name, kind, fs, params in [
        ("cox_mol", "cox", "clinical+molecular", {}),
        ("cox_clin", "cox", "clinical", {}),
        ("rsf_mol", "rsf", "clinical+molecular", {"n_estimators": 100, "random_state": 0}),
    ]:
        m = make_model(kind, feature_set=fs, **params).fit(tr, ytr)
        out[name] = m.score(te, yte)
    out["oracle"] = oracle(te).c_index
    return out


def test_cox_and_rsf_reach_95_percent_of_oracle(fitted):
    assert fitted["cox_mol"] >= 0.95 * fitted["oracle"], fitted
    assert fitted["rsf_mol"] >= 0.95 * fitted["oracle"], fitted


def test_molecular_gain_consistent_with_simulated_effects(fitted, acceptance_split):
    """The observed gain of clinical+molecular over clinical Cox is compared with the gain the
    truth itself has: C(true lp) - C(true lp without the molecular and targeted-therapy terms)."""
    _, _, te, yte = acceptance_split
    log_hr = log_hazard_ratios(load_parameters("surgical"))
    d = true_design(te)
    mol = list(MOLECULAR_DESIGN_COLUMNS) + ["targeted_therapy"]
    lp_clin = te["true_lp"].to_numpy() - d[mol].to_numpy(float) @ np.array([log_hr[c] for c in mol])
    c_clin_truth = float(harrell_c(yte["time_months"], yte["event"], lp_clin))
    expected_gain = fitted["oracle"] - c_clin_truth
    observed_gain = fitted["cox_mol"] - fitted["cox_clin"]
    assert expected_gain > 0.005
    assert observed_gain > 0
    assert abs(observed_gain - expected_gain) < 0.015, (observed_gain, expected_gain)


def test_correctly_specified_cox_is_calibrated(acceptance_split):
    tr, ytr, te, yte = acceptance_split
    sites = sorted(tr["primary_site"].dropna().unique())

    def design(fr: pd.DataFrame) -> pd.DataFrame:
        d = true_design(fr).copy()
        for s in sites[1:]:
            d[f"site[{s}]"] = (fr["primary_site"] == s).astype(float).to_numpy()
        return d

    m = CoxModel().fit(design(tr), ytr)
    s12 = m.predict_survival(design(te), [12.0]).iloc[:, 0].to_numpy()
    cal = calibration(yte["time_months"], yte["event"], s12, 12.0)
    assert cal.ici <= 0.03, cal.ici
    # the true log hazard ratios are recovered (within 3 standard errors)
    log_hr = log_hazard_ratios(load_parameters("surgical"))
    s = m.summary().table
    for c in ("kps_per_10_lower", "visceral_unremovable", "prostate_castration_resistant", "breast_triple_negative"):
        assert abs(s.loc[c, "coef"] - log_hr[c]) < 3 * s.loc[c, "se"], (c, s.loc[c, "coef"], log_hr[c])
