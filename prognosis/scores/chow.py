"""Chow three-factor number-of-risk-factors model (NRF, 2008): 0-3 risk factors, groups I/II/III.

Chow E, Abdolell M, Panzarella T, et al. Predictive model for survival in patients with advanced
cancer. J Clin Oncol 2008;26(36):5863-5869 [V1, abstract]: risk factors non-breast cancer,
metastases other than bone, KPS <= 60; the three-variable NRF model is preferred. Groups by the
number of risk factors: I (0-1), II (2), III (3) [V2: Nieder et al. 2014 and the 2024 secondary
analysis in Radiat Oncol describe the same three NRF groups].

"Metastases other than bone" is read as visceral or brain metastases (``visceral_mets`` /
``visceral_pattern`` / ``brain_mets``): the schema records no lymph-node or soft-tissue sites, so a
patient with nodal disease only is scored as bone-only -- flagged in ``explain`` [C]. KPS missing:
option ``kps_from_ecog`` (conventions of :mod:`prognosis.clinical`).
"""
from __future__ import annotations

import numpy as np

from ..cohort.schema import PRIMARY_SITES
from ._base import Inputs, Item, ScoreDef, fill_range, lookup_item
from ._items import KPS_FROM_ECOG, ecog_kps_bounds

CITATION = "Chow E, Abdolell M, Panzarella T, et al. J Clin Oncol 2008;26(36):5863-5869 (abstract [V1])"
KPS_CUT = 60  # KPS <= 60 is the risk factor [V1]

OPTIONS = {"kps_from_ecog": KPS_FROM_ECOG}
COMPONENTS = {"non_breast": "Non-breast primary", "non_bone": "Metastases other than bone",
              "kps": "KPS <= 60"}
CATEGORIES = {"non_breast": {0: "breast", 1: "non-breast"},
              "non_bone": {0: "bone only (no visceral or brain metastases)", 1: "other than bone"},
              "kps": {0: "KPS > 60", 1: "KPS <= 60"}}
GROUPS = (("I", 0, 1), ("II", 2, 2), ("III", 3, 3))


def items(inp: Inputs, opts: dict, detail: bool) -> dict[str, Item]:
    non_breast = lookup_item(inp.cat("primary_site"), PRIMARY_SITES,
                             {s: int(s != "breast") for s in PRIMARY_SITES}, 0.0, 1.0)
    vis = inp.cat("visceral_mets")
    pat = inp.cat("visceral_pattern")
    brain = inp.flag("brain_mets")
    any_visc = np.where(vis >= 0, (vis > 0).astype(float), np.where(pat >= 0, (pat > 0).astype(float), np.nan))
    other = np.where((any_visc == 1) | (brain == 1), 1.0,
                     np.where((any_visc == 0) & (brain == 0), 0.0, np.nan))
    non_bone = fill_range(other, 0.0, 1.0)
    if detail:
        non_bone.decided = np.full(inp.n, "read from visceral/brain metastases; nodal or soft-tissue "
                                   "sites are not in the schema [C]", dtype=object)
    kps = inp.num("kps")
    pts = np.where(np.isnan(kps), np.nan, (kps <= KPS_CUT).astype(float))
    kitem = fill_range(pts, 0.0, 1.0)
    mode = opts.get("kps_from_ecog")
    if mode is not None:
        ecog = inp.num("ecog")
        use = np.isnan(kps) & ~np.isnan(ecog)
        lo_k, hi_k = ecog_kps_bounds(mode, np.where(use, ecog, np.nan))
        use &= ~np.isnan(lo_k)
        # the risk factor is KPS <= 60: the lowest KPS gives the most points
        kitem.hi = np.where(use, (lo_k <= KPS_CUT).astype(float), kitem.hi)
        kitem.lo = np.where(use, (hi_k <= KPS_CUT).astype(float), kitem.lo)
        if detail:
            kitem.decided = np.empty(inp.n, dtype=object)
            kitem.decided[use] = f"kps_from_ecog={mode!r}: KPS derived from ECOG"
    return {"non_breast": non_breast, "non_bone": non_bone, "kps": kitem}


def columns(opts: dict) -> dict[str, tuple[str, ...]]:
    return {"non_breast": ("primary_site",), "non_bone": ("visceral_mets", "visceral_pattern", "brain_mets"),
            "kps": ("kps", "ecog") if opts["kps_from_ecog"] is not None else ("kps",)}


SCORE = ScoreDef(
    name="chow_nrf",
    higher_is_worse=True,
    title="Chow three-factor number-of-risk-factors model (2008)",
    citation=CITATION,
    components=COMPONENTS,
    groups=GROUPS,
    options=OPTIONS,
    items=items,
    columns=columns,
    categories=CATEGORIES,
    group_survival=(),
    group_survival_note=("The abstract gives no survival per NRF group; the medians seen in later "
                         "validations differ by cohort, so no S(t) is given."),
)
