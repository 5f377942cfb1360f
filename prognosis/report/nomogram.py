"""Nomogram of a Cox model in the style of R ``rms::nomogram`` (Harrell, Regression Modeling
Strategies, 2nd ed. 2015, sec. 20.1 / 21.9).

One axis per clinical item: an item's points are its contribution to the linear predictor,
rescaled so that the item with the widest range of contributions spans 0-100 points; every other
item is on the same scale. The contributions are computed by
:func:`prognosis.models.explain.cox_contributions` on synthetic patients that differ in one item
only, so the nomogram uses the model's own encoding (splines, log1p labs, kept primary sites,
within-primary subtypes, 'not recorded' levels). The total of the points maps to the linear
predictor and from it to S(t | x) = exp(-exp(lp) * H0(t)) at the chosen horizons and to the median
survival (first t with S <= 0.5), as rms does with ``fun=``.

Axis ranges of measurements: the 1st-99th percentiles of a reference cohort when one is given
(``reference=``), else the display ranges in :data:`DISPLAY_RANGES` (ranges of common clinical
values to draw, not clinical cut-offs). Items whose value was not recorded get the 'not recorded'
point printed beside their axis when the model has a missingness level for them.
"""
from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..cohort.schema import COLUMN_BY_NAME
from ..errors import FeatureEncodingWarning, ModelError

__all__ = ["DISPLAY_RANGES", "nomogram_figure", "nomogram_table"]

#: default axis ranges of measurements when no reference cohort is given (display only)
DISPLAY_RANGES = {
    "age_years": (20, 90), "kps": (10, 100), "ecog": (0, 4), "extraspinal_bone_mets": (0, 10),
    "vertebral_mets": (1, 10), "albumin_g_dl": (2.0, 5.0), "crp_mg_dl": (0, 20), "ldh_u_l": (100, 1000),
    "platelets_10e9_l": (50, 500), "calcium_mg_dl": (7, 13), "bilirubin_mg_dl": (0.2, 3.0),
    "hemoglobin_g_dl": (7, 16),
}


def _contrib(model, rows: list[dict], item: str) -> np.ndarray:
    from ..models.explain import cox_contributions
    from ..models.individual import split_pipeline

    cols = list(split_pipeline(model)[0].input_columns_)
    frame = pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)
    for c in cols:
        if COLUMN_BY_NAME[c].kind in ("int", "float"):
            frame[c] = pd.to_numeric(frame[c], errors="coerce").astype(float)
    with warnings.catch_warnings():
        # the axis rows set one item at a time and leave the others missing on purpose, so the
        # builder's notes on imputed / constant columns describe the construction, not a patient
        warnings.simplefilter("ignore", FeatureEncodingWarning)
        c = cox_contributions(model, frame)
    return c[item].to_numpy(float)


def _axis_values(item_spec: dict, reference: pd.DataFrame | None) -> tuple[list, list[str], list[dict]]:
    """(values, labels, rows) for one item's axis."""
    kind, col = item_spec["kind"], item_spec.get("column")
    if kind == "numeric":
        return _numeric_axis(col, reference)
    if kind == "binary":
        return [0, 1], ["no", "yes"], [{col: False}, {col: True}]
    if kind == "categorical":
        return _categorical_axis(item_spec, col)
    if kind == "site":
        sites = list(item_spec["sites"]) + ["other"]
        return list(range(len(sites))), sites, [{col: s} for s in sites]
    if kind == "subtype":
        return _subtype_axis(item_spec)
    raise ModelError(f"no nomogram axis for item kind {kind!r}")  # pragma: no cover


def _numeric_axis(col: str, reference: pd.DataFrame | None) -> tuple[list, list[str], list[dict]]:
    """61 values over the reference cohort's 1st-99th percentiles (else the display range)."""
    if reference is not None and col in reference.columns and reference[col].notna().sum() > 10:
        lo, hi = np.nanpercentile(pd.to_numeric(reference[col], errors="coerce").astype(float), [1, 99])
    else:
        lo, hi = DISPLAY_RANGES.get(col, (COLUMN_BY_NAME[col].min or 0, COLUMN_BY_NAME[col].max or 10))
    vals = np.linspace(lo, hi, 61)
    if COLUMN_BY_NAME[col].kind == "int":
        vals = np.unique(np.round(vals))
    return list(vals), [f"{v:.3g}" for v in vals], [{col: float(v)} for v in vals]


def _categorical_axis(item_spec: dict, col: str) -> tuple[list, list[str], list[dict]]:
    """The reference level(s) first, then each model level (one source value for pooled ones)."""
    levels = list(dict.fromkeys(item_spec["levels"].values()))
    ref = [c for c in COLUMN_BY_NAME[col].categories if c not in item_spec["levels"]]
    out_l, rows = [], []
    for lev in ref + levels:
        src = lev if lev in ref else next(k for k, v in item_spec["levels"].items() if v == lev)
        out_l.append(lev)
        rows.append({col: src})
    return list(range(len(out_l))), out_l, rows


def _subtype_axis(item_spec: dict) -> tuple[list, list[str], list[dict]]:
    """One row per molecular subtype level of the item's primary site."""
    site = item_spec["site"]
    rows, labels = [], []
    for lev in item_spec["levels"]:
        key = next((k for k, v in item_spec["table"].items() if v == lev), None)
        if key is None:
            continue
        vals = key.split("|")
        values = {c: (v or None) for c, v in zip(item_spec["columns"], vals, strict=False)}
        rows.append({"primary_site": site, **values})
        labels.append(lev)
    return list(range(len(labels))), labels, rows


def nomogram_table(model, reference: pd.DataFrame | None = None) -> pd.DataFrame:
    """Points per item value: columns ``item``, ``label``, ``value``, ``points``, ``contribution``.

    ``attrs``: ``scale`` (linear-predictor units per point), ``offset`` (linear predictor at 0
    total points), ``max_total``.
    """
    from ..models.explain import ITEM_LABELS
    from ..models.individual import export_cox

    spec = export_cox(model)
    recs, dropped = [], []
    # FeatureBuilder may pool sparse levels into the reference, or a whole subtype block (then the
    # item has no design column and no axis); the axes follow the columns the model has
    in_design = set(spec["item_of_design"].values())
    pooled = dict(spec["features"].get("pooled", {}))
    gone = [it for it in spec["features"]["items"] if it["item"] not in in_design]
    gone_cols = {c for it in gone for c in it.get("names", [it.get("name")])}
    notes = [f"{ITEM_LABELS.get(it['item'], it['item'])}: "
             + ("every level pooled with the reference (too few training deaths)"
                if all(c in pooled for c in it.get("names", [it.get("name")])) else "no model column")
             + ", so no axis" for it in gone]
    notes += [f"{c} pooled with the reference level (too few training deaths)" for c in pooled if c not in gone_cols]
    for it in spec["features"]["items"]:
        item = it["item"]
        if item not in in_design:
            continue
        vals, labels, rows = _axis_values(it, reference)
        f = _contrib(model, rows, item)
        ind = spec["features"]["indicators"]
        if item in ind or it.get("name") in ind:
            miss_row = {"primary_site": None} if it["kind"] == "site" else {it.get("column", item): None}
            vals, labels = vals + [np.nan], labels + ["not recorded"]
            f = np.append(f, _contrib(model, [miss_row], item))
        unb = spec["unbounded"]
        for v, lab, c in zip(vals, labels, f, strict=False):
            cand = {"subtype": f"{it.get('site')}[{lab}]", "categorical": f"{it.get('column')}[{lab}]",
                    "site": f"site[{lab}]"}.get(it["kind"], it.get("name"))
            if lab == "not recorded":
                cand = f"{item}[missing]" if it["kind"] in ("categorical", "site") else \
                    f"{it['name'][6:-1] if it['name'].startswith('log1p(') else it['name']}_missing"
            if cand in unb:
                dropped.append(f"{ITEM_LABELS.get(item, item)} = {lab} (log HR {unb[cand]:.1f})")
                continue
            recs.append({"item": item, "label": ITEM_LABELS.get(item, item), "value": v, "value_label": lab,
                         "contribution": float(c)})
    tab = pd.DataFrame(recs)
    rng = tab.groupby("item")["contribution"].agg(lambda s: s.max() - s.min())
    scale = float(rng.max()) / 100.0
    if not scale > 0:
        raise ModelError("the model's items have no spread of contributions; no nomogram")
    mins = tab.groupby("item")["contribution"].transform("min")
    tab["points"] = (tab["contribution"] - mins) / scale
    tab.attrs["scale"] = scale
    tab.attrs["unbounded"] = dropped
    tab.attrs["pooled"] = notes
    tab.attrs["offset"] = float(tab.groupby("item")["contribution"].min().sum())
    tab.attrs["max_total"] = float(tab.groupby("item")["points"].max().sum())
    tab.attrs["baseline"] = {"times": spec["cox"]["times"], "cumhaz": spec["cox"]["cumhaz"],
                             "max_time": spec["cox"]["max_time"]}
    return tab


def _surv_from_points(tab, total, t):
    from ..models._base import step_evaluate

    b = tab.attrs["baseline"]
    H = step_evaluate(np.asarray(b["times"]), np.asarray(b["cumhaz"])[None, :], np.asarray([t], float), 0.0)[0, 0]
    lp = tab.attrs["offset"] + np.asarray(total, float) * tab.attrs["scale"]
    return np.exp(-np.exp(lp) * H)


def nomogram_figure(model, reference: pd.DataFrame | None = None, horizons=(6.0, 12.0), title: str | None = None,
                    table: pd.DataFrame | None = None):
    """rms-style nomogram (matplotlib Figure): points, one axis per item, total points,
    S(t) at ``horizons`` (months, within the training follow-up) and median survival.
    ``table``: a :func:`nomogram_table` of the same model, if already computed."""
    tab = table if table is not None else nomogram_table(model, reference)
    items = list(dict.fromkeys(tab["item"]))
    b = tab.attrs["baseline"]
    horizons = [h for h in horizons if h <= b["max_time"]]
    n_rows = len(items) + 3 + len(horizons)
    fig, ax = plt.subplots(figsize=(9.5, 0.42 * n_rows + 0.8))
    ax.set_xlim(-42, 108)
    ax.set_ylim(-n_rows, 1)
    ax.axis("off")
    y = 0
    _points_axis(ax, y)
    for item in items:
        y -= 1
        _item_axis(ax, y, tab[tab["item"] == item])
    maxt = tab.attrs["max_total"]
    y -= 1
    _total_points_axis(ax, y, maxt)
    grid = np.linspace(0, maxt, 2001)
    for h in horizons:
        y -= 1
        _survival_axis(ax, y, _surv_from_points(tab, grid, h), grid, maxt, h)
    y -= 1
    _median_axis(ax, y, tab, grid, maxt)
    ax.set_title(title or "Nomogram (Cox model; rms style)", fontsize=10)
    if tab.attrs.get("pooled"):
        fig.text(0.01, 0.045, "Pooled: " + "; ".join(tab.attrs["pooled"]), fontsize=6, color="#57606a")
    if tab.attrs["unbounded"]:
        fig.text(0.01, 0.02, "Not shown (unbounded coefficient: too few training patients): "
                 + "; ".join(tab.attrs["unbounded"]), fontsize=6, color="#cf222e")
    fig.text(0.01, 0.005, "Points of an item are relative to its lowest value; subtype axes apply within their "
             "primary only. Survival axes assume the model's baseline hazard; not for patients unlike the "
             "training cohort.", fontsize=5.5, color="0.3")
    return fig


def _axis_line(ax, y, x0, x1) -> None:
    ax.plot([x0, x1], [y, y], color="k", lw=0.8)


def _ticks(ax, y, xs, labels) -> None:
    """Tick marks with their labels above the axis at height ``y``."""
    for x, label in zip(xs, labels, strict=True):
        ax.plot([x, x], [y, y + 0.12], color="k", lw=0.7)
        ax.text(x, y + 0.16, label, ha="center", va="bottom", fontsize=6)


def _points_axis(ax, y) -> None:
    _axis_line(ax, y, 0, 100)
    ax.text(-2, y, "Points", ha="right", va="center", fontsize=8, weight="bold")
    for p in range(0, 101, 10):
        ax.plot([p, p], [y, y + 0.15], color="k", lw=0.8)
        ax.text(p, y + 0.2, str(p), ha="center", va="bottom", fontsize=6)


def _item_axis(ax, y, sub: pd.DataFrame) -> None:
    """One item: its recorded values along their points (5 ticks for a numeric item), labels
    alternating above and below where they would overlap, and the points of "not recorded"."""
    rec = sub[sub["value_label"] != "not recorded"]
    _axis_line(ax, y, rec["points"].min(), rec["points"].max())
    ax.text(-2, y, sub["label"].iloc[0], ha="right", va="center", fontsize=7)
    numeric = pd.api.types.is_float_dtype(rec["value"]) and len(rec) > 8
    if numeric:
        idx = np.linspace(0, len(rec) - 1, 5).round().astype(int)
        show = rec.iloc[np.unique(idx)]
    else:
        show = rec
    last_x = -1e9
    for k, (_, r) in enumerate(show.iterrows()):
        up = (k % 2 == 0) or abs(r["points"] - last_x) > 6
        ax.plot([r["points"]] * 2, [y, y + 0.12], color="k", lw=0.7)
        ax.text(r["points"], y + (0.16 if up else -0.18), r["value_label"], ha="center",
                va="bottom" if up else "top", fontsize=5.5, rotation=0)
        last_x = r["points"]
    nr = sub[sub["value_label"] == "not recorded"]
    if len(nr):
        ax.text(103, y, f"not recorded: {nr['points'].iloc[0]:.0f}", ha="left", va="center", fontsize=5.5,
                color="0.3")


def _total_points_axis(ax, y, maxt: float) -> None:
    _axis_line(ax, y, 0, 100)
    ax.text(-2, y, "Total points", ha="right", va="center", fontsize=8, weight="bold")
    step = 10 ** np.floor(np.log10(maxt / 5))
    step = step * (2 if maxt / step > 12 else 1) * (2.5 if maxt / step > 30 else 1)
    vals = np.arange(0, maxt + 1e-9, step)
    _ticks(ax, y, [100 * v / maxt for v in vals], [f"{v:g}" for v in vals])


def _survival_axis(ax, y, s: np.ndarray, grid: np.ndarray, maxt: float, h: float) -> None:
    """S(h) as a function of the total points, at round probabilities."""
    ax.text(-2, y, f"S({h:g} months)", ha="right", va="center", fontsize=8)
    probs = [p for p in (0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05) if s.min() <= p <= s.max()]
    if probs:
        xs = [100 * np.interp(-p, -s, grid) / maxt for p in probs]
        _axis_line(ax, y, min(xs), max(xs))
        _ticks(ax, y, xs, [f"{p:g}" for p in probs])


def _median_axis(ax, y, tab: pd.DataFrame, grid: np.ndarray, maxt: float) -> None:
    """Total points at which the median survival equals 1, 2, 3, ... 60 months (within follow-up)."""
    b = tab.attrs["baseline"]
    ax.text(-2, y, "Median survival (months)", ha="right", va="center", fontsize=8)
    times = np.asarray(b["times"])
    meds = []
    for m in (1, 2, 3, 6, 9, 12, 18, 24, 36, 48, 60):
        if m > b["max_time"] or m < times[0]:
            continue
        # total points at which the median equals m: S(m) = 0.5
        s = _surv_from_points(tab, grid, m)
        if s.min() <= 0.5 <= s.max():
            meds.append((m, 100 * np.interp(-0.5, -s, grid) / maxt))
    if meds:
        _axis_line(ax, y, min(x for _, x in meds), max(x for _, x in meds))
        _ticks(ax, y, [x for _, x in meds], [f"{m:g}" for m, _ in meds])


def nomogram_figures(result) -> list[dict]:
    """Report figures (data URI, alt, caption) of the nomogram of every fitted Cox model of a
    study (``StudyResult.fitted``); other model types have none."""
    from ..models.individual import browser_support
    from .figures import to_data_uri

    figs = []
    for name, est in getattr(result, "fitted", {}).items():
        if browser_support(est) is not None:
            continue
        try:
            fig = nomogram_figure(est, title=f"Nomogram: {name}")
        except ModelError as exc:
            figs.append({"uri": "", "alt": f"no nomogram for {name}", "caption": f"{name}: no nomogram ({exc})."})
            continue
        figs.append({"uri": to_data_uri(fig, dpi=100), "alt": f"Nomogram of {name}",
                     "caption": f"{name} (fitted on the development cohort): points per item (rms style), total "
                                "points, predicted survival and median. Axis ranges are display ranges."})
    return figs
