"""Original Tokuhashi score (1990): 6 items, 0-12 points.

Tokuhashi Y, Matsuzaki H, Toriyama S, Kawano H, Ohsaka S. Scoring system for the preoperative
evaluation of metastatic spine tumor prognosis. Spine 1990;15(11):1110-1113.

Point table [V2]: medicalalgorithms.com ("prognostic scoring system of Tokuhashi et al");
groups and their survival labels [V2]: NICE CG75 evidence table (PubMed Health PMH0032975):
average survival 0-5 points <=3 months, 6-8 points <=12 months, 9-12 points >=12 months
(medicalalgorithms: 6-8 "variable, mostly <6 months"). Labels, not S(t).

Ambiguities (options, defaults first):

* ``other_primary_points`` 1: "other" and "unidentified" primaries score 1 as on
  medicalalgorithms.com, which matches the usual citation of the 1990 paper [M]; 2 reproduces the
  NICE evidence-table row ("others, unidentified ... = 2", probably a transcription slip).
* ``colon_as`` 'others' or 'rectum' (2 points), ``vertebral_item``, ``visceral_unknown_as`` and
  ``kps_from_ecog`` as for the revised score. Primary sites not named in the table are "other".
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

CITATION = ("Tokuhashi Y, Matsuzaki H, Toriyama S, Kawano H, Ohsaka S. Spine 1990;15(11):1110-1113 "
            "(table via medicalalgorithms.com [V2])")

#: Tokuhashi 1990 primary site (medicalalgorithms.com [V2]): lung, stomach 0; kidney, liver,
#: uterus, other, unidentified 1; thyroid, prostate, breast, rectum 2.
NAMED_PRIMARY = {"lung": 0, "stomach": 0,
                 "kidney": 1, "liver": 1, "uterus": 1,
                 "thyroid": 2, "prostate": 2, "breast": 2, "rectum": 2}

VISCERAL_POINTS = {"unremovable": 0, "removable": 1, "none": 2}

OPTIONS = {
    "kps_from_ecog": KPS_FROM_ECOG,
    "vertebral_item": VERTEBRAL_ITEM,
    "visceral_unknown_as": VISCERAL_UNKNOWN_AS,
    "brain_as_visceral": BRAIN_AS_VISCERAL,
    "colon_as": Option("others", "Colon cancer as 'others' (default) or 'rectum' (2 points).",
                       ("others", "rectum")),
    "other_primary_points": Option(1, "Points of 'other' and unidentified primaries: 1 (default, "
                                   "medicalalgorithms.com) or 2 (NICE CG75 evidence table).", (1, 2)),
}

COMPONENTS = {
    "general_condition": "General condition (KPS)",
    "extraspinal_bone": "Number of extraspinal bone metastases",
    "vertebral_body": "Number of metastases in the vertebral body",
    "major_organs": "Metastases to the major internal organs",
    "primary_site": "Primary site of the cancer",
    "palsy": "Palsy (Frankel)",
}

CATEGORIES = {
    "general_condition": {0: "KPS 10-40", 1: "KPS 50-70", 2: "KPS 80-100"},
    "extraspinal_bone": {0: ">=3", 1: "1-2", 2: "0"},
    "vertebral_body": {0: ">=3", 1: "2 (or 1-2 under '0/1-2/>=3')", 2: "1"},
    "major_organs": {0: "unresectable", 1: "resectable", 2: "none"},
    "primary_site": {0: "lung, stomach", 1: "kidney, liver, uterus, other, unidentified",
                     2: "thyroid, prostate, breast, rectum (or other/unidentified when "
                        "other_primary_points=2)"},
    "palsy": {0: "Frankel A, B", 1: "Frankel C, D", 2: "none (Frankel E)"},
}

GROUPS = (("≤3 months", 0, 5), ("≤12 months", 6, 8), ("≥12 months", 9, 12))


def primary_table(opts: dict) -> dict[str, int]:
    other = int(opts["other_primary_points"])
    table = {site: NAMED_PRIMARY.get(site, other) for site in PRIMARY_SITES}
    if opts["colon_as"] == "rectum":
        table["colon"] = 2
    return table


def _primary(inp: Inputs, opts: dict, detail: bool) -> Item:
    codes = inp.cat("primary_site")
    item = lookup_item(codes, PRIMARY_SITES, primary_table(opts), 0.0, 2.0)
    if detail:  # 1 vs 2 points for other/unidentified is unverified (clinical-facts §7.1) [M]
        other = np.isin(codes, [i for i, s in enumerate(PRIMARY_SITES)
                                if s not in NAMED_PRIMARY and not (s == "colon" and opts["colon_as"] == "rectum")])
        item.decided = np.empty(inp.n, dtype=object)
        item.decided[other] = (f"other_primary_points={opts['other_primary_points']!r}: 1 vs 2 points for "
                               "other/unidentified primaries is [M], unverified")
    return item


def items(inp: Inputs, opts: dict, detail: bool) -> dict[str, Item]:
    return {
        "general_condition": kps_item(inp, opts, detail),
        "extraspinal_bone": extraspinal_item(inp, detail),
        "vertebral_body": vertebral_item(inp, opts, detail),
        "major_organs": visceral3_item(inp, opts, detail, VISCERAL_POINTS),
        "primary_site": _primary(inp, opts, detail),
        "palsy": frankel_item(inp, detail),
    }


def columns(opts: dict) -> dict[str, tuple[str, ...]]:
    return {
        "general_condition": ("kps", "ecog") if opts["kps_from_ecog"] is not None else ("kps",),
        "extraspinal_bone": ("extraspinal_bone_mets",),
        "vertebral_body": ("vertebral_mets",),
        "major_organs": visceral_columns(opts),
        "primary_site": ("primary_site",),
        "palsy": ("frankel",),
    }


SCORE = ScoreDef(
    name="original_tokuhashi",
    title="Original Tokuhashi score (1990)",
    citation=CITATION,
    components=COMPONENTS,
    groups=GROUPS,
    options=OPTIONS,
    items=items,
    columns=columns,
    categories=CATEGORIES,
    group_survival=(),
    group_survival_note=(
        "Tokuhashi 1990 reports average survival per group as labels (0-5 <=3 months, 6-8 <=12 "
        "months, 9-12 >=12 months; NICE CG75 evidence table [V2]), not S(t)."),
)
