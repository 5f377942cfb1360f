"""Saving and loading fitted models without executing code on load.

An artifact is a zip file with two members:

``model.skops``
    the estimator serialised by `skops <https://skops.readthedocs.io>`_ (no pickle). Every
    model here holds only NumPy / Python state after ``fit`` (CoxModel drops its lifelines
    fitter), so skops covers all of them.
``meta.json``
    format version, model class, feature spec (FeatureBuilder spec and the model's input
    columns), training-cohort checksum, package versions, creation date (UTC), the sha256 of
    ``model.skops`` and a sha256 digest over both.

:func:`load` verifies both digests (a modified file is refused with
:class:`~prognosis.errors.ArtifactError`), checks that every type in the payload is in
:data:`TRUSTED_TYPES` (our estimators and the scikit-learn / scikit-survival types they
contain) and only then lets skops build the objects. The loaded model refuses input whose
columns do not match the stored feature spec (ArtifactError at predict time).

The digests detect corruption and naive edits; they are not a signature (anyone can recompute
them). Safety against code execution comes from skops' type allow-list, not from the digest.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import zipfile
from pathlib import Path

from .._provenance import frame_digest, versions
from ..errors import ArtifactError
from .registry import trusted_types

__all__ = ["save", "load", "read_metadata", "TRUSTED_TYPES", "FORMAT_VERSION", "frame_checksum"]

FORMAT_VERSION = "1"

#: Types allowed in a payload besides those skops trusts by default (NumPy, builtins, most of
#: scikit-learn) and those of the registered model kinds
#: (:func:`prognosis.models.registry.trusted_types`, read again at each :func:`load`).
#: Anything else makes :func:`load` refuse the file.
TRUSTED_TYPES = trusted_types() + (
    "prognosis.models.score_model.ScoreModel",
    "prognosis.models.pipeline.SurvivalPipeline",
    "prognosis.features.builder.FeatureBuilder",
    "sksurv.linear_model.coxph.BreslowEstimator",
    "sksurv.nonparametric.SurvivalFunctionEstimator",
    "sksurv.functions.StepFunction",
    "sklearn.tree._tree.Tree",
    "sklearn.tree._classes.DecisionTreeRegressor",
    "sklearn.dummy.DummyRegressor",
    "sklearn.impute._iterative.IterativeImputer",
    "sklearn.impute._base.SimpleImputer",
    "sklearn.impute._base.MissingIndicator",
    "sklearn.linear_model._bayes.BayesianRidge",
    "sklearn.utils._bunch.Bunch",
    "numpy.random._mt19937.MT19937",
    "numpy.random.mtrand.RandomState",
    "collections.OrderedDict",
    "builtins.slice",
    "builtins.frozenset",
)


#: sha256 of a DataFrame's values and column names (row order matters); the package-wide digest.
frame_checksum = frame_digest


def _feature_spec(model) -> dict:
    from .pipeline import SurvivalPipeline

    spec: dict = {}
    final = model
    if isinstance(model, SurvivalPipeline):
        spec["builder"] = model.steps[0][1].spec()
        spec["input_columns"] = list(model.steps[0][1].input_columns_)
        final = model.steps[-1][1]
    if hasattr(final, "feature_names_in_"):
        spec["model_columns"] = [str(c) for c in final.feature_names_in_]
        spec.setdefault("input_columns", spec["model_columns"])
    return spec


def _digest(meta: dict, payload_sha: str) -> str:
    body = {k: v for k, v in meta.items() if k != "digest"}
    return hashlib.sha256((json.dumps(body, sort_keys=True) + payload_sha).encode()).hexdigest()


def save(model, path, *, training_data=None, metadata: dict | None = None) -> Path:
    """Save a fitted model (any prognosis model or SurvivalPipeline) to ``path``.

    Parameters
    ----------
    model : fitted estimator
    path : str or Path
        Output file (conventionally ``*.skops``); overwritten.
    training_data : DataFrame, optional
        The training cohort frame; only its sha256 checksum is stored (never the data).
    metadata : dict, optional
        Extra JSON-able fields (e.g. ``{"seed": 0, "cohort": "demo"}``).

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from prognosis.models import CoxModel, save, load
    >>> from prognosis.datasets import load_demo
    >>> from prognosis.survival_data import y_from_frame
    >>> d = load_demo().frame
    >>> y = y_from_frame(d)
    >>> X = d[["age_years", "kps"]]
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "cox.skops"
    >>> save(CoxModel().fit(X, y), path, training_data=d)  # doctest: +ELLIPSIS
    PosixPath('.../cox.skops')
    >>> load(path).predict_survival(X.head(1), times=[12]).shape
    (1, 1)
    """
    import skops.io as sio

    final = model.steps[-1][1] if hasattr(model, "steps") else model
    if not hasattr(final, "max_time_"):
        raise ArtifactError(f"{type(model).__name__} is not fitted; fit it before saving")
    payload = sio.dumps(model)
    payload_sha = hashlib.sha256(payload).hexdigest()
    meta = {
        "format": "prognosis-model",
        "format_version": FORMAT_VERSION,
        "model_class": f"{type(model).__module__}.{type(model).__qualname__}",
        "model_params": json.loads(json.dumps(model.get_params(deep=False), default=repr)),
        "feature_spec": _feature_spec(model),
        "training_checksum": frame_checksum(training_data),
        "versions": versions(),
        "created_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "payload_sha256": payload_sha,
        "extra": metadata or {},
    }
    meta["digest"] = _digest(meta, payload_sha)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("meta.json", json.dumps(meta, indent=2, sort_keys=True))
        zf.writestr("model.skops", payload)
    return path


def _read(path) -> tuple[dict, bytes]:
    path = Path(path)
    if not path.is_file():
        raise ArtifactError(f"model file {path} does not exist")
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if names != {"meta.json", "model.skops"}:
                raise ArtifactError(f"{path} is not a prognosis model artifact (members {sorted(names)})")
            meta = json.loads(zf.read("meta.json"))
            payload = zf.read("model.skops")
    except (zipfile.BadZipFile, json.JSONDecodeError, KeyError, OSError) as exc:
        raise ArtifactError(f"{path} is not a readable prognosis model artifact: {exc}") from exc
    if meta.get("format") != "prognosis-model":
        raise ArtifactError(f"{path}: not a prognosis model artifact")
    return meta, payload


def read_metadata(path) -> dict:
    """The ``meta.json`` of an artifact (no model is built)."""
    return _read(path)[0]


def load(path):
    """Load a model saved by :func:`save`, refusing tampered files and untrusted types.

    Parameters
    ----------
    path : str or Path
        A file written by :func:`save`.

    Returns
    -------
    estimator
        The fitted model, with the metadata written by :func:`save` (see
        :func:`read_metadata`) checked: digest, format version and trusted types.

    Raises
    ------
    ArtifactError
        Unreadable file, digest mismatch (modified after saving), unsupported format version,
        or a payload type outside :data:`TRUSTED_TYPES`.

    Examples
    --------
    A file changed after saving is refused:

    >>> import tempfile, pathlib
    >>> from prognosis.models import CoxModel, save, load
    >>> from prognosis.datasets import load_demo
    >>> from prognosis.survival_data import y_from_frame
    >>> d = load_demo().frame
    >>> y = y_from_frame(d)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "cox.skops"
    >>> _ = save(CoxModel().fit(d[["age_years", "kps"]], y), path)
    >>> load(path).n_features_in_
    2
    >>> data = bytearray(path.read_bytes()); data[-10] ^= 1; _ = path.write_bytes(bytes(data))
    >>> load(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    prognosis.errors.ArtifactError: ...
    """
    import skops.io as sio

    meta, payload = _read(path)
    if meta.get("format_version") != FORMAT_VERSION:
        raise ArtifactError(f"{path}: format version {meta.get('format_version')!r} is not supported (expected {FORMAT_VERSION})")
    sha = hashlib.sha256(payload).hexdigest()
    if sha != meta.get("payload_sha256") or _digest(meta, sha) != meta.get("digest"):
        raise ArtifactError(f"{path}: checksum mismatch -- the artifact was modified after it was saved; refusing to load")
    try:
        untrusted = sio.get_untrusted_types(data=payload)
    except Exception as exc:  # malformed skops payload
        raise ArtifactError(f"{path}: invalid model payload: {exc}") from exc
    trusted = set(TRUSTED_TYPES) | set(trusted_types())
    refused = [t for t in untrusted if t not in trusted]
    if refused:
        raise ArtifactError(f"{path}: payload contains types outside the trusted list: {refused[:5]}")
    try:
        model = sio.loads(payload, trusted=list(untrusted))
    except Exception as exc:
        raise ArtifactError(f"{path}: model payload could not be loaded: {exc}") from exc
    _mark_loaded(model)
    model.artifact_metadata_ = meta
    return model


def _mark_loaded(model) -> None:
    """Flag the estimators so a column mismatch at predict time raises ArtifactError."""
    steps = getattr(model, "steps", None)
    objs = [s for _, s in steps] if steps else [model]
    for obj in objs:
        obj.loaded_from_artifact_ = True
