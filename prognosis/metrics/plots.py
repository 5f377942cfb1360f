"""Matplotlib figures for the metrics: calibration, AUC/Brier over time, decision curves.

Each function takes an optional ``ax`` and returns the ``Figure``; none calls ``plt.show``.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["plot_calibration", "plot_metric_over_time", "plot_decision_curve", "plot_kaplan_meier"]


def _ax(ax, figsize=(5.5, 5)):
    import matplotlib.pyplot as plt
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    return ax.figure, ax


def plot_calibration(result, ax=None, *, label: str | None = None, show_groups: bool = True,
                     show_histogram: bool = True):
    """Calibration plot at horizon t: smoothed Austin et al. curve (observed vs predicted risk of
    death by t), grouped Kaplan–Meier points with 95% CI, the ideal diagonal, and a rug-style
    histogram of predicted risk. ``result`` is a :class:`~prognosis.metrics.CalibrationResult`."""
    fig, ax = _ax(ax)
    c = result.curve
    ax.plot([0, 1], [0, 1], ls="--", color="0.6", lw=1, label="ideal")
    ax.plot(c["predicted_risk"], c["observed_risk"], lw=2,
            label=(label or "smoothed") + f" (ICI {result.ici:.3f})")
    if show_groups and len(result.groups):
        g = result.groups
        x = 1 - g["predicted_surv"].to_numpy()
        y = 1 - g["observed_surv"].to_numpy()
        lo = y - (1 - g["upper"].to_numpy())
        hi = (1 - g["lower"].to_numpy()) - y
        ax.errorbar(x, y, yerr=np.vstack([lo, hi]), fmt="o", ms=4, capsize=2, color="k",
                    label="grouped KM (95% CI)")
    if show_histogram:
        counts, edges = np.histogram(c["predicted_risk"], bins=40, range=(0, 1))
        if counts.max() > 0:
            ax.bar(edges[:-1], 0.08 * counts / counts.max(), width=np.diff(edges), align="edge",
                   color="0.75", alpha=0.7, zorder=0)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel(f"Predicted risk of death by t = {result.t:g}")
    ax.set_ylabel(f"Observed risk of death by t = {result.t:g}")
    ax.set_aspect("equal")
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    return fig


def plot_metric_over_time(curves: Mapping[str, pd.Series] | pd.Series, ax=None, *,
                          metric: str = "AUC", reference: float | None = None):
    """Plot a metric over horizons (e.g. time-dependent AUC or Brier score) for one or several
    models. ``curves``: a Series indexed by t, or a mapping name -> Series. For AUC a reference
    line at 0.5 is drawn by default."""
    fig, ax = _ax(ax, (6, 4))
    if isinstance(curves, pd.Series):
        curves = {curves.name or metric: curves}
    for name, s in curves.items():
        ax.plot(s.index.to_numpy(dtype=float), s.to_numpy(dtype=float), marker="o", ms=3,
                label=str(name))
    if reference is None and metric.upper() == "AUC":
        reference = 0.5
    if reference is not None:
        ax.axhline(reference, ls="--", color="0.6", lw=1)
    ax.set_xlabel("Time (months)")
    ax.set_ylabel(metric)
    ax.legend(fontsize=8, frameon=False)
    return fig


def plot_decision_curve(frame: pd.DataFrame, ax=None, *, ylim_low: float | None = None):
    """Decision curves from :func:`~prognosis.metrics.net_benefit` output (one or several
    models concatenated): net benefit against threshold probability, with treat-all and
    treat-none references."""
    fig, ax = _ax(ax, (6, 4))
    styles = {"treat all": {"color": "0.4", "lw": 1}, "treat none": {"color": "k", "lw": 1, "ls": ":"}}
    for name, g in frame.drop_duplicates(["threshold", "strategy"]).groupby("strategy", sort=False):
        ax.plot(g["threshold"], g["net_benefit"], label=name, **styles.get(name, {"lw": 2}))
    top = np.nanmax(frame["net_benefit"].to_numpy(dtype=float))
    low = ylim_low if ylim_low is not None else -0.05 * max(top, 0.01)
    ax.set_ylim(low, max(top, 0.01) * 1.05)
    ax.set_xlabel("Threshold probability")
    ax.set_ylabel("Net benefit")
    ax.legend(fontsize=8, frameon=False)
    return fig


def plot_kaplan_meier(time, event, groups=None, ax=None, *, conf_int: bool = True,
                      xlabel: str = "Time (months)"):
    """Kaplan–Meier curves (overall or by group) with pointwise 95% log-scale Greenwood bands.

    ``groups``: optional labels (e.g. a score's risk groups); one curve per distinct label, in
    sorted order, with its n and number of deaths in the legend. Returns the Figure.
    """
    from .km import kaplan_meier
    fig, ax = _ax(ax, (6, 4))
    tm = np.asarray(time, dtype=float)
    ev = np.asarray(event)
    labels = np.zeros(tm.size, dtype=int) if groups is None else np.asarray(groups)
    for lab in sorted(pd.unique(labels), key=str):
        m = labels == lab
        km = kaplan_meier(tm[m], ev[m])
        x = np.concatenate([[0.0], km.time])
        y = np.concatenate([[1.0], km.surv])
        name = "All" if groups is None else str(lab)
        line, = ax.step(x, y, where="post",
                        label=f"{name} (n={int(m.sum())}, deaths={int(ev[m].sum())})")
        if conf_int:
            lo, hi = km.confint(km.time)
            ax.fill_between(x, np.concatenate([[1.0], lo]), np.concatenate([[1.0], hi]),
                            step="post", alpha=0.15, color=line.get_color(), lw=0)
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Overall survival")
    ax.legend(fontsize=8, frameon=False)
    return fig
