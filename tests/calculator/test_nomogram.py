"""Nomogram: points reproduce the model's linear predictor; CLI writes the figure."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from prognosis.cli.main import main
from prognosis.report.nomogram import _surv_from_points, nomogram_table


def test_points_add_up_to_model_prediction(cox_artifact):
    """Points of a patient's values (as read off each axis) summed and mapped through the total
    points -> S(12) axis reproduce predict_survival: checks the scale, offset and baseline."""
    from prognosis.models.explain import cox_contributions

    model = cox_artifact["model"]
    tab = nomogram_table(model)
    cols = model.steps[0][1].input_columns_
    patient = {"age_years": 62.0, "sex": "male", "kps": 70.0, "primary_site": "lung", "egfr": "mutant",
               "visceral_mets": "removable", "brain_mets": False, "frankel": "E", "ambulatory": True,
               "albumin_g_dl": 3.8, "ldh_u_l": 300.0}
    frame = pd.DataFrame([{c: patient.get(c) for c in cols}])
    for c in ("age_years", "kps", "albumin_g_dl", "ldh_u_l", "crp_mg_dl", "platelets_10e9_l", "calcium_mg_dl",
              "bilirubin_mg_dl", "hemoglobin_g_dl", "extraspinal_bone_mets", "vertebral_mets"):
        frame[c] = pd.to_numeric(frame[c]).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        contrib = cox_contributions(model, frame).iloc[0]
        want = model.predict_survival(frame, [12.0]).iloc[0, 0]
    mins = tab.groupby("item")["contribution"].min()
    points = {i: (contrib[i] - mins[i]) / tab.attrs["scale"] for i in mins.index}
    # categorical axes carry exactly these points
    sub = tab[tab["item"] == "sex"]
    assert np.isclose(sub.loc[sub["value_label"] == "male", "points"].iloc[0], points["sex"], atol=1e-9)
    sub = tab[tab["item"] == "subtype:lung"]
    assert np.isclose(sub.loc[sub["value_label"] == "egfr_mutant", "points"].iloc[0], points["subtype:lung"], atol=1e-9)
    got = _surv_from_points(tab, sum(points.values()), 12.0)
    assert abs(got - want) < 1e-10, (got, want)


def test_nomogram_cli(cox_artifact, tmp_path):
    out, table = tmp_path / "n.png", tmp_path / "n.csv"
    assert main(["nomogram", "--model", str(cox_artifact["path"]), "--out", str(out), "--table", str(table)]) == 0
    assert out.stat().st_size > 20_000
    t = pd.read_csv(table)
    assert t.groupby("item")["points"].max().max() == 100.0
    assert (t.groupby("item")["points"].min() == 0).all()


# encoding notes on the small cohort; not what this test checks
@pytest.mark.filterwarnings("ignore::prognosis.errors.FeatureEncodingWarning")
def test_report_figures_for_cox_models_only(cox_artifact):
    from types import SimpleNamespace

    from prognosis.datasets import load_demo
    from prognosis.models import make_model
    from prognosis.report.nomogram import nomogram_figures
    from prognosis.survival_data import y_from_frame

    dev = load_demo("development").frame.sample(200, random_state=3)
    rsf = make_model("rsf", n_estimators=3, random_state=0).fit(dev, y_from_frame(dev))
    figs = nomogram_figures(SimpleNamespace(fitted={"Cox": cox_artifact["model"], "RSF": rsf}))
    assert len(figs) == 1
    assert figs[0]["uri"].startswith("data:image/png;base64,")
    assert "Cox" in figs[0]["alt"]
