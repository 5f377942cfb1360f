"""A model kind registered once is known to make_model, config validation, persistence and the CLI."""
from __future__ import annotations

import argparse
import copy

import numpy as np
import pytest

from prognosis.errors import ConfigError, InputError
from prognosis.models import CoxModel, load, make_model, save
from prognosis.models.registry import (
    ModelKind,
    get_model_kind,
    model_kinds,
    register_model,
    unregister_model,
)


class RidgeCox(CoxModel):
    """A "new" model kind: a Cox model with a ridge penalty by default."""

    def __init__(self, penalizer: float = 0.1, l1_ratio: float = 0.0, strata=None, spline_terms: tuple = (),
                 spline_knots: int = 4, baseline: str = "efron", alpha: float = 0.05, solver: str = "auto"):
        super().__init__(penalizer=penalizer, l1_ratio=l1_ratio, strata=strata, spline_terms=spline_terms,
                         spline_knots=spline_knots, baseline=baseline, alpha=alpha, solver=solver)


@pytest.fixture
def ridge_kind():
    kind = register_model(ModelKind("ridgecox", f"{RidgeCox.__module__}.{RidgeCox.__qualname__}",
                                    "Cox model with ridge penalty 0.1"))
    yield kind
    unregister_model("ridgecox")


def test_builtin_kinds():
    assert model_kinds()[:3] == ("cox", "rsf", "gbm")
    assert get_model_kind("rsf").seeded
    assert not get_model_kind("cox").seeded
    with pytest.raises(InputError, match=r"unknown model kind 'rfs' \(did you mean 'rsf'\?\)"):
        get_model_kind("rfs")
    with pytest.raises(InputError, match="already registered"):
        register_model(ModelKind("cox", "prognosis.models.cox.CoxModel", "again"))


# encoding notes on the small cohort; not what this test checks
@pytest.mark.filterwarnings("ignore::prognosis.errors.FeatureEncodingWarning")
def test_registered_kind_is_known_everywhere(ridge_kind, small_cohort, tmp_path):
    f, y = small_cohort
    # make_model
    m = make_model("ridgecox").fit(f.iloc[:300], y[:300])
    assert isinstance(m.steps[-1][1], RidgeCox)
    assert m.steps[-1][1].penalizer == 0.1
    # persistence trusts it without an edit to persistence.py
    m2 = load(save(m, tmp_path / "r.skops"))
    np.testing.assert_array_equal(m.predict(f.iloc[:20]), m2.predict(f.iloc[:20]))
    # study config validation
    from prognosis.study.config import DEMO_CONFIG, load_config

    cfg = copy.deepcopy(DEMO_CONFIG)
    cfg["models"] = [{"name": "ridge", "kind": "ridgecox", "features": "clinical"}]
    assert load_config(cfg).models[0].kind == "ridgecox"
    # CLI help
    from prognosis.cli import fit as cli_fit

    parser = argparse.ArgumentParser()
    p = cli_fit.add_parser(parser.add_subparsers())
    assert "ridgecox = Cox model with ridge penalty 0.1" in p.format_help().replace("\n", " ").replace("  ", " ")


def test_unregistered_kind_refused_by_config():
    from prognosis.study.config import DEMO_CONFIG, load_config

    cfg = copy.deepcopy(DEMO_CONFIG)
    cfg["models"] = [{"name": "x", "kind": "ridgecox", "features": "clinical"}]
    with pytest.raises(ConfigError, match="unknown model kind 'ridgecox'"):
        load_config(cfg)
