"""Mizumoto score (2008): 7 items, 0-14 points, groups A/B/C.

Mizumoto M, Harada H, Asakura H, et al. Prognostic factors and a scoring system for survival after
radiotherapy for metastases to the spinal column: a review of 544 patients at Shizuoka Cancer
Center Hospital. Cancer 2008;113(10):2816-2822, doi:10.1002/cncr.23888.

From the abstract [V1]: 3 points for an unfavourable tumour type and for bad performance status
(ECOG >= 3); 2 points for hypercalcaemia, visceral metastases and previous chemotherapy; 1 point
for multiple bone metastases and age >= 71 years. Groups A 0-4, B 5-9, C 10-14 (24%, 57%, 19% of
patients); median survival 27.1 / 5.4 / 1.8 months; survival at 6 / 12 / 24 months 89 / 77 / 54%
(A), 46 / 22 / 9% (B), 7 / 4 / 0% (C).

Not reached in the abstract, hence named options flagged in ``explain`` [M]:

* ``unfavorable_sites``: which primaries are "unfavourable". Default: the rapid-growth sites of
  Katagiri's table (lung, colorectal, stomach, oesophagus, pancreas, liver, gallbladder, head and
  neck, bladder, cervix, melanoma, unknown primary) [M]; pass a list to use your own.
* ``calcium_cut_mg_dl``: hypercalcaemia threshold, default 10.3 mg/dL (Katagiri's "critical"
  calcium) [M].
* ``brain_as_visceral`` False (brain metastases are not counted as visceral), ``ecog_from_kps``
  as for Katagiri (:mod:`prognosis.clinical` conventions), ``solitary_rule`` for "multiple".
"""
from __future__ import annotations

import numpy as np

from ..clinical import DEFAULT_PS_CONVENTION, PS_CONVENTIONS, kps_to_ecog_range
from ..cohort.schema import PRIMARY_SITES
from ..errors import InputError
from ._base import Inputs, Item, Option, ScoreDef, fill_range
from ._items import (
    BRAIN_AS_VISCERAL,
    SOLITARY_RULE,
    skeletal_multiple,
    visceral_columns,
    visceral_present,
)

CITATION = ("Mizumoto M, Harada H, Asakura H, et al. Cancer 2008;113(10):2816-2822 "
            "(weights and groups from the abstract [V1]; tumour classes and calcium cut [M])")

#: default "unfavourable tumour type" [M]: Katagiri-2014 rapid-growth sites
UNFAVORABLE_DEFAULT = ("lung", "colon", "rectum", "stomach", "esophagus", "pancreas", "liver",
                       "gallbladder", "head_neck", "bladder", "cervix", "melanoma", "unknown")
AGE_CUT = 71.0     # [V1]
CALCIUM_CUT = 10.3  # [M]

OPTIONS = {
    "unfavorable_sites": Option(UNFAVORABLE_DEFAULT, "Primary sites scored as 'unfavourable tumour "
                                "type' (3 points). Default [M]: Katagiri's rapid-growth sites; the "
                                "paper's list was not reached.", None),
    "calcium_cut_mg_dl": Option(CALCIUM_CUT, "Hypercalcaemia: calcium >= this (mg/dL), default 10.3 [M].", None),
    "brain_as_visceral": BRAIN_AS_VISCERAL,
    "ecog_from_kps": Option(None, "None (default) or a KPS->ECOG convention of prognosis.clinical "
                            f"({', '.join(sorted(PS_CONVENTIONS))}; 'usual' = {DEFAULT_PS_CONVENTION}).",
                            (None, "usual", *sorted(PS_CONVENTIONS))),
    "solitary_rule": SOLITARY_RULE,
}
COMPONENTS = {
    "tumor_type": "Unfavourable tumour type",
    "performance_status": "Performance status ECOG >= 3",
    "hypercalcemia": "Hypercalcaemia",
    "visceral": "Visceral metastases",
    "previous_chemotherapy": "Previous chemotherapy",
    "multiple_bone": "Multiple bone metastases",
    "age": "Age >= 71 years",
}
CATEGORIES = {
    "tumor_type": {0: "other tumour type", 3: "unfavourable tumour type"},
    "performance_status": {0: "ECOG 0-2", 3: "ECOG 3-4"},
    "hypercalcemia": {0: "no", 2: "yes"},
    "visceral": {0: "none", 2: "present"},
    "previous_chemotherapy": {0: "no", 2: "yes"},
    "multiple_bone": {0: "solitary", 1: "multiple"},
    "age": {0: "< 71 years", 1: ">= 71 years"},
}
GROUPS = (("A", 0, 4), ("B", 5, 9), ("C", 10, 14))


def items(inp: Inputs, opts: dict, detail: bool) -> dict[str, Item]:
    sites = opts["unfavorable_sites"]
    sites = (sites,) if isinstance(sites, str) else tuple(sites)
    unknown = sorted(set(sites) - set(PRIMARY_SITES))
    if unknown:
        raise InputError(f"mizumoto: unfavorable_sites has unknown sites {unknown}")
    try:
        ca_cut = float(opts["calcium_cut_mg_dl"])
    except (TypeError, ValueError):
        raise InputError("mizumoto: calcium_cut_mg_dl must be a number") from None
    codes = inp.cat("primary_site")
    unfav = np.isin(codes, [PRIMARY_SITES.index(s) for s in sites])
    tumor = fill_range(np.where(codes < 0, np.nan, 3.0 * unfav), 0.0, 3.0)
    if detail:
        tumor.decided = np.full(inp.n, "unfavorable_sites: tumour classes of the paper not reached [M]",
                                dtype=object)
    ecog = inp.num("ecog")
    ps = fill_range(np.where(np.isnan(ecog), np.nan, 3.0 * (ecog >= 3)), 0.0, 3.0)
    mode = opts["ecog_from_kps"]
    if mode is not None:
        kps = inp.num("kps")
        use = np.isnan(ecog) & ~np.isnan(kps)
        lo, hi = kps_to_ecog_range(np.where(use, kps, np.nan), DEFAULT_PS_CONVENTION if mode == "usual" else mode)
        use &= ~np.isnan(lo)
        ps.lo = np.where(use, 3.0 * (lo >= 3), ps.lo)
        ps.hi = np.where(use, 3.0 * (hi >= 3), ps.hi)
        if detail:
            ps.decided = np.empty(inp.n, dtype=object)
            ps.decided[use] = f"ecog_from_kps={mode!r}: ECOG from KPS"
    ca = inp.num("calcium_mg_dl")
    hyper = fill_range(np.where(np.isnan(ca), np.nan, 2.0 * (ca >= ca_cut)), 0.0, 2.0)
    if detail:
        hyper.decided = np.full(inp.n, f"calcium_cut_mg_dl={opts['calcium_cut_mg_dl']!r}: threshold [M]",
                                dtype=object)
    age = inp.num("age_years")
    return {
        "tumor_type": tumor,
        "performance_status": ps,
        "hypercalcemia": hyper,
        "visceral": fill_range(2.0 * visceral_present(inp, opts), 0.0, 2.0),
        "previous_chemotherapy": fill_range(2.0 * inp.flag("prior_chemotherapy"), 0.0, 2.0),
        "multiple_bone": fill_range(skeletal_multiple(inp, opts["solitary_rule"]), 0.0, 1.0),
        "age": fill_range(np.where(np.isnan(age), np.nan, 1.0 * (age >= AGE_CUT)), 0.0, 1.0),
    }


def columns(opts: dict) -> dict[str, tuple[str, ...]]:
    bone = (("vertebral_mets", "extraspinal_bone_mets") if opts["solitary_rule"] == "single_lesion"
            else ("extraspinal_bone_mets",))
    return {"tumor_type": ("primary_site",),
            "performance_status": ("ecog", "kps") if opts["ecog_from_kps"] else ("ecog",),
            "hypercalcemia": ("calcium_mg_dl",), "visceral": visceral_columns(opts),
            "previous_chemotherapy": ("prior_chemotherapy",), "multiple_bone": bone, "age": ("age_years",)}


_SRC = "Mizumoto et al., Cancer 2008, abstract"
SCORE = ScoreDef(
    name="mizumoto",
    higher_is_worse=True,
    title="Mizumoto score (2008)",
    citation=CITATION,
    components=COMPONENTS,
    groups=GROUPS,
    options=OPTIONS,
    items=items,
    columns=columns,
    categories=CATEGORIES,
    group_survival=(
        ("A", 27.1, 0.5, "median", _SRC, "[V1]"), ("A", 6.0, 0.89, "S(t)", _SRC, "[V1]"),
        ("A", 12.0, 0.77, "S(t)", _SRC, "[V1]"), ("A", 24.0, 0.54, "S(t)", _SRC, "[V1]"),
        ("B", 5.4, 0.5, "median", _SRC, "[V1]"), ("B", 6.0, 0.46, "S(t)", _SRC, "[V1]"),
        ("B", 12.0, 0.22, "S(t)", _SRC, "[V1]"), ("B", 24.0, 0.09, "S(t)", _SRC, "[V1]"),
        ("C", 1.8, 0.5, "median", _SRC, "[V1]"), ("C", 6.0, 0.07, "S(t)", _SRC, "[V1]"),
        ("C", 12.0, 0.04, "S(t)", _SRC, "[V1]"), ("C", 24.0, 0.0, "S(t)", _SRC, "[V1]"),
    ),
    group_survival_note="Group medians and 6/12/24-month survival from the abstract (radiotherapy cohort).",
)
