"""The study config's schema: the allowed keys of each block and the validated specs.

The dataclasses here are what :func:`~prognosis.study.config.load_config` builds from a YAML
file or dict; the rest of :mod:`prognosis.study` reads only these (never the raw dict).
"""
from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from ...clinical import DEFAULT_HORIZONS
from ...datasets.registry import dataset_names
from ...models.registry import model_kinds

__all__ = ["StudyConfig", "CohortSpec", "ScoreSpec", "ModelSpec", "ValidationSpec", "DEFAULT_HORIZONS",
           "MODEL_KINDS", "DATASETS"]

#: Model kinds understood by :func:`prognosis.models.make_model`.
MODEL_KINDS: tuple[str, ...] = model_kinds()  # kept for compatibility; checks read the registry
#: Loaders of public data sets usable as cohorts: ``{dataset: msk_met, path: ..., options: {...}}``.
DATASETS: tuple[str, ...] = dataset_names()  # kept for compatibility; checks read the registry
#: Fallback when ``prognosis.features`` cannot be imported (kept in sync by hand; the live
#: ``prognosis.features.FEATURE_SETS`` wins whenever it exists).
FALLBACK_FEATURE_SETS = ("clinical", "clinical+molecular", "score_items")

# allowed keys of each block (unknown keys are reported with "did you mean ...?")
TOP_KEYS = ("name", "description", "cohorts", "scores", "models", "horizons", "validation",
            "decision_curves", "seed", "output", "dask", "n_jobs", "report", "allow_missing_features",
            "imputation",
            # model updating (prognosis.study.updating)
            "update")
COHORT_KEYS = ("path", "mapping", "demo", "label", "dataset", "options")
MODEL_KEYS = ("name", "kind", "features", "params")
SCORE_KEYS = ("name", "column", "label", "options", "missing")
VALIDATION_KEYS = ("method", "n_boot", "folds", "repeats", "ci_level",
                   # temporal validation (prognosis.study.temporal)
                   "split", "date_column", "period")
VALIDATION_METHODS = ("bootstrap", "cv", "temporal")
DCA_KEYS = ("horizons", "thresholds")
DASK_KEYS = ("address",)
REPORT_KEYS = ("title", "authors", "intended_use", "limitations")
MISSING_TOTALS = ("midrange", "error")


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
