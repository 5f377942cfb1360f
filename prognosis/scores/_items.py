"""Items shared by several scores (performance status, bone and visceral metastases, palsy).

Each function scores one item on whole columns and returns an :class:`~._base.Item`. Where a
named option decides a value (rather than the recorded value itself), the item's ``decided``
array says so when ``detail`` is true (used by :func:`prognosis.scores.explain`).
"""
from __future__ import annotations

import numpy as np

from ..clinical import DEFAULT_PS_CONVENTION, PS_CONVENTIONS, ecog_to_kps, ecog_to_kps_range
from ..cohort.schema import COLUMN_BY_NAME
from ..errors import InputError
from ._base import Inputs, Item, Option, band, band_item, lookup_item

# ECOG -> KPS conversion: the named conventions of :mod:`prognosis.clinical` (default Ma C et al.,
# Eur J Cancer 2010: ECOG 0 = KPS 100, 1 = 80-90, 2 = 60-70, 3 = 40-50, 4 = 10-30 [V1]). The
# default is still *not* to convert: a derived KPS is never as good as a recorded one.
KPS_FROM_ECOG = Option(
    None,
    "How to score patients with ECOG but no KPS. None (default): KPS is missing and the item "
    "spans its full range. 'range': the KPS band of the ECOG grade under the default convention "
    f"({DEFAULT_PS_CONVENTION}; prognosis.clinical) narrows the item (under ma2010 ECOG 3 = KPS 40-50 stays "
    "undetermined across the 50 cut). 'point': the "
    "low end of that band (0->100, 1->80, 2->60, 3->40, 4->10; flagged). A convention name "
    f"({', '.join(sorted(PS_CONVENTIONS))}) gives the band under that convention. A dict "
    "{ecog: kps} gives your own mapping. KPS, when recorded, always wins.",
    (None, "range", "point", *sorted(PS_CONVENTIONS)),
)


def ecog_kps_bounds(mode, ecog: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """KPS interval per patient from ECOG under ``mode`` (see :data:`KPS_FROM_ECOG`); NaN where
    ECOG is missing."""
    if isinstance(mode, dict):
        try:
            mapping = {int(k): float(v) for k, v in mode.items()}
        except (TypeError, ValueError):
            mapping = {-1: np.nan}
        if not all(0 <= k <= 4 and 0 <= v <= 100 for k, v in mapping.items()):
            raise InputError(f"kps_from_ecog={mode!r}: expected a dict mapping ECOG 0-4 to KPS 0-100")
        lo = np.full(len(ecog), np.nan)
        for e, v in mapping.items():
            lo[ecog == e] = v
        return lo, lo.copy()
    if mode == "point":
        k = ecog_to_kps(ecog, DEFAULT_PS_CONVENTION, end="low")
        return k, k.copy()
    return ecog_to_kps_range(ecog, DEFAULT_PS_CONVENTION if mode == "range" else mode)


VISCERAL_UNKNOWN_AS = Option(
    "unremovable",
    "How to score a visceral metastasis that is known to be present (visceral_pattern nodular or "
    "disseminated) but whose removability / treatability is not recorded (visceral_mets NA). "
    "'unremovable' (default; Bollen L et al., thesis Leiden ch. VI p86 [V2], who coded every "
    "present visceral metastasis as not removable because only presence was recorded); "
    "'removable'; or None: not guessed, the item spans removable..unremovable. A recorded "
    "visceral_pattern 'none' with visceral_mets NA scores as no metastases. Flagged in explain().",
    ("unremovable", "removable", None),
)

SOLITARY_RULE = Option(
    "single_lesion",
    "What makes a bone metastasis 'solitary'. 'single_lesion' (default; clinical-facts §1.3/§1.4: "
    "count all skeletal lesions including the index vertebra): vertebral_mets == 1 and "
    "extraspinal_bone_mets == 0. 'no_extraspinal': disease confined to the spine counts as "
    "solitary/isolated whatever the number of vertebrae (extraspinal_bone_mets == 0).",
    ("single_lesion", "no_extraspinal"),
)


def _flag_rows(detail: bool, n: int, mask: np.ndarray, text: str, decided=None):
    if not detail:
        return None
    if decided is None:
        decided = np.empty(n, dtype=object)
    decided[mask] = text
    return decided


def kps_item(inp: Inputs, opts: dict, detail: bool, *, cuts=(50, 80), points=(0, 1, 2)) -> Item:
    """KPS banded as <50 / 50-79 / >=80 (published bands 10-40 / 50-70 / 80-100, extended to
    non-decile values by the cut points, as CRAN ``cliot`` does [V2]; KPS 0 and 10 score 0)."""
    kps = inp.num("kps")
    item = band_item(kps, cuts, points, float(min(points)), float(max(points)))
    if detail and "kps_derived" in inp.frame.columns:
        derived = inp.frame["kps_derived"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        item.decided = _flag_rows(detail, inp.n, derived & ~np.isnan(kps),
                                  "KPS was derived from ECOG during harmonization (kps_derived)")
    mode = opts.get("kps_from_ecog")
    if mode is not None:
        ecog = inp.num("ecog")
        use = np.isnan(kps) & ~np.isnan(ecog)
        k_lo, k_hi = ecog_kps_bounds(mode, np.where(use, ecog, np.nan))
        ok = use & ~np.isnan(k_lo)
        item.lo = np.where(ok, band(k_lo, cuts, points), item.lo)
        item.hi = np.where(ok, band(k_hi, cuts, points), item.hi)
        item.decided = _flag_rows(detail, inp.n, ok, f"kps_from_ecog={mode!r}: KPS derived from ECOG",
                                  item.decided)
    return item


def extraspinal_item(inp: Inputs, detail: bool) -> Item:
    """Extraspinal bone foci: >=3 -> 0, 1-2 -> 1, 0 -> 2 (Tokuhashi 1990 and 2005)."""
    x = inp.num("extraspinal_bone_mets")
    return band_item(x, (1, 3), (2, 1, 0), 0.0, 2.0)


VERTEBRAL_ITEM = Option(
    "1/2/>=3",
    "Convention of the vertebral-body item. '1/2/>=3' (default; NICE CG75 App. 3, CRAN cliot, "
    "medicalalgorithms [V2]): 1 -> 2, 2 -> 1, >=3 -> 0 points. '0/1-2/>=3': the variant printed "
    "by two secondary reproductions (reported by the sophiewell.com audit [V2]): 1-2 -> 1, "
    ">=3 -> 0 (2 points unreachable, since a spinal metastasis means >=1 vertebra); almost "
    "certainly a transcription error, kept for reproducing studies that used it.",
    ("1/2/>=3", "0/1-2/>=3"),
)


def vertebral_item(inp: Inputs, opts: dict, detail: bool) -> Item:
    v = inp.num("vertebral_mets")
    if opts.get("vertebral_item", "1/2/>=3") == "1/2/>=3":
        return band_item(v, (2, 3), (2, 1, 0), 0.0, 2.0)
    return band_item(v, (1, 3), (2, 1, 0), 0.0, 1.0)


def frankel_item(inp: Inputs, detail: bool) -> Item:
    """Palsy: Frankel A/B (complete) -> 0, C/D (incomplete) -> 1, E (none) -> 2."""
    return lookup_item(inp.cat("frankel"), COLUMN_BY_NAME["frankel"].categories,
                       {"A": 0, "B": 0, "C": 1, "D": 1, "E": 2}, 0.0, 2.0)


BRAIN_AS_VISCERAL = Option(
    False,
    "Count brain metastases (brain_mets) as a visceral / major-organ metastasis. False "
    "(default): only visceral_mets / visceral_pattern are read, as in the published tables. "
    "True: CRAN cliot's reading of Tokuhashi's 'major internal organs' (lung, liver, kidneys, "
    "brain) [V2]; a brain metastasis counts as a visceral metastasis of unrecorded removability "
    "(scored per visceral_unknown_as where the score has it), and a missing brain_mets then "
    "widens the range.",
    (False, True),
)


def visceral_columns(opts: dict) -> tuple[str, ...]:
    """Columns read by the visceral items under ``opts``."""
    return ("visceral_mets", "visceral_pattern") + (("brain_mets",) if opts.get("brain_as_visceral") else ())


def visceral3_item(inp: Inputs, opts: dict, detail: bool, table: dict[str, float]) -> Item:
    """Three-level visceral item (none / removable / unremovable) with the pattern fallback.

    Worked in severity space (0 none, 1 removable, 2 unremovable -- the schema's category order)
    and mapped to points at the end, so the same code serves Tokuhashi (points fall with
    severity) and Tomita (points rise with severity)."""
    codes = inp.cat("visceral_mets")
    pattern = inp.cat("visceral_pattern")
    rec_missing = codes < 0
    p_none = rec_missing & (pattern == 0)
    p_present = rec_missing & (pattern > 0)
    sev_lo = np.where(rec_missing, 0, codes).astype(np.int8)
    sev_hi = np.where(rec_missing, 2, codes).astype(np.int8)
    sev_hi[p_none] = 0
    how = opts.get("visceral_unknown_as", "unremovable")
    u_lo, u_hi = {None: (1, 2), "removable": (1, 1), "unremovable": (2, 2)}[how]
    sev_lo[p_present], sev_hi[p_present] = u_lo, u_hi
    decided = _flag_rows(detail, inp.n, p_none,
                         "visceral_mets missing; visceral_pattern='none' -> no metastases")
    decided = _flag_rows(detail, inp.n, p_present,
                         f"visceral_mets missing, metastasis present per visceral_pattern; "
                         f"visceral_unknown_as={how!r}", decided)
    if opts.get("brain_as_visceral"):
        brain = inp.flag("brain_mets")
        yes = brain == 1
        sev_lo = np.where(yes, np.maximum(sev_lo, u_lo), sev_lo)
        sev_hi = np.where(yes | np.isnan(brain), np.maximum(sev_hi, u_hi), sev_hi)
        decided = _flag_rows(detail, inp.n, yes, f"brain_as_visceral=True: brain metastasis counted "
                             f"(visceral_unknown_as={how!r})", decided)
    pts = np.array([table["none"], table["removable"], table["unremovable"]], dtype=float)
    a, b = pts[sev_lo], pts[sev_hi]
    return Item(np.minimum(a, b), np.maximum(a, b), decided=decided)


def visceral_present(inp: Inputs, opts: dict | None = None) -> np.ndarray:
    """1.0 if any visceral metastasis is recorded, 0.0 if none, NaN if unknown.

    visceral_mets (none vs removable/unremovable) is used first, visceral_pattern as fallback.
    Brain metastases count only with ``brain_as_visceral=True``."""
    codes = inp.cat("visceral_mets")
    pattern = inp.cat("visceral_pattern")
    out = np.where(codes == 0, 0.0, np.where(codes > 0, 1.0, np.nan))
    fb = np.isnan(out)
    out[fb & (pattern == 0)] = 0.0
    out[fb & (pattern > 0)] = 1.0
    if opts and opts.get("brain_as_visceral"):
        brain = inp.flag("brain_mets")
        out = np.where(brain == 1, 1.0, np.where((out == 0) & np.isnan(brain), np.nan, out))
    return out


def skeletal_multiple(inp: Inputs, rule: str = "single_lesion") -> np.ndarray:
    """1.0 multiple bone metastases, 0.0 solitary, NaN unknown (partial data used where decisive).

    Vertebral counts are >= 1 in a patient with a spinal metastasis, so one extraspinal focus
    alone already makes the disease multiple under 'single_lesion'."""
    v = inp.num("vertebral_mets")
    x = inp.num("extraspinal_bone_mets")
    out = np.full(inp.n, np.nan)
    if rule == "single_lesion":
        out[(v == 1) & (x == 0)] = 0.0
        out[(v >= 2) | (x >= 1)] = 1.0
    else:
        out[x == 0] = 0.0
        out[x >= 1] = 1.0
    return out


def unverified_sites_option(score: str, sites) -> Option:
    """Named option for primary sites whose class in ``score`` could not be verified [M]."""
    return Option(
        "table",
        f"{score}: the class of {', '.join(sorted(sites))} could not be verified against the paper "
        "[M] (clinical-facts §7.1). 'table' (default): score them with the package's [M] class and "
        "flag the row in explain(); 'range': not guessed -- the item spans every class (totals "
        "and groups widen accordingly).",
        ("table", "range"),
    )


def apply_unverified_sites(item: Item, codes: np.ndarray, sites, how: str, lo: float, hi: float,
                           detail: bool, n: int, label: str) -> Item:
    """Flag (``how='table'``) or widen to ``lo..hi`` (``'range'``) the rows of unverified sites."""
    from ..cohort.schema import PRIMARY_SITES

    idx = [PRIMARY_SITES.index(s) for s in sites]
    mask = np.isin(codes, idx)
    if how == "range":
        item.lo = np.where(mask, lo, item.lo)
        item.hi = np.where(mask, hi, item.hi)
        text = f"unverified_sites='range': {label} class of this site unverified [M] -> full range"
    else:
        text = f"unverified_sites='table' (default): {label} class of this site is [M], unverified"
    if detail:
        if item.decided is None:
            item.decided = np.empty(n, dtype=object)
        item.decided[mask] = text
    return item


#: Brain metastases in the Bauer family: Bauer HC, Wedin R, Acta Orthop Scand 1995;66:143-6 name
#: "visceral or brain metastases" as the negative factor [V1, abstract]; the modified Bauer score
#: (Leithner 2008) and NESMS (Ghori 2015) inherit the item.
BRAIN_COUNTS_BAUER = Option(
    True,
    "Count brain metastases (brain_mets) in the 'no visceral metastases' item. True (default): "
    "Bauer & Wedin 1995 name 'visceral or brain metastases' [V1]; a missing brain_mets with no "
    "visceral metastasis leaves the item undetermined. False: only visceral_mets / "
    "visceral_pattern (the package's behaviour before v2; over-scores patients with brain "
    "metastases by one point).",
    (True, False),
)
