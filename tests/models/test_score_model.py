"""ScoreModel: classic scores as survival predictors."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from prognosis import scores
from prognosis.errors import ModelError
from prognosis.metrics.concordance import harrell_c
from prognosis.models import ScoreModel, make_model


@pytest.fixture(scope="module")
def complete(acceptance_split):
    tr, ytr, te, yte = acceptance_split
    return tr.iloc[:1500], ytr[:1500], te.iloc[:600], yte[:600]


# demo data: PH rejected for the Tokuhashi total; not what this test checks
@pytest.mark.filterwarnings("ignore::prognosis.errors.ProportionalHazardsWarning")
def test_cox_on_total_has_the_c_of_the_total(complete):
    tr, ytr, te, yte = complete
    m = make_model("score:revised_tokuhashi").fit(tr, ytr)
    total = pd.to_numeric(scores.compute(te, "revised_tokuhashi")["revised_tokuhashi"]).to_numpy(float)
    assert m.cox_.coef_[0] < 0  # higher Tokuhashi = longer survival, learnt from the data
    assert m.score(te, yte) == pytest.approx(float(harrell_c(yte["time_months"], yte["event"], -total)))
    s = m.predict_survival(te.iloc[:20], [3, 6, 12])
    assert (np.diff(s.to_numpy(), axis=1) <= 0).all()
    assert clone(m).get_params() == m.get_params()


def test_published_curve_is_a_step_function_with_honest_gaps(complete):
    tr, ytr, te, yte = complete
    m = ScoreModel("katagiri_new", how="published").fit(tr, ytr)
    grp = scores.compute(te, "katagiri_new")["katagiri_new_group"].astype(object).fillna("").to_numpy()
    s = m.predict_survival(te, [0, 3, 6, 12, 18, 24])
    assert s[grp == ""].isna().all().all()  # group undetermined (missing items): no prediction
    keep = grp != ""
    te, yte = te[keep], yte[keep]
    pub = {"low risk": (0.98, 0.91, 0.78), "intermediate risk": (0.74, 0.49, 0.28), "high risk": (0.27, 0.06, 0.02)}
    for g, (s6, s12, s24) in pub.items():
        rows = s[grp == g]
        if len(rows) == 0:
            continue
        assert (rows[0.0] == 1).all()
        assert rows[3.0].isna().all()
        assert (rows[6.0] == s6).all()
        assert (rows[12.0] == s12).all()
        assert (rows[18.0] == s12).all()
        assert (rows[24.0] == s24).all()
    with pytest.raises(ModelError, match="beyond the last published"):
        m.predict_survival(te.iloc[:2], [30])
    risk = m.predict(te)
    assert harrell_c(yte["time_months"], yte["event"], risk) > 0.6


def test_published_refused_when_the_source_gives_none(complete):
    tr, ytr, _, _ = complete
    with pytest.raises(ModelError, match="publishes no group survival"):
        ScoreModel("tomita", how="published").fit(tr, ytr)


# demo data: PH rejected for the Tokuhashi total; not what this test checks
@pytest.mark.filterwarnings("ignore::prognosis.errors.ProportionalHazardsWarning")
def test_missing_items_raise_or_use_midrange(complete):
    tr, ytr, te, _ = complete
    tr = tr.copy()
    tr["kps"] = tr["kps"].astype("Int64")
    tr.loc[tr.index[:3], "kps"] = pd.NA
    with pytest.raises(ModelError, match=r"rows \[0, 1, 2\]"):
        ScoreModel("revised_tokuhashi").fit(tr, ytr)
    m = ScoreModel("revised_tokuhashi", missing="midrange").fit(tr, ytr)
    tab = scores.compute(tr.iloc[:3], "revised_tokuhashi")
    mid = (pd.to_numeric(tab["revised_tokuhashi_min"]) + pd.to_numeric(tab["revised_tokuhashi_max"])).to_numpy(
        float
    ) / 2
    np.testing.assert_allclose(m.predict(tr.iloc[:3]), m.cox_.coef_[0] * (mid - m.cox_.means_[0]))


def test_how_km_is_each_groups_kaplan_meier_and_cox_reports_ph(complete):
    import warnings

    from prognosis.errors import ProportionalHazardsWarning
    from prognosis.metrics import kaplan_meier

    tr, ytr, te, _ = complete
    m = ScoreModel("katagiri_new", how="km", missing="midrange").fit(tr, ytr)
    grp = m._groups_filled(m.compute(tr))
    s = m.predict_survival(tr, [3, 6, 12]).to_numpy()
    for g in np.unique(grp):
        k = grp == g
        km = kaplan_meier(ytr["time_months"][k], ytr["event"][k])
        np.testing.assert_allclose(s[k][0], km([3, 6, 12]), atol=1e-12)
    risk = m.predict(tr)
    assert harrell_c(ytr["time_months"], ytr["event"], risk) > 0.55
    assert "Kaplan–Meier per published group" in str(m.summary())
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        c = ScoreModel("katagiri_new", how="cox", missing="midrange").fit(tr, ytr)
    assert 0 <= c.ph_test_["p"] <= 1
    assert "proportional hazards (cox.zph" in str(c.summary())
    assert any(issubclass(x.category, ProportionalHazardsWarning) for x in w) == (c.ph_test_["p"] < 0.05)
    with pytest.raises(Exception, match="how must be"):
        ScoreModel("katagiri_new", how="weibull").fit(tr, ytr)
