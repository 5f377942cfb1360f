"""TRIPOD+AI checklist filled from what a study knows.

Item numbers and topics follow TRIPOD+AI (Collins GS, Moons KGM, Dhiman P, et al. TRIPOD+AI
statement: updated guidance for reporting clinical prediction models that use regression or
machine learning methods. BMJ 2024;385:e078378). Item wording is paraphrased (shortened); see
the publication for the full text. Each item gets a status:

- ``"reported"`` — the report contains it (the ``where`` text says which section);
- ``"partly"`` — the report gives part of it; the author must complete it;
- ``"author"`` — only the study authors can provide it (ethics, funding, eligibility ...);
- ``"n/a"`` — not applicable to this kind of study (with the reason).
"""
from __future__ import annotations

import pandas as pd

from ..metrics import catalogue

__all__ = ["TRIPOD_AI_ITEMS", "tripod_checklist"]

CITATION = ("Collins GS, Moons KGM, Dhiman P, et al. TRIPOD+AI statement. BMJ 2024;385:e078378. "
            "Item texts paraphrased.")

#: (item, section, topic) — TRIPOD+AI main checklist, paraphrased.
TRIPOD_AI_ITEMS: tuple[tuple[str, str, str], ...] = (
    ("1", "Title", "Identify the study as developing/evaluating a prediction model, the population and the outcome"),
    ("2", "Abstract", "Structured abstract (TRIPOD+AI for Abstracts)"),
    ("3a", "Introduction", "Healthcare context and rationale, references to existing models"),
    ("3b", "Introduction", "Target population, intended purpose in the care pathway, intended users"),
    ("3c", "Introduction", "Known health inequalities between sociodemographic groups"),
    ("4", "Introduction", "Objectives: development, validation, or both"),
    ("5a", "Methods: data", "Sources of data for development and evaluation; representativeness"),
    ("5b", "Methods: data", "Dates of accrual and end of follow-up"),
    ("6a", "Methods: participants", "Setting, number and location of centres"),
    ("6b", "Methods: participants", "Eligibility criteria"),
    ("6c", "Methods: participants", "Treatments received and how they were handled"),
    ("7", "Methods: data preparation", "Pre-processing and quality checking"),
    ("8a", "Methods: outcome", "Outcome definition, time horizon, how and when assessed"),
    ("8b", "Methods: outcome", "Qualifications of outcome assessors (if subjective)"),
    ("8c", "Methods: outcome", "Blinding of outcome assessment"),
    ("9a", "Methods: predictors", "Choice of initial predictors and any pre-selection"),
    ("9b", "Methods: predictors", "Definition of all predictors, how and when measured"),
    ("9c", "Methods: predictors", "Qualifications of predictor assessors (if subjective)"),
    ("10", "Methods: sample size", "How the study size was arrived at; sufficiency"),
    ("11", "Methods: missing data", "How missing data were handled"),
    ("12a", "Methods: analysis", "How the data were used for development and evaluation (partitioning)"),
    ("12b", "Methods: analysis", "How predictors were handled (functional form, transformation)"),
    ("12c", "Methods: analysis", "Type of model, model-building steps, tuning, internal validation"),
    ("12d", "Methods: analysis", "Heterogeneity across clusters (e.g. hospitals)"),
    ("12e", "Methods: analysis", "Performance measures and plots (discrimination, calibration, utility)"),
    ("12f", "Methods: analysis", "Model updating (e.g. recalibration)"),
    ("12g", "Methods: analysis", "How predictions were calculated for evaluation"),
    ("13", "Methods: class imbalance", "Class-imbalance methods and subsequent recalibration"),
    ("14", "Methods: fairness", "Approaches to address model fairness"),
    ("15", "Methods: model output", "Output of the model; any classification thresholds"),
    ("16", "Methods: training vs evaluation", "Differences between development and evaluation data"),
    ("17", "Methods: ethics", "Ethics approval and consent"),
    ("18a", "Open science", "Funding"),
    ("18b", "Open science", "Conflicts of interest"),
    ("18c", "Open science", "Protocol"),
    ("18d", "Open science", "Registration"),
    ("18e", "Open science", "Data sharing"),
    ("18f", "Open science", "Code sharing"),
    ("19", "Patient and public involvement", "Details of patient and public involvement"),
    ("20a", "Results: participants", "Flow of participants, outcome counts, follow-up"),
    ("20b", "Results: participants", "Characteristics overall and per source, missing data"),
    ("20c", "Results: participants", "Evaluation vs development distribution of key predictors"),
    ("21", "Results: model development", "Participants and events in each analysis"),
    ("22", "Results: model specification", "Full model (formula, code, object) for predictions in new individuals"),
    ("23a", "Results: performance", "Performance estimates with confidence intervals, key subgroups"),
    ("23b", "Results: performance", "Heterogeneity of performance across clusters"),
    ("24", "Results: model updating", "Results of model updating and subsequent performance"),
    ("25", "Discussion", "Overall interpretation, fairness, previous studies"),
    ("26", "Discussion", "Limitations"),
    ("27a", "Discussion: usability", "Handling of poor-quality or unavailable input data in practice"),
    ("27b", "Discussion: usability", "User interaction and expertise required"),
    ("27c", "Discussion: usability", "Next steps for research, applicability and generalisability"),
)

_AUTHOR = "author"


def tripod_checklist(result) -> pd.DataFrame:
    """The checklist for a :class:`~prognosis.study.StudyResult`: item, section, topic, status, where.

    Status comes from what the study actually computed (e.g. item 24 is "reported" only when an
    external cohort was recalibrated); everything the software cannot know is marked
    ``"author"`` so it is not forgotten.
    """
    cfg = result.config
    has_ext = result.external is not None and len(result.external) > 0
    method = cfg.validation.method
    val_text = (f"bootstrap optimism correction, {cfg.validation.n_boot} replicates"
                if method in ("bootstrap", "temporal")
                else f"{cfg.validation.repeats}× repeated {cfg.validation.folds}-fold cross-validation")
    horizons = ", ".join(f"{h:g}" for h in cfg.horizons)
    present = dict.fromkeys(result.metrics["metric"]) if len(result.metrics) else {}
    measures = ", ".join(catalogue.label(n, short=False) for n in sorted(present, key=catalogue.order))
    inputs = result.provenance.get("inputs", {})
    sources = "; ".join(f"{role}: {i.get('kind_text', i.get('source', ''))} ({i.get('source', '')}"
                        + (f", mapping {i['mapping']}" if i.get("mapping", "-") != "-" else "")
                        + f"; time origin: {i.get('time_origin', 'not stated')})" for role, i in inputs.items())
    has_flow = bool(inputs) and all(i.get("flow") for i in inputs.values())
    n_imp = any("training median" in n for n in result.notes)
    filled: dict[str, tuple[str, str]] = {
        "1": ("partly", "Report title names the study; the paper title is the author's"),
        "4": ("partly", "Summary: development with internal validation"
              + (" and external validation" if has_ext else "")),
        "5a": ("partly", "Provenance: " + (sources or "data sources") + "; checksums. Representativeness: author"),
        "7": ("reported",
              "Data: harmonization to the canonical schema with an audit log per row (prognosis.read_cohort)"),
        "8a": ("reported", f"Methods: overall survival (death from any cause); horizons {horizons} months"),
        "9a": ("partly", "Model card: feature sets per model; rationale for choice: author"),
        "9b": ("partly", "Model card / cohort schema: predictor definitions; how and when measured: author"),
        "11": ("reported" if not n_imp else "reported",
               "Table 1 gives missingness per variable; model card: imputation fitted on training data only"),
        "12a": ("reported", f"Methods: all development data used for fitting; internal validation by {val_text}"
                + ("; separate external cohort for evaluation" if has_ext else "")),
        "12b": ("reported", "Model card: feature encoding per feature set (prognosis.features)"),
        "12c": ("reported", f"Model card: model types and parameters; internal validation: {val_text}"),
        "12d": ("n/a" if not has_ext else "partly",
                "Single development cohort" if not has_ext else "Development vs external cohort reported separately"),
        "12e": ("reported", f"Methods and glossary: {measures}, decision curves"),
        "12f": ("reported" if has_ext else "n/a",
                "External validation: recalibration on cll (baseline + slope)" if has_ext else "No external cohort"),
        "12g": ("reported", "Predictions from the fitted estimators' predict_survival (prognosis.models)"),
        "13": ("n/a", "No class-imbalance methods (time-to-event outcome)"),
        "15": ("reported", "Model output: predicted survival probability at each horizon; no classification"),
        "16": ("partly" if has_ext else "n/a",
               "Table 1 of both cohorts side by side; setting differences: author" if has_ext
               else "No external cohort"),
        "18f": ("reported", "prognosis (GPL-3.0-or-later); versions in Provenance"),
        "20a": (("reported" if has_flow else "partly"),
                "Provenance: participant flow per cohort (rows read, rejected by reason, duplicates, analysed); "
                "Table 1: patients, deaths, median follow-up" + ("" if has_flow else "; exclusions: author")),
        "20b": ("reported", "Table 1 by primary site with missingness"),
        "20c": ("reported" if has_ext else "n/a",
                "Table 1 of the external cohort" if has_ext else "No external cohort"),
        "21": ("reported", "Provenance: n and deaths per cohort"),
        "22": ("partly", "Model objects can be saved with prognosis.models.save; formula for Cox models: model card"),
        "23a": ("reported", "Discrimination and calibration tables with 95% CIs"),
        "23b": ("n/a", "No clustering analysed"),
        "24": ("reported" if has_ext else "n/a",
               "External validation: recalibrated ICI" if has_ext else "No model updating"),
        "26": ("partly", "Model card: limitations known to the software; clinical limitations: author"),
    }
    rows = []
    for item, section, topic in TRIPOD_AI_ITEMS:
        status, where = filled.get(item, (_AUTHOR, "To be provided by the study authors"))
        rows.append({"item": item, "section": section, "topic": topic, "status": status, "where": where})
    return pd.DataFrame(rows)
