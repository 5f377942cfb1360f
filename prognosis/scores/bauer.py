"""Bauer score (1995, 0-5 points) and modified Bauer score (Leithner 2008, 0-4 points).

Original: Bauer HC, Wedin R. Survival after surgery for spinal and extremity metastases.
Prognostication in 241 patients. Acta Orthop Scand 1995;66(2):143-146. One point for each
favourable factor: no visceral metastases, primary not lung cancer, primary breast / kidney /
lymphoma / myeloma, solitary skeletal metastasis, no pathological fracture [V2, implied by
Leithner 2008 and the Bollen thesis p95]. 1-year survival per group (4-5 about 50%, 2-3 about
25%, 0-1 about 0%) is [M] -- not verified against the paper.

Modified: Leithner A, Radl R, Gruber G, et al. Predictive value of seven preoperative prognostic
scoring systems for spinal metastases. Eur Spine J 2008;17(11):1488-1495 [V2, dss.dign.eu]:
the same without the pathological-fracture criterion; 0-1 supportive care, 2 short-term
palliation, 3-4 middle-term local control.

Notes: prostate cancer gets no favourable-primary point (as published). Lymphoma and myeloma are
favourable as published; many cohorts exclude haematological primaries -- report them
stratified. "Visceral" is read from ``visceral_mets`` (fallback ``visceral_pattern``); brain
metastases count as visceral by default (``brain_as_visceral=True``: Bauer & Wedin 1995 abstract,
"visceral or brain metastases" [V1]); pass ``brain_as_visceral=False`` to exclude them.
``solitary_rule`` 'single_lesion' (default): the index vertebra is the only bone lesion.
The 1-year survival of the middle group (2-3 points, about 25%) is [M]: only the 50% and 0%
endpoints were confirmed (clinical-facts §7.1).
"""
from __future__ import annotations

import numpy as np

from ..cohort.schema import PRIMARY_SITES
from ._base import Inputs, Item, ScoreDef, fill_range, lookup_item
from ._items import BRAIN_COUNTS_BAUER, SOLITARY_RULE, skeletal_multiple, visceral_columns, visceral_present

CITATION_BAUER = "Bauer HC, Wedin R. Acta Orthop Scand 1995;66(2):143-146 ([V2] via Leithner 2008)"
CITATION_MODIFIED = ("Leithner A, Radl R, Gruber G, et al. Eur Spine J 2008;17(11):1488-1495 "
                     "(via dss.dign.eu [V2])")

#: favourable primary (1 point): breast, kidney, lymphoma, multiple myeloma
FAVOURABLE = {"breast", "kidney", "lymphoma", "myeloma"}
FAVOURABLE_POINTS = {s: int(s in FAVOURABLE) for s in PRIMARY_SITES}
NOT_LUNG_POINTS = {s: int(s != "lung") for s in PRIMARY_SITES}

OPTIONS = {"solitary_rule": SOLITARY_RULE, "brain_as_visceral": BRAIN_COUNTS_BAUER}

_COMMON = {
    "no_visceral": "No visceral or brain metastases",
    "not_lung": "Primary tumour not lung cancer",
    "favourable_primary": "Primary breast, kidney, lymphoma or myeloma",
    "solitary": "Solitary skeletal metastasis",
}
COMPONENTS_BAUER = {**_COMMON, "no_fracture": "No pathological fracture"}
COMPONENTS_MODIFIED = dict(_COMMON)

CATEGORIES = {
    "no_visceral": {0: "visceral or brain metastases present", 1: "no visceral or brain metastases"},
    "not_lung": {0: "lung cancer", 1: "not lung cancer"},
    "favourable_primary": {0: "other primary", 1: "breast, kidney, lymphoma or myeloma"},
    "solitary": {0: "multiple bone metastases", 1: "solitary skeletal metastasis"},
    "no_fracture": {0: "pathological fracture", 1: "no pathological fracture"},
}

GROUPS_BAUER = (("0-1", 0, 1), ("2-3", 2, 3), ("4-5", 4, 5))
GROUPS_MODIFIED = (("supportive care", 0, 1), ("short-term palliation", 2, 2),
                   ("middle-term local control", 3, 4))


def _common_items(inp: Inputs, opts: dict, detail: bool = False) -> dict[str, Item]:
    codes = inp.cat("primary_site")
    visc = visceral_present(inp, opts)
    multiple = skeletal_multiple(inp, opts["solitary_rule"])
    no_visc = fill_range(1.0 - visc, 0.0, 1.0)
    if detail and opts.get("brain_as_visceral"):
        brain = inp.flag("brain_mets") == 1
        no_visc.decided = np.empty(inp.n, dtype=object)
        no_visc.decided[brain] = "brain_as_visceral=True (default): brain metastasis counts (Bauer & Wedin 1995)"
    return {
        "no_visceral": no_visc,
        "not_lung": lookup_item(codes, PRIMARY_SITES, NOT_LUNG_POINTS, 0.0, 1.0),
        "favourable_primary": lookup_item(codes, PRIMARY_SITES, FAVOURABLE_POINTS, 0.0, 1.0),
        "solitary": fill_range(1.0 - multiple, 0.0, 1.0),
    }


def items_modified(inp: Inputs, opts: dict, detail: bool) -> dict[str, Item]:
    return _common_items(inp, opts, detail)


def items_bauer(inp: Inputs, opts: dict, detail: bool) -> dict[str, Item]:
    out = _common_items(inp, opts, detail)
    frac = inp.flag("pathological_fracture")
    out["no_fracture"] = fill_range(1.0 - frac, 0.0, 1.0)
    return out


def _columns_common(opts: dict) -> dict[str, tuple[str, ...]]:
    sol = (("vertebral_mets", "extraspinal_bone_mets") if opts["solitary_rule"] == "single_lesion"
           else ("extraspinal_bone_mets",))
    return {"no_visceral": visceral_columns(opts), "not_lung": ("primary_site",),
            "favourable_primary": ("primary_site",), "solitary": sol}


def columns_bauer(opts: dict) -> dict[str, tuple[str, ...]]:
    return {**_columns_common(opts), "no_fracture": ("pathological_fracture",)}


_SRC = "Bauer & Wedin, Acta Orthop Scand 1995 (clinical-facts §1.4)"
BAUER = ScoreDef(
    name="bauer",
    title="Bauer score (1995)",
    citation=CITATION_BAUER,
    components=COMPONENTS_BAUER,
    groups=GROUPS_BAUER,
    options=OPTIONS,
    items=items_bauer,
    columns=columns_bauer,
    categories=CATEGORIES,
    group_survival=(
        ("0-1", 12.0, 0.00, "S(t)", _SRC, "[V2]"),
        ("2-3", 12.0, 0.25, "S(t)", _SRC, "[M]"),  # middle group unverified (clinical-facts §7.1)
        ("4-5", 12.0, 0.50, "S(t)", _SRC, "[V2]"),
    ),
    group_survival_note=("Approximate 1-year survival per group: 50% (4-5) and 0% (0-1) confirmed by an independent "
                         "check [V2]; the middle group's 25% is [M], not verified against the paper."),
)

MODIFIED_BAUER = ScoreDef(
    name="modified_bauer",
    title="Modified Bauer score (Leithner 2008)",
    citation=CITATION_MODIFIED,
    components=COMPONENTS_MODIFIED,
    groups=GROUPS_MODIFIED,
    options=OPTIONS,
    items=items_modified,
    columns=_columns_common,
    categories=CATEGORIES,
    group_survival=(),
    group_survival_note=("Leithner 2008 reported median survival per group, but the values were "
                         "not retrieved [M]; no S(t) is given."),
)
