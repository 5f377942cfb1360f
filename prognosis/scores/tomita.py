"""Tomita score (2001): 3 items, 2-10 points, with the surgical strategy per group.

Tomita K, Kawahara N, Kobayashi T, Yoshida A, Murakami H, Akamaru T. Surgical strategy for spinal
metastases. Spine 2001;26(3):298-306.

Point table and treatment-goal groups [V2]: public calculator (sophiewell.com
``lib/spine-v146.js``, cross-verified), structure consistent with Yang et al., JKNS 2012
(clinical-facts §1.3). Rapid growth scores **4** (not 3 as in one review table), as the 2-10
range requires.

Growth classes: slow = breast, thyroid, prostate [V2 examples], testis [M]; moderate = kidney,
uterus [V2 examples]; rapid = lung, stomach [V2 examples], unknown primary [V2], and every other
site [M] (the fuller lists were not verified against the paper). Myeloma and lymphoma therefore
score as rapid here [M]; check before relying on them.

Options (defaults first): ``visceral_unknown_as`` 'unremovable' (= untreatable; "treatable"
maps to ``visceral_mets == 'removable'``), ``solitary_rule`` 'single_lesion' (spinal and
extraspinal lesions counted together, Bollen thesis p95 [V2]), ``cervix_as`` 'uterus',
``unverified_sites`` 'table' (the 18 sites outside the [V2] examples -- myeloma and lymphoma as
"rapid" the riskiest -- are scored from the [M] table and flagged in ``explain``; 'range' lets
their item span 1-4).
"""
from __future__ import annotations

import numpy as np

from ..cohort.schema import PRIMARY_SITES
from ._base import Inputs, Item, Option, ScoreDef, fill_range, lookup_item
from ._items import (
    BRAIN_AS_VISCERAL,
    SOLITARY_RULE,
    VISCERAL_UNKNOWN_AS,
    apply_unverified_sites,
    skeletal_multiple,
    unverified_sites_option,
    visceral3_item,
    visceral_columns,
)

CITATION = ("Tomita K, Kawahara N, Kobayashi T, Yoshida A, Murakami H, Akamaru T. Spine "
            "2001;26(3):298-306 (table via public calculator, clinical-facts §1.3 [V2])")

SLOW, MODERATE, RAPID = 1, 2, 4
NAMED_PRIMARY = {"breast": SLOW, "thyroid": SLOW, "prostate": SLOW, "testis": SLOW,
                 "kidney": MODERATE, "uterus": MODERATE}
#: sites whose growth class is a secondary-source example [V2]; the other 18 are [M]
VERIFIED_SITES = ("breast", "thyroid", "prostate", "kidney", "uterus", "lung", "stomach", "unknown")
UNVERIFIED_SITES = tuple(s for s in PRIMARY_SITES if s not in VERIFIED_SITES)

#: visceral: none 0, treatable 2, untreatable 4 (treatable = removable in the canonical schema)
VISCERAL_POINTS = {"none": 0, "removable": 2, "unremovable": 4}

OPTIONS = {
    "visceral_unknown_as": VISCERAL_UNKNOWN_AS,
    "brain_as_visceral": BRAIN_AS_VISCERAL,
    "solitary_rule": SOLITARY_RULE,
    "unverified_sites": unverified_sites_option("Tomita", UNVERIFIED_SITES),
    "cervix_as": Option("uterus", "Cervical cancer as 'uterus' (moderate growth, 2; default) or "
                        "'others' (rapid, 4).", ("uterus", "others")),
}

COMPONENTS = {
    "primary_tumor": "Primary tumour growth",
    "visceral": "Visceral metastases",
    "bone": "Bone metastases (spinal + extraspinal)",
}

CATEGORIES = {
    "primary_tumor": {1: "slow growth", 2: "moderate growth", 4: "rapid growth or unknown primary"},
    "visceral": {0: "none", 2: "treatable", 4: "untreatable"},
    "bone": {1: "solitary or isolated", 2: "multiple"},
}

GROUPS = (
    ("long-term local control", 2, 3),      # wide or marginal excision (e.g. TES)
    ("middle-term local control", 4, 5),    # marginal or intralesional excision
    ("short-term palliation", 6, 7),        # palliative surgery
    ("terminal care", 8, 10),               # non-operative supportive care
)


def primary_table(opts: dict) -> dict[str, int]:
    table = {site: NAMED_PRIMARY.get(site, RAPID) for site in PRIMARY_SITES}
    if opts["cervix_as"] == "uterus":
        table["cervix"] = MODERATE
    return table


def items(inp: Inputs, opts: dict, detail: bool) -> dict[str, Item]:
    multiple = skeletal_multiple(inp, opts["solitary_rule"])
    bone = np.where(np.isnan(multiple), np.nan, 1.0 + multiple)
    codes = inp.cat("primary_site")
    primary = lookup_item(codes, PRIMARY_SITES, primary_table(opts), 1.0, 4.0)
    unverified = tuple(s for s in UNVERIFIED_SITES if not (s == "cervix" and opts["cervix_as"] == "uterus"))
    primary = apply_unverified_sites(primary, codes, unverified, opts["unverified_sites"],
                                     float(SLOW), float(RAPID), detail, inp.n, "Tomita growth")
    return {
        "primary_tumor": primary,
        "visceral": visceral3_item(inp, opts, detail, VISCERAL_POINTS),
        "bone": fill_range(bone, 1.0, 2.0),
    }


def columns(opts: dict) -> dict[str, tuple[str, ...]]:
    bone = (("vertebral_mets", "extraspinal_bone_mets") if opts["solitary_rule"] == "single_lesion"
            else ("extraspinal_bone_mets",))
    return {"primary_tumor": ("primary_site",),
            "visceral": visceral_columns(opts),
            "bone": bone}


SCORE = ScoreDef(
    name="tomita",
    higher_is_worse=True,
    title="Tomita score (2001)",
    citation=CITATION,
    components=COMPONENTS,
    groups=GROUPS,
    options=OPTIONS,
    items=items,
    columns=columns,
    categories=CATEGORIES,
    group_survival=(),
    group_survival_note=("Tomita 2001 groups define a treatment goal; survival per group was not "
                         "retrieved [M], so no S(t) is given."),
)
