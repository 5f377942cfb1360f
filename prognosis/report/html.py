"""Render a StudyResult as ONE self-contained HTML file (figures as base64 PNG, inline CSS).

The report reads only the result's aggregate tables — never patient rows — so no patient
identifier can reach it. Layout: summary of findings first, then Table 1, discrimination,
AUC/Brier/IPA, calibration plots per horizon, Kaplan–Meier by score group, decision curves,
external validation, model card, TRIPOD+AI checklist, methods and provenance. Print-friendly
(each section starts a page).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from jinja2 import Environment, FileSystemLoader, select_autoescape

from . import figures as F
from .imputation import imputation_context
from .model_card import model_card
from .tripod import CITATION, tripod_checklist

__all__ = ["render_study", "findings"]

_TEMPLATES = Path(__file__).parent / "templates"
_METRIC_LABEL = {"harrell_c": "Harrell C", "uno_c": "Uno C", "auc": "AUC", "brier": "Brier", "ipa": "IPA",
                 "ici": "ICI", "e50": "E50", "e90": "E90", "slope": "slope", "oe_ratio": "O/E"}


def _html(df: pd.DataFrame, **kw) -> str:
    if df is None or len(df) == 0:
        return '<p class="note">(none)</p>'
    return df.to_html(index=False, border=0, na_rep="–", escape=True, classes="data", **kw)


def _table1_html(t: pd.DataFrame) -> str:
    """Table 1 with each variable name shown once (on its first line)."""
    if t is None or len(t) == 0:
        return ""
    t = t.copy()
    t.loc[t["variable"].eq(t["variable"].shift()), "variable"] = ""
    return _html(t)


def _ci(est, lo, hi, d: int = 3) -> str:
    if not np.isfinite(est):
        return "–"
    if np.isfinite(lo) and np.isfinite(hi):
        return f"{est:.{d}f} ({lo:.{d}f}–{hi:.{d}f})"
    return f"{est:.{d}f}"


def _discrimination_table(m: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for p, g in m.groupby("predictor", sort=False):
        r = {"predictor": p, "kind": g["kind"].iloc[0]}
        for metric in ("harrell_c", "uno_c"):
            x = g[g["metric"] == metric]
            if len(x):
                x = x.iloc[0]
                r[f"{_METRIC_LABEL[metric]} apparent"] = f"{x['apparent']:.3f}"
                r[f"{_METRIC_LABEL[metric]} corrected (95% CI)"] = _ci(x["corrected"], x["ci_low"], x["ci_high"])
        rows.append(r)
    return pd.DataFrame(rows)


def _by_horizon_table(m: pd.DataFrame, metrics) -> pd.DataFrame:
    rows = []
    d = m[m["metric"].isin(metrics)]
    for (p, h), g in d.groupby(["predictor", "horizon"], sort=False):
        r = {"predictor": p, "horizon (months)": f"{h:g}"}
        for metric in metrics:
            x = g[g["metric"] == metric]
            if len(x):
                x = x.iloc[0]
                r[_METRIC_LABEL[metric]] = _ci(x["corrected"], x["ci_low"], x["ci_high"])
        rows.append(r)
    return pd.DataFrame(rows)


def _forest_predictors(result) -> list[str]:
    """Predictors whose calibration the study took from out-of-fold predictions because Harrell's
    bootstrap correction is invalid for them (random forests: ``study.run``), while their C is
    still bootstrap-corrected."""
    m = result.metrics
    if "method" not in m.columns:
        return []
    oof = m["method"].astype(str).str.startswith("5-fold CV")
    boot_c = (m["metric"] == "harrell_c") & (m["method"].astype(str) == "bootstrap")
    return sorted(set(m.loc[oof, "predictor"]) & set(m.loc[boot_c, "predictor"]))


def findings(result) -> list[str]:
    """Plain-language bullet points, computed from the result tables (no hand-written numbers)."""
    out = []
    prov = result.provenance
    dev = prov.get("inputs", {}).get("development", {})
    if dev:
        out.append(f"Development cohort: {dev['n']} patients, {dev['deaths']} deaths.")
    m = result.metrics
    hc = m[m["metric"] == "harrell_c"]
    # Harrell's bootstrap optimism correction is invalid for random forests (they memorise their
    # training patients; see the study note with the out-of-fold C), so a forest's corrected C is
    # never ranked as "highest" and its comparisons are labelled
    forests = _forest_predictors(result)
    if len(hc):
        valid = hc[~hc["predictor"].isin(forests)]
        if len(valid):
            best = valid.sort_values("corrected", ascending=False).iloc[0]
            out.append(f"Highest optimism-corrected Harrell C: {best['predictor']} "
                       f"{_ci(best['corrected'], best['ci_low'], best['ci_high'])}"
                       + (f" (random forests not ranked: their bootstrap-corrected C is optimistic, see the notes: "
                          f"{', '.join(forests)})" if forests else "") + ".")
        sc = hc[hc["kind"] != "model"]
        if len(sc):
            b = sc.sort_values("corrected", ascending=False).iloc[0]
            out.append(f"Best classic score/baseline: {b['predictor']} "
                       f"{_ci(b['corrected'], b['ci_low'], b['ci_high'])}.")
    comp = result.comparisons
    if len(comp):
        for _, r in comp[comp["metric"] == "harrell_c"].iterrows():
            verdict = ("better" if r["ci_low"] > 0 else "worse" if r["ci_high"] < 0
                       else "not clearly different")
            if r["predictor"] in forests or r["reference"] in forests:
                verdict = "bootstrap-corrected, optimistic for a random forest: not interpretable"
            out.append(f"{r['predictor']} vs {r['reference']}: ΔC {r['corrected_delta']:+.3f} "
                       f"(95% CI {r['ci_low']:+.3f} to {r['ci_high']:+.3f}) — {verdict}.")
    if len(result.oracle):
        o = result.oracle.set_index("cohort")["harrell_c"]
        out.append("Simulated data: the true linear predictor has C = "
                   + ", ".join(f"{v:.3f} ({k})" for k, v in o.items())
                   + " — the ceiling for out-of-sample discrimination (apparent values above it are overfitting).")
    ici = m[(m["metric"] == "ici") & (m["horizon"] == 12.0)]
    if len(ici):
        worst = ici.sort_values("corrected", ascending=False).iloc[0]
        bestc = ici.sort_values("corrected").iloc[0]
        out.append(f"Calibration at 12 months (ICI, corrected): from {bestc['corrected']:.3f} ({bestc['predictor']}) "
                   f"to {worst['corrected']:.3f} ({worst['predictor']}).")
    tr = result.transport
    if tr is not None and len(tr):
        t12 = tr[tr["horizon"] == 12.0] if (tr["horizon"] == 12.0).any() else tr[tr["horizon"] == tr["horizon"].max()]
        ext = result.external
        c = ext[(ext["metric"] == "harrell_c")] if len(ext) else ext
        if len(c):
            out.append("External cohort, Harrell C: " + ", ".join(f"{r['predictor']} {r['value']:.3f}"
                                                                 for _, r in c.iterrows()) + ".")
        h = float(t12["horizon"].iloc[0])
        out.append(f"Transport at {h:g} months: O/E " + ", ".join(f"{r['predictor']} {r['oe_ratio']:.2f}"
                                                                  for _, r in t12.iterrows())
                   + "; calibration slope " + ", ".join(f"{r['slope']:.2f}" for _, r in t12.iterrows())
                   + " (1 = ideal). Recalibrate before use in that setting if O/E or slope are far from 1.")
    return out


def _methods(result) -> list[str]:
    cfg = result.config
    v = cfg.validation
    items = [
        "Outcome: overall survival (death from any cause), months from the cohort's time origin; "
        f"horizons {', '.join(f'{h:g}' for h in cfg.horizons) or 'none (follow-up too short; C-indices only)'} months.",
        "Classic scores: published point totals (prognosis.scores), each turned into a risk by a one-variable "
        "Cox model fitted on the development data; models: prognosis.models pipelines on the canonical table.",
    ]
    if v.method == "temporal":
        items.append(f"Temporal validation (TRIPOD type 2b): patients diagnosed before {v.split} ({v.date_column}) "
                     f"form the development period, those from {v.split} on are evaluated as an external cohort; "
                     f"performance by calendar period ({v.period}) shows drift.")
    if v.method in ("bootstrap", "temporal"):
        items.append(
            f"Internal validation: Harrell's bootstrap optimism correction with {v.n_boot} replicates (Harrell, "
            "Lee & Mark, Stat Med 1996); every predictor refitted on each bootstrap sample and evaluated on it and "
            "on the original data; corrected = apparent − mean optimism. 95% CIs: the spread (2.5th–97.5th "
            "percentile around the bootstrap mean) of the full-data fit's measure over the bootstrap samples, "
            "placed around the corrected estimate (variability of the optimism itself is not included).")
    else:
        items.append(f"Internal validation: {v.repeats}× repeated stratified {v.folds}-fold cross-validation "
                     "(mean over test folds). No CIs are given for CV estimates (fold estimates are correlated).")
    items += [
        "Measures (prognosis.metrics, checked against R survival/riskRegression/rms): Harrell's C, Uno's C "
        f"(IPCW, {f'truncated at {max(cfg.horizons):g} months' if cfg.horizons else 'not truncated'}), cumulative/dynamic time-dependent AUC, IPCW Brier "
        "score and IPA, smoothed calibration (ICI/E50/E90, Austin et al. 2020), calibration slope, O/E ratio, "
        "net benefit (decision curves).",
        f"Seed {cfg.seed}: resamples and model seeds are derived from it per replicate, so the same config and "
        "seed give identical tables whether run locally or on a Dask cluster.",
    ]
    return items


def _updating_context(result) -> dict:
    """Tables of the "Drift" and "Updating" sections (templates/_updating.html.j2)."""
    drift = getattr(result, "drift", None)
    upd = getattr(result, "updating", None)
    tests = getattr(result, "updating_tests", None)
    cfg = result.config
    ctx = {"drift": "", "drift_split": "", "updating": "", "updating_tests": "", "updating_text": ""}
    if drift is not None and len(drift):
        ctx["drift"] = _html(drift.round(3))
        ctx["drift_split"] = f"before {cfg.validation.split}"
    if upd is not None and len(upd):
        u = cfg.update
        method = upd["method"].iloc[0]
        ctx["updating"] = _html(upd.drop(columns=[c for c in ("note",) if c in upd and not upd[c].astype(bool).any()])
                                .round(3))
        ctx["updating_text"] = (
            f"{u['model']} updated on the {'later period' if cfg.validation.method == 'temporal' else 'external cohort'} "
            f"with method '{u['method']}'" + (f" (closed testing chose '{method}')" if u["method"] == "auto" else "")
            + ". 'before' = original model; 'after' = updated model on the same cohort (apparent); "
            "'after_corrected' = bootstrap optimism-corrected, repeating the whole update in each replicate "
            "(revision, refit and auto). Calibration slope and O/E: 1 = ideal.")
        cs = upd[upd["metric"].str.startswith("calibration_slope")]["after_corrected"].dropna()
        if len(cs) and (cs < 0.9).any():
            ctx["updating_text"] += (f" Warning: the optimism-corrected calibration slope is {cs.min():.2f} (< 0.9): this "
                                     "update overfits the cohort; a simpler method (slope, or revision of fewer "
                                     "columns) is safer.")
        if tests is not None and len(tests):
            ctx["updating_tests"] = _html(tests.round(4))
    return ctx


def render_study(result, path: str | Path) -> Path:
    """Write the report for ``result`` to ``path`` (parent folders created) and return the path."""
    from .. import __version__

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    cfg = result.config
    m = result.metrics
    figs_d, figs_c, figs_k, figs_dc, figs_e = [], [], [], [], []
    oracle = None
    if len(result.oracle) and (result.oracle["cohort"] == "development").any():
        oracle = float(result.oracle.set_index("cohort").loc["development", "harrell_c"])
    for metric in ("harrell_c", "uno_c"):
        if (m["metric"] == metric).any():
            figs_d.append({"uri": F.to_data_uri(F.discrimination_figure(m, metric, oracle if metric == "harrell_c" else None)),
                           "alt": f"{_METRIC_LABEL[metric]} per predictor",
                           "caption": f"{_METRIC_LABEL[metric]}: apparent and optimism-corrected (95% CI)."})
    for h in cfg.horizons:
        if len(result.calibration_curves):
            figs_c.append({"uri": F.to_data_uri(F.calibration_figure(result.calibration_curves,
                                                                     result.calibration_groups, h)),
                           "alt": f"Calibration at {h:g} months",
                           "caption": f"Calibration at {h:g} months, development cohort, out-of-sample: each patient's "
                                      "prediction comes from a 5-fold cross-validation fit that did not see them "
                                      "(no in-sample curves are shown)."})
    for score in dict.fromkeys(result.km["score"]) if len(result.km) else []:
        figs_k.append({"uri": F.to_data_uri(F.km_figure(result.km, score)), "alt": f"Kaplan–Meier by {score} group",
                       "caption": f"Overall survival by {score} group."})
    dca = result.decision_curves
    for cohort in ("development", "external"):
        for h in cfg.dca_horizons:
            if len(dca) and ((dca["cohort"] == cohort) & (dca["horizon"] == h)).any():
                figs_dc.append({"uri": F.to_data_uri(F.decision_figure(dca, h, cohort)),
                                "alt": f"Decision curve at {h:g} months ({cohort})",
                                "caption": f"Net benefit at {h:g} months, {cohort} cohort."})
    has_ext = result.external is not None and len(result.external) > 0
    if has_ext and len(result.calibration_curves):
        for h in cfg.horizons:
            if ((result.calibration_curves["cohort"] == "external") & (result.calibration_curves["horizon"] == h)).any():
                figs_e.append({"uri": F.to_data_uri(F.calibration_figure(result.calibration_curves,
                                                                         result.calibration_groups, h, "external")),
                               "alt": f"External calibration at {h:g} months",
                               "caption": f"Calibration at {h:g} months in the external cohort (before recalibration)."})

    comp = result.comparisons.copy()
    if len(comp):
        comp = pd.DataFrame({
            "model": comp["predictor"], "reference": comp["reference"],
            "measure": comp["metric"].map(_METRIC_LABEL),
            "ΔC apparent": comp["apparent_delta"].map("{:+.3f}".format),
            "ΔC corrected (95% CI)": [f"{d:+.3f} ({a:+.3f} to {b:+.3f})" for d, a, b in
                                      zip(comp["corrected_delta"], comp["ci_low"], comp["ci_high"], strict=False)],
            "p": comp["p_value"].map(lambda p: "–" if not np.isfinite(p) else "<0.001" if p < 0.001 else f"{p:.3f}"),
        })
    ext_tab = pd.DataFrame()
    if has_ext:
        e = result.external
        e = e[e["metric"] != "error"]
        ext_tab = e.assign(measure=e["metric"].map(_METRIC_LABEL).fillna(e["metric"]) +
                           e["horizon"].map(lambda h: "" if not np.isfinite(h) else f" @{h:g}m"),
                           shown=_value_ci(e)) \
            .pivot_table(index="predictor", columns="measure", values="shown", sort=False, aggfunc="first")
        ext_tab.columns.name = None
        ext_tab = ext_tab.reset_index()
    tr = result.transport.round(3) if result.transport is not None and len(result.transport) else pd.DataFrame()
    ext_counts = getattr(result, "external_counts", None)
    if ext_counts is not None and len(ext_counts):
        ext_tab_counts = _html(ext_counts.rename(columns={
            "deaths_before": "deaths ≤ horizon", "censored_before": "censored ≤ horizon",
            "under_observation_after": "under observation after", "max_followup": "longest follow-up (months)",
            "beyond_followup": "beyond follow-up"}).round(1))
        ext_tab = _ExtHtml(ext_tab, ext_tab_counts)
    km_ext = getattr(result, "km_external", None)
    if km_ext is not None and len(km_ext):
        for score in dict.fromkeys(km_ext["score"]):
            figs_e.append({"uri": F.to_data_uri(F.km_figure(km_ext, score)),
                           "alt": f"Kaplan–Meier by {score} group (external)",
                           "caption": f"Overall survival by {score} group in the external cohort."})
    card = model_card(result)
    from .nomogram import nomogram_figures  # issue 18: rms-style nomogram of each Cox model
    figs_n = nomogram_figures(result)
    tri = tripod_checklist(result)
    counts = tri["status"].value_counts()
    tri_html = _html(tri).replace("<td>author</td>", '<td class="status-author">author</td>') \
        .replace("<td>partly</td>", '<td class="status-partly">partly</td>') \
        .replace("<td>reported</td>", '<td class="status-reported">reported</td>')
    prov = result.provenance
    inputs = pd.DataFrame([{"cohort": k, **{a: b for a, b in v.items() if a not in ("flow", "kind")}}
                           for k, v in prov.get("inputs", {}).items()])
    flows = {k: _html(pd.DataFrame(v["flow"])) for k, v in prov.get("inputs", {}).items() if v.get("flow")}
    versions = pd.DataFrame(sorted(prov.get("versions", {}).items()), columns=["package", "version"])
    cal_tab = _by_horizon_table(m, ("ici", "e50", "e90", "slope", "oe_ratio"))
    env = Environment(loader=FileSystemLoader(str(_TEMPLATES)), autoescape=select_autoescape(["html", "j2"]))
    html = env.get_template("study.html.j2").render(
        title=cfg.report.get("title", cfg.name), description=cfg.description, version=__version__,
        generated=prov.get("started_utc", ""), seed=cfg.seed,
        validation_text=(f"bootstrap optimism correction, {cfg.validation.n_boot} replicates"
                         + (f" on the development period (before {cfg.validation.split}); temporal validation "
                            f"from {cfg.validation.split} as the external cohort" if cfg.validation.method == "temporal" else "")
                         if cfg.validation.method in ("bootstrap", "temporal")
                         else f"{cfg.validation.repeats}× repeated {cfg.validation.folds}-fold CV"),
        corrected_text=("bootstrap optimism-corrected (Harrell)" if cfg.validation.method in ("bootstrap", "temporal")
                        else "mean over cross-validation test folds"),
        tau=f"{max(cfg.horizons):g}" if cfg.horizons else "–",
        findings=findings(result), notes=result.notes,
        table1=_table1_html(result.table1), table1_external=_table1_html(result.table1_external),
        discrimination=_html(_discrimination_table(m)), comparisons=_html(comp) if len(comp) else "",
        discrimination_figs=figs_d, accuracy=_html(_by_horizon_table(m, ("auc", "brier", "ipa"))),
        calibration=_html(cal_tab), calibration_figs=figs_c, km_figs=figs_k, nomogram_figs=figs_n, decision_figs=figs_dc,
        external=(ext_tab.render(_html) if isinstance(ext_tab, _ExtHtml) else _html(ext_tab)) if has_ext else "",
        transport=_html(tr), external_figs=figs_e,
        card=card, card_features=_html(card["features"]), card_performance=_html(card["performance"]),
        tripod=tri_html, tripod_citation=CITATION,
        tripod_counts=", ".join(f"{k}: {int(v)}" for k, v in counts.items()) + " items.",
        methods=_methods(result), inputs=_html(inputs), flows=flows, versions=_html(versions),
        config_sha=prov.get("config_sha256", ""), run_time=prov.get("run_time_seconds", ""),
        scheduler=prov.get("scheduler", ""),
        config_yaml=yaml.safe_dump(prov.get("config", {}), sort_keys=False, allow_unicode=True),
        **_updating_context(result),
        imputation=imputation_context(result),
    )
    html = _add_spine_sections(html, result)
    path.write_text(html, encoding="utf-8")
    return path


def _add_spine_sections(page: str, result) -> str:
    """Insert the NOMS, treatment and literature sections (:mod:`.spine`) before the model card,
    with their entries in the contents, when the cohort has the columns."""
    from .spine import spine_sections

    secs = spine_sections(result)
    if not secs:
        return page
    body = "".join(f'<section id="{s["id"]}">\n<h2>{s["title"]}</h2>\n{s["html"]}\n</section>\n\n' for s in secs)
    nav = "".join(f'  <li><a href="#{s["id"]}">{s["title"]}</a></li>\n' for s in secs)
    page = page.replace('<section id="model-card">', body + '<section id="model-card">', 1)
    return page.replace('  <li><a href="#model-card">', nav + '  <li><a href="#model-card">', 1)


def _value_ci(e: pd.DataFrame) -> list[str]:
    """External measures as "value (95% CI low–high)"; "–" with the reason when not reported."""
    out = []
    lo = e["ci_low"] if "ci_low" in e.columns else pd.Series(np.nan, index=e.index)
    hi = e["ci_high"] if "ci_high" in e.columns else pd.Series(np.nan, index=e.index)
    note = e["note"] if "note" in e.columns else pd.Series("", index=e.index)
    for v, a, b, n in zip(e["value"], lo, hi, note, strict=False):
        if not np.isfinite(v):
            out.append(f"– ({n})" if isinstance(n, str) and n else "–")
        elif np.isfinite(a) and np.isfinite(b):
            out.append(f"{v:.3f} ({a:.3f}–{b:.3f})")
        else:
            out.append(f"{v:.3f}")
    return out


class _ExtHtml:
    """The external measures table preceded by the counts table (patients, deaths per horizon)."""

    def __init__(self, table: pd.DataFrame, counts_html: str):
        self.table, self.counts_html = table, counts_html

    def render(self, html_fn) -> str:
        return (self.counts_html + '<p class="note">External measures with 95% bootstrap intervals '
                '(patients resampled, development fits fixed; censoring weights from the external cohort).</p>'
                + html_fn(self.table))
