"""New England Spinal Metastasis Score (NESMS): 3 items, 0-3 points.

Ghori AK, Leonard DA, Schoenfeld AJ, et al. Modeling 1-year survival after surgery on the
metastatic spine. Spine J 2015;15(11):2345-2350. "The most parsimonious model weighted the
modified Bauer score with two points and intact ambulatory status and normal serum albumin level
with one point each, with a ceiling score of three" [V2].

Weights are [V2]; the thresholds are **[M]** (not verified against Ghori 2015; the abstract says
"high" modified Bauer and "normal" albumin): modified Bauer >= 3 -> 2 points; independently
ambulatory -> 1; serum albumin >= 3.5 g/dL -> 1. Both are named options (``modified_bauer_cut``,
``albumin_cut_g_dl``) and every scored row is flagged in ``explain``. Brain metastases count in
the modified Bauer item by default (Bauer & Wedin 1995, "visceral or brain metastases" [V1]). The ceiling of
three is implied by the weights (2 + 1 + 1 would be 4; the published range is 0-3), so the total
is min(sum, 3) -- applied to totals and ranges alike.

The modified Bauer score is computed by :mod:`.bauer` from the same row (its ``solitary_rule``
option is passed through); when it is partly missing, this item is decided as soon as the modified
Bauer range lies entirely on one side of 3.
"""
from __future__ import annotations

import numpy as np

from ..errors import InputError
from ._base import Inputs, Item, Option, ScoreDef, fill_range
from ._items import BRAIN_COUNTS_BAUER, SOLITARY_RULE
from .bauer import _columns_common, items_modified

CITATION = ("Ghori AK, Leonard DA, Schoenfeld AJ, et al. Spine J 2015;15(11):2345-2350 "
            "(weights [V2], thresholds [M])")

MODIFIED_BAUER_CUT = 3     # [M]
ALBUMIN_CUT_G_DL = 3.5     # [M]
CEILING = 3                # [V2]

OPTIONS = {
    "solitary_rule": SOLITARY_RULE,
    "brain_as_visceral": BRAIN_COUNTS_BAUER,
    "modified_bauer_cut": Option(MODIFIED_BAUER_CUT, "Modified Bauer score at or above which the "
                                 "item gives 2 points (default 3) [M]: Ghori 2015 say 'high'.", None),
    "albumin_cut_g_dl": Option(ALBUMIN_CUT_G_DL, "Serum albumin (g/dL) at or above which the item "
                               "gives 1 point (default 3.5) [M]: Ghori 2015 say 'normal'.", None),
}
COMPONENTS = {
    "modified_bauer": "Modified Bauer score >= 3",
    "ambulatory": "Independently ambulatory",
    "albumin": "Serum albumin >= 3.5 g/dL",
}
CATEGORIES = {
    "modified_bauer": {0: "modified Bauer 0-2", 2: "modified Bauer 3-4"},
    "ambulatory": {0: "not independently ambulatory", 1: "independently ambulatory"},
    "albumin": {0: "albumin < 3.5 g/dL", 1: "albumin >= 3.5 g/dL"},
}
GROUPS = (("0", 0, 0), ("1", 1, 1), ("2", 2, 2), ("3", 3, 3))


def items(inp: Inputs, opts: dict, detail: bool) -> dict[str, Item]:
    try:
        mb_cut, alb_cut = float(opts["modified_bauer_cut"]), float(opts["albumin_cut_g_dl"])
    except (TypeError, ValueError):
        raise InputError("nesms: modified_bauer_cut and albumin_cut_g_dl must be numbers") from None
    mb = items_modified(inp, opts, False)
    mb_lo = sum(it.lo for it in mb.values())
    mb_hi = sum(it.hi for it in mb.values())
    lo = np.where(mb_lo >= mb_cut, 2.0, 0.0)
    hi = np.where(mb_hi >= mb_cut, 2.0, 0.0)
    albumin = inp.num("albumin_g_dl")
    alb = np.where(np.isnan(albumin), np.nan, (albumin >= alb_cut).astype(float))
    out = {
        "modified_bauer": Item(lo, hi),
        "ambulatory": fill_range(inp.flag("ambulatory"), 0.0, 1.0),
        "albumin": fill_range(alb, 0.0, 1.0),
    }
    if detail:
        out["modified_bauer"].decided = np.full(
            inp.n, f"modified_bauer_cut={opts['modified_bauer_cut']!r}: threshold [M], unverified", dtype=object)
        out["albumin"].decided = np.full(
            inp.n, f"albumin_cut_g_dl={opts['albumin_cut_g_dl']!r}: threshold [M], unverified", dtype=object)
    return out


def columns(opts: dict) -> dict[str, tuple[str, ...]]:
    mb = sorted({c for cols in _columns_common(opts).values() for c in cols})
    return {"modified_bauer": tuple(mb), "ambulatory": ("ambulatory",), "albumin": ("albumin_g_dl",)}


SCORE = ScoreDef(
    name="nesms",
    title="New England Spinal Metastasis Score (2015)",
    citation=CITATION,
    components=COMPONENTS,
    groups=GROUPS,
    options=OPTIONS,
    items=items,
    columns=columns,
    categories=CATEGORIES,
    group_survival=(),
    group_survival_note=("Ghori 2015 reports 1-year survival of the whole cohort (48%); survival per "
                         "NESMS level was not retrieved from the source [M], so no S(t) is given."),
    notes="total = min(sum of items, 3)",
    ceiling=CEILING,
)
