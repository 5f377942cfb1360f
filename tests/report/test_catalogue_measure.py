"""Adding a report measure is two edits — its function and its catalogue entry: a toy measure
registered in the catalogue (nothing else changed) is computed by the study, bootstrap-corrected,
evaluated on the external cohort and shown in the HTML report, model card untouched."""
from __future__ import annotations

import re

import numpy as np
import pytest

from prognosis.metrics import catalogue
from prognosis.metrics.catalogue import Measure


def somers_d(d, h=None):
    """Somers' D = 2C − 1 (a horizon-free discrimination measure)."""
    from prognosis.metrics import harrell_c

    return 2.0 * float(harrell_c(d.time, d.event, d.risk, warn_reversed=False)) - 1.0


def mean_risk(d, h):
    """Mean predicted risk of death by h (a per-horizon measure)."""
    return float(np.mean(1.0 - d.surv_at(h)))


SOMERS = Measure("toy_somers_d", "Somers' D (toy)", "Somers D", "discrimination", False, "higher", somers_d,
                 description="2C − 1, registered by a test.", citation="Somers, Am Sociol Rev 1962")
MEAN_RISK = Measure("toy_mean_risk", "Mean predicted risk (toy)", "Mean risk", "overall", True, "lower", mean_risk,
                    decimals=4, description="Mean predicted risk of death by t, registered by a test.")


@pytest.fixture(scope="module")
def toy_study(small_cohorts, tmp_path_factory):
    from prognosis.study import run

    config = {"name": "toy measure", "seed": 3, "n_jobs": 1, "horizons": [6, 12],
              "cohorts": {"development": {"path": str(small_cohorts["dev"])},
                          "external": {"path": str(small_cohorts["ext"])}},
              "scores": ["katagiri_new"], "models": [{"name": "Cox", "kind": "cox", "features": "clinical"}],
              "validation": {"method": "bootstrap", "n_boot": 3}}
    with catalogue.registered(SOMERS), catalogue.registered(MEAN_RISK):
        result = run(config)
        html = result.to_html(tmp_path_factory.mktemp("toy") / "index.html").read_text(encoding="utf-8")
    return result, html


def test_the_registry_is_clean_after_the_test(toy_study):
    assert "toy_somers_d" not in catalogue.names()
    assert "toy_mean_risk" not in catalogue.names()


def test_toy_measures_are_in_the_study_tables(toy_study):
    result, _ = toy_study
    m = result.metrics

    def row(p, name):
        return m[(m["predictor"] == p) & (m["metric"] == name)].iloc[0]

    for p in ("katagiri_new", "Cox"):
        # computed by the study scorer, bootstrap-corrected over every replicate
        sd, hc = row(p, "toy_somers_d"), row(p, "harrell_c")
        assert np.isnan(sd["horizon"])
        assert sd["apparent"] == pytest.approx(2 * hc["apparent"] - 1, abs=1e-12)
        assert sd["optimism"] == pytest.approx(2 * hc["optimism"], abs=1e-12)
        assert sd["n_rep"] == 3
        assert np.isfinite(sd["ci_low"])
    mr = result.metrics[result.metrics["metric"] == "toy_mean_risk"]
    assert sorted(mr["horizon"].unique()) == [6.0, 12.0]
    assert (mr["n_rep"] == 3).all()
    assert ((mr["apparent"] > 0) & (mr["apparent"] < 1)).all()
    ext = result.external
    assert set(ext.loc[ext["metric"] == "toy_mean_risk", "horizon"]) == {6.0, 12.0}
    e = ext[ext["predictor"] == "Cox"].set_index("metric")
    assert e.loc["toy_somers_d", "value"] == pytest.approx(2 * e.loc["harrell_c", "value"] - 1, abs=1e-12)


def test_toy_measures_are_in_the_html_report(toy_study):
    _, html = toy_study
    disc = html[html.index('<section id="discrimination">'):html.index('<section id="accuracy">')]
    assert "<th>Somers D apparent</th>" in disc
    assert "<th>Somers D corrected (95% CI)</th>" in disc
    acc = html[html.index('<section id="accuracy">'):html.index('<section id="calibration">')]
    assert "<th>Mean risk</th>" in acc
    assert re.search(r"<td>0\.\d{4} \(0\.\d{4}–0\.\d{4}\)</td>", acc)  # the entry's 4 decimals
    ext = html[html.index('<section id="external">'):]
    assert "<th>Mean risk @12m</th>" in ext
    assert "<th>Somers D</th>" in ext
    assert "Somers' D (toy)" in html                                                                # glossary
    assert "Mean predicted risk of death by t, registered by a test." in html
    assert 'alt="Somers D per predictor"' in html                                                  # its figure
