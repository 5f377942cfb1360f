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

What the checks prove
---------------------
* The two sha256 digests prove only that the file is **intact**: the bytes are those written
  by :func:`save` *or by anyone who recomputed the digests*. They detect corruption and
  accidental edits, not tampering — editing the payload and recomputing the digests takes three
  lines of Python.
* **Authenticity** needs a secret: with a signing key configured (the ``PROGNOSIS_SIGNING_KEY``
  environment variable, or a key file named by ``PROGNOSIS_SIGNING_KEY_FILE``, or ``key=``),
  :func:`save` adds an HMAC-SHA256 of the digest (``meta["signature"]``) and :func:`load`
  refuses artifacts that are unsigned or whose signature does not verify. HMAC proves the file
  was written by someone holding the same key; it is not a public-key signature.
* **No code execution on load** comes from skops' type allow-list (:data:`TRUSTED_TYPES`), not
  from any digest.
* **Bounded resources**: the file size, the number of zip members and each member's
  uncompressed size are checked before anything is decompressed, and every NumPy array header
  in the payload is checked against the bytes that back it, so a small file cannot expand into
  gigabytes of memory (:data:`MAX_ARTIFACT_BYTES`).
* **Well-formed trees**: before a tree model is returned, every decision tree is checked
  (child indices in range and increasing, feature indices in range, finite thresholds), since
  scikit-learn's compiled tree traversal trusts those arrays and would read out of bounds.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import io
import json
import os
import zipfile
from pathlib import Path

from .._provenance import frame_digest, versions
from ..errors import ArtifactError
from .registry import trusted_types

__all__ = ["save", "load", "read_metadata", "TRUSTED_TYPES", "FORMAT_VERSION", "frame_checksum",
           "signing_key", "MAX_ARTIFACT_BYTES"]

FORMAT_VERSION = "1"

#: Largest artifact file and largest uncompressed payload accepted (bytes). A 300-tree forest
#: on a few thousand patients is tens of MB; override with ``PROGNOSIS_MAX_ARTIFACT_MB``.
MAX_ARTIFACT_BYTES = int(float(os.environ.get("PROGNOSIS_MAX_ARTIFACT_MB", "2048")) * (1 << 20))
MAX_META_BYTES = 1 << 20
MAX_PAYLOAD_MEMBERS = 200_000
SIGNATURE_ALGORITHM = "HMAC-SHA256"

#: Types allowed in a payload besides those skops trusts by default (NumPy, builtins, most of
#: scikit-learn) and those of the registered model kinds
#: (:func:`prognosis.models.registry.trusted_types`, read again at each :func:`load`).
#: Anything else makes :func:`load` refuse the file.
TRUSTED_TYPES = trusted_types() + (
    "prognosis.models.score_model.ScoreModel",
    "prognosis.models.pipeline.SurvivalPipeline",
    "prognosis.features.builder.FeatureBuilder",
    "prognosis.models.mi.ImputedModel",
    "prognosis.impute.chained.MultipleImputer",
    "prognosis.impute.chained._Spec",
    "prognosis.impute.pool.PooledResult",
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
    body = {k: v for k, v in meta.items() if k not in ("digest", "signature")}
    return hashlib.sha256((json.dumps(body, sort_keys=True) + payload_sha).encode()).hexdigest()


def signing_key(key=None) -> bytes | None:
    """The HMAC key: ``key`` (bytes or text), else ``$PROGNOSIS_SIGNING_KEY`` (text), else the
    bytes of the file named by ``$PROGNOSIS_SIGNING_KEY_FILE`` (surrounding whitespace removed),
    else None (no signing)."""
    if key is None:
        env = os.environ.get("PROGNOSIS_SIGNING_KEY")
        if env:
            key = env
        elif os.environ.get("PROGNOSIS_SIGNING_KEY_FILE"):
            kf = Path(os.environ["PROGNOSIS_SIGNING_KEY_FILE"])
            try:
                key = kf.read_bytes().strip()
            except OSError:
                raise ArtifactError(f"signing key file {kf} (PROGNOSIS_SIGNING_KEY_FILE) cannot be read") from None
    if key is None:
        return None
    key = key.encode() if isinstance(key, str) else bytes(key)
    if len(key) < 16:
        raise ArtifactError("the signing key must be at least 16 bytes long")
    return key


def _sign(key: bytes, digest: str) -> str:
    return hmac.new(key, digest.encode(), hashlib.sha256).hexdigest()


def save(model, path, *, training_data=None, metadata: dict | None = None, key=None) -> Path:
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
    key : bytes or str, optional
        HMAC-SHA256 signing key (default: :func:`signing_key` from the environment); when there
        is a key the artifact is signed.

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
        "created_utc": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "payload_sha256": payload_sha,
        "extra": metadata or {},
    }
    meta["digest"] = _digest(meta, payload_sha)
    k = signing_key(key)
    if k is not None:
        meta["signature"] = {"algorithm": SIGNATURE_ALGORITHM, "value": _sign(k, meta["digest"])}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("meta.json", json.dumps(meta, indent=2, sort_keys=True))
        zf.writestr("model.skops", payload)
    return path


def _bounded_read(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, path) -> bytes:
    if info.file_size > limit:
        raise ArtifactError(f"{path}: member {info.filename} would expand to {info.file_size} bytes "
                            f"(limit {limit}); refusing to read it")
    with zf.open(info) as fh:  # zipfile stops at the declared size; read one byte more to be sure
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ArtifactError(f"{path}: member {info.filename} is larger than {limit} bytes; refusing to read it")
    return data


def _check_meta(meta, path) -> dict:
    if not isinstance(meta, dict):
        raise ArtifactError(f"{path}: meta.json must hold a JSON object, got {type(meta).__name__}")
    if meta.get("format") != "prognosis-model":
        raise ArtifactError(f"{path}: not a prognosis model artifact")
    for k in ("format_version", "payload_sha256", "digest", "model_class"):
        if not isinstance(meta.get(k), str):
            raise ArtifactError(f"{path}: meta.json field {k!r} is missing or not text")
    for k in ("feature_spec", "extra", "versions", "model_params"):
        if k in meta and not isinstance(meta[k], dict):
            raise ArtifactError(f"{path}: meta.json field {k!r} must be an object")
    sig = meta.get("signature")
    if sig is not None and not (isinstance(sig, dict) and isinstance(sig.get("value"), str)):
        raise ArtifactError(f"{path}: meta.json field 'signature' is malformed")
    return meta


def _read(path) -> tuple[dict, bytes]:
    path = Path(path)
    if not path.is_file():
        raise ArtifactError(f"model file {path} does not exist")
    size = path.stat().st_size
    if size > MAX_ARTIFACT_BYTES:
        raise ArtifactError(f"{path} is {size} bytes, larger than the {MAX_ARTIFACT_BYTES} bytes accepted "
                            "(set PROGNOSIS_MAX_ARTIFACT_MB to raise the limit)")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if len(infos) != 2 or names != {"meta.json", "model.skops"}:
                shown = sorted(names)[:5]
                raise ArtifactError(f"{path} is not a prognosis model artifact ({len(infos)} members: {shown})")
            by = {i.filename: i for i in infos}
            meta = json.loads(_bounded_read(zf, by["meta.json"], MAX_META_BYTES, path))
            payload = _bounded_read(zf, by["model.skops"], MAX_ARTIFACT_BYTES, path)
    except (zipfile.BadZipFile, json.JSONDecodeError, UnicodeDecodeError, KeyError, OSError, EOFError,
            NotImplementedError, RuntimeError) as exc:
        raise ArtifactError(f"{path} is not a readable prognosis model artifact: {type(exc).__name__}") from None
    return _check_meta(meta, path), payload


def _check_payload(payload: bytes, path) -> None:
    """Bounds of the skops payload (itself a zip of a schema and .npy arrays) before skops reads
    it: member count, total uncompressed size, and each array's header against its bytes (NumPy
    allocates the array from the header's shape before reading the data)."""
    import numpy as np

    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_PAYLOAD_MEMBERS:
                raise ArtifactError(f"{path}: model payload has {len(infos)} members (limit {MAX_PAYLOAD_MEMBERS})")
            total = sum(i.file_size for i in infos)
            if total > MAX_ARTIFACT_BYTES:
                raise ArtifactError(f"{path}: model payload would expand to {total} bytes "
                                    f"(limit {MAX_ARTIFACT_BYTES}); refusing to load it")
            for i in infos:
                if not i.filename.endswith(".npy"):
                    continue
                with zf.open(i) as fh:
                    version = np.lib.format.read_magic(fh)
                    reader = {(1, 0): np.lib.format.read_array_header_1_0,
                              (2, 0): np.lib.format.read_array_header_2_0}.get(version)
                    if reader is None:
                        raise ArtifactError(f"{path}: array {i.filename} has an unsupported .npy version")
                    shape, _, dtype = reader(fh)
                    need = int(np.prod(shape, dtype=object)) * dtype.itemsize
                    if dtype.hasobject or need > i.file_size:
                        raise ArtifactError(f"{path}: array {i.filename} declares shape {shape} "
                                            f"({need} bytes) but holds {i.file_size} bytes; refusing to load it")
    except ArtifactError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, RuntimeError) as exc:
        raise ArtifactError(f"{path}: invalid model payload ({type(exc).__name__})") from None


def _children(obj) -> list:
    """The objects a model artifact may hold trees in: elements of object arrays, lists, tuples,
    dict values, and the attributes of prognosis / scikit-learn / scikit-survival objects."""
    import numpy as np

    if isinstance(obj, np.ndarray):
        return list(obj.ravel()) if obj.dtype == object else []
    if isinstance(obj, (list, tuple)):
        return list(obj)
    if isinstance(obj, dict):
        return list(obj.values())
    if hasattr(obj, "__dict__") and type(obj).__module__.split(".")[0] in ("prognosis", "sklearn", "sksurv"):
        return list(vars(obj).values())
    return []


def _trees(obj, seen=None, depth=0):
    """Every scikit-learn ``Tree`` reachable from ``obj`` (estimators, lists, arrays, dicts)."""
    from sklearn.tree._tree import Tree

    seen = set() if seen is None else seen
    if id(obj) in seen or depth > 16:
        return
    seen.add(id(obj))
    if isinstance(obj, Tree):
        yield obj
        return
    for x in _children(obj):
        yield from _trees(x, seen, depth + 1)


def _check_trees(model, path) -> None:
    """Refuse trees whose arrays would make scikit-learn's compiled traversal read out of bounds
    (a crafted artifact could otherwise crash the process with SIGSEGV)."""
    import numpy as np

    for k, tree in enumerate(_trees(model)):
        n = int(tree.node_count)
        left, right = np.asarray(tree.children_left), np.asarray(tree.children_right)
        feat, thr = np.asarray(tree.feature), np.asarray(tree.threshold)
        nf = int(tree.n_features)
        where = f"{path}: tree {k} is malformed"
        if n < 1 or not (left.size == right.size == feat.size == thr.size == n):
            raise ArtifactError(f"{where} (node arrays of inconsistent length)")
        if np.asarray(tree.value).shape[0] != n:
            raise ArtifactError(f"{where} (value array does not match the node count)")
        leaf = left == -1
        if not np.array_equal(leaf, right == -1):
            raise ArtifactError(f"{where} (a node has only one child)")
        idx = np.arange(n)
        inner = ~leaf
        # children exist and come after their parent (scikit-learn builds depth first), so the
        # traversal always ends at a leaf
        if (
            (left[inner] <= idx[inner]) | (left[inner] >= n) | (right[inner] <= idx[inner]) | (right[inner] >= n)
        ).any():
            raise ArtifactError(f"{where} (child index out of range)")
        if ((feat[inner] < 0) | (feat[inner] >= nf)).any():
            raise ArtifactError(f"{where} (feature index out of range)")
        if not np.isfinite(thr[inner]).all():
            raise ArtifactError(f"{where} (non-finite split threshold)")


def read_metadata(path) -> dict:
    """The ``meta.json`` of an artifact (no model is built)."""
    return _read(path)[0]


def load(path, *, key=None):
    """Load a model saved by :func:`save`, refusing tampered files and untrusted types.

    Parameters
    ----------
    path : str or Path
        A file written by :func:`save`.
    key : bytes or str, optional
        HMAC key (default: :func:`signing_key` from the environment). With a key, unsigned or
        mis-signed artifacts are refused; without one the signature is not checked.

    Returns
    -------
    estimator
        The fitted model, with the metadata written by :func:`save` (see
        :func:`read_metadata`) checked: digest, format version and trusted types.

    Raises
    ------
    ArtifactError
        Unreadable file, malformed metadata, size limits exceeded, digest mismatch (modified
        after saving), missing or wrong signature when a key is configured, unsupported format
        version, a payload type outside :data:`TRUSTED_TYPES`, or a malformed decision tree.

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
        raise ArtifactError(
            f"{path}: format version {meta.get('format_version')!r} is not supported (expected {FORMAT_VERSION})"
        )
    sha = hashlib.sha256(payload).hexdigest()
    if sha != meta.get("payload_sha256") or _digest(meta, sha) != meta.get("digest"):
        raise ArtifactError(
            f"{path}: checksum mismatch -- the artifact was modified after it was saved; refusing to load"
        )
    k = signing_key(key)
    if k is not None:
        sig = meta.get("signature")
        if sig is None:
            raise ArtifactError(f"{path} is not signed, and a signing key is configured; refusing to load it")
        if sig.get("algorithm") != SIGNATURE_ALGORITHM or not hmac.compare_digest(
            sig["value"], _sign(k, meta["digest"])
        ):
            raise ArtifactError(f"{path}: the signature does not match the configured signing key; refusing to load it")
    _check_payload(payload, path)
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
    _check_trees(model, path)
    _mark_loaded(model)
    model.artifact_metadata_ = meta
    return model


def _mark_loaded(model) -> None:
    """Flag the estimators so a column mismatch at predict time raises ArtifactError."""
    steps = getattr(model, "steps", None)
    objs = [s for _, s in steps] if steps else [model]
    for obj in objs:
        obj.loaded_from_artifact_ = True
