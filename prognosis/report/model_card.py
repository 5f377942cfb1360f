"""Model card for a study's models (after Mitchell M, Wu S, Zaldivar A, et al. Model cards for
model reporting. Proc FAT* 2019:220–229), adapted to clinical survival prediction.

Sections: intended use, data, features, performance, limitations. Texts the software cannot
know (the clinical setting, the decision the model supports) come from the config's
``report.intended_use`` / ``report.limitations`` or are marked "to be completed by the authors".
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..metrics import catalogue

__all__ = ["ModelCard", "model_card", "flow_text"]


def flow_text(flow: list[dict]) -> str:
    """``"16 rows read → 1 rejected: … → 1 exact duplicates (one copy kept) → 14 analysed"``."""
    return " → ".join(f"{step['n']} {step['step']}" for step in flow)

DEFAULT_INTENDED_USE = (
    "Research use: to estimate overall survival at 3–24 months for adults with spinal metastases, to "
    "support — not replace — multidisciplinary decisions (surgery vs radiotherapy vs best supportive care). "
    "Not a medical device; not validated for individual treatment decisions."
)

GENERIC_LIMITATIONS = (
    "Performance is estimated on the cohorts shown; it may not transport to other institutions, eras or "
    "treatment patterns (check calibration before use and recalibrate locally).",
    "Optimism-corrected estimates account for overfitting of the modelling procedure, not for selection "
    "of the cohort or the predictors before the study.",
    "Classic scores are evaluated as published point totals, calibrated to the development cohort by a "
    "one-variable Cox model; items not recorded make a score incomplete (see Table 1 missingness).",
    "Molecular 'unknown' (untested) is a category of its own; models learn the testing pattern of the "
    "development institution, which may differ elsewhere.",
)


class ModelCard(dict):
    """A dict of sections (``intended_use``, ``data``, ``features``, ``performance``,
    ``limitations``) with a readable ``__str__``."""

    def __str__(self) -> str:
        out = []
        for k, v in self.items():
            out.append(k.replace("_", " ").upper())
            if isinstance(v, (list, tuple)):
                out.extend(f"  - {x}" for x in v)
            elif isinstance(v, pd.DataFrame):
                out.append(v.to_string(index=False))
            else:
                out.append(f"  {v}")
        return "\n".join(out)


def _features_of(est) -> list[str]:
    for obj in (est, getattr(est, "steps", [[None, None]])[0][1]):
        f = getattr(obj, "get_feature_names_out", None)
        if f is not None:
            try:
                return [str(x) for x in f()]
            except Exception:  # noqa: BLE001 - not every step exposes names
                continue
    return []


#: Horizon (months) of the per-horizon headline measures in the card.
CARD_HORIZON = 12.0


def performance_summary(metrics: pd.DataFrame, predictors) -> pd.DataFrame:
    """Optimism-corrected headline measures of the measure catalogue (``headline=True``) per
    predictor, with 95% CI: horizon-free ones, and per-horizon ones at :data:`CARD_HORIZON`."""
    rows = []
    for p in predictors:
        row = {"predictor": p}
        for meas in catalogue.measures(headline=True):
            h = CARD_HORIZON if meas.per_horizon else None
            sel = (metrics["predictor"] == p) & (metrics["metric"] == meas.name)
            sel &= (metrics["horizon"] == h) if h is not None else metrics["horizon"].isna()
            r = metrics[sel]
            if len(r):
                r = r.iloc[0]
                row[catalogue.column_label(meas.name, h)] = meas.format(r["corrected"], r["ci_low"], r["ci_high"])
        rows.append(row)
    return pd.DataFrame(rows)


def model_card(result) -> ModelCard:
    """Build the card from a :class:`~prognosis.study.StudyResult`."""
    cfg = result.config
    prov = result.provenance
    data = []
    sim_roles = set(result.oracle["cohort"]) if len(result.oracle) else set()
    for role, info in prov.get("inputs", {}).items():
        kind = info.get("kind_text", "")
        line = (f"{role}: {info.get('label', role)} — {kind}; source {info['source']}"
                + (f", mapping {info['mapping']}" if info.get("mapping", "-") != "-" else "")
                + f"; time origin: {info.get('time_origin', 'not stated')}; n = {info['n']}, deaths = {info['deaths']}"
                f" (sha256 {str(info['sha256'])[:12]}…)")
        if info.get("flow"):
            line += "; flow: " + flow_text(info["flow"])
        data.append(line)
    if sim_roles:
        data.append(f"Simulated data ({', '.join(sorted(sim_roles))} cohort"
                    f"{'s' if len(sim_roles) > 1 else ''}: the simulator's true linear predictor is present); "
                    "the oracle C-index shows the best achievable discrimination there.")
    feats = []
    for _, r in result.predictors.iterrows():
        est = result.fitted.get(r["predictor"])
        names = _features_of(est) if est is not None else []
        feats.append({"predictor": r["predictor"], "kind": r["kind"], "specification": r["detail"],
                      "n_features": len(names) if names else np.nan,
                      "features": ", ".join(names[:40]) + (" …" if len(names) > 40 else "")})
    lims = list(cfg.report.get("limitations", [])) if isinstance(cfg.report.get("limitations"), list) else \
        ([cfg.report["limitations"]] if cfg.report.get("limitations") else [])
    lims += list(GENERIC_LIMITATIONS) + list(result.notes)
    return ModelCard(
        intended_use=cfg.report.get("intended_use", DEFAULT_INTENDED_USE),
        data=data,
        features=pd.DataFrame(feats),
        performance=performance_summary(result.metrics, result.predictors["predictor"]),
        limitations=lims,
    )
