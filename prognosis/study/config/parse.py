"""Reading a study config (YAML file or dict) and parsing each block into the schema's specs.

:func:`load_config` checks everything it can *without* loading data (keys, types, model kinds,
score names, feature sets) and lists every problem found in ONE
:class:`~prognosis.errors.ConfigError`, with "did you mean ...?" suggestions for typos.
"""
from __future__ import annotations

import copy
from pathlib import Path

import yaml

from ...cohort.readers import table_suffixes
from ...datasets.registry import dataset_names, get_dataset
from ...errors import ConfigError, did_you_mean
from ...models.registry import model_kinds
from ._problems import Problems, check_keys, number
from .demo import DEMO_COHORTS
from .schema import (
    COHORT_KEYS,
    DASK_KEYS,
    DCA_KEYS,
    DEFAULT_HORIZONS,
    FALLBACK_FEATURE_SETS,
    MISSING_TOTALS,
    MODEL_KEYS,
    REPORT_KEYS,
    SCORE_KEYS,
    TOP_KEYS,
    VALIDATION_KEYS,
    VALIDATION_METHODS,
    CohortSpec,
    ModelSpec,
    ScoreSpec,
    StudyConfig,
    ValidationSpec,
)

__all__ = ["load_config"]



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
    raw, where, bdir, src = _read_source(source, base_dir)
    probs = Problems(where)
    check_keys(raw, TOP_KEYS, "the top level", probs)
    dev, ext = _parse_cohorts(raw.get("cohorts"), probs)
    scores, models = _parse_predictors(raw, probs)
    horizons = _parse_horizons(raw.get("horizons", list(DEFAULT_HORIZONS)), probs)
    validation = _parse_validation(raw.get("validation", {}) or {}, ext, probs)
    dca_h, dca_t = _parse_decision_curves(raw.get("decision_curves", {}) or {}, probs)
    misc = _parse_misc(raw, probs)
    update_spec = _parse_update(raw.get("update"), models, ext, validation, probs)
    from ..imputation import parse_imputation

    imputation = parse_imputation(raw.get("imputation"), probs)
    probs.raise_if_any()
    return StudyConfig(
        imputation=imputation,
        name=str(raw.get("name", "Study")), development=dev, external=ext, scores=scores, models=models,
        horizons=horizons, validation=validation,
        dca_horizons=dca_h, dca_thresholds=dca_t, description=str(raw.get("description", "")),
        raw=raw, source=src, base_dir=str(bdir), update=update_spec, default_horizons="horizons" not in raw,
        **misc,
    )


# -- the source --------------------------------------------------------------------------------
def _read_source(source, base_dir) -> tuple[dict, str, Path, str | None]:
    """(raw dict, where to name in messages, base folder, source path or None)."""
    if isinstance(source, dict):
        raw = copy.deepcopy(source)
        return _mapping(raw, "config"), "config", Path(base_dir) if base_dir else Path.cwd(), None
    path = Path(source)
    if not path.is_file():
        raise ConfigError(f"study config {path} does not exist")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}: not valid YAML{at}: {getattr(exc, 'problem', exc)}") from None
    return _mapping(raw, str(path)), str(path), Path(base_dir) if base_dir else path.parent, str(path)


def _mapping(raw, where: str) -> dict:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: a study config must be a YAML mapping (key: value), got {type(raw).__name__}")
    return raw


# -- cohorts -----------------------------------------------------------------------------------
def _parse_cohorts(cohorts, probs: Problems) -> tuple[CohortSpec | None, CohortSpec | None]:
    if not isinstance(cohorts, dict) or "development" not in cohorts:
        probs.add("'cohorts' must contain 'development' (and optionally 'external')")
        return None, None
    check_keys(cohorts, ("development", "external"), "cohorts", probs)
    dev = _parse_cohort("development", cohorts["development"], probs)
    ext = _parse_cohort("external", cohorts["external"], probs) if cohorts.get("external") is not None else None
    return dev, ext


def _parse_cohort(role: str, v, probs: Problems) -> CohortSpec | None:
    where = f"cohorts.{role}"
    if isinstance(v, str):
        if v in DEMO_COHORTS:
            return CohortSpec(role=role, demo=DEMO_COHORTS[v])
        if v.lower().endswith(table_suffixes()):
            return CohortSpec(role=role, path=v)
        probs.add(f"{where}: {v!r} is neither a demo cohort ({', '.join(DEMO_COHORTS)}){did_you_mean(v, DEMO_COHORTS)} "
                  f"nor a table path ({', '.join(table_suffixes())})")
        return None
    if isinstance(v, dict):
        return _parse_cohort_dict(role, v, where, probs)
    probs.add(f"{where} must be 'demo', 'demo_external', a path, or a dict with path/mapping; got {v!r}")
    return None


def _parse_cohort_dict(role: str, v: dict, where: str, probs: Problems) -> CohortSpec | None:
    check_keys(v, COHORT_KEYS, where, probs)
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
        return _parse_dataset(role, v, where, probs)
    mapping = v.get("mapping")
    if mapping is not None and not isinstance(mapping, (str, dict)):
        probs.add(f"{where}.mapping must be a file path or a mapping dict, got {type(mapping).__name__}")
    return CohortSpec(role=role, path=str(v["path"]), mapping=mapping, label=v.get("label"))


def _parse_dataset(role: str, v: dict, where: str, probs: Problems) -> CohortSpec | None:
    ds = v["dataset"]
    names = dataset_names()
    if ds not in names:
        probs.add(f"{where}.dataset: unknown data set {ds!r}{did_you_mean(ds, names)}; available: "
                  f"{', '.join(names)}")
        return None
    opts = v.get("options") or {}
    if not isinstance(opts, dict):
        probs.add(f"{where}.options must be a dict of loader options, got {opts!r}")
        opts = {}
    for problem in get_dataset(ds).check_options(opts):
        probs.add(f"{where}.options: {problem}")
    return CohortSpec(role=role, path=str(v["path"]), dataset=ds, options=dict(opts), label=v.get("label"))


# -- scores and models -------------------------------------------------------------------------
def _feature_sets() -> tuple[str, ...]:
    try:
        from ...features import FEATURE_SETS
    except ImportError:
        return FALLBACK_FEATURE_SETS
    return tuple(FEATURE_SETS)


def _score_names() -> tuple[str, ...] | None:
    try:
        from ...scores import available
    except ImportError:
        return None
    return tuple(available())


def _list_block(raw: dict, key: str, probs: Problems) -> list:
    value = raw.get(key, []) or []
    if not isinstance(value, list):
        probs.add(f"'{key}' must be a list, got {type(value).__name__}")
        return []
    return value


def _parse_predictors(raw: dict, probs: Problems) -> tuple[list[ScoreSpec], list[ModelSpec]]:
    names = _score_names()
    scores_raw = _list_block(raw, "scores", probs)
    scores = [s for i, e in enumerate(scores_raw) if (s := _parse_score(e, i, names, probs))]
    fsets = _feature_sets()
    models_raw = _list_block(raw, "models", probs)
    models = [m for i, e in enumerate(models_raw) if (m := _parse_model(e, i, fsets, probs))]
    if not scores_raw and not models_raw:
        probs.add("the study has neither scores nor models to evaluate")
    labels = [s.display for s in scores] + [m.name for m in models]
    dups = sorted({x for x in labels if labels.count(x) > 1})
    if dups:
        probs.add(f"duplicate predictor names {dups}: give each model/score a distinct 'name'/'label'")
    return scores, models


def _parse_score(entry, i: int, names: tuple[str, ...] | None, probs: Problems) -> ScoreSpec | None:
    where = f"scores[{i}]"
    options: dict = {}
    label = None
    missing = "midrange"
    if isinstance(entry, dict):
        check_keys(entry, SCORE_KEYS, where, probs)
        options = dict(entry.get("options") or {})
        label = entry.get("label")
        missing = entry.get("missing", "midrange")
        if missing not in MISSING_TOTALS:
            probs.add(f"{where}.missing must be 'midrange' or 'error'{did_you_mean(missing, MISSING_TOTALS)}, "
                      f"got {missing!r}")
            missing = "midrange"
        if "column" in entry:
            return _parse_column_baseline(entry["column"], label, where, probs)
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
    return ScoreSpec(name=entry, kind="component" if comp else "score", score=score, column=entry, label=label,
                     options=options, missing=missing)


def _parse_column_baseline(col, label, where: str, probs: Problems) -> ScoreSpec | None:
    if not isinstance(col, str) or not col:
        probs.add(f"{where}.column must be a column name, got {col!r}")
        return None
    return ScoreSpec(name=col, kind="column", column=col, label=label)


def _parse_model(entry, i: int, fsets: tuple[str, ...], probs: Problems) -> ModelSpec | None:
    where = f"models[{i}]"
    if isinstance(entry, str):
        entry = {"kind": entry}
    if not isinstance(entry, dict):
        probs.add(f"{where} must be a dict with kind/features/params, got {entry!r}")
        return None
    check_keys(entry, MODEL_KEYS, where, probs)
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


# -- horizons, validation, decision curves -----------------------------------------------------
def _parse_horizons(hz_raw, probs: Problems) -> tuple[float, ...]:
    if not isinstance(hz_raw, list) or not hz_raw:
        probs.add(f"'horizons' must be a non-empty list of months, got {hz_raw!r}")
        return DEFAULT_HORIZONS
    hz = [number(h, f"horizons[{i}]", probs) for i, h in enumerate(hz_raw)]
    return tuple(sorted(set(hz))) if all(h is not None for h in hz) else DEFAULT_HORIZONS


def _parse_validation(val_raw, ext: CohortSpec | None, probs: Problems) -> ValidationSpec:
    validation = ValidationSpec()
    if not isinstance(val_raw, dict):
        probs.add(f"'validation' must be a dict, got {val_raw!r}")
        return validation
    check_keys(val_raw, VALIDATION_KEYS, "validation", probs)
    method = val_raw.get("method", "bootstrap")
    if method not in VALIDATION_METHODS:
        probs.add(f"validation.method must be 'bootstrap' or 'cv'{did_you_mean(method, VALIDATION_METHODS)}, "
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
    from ..temporal import parse_temporal

    validation = ValidationSpec(method=method, ci_level=ci, **ints, **parse_temporal(val_raw, probs.add))
    if method == "temporal" and ext is not None:
        probs.add("validation.method temporal validates on the later period of the development cohort; "
                  "remove cohorts.external (or use method bootstrap/cv)")
    return validation


def _parse_decision_curves(dca, probs: Problems) -> tuple[tuple[float, ...], tuple[float, ...]]:
    dca_h, dca_t = (6.0, 12.0), StudyConfig.dca_thresholds
    if not isinstance(dca, dict):
        probs.add(f"'decision_curves' must be a dict, got {dca!r}")
        return dca_h, dca_t
    check_keys(dca, DCA_KEYS, "decision_curves", probs)
    if "horizons" in dca:
        dh = [number(h, f"decision_curves.horizons[{i}]", probs) for i, h in enumerate(dca["horizons"] or [])]
        dca_h = tuple(h for h in dh if h is not None)
    if "thresholds" in dca:
        th = [number(h, f"decision_curves.thresholds[{i}]", probs) for i, h in enumerate(dca["thresholds"] or [])]
        if any(t is not None and t >= 1 for t in th):
            probs.add("decision_curves.thresholds are risks and must lie in (0, 1)")
        dca_t = tuple(t for t in th if t is not None)
    return dca_h, dca_t


# -- run settings, report, update --------------------------------------------------------------
def _parse_misc(raw: dict, probs: Problems) -> dict:
    """seed, n_jobs, dask address, report block, allow_missing_features, output (StudyConfig fields)."""
    seed = raw.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        probs.add(f"'seed' must be a non-negative integer, got {seed!r}")
        seed = 0
    n_jobs = raw.get("n_jobs", 1)
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0:
        probs.add(f"'n_jobs' must be a non-zero integer (-1 = all cores), got {n_jobs!r}")
        n_jobs = 1
    dask_address = _parse_dask(raw.get("dask"), probs)
    report = _parse_report(raw.get("report", {}) or {}, probs)
    allow_missing = raw.get("allow_missing_features", False)
    if not isinstance(allow_missing, bool):
        probs.add(f"'allow_missing_features' must be true or false, got {allow_missing!r}")
        allow_missing = False
    output = raw.get("output", "reports/study")
    if not isinstance(output, str):
        probs.add(f"'output' must be a folder path, got {output!r}")
        output = "reports/study"
    return {"seed": seed, "n_jobs": n_jobs, "dask_address": dask_address, "report": report,
            "allow_missing_features": allow_missing, "output": output}


def _parse_dask(dask, probs: Problems) -> str | None:
    if dask is None:
        return None
    if not isinstance(dask, dict) or "address" not in dask:
        probs.add("'dask' must be a dict with 'address', e.g. {address: 'tcp://host:8786'}")
        return None
    check_keys(dask, DASK_KEYS, "dask", probs)
    return str(dask["address"])


def _parse_report(rep, probs: Problems) -> dict:
    if not isinstance(rep, dict):
        probs.add("'report' must be a dict")
        return {}
    check_keys(rep, REPORT_KEYS, "report", probs)
    return dict(rep)


def _parse_update(block, models: list[ModelSpec], ext: CohortSpec | None, validation: ValidationSpec,
                  probs: Problems) -> dict:
    from ..updating import parse_update

    update_spec = parse_update(block, [m.name for m in models], probs.add)
    if update_spec and ext is None and validation.method != "temporal":
        probs.add("'update' needs a cohort to update on: cohorts.external, or validation.method temporal")
    if update_spec and any(m.name == update_spec["model"] and m.kind != "cox" for m in models):
        probs.add(f"update.model {update_spec['model']!r} is not a Cox model; only Cox models (and classic "
                  "scores through prognosis.models.update) have a linear predictor to recalibrate")
    return update_spec
