"""The measure catalogue: keys, tidy rows, display helpers, registration, and the agreement of each
built-in measure's own function with the study scorer's joint kernels."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from prognosis.metrics import catalogue
from prognosis.metrics.catalogue import Measure, MeasureData


def _const(d, h=None):
    return 0.5


def test_keys_round_trip():
    assert catalogue.key("brier", 12) == "brier@12"
    assert catalogue.key("brier", 1.5) == "brier@1.5"
    assert catalogue.key("harrell_c") == catalogue.key("harrell_c", float("nan")) == "harrell_c"
    assert catalogue.parse_key("brier@12") == ("brier", 12.0)
    m, h = catalogue.parse_key("uno_c")
    assert m == "uno_c"
    assert np.isnan(h)


def test_tidy_and_legacy_keys_are_inverse():
    legacy = pd.DataFrame({"predictor": ["a", "a", "b"], "metric": ["harrell_c", "brier@6", "slope@12"],
                           "value": [0.7, 0.2, 0.9]})
    t = catalogue.tidy(legacy)
    assert list(t.columns) == ["predictor", "metric", "horizon", "value"]
    assert list(t["metric"]) == ["harrell_c", "brier", "slope"]
    assert np.isnan(t["horizon"].iloc[0])
    assert list(t["horizon"].iloc[1:]) == [6.0, 12.0]
    assert list(catalogue.legacy_keys(t)) == list(legacy["metric"])
    s = catalogue.tidy_scores({"a": {"harrell_c": 0.7, "ici@12": 0.02}})
    assert list(s["metric"]) == ["harrell_c", "ici"]
    assert s["horizon"].iloc[1] == 12.0


def test_every_builtin_entry_is_complete():
    for m in catalogue.measures():
        assert m.group in catalogue.GROUPS
        assert m.label
        assert m.short
        assert m.description
        assert m.citation
        assert callable(m.compute)
    # display order: groups in GROUPS order
    groups = [m.group for m in catalogue.measures()]
    assert groups == sorted(groups, key=catalogue.GROUPS.index)
    assert catalogue.names(kernel="calibration") == ("ici", "e50", "e90", "slope", "oe_ratio")
    assert catalogue.names(compare=True) == ("harrell_c", "uno_c")


def test_invalid_entries_are_refused():
    with pytest.raises(ValueError, match="group"):
        Measure("x", "X", "X", "utility", False, "higher", _const)
    with pytest.raises(ValueError, match="direction"):
        Measure("x", "X", "X", "overall", False, "up", _const)
    with pytest.raises(ValueError, match="name"):
        Measure("a@b", "X", "X", "overall", False, "higher", _const)
    with pytest.raises(ValueError, match="already"):
        catalogue.register(Measure("brier", "B", "B", "overall", True, "lower", _const))
    with pytest.raises(KeyError, match="not in the measure catalogue"):
        catalogue.get("no_such_measure")


def test_registered_is_removed_after_the_block():
    toy = Measure("toy_const", "Toy constant", "Toy", "overall", False, "higher", _const)
    with catalogue.registered(toy):
        assert catalogue.get("toy_const") is toy
        assert catalogue.names(group="overall")[-1] == "toy_const"
    assert "toy_const" not in catalogue.names()


def test_format_and_ranking():
    assert catalogue.format_value(0.71234, 0.7, 0.73) == "0.712 (0.700–0.730)"
    assert catalogue.format_value(0.71234, np.nan, np.nan) == "0.712"
    assert catalogue.format_value(np.nan) == "–"
    assert catalogue.format_value(0.012, -0.01, 0.03, signed=True) == "+0.012 (-0.010 to +0.030)"
    assert catalogue.get("oe_ratio").format(1.08456) == "1.085"
    d = pd.DataFrame({"p": list("abcd"), "v": [0.8, 1.3, np.nan, 1.05]})
    assert list(catalogue.best_first(d, "slope", "v")["p"]) == ["d", "a", "b", "c"]      # closest to 1
    assert list(catalogue.best_first(d, "ici", "v")["p"]) == ["a", "d", "b", "c"]        # lower
    assert list(catalogue.best_first(d, "harrell_c", "v")["p"]) == ["b", "d", "a", "c"]  # higher
    assert catalogue.column_label("brier", 12.0) == "Brier @12m"
    assert catalogue.label("harrell_c", short=False) == "Harrell's C"
    assert catalogue.label("unknown_thing") == "unknown_thing"


def test_wide_orders_columns_by_the_catalogue():
    t = pd.DataFrame({"predictor": ["a"] * 4, "metric": ["slope", "brier", "harrell_c", "brier"],
                      "horizon": [12.0, 12.0, np.nan, 6.0], "value": [1.0, 0.2, 0.7, 0.1]})
    w = catalogue.wide(t, "value")
    assert list(w.columns) == ["predictor", "Harrell C", "Brier @6m", "Brier @12m", "Calibration slope @12m"]
    wh = catalogue.wide(t[t["horizon"].notna()], "value", by_horizon=True)
    assert list(wh.columns) == ["predictor", "horizon", "Brier", "Calibration slope"]
    assert list(wh["horizon"]) == [12.0, 6.0]
    # a horizon-free measure gets its own row (horizon NaN) with its value
    wf = catalogue.wide(t, "value", by_horizon=True)
    assert len(wf) == 3
    free = wf[wf["horizon"].isna()].iloc[0]
    assert free["Harrell C"] == 0.7
    assert np.isnan(free["Brier"])


def test_auto_interval_comes_from_the_entry():
    assert catalogue.auto_interval("slope@12") == "fixed"
    assert catalogue.auto_interval("brier@12") == "combined"
    assert catalogue.auto_interval("not_known@3") == "combined"


@pytest.fixture(scope="module")
def scored():
    """A Cox model's predictions on a demo subsample, scored by the study's joint kernels."""
    from prognosis.datasets import load_demo
    from prognosis.models import make_model
    from prognosis.study.scoring import StudyScorer
    from prognosis.survival_data import y_from_frame

    f = load_demo("development").frame.sample(250, random_state=3).reset_index(drop=True)
    y = y_from_frame(f)
    est = make_model("cox", feature_set="clinical").fit(f, y)
    scorer = StudyScorer([6, 12])
    preds = scorer.predict(est, f)
    t, e = y["time_months"], y["event"].astype(int)
    data = MeasureData(t, e, preds.risk, preds.at(scorer.horizons), scorer.horizons, t, e, scorer.tau)
    return data, scorer.evaluate(preds, y, y)


def test_each_builtin_function_equals_the_study_scorer(scored):
    """The catalogue's function of every built-in measure (one call into prognosis.metrics, the
    functions checked against R in this folder) gives the value the scorer's joint kernels give."""
    data, out = scored
    values = catalogue.evaluate(data, catalogue.measures())
    assert set(values) == set(out)
    for k, v in out.items():
        assert values[k] == pytest.approx(v, rel=1e-12, abs=1e-14), k


def test_an_extra_measure_is_computed_and_nan_beyond_follow_up(scored):
    data, _ = scored

    def mean_risk(d, h):
        return float(np.mean(1 - d.surv_at(h)))

    toy = Measure("toy_mean_risk", "Mean predicted risk", "Mean risk", "calibration", True, "one", mean_risk)
    S = data.surv.copy()
    S[:, 1] = np.nan                                   # 12 months beyond the fit's follow-up
    short = MeasureData(data.time, data.event, data.risk, S, data.horizons)
    out = catalogue.evaluate(short, [toy])
    assert out["toy_mean_risk@6"] == pytest.approx(float(np.mean(1 - data.surv[:, 0])), rel=1e-15)
    assert np.isnan(out["toy_mean_risk@12"])
