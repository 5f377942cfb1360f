"""`prognosis fit` and `prognosis predict` end to end (in-process)."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from prognosis.cli.main import main
from prognosis.models import load
from prognosis.simulate import simulate_cohort


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = simulate_cohort(500, seed=3).frame
    f = f.drop(columns=[c for c in f.columns if c.startswith("true_")])
    f.to_csv(d / "cohort.csv", index=False)
    f.drop(columns=["time_months", "event", "cohort"]).iloc[:4].to_csv(d / "patients.csv", index=False)
    return d, f


def test_fit_then_predict(files, capsys):
    d, f = files
    assert main(["fit", "--cohort", str(d / "cohort.csv"), "--model", "rsf", "--param", "n_estimators=15",
                 "--out", str(d / "m.skops"), "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "fitted rsf on 500 patients" in out
    assert "apparent Harrell C" in out
    assert load(d / "m.skops").get_params()["model__random_state"] == 1
    assert main(["predict", "--model", str(d / "m.skops"), str(d / "patients.csv"), "--out", str(d / "p.csv"),
                 "--scores", "revised_tokuhashi"]) == 0
    printed = capsys.readouterr().out
    assert "row 3: S(3m)=" in printed
    assert "revised_tokuhashi:" in printed
    assert "general_condition=" in printed
    assert "SIM" not in printed  # identifiers are never printed
    res = pd.read_csv(d / "p.csv")
    assert list(res["input_row"]) == [0, 1, 2, 3]
    assert list(res["patient_id"]) == list(f["patient_id"].iloc[:4])
    model = load(d / "m.skops")
    expected = model.predict_survival(f.iloc[:4], [3, 6, 12]).to_numpy()
    np.testing.assert_allclose(res[["S_3m", "S_6m", "S_12m"]].to_numpy(), expected, rtol=1e-12)
    assert res["S_24m"].isna().all() == (f["time_months"].max() < 24)


def test_predict_with_cox_prints_interval(files, capsys):
    d, f = files
    assert main(["fit", "--cohort", str(d / "cohort.csv"), "--model", "cox", "--param", "penalizer=0.01",
                 "--out", str(d / "c.skops")]) == 0
    assert main(["predict", "--model", str(d / "c.skops"), str(d / "patients.csv"), "--out", str(d / "c.csv"),
                 "--scores", "none"]) == 0
    printed = capsys.readouterr().out
    assert "95% confidence interval" in printed
    res = pd.read_csv(d / "c.csv")
    assert (res["S_6m_lower95"] <= res["S_6m"]).all()
    assert (res["S_6m"] <= res["S_6m_upper95"]).all()


def test_errors_are_one_line(files, capsys):
    d, _ = files
    assert main(["predict", "--model", str(d / "missing.skops"), str(d / "patients.csv")]) == 2
    err = capsys.readouterr().err
    assert "error:" in err
    assert "does not exist" in err
    assert "Traceback" not in err
    assert main(["fit", "--cohort", str(d / "cohort.csv"), "--model", "svm", "--out", str(d / "x.skops")]) == 2
    assert "unknown model kind" in capsys.readouterr().err
