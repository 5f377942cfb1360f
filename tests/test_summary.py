"""One meaning of ``summary`` (issue 19 item 7): every ``summary`` in the package is a method
returning a :class:`prognosis._summary.Summary` whose ``str()`` is the text and whose ``.table``
is a DataFrame of the numbers shown in the text."""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import warnings

import numpy as np
import pandas as pd
import pytest

import prognosis
from prognosis._summary import Summary
from prognosis.datasets import load_demo
from prognosis.survival_data import make_y, y_from_frame


def _classes_with_summary():
    out = []
    for m in pkgutil.walk_packages(prognosis.__path__, "prognosis."):
        if m.name == "prognosis.__main__":
            continue
        mod = importlib.import_module(m.name)
        for _, cls in inspect.getmembers(mod, inspect.isclass):
            if cls.__module__ == mod.__name__ and "summary" in vars(cls):
                out.append(cls)
    return out


CLASSES = _classes_with_summary()


def test_every_summary_in_the_package_is_a_method_returning_a_summary():
    names = {c.__name__ for c in CLASSES}
    # the 16 classes of the inventory (new ones join automatically)
    assert {"Cohort", "ConcordanceResult", "CalibrationResult", "BootstrapResult", "PairedBootstrapResult",
            "OracleResult", "DevelopmentSampleSize", "ValidationSampleSize", "UpdateReport", "ScoreModel",
            "CoxModel", "ImputedModel", "MultipleImputer", "PooledResult", "ValidationResult",
            "StudyResult"} <= names
    for cls in CLASSES:
        attr = vars(cls)["summary"]
        assert inspect.isfunction(attr), f"{cls.__qualname__}.summary is a {type(attr).__name__}, not a method"
        ret = inspect.signature(attr).return_annotation
        assert ret in ("Summary", "CohortSummary"), f"{cls.__qualname__}.summary() -> {ret}"


def _check(s, *words):
    assert isinstance(s, Summary)
    assert not isinstance(s, str)  # a result, not a string (see prognosis/_summary.py)
    text = str(s)
    assert text
    assert text == s.text == repr(s) == f"{s}" == format(s, "")
    for w in words:
        assert w in text, (w, text)
    assert isinstance(s.table, pd.DataFrame)
    assert len(s.table)
    frame = s.to_frame()
    assert frame.equals(s.table)
    assert frame is not s.table
    html = s._repr_html_()
    assert "<table" in html
    return s


@pytest.fixture(scope="module")
def demo():
    d = load_demo().frame
    return d, y_from_frame(d)


def test_metrics_summaries(demo):
    from prognosis.metrics import bootstrap, calibration, harrell_c, paired_bootstrap
    from prognosis.simulate import true_survival

    d, _ = demo
    c = harrell_c(d["time_months"], d["event"], d["true_lp"])
    s = _check(c.summary(), "Harrell C = ")
    assert s.table.loc["harrell", "estimate"] == float(c)
    assert s.table.loc["harrell", "comparable"] == c.comparable
    cal = calibration(d["time_months"], d["event"], true_survival(d, [12])[12], t=12)
    s = _check(cal.summary(), "Calibration at t = 12", "ICI")
    assert s.table.loc[12, "slope"] == cal.slope
    small = d[["time_months", "event", "true_lp", "age_years"]].head(200)

    def c_of(col):
        return lambda x: float(harrell_c(x["time_months"], x["event"], x[col], warn_reversed=False))

    b = bootstrap(c_of("true_lp"), small, n_boot=20, seed=1)
    s = _check(b.summary(), "Bootstrap (20 replicates")
    assert s.table.loc["metric", "lower"] == b.lower
    p = paired_bootstrap(c_of("true_lp"), c_of("age_years"), small, n_boot=20, seed=1)
    s = _check(p.summary(), "a - b = ")
    assert s.table.loc[0, "difference"] == p.difference
    assert repr(p) == str(p.summary())


def test_cohort_and_simulation_summaries(demo):
    from prognosis.simulate import oracle

    c = load_demo()
    s = _check(c.summary(), "Cohort summary", "deaths 683")
    assert s.n_events == 683
    assert s.table.loc[0, "n_events"] == 683
    o = oracle(c, times=[6, 12])
    s = _check(o.summary(), "Harrell C of true_lp")
    assert list(s.table.index) == [6.0, 12.0]


def test_samplesize_summaries():
    from prognosis import samplesize

    dev = samplesize.development(0.051, 30, 0.065, 2, 2.07)
    s = _check(dev.summary(), "binding")
    assert s.table.equals(dev.table())
    assert str(dev) == s.text
    val = samplesize.validation(risk=0.3, cstatistic=0.7)
    s = _check(val.summary(), "minimum sample size")
    assert str(val) == s.text


def test_model_summaries(demo):
    from prognosis.models import CoxModel, ScoreModel, update

    d, y = demo
    X = d[["age_years", "kps", "albumin_g_dl"]].fillna(d[["age_years", "kps", "albumin_g_dl"]].median())
    cox = CoxModel().fit(X, y)
    s = _check(cox.summary(), "Cox proportional hazards model", "kps")
    np.testing.assert_array_equal(s.table["coef"].to_numpy(), cox.coef_)
    assert list(s.table.columns) == ["coef", "HR", "HR_lower_95", "HR_upper_95", "se", "z", "p"]
    _, rep = update(cox, X.tail(400), make_y(d["time_months"].tail(400), d["event"].tail(400)), method="slope")
    _check(rep.summary(), "Model update on 400 patients")
    assert str(rep) == str(rep.summary())
    for how, word in (("cox", "proportional hazards"), ("km", "Kaplan–Meier per published group")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", prognosis.errors.ProportionalHazardsWarning)
            m = ScoreModel("tomita", how=how).fit(d, y)
        _check(m.summary(), word)


def test_imputation_summaries():
    from prognosis.impute import MultipleImputer, pool

    rng = np.random.default_rng(0)
    p = pool(rng.normal(size=(5, 2)), np.full((5, 2), 0.1), names=["a", "b"])
    s = _check(p.summary(), "Pooled over m = 5 imputations")
    assert list(s.table.index) == ["a", "b"]
    assert "fmi" in s.table.columns
    d = load_demo().frame.head(150)[["age_years", "albumin_g_dl", "kps", "time_months", "event"]].copy()
    d.loc[d.index[::4], "albumin_g_dl"] = np.nan
    imp = MultipleImputer(m=2, maxit=2, seed=1).fit(d)
    s = _check(imp.summary(), "chained equations")
    assert "albumin_g_dl" in s.table.index


def test_validation_summary():
    from prognosis.study.validation import ValidationResult

    table = pd.DataFrame({"predictor": ["a", "a"], "metric": ["harrell_c", "uno_c"], "apparent": [0.7, 0.69],
                          "optimism": [0.01, 0.01], "corrected": [0.69, 0.68], "ci_low": [0.65, 0.64],
                          "ci_high": [0.73, 0.72], "n_rep": [10, 10]})
    reps = pd.DataFrame({"predictor": ["a"], "metric": ["harrell_c"], "replicate": [0]})
    res = ValidationResult("bootstrap", table, reps, {})
    s = _check(res.summary(), "Internal validation (bootstrap, 1 replicates")
    assert s.table.loc[("a", "uno_c"), "corrected"] == 0.68
    assert list(res.summary("uno_c").table.index) == [("a", "uno_c")]


def test_summary_text_built_from_a_table_formats_small_numbers():
    s = Summary(table=pd.DataFrame({"p": [3e-12, 0.5]}, index=["x", "y"]), title="t", notes=["n"])
    lines = str(s).splitlines()
    assert lines[0] == "t"
    assert lines[-1] == "n"
    assert "3e-12" in str(s)
    assert "0.5000" in str(s)
    assert s._repr_html_().startswith("<p><b>t</b></p>")
    empty = Summary(table=pd.DataFrame(columns=["a"]), title="nothing")
    assert str(empty) == "nothing\n(no rows)"
    assert Summary("just text").table.empty
    assert f"[{Summary('ab'):>4}]" == "[  ab]"
    assert prognosis.Summary is Summary
