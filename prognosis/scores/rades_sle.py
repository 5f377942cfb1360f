"""Rades score for short life expectancy in metastatic spinal cord compression (MSCC): 7 items,
6-25 points; >= 19 points: death within 2 months likely (best supportive care suggested).

Table [V2] from medicalalgorithms.com (outcome: death within 2 months; attributed to Rades et al.;
the exact paper was not retrieved -- clinical-facts §1.9(b)):

* ECOG performance status: 2 -> 0; 3-4 -> 4 (the derivation cohort had no ECOG 0-1 patients; option
  ``ecog_01`` says how to score them, flagged in ``explain``);
* tumour type: breast 1, prostate 2, myeloma/lymphoma 1, lung 3, other 3;
* other bone metastases: no 1, yes 3 (any extraspinal focus or a second vertebra);
* visceral metastases: no 1, yes 4;
* interval from tumour diagnosis to MSCC (``months_since_primary``): <= 15 months 3, > 15 months 1;
* ambulatory: yes 1, no 4;
* time to develop motor deficits (``motor_deficit_days``): <= 7 days 4, > 7 days 1.

Published performance of the cut-off >= 19 [V2]: sensitivity 81%, specificity 84%, negative
predictive value 95%. The score is meant for patients with MSCC treated with radiotherapy.
"""
from __future__ import annotations

import numpy as np

from ..cohort.schema import PRIMARY_SITES
from ._base import Inputs, Item, Option, ScoreDef, fill_range, lookup_item
from ._items import BRAIN_AS_VISCERAL, visceral_columns, visceral_present

CITATION = ("Rades D et al., score for short life expectancy in MSCC (table via "
            "medicalalgorithms.com [V2]; primary paper not retrieved)")

TUMOR_POINTS = {s: {"breast": 1, "prostate": 2, "myeloma": 1, "lymphoma": 1}.get(s, 3) for s in PRIMARY_SITES}

OPTIONS = {
    "ecog_01": Option(0, "Points for ECOG 0-1, absent from the derivation cohort: 0 (default; as ECOG 2, "
                      "flagged) or None (not scored: the item spans 0-4).", (0, None)),
    "brain_as_visceral": BRAIN_AS_VISCERAL,
}
COMPONENTS = {
    "performance_status": "ECOG performance status",
    "tumor_type": "Type of primary tumour",
    "other_bone": "Other bone metastases",
    "visceral": "Visceral metastases",
    "interval": "Interval from tumour diagnosis to MSCC",
    "ambulatory": "Ambulatory status before treatment",
    "motor_deficits": "Time to develop motor deficits",
}
CATEGORIES = {
    "performance_status": {0: "ECOG 2 (0-1 per ecog_01)", 4: "ECOG 3-4"},
    "tumor_type": {1: "breast, myeloma or lymphoma", 2: "prostate", 3: "lung or other"},
    "other_bone": {1: "no", 3: "yes"},
    "visceral": {1: "no", 4: "yes"},
    "interval": {1: "> 15 months", 3: "<= 15 months"},
    "ambulatory": {1: "ambulatory", 4: "not ambulatory"},
    "motor_deficits": {1: "> 7 days", 4: "<= 7 days"},
}
GROUPS = (("6-18", 6, 18), (">=19 (death within 2 months likely)", 19, 25))


def items(inp: Inputs, opts: dict, detail: bool) -> dict[str, Item]:
    ecog = inp.num("ecog")
    ps = np.where(np.isnan(ecog), np.nan, np.where(ecog >= 3, 4.0, 0.0))
    low = ecog <= 1
    if opts["ecog_01"] is None:
        ps[low] = np.nan
    ps_item = fill_range(ps, 0.0, 4.0)
    if detail:
        ps_item.decided = np.empty(inp.n, dtype=object)
        ps_item.decided[low] = f"ecog_01={opts['ecog_01']!r}: ECOG 0-1 not in the derivation cohort"
    v = inp.num("vertebral_mets")
    x = inp.num("extraspinal_bone_mets")
    other = np.where((x >= 1) | (v >= 2), 1.0, np.where((x == 0) & (v == 1), 0.0, np.nan))
    amb = inp.flag("ambulatory")
    iv = inp.num("months_since_primary")
    md = inp.num("motor_deficit_days")
    return {
        "performance_status": ps_item,
        "tumor_type": lookup_item(inp.cat("primary_site"), PRIMARY_SITES, TUMOR_POINTS, 1.0, 3.0),
        "other_bone": fill_range(np.where(np.isnan(other), np.nan, 1.0 + 2.0 * other), 1.0, 3.0),
        "visceral": fill_range(np.where(np.isnan(vp := visceral_present(inp, opts)), np.nan, 1.0 + 3.0 * vp),
                               1.0, 4.0),
        "interval": fill_range(np.where(np.isnan(iv), np.nan, np.where(iv <= 15, 3.0, 1.0)), 1.0, 3.0),
        "ambulatory": fill_range(np.where(np.isnan(amb), np.nan, np.where(amb == 1, 1.0, 4.0)), 1.0, 4.0),
        "motor_deficits": fill_range(np.where(np.isnan(md), np.nan, np.where(md <= 7, 4.0, 1.0)), 1.0, 4.0),
    }


def columns(opts: dict) -> dict[str, tuple[str, ...]]:
    return {"performance_status": ("ecog",), "tumor_type": ("primary_site",),
            "other_bone": ("extraspinal_bone_mets", "vertebral_mets"), "visceral": visceral_columns(opts),
            "interval": ("months_since_primary",), "ambulatory": ("ambulatory",),
            "motor_deficits": ("motor_deficit_days",)}


SCORE = ScoreDef(
    name="rades_sle",
    higher_is_worse=True,
    title="Rades short-life-expectancy score for MSCC",
    citation=CITATION,
    components=COMPONENTS,
    groups=GROUPS,
    options=OPTIONS,
    items=items,
    columns=columns,
    categories=CATEGORIES,
    group_survival=(),
    group_survival_note=("Outcome is death within 2 months (>= 19 points: sensitivity 81%, specificity "
                         "84%, NPV 95% [V2]); no S(t) per group is given."),
)
