"""The cited parameter file and its loader."""
from __future__ import annotations

import pytest
import yaml

from prognosis.errors import ConfigError
from prognosis.simulate import DESIGN_COLUMNS, citations, load_parameters
from prognosis.simulate.params import PARAMETER_FILE, TAGS


def _leaves(node, path=""):
    if isinstance(node, dict) and "value" in node:
        yield path, node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, f"{path}.{k}" if path else k)
    else:
        yield path, {"bare": node}


def test_every_number_has_source_and_tag():
    raw = yaml.safe_load(PARAMETER_FILE.read_text(encoding="utf-8"))
    leaves = list(_leaves(raw))
    assert len(leaves) > 60
    for path, leaf in leaves:
        assert "bare" not in leaf, f"{path} is a bare value without tag/source"
        assert leaf.get("tag") in TAGS, path
        assert isinstance(leaf.get("source"), str), path
        assert len(leaf["source"]) > 10, path
    assert len(citations()) == len(leaves)


def test_every_design_term_has_a_hazard_ratio():
    p = load_parameters("surgical")
    assert set(p["hazard_ratios"]) == set(DESIGN_COLUMNS)


def test_published_anchors_are_the_cited_values():
    # values copied from clinical-facts.md (independent of the code): Bollen ch. VI medians,
    # Wänman CRPC HR, Wolf multiple-levels HR
    rt = load_parameters("radiotherapy")
    assert rt["median_months"]["breast"] == 18.6
    assert rt["median_months"]["lung"] == 2.0
    assert rt["median_months"]["prostate"] == 7.4
    assert rt["median_months"]["kidney"] == 7.8
    assert sum(rt["site_weights"].values()) == 1379
    assert rt["hazard_ratios"]["prostate_castration_resistant"] == 3.4
    assert rt["hazard_ratios"]["multiple_vertebral_mets"] == 1.35


def test_overrides_merge_and_change_checksum():
    base = load_parameters("surgical")
    p = load_parameters("surgical", hazard_ratios={"brain_mets": 2.5}, weibull_shape=0.7)
    assert p["hazard_ratios"]["brain_mets"] == 2.5
    assert p["hazard_ratios"]["male"] == base["hazard_ratios"]["male"]
    assert p["weibull_shape"] == 0.7
    assert p["checksum"] != base["checksum"]
    assert load_parameters("surgical")["checksum"] == base["checksum"]


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"preset": "palliative"}, "unknown simulation preset"),
    ({"not_a_parameter": 1}, "unknown simulation parameter"),
    ({"hazard_ratios": {"kps": 1.2}}, "unknown key"),
    ({"hazard_ratios": {"male": -1.0}}, "positive"),
    ({"site_weights": {"atlantis": 3}}, "not a primary_site"),
    ({"admin_censoring_months": (24, 12)}, "admin_censoring_months"),
])
def test_bad_parameters_raise_config_error(kwargs, match):
    preset = kwargs.pop("preset", "surgical")
    with pytest.raises(ConfigError, match=match):
        load_parameters(preset, **kwargs)


def test_molecular_effect_scale_multiplies_only_molecular_log_hrs():
    import numpy as np

    from prognosis.simulate import MOLECULAR_DESIGN_COLUMNS, log_hazard_ratios

    p1 = load_parameters("surgical")
    p0 = load_parameters("surgical", molecular_effect_scale=0.0)
    p2 = load_parameters("surgical", molecular_effect_scale=2.0)
    b1, b0, b2 = log_hazard_ratios(p1), log_hazard_ratios(p0), log_hazard_ratios(p2)
    for c in DESIGN_COLUMNS:
        if c in MOLECULAR_DESIGN_COLUMNS:
            assert b0[c] == 0.0
            assert b2[c] == pytest.approx(2 * b1[c])
        else:
            assert b0[c] == b1[c] == b2[c]
    assert b1["prostate_castration_resistant"] == pytest.approx(np.log(3.4))


def test_citations_are_listed():
    recs = citations()
    hr = [r for r in recs if r["path"] == "hazard_ratios.prostate_castration_resistant"]
    assert hr
    assert hr[0]["tag"] == "V1"
    assert "Wänman" in hr[0]["source"]


def test_truth_table_lists_every_term_with_its_citation():
    from prognosis.simulate import truth_table

    t = truth_table("radiotherapy")
    terms = t.loc[~t["term"].str.startswith("site:"), "term"].tolist()
    assert terms == list(DESIGN_COLUMNS)
    raw = yaml.safe_load(PARAMETER_FILE.read_text(encoding="utf-8"))
    for _, r in t.iterrows():
        if r["term"].startswith("site:"):
            continue
        assert r["hazard_ratio"] == pytest.approx(raw["hazard_ratios"][r["term"]]["value"])
        assert r["tag"] in TAGS
        assert r["source"]
    sites = {s.split(":")[1] for s in t["term"] if s.startswith("site:")}
    assert sites == set(raw["presets"]["radiotherapy"]["median_months"]["value"])
