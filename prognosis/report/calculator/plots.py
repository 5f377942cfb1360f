"""Figures for one patient: survival curve with its band beside the cohort's Kaplan–Meier."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt
import numpy as np

__all__ = ["patient_curve_figure"]


def patient_curve_figure(result: dict, *, cohort_time=None, cohort_event=None, cohort_label: str = "cohort",
                         title: str | None = None):
    """Predicted S(t) of one patient (step curve, 95% band, S at 3/6/12/24 months, median) and,
    when the cohort's outcome is given, its Kaplan–Meier curve with Greenwood band for reference.

    ``result`` is :func:`prognosis.report.calculator.patient_result`. Returns the Figure.
    """
    from ...metrics.plots import plot_kaplan_meier

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    if cohort_time is not None:
        plot_kaplan_meier(cohort_time, cohort_event, ax=ax)
        for line in ax.get_lines():
            line.set_color("0.45")
            line.set_label(f"{cohort_label} Kaplan–Meier: " + line.get_label())
        for coll in ax.collections:
            coll.set_color("0.6")
    c = result["curve"]
    t = np.asarray(c["t"], float)
    s = np.array([np.nan if v is None else v for v in c["s"]], float)
    if t[-1] < result["max_time"]:  # the curve is flat from the last death to the end of follow-up
        t = np.append(t, result["max_time"])
        s = np.append(s, s[-1])
        c = dict(c, lo=None if c.get("lo") is None else list(c["lo"]) + [c["lo"][-1]],
                 hi=None if c.get("hi") is None else list(c["hi"]) + [c["hi"][-1]])
    ok = ~np.isnan(s)
    ax.step(t[ok], s[ok], where="post", color="#0969da", lw=2, label="this patient (model)")
    if c.get("lo") is not None:
        lo = np.array([np.nan if v is None else v for v in c["lo"]], float)
        hi = np.array([np.nan if v is None else v for v in c["hi"]], float)
        band = ok & ~np.isnan(lo)
        ax.fill_between(t[band], lo[band], hi[band], step="post", color="#54aeff", alpha=0.3, lw=0,
                        label="95% confidence band")
    for h in result["horizons"]:
        if h["s"] is not None:
            ax.plot([h["t"]], [h["s"]], "o", color="#0969da", ms=4)
            ax.annotate(f"{h['s']:.2f}", (h["t"], h["s"]), textcoords="offset points", xytext=(3, 5), fontsize=8)
    ax.axhline(0.5, color="0.6", ls="--", lw=0.8)
    med = result["median"]["value"]
    sub = f"median {med:.1f} months" if med is not None else "median not reached within follow-up"
    ax.set_title((title + "\n" if title else "") + sub, fontsize=10)
    ax.set_xlim(0, result["max_time"])
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("Time (months)")
    ax.set_ylabel("Overall survival")
    ax.legend(fontsize=7, frameon=False, loc="upper right")
    fig.tight_layout()
    return fig
