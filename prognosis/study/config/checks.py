"""Checks of a validated config against the loaded cohorts (what needs the data).

:func:`check_against_cohorts` runs after the cohorts are loaded and before any model is fitted:
every score item and model feature item must be computable from some column of each cohort.
"""
from __future__ import annotations

import pandas as pd

from ...errors import did_you_mean
from ._problems import Problems
from .schema import ScoreSpec, StudyConfig

__all__ = ["check_against_cohorts", "available_columns", "lacking_score_items", "lacking_feature_items"]


def available_columns(frame) -> set[str]:
    """Columns of a canonical frame with at least one recorded value (absent = all missing)."""
    return {str(c) for c in frame.columns if frame[c].notna().any()}


def lacking_score_items(name: str, options: dict, available) -> list[str]:
    """Items of score ``name`` none of whose columns is in ``available``, as ``"item (col | col)"``.

    This is the logic :func:`prognosis.scores.compute` (and so ``prognosis score``) applies: an
    item is scored from any of its columns (e.g. Tomita's visceral item from ``visceral_mets`` or,
    as a fallback, ``visceral_pattern``); it is missing only when all of them are.
    """
    from ...scores import get_score

    defn = get_score(name)
    cols = defn.columns(defn.resolve_options(options or {}))
    return [f"{item} ({' | '.join(c)})" for item, c in cols.items() if c and not any(x in available for x in c)]


def lacking_feature_items(feature_set: str, available, ecog_to_kps: bool = False) -> list[str]:
    """Items of a feature set none of whose source columns is in ``available``."""
    from ...features.builder import _SUBTYPE_SOURCES, feature_items

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
    probs = Problems(config.source or "config")
    for role, cohort in cohorts.items():
        frame = cohort.frame
        # horizons beyond a cohort's follow-up are not errors: the study leaves the measures at
        # those horizons out with a note (one rule, prognosis.study.horizons.study_plans)
        avail = available_columns(frame)
        _check_models(config, role, avail, probs)
        for s in config.scores:
            if s.kind == "column":
                _check_column_baseline(s, role, frame, probs)
            elif s.kind == "component":
                _check_component(s, role, frame, probs)
            else:
                lacking = lacking_score_items(s.score, s.options, avail)
                if lacking:
                    probs.add(f"score {s.display!r}: item(s) {lacking} cannot be scored on the {role} cohort "
                              "(every column of the item absent or entirely missing)")
    probs.raise_if_any()


def _check_models(config: StudyConfig, role: str, avail: set[str], probs: Problems) -> None:
    if config.allow_missing_features:
        return
    for m in config.models:
        lacking = lacking_feature_items(m.features, avail, bool(m.params.get("ecog_to_kps", False)))
        if lacking:
            probs.add(f"model {m.name!r}: {len(lacking)} predictor(s) of feature set {m.features!r} are entirely "
                      f"absent from the {role} cohort: {lacking}; choose a smaller feature set, or set "
                      "'allow_missing_features: true' to impute them (the report will say so)")


def _check_column_baseline(s: ScoreSpec, role: str, frame: pd.DataFrame, probs: Problems) -> None:
    if s.column not in frame.columns:
        probs.add(f"baseline column {s.column!r} is not in the {role} cohort{did_you_mean(s.column, frame.columns)}")
        return
    col = frame[s.column]
    if not pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        probs.add(f"baseline column {s.column!r} of the {role} cohort is not numeric (dtype {col.dtype})")
    elif col.isna().all():
        probs.add(f"baseline column {s.column!r} is entirely missing in the {role} cohort")


def _check_component(s: ScoreSpec, role: str, frame: pd.DataFrame, probs: Problems) -> None:
    # a component (e.g. the primary-site item) needs only its own items: compute the score
    # (cheap, vectorised) and check the component is available
    from ...scores import compute

    comp = compute(frame, s.score, **s.options)
    if s.name not in comp.columns:
        probs.add(f"score {s.score!r} has no component {s.name!r}"
                  f"{did_you_mean(s.name, [c for c in comp.columns if '__' in c])}")
    elif comp[s.name].isna().all():
        probs.add(f"score component {s.name!r} cannot be computed on the {role} cohort "
                  "(its items are absent or entirely missing)")
