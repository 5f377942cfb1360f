"""New Katagiri score (2014): 6 items, 0-10 points, groups low / intermediate / high risk.

Katagiri H, Okada R, Takagi T, et al. New prognostic factors and scoring system for patients
with skeletal metastasis. Cancer Med 2014;3(5):1359-1367, doi:10.1002/cam4.292. Derived in 808
patients with symptomatic skeletal metastases (any site, not only the spine) [V1].

**The point table is [M]** (clinical-facts §1.5: consistent with the [V1] 0-10 range and group
cut-offs, but the tumour lists and laboratory thresholds were not verified against Table 2 of
the paper). The group cut-offs (0-3, 4-6, 7-10) and four survival figures are [V1].

Items: primary lesion (slow 0 / moderate 2 / rapid 3); nodular visceral or cerebral metastasis
1, disseminated (pleural, peritoneal, leptomeningeal) 2; laboratory data abnormal 1 / critical 2;
ECOG 3-4 1; previous chemotherapy 1; multiple skeletal metastases 1.

Primary growth classes [M]: slow = hormone-dependent breast and prostate, thyroid, myeloma,
lymphoma; moderate = lung treated with molecularly targeted drugs, hormone-independent breast and
prostate, kidney, uterus (endometrial), ovary, sarcoma (osteosarcoma included), others (testis,
carcinoid, other); rapid = lung without targeted drugs, colon, rectum, stomach, pancreas, head and
neck, oesophagus, bladder ("other urological"), melanoma, liver, gallbladder, cervix, unknown
primary.

Options (defaults first) decide how the molecular/treatment columns feed the primary item:

* ``lung_targeted`` 'targeted_therapy': lung cancer is "treated with molecularly targeted drugs"
  when ``targeted_therapy`` is true; 'driver': when EGFR is mutant or ALK/ROS1 rearranged
  (assumes every driver-positive patient gets the drug; all drivers negative -> rapid).
* ``breast_hormone`` 'er_pr': hormone-dependent breast = ER or PR positive; both negative =
  hormone-independent; otherwise the item spans 0-2.
* ``prostate_hormone`` 'castration': castration-sensitive = hormone-dependent, resistant =
  independent, unknown spans 0-2; 'assume_dependent' scores unknown castration status as 0.
* ``brain_mets_unknown`` 'ignore': ``visceral_pattern`` is taken as the Katagiri item ("visceral
  or cerebral"); a true ``brain_mets`` raises it to at least 1, a missing one changes nothing.
  'range': a missing ``brain_mets`` lets the item reach 1.
* ``labs_missing`` None: a missing laboratory value is not assumed normal (the item spans what it
  could give); 'normal': missing values count as normal (flagged).
* ``ecog_from_kps`` None (default: a missing ECOG spans 0-1 points); a convention name of
  :mod:`prognosis.clinical` ('ma2010', 'prasad2018', 'buccheri1996', 'oken') derives the ECOG
  interval from KPS under that convention ('usual' = the default convention, ma2010: KPS 50 ->
  ECOG 3 -> 1 point, as in all three measured correspondences; Buccheri's three-level table
  gives KPS < 60 -> ECOG 3-4). Derived rows are flagged in ``explain``.
* ``solitary_rule`` 'single_lesion' for "multiple skeletal metastases".
"""
from __future__ import annotations

import numpy as np

from ..clinical import DEFAULT_PS_CONVENTION, PS_CONVENTIONS, kps_to_ecog_range
from ..cohort.schema import PRIMARY_SITES
from ._base import Inputs, Item, Option, ScoreDef, fill_range, table_lookup
from ._items import SOLITARY_RULE, apply_unverified_sites, skeletal_multiple, unverified_sites_option

CITATION = ("Katagiri H, Okada R, Takagi T, et al. Cancer Med 2014;3(5):1359-1367, "
            "doi:10.1002/cam4.292 (point table [M])")

SLOW, MODERATE, RAPID = 0, 2, 3
#: primary-lesion growth class of sites that do not depend on hormone or targeted status [M]
SITE_POINTS: dict[str, float] = {
    "thyroid": SLOW, "myeloma": SLOW, "lymphoma": SLOW,
    "kidney": MODERATE, "uterus": MODERATE, "ovary": MODERATE, "sarcoma": MODERATE,
    "osteosarcoma": MODERATE, "testis": MODERATE, "carcinoid": MODERATE, "other": MODERATE,
    "colon": RAPID, "rectum": RAPID, "stomach": RAPID, "pancreas": RAPID, "head_neck": RAPID,
    "esophagus": RAPID, "bladder": RAPID, "melanoma": RAPID, "liver": RAPID, "gallbladder": RAPID,
    "cervix": RAPID, "unknown": RAPID,
    # lung, breast, prostate: decided from treatment / hormone status below
}
assert set(SITE_POINTS) | {"lung", "breast", "prostate"} == set(PRIMARY_SITES)
#: sites whose Katagiri class could not be verified (clinical-facts §7.1) [M]
UNVERIFIED_SITES = ("uterus", "ovary", "cervix", "bladder", "gallbladder", "testis", "carcinoid",
                    "osteosarcoma", "other")

#: laboratory thresholds [M]: abnormal (1) CRP >=0.4 mg/dL, LDH >=250 IU/L, albumin <3.7 g/dL;
#: critical (2) platelets <100 x10^9/L (100,000/uL), calcium >=10.3 mg/dL, bilirubin >=1.4 mg/dL
ABNORMAL = (("crp_mg_dl", ">=", 0.4), ("ldh_u_l", ">=", 250.0), ("albumin_g_dl", "<", 3.7))
CRITICAL = (("platelets_10e9_l", "<", 100.0), ("calcium_mg_dl", ">=", 10.3),
            ("bilirubin_mg_dl", ">=", 1.4))

OPTIONS = {
    "lung_targeted": Option("targeted_therapy", "How 'lung cancer treated with molecularly "
                            "targeted drugs' is read: 'targeted_therapy' column (default) or "
                            "'driver' (EGFR mutant / ALK or ROS1 rearranged).",
                            ("targeted_therapy", "driver")),
    "breast_hormone": Option("er_pr", "Hormone-dependent breast = ER or PR positive.", ("er_pr",)),
    "prostate_hormone": Option("castration", "'castration' (sensitive = dependent, default) or "
                               "'assume_dependent' (unknown castration status scores 0).",
                               ("castration", "assume_dependent")),
    "brain_mets_unknown": Option("ignore", "'ignore' (default) or 'range' (missing brain_mets "
                                 "lets the visceral item reach 1).", ("ignore", "range")),
    "labs_missing": Option(None, "None (default: missing labs widen the range) or 'normal'.",
                           (None, "normal")),
    "ecog_from_kps": Option(None, "None (default) or a KPS->ECOG convention of prognosis.clinical "
                            f"({', '.join(sorted(PS_CONVENTIONS))}; 'usual' = {DEFAULT_PS_CONVENTION}"
                            "): KPS 50 -> ECOG 3 under ma2010, prasad2018 and buccheri1996.",
                            (None, "usual", *sorted(PS_CONVENTIONS))),
    "solitary_rule": SOLITARY_RULE,
    "unverified_sites": unverified_sites_option("Katagiri-New", UNVERIFIED_SITES),
}

COMPONENTS = {
    "primary_lesion": "Primary lesion (growth)",
    "visceral": "Visceral or cerebral metastases",
    "laboratory": "Laboratory data",
    "ecog": "ECOG performance status 3-4",
    "previous_chemotherapy": "Previous chemotherapy",
    "multiple_skeletal": "Multiple skeletal metastases",
}
CATEGORIES = {
    "primary_lesion": {0: "slow growth", 2: "moderate growth", 3: "rapid growth"},
    "visceral": {0: "none", 1: "nodular visceral or cerebral", 2: "disseminated"},
    "laboratory": {0: "normal", 1: "abnormal (CRP, LDH or albumin)",
                   2: "critical (platelets, calcium or bilirubin)"},
    "ecog": {0: "ECOG 0-2", 1: "ECOG 3-4"},
    "previous_chemotherapy": {0: "no", 1: "yes"},
    "multiple_skeletal": {0: "solitary", 1: "multiple"},
}
GROUPS = (("low risk", 0, 3), ("intermediate risk", 4, 6), ("high risk", 7, 10))


def _primary(inp: Inputs, opts: dict, detail: bool) -> Item:
    codes = inp.cat("primary_site")
    pts = table_lookup(codes, PRIMARY_SITES, SITE_POINTS)
    lo = np.where(np.isnan(pts), float(SLOW), pts)
    hi = np.where(np.isnan(pts), float(RAPID), pts)
    decided = np.empty(inp.n, dtype=object) if detail else None

    def setrange(mask, a, b, why):
        lo[mask], hi[mask] = a, b
        if detail:
            decided[mask] = why

    lung = codes == PRIMARY_SITES.index("lung")
    if opts["lung_targeted"] == "targeted_therapy":
        tt = inp.flag("targeted_therapy")
        setrange(lung & (tt == 1), MODERATE, MODERATE, "targeted_therapy=True -> moderate growth")
        setrange(lung & (tt == 0), RAPID, RAPID, "targeted_therapy=False -> rapid growth")
        setrange(lung & np.isnan(tt), MODERATE, RAPID, "targeted_therapy missing -> 2-3")
    else:
        egfr, alk, ros1 = inp.cat("egfr"), inp.cat("alk"), inp.cat("ros1")
        pos = (egfr == 0) | (alk == 0) | (ros1 == 0)
        neg = (egfr == 1) & (alk == 1) & (ros1 == 1)
        setrange(lung & pos, MODERATE, MODERATE, "lung_targeted='driver': driver-positive -> moderate")
        setrange(lung & neg, RAPID, RAPID, "lung_targeted='driver': EGFR/ALK/ROS1 negative -> rapid")
        setrange(lung & ~pos & ~neg, MODERATE, RAPID,
                 "lung_targeted='driver': driver status incomplete -> 2-3")
    breast = codes == PRIMARY_SITES.index("breast")
    er, pr = inp.cat("er"), inp.cat("pr")
    dep = (er == 0) | (pr == 0)
    indep = (er == 1) & (pr == 1)
    setrange(breast & dep, SLOW, SLOW, "ER or PR positive -> hormone-dependent (slow)")
    setrange(breast & indep, MODERATE, MODERATE, "ER and PR negative -> hormone-independent (moderate)")
    setrange(breast & ~dep & ~indep, SLOW, MODERATE, "ER/PR unknown -> 0-2")
    prostate = codes == PRIMARY_SITES.index("prostate")
    cas = inp.cat("castration")  # sensitive, resistant, unknown
    setrange(prostate & (cas == 0), SLOW, SLOW, "castration-sensitive -> hormone-dependent (slow)")
    setrange(prostate & (cas == 1), MODERATE, MODERATE,
             "castration-resistant -> hormone-independent (moderate)")
    unk = prostate & (cas != 0) & (cas != 1)
    if opts["prostate_hormone"] == "assume_dependent":
        setrange(unk, SLOW, SLOW, "prostate_hormone='assume_dependent': unknown status -> slow")
    else:
        setrange(unk, SLOW, MODERATE, "castration status unknown -> 0-2")
    item = Item(lo, hi, decided=decided)
    return apply_unverified_sites(item, codes, UNVERIFIED_SITES, opts["unverified_sites"],
                                  float(SLOW), float(RAPID), detail, inp.n, "Katagiri growth")


def _visceral(inp: Inputs, opts: dict, detail: bool) -> Item:
    pattern = inp.cat("visceral_pattern")  # none, nodular, disseminated
    pts = np.where(pattern >= 0, pattern.astype(float), np.nan)
    lo = np.where(np.isnan(pts), 0.0, pts)
    hi = np.where(np.isnan(pts), 2.0, pts)
    decided = np.empty(inp.n, dtype=object) if detail else None
    vm = inp.cat("visceral_mets")  # fallback: none / removable / unremovable
    fb = np.isnan(pts)
    lo[fb & (vm == 0)], hi[fb & (vm == 0)] = 0.0, 0.0
    lo[fb & (vm > 0)], hi[fb & (vm > 0)] = 1.0, 2.0
    if detail:
        decided[fb & (vm >= 0)] = "visceral_pattern missing; read from visceral_mets"
    brain = inp.flag("brain_mets")
    lo = np.where(brain == 1, np.maximum(lo, 1.0), lo)
    hi = np.where(brain == 1, np.maximum(hi, 1.0), hi)
    if opts["brain_mets_unknown"] == "range":
        hi = np.where(np.isnan(brain), np.maximum(hi, 1.0), hi)
    if detail:
        decided[brain == 1] = "brain_mets=True counts as a nodular (cerebral) metastasis"
    return Item(lo, hi, decided=decided)


def _laboratory(inp: Inputs, opts: dict, detail: bool) -> Item:
    normal_missing = opts["labs_missing"] == "normal"

    def level(rules):
        any_true = np.zeros(inp.n, dtype=bool)
        any_missing = np.zeros(inp.n, dtype=bool)
        for col, op, thr in rules:
            v = inp.num(col)
            # comparisons with NaN are False, so a missing value never counts as a hit
            any_true |= (v >= thr) if op == ">=" else (v < thr)
            any_missing |= np.isnan(v)
        if normal_missing:
            any_missing[:] = False
        return any_true, any_missing

    crit, crit_miss = level(CRITICAL)
    abn, abn_miss = level(ABNORMAL)
    lo = np.where(crit, 2.0, np.where(abn, 1.0, 0.0))
    hi = np.where(crit | crit_miss, 2.0, np.where(abn | abn_miss, 1.0, 0.0))
    decided = None
    if detail and normal_missing:
        decided = np.empty(inp.n, dtype=object)
        decided[:] = "labs_missing='normal': missing laboratory values counted as normal"
    return Item(lo, hi, decided=decided)


def _ecog(inp: Inputs, opts: dict, detail: bool) -> Item:
    ecog = inp.num("ecog")
    pts = np.where(np.isnan(ecog), np.nan, (ecog >= 3).astype(float))
    decided = None
    item = fill_range(pts, 0.0, 1.0)
    mode = opts["ecog_from_kps"]
    if mode is not None:
        conv = DEFAULT_PS_CONVENTION if mode == "usual" else mode
        kps = inp.num("kps")
        use = np.isnan(ecog) & ~np.isnan(kps)
        e_lo, e_hi = kps_to_ecog_range(np.where(use, kps, np.nan), conv)
        use &= ~np.isnan(e_lo)
        item.lo = np.where(use, (e_lo >= 3).astype(float), item.lo)
        item.hi = np.where(use, (e_hi >= 3).astype(float), item.hi)
        if detail:
            decided = np.empty(inp.n, dtype=object)
            decided[use] = f"ecog_from_kps={mode!r}: ECOG from KPS ({conv})"
    item.decided = decided
    return item


def items(inp: Inputs, opts: dict, detail: bool) -> dict[str, Item]:
    multiple = skeletal_multiple(inp, opts["solitary_rule"])
    return {
        "primary_lesion": _primary(inp, opts, detail),
        "visceral": _visceral(inp, opts, detail),
        "laboratory": _laboratory(inp, opts, detail),
        "ecog": _ecog(inp, opts, detail),
        "previous_chemotherapy": fill_range(inp.flag("prior_chemotherapy"), 0.0, 1.0),
        "multiple_skeletal": fill_range(multiple, 0.0, 1.0),
    }


def columns(opts: dict) -> dict[str, tuple[str, ...]]:
    lung = (("targeted_therapy",) if opts["lung_targeted"] == "targeted_therapy"
            else ("egfr", "alk", "ros1"))
    bone = (("vertebral_mets", "extraspinal_bone_mets") if opts["solitary_rule"] == "single_lesion"
            else ("extraspinal_bone_mets",))
    return {
        "primary_lesion": ("primary_site",) + lung + ("er", "pr", "castration"),
        "visceral": ("visceral_pattern", "visceral_mets", "brain_mets"),
        "laboratory": tuple(c for c, _, _ in ABNORMAL + CRITICAL),
        "ecog": ("ecog", "kps") if opts["ecog_from_kps"] else ("ecog",),
        "previous_chemotherapy": ("prior_chemotherapy",),
        "multiple_skeletal": bone,
    }


_SRC = "Katagiri et al., Cancer Med 2014"
SCORE = ScoreDef(
    name="katagiri_new",
    higher_is_worse=True,
    title="New Katagiri score (2014)",
    citation=CITATION,
    components=COMPONENTS,
    groups=GROUPS,
    options=OPTIONS,
    items=items,
    columns=columns,
    categories=CATEGORIES,
    group_survival=(
        ("low risk", 6.0, 0.98, "S(t)", _SRC, "[M]"),
        ("low risk", 12.0, 0.91, "S(t)", _SRC, "[V1]"),
        ("low risk", 24.0, 0.78, "S(t)", _SRC, "[V1]"),
        ("intermediate risk", 6.0, 0.74, "S(t)", _SRC, "[M]"),
        ("intermediate risk", 12.0, 0.49, "S(t)", _SRC, "[M]"),
        ("intermediate risk", 24.0, 0.28, "S(t)", _SRC, "[M]"),
        ("high risk", 6.0, 0.27, "S(t)", _SRC, "[V1]"),
        ("high risk", 12.0, 0.06, "S(t)", _SRC, "[V1]"),
        ("high risk", 24.0, 0.02, "S(t)", _SRC, "[M]"),
    ),
    group_survival_note=("[V1] figures are from the paper's abstract; [M] figures are background "
                         "knowledge not verified against the paper."),
)
