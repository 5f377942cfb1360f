"""Report figures drawn from a StudyResult's tidy tables (matplotlib, Agg-safe).

Every function returns a :class:`matplotlib.figure.Figure`; :func:`to_data_uri` embeds one as a
base64 PNG so the report is a single self-contained file. Figures are drawn from the tables
the study saved, so the report shows exactly the numbers in ``tables/*.csv``.
"""
from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ..metrics import catalogue  # noqa: E402

__all__ = ["to_data_uri", "calibration_figure", "km_figure", "decision_figure", "discrimination_figure"]

_COLORS = plt.get_cmap("tab10").colors


def _plain_text(fn):
    """Draw every label as plain text: model, score and cohort names come from users, and a name
    such as ``"$x^$"`` would otherwise be parsed as matplotlib mathtext (and can fail to draw)."""
    import functools

    @functools.wraps(fn)
    def wrapper(*a, **k):
        with matplotlib.rc_context({"text.parse_math": False}):
            return fn(*a, **k)
    return wrapper


def to_data_uri(fig, *, dpi: int = 110) -> str:
    """PNG data URI of a figure (closes the figure)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


@_plain_text
def calibration_figure(curves: pd.DataFrame, groups: pd.DataFrame, horizon: float, cohort: str = "development"):
    """Predicted vs observed risk of death by ``horizon``: smoothed curve per predictor and grouped
    Kaplan–Meier points (with 95% CI when available)."""
    c = curves[(curves["cohort"] == cohort) & (curves["horizon"] == horizon)] if len(curves) else curves
    g = groups[(groups["cohort"] == cohort) & (groups["horizon"] == horizon)] if len(groups) else groups
    preds = list(dict.fromkeys(c["predictor"])) if len(c) else []
    fig, ax = plt.subplots(figsize=(5.2, 4.6))
    ax.plot([0, 1], [0, 1], ls="--", color="0.5", lw=1, label="ideal")
    for i, p in enumerate(preds):
        col = _COLORS[i % len(_COLORS)]
        d = c[c["predictor"] == p]
        xcol, ycol = _curve_cols(d)
        d = d.sort_values(xcol)
        ax.plot(d[xcol], d[ycol], color=col, lw=1.6, label=p)
        if len(g):
            gg = g[g["predictor"] == p]
            gx, gy = _curve_cols(gg)
            if gx and gy:
                ax.plot(gg[gx], gg[gy], "o", color=col, ms=3.5)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel(f"Predicted risk of death by {horizon:g} months")
    ax.set_ylabel("Observed risk (smoothed; dots: KM in groups)")
    ax.set_title(f"Calibration at {horizon:g} months ({cohort})", fontsize=10)
    ax.legend(fontsize=7, loc="upper left", frameon=False)
    ax.grid(alpha=0.2)
    return fig


def _curve_cols(d: pd.DataFrame) -> tuple[str | None, str | None]:
    """Find the predicted/observed risk columns of a curve or group table."""
    x = next((c for c in ("predicted_risk", "predicted", "pred", "expected") if c in d.columns), None)
    y = next((c for c in ("observed_risk", "observed", "obs") if c in d.columns), None)
    return x, y


@_plain_text
def km_figure(km: pd.DataFrame, score: str):
    """Kaplan–Meier curves (step, 95% CI band) by published group of one score."""
    d = km[km["score"] == score]
    fig, ax = plt.subplots(figsize=(5.6, 4.0))
    for i, (grp, gd) in enumerate(d.groupby("group", sort=False)):
        col = _COLORS[i % len(_COLORS)]
        ax.step(gd["time"], gd["survival"], where="post", color=col, lw=1.5, label=f"{grp} (n={int(gd['n'].iloc[0])})")
        ax.fill_between(gd["time"], gd["lower"], gd["upper"], step="post", color=col, alpha=0.12)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("Months")
    ax.set_ylabel("Overall survival")
    ax.set_title(f"Kaplan–Meier by {score} group", fontsize=10)
    ax.legend(fontsize=7, frameon=False)
    ax.grid(alpha=0.2)
    return fig


@_plain_text
def decision_figure(dca: pd.DataFrame, horizon: float, cohort: str = "development"):
    """Net benefit vs threshold risk of death by ``horizon``, with treat-all / treat-none."""
    d = dca[(dca["cohort"] == cohort) & (dca["horizon"] == horizon)]
    fig, ax = plt.subplots(figsize=(5.6, 4.0))
    th = "threshold"
    nbc = "net_benefit"
    strat = "strategy" if "strategy" in d.columns else None
    models = list(dict.fromkeys(d["model"]))
    ymax = 0.0
    for i, m in enumerate(models):
        md = d[d["model"] == m]
        if strat:
            mm = md[md[strat].isin(["model", m])]
            if mm.empty:
                mm = md[~md[strat].isin(["treat_all", "treat all", "treat_none", "treat none", "all", "none"])]
        else:
            mm = md
        ax.plot(mm[th], mm[nbc], color=_COLORS[i % len(_COLORS)], lw=1.4, label=m)
        ymax = max(ymax, float(np.nanmax(mm[nbc])) if len(mm) else 0)
    if strat:
        ref = d[d["model"] == models[0]] if models else d
        for lab, keys, st in (("treat all", ("treat_all", "treat all", "all"), "-"),
                              ("treat none", ("treat_none", "treat none", "none"), ":")):
            r = ref[ref[strat].isin(keys)]
            if len(r):
                ax.plot(r[th], r[nbc], color="0.3", ls=st, lw=1, label=lab)
                ymax = max(ymax, float(np.nanmax(r[nbc])))
    else:
        for col, lab, st in (("treat_all", "treat all", "-"), ("treat_none", "treat none", ":")):
            if col in d.columns and models:
                r = d[d["model"] == models[0]]
                ax.plot(r[th], r[col], color="0.3", ls=st, lw=1, label=lab)
                ymax = max(ymax, float(np.nanmax(r[col])))
    ax.axhline(0, color="0.6", lw=0.6)
    ax.set_ylim(-0.05, max(0.05, ymax * 1.1))
    ax.set_xlabel(f"Threshold risk of death by {horizon:g} months")
    ax.set_ylabel("Net benefit")
    ax.set_title(f"Decision curves at {horizon:g} months ({cohort})", fontsize=10)
    ax.legend(fontsize=7, frameon=False)
    ax.grid(alpha=0.2)
    return fig


@_plain_text
def discrimination_figure(metrics: pd.DataFrame, metric: str = "harrell_c", oracle: float | None = None):
    """Forest plot of apparent (open) and optimism-corrected (filled, 95% CI) C per predictor."""
    d = metrics[metrics["metric"] == metric]
    fig, ax = plt.subplots(figsize=(6.0, 0.42 * max(3, len(d)) + 0.8))
    ypos = np.arange(len(d))[::-1]
    cor, lo, hi = (d[c].to_numpy(dtype=float) for c in ("corrected", "ci_low", "ci_high"))
    xerr = np.nan_to_num(np.vstack([np.clip(cor - lo, 0, None), np.clip(hi - cor, 0, None)]))
    ax.errorbar(cor, ypos, xerr=xerr, fmt="o", color="C0", capsize=3, label="optimism-corrected (95% CI)")
    ax.plot(d["apparent"].to_numpy(dtype=float), ypos, "o", mfc="none", color="C3", label="apparent")
    if oracle is not None:
        ax.axvline(oracle, color="0.3", ls="--", lw=1, label=f"oracle (true model) {oracle:.3f}")
    ax.axvline(0.5, color="0.7", lw=0.8)
    ax.set_yticks(ypos)
    ax.set_yticklabels(d["predictor"], fontsize=8)
    ax.set_xlabel(catalogue.label(metric, short=False))
    ax.legend(fontsize=7, frameon=False, loc="lower right")
    ax.grid(alpha=0.2, axis="x")
    return fig
