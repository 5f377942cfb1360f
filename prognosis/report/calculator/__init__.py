"""Individual predictions for clinicians: the one-file offline calculator and its Python twin.

* :func:`calculator_html` -- one self-contained HTML page (inline CSS/JS, a strict
  Content-Security-Policy that forbids every network request) computing, in the browser, the
  classic scores item by item (tables generated from :mod:`prognosis.scores`, see
  :mod:`.score_tables`) and, for Cox models, S(t) with its 95% confidence band, the median and
  S at 3, 6, 12 and 24 months (coefficients, baseline hazard and feature encoding from
  :func:`prognosis.models.individual.export_cox`). The patient comes from the URL query string
  by canonical column names (``calc.html?age_years=62&kps=70&primary_site=lung&egfr=mutant``);
  results are in elements ``#S-3 #S-6 #S-12 #S-24 #median`` (``data-value`` holds full
  precision). ``mode="server"`` gives the same page backed by ``/api/predict`` of
  ``prognosis serve`` (any model type).
* :func:`patient_result` -- the same result computed in Python with the package itself
  (``predict_survival``, ``predict_survival_interval``, ``scores.compute``), as the server
  returns it and ``prognosis predict --patient`` prints it.
"""
from __future__ import annotations

import html
import json
import math
from importlib import resources

import numpy as np
import pandas as pd

from ...cohort.schema import COLUMN_BY_NAME, COLUMNS
from ...errors import InputError, ModelError
from ...models.explain import ITEM_LABELS, cox_contributions
from ...models.individual import (
    export_cox,
    median_survival,
    split_pipeline,
)

__all__ = [
    "CSP_OFFLINE",
    "CSP_SERVER",
    "HORIZONS",
    "calculator_html",
    "harmonize_patient",
    "page_columns",
    "parse_patient",
    "patient_result",
]

HORIZONS = (3.0, 6.0, 12.0, 24.0)
#: no request of any kind may leave the offline page (scripts and styles are inline)
CSP_OFFLINE = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"
#: the served page may talk to its own origin (127.0.0.1) only
CSP_SERVER = CSP_OFFLINE + "; connect-src 'self'"

_LABELS = {
    "age_years": "Age", "sex": "Sex", "primary_site": "Primary site", "kps": "Karnofsky (KPS)",
    "ecog": "ECOG", "extraspinal_bone_mets": "Extraspinal bone metastases", "vertebral_mets":
    "Vertebral metastases", "visceral_mets": "Visceral metastases", "visceral_pattern":
    "Visceral pattern", "brain_mets": "Brain metastases", "frankel": "Frankel grade", "ambulatory":
    "Ambulatory", "pathological_fracture": "Pathological fracture", "prior_chemotherapy":
    "Prior chemotherapy", "targeted_therapy": "Targeted therapy", "albumin_g_dl": "Albumin",
    "crp_mg_dl": "CRP", "ldh_u_l": "LDH", "platelets_10e9_l": "Platelets", "calcium_mg_dl": "Calcium",
    "bilirubin_mg_dl": "Bilirubin", "hemoglobin_g_dl": "Hemoglobin", "egfr": "EGFR", "alk": "ALK",
    "ros1": "ROS1", "kras": "KRAS", "braf": "BRAF", "er": "ER", "pr": "PR", "her2": "HER2",
    "castration": "Castration status",
}


def page_columns(model=None, score_names=None) -> list[str]:
    """Canonical input columns of the page: the model's inputs and every score's, schema order."""
    from ...scores import available, required_columns

    want = set()
    for name in score_names if score_names is not None else available():
        want.update(required_columns(name))
    if model is not None:
        builder, final = split_pipeline(model)
        if builder is not None:
            want.update(builder.input_columns_)
        elif hasattr(final, "feature_names_in_"):
            want.update(c for c in final.feature_names_in_ if c in COLUMN_BY_NAME)
    return [c.name for c in COLUMNS if c.name in want and c.group != "outcome"]


def _columns_meta(cols) -> dict:
    out = {}
    for c in cols:
        s = COLUMN_BY_NAME[c]
        out[c] = {"kind": s.kind, "categories": list(s.categories) if s.categories else None,
                  "min": s.min, "max": s.max, "unit": s.unit,
                  "group": s.group if s.group in ("laboratory", "molecular") else "clinical",
                  "label": _LABELS.get(c, c)}
    return out


def _model_line(model) -> str:
    meta = getattr(model, "artifact_metadata_", {}) or {}
    extra = meta.get("extra", {}) or {}
    _, final = split_pipeline(model)
    what = extra.get("model", type(final).__name__)
    feats = extra.get("features")
    parts = [f"model: {what}" + (f" ({feats} features)" if feats else "")]
    if meta.get("created_utc"):
        parts.append(f"saved {meta['created_utc']}")
    if getattr(final, "max_time_", None) is not None:
        parts.append(f"training follow-up up to {final.max_time_:.2f} months")
    if meta.get("training_checksum"):
        parts.append(f"training data sha256 {meta['training_checksum'][:12]}")
    return "; ".join(parts)


def calculator_html(model, *, mode: str = "offline", title: str | None = None, score_tables_=None) -> str:
    """The calculator page as one HTML string (see module docstring).

    ``mode="offline"`` needs a Cox pipeline (:func:`~prognosis.models.individual.export_cox`
    raises :class:`~prognosis.errors.ModelError` with the reason otherwise); ``mode="server"``
    accepts any model and calls ``/api/predict``.
    """
    from ... import __version__
    from .score_tables import excluded_scores, score_tables

    if mode not in ("offline", "server"):
        raise InputError(f"mode must be 'offline' or 'server', got {mode!r}")
    tables = score_tables_ if score_tables_ is not None else score_tables()
    # scores that cannot be tabulated are named on the page with the reason, never dropped silently
    excluded = {} if score_tables_ is not None else excluded_scores()
    cols = page_columns(model, list(tables))
    payload = {
        "mode": mode,
        "columns": _columns_meta(cols),
        "input_order": cols,
        "scores": tables,
        "scores_excluded": excluded,
        "model": export_cox(model) if mode == "offline" else None,
        "item_labels": ITEM_LABELS,
        "model_line": _model_line(model),
        "ci_note": ("Band: pointwise 95% confidence interval of S(t) given the model (coefficient and "
                    "baseline-hazard uncertainty, as R survfit.coxph); it is not a prediction interval and "
                    "assumes the model is right for this patient."
                    if hasattr(split_pipeline(model)[1], "predict_survival_interval") else
                    "This model gives point predictions only: no confidence band is available for it."),
        "footer": (f"prognosis {__version__}. Research software, not a medical device: the prediction is "
                   "only as good as the model's validation in patients like this one. "
                   + ("Computed in this page; nothing leaves this computer." if mode == "offline" else
                      "Computed by `prognosis serve` on this computer (127.0.0.1).")),
    }
    text = json.dumps(payload, allow_nan=False, separators=(",", ":"))
    text = text.replace("</", "<\\/").replace("<!--", "<\\!--")
    page = resources.files(__package__).joinpath("templates").joinpath("calculator.html").read_text(encoding="utf-8")
    title = title or "prognosis — individual survival calculator"
    return (page.replace("__CSP__", CSP_OFFLINE if mode == "offline" else CSP_SERVER)
                .replace("__TITLE__", html.escape(title))
                .replace("__PAYLOAD__", text))


def parse_patient(pairs, columns=None) -> pd.DataFrame:
    """One-row canonical frame from ``key=value`` strings or a dict (``''``/``NA`` = missing).

    Keys must be canonical column names; values are checked against the schema vocabulary and
    range (case-insensitive categories, yes/no booleans), as the page checks them.
    :class:`~prognosis.errors.InputError` names the column and value at fault.
    """
    if isinstance(pairs, dict):
        items = list(pairs.items())
    else:
        items = []
        for p in pairs:
            if "=" not in p:
                raise InputError(f"--patient {p!r}: expected column=value")
            k, v = p.split("=", 1)
            items.append((k.strip(), v))
    row = {}
    for k, v in items:
        if k not in COLUMN_BY_NAME or COLUMN_BY_NAME[k].group == "outcome":
            raise InputError(f"--patient: {k!r} is not a canonical predictor column (see cohort-schema.md)")
        if columns is not None and k not in columns:
            raise InputError(f"--patient: column {k!r} is used neither by the model nor by a score")
        row[k] = _parse_value(k, v)
    return pd.DataFrame([row]) if row else pd.DataFrame(index=[0])


_BOOL = {"true": True, "false": False, "yes": True, "no": False, "1": True, "0": False, "y": True, "n": False}


def _parse_value(col: str, v):
    spec = COLUMN_BY_NAME[col]
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, bool) and spec.kind == "bool":
        return v
    s = str(v).strip()
    if s == "" or s.lower() == "na":
        return None
    if spec.kind == "category":
        # schema categories are matched case-insensitively (frankel "d" -> "D", spine_level "t12" -> "T12")
        val = next((c for c in spec.categories if c.lower() == s.lower()), s)
        if val not in spec.categories:
            raise InputError(f"column {col!r}: value {s!r} is not one of {list(spec.categories)}")
        return val
    if spec.kind == "bool":
        if s.lower() not in _BOOL:
            raise InputError(f"column {col!r}: value {s!r} is not yes/no")
        return _BOOL[s.lower()]
    return _parse_number(col, spec, s)


def _parse_number(col: str, spec, s: str):
    """A numeric schema column's value: finite, within the schema range, whole for integers."""
    try:
        x = float(s)
    except ValueError:
        raise InputError(f"column {col!r}: value {s!r} is not a number") from None
    if not math.isfinite(x) or (spec.min is not None and x < spec.min) or (spec.max is not None and x > spec.max):
        rng = f"{spec.min:g}-{spec.max:g}" if spec.max is not None else f">= {spec.min:g}"
        raise InputError(f"column {col!r}: value {s!r} is outside {rng}")
    if spec.kind == "int":
        if x != math.floor(x):
            raise InputError(f"column {col!r}: value {s!r} is not a whole number")
        return int(x)
    return x


def _design_value(model, frame, column: str) -> float:
    builder, cox = split_pipeline(model)
    D, _ = cox._design(cox._validate_X(builder.transform(frame)))
    return float(D[0, list(cox.design_names_).index(column)])


def harmonize_patient(frame: pd.DataFrame):
    """Canonical one-row frame through :func:`prognosis.read_cohort` (outcome placeholders, never used)."""
    from ... import read_cohort

    raw = frame.copy()
    for col, val in (("time_months", 1.0), ("event", 0), ("cohort", "predict"), ("patient_id", "patient")):
        if col not in raw.columns:
            raw[col] = val
    return read_cohort(raw).frame


def _nan(v):
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def patient_result(model, frame: pd.DataFrame, score_names=None, grid: int = 200) -> dict:
    """Prediction for the one patient in ``frame`` (canonical, harmonized) as the page shows it.

    Keys: ``horizons`` (t, s, lo, hi at 3/6/12/24 months; NaN beyond follow-up), ``curve``
    (t, s, lo, hi: at every baseline event time for Cox, else on a ``grid`` of times up to the
    training follow-up), ``median`` (value, lower, upper; :func:`median_survival` of the curve and
    its band), ``contributions`` (Cox only), ``scores`` (item-by-item, from ``scores.compute``),
    ``notes`` (warnings raised while predicting), ``max_time``, ``lp``. NaN is given as None.
    """
    import warnings

    from ... import scores as scoremod
    from ...models.cox import CoxModel

    if len(frame) != 1:
        raise InputError(f"patient_result needs one patient, got {len(frame)} rows")
    builder, final = split_pipeline(model)
    tmax = float(getattr(final, "max_time_", max(HORIZONS)))
    is_cox = isinstance(final, CoxModel)
    if is_cox:
        grid_t = np.concatenate([[0.0], np.asarray(final.baseline_times_.get("__all__", []), float)])
    else:
        grid_t = np.linspace(0.0, tmax, grid + 1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        hs = model.predict_survival(frame, list(HORIZONS), truncate=True)
        cs = model.predict_survival(frame, list(grid_t), truncate=True)
        has_int = hasattr(final, "predict_survival_interval")
        if has_int:
            hlo, hhi = model.predict_survival_interval(frame, list(HORIZONS), truncate=True)
            clo, chi = model.predict_survival_interval(frame, list(grid_t), truncate=True)
        contrib = cox_contributions(model, frame) if is_cox and builder is not None else None
    from ...models.individual import unbounded_columns

    unb = unbounded_columns(model) if is_cox else {}
    if unb and contrib is not None:
        hit = [c for c in unb if any(c in cols for cols in contrib.attrs["columns"].values())
               and abs(_design_value(model, frame, c)) > 0]
        if hit:
            raise ModelError("the model's coefficient for " + ", ".join(f"{c} (log HR {unb[c]:.1f})" for c in hit)
                             + " is unbounded (a level with too few training patients); no survival prediction "
                             "for this patient")
    s = cs.iloc[0].to_numpy(float)
    res = {
        "horizons": [{"t": t, "s": _nan(hs.iloc[0, j]),
                      "lo": _nan(hlo.iloc[0, j]) if has_int else None,
                      "hi": _nan(hhi.iloc[0, j]) if has_int else None} for j, t in enumerate(HORIZONS)],
        "curve": {"t": grid_t.tolist(), "s": [_nan(v) for v in s],
                  "lo": [_nan(v) for v in clo.iloc[0]] if has_int else None,
                  "hi": [_nan(v) for v in chi.iloc[0]] if has_int else None},
        "median": {"value": _nan(median_survival(grid_t, s)),
                   "lower": _nan(median_survival(grid_t, clo.iloc[0].to_numpy(float))) if has_int else None,
                   "upper": _nan(median_survival(grid_t, chi.iloc[0].to_numpy(float))) if has_int else None},
        "max_time": tmax,
        "notes": list(dict.fromkeys(str(w.message) for w in caught)),
        "contributions": None if contrib is None else
        [{"item": k, "value": float(contrib.iloc[0][k])} for k in contrib.columns if k != "lp"],
        "lp": float(contrib.iloc[0]["lp"]) if contrib is not None else None,
        "scores": {},
    }
    if builder is not None:
        from ...features.builder import _SUBTYPE_SOURCES

        site = frame["primary_site"].iloc[0] if "primary_site" in frame.columns else None
        # molecular columns matter only within their primary (a lung patient's ER is not imputed)
        irrelevant = {c for item, cols in _SUBTYPE_SOURCES.items() if item.split(":")[1] != site for c in cols[1:]}
        missing = [c for c in builder.input_columns_ if c not in irrelevant
                   and (c not in frame.columns or pd.isna(frame[c].iloc[0]))]
        if missing:
            res["notes"].append("not recorded, so imputed as the model was trained to (training median / mode, "
                                "reference level or missingness indicator): " + ", ".join(missing))
        res["notes"].extend(n for n in builder.patient_notes(frame)[0] if " pooled with the reference " in n)
    if not is_cox:
        res["notes"].append(f"median and curve evaluated on a grid of {grid} times up to {tmax:.2f} months")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # a value a score cannot use (coerced to missing) becomes a note
        for name in score_names if score_names is not None else scoremod.available():
            res["scores"][name] = _score_result(scoremod.explain(frame, name, errors="coerce"))
    res["notes"].extend(n for n in dict.fromkeys(str(w.message) for w in caught) if n not in res["notes"])
    return res


def _score_result(ex) -> dict:
    """One score's item-by-item explanation as the page shows it."""
    items = [{"component": r["item"], "description": r["description"], "lo": int(r["min"]),
              "hi": int(r["max"]), "category": r["category"] if r["min"] == r["max"]
              else f"not recorded: {int(r['min'])}–{int(r['max'])}"} for _, r in ex.table.iterrows()]
    return {"title": ex.title, "citation": ex.citation, "items": items,
            "total": None if pd.isna(ex.total) else int(ex.total),
            "min": int(ex.total_min), "max": int(ex.total_max),
            "group": None if pd.isna(ex.group) else str(ex.group)}
