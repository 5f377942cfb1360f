"""save -> load -> predict is identical; tampering, untrusted types and column mismatch are refused."""
from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest
from sklearn.base import BaseEstimator

from prognosis.errors import ArtifactError
from prognosis.models import CoxModel, load, make_model, save
from prognosis.models.persistence import read_metadata

FAST = {"cox": {}, "rsf": {"n_estimators": 10}, "gbm": {"n_estimators": 10}}


@pytest.mark.parametrize("kind", ["cox", "rsf", "gbm"])
def test_roundtrip_identical(kind, small_cohort, tmp_path):
    f, y = small_cohort
    m = make_model(kind, **FAST[kind]).fit(f, y)
    p = save(m, tmp_path / f"{kind}.skops", training_data=f, metadata={"seed": 0})
    m2 = load(p)
    np.testing.assert_array_equal(m.predict(f), m2.predict(f))
    t = [1, 3, 6, 12]
    np.testing.assert_array_equal(m.predict_survival(f, t).to_numpy(), m2.predict_survival(f, t).to_numpy())
    meta = read_metadata(p)
    assert meta["feature_spec"]["builder"]["features"] == list(m.feature_names_)
    assert len(meta["training_checksum"]) == 64
    assert meta["extra"] == {"seed": 0}
    assert meta["versions"]["scikit-survival"]
    assert meta["created_utc"].endswith("+00:00")


def test_score_model_roundtrip(acceptance_split, tmp_path):
    tr, ytr, te, _ = acceptance_split
    m = make_model("score:revised_tokuhashi").fit(tr.iloc[:800], ytr[:800])
    m2 = load(save(m, tmp_path / "s.skops"))
    np.testing.assert_array_equal(m.predict_survival(te.iloc[:50], [3, 6]).to_numpy(),
                                  m2.predict_survival(te.iloc[:50], [3, 6]).to_numpy())


def _rewrite(path, meta=None, payload=None):
    with zipfile.ZipFile(path) as zf:
        m, pl = json.loads(zf.read("meta.json")), zf.read("model.skops")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("meta.json", json.dumps(meta if meta is not None else m))
        zf.writestr("model.skops", payload if payload is not None else pl)
    return m, pl


def test_tampered_payload_and_metadata_refused(small_cohort, tmp_path):
    f, y = small_cohort
    m = make_model("cox").fit(f, y)
    p = save(m, tmp_path / "m.skops")
    meta, payload = _rewrite(p)
    _rewrite(p, payload=payload[:-20] + bytes(20))
    with pytest.raises(ArtifactError, match="modified after it was saved"):
        load(p)
    p2 = save(m, tmp_path / "m2.skops")
    meta, _ = _rewrite(p2)
    meta["feature_spec"]["input_columns"] = ["kps"]
    _rewrite(p2, meta=meta)
    with pytest.raises(ArtifactError, match="modified after it was saved"):
        load(p2)
    (tmp_path / "junk.skops").write_bytes(b"not a zip")
    with pytest.raises(ArtifactError, match="not a readable"):
        load(tmp_path / "junk.skops")


class Sneaky(BaseEstimator):
    """A type outside the trusted list."""

    def __init__(self, a=1):
        self.a = a


def test_untrusted_type_refused(tmp_path):
    m = CoxModel()
    m.max_time_ = 1.0
    m.extra_ = Sneaky()
    p = save(m, tmp_path / "s.skops")
    with pytest.raises(ArtifactError, match="outside the trusted list"):
        load(p)


def test_column_mismatch_refused_at_predict(small_cohort, tmp_path):
    f, y = small_cohort
    pipe = make_model("cox").fit(f, y)
    loaded = load(save(pipe, tmp_path / "p.skops"))
    with pytest.raises(ArtifactError, match="does not match the input"):
        loaded.predict(f.drop(columns=["kps"]))
    X = pipe.steps[0][1].transform(f)
    bare = load(save(CoxModel().fit(X, y), tmp_path / "b.skops"))
    with pytest.raises(ArtifactError, match="does not match the input"):
        bare.predict(X.drop(columns=[X.columns[0]]))
    np.testing.assert_array_equal(bare.predict(X), pipe.predict(f))
