"""The substantive-model-compatible engine end to end: ImputedModel(method=...), its fallback to
chained equations (warned and recorded), pooled estimates closer to the truth than chained
equations, and the study ``imputation.engine`` key."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from prognosis.errors import ConfigError, ImputationMethodWarning, InputError
from prognosis.models import CoxModel, ImputedModel, make_model
from prognosis.simulate import simulate_cohort
from prognosis.survival_data import make_y, y_from_frame

COLS = ["age_years", "kps", "albumin_g_dl", "crp_mg_dl", "ldh_u_l", "hemoglobin_g_dl", "platelets_10e9_l"]


@pytest.fixture(scope="module")
def cohort():
    return simulate_cohort(200, seed=8, missingness="mar").frame


def _fit(frame, **kw):
    mod = ImputedModel(make_model("cox", feature_set="clinical", penalizer=0.01), m=2, seed=1, maxit=2,
                       imputer_params={"columns": COLS}, **kw)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        mod.fit(frame, y_from_frame(frame))
    return mod, [x for x in w if issubclass(x.category, ImputationMethodWarning)]


def test_smcfcs_is_the_default_when_applicable(cohort):
    mod, warned = _fit(cohort)
    assert mod.method == "smcfcs"
    assert mod.method_used_ == "smcfcs"
    assert mod.method_note_ == ""
    assert not warned
    # missing labs are filled, observed values untouched; the log-scale labs come back on their own scale
    sets = mod.development_sets(cohort, y_from_frame(cohort))
    for s in sets:
        assert s["albumin_g_dl"].notna().all()
        assert s["crp_mg_dl"].notna().all()
        ok = cohort["crp_mg_dl"].notna()
        assert (s.loc[ok, "crp_mg_dl"] == cohort.loc[ok, "crp_mg_dl"]).all()
        assert (s["crp_mg_dl"] >= 0).all()
    assert not sets[0]["albumin_g_dl"].equals(sets[1]["albumin_g_dl"])
    assert "SMC-FCS" in mod.print_summary()
    assert np.isfinite(mod.summary().table["fmi"]).all()
    # new patients with missing values are imputed by the chained (outcome-free) models
    new = cohort.drop(columns=["time_months", "event"]).head(3).copy()
    new["albumin_g_dl"] = None
    assert np.isfinite(mod.predict_survival(new, [6]).to_numpy()).all()


def test_chained_on_request_and_fallback_when_not_applicable(cohort):
    mod, warned = _fit(cohort, method="chained")
    assert mod.method_used_ == "chained"
    assert mod.method_note_ == ""
    assert not warned
    bad = cohort.copy()
    bad.loc[bad.index[:15], "visceral_mets"] = None  # an incomplete categorical input
    mod, warned = _fit(bad)
    assert mod.method_used_ == "chained"
    assert "'visceral_mets' is categorical" in mod.method_note_
    assert len(warned) == 1
    assert "chained equations instead" in str(warned[0].message)
    assert "smcfcs not used" in mod.print_summary()
    with pytest.raises(InputError, match="did you mean 'smcfcs'"):
        ImputedModel(CoxModel(), method="smcfc").fit(cohort[["age_years"]], y_from_frame(cohort))


def _sim(seed, n=500):
    # as tests/impute/test_smcfcs.py and benchmarks/bench_impute.py: x2 missing (~35%) depending
    # on x1 and the outcome (MAR), both true log-HRs 0.5
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    x2 = 0.5 * x1 + rng.normal(scale=0.866, size=n)
    t = (rng.exponential(size=n) / np.exp(0.5 * x1 + 0.5 * x2)) ** (1 / 1.2)
    c = rng.uniform(0, 3, n) * np.median(t)
    full = pd.DataFrame({"x1": x1, "x2": x2})
    y = make_y(np.minimum(t, c), (t <= c).astype(int))
    obs = full.copy()
    obs.loc[rng.random(n) < 1 / (1 + np.exp(-(-1.4 + x1 + (t <= c)))), "x2"] = np.nan
    return full, obs, y


def test_pooled_smcfcs_closer_to_truth_than_chained():
    """Paired over 4 fixed-seed data sets, the pooled log-HR of x2 (through ImputedModel and
    Rubin's rules) is compared with the full-data fit. The benchmark (400 replicates) measured a
    bias of -0.072 (MC SE 0.004) for chained equations and -0.0015 (0.005) for SMC-FCS. Paired on
    the same data the gap is far less variable than either estimate: over 20 data sets (seeds
    200-603, m = 3) the per-data-set gap averaged -0.06 with SD ~0.03, so the mean of 4 has SD
    ~0.015 and the 0.02 margin leaves ~2.5 SD; SMC-FCS's mean error over 4 sets ranged -0.023 to
    0.061 across those seed blocks (imputation noise with m = 3), hence the 0.08 bound."""
    d_smc, d_fcs = [], []
    for r in range(4):
        full, obs, y = _sim(200 + r)
        ref = CoxModel().fit(full, y).coef_[1]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            smc = ImputedModel(CoxModel(), m=3, seed=r, maxit=4).fit(obs, y)
            fcs = ImputedModel(CoxModel(), m=3, seed=r, maxit=4, method="chained").fit(obs, y)
        assert smc.method_used_ == "smcfcs"
        assert fcs.method_used_ == "chained"
        d_smc.append(smc.summary().table.loc["x2", "coef"] - ref)
        d_fcs.append(fcs.summary().table.loc["x2", "coef"] - ref)
    assert np.mean(d_fcs) < np.mean(d_smc) - 0.02
    assert abs(np.mean(d_smc)) < 0.08


def test_study_engine_key():
    from prognosis.study import load_config
    from prognosis.study.config import ModelSpec
    from prognosis.study.imputation import ImputationSpec, apply_to_factories
    from prognosis.study.predictors import make_factory

    base = {"cohorts": {"development": "demo"}, "models": ["cox"]}
    assert load_config({**base, "imputation": {"method": "multiple"}}).imputation.engine == "smcfcs"
    assert (
        load_config({**base, "imputation": {"method": "multiple", "engine": "chained"}}).imputation.engine == "chained"
    )
    with pytest.raises(ConfigError, match="did you mean 'smcfcs'"):
        load_config({**base, "imputation": {"method": "multiple", "engine": "smcfc"}})
    spec = ModelSpec(name="cox", kind="cox", features="clinical")
    frame = simulate_cohort(60, seed=4, missingness="mar").frame
    fac = apply_to_factories({"cox": make_factory(spec)}, {"cox": spec},
                             ImputationSpec(method="multiple", m=2, engine="chained"), frame)["cox"]
    assert fac(1).method == "chained"


def test_study_runs_with_smcfcs_engine(tmp_path):
    from prognosis.study import load_config, run

    simulate_cohort(150, seed=5, missingness="mar").frame.to_csv(tmp_path / "dev.csv", index=False)
    cfg = load_config({
        "cohorts": {"development": {"path": str(tmp_path / "dev.csv")}},
        "models": [{"name": "Cox clinical", "kind": "cox", "features": "clinical", "params": {"penalizer": 0.01}}],
        "horizons": [6], "validation": {"method": "bootstrap", "n_boot": 2},
        "imputation": {"method": "multiple", "m": 2, "maxit": 2, "engine": "smcfcs"},
        "seed": 1, "n_jobs": 1, "output": str(tmp_path / "out"),
    })
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = run(cfg)
    used = res.imputation["engine_used"]
    assert used.set_index("model").loc["Cox clinical", "imputation"] == "SMC-FCS (Cox)"
    assert res.imputation["engine"] == "smcfcs"
    assert not res.imputation["engine_notes"]
    assert len(res.imputation["fmi"])
    assert "SMC-FCS" in res.imputation["description"]
