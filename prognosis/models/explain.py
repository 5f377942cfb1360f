"""Per-patient explanation of a Cox model: contributions beta * (x - xbar) by clinical item.

For a Cox model the linear predictor relative to the average training patient is exactly the sum
``sum_j beta_j * (x_j - xbar_j)`` over the design columns (``xbar`` = training means, the
centring :class:`~prognosis.models.CoxModel` uses), so grouping the terms by the clinical item
each column encodes (all primary-site levels, a variable and its spline terms, a value and its
missingness indicator) gives an additive, exact decomposition of the patient's log hazard ratio
versus the average patient: ``exp(contribution)`` is the hazard ratio that item contributes.
Positive = the item raises the hazard (shortens survival).

Forests and boosting have no such decomposition; a model-agnostic method (e.g. SurvSHAP(t),
Krzyzinski et al., Knowledge-Based Systems 2023) would need the ``survshap`` package, which is
not a dependency, so :func:`cox_contributions` refuses those models with a typed error rather
than giving a number it cannot stand behind.
"""
from __future__ import annotations

import pandas as pd

from ..errors import ModelError
from .individual import item_of_columns, split_pipeline

__all__ = ["ITEM_LABELS", "cox_contributions"]

#: readable labels of the clinical items (feature items of FeatureBuilder)
ITEM_LABELS = {
    "age_years": "age", "sex": "sex", "kps": "Karnofsky performance status", "ecog": "ECOG",
    "extraspinal_bone_mets": "extraspinal bone metastases", "vertebral_mets": "vertebral metastases",
    "visceral_mets": "visceral metastases", "visceral_pattern": "visceral metastasis pattern",
    "brain_mets": "brain metastases", "frankel": "Frankel grade", "ambulatory": "ambulatory",
    "pathological_fracture": "pathological fracture", "prior_chemotherapy": "prior chemotherapy",
    "targeted_therapy": "targeted therapy", "albumin_g_dl": "albumin", "crp_mg_dl": "CRP",
    "ldh_u_l": "LDH", "platelets_10e9_l": "platelets", "calcium_mg_dl": "calcium",
    "bilirubin_mg_dl": "bilirubin", "hemoglobin_g_dl": "hemoglobin", "primary_site": "primary site",
    "subtype:lung": "lung cancer subtype", "subtype:breast": "breast cancer subtype",
    "subtype:prostate": "prostate cancer castration status", "subtype:melanoma": "melanoma BRAF status",
}


def cox_contributions(model, frame: pd.DataFrame) -> pd.DataFrame:
    """Contributions ``beta * (x - xbar)`` of each clinical item to each patient's log hazard.

    Parameters
    ----------
    model : fitted ``FeatureBuilder -> CoxModel`` pipeline (e.g. ``make_model("cox")``) or a
        bare :class:`~prognosis.models.CoxModel` (then ``frame`` is its numeric matrix).
    frame : canonical cohort frame (one row per patient).

    Returns
    -------
    DataFrame indexed like ``frame``, one column per clinical item (in feature-set order), plus
    ``lp`` (their sum: the linear predictor that ``predict`` returns). ``attrs["labels"]`` maps
    items to readable labels and ``attrs["columns"]`` items to their design columns.
    """
    from .cox import CoxModel

    builder, cox = split_pipeline(model)
    if not isinstance(cox, CoxModel):
        raise ModelError(f"per-item contributions beta*(x - xbar) exist for Cox models only, not "
                         f"{type(cox).__name__}; a model-agnostic explanation (SurvSHAP(t)) is not available "
                         "in this package")
    X = builder.transform(frame) if builder is not None else frame
    arr = cox._validate_X(X)
    D, _ = cox._design(arr)
    terms = (D - cox.means_) * cox.coef_
    of = item_of_columns(model)
    items = list(dict.fromkeys(of[d] for d in cox.design_names_))
    out = pd.DataFrame(index=frame.index)
    cols: dict[str, list[str]] = {}
    for item in items:
        idx = [j for j, d in enumerate(cox.design_names_) if of[d] == item]
        out[item] = terms[:, idx].sum(axis=1)
        cols[item] = [cox.design_names_[j] for j in idx]
    out["lp"] = terms.sum(axis=1)
    out.attrs["labels"] = {i: ITEM_LABELS.get(i, i) for i in items}
    out.attrs["columns"] = cols
    return out

