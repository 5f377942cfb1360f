"""prognosis.metrics against R (survival 3.5-3, riskRegression 2022.11.28, rms 6.5-0).

Reference values and the predictions they were computed from are in
tests/reference/metrics_reference.json, written by tests/reference/make_reference.R from the
public veteran and NCCTG lung data sets (tests/reference/*.csv).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import prognosis.metrics as m

REF_DIR = Path(__file__).resolve().parents[1] / "reference"
REF = json.loads((REF_DIR / "metrics_reference.json").read_text())
CASES = {"veteran": "veteran.csv", "lung": "lung.csv"}


@pytest.fixture(params=list(CASES), scope="module")
def case(request):
    name = request.param
    df = pd.read_csv(REF_DIR / CASES[name])
    ref = REF[name]
    assert len(df) == ref["n"]
    return {"name": name, "t": df["time"].to_numpy(float), "e": df["status"].to_numpy(int),
                "lp": np.asarray(ref["lp"]), "score": np.asarray(ref["score"], float),
                "S": np.column_stack(ref["surv"]), "times": ref["times"], "ref": ref}


def test_harrell_c_cox_lp_exact(case):
    r = case["ref"]["harrell_lp"]
    c = m.harrell_c(case["t"], case["e"], case["lp"])
    assert abs(float(c) - r["c"]) < 1e-9
    assert c.concordant == r["count"]["concordant"]
    assert c.discordant == r["count"]["discordant"]
    assert c.tied_risk == r["count"]["tied.x"]


def test_harrell_c_tied_clinical_score_exact(case):
    # Karnofsky / ph.karno: higher = better, so the risk is its negative; many tied values
    r = case["ref"]["harrell_score"]
    c = m.harrell_c(case["t"], case["e"], -case["score"])
    assert abs(float(c) - r["c"]) < 1e-9
    assert c.tied_risk == r["count"]["tied.x"] > 100
    assert c.tied_time == r["count"]["tied.y"] + r["count"]["tied.xy"]


@pytest.mark.parametrize(("key", "risk", "use_tau"), [("uno_lp_tau", "lp", True), ("uno_lp", "lp", False),
                                              ("uno_score_tau", "score", True)])
def test_uno_c_matches_r_n_over_G2(case, key, risk, use_tau):
    r = case["ref"][key]
    x = case["lp"] if risk == "lp" else -case["score"]
    c = m.uno_c(case["t"], case["e"], x, tau=r["tau"] if use_tau else None)
    # acceptance: 5e-3; the censoring-KM convention is R's exactly, so agreement is far closer
    assert abs(float(c) - r["c"]) < 1e-9
    assert c.concordant == pytest.approx(r["count"]["concordant"], rel=1e-9)


def test_time_dependent_auc_matches_riskregression(case):
    sm = case["ref"]["score_metrics"]
    auc = m.time_dependent_auc(case["t"], case["e"], 1 - case["S"], case["times"])
    np.testing.assert_allclose(auc.to_numpy(), sm["auc"], atol=1e-9)   # acceptance: 2e-3


def test_brier_and_ipa_match_riskregression(case):
    sm = case["ref"]["score_metrics"]
    bs = m.brier_score(case["t"], case["e"], case["S"], case["times"])
    np.testing.assert_allclose(bs.to_numpy(), sm["brier"], atol=1e-9)  # acceptance: 5e-4
    ip = m.ipa(case["t"], case["e"], case["S"], case["times"])
    np.testing.assert_allclose(ip.to_numpy(), sm["ipa"], atol=1e-9)
    # the null model's Brier score: KM of the validation data for everyone
    km = m.kaplan_meier(case["t"], case["e"])
    null = np.tile(km(case["times"]), (case["t"].size, 1))
    bn = m.brier_score(case["t"], case["e"], null, case["times"])
    np.testing.assert_allclose(bn.to_numpy(), sm["brier_null"], atol=1e-9)


def test_kaplan_meier_at_t_matches_survfit(case):
    k = case["ref"]["km"]
    got = m.km_at(case["t"], case["e"], k["times"])
    np.testing.assert_allclose(got["surv"], k["surv"], atol=1e-12)
    np.testing.assert_allclose(got["lower"], k["lower"], atol=1e-12)
    np.testing.assert_allclose(got["upper"], k["upper"], atol=1e-12)
    # R reports the standard error of S (delta method): S * se(log S)
    np.testing.assert_allclose(got["surv"] * got["std_err"], k["std_err_surv"], atol=1e-12)
    np.testing.assert_array_equal(got["n_risk"], k["n_risk"])


@pytest.mark.parametrize("key", ["calibration", "calibration_miscal"])
def test_austin_ici_matches_rms(case, key):
    c = case["ref"][key]
    k = case["times"].index(c["t"])
    s = case["S"][:, k]
    if key == "calibration_miscal":
        s = np.exp(-(-np.log(s)) ** 1.5)
    res = m.calibration(case["t"], case["e"], s, c["t"])
    np.testing.assert_allclose(res.knots, c["knots"], atol=1e-12)
    # acceptance: ICI within 3e-3; observed: ~1e-5 (Newton-Raphson tolerance vs rms)
    assert abs(res.ici - c["ici"]) < 1e-4
    assert abs(res.e50 - c["e50"]) < 1e-4
    assert abs(res.e90 - c["e90"]) < 1e-4
    assert abs(res.slope - c["slope"]) < 1e-6
    assert abs(res.oe_ratio - c["oe_ratio"]) < 1e-9
    np.testing.assert_allclose(np.sort(res.curve["observed_risk"]), np.sort(c["observed"]),
                               atol=2e-4)


def test_timefix_merges_floating_point_ties_like_r():
    r = REF["timefix"]
    c = m.harrell_c(r["time"], r["status"], r["risk"])
    assert abs(float(c) - r["c"]) < 1e-12
    assert c.tied_time == r["count"]["tied.y"] + r["count"]["tied.xy"] == 1
    # without timefix the near-tied deaths become comparable: a different number
    c2 = m.harrell_c(r["time"], r["status"], r["risk"], timefix_times=False)
    assert c2.comparable != c.comparable
