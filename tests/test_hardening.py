"""Hardening (issue 14) outside the cohort layer: artifacts (signing, size limits, malformed
metadata and trees), metric input types, RSF edge cases, unknown model parameters, and
user-supplied names in figures. Each test checks the exact error class and message."""
import hashlib
import io
import json
import zipfile

import numpy as np
import pandas as pd
import pytest

from prognosis.errors import ArtifactError, InputError, MetricInputError, ModelError
from prognosis.models import persistence as P
from prognosis.models.forest import RandomSurvivalForestModel
from prognosis.survival_data import make_y

KEY = "0123456789abcdef-test-key"


@pytest.fixture(scope="module")
def rsf():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=80), "b": rng.normal(size=80)})
    y = make_y(rng.exponential(10, 80) + 0.1, rng.integers(0, 2, 80))
    return RandomSurvivalForestModel(n_estimators=3, min_samples_leaf=5).fit(X, y), X


def _reseal(src, dst, edit_meta=None, payload=None):
    """What an attacker does: edit, then recompute both digests (the 3 lines of the issue)."""
    with zipfile.ZipFile(src) as zf:
        meta, pl = json.loads(zf.read("meta.json")), zf.read("model.skops")
    if edit_meta:
        edit_meta(meta)
    pl = pl if payload is None else payload
    meta["payload_sha256"] = hashlib.sha256(pl).hexdigest()
    meta["digest"] = P._digest(meta, meta["payload_sha256"])
    with zipfile.ZipFile(dst, "w") as zf:
        zf.writestr("meta.json", json.dumps(meta))
        zf.writestr("model.skops", pl)


def test_resealed_artifact_loads_without_key_but_not_with_one(rsf, tmp_path, monkeypatch):
    m, _ = rsf
    monkeypatch.delenv("PROGNOSIS_SIGNING_KEY", raising=False)
    P.save(m, tmp_path / "m.skops")
    _reseal(tmp_path / "m.skops", tmp_path / "t.skops", edit_meta=lambda d: d["extra"].update(x=1))
    P.load(tmp_path / "t.skops")  # the digest proves integrity only, as documented
    monkeypatch.setenv("PROGNOSIS_SIGNING_KEY", KEY)
    with pytest.raises(ArtifactError) as exc:
        P.load(tmp_path / "t.skops")
    assert (
        str(exc.value) == f"{tmp_path / 't.skops'} is not signed, and a signing key is configured; refusing to load it"
    )


def test_signed_artifact_verifies_and_resealing_breaks_it(rsf, tmp_path, monkeypatch):
    m, X = rsf
    monkeypatch.setenv("PROGNOSIS_SIGNING_KEY", KEY)
    P.save(m, tmp_path / "m.skops")
    assert P.read_metadata(tmp_path / "m.skops")["signature"]["algorithm"] == "HMAC-SHA256"
    np.testing.assert_array_equal(P.load(tmp_path / "m.skops").predict(X), m.predict(X))
    _reseal(tmp_path / "m.skops", tmp_path / "t.skops", edit_meta=lambda d: d["extra"].update(x=1))
    with pytest.raises(ArtifactError, match="the signature does not match the configured signing key"):
        P.load(tmp_path / "t.skops")
    with pytest.raises(ArtifactError, match="the signature does not match"):
        P.load(tmp_path / "m.skops", key="another-key-of-16-bytes-or-more")


def test_key_file(rsf, tmp_path, monkeypatch):
    m, _ = rsf
    monkeypatch.delenv("PROGNOSIS_SIGNING_KEY", raising=False)
    (tmp_path / "k").write_text(KEY + "\n")
    monkeypatch.setenv("PROGNOSIS_SIGNING_KEY_FILE", str(tmp_path / "k"))
    P.save(m, tmp_path / "m.skops")
    P.load(tmp_path / "m.skops", key=KEY)  # the file's key, whitespace stripped
    with pytest.raises(ArtifactError, match="at least 16 bytes"):
        P.load(tmp_path / "m.skops", key="short")


def test_forest_with_out_of_range_child_is_refused_before_predict(rsf, tmp_path, monkeypatch):
    m, _ = rsf
    monkeypatch.delenv("PROGNOSIS_SIGNING_KEY", raising=False)
    import copy

    bad = copy.deepcopy(m)
    tree = bad.forest_.estimators_[1].tree_
    st = tree.__getstate__()
    nodes = st["nodes"].copy()
    nodes["left_child"][0] = 10 ** 6
    st["nodes"] = nodes
    tree.__setstate__(st)
    P.save(bad, tmp_path / "b.skops")  # digests are valid: only the tree check stands in the way
    with pytest.raises(ArtifactError) as exc:
        P.load(tmp_path / "b.skops")
    assert str(exc.value) == f"{tmp_path / 'b.skops'}: tree 1 is malformed (child index out of range)"


@pytest.mark.parametrize(("field", "value", "msg"), [
    ("feature", 99, "feature index out of range"), ("threshold", np.nan, "non-finite split threshold")])
def test_tree_feature_and_threshold_checks(rsf, tmp_path, monkeypatch, field, value, msg):
    m, _ = rsf
    monkeypatch.delenv("PROGNOSIS_SIGNING_KEY", raising=False)
    import copy

    bad = copy.deepcopy(m)
    tree = bad.forest_.estimators_[0].tree_
    st = tree.__getstate__()
    nodes = st["nodes"].copy()
    nodes[field][0] = value
    st["nodes"] = nodes
    tree.__setstate__(st)
    P.save(bad, tmp_path / "b.skops")
    with pytest.raises(ArtifactError, match=msg):
        P.load(tmp_path / "b.skops")


@pytest.mark.parametrize(("meta", "msg"), [([], "meta.json must hold a JSON object, got list"),
                                      (None, "meta.json must hold a JSON object, got NoneType"),
                                      ({"format": "prognosis-model"}, "meta.json field 'format_version' is missing")])
def test_malformed_metadata(tmp_path, meta, msg):
    with zipfile.ZipFile(tmp_path / "m.skops", "w") as zf:
        zf.writestr("meta.json", json.dumps(meta))
        zf.writestr("model.skops", b"x")
    with pytest.raises(ArtifactError, match=msg):
        P.load(tmp_path / "m.skops")


def test_zip_bomb_member_refused_before_expansion(tmp_path, monkeypatch):
    monkeypatch.setattr(P, "MAX_ARTIFACT_BYTES", 1 << 20)
    with zipfile.ZipFile(tmp_path / "m.skops", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("meta.json", "{}")
        zf.writestr("model.skops", b"\0" * (8 << 20))  # 8 MiB of zeros compress to ~8 KiB
    assert (tmp_path / "m.skops").stat().st_size < 100_000
    with pytest.raises(ArtifactError, match=r"member model.skops would expand to 8388608 bytes \(limit 1048576\)"):
        P.load(tmp_path / "m.skops")


def test_npy_header_larger_than_its_data_is_refused(rsf, tmp_path, monkeypatch):
    m, _ = rsf
    monkeypatch.delenv("PROGNOSIS_SIGNING_KEY", raising=False)
    P.save(m, tmp_path / "m.skops")
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": "<f8", "fortran_order": False, "shape": (1 << 27,)})
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("schema.json", "{}")
        zf.writestr("big.npy", buf.getvalue() + b"\0" * 64)  # claims 1 GiB, holds 64 bytes
    _reseal(tmp_path / "m.skops", tmp_path / "t.skops", payload=inner.getvalue())
    with pytest.raises(ArtifactError, match=r"array big.npy declares shape \(134217728,\) \(1073741824 bytes\)"):
        P.load(tmp_path / "t.skops")


def test_too_many_members(tmp_path):
    with zipfile.ZipFile(tmp_path / "m.skops", "w") as zf:
        for i in range(3):
            zf.writestr(f"f{i}", "x")
    with pytest.raises(ArtifactError, match=r"is not a prognosis model artifact \(3 members"):
        P.load(tmp_path / "m.skops")


# ---- metrics: text where numbers belong ------------------------------------------------------
def test_text_risk_and_survival_are_metric_input_errors():
    from prognosis.metrics import brier_score, time_dependent_auc

    t, e = np.arange(1, 21.0), np.r_[np.ones(10), np.zeros(10)]
    with pytest.raises(MetricInputError) as exc:
        brier_score(t, e, ["a"] * 20, 5.0)
    assert str(exc.value) == "surv must be numeric (got list with non-numeric values)"
    with pytest.raises(MetricInputError) as exc:
        time_dependent_auc(t, e, ["a"] * 20, 5.0)
    assert str(exc.value) == "risk must be numeric (got list with non-numeric values)"
    with pytest.raises(MetricInputError, match="^time must be numeric"):
        brier_score(["x"] * 20, e, np.full(20, 0.5), 5.0)


# ---- RSF edge cases --------------------------------------------------------------------------
def test_rsf_all_times_tied_is_a_model_error():
    X = pd.DataFrame({"a": np.arange(40.0)})
    with pytest.raises(ModelError) as exc:
        RandomSurvivalForestModel(n_estimators=3).fit(X, make_y(np.full(40, 5.0), np.ones(40)))
    assert str(exc.value) == ("RandomSurvivalForestModel needs at least two distinct follow-up times; all 40 "
                              "times are equal (5 months), so no split or survival curve can be estimated")


def test_rsf_predict_on_zero_rows(rsf):
    m, X = rsf
    assert m.predict(X.iloc[:0]).shape == (0,)
    assert m.predict_survival(X.iloc[:0], [1.0, 2.0]).shape == (0, 2)


# ---- CLI / models: unknown parameter ---------------------------------------------------------
def test_unknown_model_parameter():
    from prognosis.models import make_model

    with pytest.raises(InputError) as exc:
        make_model("rsf", n_estimator=10)
    assert str(exc.value).startswith("model 'rsf' has no parameter 'n_estimator' (did you mean 'n_estimators'?); "
                                     "its parameters are [")


# ---- report: names are plain text ------------------------------------------------------------
def test_dollar_signs_in_names_do_not_break_figures():
    from prognosis.report.figures import discrimination_figure, to_data_uri

    d = pd.DataFrame({"metric": ["harrell_c"] * 2, "predictor": ["$x^$", "a$b"], "corrected": [0.6, 0.7],
                      "ci_low": [0.5, 0.6], "ci_high": [0.7, 0.8], "apparent": [0.65, 0.75]})
    assert to_data_uri(discrimination_figure(d)).startswith("data:image/png;base64,")
