"""Render a StudyResult as ONE self-contained HTML file (figures as base64 PNG, inline CSS).

The report reads only the result's aggregate tables — never patient rows — so no patient
identifier can reach it. Layout: summary of findings first, then Table 1, discrimination,
AUC/Brier/IPA, calibration plots per horizon, Kaplan–Meier by score group, decision curves,
external validation, model card, TRIPOD+AI checklist, methods and provenance. Print-friendly
(each section starts a page).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..metrics import catalogue
from . import figures as F
from . import tables as T
from .findings import findings
from .imputation import imputation_context
from .model_card import model_card
from .tripod import CITATION, tripod_checklist

__all__ = ["render_study", "findings"]

_TEMPLATES = Path(__file__).parent / "templates"


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


def _measures_sentence(result) -> str:
    """The Methods item naming every measure the study computed, from the catalogue."""
    cfg = result.config
    sections = T.section_measures(result.metrics)
    items = []
    for name in sections["discrimination"] + sections["accuracy"] + sections["calibration"]:
        lab = catalogue.label(name, short=False)
        if name == "uno_c":  # its truncation time is the study's, not the measure's
            lab += f" (IPCW, {f'truncated at {max(cfg.horizons):g} months' if cfg.horizons else 'not truncated'})"
        items.append(lab)
    return ("Measures (prognosis.metrics, checked against R survival/riskRegression/rms; definitions and sources "
            "in the glossary below): " + ", ".join(items + ["net benefit (decision curves)"]) + ".")


def _methods(result) -> list[str]:
    cfg = result.config
    v = cfg.validation
    horizons = ", ".join(f"{h:g}" for h in cfg.horizons) or "none (follow-up too short; C-indices only)"
    items = [
        f"Outcome: overall survival (death from any cause), months from the cohort's time origin; "
        f"horizons {horizons} months.",
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
        _measures_sentence(result),
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
        where = "later period" if cfg.validation.method == "temporal" else "external cohort"
        ctx["updating_text"] = (
            f"{u['model']} updated on the {where} "
            f"with method '{u['method']}'" + (f" (closed testing chose '{method}')" if u["method"] == "auto" else "")
            + ". 'before' = original model; 'after' = updated model on the same cohort (apparent); "
            "'after_corrected' = bootstrap optimism-corrected, repeating the whole update in each replicate "
            "(revision, refit and auto). Calibration slope and O/E: 1 = ideal.")
        name = upd["metric"].map(lambda k: catalogue.parse_key(k)[0])  # study/updating's own key names
        cs = upd[name == "calibration_slope"]["after_corrected"].dropna()
        if len(cs) and (cs < 0.9).any():
            ctx["updating_text"] += (f" Warning: the optimism-corrected calibration slope is {cs.min():.2f} (< 0.9): "
                                     "this update overfits the cohort; a simpler method (slope, or revision of "
                                     "fewer columns) is safer.")
        if tests is not None and len(tests):
            ctx["updating_tests"] = _html(tests.round(4))
    return ctx


def _fig(fig, alt: str, caption: str) -> dict:
    return {"uri": F.to_data_uri(fig), "alt": alt, "caption": caption}


def _discrimination_figures(result, names: list[str]) -> list[dict]:
    oracle = None
    if len(result.oracle) and (result.oracle["cohort"] == "development").any():
        oracle = float(result.oracle.set_index("cohort").loc["development", "harrell_c"])
    out = []
    for name in names:
        lab = catalogue.label(name)
        # the oracle is the true linear predictor's Harrell C (StudyResult.oracle)
        out.append(_fig(F.discrimination_figure(result.metrics, name, oracle if name == "harrell_c" else None),
                        f"{lab} per predictor", f"{lab}: apparent and optimism-corrected (95% CI)."))
    return out


def _calibration_figures(result, cohort: str) -> list[dict]:
    curves = result.calibration_curves
    out = []
    for h in result.config.horizons if len(curves) else ():
        if cohort == "development":
            out.append(_fig(F.calibration_figure(curves, result.calibration_groups, h), f"Calibration at {h:g} months",
                            f"Calibration at {h:g} months, development cohort, out-of-sample: each patient's "
                            "prediction comes from a 5-fold cross-validation fit that did not see them "
                            "(no in-sample curves are shown)."))
        elif ((curves["cohort"] == "external") & (curves["horizon"] == h)).any():
            out.append(_fig(F.calibration_figure(curves, result.calibration_groups, h, "external"),
                            f"External calibration at {h:g} months",
                            f"Calibration at {h:g} months in the external cohort (before recalibration)."))
    return out


def _km_figures(km: pd.DataFrame, where: str = "") -> list[dict]:
    out = []
    for score in dict.fromkeys(km["score"]) if km is not None and len(km) else ():
        out.append(_fig(F.km_figure(km, score), f"Kaplan–Meier by {score} group{' (external)' if where else ''}",
                        f"Overall survival by {score} group{' in the external cohort' if where else ''}."))
    return out


def _decision_figures(result) -> list[dict]:
    dca = result.decision_curves
    out = []
    for cohort in ("development", "external"):
        for h in result.config.dca_horizons:
            if len(dca) and ((dca["cohort"] == cohort) & (dca["horizon"] == h)).any():
                out.append(_fig(F.decision_figure(dca, h, cohort), f"Decision curve at {h:g} months ({cohort})",
                                f"Net benefit at {h:g} months, {cohort} cohort."))
    return out


def _external_context(result) -> dict:
    """The external section: counts per horizon, measures with 95% CIs, transport, figures."""
    if result.external is None or not len(result.external):
        return {"external": "", "transport": _html(pd.DataFrame()), "external_figs": []}
    tr = result.transport.round(3) if result.transport is not None and len(result.transport) else pd.DataFrame()
    html = _html(T.external_table(result.external))
    counts = getattr(result, "external_counts", None)
    if counts is not None and len(counts):
        html = (_html(counts.rename(columns={
            "deaths_before": "deaths ≤ horizon", "censored_before": "censored ≤ horizon",
            "under_observation_after": "under observation after", "max_followup": "longest follow-up (months)",
            "beyond_followup": "beyond follow-up"}).round(1))
            + '<p class="note">External measures with 95% bootstrap intervals (patients resampled, development '
            'fits fixed; censoring weights from the external cohort).</p>' + html)
    figs = _calibration_figures(result, "external") + _km_figures(getattr(result, "km_external", None), "external")
    return {"external": html, "transport": _html(tr), "external_figs": figs}


def _measure_context(result) -> dict:
    """The discrimination, accuracy and calibration tables and figures, from the catalogue."""
    m = result.metrics
    sections = T.section_measures(m)
    comp = T.comparisons_table(result.comparisons)
    return {
        "discrimination": _html(T.discrimination_table(m, sections["discrimination"])),
        "comparisons": _html(comp) if len(comp) else "",
        "discrimination_figs": _discrimination_figures(result, sections["discrimination"]),
        "accuracy": _html(T.by_horizon_table(m, sections["accuracy"])),
        "calibration": _html(T.by_horizon_table(m, sections["calibration"])),
        "glossary": _html(T.glossary(m["metric"])),
    }


def _validation_texts(cfg) -> dict:
    v = cfg.validation
    boot = v.method in ("bootstrap", "temporal")
    text = (f"bootstrap optimism correction, {v.n_boot} replicates"
            + (f" on the development period (before {v.split}); temporal validation from {v.split} as the external "
               "cohort" if v.method == "temporal" else "")
            if boot else f"{v.repeats}× repeated {v.folds}-fold CV")
    return {"validation_text": text,
            "corrected_text": ("bootstrap optimism-corrected (Harrell)" if boot
                               else "mean over cross-validation test folds"),
            "tau": f"{max(cfg.horizons):g}" if cfg.horizons else "–"}


def _tripod_context(result) -> dict:
    tri = tripod_checklist(result)
    counts = tri["status"].value_counts()
    html = _html(tri)
    for status in ("author", "partly", "reported"):
        html = html.replace(f"<td>{status}</td>", f'<td class="status-{status}">{status}</td>')
    return {"tripod": html, "tripod_citation": CITATION,
            "tripod_counts": ", ".join(f"{k}: {int(v)}" for k, v in counts.items()) + " items."}


def _provenance_context(result) -> dict:
    prov = result.provenance
    inputs = pd.DataFrame([{"cohort": k, **{a: b for a, b in v.items() if a not in ("flow", "kind")}}
                           for k, v in prov.get("inputs", {}).items()])
    versions = pd.DataFrame(sorted(prov.get("versions", {}).items()), columns=["package", "version"])
    return {"inputs": _html(inputs), "versions": _html(versions),
            "flows": {k: _html(pd.DataFrame(v["flow"])) for k, v in prov.get("inputs", {}).items() if v.get("flow")},
            "config_sha": prov.get("config_sha256", ""), "run_time": prov.get("run_time_seconds", ""),
            "scheduler": prov.get("scheduler", ""), "generated": prov.get("started_utc", ""),
            "config_yaml": yaml.safe_dump(prov.get("config", {}), sort_keys=False, allow_unicode=True)}


def render_study(result, path: str | Path) -> Path:
    """Write the report for ``result`` to ``path`` (parent folders created) and return the path."""
    from .. import __version__
    from .nomogram import nomogram_figures  # issue 18: rms-style nomogram of each Cox model

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    cfg = result.config
    card = model_card(result)
    env = Environment(loader=FileSystemLoader(str(_TEMPLATES)), autoescape=select_autoescape(["html", "j2"]))
    html = env.get_template("study.html.j2").render(
        title=cfg.report.get("title", cfg.name), description=cfg.description, version=__version__, seed=cfg.seed,
        findings=findings(result), notes=result.notes,
        table1=_table1_html(result.table1), table1_external=_table1_html(result.table1_external),
        calibration_figs=_calibration_figures(result, "development"), km_figs=_km_figures(result.km),
        nomogram_figs=nomogram_figures(result), decision_figs=_decision_figures(result),
        card=card, card_features=_html(card["features"]), card_performance=_html(card["performance"]),
        methods=_methods(result),
        **_validation_texts(cfg), **_measure_context(result), **_external_context(result),
        **_tripod_context(result), **_provenance_context(result), **_updating_context(result),
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
