"""The report's measure tables, built from the measure catalogue (:mod:`prognosis.metrics.catalogue`).

Which measure goes in which table, its column header, column order and decimals all come from
the catalogue; no measure is named here. The sections:

- *discrimination*: horizon-free discrimination measures, apparent and corrected (95% CI);
- *accuracy*: the other non-calibration measures, one row per predictor and horizon (a
  horizon-free one shows "–" as its horizon) — measures not in the catalogue land here too,
  under their own names, so nothing computed is dropped;
- *calibration*: the calibration group, one row per predictor and horizon.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..metrics import catalogue

__all__ = ["section_measures", "discrimination_table", "by_horizon_table", "external_table", "comparisons_table",
           "glossary", "value_ci"]


def section_measures(metrics: pd.DataFrame) -> dict[str, list[str]]:
    """Names of the measures present in ``metrics`` per report table, in catalogue order."""
    present = list(dict.fromkeys(metrics["metric"])) if len(metrics) else []
    out = {"discrimination": [], "accuracy": [], "calibration": []}
    for name in sorted(present, key=catalogue.order):
        try:
            m = catalogue.get(name)
        except KeyError:
            out["accuracy"].append(name)
            continue
        if m.group == "calibration":
            out["calibration"].append(name)
        elif m.group == "discrimination" and not m.per_horizon:
            out["discrimination"].append(name)
        else:
            out["accuracy"].append(name)
    return out


def _ci(r, value: str = "corrected") -> str:
    return catalogue.format_value(r[value], r.get("ci_low"), r.get("ci_high"), catalogue.decimals(r["metric"]))


def discrimination_table(m: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """One row per predictor: kind, then per measure its apparent and corrected (95% CI) value."""
    rows = []
    d = m[m["metric"].isin(names)]
    for p, g in m.groupby("predictor", sort=False):
        r = {"predictor": p, "kind": g["kind"].iloc[0]}
        for name in names:
            x = d[(d["predictor"] == p) & (d["metric"] == name)]
            if len(x):
                x = x.iloc[0]
                lab = catalogue.label(name)
                r[f"{lab} apparent"] = catalogue.format_value(x["apparent"], decimals=catalogue.decimals(name))
                r[f"{lab} corrected (95% CI)"] = _ci(x)
        rows.append(r)
    return pd.DataFrame(rows)


def by_horizon_table(m: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """One row per predictor and horizon, one column per measure: corrected (95% CI)."""
    d = m[m["metric"].isin(names)]
    if not len(d):
        return pd.DataFrame()
    t = catalogue.wide(d, _ci, by_horizon=True)
    t["horizon"] = t["horizon"].map(lambda h: f"{h:g}" if np.isfinite(h) else "–")
    return t.rename(columns={"horizon": "horizon (months)"})


def value_ci(r) -> str:
    """An external measure as "value (95% CI low–high)"; "–" with the reason when not reported."""
    if not np.isfinite(r["value"]):
        n = r.get("note", "")
        return f"– ({n})" if isinstance(n, str) and n else "–"
    return _ci(r, "value")


def external_table(e: pd.DataFrame) -> pd.DataFrame:
    """External measures: one row per predictor, one column per measure and horizon."""
    e = e[e["metric"] != "error"]
    if not len(e):
        return pd.DataFrame()
    return catalogue.wide(e, value_ci)


def comparisons_table(comp: pd.DataFrame) -> pd.DataFrame:
    """Paired differences (model − reference) with CI and bootstrap p."""
    if not len(comp):
        return pd.DataFrame()

    def delta(r, col, lo=None, hi=None):
        return catalogue.format_value(r[col], None if lo is None else r[lo], None if hi is None else r[hi],
                                      catalogue.decimals(r["metric"]), signed=True)

    return pd.DataFrame({
        "model": comp["predictor"], "reference": comp["reference"],
        "measure": comp["metric"].map(catalogue.label),
        "ΔC apparent": [delta(r, "apparent_delta") for _, r in comp.iterrows()],
        "ΔC corrected (95% CI)": [delta(r, "corrected_delta", "ci_low", "ci_high") for _, r in comp.iterrows()],
        "p": comp["p_value"].map(lambda p: "–" if not np.isfinite(p) else "<0.001" if p < 0.001 else f"{p:.3f}"),
    })


_BETTER = {"higher": "higher", "lower": "lower", "one": "closer to 1"}


def glossary(names) -> pd.DataFrame:
    """The catalogue entries of ``names``: label, group, better, description, source."""
    rows = []
    for name in sorted(dict.fromkeys(names), key=catalogue.order):
        try:
            m = catalogue.get(name)
        except KeyError:
            continue
        rows.append({"measure": m.label, "key": m.name, "group": m.group,
                     "at each horizon": "yes" if m.per_horizon else "no", "better": _BETTER[m.direction],
                     "definition": m.description, "source": m.citation})
    return pd.DataFrame(rows)
