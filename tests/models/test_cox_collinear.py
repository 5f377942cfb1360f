"""Within-primary collinearity (MSK-MET: castration status never recorded) and Cox failures."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from prognosis.errors import ModelError
from prognosis.features import FeatureBuilder
from prognosis.models import CoxModel, make_model
from prognosis.survival_data import make_y


@pytest.fixture(scope="module")
def castration_unknown(small_cohort):
    f, y = small_cohort
    f = f.copy()
    f["castration"] = pd.Series(pd.NA, index=f.index, dtype=f["castration"].dtype)
    return f, y


def test_unpenalised_cox_fits_when_castration_is_never_recorded(castration_unknown):
    f, y = castration_unknown
    # the encoding before the fix: prostate[unknown] as a column next to site[prostate]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        X = FeatureBuilder("clinical+molecular").fit(f).transform(f)
    assert "prostate[unknown]" not in X.columns
    old = X.assign(**{"prostate[unknown]": (f["primary_site"] == "prostate").to_numpy(float)})
    with pytest.raises(ModelError, match=r"did not converge.*\['prostate\[unknown\]'\] are exact linear combinations"):
        CoxModel().fit(old, y)
    with pytest.warns(UserWarning, match=r"prostate\[unknown\]"):
        m = make_model("cox", feature_set="clinical+molecular").fit(f, y)
    cox = m.steps[-1][1]
    assert np.isfinite(cox.coef_).all()
    assert cox.penalizer == 0
    assert "site[prostate]" in cox.design_names_


def test_non_convergence_is_a_model_error(monkeypatch, small_cohort):
    from lifelines import CoxPHFitter
    from lifelines.exceptions import ConvergenceWarning

    original = CoxPHFitter.fit

    def fit_then_warn(self, *a, **k):
        out = original(self, *a, **k)
        warnings.warn("Newton-Raphson failed to converge sufficiently. Please see ...", ConvergenceWarning,
                      stacklevel=2)
        return out

    monkeypatch.setattr(CoxPHFitter, "fit", fit_then_warn)
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=80), "b": rng.normal(size=80)})
    y = make_y(rng.exponential(10, 80) + 0.1, rng.random(80) < 0.7)
    with pytest.raises(ModelError, match="did not converge.*penalizer"):
        CoxModel(solver="lifelines").fit(X, y)


def test_constant_column_is_named():
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"a": rng.normal(size=80), "k": np.ones(80)})
    y = make_y(rng.exponential(10, 80) + 0.1, rng.random(80) < 0.7)
    with pytest.raises(ModelError, match=r"constant column\(s\) \['k'\]"):
        CoxModel().fit(X, y)
