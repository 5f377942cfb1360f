"""Revised Tokuhashi score (2005): 6 items, 0-15 points.

Tokuhashi Y, Matsuzaki H, Oda H, Oshima M, Ryu J. A revised scoring system for preoperative
evaluation of metastatic spine tumor prognosis. Spine 2005;30(19):2186-2191. PMID 16205345.

Point table and groups [V2]: NICE CG75 Appendix 3 reproduction (corrected with permission from
Y. Tokuhashi), CRAN ``cliot``, and a public calculator agree (clinical-facts §1.1). Group labels
are the paper's "predicted prognosis" (0-8 "<6 months", 9-11 ">=6 months", 12-15 ">=1 year");
they are not survival probabilities, so :func:`group_survival` returns no S(t) for this score.

Decisions where the table is ambiguous (all options, defaults first):

* ``vertebral_item`` '1/2/>=3' (see :data:`._items.VERTEBRAL_ITEM`).
* ``visceral_unknown_as`` 'unremovable' when only presence is known (Bollen, [V2]).
  "Major internal organs" are read from ``visceral_mets``; brain metastases are added only with
  ``brain_as_visceral=True`` (CRAN cliot counts brain among the major organs [V2]).
* ``colon_as`` 'others' (2 points; the table lists only rectum at 4) or 'rectum' (4).
* ``unknown_primary_points`` 1 (table) or 0 (Enkaoua EA et al., Spine 1997 [V1, abstract]).
* ``cervix_as`` 'uterus' (3; the cervix is part of the uterus) or 'others' (2).
* ``molecular`` False; True applies the "2014 modified Tokuhashi" proposal (PMID 28749856,
  Spine 2017 [V1, abstract]): hormone-receptor-negative breast cancer (ER and PR both negative,
  which includes triple-negative) scores 3 instead of 5; breast with unknown ER/PR then spans 3-5.
* Carcinoid: only ``primary_site == 'carcinoid'`` gets 5; other neuroendocrine tumours follow
  their site.
* ``kps_from_ecog`` None (see :data:`._items.KPS_FROM_ECOG`).
"""
from __future__ import annotations

import numpy as np

from ..cohort.schema import PRIMARY_SITES
from ._base import Inputs, Item, Option, ScoreDef, lookup_item
from ._items import (
    BRAIN_AS_VISCERAL,
    KPS_FROM_ECOG,
    VERTEBRAL_ITEM,
    VISCERAL_UNKNOWN_AS,
    extraspinal_item,
    frankel_item,
    kps_item,
    vertebral_item,
    visceral3_item,
    visceral_columns,
)

CITATION = ("Tokuhashi Y, Matsuzaki H, Oda H, Oshima M, Ryu J. Spine 2005;30(19):2186-2191 "
            "(table via NICE CG75 Appendix 3 [V2])")

#: Primary-site points, Tokuhashi 2005 table (NICE CG75 App. 3 [V2]); sites of the package
#: vocabulary not named in the table are "others" (2).
PRIMARY_POINTS: dict[str, int] = {
    # 0: lung, osteosarcoma, stomach, bladder, esophagus, pancreas
    "lung": 0, "osteosarcoma": 0, "stomach": 0, "bladder": 0, "esophagus": 0, "pancreas": 0,
    # 1: liver, gallbladder, unidentified
    "liver": 1, "gallbladder": 1, "unknown": 1,
    # 2: others
    "colon": 2, "ovary": 2, "head_neck": 2, "melanoma": 2, "myeloma": 2, "lymphoma": 2,
    "sarcoma": 2, "testis": 2, "other": 2,
    # 3: kidney, uterus
    "kidney": 3, "uterus": 3, "cervix": 3,
    # 4: rectum
    "rectum": 4,
    # 5: thyroid, breast, prostate, carcinoid tumour
    "thyroid": 5, "breast": 5, "prostate": 5, "carcinoid": 5,
}
assert set(PRIMARY_POINTS) == set(PRIMARY_SITES)

VISCERAL_POINTS = {"unremovable": 0, "removable": 1, "none": 2}

OPTIONS = {
    "kps_from_ecog": KPS_FROM_ECOG,
    "vertebral_item": VERTEBRAL_ITEM,
    "visceral_unknown_as": VISCERAL_UNKNOWN_AS,
    "brain_as_visceral": BRAIN_AS_VISCERAL,
    "colon_as": Option("others", "Colon cancer as 'others' (2, default: only rectum is listed "
                       "at 4) or as 'rectum' (4).", ("others", "rectum")),
    "unknown_primary_points": Option(1, "Points of an unidentified primary: 1 (default, the "
                                     "table) or 0 (Enkaoua et al., Spine 1997).", (1, 0)),
    "cervix_as": Option("uterus", "Cervical cancer as 'uterus' (3, default) or 'others' (2).",
                        ("uterus", "others")),
    "molecular": Option(False, "True: HR-negative breast (ER and PR negative) scores 3 instead "
                        "of 5 ('2014 modified Tokuhashi', PMID 28749856).", (False, True)),
}

COMPONENTS = {
    "general_condition": "General condition (KPS)",
    "extraspinal_bone": "Number of extraspinal bone metastasis foci",
    "vertebral_body": "Number of metastases in the vertebral body",
    "major_organs": "Metastases to the major internal organs",
    "primary_site": "Primary site of the cancer",
    "palsy": "Palsy (Frankel)",
}

CATEGORIES = {
    "general_condition": {0: "poor (KPS 10-40)", 1: "moderate (KPS 50-70)", 2: "good (KPS 80-100)"},
    "extraspinal_bone": {0: ">=3 foci", 1: "1-2 foci", 2: "0 foci"},
    "vertebral_body": {0: ">=3", 1: "2 (or 1-2 under '0/1-2/>=3')", 2: "1"},
    "major_organs": {0: "unremovable", 1: "removable", 2: "no metastases"},
    "primary_site": {0: "lung, osteosarcoma, stomach, bladder, esophagus, pancreas",
                     1: "liver, gallbladder, unidentified", 2: "others",
                     3: "kidney, uterus", 4: "rectum",
                     5: "thyroid, breast, prostate, carcinoid"},
    "palsy": {0: "complete (Frankel A, B)", 1: "incomplete (Frankel C, D)", 2: "none (Frankel E)"},
}

GROUPS = (("<6 months", 0, 8), ("≥6 months", 9, 11), ("≥1 year", 12, 15))


def primary_table(opts: dict) -> dict[str, int]:
    table = dict(PRIMARY_POINTS)
    if opts["colon_as"] == "rectum":
        table["colon"] = 4
    table["unknown"] = int(opts["unknown_primary_points"])
    table["cervix"] = 3 if opts["cervix_as"] == "uterus" else 2
    return table


def primary_item(inp: Inputs, opts: dict, detail: bool) -> Item:
    codes = inp.cat("primary_site")
    item = lookup_item(codes, PRIMARY_SITES, primary_table(opts), 0.0, 5.0)
    if opts["molecular"]:
        breast = codes == PRIMARY_SITES.index("breast")
        er, pr = inp.cat("er"), inp.cat("pr")  # categories: positive, negative, unknown
        hr_pos = (er == 0) | (pr == 0)
        hr_neg = (er == 1) & (pr == 1)
        item.lo = np.where(breast & ~hr_pos, 3.0, item.lo)
        item.hi = np.where(breast & hr_neg, 3.0, item.hi)
        if detail:
            d = np.empty(inp.n, dtype=object)
            d[breast & hr_neg] = "molecular=True: HR-negative breast scores 3"
            d[breast & ~hr_pos & ~hr_neg] = "molecular=True: breast with unknown ER/PR spans 3-5"
            item.decided = d
    return item


def items(inp: Inputs, opts: dict, detail: bool) -> dict[str, Item]:
    return {
        "general_condition": kps_item(inp, opts, detail),
        "extraspinal_bone": extraspinal_item(inp, detail),
        "vertebral_body": vertebral_item(inp, opts, detail),
        "major_organs": visceral3_item(inp, opts, detail, VISCERAL_POINTS),
        "primary_site": primary_item(inp, opts, detail),
        "palsy": frankel_item(inp, detail),
    }


def columns(opts: dict) -> dict[str, tuple[str, ...]]:
    return {
        "general_condition": ("kps", "ecog") if opts["kps_from_ecog"] is not None else ("kps",),
        "extraspinal_bone": ("extraspinal_bone_mets",),
        "vertebral_body": ("vertebral_mets",),
        "major_organs": visceral_columns(opts),
        "primary_site": ("primary_site", "er", "pr") if opts["molecular"] else ("primary_site",),
        "palsy": ("frankel",),
    }


SCORE = ScoreDef(
    name="revised_tokuhashi",
    title="Revised Tokuhashi score (2005)",
    citation=CITATION,
    components=COMPONENTS,
    groups=GROUPS,
    options=OPTIONS,
    items=items,
    columns=columns,
    categories=CATEGORIES,
    group_survival=(),
    group_survival_note=(
        "Tokuhashi 2005 gives predicted survival as labels ('<6 months', '>=6 months', '>=1 year'), "
        "not survival probabilities S(t) [V2]; no S(t) is published for its groups."),
)
