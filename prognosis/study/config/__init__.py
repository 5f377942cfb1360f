"""Study configuration: a YAML file (or dict) validated before any computation starts.

A study config names the cohorts, the classic scores (and simple baselines), the models with
their feature sets, the horizons, the internal-validation scheme, the seed and the output
folder. One module per concept:

- :mod:`.schema` — the validated specs (:class:`StudyConfig`, :class:`CohortSpec`,
  :class:`ScoreSpec`, :class:`ModelSpec`, :class:`ValidationSpec`) and the allowed keys;
- :mod:`.parse` — :func:`load_config`: read the YAML and check everything it can *without*
  loading data (keys, types, model kinds, score names, feature sets);
- :mod:`.checks` — :func:`check_against_cohorts`: what needs the data (columns each score and
  feature set needs);
- :mod:`.demo` — :data:`DEMO_CONFIG`, the bundled demo study.

Every problem found is listed in ONE :class:`~prognosis.errors.ConfigError`, with "did you
mean ...?" suggestions for typos. See ``data/examples/study.yaml`` for a documented example.
"""
from __future__ import annotations

from .checks import available_columns, check_against_cohorts, lacking_feature_items, lacking_score_items
from .demo import DEMO_COHORTS, DEMO_CONFIG
from .parse import load_config
from .schema import (
    DATASETS,
    DEFAULT_HORIZONS,
    MODEL_KINDS,
    CohortSpec,
    ModelSpec,
    ScoreSpec,
    StudyConfig,
    ValidationSpec,
)

__all__ = [
    "StudyConfig", "CohortSpec", "ScoreSpec", "ModelSpec", "ValidationSpec",
    "load_config", "check_against_cohorts", "DEFAULT_HORIZONS", "MODEL_KINDS", "DEMO_CONFIG",
    "available_columns", "lacking_score_items", "lacking_feature_items", "DATASETS", "DEMO_COHORTS",
]
