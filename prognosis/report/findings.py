"""The report's summary of findings: plain-language bullet points computed from the result tables
(no hand-written numbers). Labels, decimals and which value is best come from the measure
catalogue (:mod:`prognosis.metrics.catalogue`)."""
from __future__ import annotations

import pandas as pd

from ..metrics import catalogue
from ..study.result import forest_predictors

__all__ = ["findings", "forest_predictors"]

#: The horizon of the calibration and transport sentences (months); the largest one when absent.
FINDINGS_HORIZON = 12.0


def _fmt(name: str, value, lo=None, hi=None) -> str:
    return catalogue.format_value(value, lo, hi, catalogue.decimals(name))


def _cohort_findings(result) -> list[str]:
    dev = result.provenance.get("inputs", {}).get("development", {})
    return [f"Development cohort: {dev['n']} patients, {dev['deaths']} deaths."] if dev else []


def _discrimination_findings(result, forests: list[str]) -> list[str]:
    """Best corrected Harrell C overall (forests not ranked) and among classic scores/baselines."""
    out = []
    hc = result.metrics[result.metrics["metric"] == "harrell_c"].dropna(subset=["corrected"])
    lab = catalogue.label("harrell_c")
    # Harrell's bootstrap optimism correction is invalid for random forests (they memorise their
    # training patients; see the study note with the out-of-fold C), so a forest's corrected C is
    # never ranked as "highest" and its comparisons are labelled
    valid = hc[~hc["predictor"].isin(forests)]
    if len(valid):
        best = catalogue.best_first(valid, "harrell_c", "corrected").iloc[0]
        out.append(f"Highest optimism-corrected {lab}: {best['predictor']} "
                   f"{_fmt('harrell_c', best['corrected'], best['ci_low'], best['ci_high'])}"
                   + (f" (random forests not ranked: their bootstrap-corrected C is optimistic, see the notes: "
                      f"{', '.join(forests)})" if forests else "") + ".")
    sc = hc[hc["kind"] != "model"]
    if len(sc):
        b = catalogue.best_first(sc, "harrell_c", "corrected").iloc[0]
        out.append(f"Best classic score/baseline: {b['predictor']} "
                   f"{_fmt('harrell_c', b['corrected'], b['ci_low'], b['ci_high'])}.")
    return out


def _comparison_findings(result, forests: list[str]) -> list[str]:
    comp = result.comparisons
    out = []
    for _, r in comp[comp["metric"] == "harrell_c"].iterrows() if len(comp) else ():
        verdict = ("better" if r["ci_low"] > 0 else "worse" if r["ci_high"] < 0
                   else "not clearly different")
        if r["predictor"] in forests or r["reference"] in forests:
            verdict = "bootstrap-corrected, optimistic for a random forest: not interpretable"
        d = catalogue.decimals("harrell_c")
        out.append(f"{r['predictor']} vs {r['reference']}: ΔC {r['corrected_delta']:+.{d}f} "
                   f"(95% CI {r['ci_low']:+.{d}f} to {r['ci_high']:+.{d}f}) — {verdict}.")
    return out


def _oracle_findings(result) -> list[str]:
    if not len(result.oracle):
        return []
    o = result.oracle.set_index("cohort")["harrell_c"]
    return ["Simulated data: the true linear predictor has C = "
            + ", ".join(f"{_fmt('harrell_c', v)} ({k})" for k, v in o.items())
            + " — the ceiling for out-of-sample discrimination (apparent values above it are overfitting)."]


def _calibration_findings(result) -> list[str]:
    m = result.metrics
    ici = m[(m["metric"] == "ici") & (m["horizon"] == FINDINGS_HORIZON)].dropna(subset=["corrected"])
    if not len(ici):
        return []
    ranked = catalogue.best_first(ici, "ici", "corrected")
    best, worst = ranked.iloc[0], ranked.iloc[-1]
    return [f"Calibration at {FINDINGS_HORIZON:g} months ({catalogue.label('ici')}, corrected): from "
            f"{_fmt('ici', best['corrected'])} ({best['predictor']}) to {_fmt('ici', worst['corrected'])} "
            f"({worst['predictor']})."]


def _transport_findings(result) -> list[str]:
    tr = result.transport
    if tr is None or not len(tr):
        return []
    out = []
    at = tr["horizon"] == FINDINGS_HORIZON
    t12 = tr[at] if at.any() else tr[tr["horizon"] == tr["horizon"].max()]
    ext = result.external
    c = ext[ext["metric"] == "harrell_c"] if ext is not None and len(ext) else pd.DataFrame()
    if len(c):
        out.append(f"External cohort, {catalogue.label('harrell_c')}: "
                   + ", ".join(f"{r['predictor']} {_fmt('harrell_c', r['value'])}" for _, r in c.iterrows()) + ".")
    h = float(t12["horizon"].iloc[0])
    oe, slope = catalogue.get("oe_ratio"), catalogue.get("slope")
    out.append(f"Transport at {h:g} months: {oe.short} "
               + ", ".join(f"{r['predictor']} {oe.format(r['oe_ratio'])}" for _, r in t12.iterrows())
               + f"; {slope.label.lower()} " + ", ".join(slope.format(r["slope"]) for _, r in t12.iterrows())
               + f" (1 = ideal). Recalibrate before use in that setting if {oe.short} or slope are far from 1.")
    return out


def findings(result) -> list[str]:
    """Plain-language bullet points, computed from the result tables (no hand-written numbers)."""
    forests = forest_predictors(result)
    return (_cohort_findings(result) + _discrimination_findings(result, forests)
            + _comparison_findings(result, forests) + _oracle_findings(result) + _calibration_findings(result)
            + _transport_findings(result))
