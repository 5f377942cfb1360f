"""ImputedModel: Cox fitted on m imputed sets, pooled summary with FMI, averaged predictions,
S(t) range across imputations, persistence, score groups across imputations."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from prognosis.impute import pool
from prognosis.models import ImputedModel, load, make_model, save, score_group_shares
from prognosis.simulate import simulate_cohort
from prognosis.survival_data import y_from_frame


@pytest.fixture(scope="module")
def data():
    return simulate_cohort(250, seed=8, missingness="mar").frame


@pytest.fixture(scope="module")
def fitted(data):
    mod = ImputedModel(make_model("cox", feature_set="clinical", penalizer=0.01), m=4, seed=2, maxit=3,
                       imputer_params={"columns": ["age_years", "kps", "albumin_g_dl", "crp_mg_dl", "ldh_u_l",
                                                   "hemoglobin_g_dl", "platelets_10e9_l", "visceral_mets"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mod.fit(data, y_from_frame(data))
    return mod


def test_pooled_summary_is_rubins_rules_of_the_fits(fitted):
    s = fitted.summary().table
    assert {"coef", "HR", "se", "df", "fmi", "riv"} <= set(s.columns)
    finals = [m.steps[-1][1] for m in fitted.models_]
    j = list(finals[0].design_names_).index("albumin_g_dl")
    p = pool([f.coef_[j] for f in finals], [f.cov_[j, j] for f in finals])
    assert s.loc["albumin_g_dl", "coef"] == pytest.approx(p.estimate[0], rel=1e-12)
    assert s.loc["albumin_g_dl", "se"] == pytest.approx(p.se[0], rel=1e-12)
    # albumin is missing in ~25%: it has missing information; age (complete) almost none
    assert s.loc["albumin_g_dl", "fmi"] > s.loc["age_years", "fmi"]
    text = fitted.print_summary()
    assert "pooled over m = 4 imputations" in text
    assert "albumin_g_dl" in text


def test_predictions_average_imputations_and_range(fitted, data):
    panel = ["albumin_g_dl", "crp_mg_dl", "ldh_u_l", "hemoglobin_g_dl", "platelets_10e9_l", "kps"]
    base = data[data[panel].notna().all(axis=1)].drop(columns=["time_months", "event"]).head(5)
    new = base.copy()
    new.loc[new.index[:2], "albumin_g_dl"] = None
    S_all = fitted.predict_survival_imputations(new, [3, 6])
    assert S_all.shape == (4, 5, 2)
    S = fitted.predict_survival(new, [3, 6])
    np.testing.assert_allclose(S.to_numpy(), S_all.mean(axis=0))
    lo, hi = fitted.predict_survival_range(new, [3, 6])
    assert (lo.to_numpy() <= S.to_numpy() + 1e-15).all()
    assert (S.to_numpy() <= hi.to_numpy() + 1e-15).all()
    # a missing albumin widens the range across imputations (complete rows vary only by the m fits)
    width = (hi - lo).to_numpy()[:2, 1]
    lo2, hi2 = fitted.predict_survival_range(base, [6])
    assert (width > (hi2 - lo2).to_numpy()[:2, 0]).all()
    assert np.isfinite(fitted.predict(new)).all()


def test_save_and_load_roundtrip(fitted, data, tmp_path):
    p = save(fitted, tmp_path / "mi.skops", training_data=data)
    back = load(p)
    new = data.drop(columns=["time_months", "event"]).head(3).copy()
    new["albumin_g_dl"] = None
    a = fitted.predict_survival_imputations(new, [6])
    b = back.predict_survival_imputations(new, [6])
    np.testing.assert_allclose(a, b)


# short chains kept for speed; convergence is not what this test checks
@pytest.mark.filterwarnings("ignore::prognosis.errors.ImputationConvergenceWarning")
def test_score_group_shares(data, fitted):
    sh = score_group_shares(data.head(30), "katagiri_new", m=4, seed=1)
    assert np.allclose(sh.sum(axis=1), 1.0)
    assert ((sh == 0) | (sh == 1)).all(axis=1).sum() >= 1  # complete patients: one group with share 1


def test_cli_predict_shows_range_across_imputations(fitted, data, tmp_path, capsys):
    from prognosis.cli.main import main

    p = save(fitted, tmp_path / "mi.skops")
    pts = data.drop(columns=["time_months", "event", "true_lp", "true_weibull_shape"], errors="ignore").head(2).copy()
    pts["albumin_g_dl"] = None
    pts.to_csv(tmp_path / "patients.csv", index=False)
    assert main(["predict", str(tmp_path / "patients.csv"), "--model", str(p), "--times", "6,12",
                 "--scores", "none", "--out", str(tmp_path / "pred.csv")]) == 0
    out = capsys.readouterr().out
    assert "[imputations" in out
    assert "imputed 4 times" in out
    import pandas as pd

    pred = pd.read_csv(tmp_path / "pred.csv")
    assert (pred["S_6m_min_over_imputations"] <= pred["S_6m"]).all()
    assert (pred["S_6m"] <= pred["S_6m_max_over_imputations"]).all()
