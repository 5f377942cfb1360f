"""Acceptance: `prognosis report` with imputation: {method: multiple, m: 5} on a simulated cohort
with realistic missingness runs and the report says so (kept small: n = 200, 2 replicates)."""
from __future__ import annotations

import re

import pytest
import yaml

from prognosis.errors import ConfigError
from prognosis.simulate import simulate_cohort
from prognosis.study import load_config


@pytest.fixture(scope="module")
def study_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("mi_study")
    simulate_cohort(200, seed=31, missingness="realistic").frame.to_csv(d / "dev.csv", index=False)
    cfg = {
        "name": "MI study test",
        "cohorts": {"development": {"path": "dev.csv"}},
        "scores": ["revised_tokuhashi"],
        "models": [{"name": "Cox clinical", "kind": "cox", "features": "clinical", "params": {"penalizer": 0.01}}],
        "horizons": [3, 6],
        "validation": {"method": "bootstrap", "n_boot": 2},
        "imputation": {"method": "multiple", "m": 5, "maxit": 3},
        "seed": 3,
        "n_jobs": 1,
        "output": "out",
    }
    (d / "study.yaml").write_text(yaml.safe_dump(cfg))
    return d


def test_config_block_is_validated():
    base = {"cohorts": {"development": "demo"}, "models": ["cox"]}
    cfg = load_config({**base, "imputation": {"method": "multiple", "m": 5}})
    assert cfg.imputation.method == "multiple"
    assert cfg.imputation.m == 5
    assert load_config(base).imputation.method == "indicator"
    with pytest.raises(ConfigError, match="did you mean 'multiple'"):
        load_config({**base, "imputation": {"method": "multipel"}})
    with pytest.raises(ConfigError, match="imputation.m must be an integer >= 2"):
        load_config({**base, "imputation": {"method": "multiple", "m": 1}})
    with pytest.raises(ConfigError, match="unknown key 'n'"):
        load_config({**base, "imputation": {"n": 5}})


@pytest.mark.slow
# the fallback is asserted in the report text below
@pytest.mark.filterwarnings("ignore::prognosis.errors.ImputationMethodWarning")
@pytest.mark.filterwarnings("ignore::prognosis.errors.ImputationConvergenceWarning")  # short chains kept for speed
def test_report_with_multiple_imputation(study_files):
    from prognosis.cli.main import main

    assert main(["report", str(study_files / "study.yaml"), "--quiet"]) == 0
    html = (study_files / "out" / "index.html").read_text(encoding="utf-8")
    assert 'id="imputation"' in html
    assert ("multiple imputation by substantive-model-compatible imputation for Cox models (SMC-FCS, "
            "Bartlett et al. 2015) where applicable, otherwise chained equations, m = 5 imputations") in html
    # the realistic preset leaves Frankel grade (categorical) incomplete: smcfcs cannot impute it, the
    # study falls back to chained equations and says why (engine table and study notes)
    assert "Imputation method per model" in html
    assert "chained equations used instead (incomplete input &#39;frankel&#39; is categorical" in html
    assert "Missingness pattern" in html
    assert "fraction of missing information" in html
    assert "Complete-case analysis vs multiple imputation" in html
    # the FMI table lists the Cox coefficients, e.g. albumin (missing in ~20%)
    fmi = html[html.index("Pooled Cox coefficients"):html.index("Complete-case analysis vs")]
    assert "albumin_g_dl" in fmi
    assert re.search(r"<td>0\.\d+</td>", fmi)
    assert "HR complete case" in fmi  # the complete-case refit's hazard ratios reached the table
    assert "complete case" in html
    comparison = html[html.index("Complete-case analysis vs"):]
    assert "not estimable" not in comparison[:comparison.index("</table>")]


def test_single_and_complete_case_factories():
    import numpy as np

    from prognosis.study.config import ModelSpec
    from prognosis.study.imputation import ImputationSpec, apply_to_factories, complete_case_rows
    from prognosis.study.predictors import make_factory

    frame = simulate_cohort(120, seed=4, missingness="realistic").frame
    spec = ModelSpec(name="cox", kind="cox", features="clinical")
    specs = {"cox": spec}
    facs = {"cox": make_factory(spec)}
    single = apply_to_factories(facs, specs, ImputationSpec(method="single"), frame)["cox"](1)
    assert single.get_params()["features__impute"] == "iterative"
    multi = apply_to_factories(facs, specs, ImputationSpec(method="multiple", m=3), frame)["cox"](1)
    assert type(multi).__name__ == "ImputedModel"
    assert multi.m == 3
    assert "kps" in multi.imputer_params["columns"]
    assert "ecog" in multi.imputer_params["columns"]
    assert apply_to_factories(facs, specs, ImputationSpec(method="indicator"), frame)["cox"] is facs["cox"]
    keep = complete_case_rows(frame, [spec])
    assert 0 < keep.sum() < len(frame)
    assert frame.loc[keep, ["kps", "albumin_g_dl"]].notna().all().all()
    assert np.array_equal(keep, frame[["age_years", "kps", "albumin_g_dl", "frankel", "crp_mg_dl", "ldh_u_l",
                                       "platelets_10e9_l", "calcium_mg_dl", "bilirubin_mg_dl", "hemoglobin_g_dl",
                                       "extraspinal_bone_mets", "vertebral_mets", "brain_mets",
                                       "pathological_fracture", "prior_chemotherapy", "sex", "visceral_mets",
                                       "ambulatory", "primary_site"]].notna().all(axis=1).to_numpy())
