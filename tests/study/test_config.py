"""Study config: validated before any computation, with one clear error listing every problem."""
from __future__ import annotations

import copy

import pytest
import yaml

from prognosis.errors import ConfigError
from prognosis.study import DEMO_CONFIG, load_config
from prognosis.study.config import DEFAULT_HORIZONS


def test_example_config_is_valid(repo_root):
    cfg = load_config(repo_root / "data" / "examples" / "study.yaml")
    assert cfg.development.demo == "development"
    assert cfg.external is not None
    assert len(cfg.models) >= 1
    assert len(cfg.scores) >= 1


def test_demo_config_is_valid():
    cfg = load_config(DEMO_CONFIG)
    assert [m.kind for m in cfg.models] == ["cox", "cox", "rsf", "gbm"]
    assert [s.name for s in cfg.scores] == ["revised_tokuhashi", "tomita", "katagiri_new"]
    assert cfg.validation.n_boot == 200
    assert len(cfg.horizons) == 4


def test_defaults(small_config):
    c = copy.deepcopy(small_config)
    del c["horizons"], c["validation"], c["seed"]
    cfg = load_config(c)
    assert cfg.horizons == DEFAULT_HORIZONS == (3.0, 6.0, 12.0, 24.0)
    assert cfg.validation.method == "bootstrap"
    assert cfg.validation.n_boot == 200
    assert cfg.seed == 0


def test_typo_gets_a_suggestion(small_config):
    c = copy.deepcopy(small_config)
    c["horizns"] = c.pop("horizons")
    with pytest.raises(ConfigError, match=r"unknown key 'horizns' in the top level \(did you mean 'horizons'\?\)"):
        load_config(c)


def test_unknown_model_kind_and_score_and_feature_set_listed_together(small_config):
    c = copy.deepcopy(small_config)
    c["models"] = [{"kind": "rsff"}, {"kind": "cox", "features": "clinical+molecullar"}]
    c["scores"] = ["tokuhashi_revised_x", "tomitta"]
    with pytest.raises(ConfigError) as ei:
        load_config(c)
    msg = str(ei.value)
    assert "4 problem(s)" in msg
    assert "unknown model kind 'rsff' (did you mean 'rsf'?)" in msg
    assert "unknown feature set 'clinical+molecullar' (did you mean 'clinical+molecular'?)" in msg
    assert "unknown score 'tomitta' (did you mean 'tomita'?)" in msg
    assert "unknown score 'tokuhashi_revised_x'" in msg


def test_score_components_and_columns_are_accepted(small_config):
    c = copy.deepcopy(small_config)
    c["scores"] = ["revised_tokuhashi__primary_site", {"column": "met_site_count", "label": "sites"}]
    cfg = load_config(c)
    assert [(s.kind, s.score, s.column) for s in cfg.scores] == [
        ("component", "revised_tokuhashi", "revised_tokuhashi__primary_site"),
        ("column", None, "met_site_count")]


def test_bad_values(small_config):
    c = copy.deepcopy(small_config)
    c["horizons"] = [3, -6]
    c["validation"] = {"method": "bootstrapp", "n_boot": 0}
    c["seed"] = "abc"
    with pytest.raises(ConfigError) as ei:
        load_config(c)
    msg = str(ei.value)
    for part in ("horizons[1] must be > 0", "validation.method must be 'bootstrap' or 'cv' (did you mean "
                 "'bootstrap'?)", "validation.n_boot must be an integer >= 1", "'seed' must be a non-negative"):
        assert part in msg


def test_yaml_file_errors(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("cohorts: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML at line"):
        load_config(p)
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.yaml")
    p.write_text("- a list\n")
    with pytest.raises(ConfigError, match="must be a YAML mapping"):
        load_config(p)


def test_relative_paths_resolve_against_the_config_folder(tmp_path, small_cohorts):
    import shutil

    shutil.copy(small_cohorts["dev"], tmp_path / "dev.csv")
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump({"cohorts": {"development": {"path": "dev.csv"}}, "scores": ["tomita"]}))
    cfg = load_config(p)
    assert cfg.resolve(cfg.development.path) == tmp_path / "dev.csv"


def _no_fit(monkeypatch):
    """Make any model construction fail loudly: checks must happen before computation."""
    import importlib

    R = importlib.import_module("prognosis.study.run")  # the module (the package exports a function `run`)

    def boom(spec):
        raise AssertionError("a predictor was built before the config was fully checked")

    monkeypatch.setattr(R, "make_factory", boom)


def test_horizon_beyond_follow_up_is_left_out_with_a_note(small_config, small_cohorts):
    # issue 12: one horizon rule (prognosis.study.horizons) -- a horizon beyond the follow-up is
    # not a traceback nor a config error: its S(t)-based measures are left out with a reason
    from prognosis.study.horizons import study_plans

    c = copy.deepcopy(small_config)
    c["horizons"] = [6, 36]
    cfg = load_config(c)
    times = {"development": small_cohorts["dev_frame"]["time_months"].to_numpy(float),
             "external": small_cohorts["ext_frame"]["time_months"].to_numpy(float)}
    plans = study_plans(cfg.horizons, cfg.default_horizons, times)
    tmax = float(times["development"].max())
    assert plans["development"].kept == (6.0,)
    assert plans["development"].notes() == [
        f"measures needing S(t) at 36 months left out: beyond the longest follow-up of the development cohort "
        f"({tmax:.4g} months); nobody is observed at 36 months"]


def test_cohort_lacking_score_columns_fails_before_fitting(small_cohorts, small_config, tmp_path, monkeypatch):
    from prognosis.study import run

    _no_fit(monkeypatch)
    f = small_cohorts["dev_frame"].drop(columns=["kps", "ecog"])
    f.to_csv(tmp_path / "nokps.csv", index=False)
    c = copy.deepcopy(small_config)
    c["cohorts"] = {"development": {"path": str(tmp_path / "nokps.csv")}}
    c["scores"] = ["revised_tokuhashi", {"column": "met_site_count"}]
    with pytest.raises(ConfigError) as ei:
        run(c)
    msg = str(ei.value)
    assert ("score 'revised_tokuhashi': item(s) ['general_condition (kps)'] cannot be scored on the development "
            "cohort (every column of the item absent or entirely missing)") in msg
    assert "model 'Cox clinical': 1 predictor(s) of feature set 'clinical' are entirely absent" in msg
    assert "baseline column 'met_site_count' is not in the development cohort" in msg
    assert "3 problem(s)" in msg


def test_missing_cohort_file(small_config, tmp_path):
    from prognosis.study import run

    c = copy.deepcopy(small_config)
    c["cohorts"] = {"development": str(tmp_path / "nope.csv")}
    with pytest.raises(ConfigError, match="does not exist"):
        run(c)
