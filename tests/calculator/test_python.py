"""Python side of the calculator: median convention (vs R), score tables (vs scores.compute),
Cox export and per-item contributions, patient parsing, CLI refusals and predict --patient."""
from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from prognosis import scores
from prognosis.cli.main import main
from prognosis.cohort.schema import COLUMN_BY_NAME
from prognosis.errors import InputError, ModelError
from prognosis.models.explain import cox_contributions
from prognosis.models.individual import export_cox, median_survival
from prognosis.report.calculator import harmonize_patient, parse_patient, patient_result
from prognosis.report.calculator.score_tables import evaluate, score_tables


@pytest.fixture(scope="module")
def tables():
    return score_tables()


def test_median_matches_r_survfit(repo_root):
    ref = json.loads((repo_root / "tests" / "reference" / "median_survfit.json").read_text())
    for name, case in ref.items():
        t = np.asarray(case["time"], float)
        for curve, key in (("surv", "median"), ("lower", "median_lower"), ("upper", "median_upper")):
            s = np.array([np.nan if v is None else v for v in case[curve]], float)
            got = median_survival(t, s)
            want = case[key]
            assert (want is None and np.isnan(got)) or got == pytest.approx(want, abs=1e-12), (name, key, got, want)


def _random_patients(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cols = sorted({c for name in scores.available() for c in scores.required_columns(name)})
    rows = []
    for _ in range(n):
        row = {}
        for c in cols:
            spec = COLUMN_BY_NAME[c]
            if rng.random() < 0.2:
                row[c] = None
            elif spec.kind == "category":
                row[c] = str(rng.choice(spec.categories))
            elif spec.kind == "bool":
                row[c] = bool(rng.integers(2))
            elif spec.kind == "int":
                hi = spec.max if spec.max is not None else 8
                row[c] = int(rng.integers(spec.min, hi + 1))
            else:  # labs: around their thresholds and over the range, incl. exact threshold values
                thr = {"crp_mg_dl": 0.4, "ldh_u_l": 250.0, "albumin_g_dl": 3.5, "platelets_10e9_l": 100.0,
                       "calcium_mg_dl": 10.3, "bilirubin_mg_dl": 1.4, "months_since_primary": 15.0,
                       "motor_deficit_days": 7.0}.get(c, 1.0)
                top = 4 * thr if spec.max is None else min(spec.max, 4 * thr)
                row[c] = float(rng.choice([thr, 3.7 if c == "albumin_g_dl" else thr, np.nextafter(thr, 0),
                                           np.nextafter(thr, np.inf), rng.uniform(spec.min, top)]))
        rows.append(row)
    return pd.DataFrame(rows, columns=cols)


def test_score_tables_reproduce_scores_compute(tables):
    pts = _random_patients(1000, seed=1)
    for name in scores.available():
        ref = scores.compute(pts, name)
        for i in range(len(pts)):
            r = evaluate(tables, name, {k: (None if pd.isna(v) else v) for k, v in pts.iloc[i].items()})
            assert (r["min"], r["max"]) == (int(ref[f"{name}_min"].iloc[i]), int(ref[f"{name}_max"].iloc[i])), (name, i)
            g = ref[f"{name}_group"].iloc[i]
            assert r["group"] == (None if pd.isna(g) else g), (name, i)
            for comp, (lo, hi) in r["items"].items():
                v = ref[f"{name}__{comp}"].iloc[i]
                assert (lo == hi and not pd.isna(v) and lo == v) or (lo != hi and pd.isna(v)), (name, comp, i)


def test_every_score_is_tabulated():
    """Every registered score (survival and mechanical) is in the page's tables; none excluded."""
    from prognosis.report.calculator.score_tables import excluded_scores

    assert excluded_scores() == {}
    assert list(score_tables()) == scores.available()


def test_untabulable_score_is_excluded_with_reason(monkeypatch):
    """A score whose item changes beyond the scanned range of an unbounded column is left out
    with the reason (here: Rades' 15-month interval with the float scan cut to 0-10)."""
    import importlib

    st = importlib.import_module("prognosis.report.calculator.score_tables")

    monkeypatch.setattr(st, "_FLOAT_SCAN_MAX", 10.0)
    st._score_tables.cache_clear()
    try:
        tabs = st.score_tables(["tomita", "rades_sle"], seed=3)
        why = st.excluded_scores(["tomita", "rades_sle"], seed=3)
    finally:
        st._score_tables.cache_clear()
    assert list(tabs) == ["tomita"]
    assert set(why) == {"rades_sle"}
    assert "'interval'" in why["rades_sle"]
    assert "months_since_primary" in why["rades_sle"]


def test_contributions_sum_to_linear_predictor(cox_artifact):
    from .conftest import patient_table

    model = cox_artifact["model"]
    frame = harmonize_patient(patient_table().iloc[:10].reset_index(drop=True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c = cox_contributions(model, frame)
        lp = model.predict(frame)
    assert np.allclose(c.drop(columns="lp").sum(axis=1), lp, atol=1e-12)
    assert np.allclose(c["lp"], lp, atol=1e-12)
    # a spline variable and its non-linear terms are one item; indicators go with their item
    assert "age_years" in c.columns
    assert not any("'" in k for k in c.columns)
    assert set(c.attrs["columns"]["kps"]) >= {"kps", "kps_missing"}
    assert "primary_site[missing]" in c.attrs["columns"]["primary_site"]


def test_contributions_refuse_forests(small_rsf):
    with pytest.raises(ModelError, match="Cox models only"):
        cox_contributions(small_rsf, pd.DataFrame())


@pytest.fixture(scope="module")
def small_rsf():
    from prognosis.datasets import load_demo
    from prognosis.models import make_model
    from prognosis.survival_data import y_from_frame

    dev = load_demo("development").frame.sample(200, random_state=1)
    return make_model("rsf", n_estimators=5, random_state=0).fit(dev, y_from_frame(dev))


def test_export_refuses_non_cox(small_rsf):
    with pytest.raises(ModelError, match="prognosis serve"):
        export_cox(small_rsf)


def test_calculator_cli_points_forests_to_serve(small_rsf, tmp_path, capsys):
    from prognosis.models import save

    save(small_rsf, tmp_path / "rsf.skops")
    assert main(["calculator", "--model", str(tmp_path / "rsf.skops"), "--out", str(tmp_path / "c.html")]) == 2
    assert "prognosis serve" in capsys.readouterr().err
    assert not (tmp_path / "c.html").exists()


def test_export_subtype_tables_follow_encoders(cox_artifact):
    spec = export_cox(cox_artifact["model"])
    lung = next(it for it in spec["features"]["items"] if it.get("site") == "lung")
    assert lung["table"]["mutant|rearranged||"] == "egfr_mutant"      # hierarchy: EGFR first
    assert lung["table"]["unknown|unknown||"] == "untested"
    assert lung["table"]["wildtype|||"] == "wildtype"
    assert "kps" in spec["features"]["indicators"]
    assert "primary_site" in spec["features"]["indicators"]
    assert "sex" in spec["features"]["few_missing"]


@pytest.mark.parametrize(("pairs", "match"), [
    (["kps=150"], "kps"), (["primary_site=mars"], "primary_site"), (["kps"], "column=value"),
    (["patient_id=x"], "not a canonical"), (["kps=75.5"], "whole number"), (["brain_mets=maybe"], "yes/no"),
])
def test_parse_patient_refuses_bad_input(pairs, match):
    with pytest.raises(InputError, match=match):
        parse_patient(pairs)


def test_parse_patient_normalises():
    f = parse_patient(["frankel=d", "primary_site=Lung", "brain_mets=yes", "albumin_g_dl=", "kps=70"])
    assert f.iloc[0].to_dict() == {"frankel": "D", "primary_site": "lung", "brain_mets": True,
                                   "albumin_g_dl": None, "kps": 70}
    # upper-case schema vocabularies other than Frankel (spine_level) are matched case-insensitively
    g = parse_patient(["spine_level=t12", "sins_pain=Mechanical", "months_since_primary=15"])
    assert g.iloc[0].to_dict() == {"spine_level": "T12", "sins_pain": "mechanical", "months_since_primary": 15.0}


def test_predict_patient_cli(cox_artifact, capsys, tmp_path):
    png = tmp_path / "curve.png"
    rc = main(["predict", "--model", str(cox_artifact["path"]), "--patient", "age_years=62", "kps=70",
               "primary_site=lung", "egfr=mutant", "--plot", str(png)])
    out = capsys.readouterr().out
    assert rc == 0
    frame = harmonize_patient(parse_patient(["age_years=62", "kps=70", "primary_site=lung", "egfr=mutant"]))
    res = patient_result(cox_artifact["model"], frame)
    assert f"S(12m)={res['horizons'][2]['s']:.2f}" in out
    assert "median" in out
    assert "contribution" in out.lower()
    assert png.stat().st_size > 10_000


@pytest.mark.slow
def test_individual_patient_notebook_runs(repo_root):
    """notebooks/05 runs top to bottom without a widget frontend (as tests/test_notebooks.py runs the others)."""
    import os

    import nbformat
    from nbclient import NotebookClient

    path = repo_root / "notebooks" / "05_individual_patient.ipynb"
    nb = nbformat.read(path, as_version=4)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit notebooks without outputs"
    os.environ["MPLBACKEND"] = "Agg"
    # the kernel imports this checkout's prognosis (not another installed copy)
    os.environ["PYTHONPATH"] = os.pathsep.join([str(repo_root)] + [p for p in [os.environ.get("PYTHONPATH")] if p])
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    outs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outs if o.get("output_type") == "error"]
    text = "".join(o.get("text", "") for o in outs)
    assert "S(12 months) =" in text
    assert "median survival" in text
