"""van der Linden score (2005): 3 items, 0-6 points, groups A/B/C.

van der Linden YM, Dijkstra SP, Vonk EJ, Marijnen CA, Leer JW; Dutch Bone Metastasis Study Group.
Prediction of survival in patients with metastases in the spinal column: results based on a
randomized trial of radiotherapy. Cancer 2005;103(2):320-328. Derived in 342 patients of the Dutch
Bone Metastasis Study.

Point table and 2-year survival [V2]: medicalalgorithms.com. Group medians 3.0 / 9.0 / 18.7 months
[V1]: the abstract (the secondary source's 19 months for group C was read off Figure 2). KPS 10
(not in the table) scores 0. Visceral metastases read from ``visceral_mets`` (fallback ``visceral_pattern``); brain
metastases counted only with ``brain_as_visceral=True``. Option ``kps_from_ecog`` as for
Tokuhashi (default None).
"""
from __future__ import annotations

from ..cohort.schema import PRIMARY_SITES
from ._base import Inputs, Item, ScoreDef, fill_range, lookup_item
from ._items import BRAIN_AS_VISCERAL, KPS_FROM_ECOG, kps_item, visceral_columns, visceral_present

CITATION = ("van der Linden YM, Dijkstra SP, Vonk EJ, et al. Cancer 2005;103(2):320-328 "
            "(table via medicalalgorithms.com [V2])")

#: primary tumour: breast 3, prostate 2, lung 1, other 0
PRIMARY_POINTS = {s: {"breast": 3, "prostate": 2, "lung": 1}.get(s, 0) for s in PRIMARY_SITES}

OPTIONS = {"kps_from_ecog": KPS_FROM_ECOG, "brain_as_visceral": BRAIN_AS_VISCERAL}

COMPONENTS = {"kps": "Karnofsky performance status", "primary_tumor": "Primary tumour",
              "visceral": "Visceral metastases"}
CATEGORIES = {
    "kps": {0: "KPS 20-40 (10 included)", 1: "KPS 50-70", 2: "KPS 80-100"},
    "primary_tumor": {0: "other", 1: "lung", 2: "prostate", 3: "breast"},
    "visceral": {0: "present", 1: "absent"},
}
GROUPS = (("A", 0, 3), ("B", 4, 5), ("C", 6, 6))


def items(inp: Inputs, opts: dict, detail: bool) -> dict[str, Item]:
    return {
        "kps": kps_item(inp, opts, detail),
        "primary_tumor": lookup_item(inp.cat("primary_site"), PRIMARY_SITES, PRIMARY_POINTS, 0.0, 3.0),
        "visceral": fill_range(1.0 - visceral_present(inp, opts), 0.0, 1.0),
    }


def columns(opts: dict) -> dict[str, tuple[str, ...]]:
    return {"kps": ("kps", "ecog") if opts["kps_from_ecog"] is not None else ("kps",),
            "primary_tumor": ("primary_site",), "visceral": visceral_columns(opts)}


_SRC = "van der Linden et al., Cancer 2005, Fig. 2 (via medicalalgorithms.com)"
_SRC_ABSTRACT = "van der Linden et al., Cancer 2005;103:320-8, abstract"
SCORE = ScoreDef(
    name="van_der_linden",
    title="van der Linden score (2005)",
    citation=CITATION,
    components=COMPONENTS,
    groups=GROUPS,
    options=OPTIONS,
    items=items,
    columns=columns,
    categories=CATEGORIES,
    group_survival=(
        ("A", 3.0, 0.5, "median", _SRC_ABSTRACT, "[V1]"),
        ("A", 24.0, 0.04, "S(t)", _SRC, "[V2]"),
        ("B", 9.0, 0.5, "median", _SRC_ABSTRACT, "[V1]"),
        ("B", 24.0, 0.22, "S(t)", _SRC, "[V2]"),
        ("C", 18.7, 0.5, "median", _SRC_ABSTRACT, "[V1]"),
        ("C", 24.0, 0.37, "S(t)", _SRC, "[V2]"),
    ),
    group_survival_note=("Medians from the abstract (3.0 / 9.0 / 18.7 months); 2-year survival read "
                         "off Figure 2 by a secondary source (approximate); rows with statistic "
                         "'median' mean S(time_months) = 0.5."),
)
