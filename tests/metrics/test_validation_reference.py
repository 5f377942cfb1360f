"""External validation, Cox censoring weights, IBS and a Cox model's own slope against R.

Reference: tests/reference/validation_reference.json, written by
tests/reference/make_reference_validation.R (survival 3.5, riskRegression 2022.11, rms 6.5) from
the public Rotterdam (development) and GBSG (external) breast-cancer data and Mayo PBC.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import prognosis.metrics as m
from prognosis.errors import MetricInputError

REF_DIR = Path(__file__).resolve().parents[1] / "reference"
REF = json.loads((REF_DIR / "validation_reference.json").read_text())
EXT = REF["external"]


@pytest.fixture(scope="module")
def gbsg():
    d = pd.read_csv(REF_DIR / "gbsg.csv")
    assert len(d) == EXT["n_ext"]
    return {"t": d["days"].to_numpy(float) / 365.25, "e": d["status"].to_numpy(int),
                "Z": d[EXT["cens_covariates"]].to_numpy(float), "lp": np.asarray(EXT["lp"]),
                "S": np.column_stack(EXT["surv"]), "Sg": np.column_stack(EXT["surv_grid"])}


def test_external_brier_auc_uno_c_match_riskregression(gbsg):
    t, e, S = gbsg["t"], gbsg["e"], gbsg["S"]
    np.testing.assert_allclose(m.brier_score(t, e, S, EXT["times"]).to_numpy(), EXT["brier_km"], atol=1e-9)
    np.testing.assert_allclose(m.time_dependent_auc(t, e, 1 - S, EXT["times"]).to_numpy(), EXT["auc_km"],
                               atol=1e-9)
    assert float(m.uno_c(t, e, gbsg["lp"], tau=5)) == pytest.approx(EXT["uno_tau5"], abs=1e-9)
    assert float(m.harrell_c(t, e, gbsg["lp"])) == pytest.approx(EXT["harrell"], abs=1e-9)
    # the defect's figure: Brier(5 y) 0.213 with the external censoring
    assert EXT["brier_km"][2] == pytest.approx(0.2132, abs=1e-4)


def test_cox_censoring_matches_riskregression_cens_model_cox(gbsg):
    t, e, S, Z = gbsg["t"], gbsg["e"], gbsg["S"], gbsg["Z"]
    b = m.brier_score(t, e, S, EXT["times"], censoring="cox", censoring_covariates=Z).to_numpy()
    a = m.time_dependent_auc(t, e, 1 - S, EXT["times"], censoring="cox", censoring_covariates=Z).to_numpy()
    # riskRegression fits rms::cph with eps = 1e-6, so agreement is to its convergence (~1e-8)
    np.testing.assert_allclose(b, EXT["brier_cox"], atol=1e-6)
    np.testing.assert_allclose(a, EXT["auc_cox"], atol=1e-6)
    # and the Cox weights really differ from the KM weights here
    assert abs(b[2] - EXT["brier_km"][2]) > 1e-3
    with pytest.raises(MetricInputError, match="censoring_covariates"):
        m.brier_score(t, e, S, EXT["times"], censoring="cox")
    with pytest.raises(MetricInputError, match="censoring must be one of"):
        m.brier_score(t, e, S, EXT["times"], censoring="weibull")


def test_ibs_matches_riskregression_score_summary_ibs(gbsg):
    t, e, Sg, grid = gbsg["t"], gbsg["e"], gbsg["Sg"], EXT["grid"]
    np.testing.assert_allclose(m.brier_score(t, e, Sg, grid).to_numpy(), EXT["brier_grid"], atol=1e-9)
    assert m.integrated_brier_score(t, e, Sg, grid) == pytest.approx(EXT["ibs_grid"][-1], abs=1e-9)
    # every prefix of the grid: riskRegression reports IBS up to each time
    for k in range(2, len(grid)):
        assert m.integrated_brier_score(t, e, Sg[:, :k], grid[:k]) == pytest.approx(EXT["ibs_grid"][k - 1],
                                                                                   abs=1e-9)
    trap = m.integrated_brier_score(t, e, Sg, grid, convention="trapezoid")
    assert abs(trap - EXT["ibs_grid"][-1]) > 1e-3      # a different, named convention


def test_cox_models_own_calibration_slope_is_one_on_pbc():
    ref = REF["pbc_own_slope"]
    d = pd.read_csv(REF_DIR / "pbc.csv")
    t, e = d["days"].to_numpy(float) / 365.25, d["death"].to_numpy(int)
    for k, h in enumerate(ref["times"]):
        s = np.asarray(ref["surv"][k])
        cal = m.calibration(t, e, s, h)
        assert cal.n_clipped == 0
        assert cal.slope == pytest.approx(ref["slope"][k], abs=1e-9)
        assert cal.slope == pytest.approx(1.0, abs=1e-8)
    # predictions as small as 1e-87 are legitimate; clipping them (as before) moves the slope
    assert min(ref["min_surv"]) < 1e-80
    assert abs(m.calibration(t, e, np.asarray(ref["surv"][2]), 10, eps=1e-10).slope - 1) > 1e-3


def test_external_validation_uses_the_external_censoring(gbsg):
    """The study path: development fits evaluated on GBSG reproduce riskRegression (defect 1)."""
    from prognosis.study.scoring import StudyScorer
    from prognosis.study.validation import external_validation
    from prognosis.survival_data import make_y

    class Fixed:          # the R model's predictions for the GBSG rows
        def predict(self, X):
            return X["lp"].to_numpy()

        def predict_survival(self, X, times, truncate=False):
            return pd.DataFrame(X[[f"S{h:g}" for h in times]].to_numpy(), columns=times)

    X = pd.DataFrame({"lp": gbsg["lp"], **{f"S{h:g}": gbsg["S"][:, j] for j, h in enumerate(EXT["times"])}})
    y_ext = make_y(gbsg["t"], gbsg["e"])
    y_dev = make_y(np.linspace(0.1, 20, 50), np.r_[np.ones(10), np.zeros(40)])   # very different censoring
    met, tr = external_validation({"cox": Fixed()}, X, y_ext, y_dev, StudyScorer(EXT["times"]),
                                  EXT["times"], n_boot=20, seed=1)
    v = met.set_index("metric")["value"]
    for j, h in enumerate(EXT["times"]):
        assert v[f"brier@{h:g}"] == pytest.approx(EXT["brier_km"][j], abs=1e-9)
        assert v[f"auc@{h:g}"] == pytest.approx(EXT["auc_km"][j], abs=1e-9)
    assert v["uno_c"] == pytest.approx(EXT["uno_tau5"], abs=1e-9)
    r = met.set_index("metric")
    assert (r["n_rep"] == 20).all()
    assert (r["ci_low"] < r["value"]).all()
    assert (r["value"] < r["ci_high"]).all()
    assert tr["oe_ci_low"].notna().all()
    assert tr["slope_ci_high"].notna().all()


def test_external_measures_beyond_external_followup_are_withheld(gbsg):
    """Defect 2: no O/E, slope, Brier or AUC at a horizon the external cohort does not reach."""
    from prognosis.study.scoring import StudyScorer
    from prognosis.study.validation import external_counts, external_validation
    from prognosis.survival_data import make_y

    class Fixed:
        def predict(self, X):
            return X["lp"].to_numpy()

        def predict_survival(self, X, times, truncate=False):
            return pd.DataFrame(np.column_stack([X["S5"].to_numpy() ** (h / 5) for h in times]), columns=times)

    X = pd.DataFrame({"lp": gbsg["lp"], "S5": gbsg["S"][:, 2]})
    y = make_y(gbsg["t"], gbsg["e"])
    hs = [3, 5, 8]                                     # GBSG follow-up ends at 7.28 years
    met, tr = external_validation({"cox": Fixed()}, X, y, y, StudyScorer(hs, tau=5), hs, n_boot=0)
    r = met.set_index("metric")
    for k in ("brier@8", "auc@8", "slope@8", "oe_ratio@8", "ici@8"):
        assert np.isnan(r.loc[k, "value"])
        assert "beyond the external follow-up" in r.loc[k, "note"]
    assert np.isfinite(r.loc["brier@5", "value"])
    assert np.isfinite(r.loc["harrell_c", "value"])
    t8 = tr.set_index("horizon").loc[8.0]
    assert np.isnan(t8["oe_ratio"])
    assert np.isnan(t8["slope"])
    assert "not reported" in t8["note"]
    counts, warn = external_counts(y, hs)
    assert counts["deaths_before"].tolist() == [int(((gbsg["t"] <= h) & (gbsg["e"] == 1)).sum()) for h in hs]
    assert counts["beyond_followup"].tolist() == [False, False, True]
    assert len(warn) == 1
    assert "beyond the external cohort's follow-up" in warn[0]
    # a small cohort: < 100 deaths and a horizon with < 10 deaths are flagged
    small = make_y(gbsg["t"][:60], gbsg["e"][:60])
    _, warn = external_counts(small, [0.25, 3])
    assert any("(< 100)" in w and "Collins et al." in w for w in warn)
    assert any("deaths before 0.25 months (< 10)" in w for w in warn)


def test_uno_c_with_cox_censoring_pair_weights(gbsg):
    """censoring='cox' uses pair weights 1/(G(T_i-|z_i) G(T_i-|z_j)); given a marginal G the same
    code must reproduce R's concordance(timewt = "n/G2") exactly."""
    from prognosis.metrics.concordance import _uno_cox
    from prognosis.metrics.km import censoring_km

    t, e, lp = gbsg["t"], gbsg["e"], gbsg["lp"]
    G = censoring_km(t, e)

    class Marginal:                   # G(t- | z) = KM G(t-) for everyone
        eta = np.zeros(t.size)

        def subject(self):
            return G(t, left=True)

        def _H0(self, s, left=False):
            return -np.log(G(s, left=left))

    c, d, tr = _uno_cox(t, e, lp, 5.0, Marginal())
    assert (c + tr / 2) / (c + d + tr) == pytest.approx(EXT["uno_tau5"], abs=1e-12)
    cox = m.uno_c(t, e, lp, tau=5, censoring="cox", censoring_covariates=gbsg["Z"])
    assert cox.kind == "uno"
    assert abs(float(cox) - EXT["uno_tau5"]) < 0.01
    with pytest.raises(MetricInputError, match="constant"):
        m.uno_c(t, e, lp, tau=5, censoring="cox", censoring_covariates=np.zeros((t.size, 1)))


@pytest.mark.parametrize(("key", "cols", "transform"), [("karno_km", ["karno"], "km"),
                                                ("karno_age_km", ["karno", "age"], "km"),
                                                ("karno_age_identity", ["karno", "age"], "identity"),
                                                ("karno_age_log", ["karno", "age"], "log")])
def test_cox_zph_matches_r(key, cols, transform):
    v = pd.read_csv(REF_DIR / "veteran.csv")
    z = m.cox_zph(v["time"], v["status"], v[cols].to_numpy(float), transform=transform)
    r = REF["cox_zph"][key]
    np.testing.assert_allclose(z["chisq"], r["chisq"], rtol=1e-8)
    np.testing.assert_allclose(z["p"], r["p"], rtol=1e-6)
    assert z["df"] == r["df"]
