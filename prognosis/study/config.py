"""Study configuration: a YAML file (or dict) validated before any computation starts.

A study config names the cohorts, the classic scores (and simple baselines), the models with
their feature sets, the horizons, the internal-validation scheme, the seed and the output
folder. :func:`load_config` checks everything it can *without* loading data (keys, types,
model kinds, score names, feature sets); :func:`check_against_cohorts` then checks what needs
the data (horizons within follow-up, columns each score needs). Every problem found is listed
in ONE :class:`~prognosis.errors.ConfigError`, with "did you mean ...?" suggestions for typos.

See ``data/examples/study.yaml`` for a documented example.
"""
from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import ConfigError, did_you_mean
from ..models.registry import model_kinds

__all__ = [
    "StudyConfig", "CohortSpec", "ScoreSpec", "ModelSpec", "ValidationSpec",
    "load_config", "check_against_cohorts", "DEFAULT_HORIZONS", "MODEL_KINDS", "DEMO_CONFIG",
    "available_columns", "lacking_score_items", "lacking_feature_items",
]

#: Default prediction horizons in months (issue 8).
DEFAULT_HORIZONS: tuple[float, ...] = (3.0, 6.0, 12.0, 24.0)
#: Model kinds understood by :func:`prognosis.models.make_model`.
MODEL_KINDS: tuple[str, ...] = model_kinds()  # kept for compatibility; checks read the registry
#: Cohort shortcuts resolved to the bundled simulated cohorts.
DEMO_COHORTS = {"demo": "development", "demo_external": "external"}
#: Fallback when ``prognosis.features`` cannot be imported (kept in sync by hand; the live
#: ``prognosis.features.FEATURE_SETS`` wins whenever it exists).
_FALLBACK_FEATURE_SETS = ("clinical", "clinical+molecular", "score_items")

_TOP_KEYS = ("name", "description", "cohorts", "scores", "models", "horizons", "validation",
             "decision_curves", "seed", "output", "dask", "n_jobs", "report", "allow_missing_features",
             "imputation")
_COHORT_KEYS = ("path", "mapping", "demo", "label", "dataset", "options")
#: Loaders of public data sets usable as cohorts: ``{dataset: msk_met, path: ..., options: {...}}``.
DATASETS = ("msk_met", "byar_prostate")
_MODEL_KEYS = ("name", "kind", "features", "params")
_SCORE_KEYS = ("name", "column", "label", "options", "missing")
_VALIDATION_KEYS = ("method", "n_boot", "folds", "repeats", "ci_level")
_DCA_KEYS = ("horizons", "thresholds")
_DASK_KEYS = ("address",)
_REPORT_KEYS = ("title", "authors", "intended_use", "limitations")
# model updating and temporal validation (prognosis.study.updating / prognosis.study.temporal)
_TOP_KEYS += ("update",)
_VALIDATION_KEYS += ("split", "date_column", "period")


@dataclass(frozen=True)
class CohortSpec:
    """Where a cohort comes from: a bundled demo cohort or a file plus its mapping."""

    role: str  # "development" or "external"
    demo: str | None = None  # "development" / "external" (bundled cohorts)
    path: str | None = None
    mapping: str | dict | None = None
    label: str | None = None
    dataset: str | None = None  # "msk_met" / "byar_prostate": prognosis.datasets.load_<dataset>(path, **options)
    options: dict = field(default_factory=dict)

    def describe(self) -> str:
        if self.demo:
            return f"bundled demo cohort ({self.demo})"
        if self.dataset:
            opts = ", ".join(f"{k}={v}" for k, v in self.options.items())
            return f"{self.dataset} ({Path(self.path).name}{', ' + opts if opts else ''})"
        return f"{Path(self.path).name}" + (" with mapping" if self.mapping else "")


@dataclass(frozen=True)
class ScoreSpec:
    """A baseline predictor: a classic score, one score component, or a numeric column.

    ``kind`` is ``"score"`` (total of a classic score), ``"component"``
    (``<score>__<component>``, e.g. ``revised_tokuhashi__primary_site``) or ``"column"`` (a
    numeric column of the cohort, e.g. a metastatic-site count). Every baseline is turned into
    a risk by a one-variable Cox model fitted on the development data, so its direction and
    scale are learned (and its optimism is counted by the bootstrap like any model's).
    """

    name: str
    kind: str
    score: str | None = None
    column: str | None = None
    label: str | None = None
    options: dict = field(default_factory=dict)
    #: patients whose total is incomplete (missing items): "midrange" (default) scores them at
    #: the middle of their possible range ``(min + max) / 2`` — counted and shown in the report —
    #: or "error" to stop (see :class:`prognosis.models.ScoreModel`).
    missing: str = "midrange"  # = prognosis.models.pipeline.INCOMPLETE_TOTAL_DEFAULT

    @property
    def display(self) -> str:
        return self.label or self.name


@dataclass(frozen=True)
class ModelSpec:
    """A model to fit: ``kind`` in :data:`MODEL_KINDS`, a named feature set and parameters."""

    name: str
    kind: str
    features: str = "clinical+molecular"
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ValidationSpec:
    """Internal validation: Harrell bootstrap optimism correction or repeated k-fold CV."""

    method: str = "bootstrap"  # "bootstrap" | "cv"
    n_boot: int = 200
    folds: int = 5
    repeats: int = 2
    ci_level: float = 0.95
    # method "temporal": split date, date column kept by the mapping, calendar period for drift
    split: str | None = None
    date_column: str | None = None
    period: str = "year"


@dataclass
class StudyConfig:
    """A validated study configuration (build it with :func:`load_config`)."""

    name: str
    development: CohortSpec
    external: CohortSpec | None
    scores: list[ScoreSpec]
    models: list[ModelSpec]
    horizons: tuple[float, ...] = DEFAULT_HORIZONS
    validation: ValidationSpec = field(default_factory=ValidationSpec)
    dca_horizons: tuple[float, ...] = (6.0, 12.0)
    dca_thresholds: tuple[float, ...] = tuple(round(0.05 * i, 2) for i in range(1, 20))
    seed: int = 0
    output: str = "reports/study"
    dask_address: str | None = None
    n_jobs: int = 1
    description: str = ""
    report: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict)
    source: str | None = None
    base_dir: str = "."
    #: ``update:`` block (see :func:`prognosis.study.updating.parse_update`); empty = no update
    update: dict = field(default_factory=dict)
    #: models may be fitted although a cohort lacks every source column of some of their
    #: feature items (they are then imputed for everyone, and the report says so)
    allow_missing_features: bool = False
    #: True when the config gave no ``horizons`` (defaults adapt to the follow-up)
    default_horizons: bool = False
    #: missing covariates: :class:`prognosis.study.imputation.ImputationSpec` (``imputation:`` block)
    imputation: object = None

    def to_dict(self) -> dict:
        """The config as given (after defaults were filled), for provenance."""
        return copy.deepcopy(self.raw)

    def sha256(self) -> str:
        return hashlib.sha256(json.dumps(self.raw, sort_keys=True, default=str).encode()).hexdigest()

    def resolve(self, p: str | None) -> Path | None:
        """A path from the config, relative to the config file's folder."""
        if p is None:
            return None
        q = Path(p)
        return q if q.is_absolute() else Path(self.base_dir) / q


#: The demo study run by ``prognosis report`` without argument (and ``make report``):
#: n=1,200 development + 600 external, 4 models + 3 scores, 4 horizons, 200 replicates.
DEMO_CONFIG: dict = {
    "name": "Demo study: classic scores vs molecular models (simulated cohorts)",
    "description": "Bundled simulated cohorts (literature-calibrated simulator, prognosis.simulate). "
                   "Not real patients: the numbers illustrate the workflow only.",
    "cohorts": {"development": "demo", "external": "demo_external"},
    "scores": ["revised_tokuhashi", "tomita", "katagiri_new"],
    "models": [
        # a small ridge penalty keeps the Cox fit stable on bootstrap samples in which a rare
        # molecular level has no deaths (monotone likelihood); lifelines' penalizer, scaled by n
        {"name": "Cox clinical", "kind": "cox", "features": "clinical", "params": {"penalizer": 0.01}},
        {"name": "Cox clinical+molecular", "kind": "cox", "features": "clinical+molecular",
         "params": {"penalizer": 0.01}},
        {"name": "RSF clinical+molecular", "kind": "rsf", "features": "clinical+molecular",
         # package defaults for the forest's shape (benchmarks/bench_forest_tuning.py)
         "params": {"n_estimators": 100}},
        {"name": "GBM clinical+molecular", "kind": "gbm", "features": "clinical+molecular",
         # 50 trees at learning rate 0.2: same external C as 100 at 0.1 (0.721 vs 0.722), half the time
         "params": {"n_estimators": 50, "learning_rate": 0.2, "max_depth": 2, "subsample": 0.5}},
    ],
    # the development cohort's administrative censoring is uniform over 12-24 months, so almost
    # nobody is still under observation at 24 months: 18 months is the last horizon estimable
    # with a useful number of patients at risk (IPCW weights explode near the end of follow-up)
    "horizons": [3, 6, 12, 18],
    "validation": {"method": "bootstrap", "n_boot": 200},
    "seed": 20261124,
    "n_jobs": -1,  # all cores; results are identical to n_jobs=1 (per-replicate seeds)
    "output": "reports/demo",
}


class _Problems:
    def __init__(self, where: str):
        self.where = where
        self.items: list[str] = []

    def add(self, msg: str) -> None:
        self.items.append(msg)

    def raise_if_any(self) -> None:
        if self.items:
            head = f"{self.where}: {len(self.items)} problem(s) in the study config"
            raise ConfigError(head + ":\n  - " + "\n  - ".join(self.items))


def _check_keys(d: dict, allowed, where: str, probs: _Problems) -> None:
    for k in d:
        if k not in allowed:
            probs.add(f"unknown key {k!r} in {where}{did_you_mean(k, allowed)}; allowed: {', '.join(allowed)}")


def _feature_sets() -> tuple[str, ...]:
    try:
        from ..features import FEATURE_SETS
    except ImportError:
        return _FALLBACK_FEATURE_SETS
    return tuple(FEATURE_SETS)


def _score_names() -> tuple[str, ...] | None:
    try:
        from ..scores import available
    except ImportError:
        return None
    return tuple(available())


def _number(x, where: str, probs: _Problems, *, positive=True) -> float | None:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        probs.add(f"{where} must be a number, got {x!r}")
        return None
    if positive and not x > 0:
        probs.add(f"{where} must be > 0, got {x!r}")
        return None
    return float(x)


def _parse_cohort(role: str, v, probs: _Problems) -> CohortSpec | None:
    where = f"cohorts.{role}"
    if isinstance(v, str):
        if v in DEMO_COHORTS:
            return CohortSpec(role=role, demo=DEMO_COHORTS[v])
        if v.lower().endswith((".csv", ".tsv", ".txt", ".xlsx", ".xls", ".parquet")):
            return CohortSpec(role=role, path=v)
        probs.add(f"{where}: {v!r} is neither a demo cohort ({', '.join(DEMO_COHORTS)}){did_you_mean(v, DEMO_COHORTS)} "
                  "nor a table path (.csv, .tsv, .xlsx, .parquet)")
        return None
    if isinstance(v, dict):
        _check_keys(v, _COHORT_KEYS, where, probs)
        if "demo" in v:
            d = v["demo"]
            if d not in DEMO_COHORTS and d not in DEMO_COHORTS.values():
                probs.add(f"{where}.demo: unknown demo cohort {d!r}{did_you_mean(d, DEMO_COHORTS)}")
                return None
            return CohortSpec(role=role, demo=DEMO_COHORTS.get(d, d), label=v.get("label"))
        if "path" not in v:
            probs.add(f"{where} needs 'path' (and usually 'mapping') or 'demo'")
            return None
        if "dataset" in v:
            ds = v["dataset"]
            if ds not in DATASETS:
                probs.add(f"{where}.dataset: unknown data set {ds!r}{did_you_mean(ds, DATASETS)}; available: "
                          f"{', '.join(DATASETS)}")
                return None
            opts = v.get("options") or {}
            if not isinstance(opts, dict):
                probs.add(f"{where}.options must be a dict of loader options, got {opts!r}")
                opts = {}
            return CohortSpec(role=role, path=str(v["path"]), dataset=ds, options=dict(opts), label=v.get("label"))
        mapping = v.get("mapping")
        if mapping is not None and not isinstance(mapping, (str, dict)):
            probs.add(f"{where}.mapping must be a file path or a mapping dict, got {type(mapping).__name__}")
        return CohortSpec(role=role, path=str(v["path"]), mapping=mapping, label=v.get("label"))
    probs.add(f"{where} must be 'demo', 'demo_external', a path, or a dict with path/mapping; got {v!r}")
    return None


def _parse_score(entry, i: int, names: tuple[str, ...] | None, probs: _Problems) -> ScoreSpec | None:
    where = f"scores[{i}]"
    options: dict = {}
    label = None
    missing = "midrange"
    if isinstance(entry, dict):
        _check_keys(entry, _SCORE_KEYS, where, probs)
        options = dict(entry.get("options") or {})
        label = entry.get("label")
        missing = entry.get("missing", "midrange")
        if missing not in ("midrange", "error"):
            probs.add(f"{where}.missing must be 'midrange' or 'error'{did_you_mean(missing, ('midrange', 'error'))}, "
                      f"got {missing!r}")
            missing = "midrange"
        if "column" in entry:
            col = entry["column"]
            if not isinstance(col, str) or not col:
                probs.add(f"{where}.column must be a column name, got {col!r}")
                return None
            return ScoreSpec(name=col, kind="column", column=col, label=label)
        if "name" not in entry:
            probs.add(f"{where} needs 'name' (a score or score component) or 'column'")
            return None
        entry = entry["name"]
    if not isinstance(entry, str):
        probs.add(f"{where} must be a score name, '<score>__<component>', or {{column: NAME}}; got {entry!r}")
        return None
    score, _, comp = entry.partition("__")
    if names is not None and score not in names:
        probs.add(f"{where}: unknown score {score!r}{did_you_mean(score, names)}; available: {', '.join(names)}")
        return None
    if comp:
        return ScoreSpec(name=entry, kind="component", score=score, column=entry, label=label, options=options,
                         missing=missing)
    return ScoreSpec(name=entry, kind="score", score=score, column=entry, label=label, options=options,
                     missing=missing)


def _parse_model(entry, i: int, fsets: tuple[str, ...], probs: _Problems) -> ModelSpec | None:
    where = f"models[{i}]"
    if isinstance(entry, str):
        entry = {"kind": entry}
    if not isinstance(entry, dict):
        probs.add(f"{where} must be a dict with kind/features/params, got {entry!r}")
        return None
    _check_keys(entry, _MODEL_KEYS, where, probs)
    kind = entry.get("kind")
    kinds = model_kinds()
    if kind not in kinds:
        probs.add(f"{where}: unknown model kind {kind!r}{did_you_mean(kind, kinds)}; "
                  f"available: {', '.join(kinds)}")
        return None
    feats = entry.get("features", "clinical+molecular")
    if feats not in fsets:
        probs.add(f"{where}: unknown feature set {feats!r}{did_you_mean(feats, fsets)}; available: {', '.join(fsets)}")
        return None
    params = entry.get("params") or {}
    if not isinstance(params, dict):
        probs.add(f"{where}.params must be a dict, got {params!r}")
        params = {}
    name = entry.get("name") or f"{kind} {feats}"
    return ModelSpec(name=str(name), kind=kind, features=feats, params=dict(params))


def load_config(source: str | Path | dict, *, base_dir: str | Path | None = None) -> StudyConfig:
    """Read and validate a study config (YAML path or dict).

    Parameters
    ----------
    source : str, Path or dict
        A YAML file or an already-parsed dict.
    base_dir : path, optional
        Folder relative paths are resolved against (default: the YAML file's folder, or the
        current folder for a dict).

    Returns
    -------
    StudyConfig

    Raises
    ------
    ConfigError
        Listing every problem found (unknown keys with suggestions, unknown model kinds, score
        names or feature sets, bad horizons, bad validation settings), before any computation.
    """
    where = "config"
    if isinstance(source, dict):
        raw = copy.deepcopy(source)
        bdir = Path(base_dir) if base_dir else Path.cwd()
        src = None
    else:
        path = Path(source)
        where = str(path)
        if not path.is_file():
            raise ConfigError(f"study config {path} does not exist")
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise ConfigError(f"{path}: not valid YAML{at}: {getattr(exc, 'problem', exc)}") from None
        bdir = Path(base_dir) if base_dir else path.parent
        src = str(path)
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: a study config must be a YAML mapping (key: value), got {type(raw).__name__}")

    probs = _Problems(where)
    _check_keys(raw, _TOP_KEYS, "the top level", probs)

    # cohorts ---------------------------------------------------------------------------
    cohorts = raw.get("cohorts")
    dev = ext = None
    if not isinstance(cohorts, dict) or "development" not in cohorts:
        probs.add("'cohorts' must contain 'development' (and optionally 'external')")
    else:
        _check_keys(cohorts, ("development", "external"), "cohorts", probs)
        dev = _parse_cohort("development", cohorts["development"], probs)
        if cohorts.get("external") is not None:
            ext = _parse_cohort("external", cohorts["external"], probs)

    # scores ----------------------------------------------------------------------------
    names = _score_names()
    scores_raw = raw.get("scores", []) or []
    if not isinstance(scores_raw, list):
        probs.add(f"'scores' must be a list, got {type(scores_raw).__name__}")
        scores_raw = []
    scores = [s for i, e in enumerate(scores_raw) if (s := _parse_score(e, i, names, probs))]

    # models ----------------------------------------------------------------------------
    fsets = _feature_sets()
    models_raw = raw.get("models", []) or []
    if not isinstance(models_raw, list):
        probs.add(f"'models' must be a list, got {type(models_raw).__name__}")
        models_raw = []
    models = [m for i, e in enumerate(models_raw) if (m := _parse_model(e, i, fsets, probs))]
    if not scores_raw and not models_raw:
        probs.add("the study has neither scores nor models to evaluate")
    labels = [s.display for s in scores] + [m.name for m in models]
    dups = sorted({x for x in labels if labels.count(x) > 1})
    if dups:
        probs.add(f"duplicate predictor names {dups}: give each model/score a distinct 'name'/'label'")

    # horizons --------------------------------------------------------------------------
    hz_raw = raw.get("horizons", list(DEFAULT_HORIZONS))
    horizons: tuple[float, ...] = DEFAULT_HORIZONS
    if not isinstance(hz_raw, list) or not hz_raw:
        probs.add(f"'horizons' must be a non-empty list of months, got {hz_raw!r}")
    else:
        hz = [_number(h, f"horizons[{i}]", probs) for i, h in enumerate(hz_raw)]
        if all(h is not None for h in hz):
            horizons = tuple(sorted(set(hz)))

    # validation ------------------------------------------------------------------------
    val_raw = raw.get("validation", {}) or {}
    validation = ValidationSpec()
    if not isinstance(val_raw, dict):
        probs.add(f"'validation' must be a dict, got {val_raw!r}")
    else:
        _check_keys(val_raw, _VALIDATION_KEYS, "validation", probs)
        method = val_raw.get("method", "bootstrap")
        if method not in ("bootstrap", "cv", "temporal"):
            probs.add(f"validation.method must be 'bootstrap' or 'cv'{did_you_mean(method, ('bootstrap', 'cv', 'temporal'))}, "
                      f"got {method!r} (or 'temporal', with split and date_column)")
        ints = {}
        for k, lo in (("n_boot", 1), ("folds", 2), ("repeats", 1)):
            v = val_raw.get(k, getattr(validation, k))
            if isinstance(v, bool) or not isinstance(v, int) or v < lo:
                probs.add(f"validation.{k} must be an integer >= {lo}, got {v!r}")
                v = getattr(validation, k)
            ints[k] = v
        ci = val_raw.get("ci_level", 0.95)
        if not isinstance(ci, float) or not 0.5 < ci < 1:
            probs.add(f"validation.ci_level must be between 0.5 and 1, got {ci!r}")
            ci = 0.95
        from .temporal import parse_temporal

        validation = ValidationSpec(method=method, ci_level=ci, **ints, **parse_temporal(val_raw, probs.add))
        if method == "temporal" and ext is not None:
            probs.add("validation.method temporal validates on the later period of the development cohort; "
                      "remove cohorts.external (or use method bootstrap/cv)")

    # decision curves -------------------------------------------------------------------
    dca = raw.get("decision_curves", {}) or {}
    dca_h, dca_t = (6.0, 12.0), StudyConfig.dca_thresholds
    if not isinstance(dca, dict):
        probs.add(f"'decision_curves' must be a dict, got {dca!r}")
    else:
        _check_keys(dca, _DCA_KEYS, "decision_curves", probs)
        if "horizons" in dca:
            dh = [_number(h, f"decision_curves.horizons[{i}]", probs) for i, h in enumerate(dca["horizons"] or [])]
            dca_h = tuple(h for h in dh if h is not None)
        if "thresholds" in dca:
            th = [_number(h, f"decision_curves.thresholds[{i}]", probs) for i, h in enumerate(dca["thresholds"] or [])]
            if any(t is not None and t >= 1 for t in th):
                probs.add("decision_curves.thresholds are risks and must lie in (0, 1)")
            dca_t = tuple(t for t in th if t is not None)

    # misc ------------------------------------------------------------------------------
    seed = raw.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        probs.add(f"'seed' must be a non-negative integer, got {seed!r}")
        seed = 0
    n_jobs = raw.get("n_jobs", 1)
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0:
        probs.add(f"'n_jobs' must be a non-zero integer (-1 = all cores), got {n_jobs!r}")
        n_jobs = 1
    dask = raw.get("dask")
    address = None
    if dask is not None:
        if not isinstance(dask, dict) or "address" not in dask:
            probs.add("'dask' must be a dict with 'address', e.g. {address: 'tcp://host:8786'}")
        else:
            _check_keys(dask, _DASK_KEYS, "dask", probs)
            address = str(dask["address"])
    rep = raw.get("report", {}) or {}
    if not isinstance(rep, dict):
        probs.add("'report' must be a dict")
        rep = {}
    else:
        _check_keys(rep, _REPORT_KEYS, "report", probs)
    allow_missing = raw.get("allow_missing_features", False)
    if not isinstance(allow_missing, bool):
        probs.add(f"'allow_missing_features' must be true or false, got {allow_missing!r}")
        allow_missing = False
    output = raw.get("output", "reports/study")
    if not isinstance(output, str):
        probs.add(f"'output' must be a folder path, got {output!r}")
        output = "reports/study"

    from .updating import parse_update

    update_spec = parse_update(raw.get("update"), [m.name for m in models], probs.add)
    if update_spec and ext is None and validation.method != "temporal":
        probs.add("'update' needs a cohort to update on: cohorts.external, or validation.method temporal")
    if update_spec and any(m.name == update_spec["model"] and m.kind != "cox" for m in models):
        probs.add(f"update.model {update_spec['model']!r} is not a Cox model; only Cox models (and classic "
                  "scores through prognosis.models.update) have a linear predictor to recalibrate")
    from .imputation import parse_imputation

    imputation = parse_imputation(raw.get("imputation"), probs)
    probs.raise_if_any()
    return StudyConfig(
        imputation=imputation,
        name=str(raw.get("name", "Study")), development=dev, external=ext, scores=scores, models=models,
        horizons=horizons, validation=validation, dca_horizons=dca_h, dca_thresholds=dca_t, seed=seed,
        output=output, dask_address=address, n_jobs=n_jobs, description=str(raw.get("description", "")),
        report=dict(rep), raw=raw, source=src, base_dir=str(bdir), update=update_spec,
        allow_missing_features=allow_missing, default_horizons="horizons" not in raw,
    )


def available_columns(frame) -> set[str]:
    """Columns of a canonical frame with at least one recorded value (absent = all missing)."""
    return {str(c) for c in frame.columns if frame[c].notna().any()}


def lacking_score_items(name: str, options: dict, available) -> list[str]:
    """Items of score ``name`` none of whose columns is in ``available``, as ``"item (col | col)"``.

    This is the logic :func:`prognosis.scores.compute` (and so ``prognosis score``) applies: an
    item is scored from any of its columns (e.g. Tomita's visceral item from ``visceral_mets`` or,
    as a fallback, ``visceral_pattern``); it is missing only when all of them are.
    """
    from ..scores import get_score

    defn = get_score(name)
    cols = defn.columns(defn.resolve_options(options or {}))
    return [f"{item} ({' | '.join(c)})" for item, c in cols.items() if c and not any(x in available for x in c)]


def lacking_feature_items(feature_set: str, available, ecog_to_kps: bool = False) -> list[str]:
    """Items of a feature set none of whose source columns is in ``available``."""
    from ..features.builder import _SUBTYPE_SOURCES, feature_items

    out = []
    for item in feature_items(feature_set):
        src = list(_SUBTYPE_SOURCES.get(item, (item,)))
        if item.startswith("subtype:"):
            src = src[1:]  # the markers; primary_site is an item of its own
        if item == "kps" and ecog_to_kps:
            src.append("ecog")
        if not any(c in available for c in src):
            out.append(item)
    return out


def check_against_cohorts(config: StudyConfig, cohorts: dict) -> None:
    """Data-dependent checks, run after loading the cohorts and before any model is fitted.

    Checks that each cohort can score every item of every score (with the item logic of
    :func:`prognosis.scores.compute`: any one of an item's columns suffices), that no model's
    feature item is entirely absent from a cohort (unless ``allow_missing_features: true``),
    and that column baselines exist and are numeric. Horizons beyond a cohort's follow-up are
    not an error: the measures at those horizons are left out with a note
    (:func:`prognosis.study.horizons.study_plans`).

    Raises
    ------
    ConfigError
        Listing every problem.
    """
    import pandas as pd

    probs = _Problems(config.source or "config")
    try:
        from ..scores import required_columns
    except ImportError:
        required_columns = None
    for role, cohort in cohorts.items():
        frame = cohort.frame
        # horizons beyond a cohort's follow-up are not errors: the study leaves the measures at
        # those horizons out with a note (one rule, prognosis.study.horizons.study_plans)
        avail = available_columns(frame)
        for m in config.models:
            lacking = lacking_feature_items(m.features, avail, bool(m.params.get("ecog_to_kps", False)))
            if lacking and not config.allow_missing_features:
                probs.add(f"model {m.name!r}: {len(lacking)} predictor(s) of feature set {m.features!r} are entirely "
                          f"absent from the {role} cohort: {lacking}; choose a smaller feature set, or set "
                          "'allow_missing_features: true' to impute them (the report will say so)")
        for s in config.scores:
            if s.kind == "column":
                if s.column not in frame.columns:
                    probs.add(f"baseline column {s.column!r} is not in the {role} cohort"
                              f"{did_you_mean(s.column, frame.columns)}")
                elif not pd.api.types.is_numeric_dtype(frame[s.column]) and not pd.api.types.is_bool_dtype(frame[s.column]):
                    probs.add(f"baseline column {s.column!r} of the {role} cohort is not numeric "
                              f"(dtype {frame[s.column].dtype})")
                elif frame[s.column].isna().all():
                    probs.add(f"baseline column {s.column!r} is entirely missing in the {role} cohort")
                continue
            if required_columns is None:
                continue
            if s.kind == "component":
                # a component (e.g. the primary-site item) needs only its own items: compute
                # the score (cheap, vectorised) and check the component is available
                from ..scores import compute

                comp = compute(frame, s.score, **s.options)
                if s.name not in comp.columns:
                    probs.add(f"score {s.score!r} has no component {s.name!r}"
                              f"{did_you_mean(s.name, [c for c in comp.columns if '__' in c])}")
                elif comp[s.name].isna().all():
                    probs.add(f"score component {s.name!r} cannot be computed on the {role} cohort "
                              "(its items are absent or entirely missing)")
                continue
            lacking = lacking_score_items(s.score, s.options, avail)
            if lacking:
                probs.add(f"score {s.display!r}: item(s) {lacking} cannot be scored on the {role} cohort "
                          "(every column of the item absent or entirely missing)")
    probs.raise_if_any()
