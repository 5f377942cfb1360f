"""One patient at a time: what a Cox pipeline computes, exported as plain data, and its median.

:func:`export_cox` writes everything a fitted ``FeatureBuilder -> CoxModel`` pipeline uses to
turn one canonical patient record into S(t | x) and its confidence band -- the feature encoding
(item kinds, levels, kept primary sites, the within-primary subtype tables, training fill values,
missingness indicators, dropped / duplicate columns), the spline knots, coefficients, centring
means, covariance and the baseline cumulative hazard with the pieces of its Tsiatis variance --
as a JSON-able dict. The offline calculator (:mod:`prognosis.report.calculator`) embeds it and
evaluates it in JavaScript; ``tests/calculator`` checks page against ``prognosis predict``.

The subtype derivations (e.g. lung: EGFR-mutant > ALK/ROS1 > KRAS > wild-type > untested) are
not re-stated here: their tables are produced by calling the encoder functions of
:mod:`prognosis.features.encoders` on every combination of the molecular columns, so the
encoders stay the one home of those rules.

:func:`median_survival` is the median of a right-continuous step curve with R's convention
(``quantile.survfit``): the first time the curve is <= 0.5, the midpoint to the next step when
it sits at exactly 0.5 (within sqrt(machine epsilon)), NaN when it never reaches 0.5.
"""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from ..errors import ModelError

__all__ = [
    "UNBOUNDED_COEF",
    "browser_support",
    "export_cox",
    "item_of_columns",
    "median_survival",
    "split_pipeline",
    "unbounded_columns",
]

#: |log hazard ratio| above which a Cox coefficient is treated as unbounded (a level with too few
#: patients or separation; the same threshold CoxModel uses to name diverging coefficients)
UNBOUNDED_COEF = 10.0

#: tolerance of R's quantile.survfit when it decides the curve equals the probability exactly
_R_TOL = float(np.sqrt(np.finfo(float).eps))


def split_pipeline(model):
    """(FeatureBuilder or None, final estimator) of a fitted model or pipeline."""
    from ..features import FeatureBuilder

    if hasattr(model, "steps"):
        first = model.steps[0][1]
        builder = first if isinstance(first, FeatureBuilder) else None
        return builder, model.steps[-1][1]
    return None, model


def browser_support(model) -> str | None:
    """None when :func:`export_cox` can export ``model``, else the reason it cannot."""
    from .cox import CoxModel

    builder, final = split_pipeline(model)
    if not isinstance(final, CoxModel):
        return (f"{type(final).__name__} cannot be evaluated in a browser (only Cox models are exported "
                "as coefficients and a baseline hazard); use `prognosis serve --model ...`, which backs "
                "the same page with `prognosis predict` on this computer")
    if builder is None or len(model.steps) != 2:
        return "the model is not a FeatureBuilder -> CoxModel pipeline; use `prognosis serve`"
    if builder.impute == "iterative":
        return ("the model imputes with scikit-learn's IterativeImputer, which is not exported to the "
                "browser; use `prognosis serve`")
    if final.strata:
        return "stratified Cox models are not exported to the browser; use `prognosis serve`"
    return None


def _subtype_table(site: str, columns: tuple[str, ...]) -> dict[str, str]:
    """Subtype level for every combination of the molecular columns (value or '' = missing)."""
    from ..cohort.schema import COLUMN_BY_NAME
    from ..features.encoders import SUBTYPE_FUNCTIONS

    domains = [list(COLUMN_BY_NAME[c].categories) + [None] for c in columns]
    combos = list(itertools.product(*domains))
    frame = pd.DataFrame(combos, columns=list(columns), dtype=object)
    frame["primary_site"] = site
    levels = SUBTYPE_FUNCTIONS[site](frame)
    return {
        "|".join("" if v is None else v for v in combo): str(lev) for combo, lev in zip(combos, levels, strict=False)
    }


def export_cox(model) -> dict:
    """JSON-able description of a fitted FeatureBuilder -> CoxModel pipeline (see module doc).

    Raises :class:`~prognosis.errors.ModelError` with the reason when the model cannot be
    exported (forests, boosting, iterative imputation, strata).
    """
    from ..cohort.schema import COLUMN_BY_NAME
    from ..features.builder import _BINARY, _CATEGORICAL, _NUMERIC, _SUBTYPE_SOURCES
    from ..features.encoders import ECOG_TO_KPS, SUBTYPE_LEVELS

    why = browser_support(model)
    if why:
        raise ModelError(why)
    builder, cox = split_pipeline(model)
    items = []
    for item, names in builder.blocks_.items():
        if item == "kps_from_ecog":
            continue  # produced by the kps item
        if item in _NUMERIC:
            items.append({"item": item, "kind": "numeric", "column": item, "name": names[0],
                          "log1p": item in builder.log_labs})
        elif item in _BINARY:
            items.append({"item": item, "kind": "binary", "column": item, "name": names[0]})
        elif item in _CATEGORICAL:
            items.append({"item": item, "kind": "categorical", "column": item,
                          "levels": dict(_CATEGORICAL[item][0]), "names": list(names),
                          "imputed_level": _imputed_level(builder, item, _CATEGORICAL[item][1])})
        elif item == "primary_site":
            items.append({"item": item, "kind": "site", "column": item, "sites": list(builder.sites_),
                          "names": list(names), "imputed_level": _imputed_level(builder, item, "other")})
        elif item.startswith("subtype:"):
            site = item.split(":", 1)[1]
            cols = _SUBTYPE_SOURCES[item][1:]
            items.append({"item": item, "kind": "subtype", "site": site, "columns": list(cols),
                          "levels": list(SUBTYPE_LEVELS[site]), "names": list(names),
                          "table": _subtype_table(site, cols)})
        else:  # pragma: no cover - FeatureBuilder and this exporter are kept together
            raise ModelError(f"no browser encoding for item {item!r}")
    base = np.asarray(cox.baseline_times_["__all__"], float)
    spec = builder.spec()
    features = {
        "feature_set": builder.feature_set,
        "impute": builder.impute,
        "ecog_to_kps": bool(builder.ecog_to_kps),
        "ecog_to_kps_map": {str(k): float(v) for k, v in ECOG_TO_KPS.items()},
        "items": items,
        "fill_values": {k: float(v) for k, v in builder.fill_values_.items()},
        "indicators": list(builder.indicators_),
        "features": list(builder.feature_names_out_),
        "dropped": {c: float(builder.dropped_values_[c]) for c in builder.dropped_},
        "duplicates": dict(builder.duplicates_),
        # sparse levels pooled into the reference (no design column): column -> reason
        "pooled": {c: str(r) for c, r in getattr(builder, "pooled_", {}).items()},
        "min_level_events": int(getattr(builder, "min_level_events", 0) or 0),
        "few_missing": {k: int(v) for k, v in builder.few_missing_.items()},
        "input_columns": list(builder.input_columns_),
        "spec_sha256": spec["sha256"],
    }
    from scipy.stats import norm

    return {
        "kind": "cox",
        "features": features,
        "columns": {c: _column_meta(COLUMN_BY_NAME[c]) for c in builder.input_columns_},
        "cox": {
            "features_in": list(cox.feature_names_in_),
            "spline_terms": list(cox.spline_terms),
            "knots": {k: list(map(float, v)) for k, v in getattr(cox, "knots_", {}).items()},
            "design_names": list(cox.design_names_),
            "coef": np.asarray(cox.coef_, float).tolist(),
            "means": np.asarray(cox.means_, float).tolist(),
            "cov": np.asarray(cox.cov_, float).tolist(),
            "times": base.tolist(),
            "cumhaz": np.asarray(cox.baseline_cumhaz_["__all__"], float).tolist(),
            "varhaz": np.asarray(cox.baseline_varhaz_["__all__"], float).tolist(),
            "xbar": np.asarray(cox.baseline_xbar_["__all__"], float).tolist(),
            "max_time": float(cox.max_time_),
            "z": float(norm.ppf(0.975)),
            "level": 0.95,
            "baseline": cox.baseline,
        },
        "item_of_design": item_of_columns(model),
        "unbounded": unbounded_columns(model),
    }


def unbounded_columns(model) -> dict[str, float]:
    """Design columns whose Cox coefficient exceeds :data:`UNBOUNDED_COEF` in absolute value.

    A patient with a non-zero value in such a column gets no prediction from the calculator,
    ``serve`` or ``predict --patient`` (the number would rest on an infinite hazard ratio)."""
    _, cox = split_pipeline(model)
    names = getattr(cox, "design_names_", [])
    return {
        n: float(b)
        for n, b in zip(names, np.asarray(getattr(cox, "coef_", []), float), strict=False)
        if abs(b) > UNBOUNDED_COEF
    }


def _imputed_level(builder, item: str, documented: str) -> str:
    """The level an imputed (all-zero) categorical block stands for: the block's reference."""
    ref = getattr(builder, "references_", {}).get(item)
    return documented if ref is None else ref[len(item) + 1:-1] if ref.startswith(item + "[") else ref


def _column_meta(col) -> dict:
    return {"kind": col.kind, "categories": list(col.categories) if col.categories else None,
            "min": col.min, "max": col.max, "unit": col.unit, "description": col.description}


def item_of_columns(model) -> dict[str, str]:
    """Cox design column -> the clinical item (canonical concept) it encodes.

    Spline terms (``age_years'``) belong to their variable, missingness indicators
    (``kps_missing``, ``frankel[missing]``) and ``kps_from_ecog`` to their item, subtype levels
    to ``subtype:<site>``.
    """
    builder, cox = split_pipeline(model)
    of_raw: dict[str, str] = {}
    if builder is not None:
        for item, names in builder.blocks_.items():
            for nm in names:
                of_raw[nm] = "kps" if item == "kps_from_ecog" else item
                base = nm[6:-1] if nm.startswith("log1p(") else nm
                of_raw[f"{base}_missing"] = of_raw[nm]
            of_raw[f"{item}[missing]"] = item
    names = getattr(cox, "design_names_", None) or list(getattr(cox, "feature_names_in_", []))
    out = {}
    for d in names:
        base = d.rstrip("'")
        out[d] = of_raw.get(base, base)
    return out


def median_survival(times, surv) -> float:
    """Median of a right-continuous survival step curve (R ``quantile.survfit`` convention).

    ``times`` are the jump times (increasing) and ``surv`` the curve just after each. Returns the
    first time with S <= 0.5; if S equals 0.5 (within sqrt(eps)) from ``times[j]`` on, the midpoint
    of ``times[j]`` and the next jump time; NaN when the curve stays above 0.5 (median not reached)
    or is undefined.
    """
    t = np.asarray(times, float)
    s = np.asarray(surv, float)
    ok = ~np.isnan(s)
    t, s = t[ok], s[ok]
    below = np.flatnonzero(s <= 0.5 + _R_TOL)
    if below.size == 0:
        return float("nan")
    j = int(below[0])
    if abs(s[j] - 0.5) < _R_TOL:
        if j + 1 < t.size:
            return float((t[j] + t[j + 1]) / 2)
        return float("nan")  # sits at 0.5 until the end of follow-up: not determined
    return float(t[j])
