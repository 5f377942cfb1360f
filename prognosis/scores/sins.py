"""Spinal Instability Neoplastic Score (SINS): 6 items, 0-18 points, three stability groups.

Fisher CG, DiPaola CP, Ryken TC, et al. A novel classification system for spinal instability in
neoplastic disease: an evidence-based approach and expert consensus from the Spine Oncology
Study Group. Spine 2010;35(22):E1221-E1229. Table cross-read on Radiopaedia,
oxfordmedicaleducation.com and cancercalc.com (clinical-facts §7.2) [V2]:

* location: junctional (occiput-C2, C7-T2, T11-L1, L5-S1) 3; mobile (C3-C6, L2-L4) 2;
  semi-rigid (T3-T10) 1; rigid (S2-S5) 0 -- derived from ``spine_level`` (e.g. "T12"), or read
  from ``sins_location`` when the level is missing (a recorded level wins over the category);
* pain: mechanical 3; occasional, not mechanical 1; pain-free 0 (one secondary page gives 3/2/1;
  the original and the three others give 3/1/0);
* bone lesion: lytic 2; mixed 1; blastic 0;
* radiographic alignment: subluxation/translation 4; de novo deformity 2; normal 0;
* vertebral body collapse: > 50% 3; < 50% 2; no collapse with > 50% of the body involved 1;
  none of these 0;
* posterolateral involvement: bilateral 3; unilateral 1; none 0.

Groups 0-6 stable, 7-12 indeterminate (possibly impending instability), 13-18 unstable; 7-18
warrants surgical consultation. SINS is **mechanical, not prognostic** (c 0.54 for 1-year
survival, Schoenfeld et al., Spine J 2022 [V1]): it has no survival per group and belongs to the
"M" of the NOMS framework (:mod:`prognosis.noms`).
"""
from __future__ import annotations

import numpy as np

from ..cohort.schema import COLUMN_BY_NAME, SPINE_LEVELS
from ._base import Inputs, Item, ScoreDef, lookup_item

CITATION = ("Fisher CG, DiPaola CP, Ryken TC, et al. Spine 2010;35(22):E1221-E1229 "
            "(table cross-read on three secondary sources, clinical-facts §7.2 [V2])")

LOCATIONS = COLUMN_BY_NAME["sins_location"].categories  # junctional, mobile, semi_rigid, rigid
LOCATION_POINTS = {"junctional": 3, "mobile": 2, "semi_rigid": 1, "rigid": 0}
_JUNCTIONAL = {"C1", "C2", "C7", "T1", "T2", "T11", "T12", "L1", "L5", "S1"}
_MOBILE = {"C3", "C4", "C5", "C6", "L2", "L3", "L4"}
_SEMI_RIGID = {f"T{i}" for i in range(3, 11)}
_RIGID = {"S2", "S3", "S4", "S5"}


def level_location(level: str) -> str:
    """SINS location class of a vertebral level ("T12" -> "junctional")."""
    for cls, members in (("junctional", _JUNCTIONAL), ("mobile", _MOBILE),
                         ("semi_rigid", _SEMI_RIGID), ("rigid", _RIGID)):
        if level in members:
            return cls
    raise KeyError(level)


#: location class of every level of the schema (each level in exactly one class)
LEVEL_LOCATION = {lv: level_location(lv) for lv in SPINE_LEVELS}

PAIN_POINTS = {"mechanical": 3, "occasional": 1, "none": 0}
LESION_POINTS = {"lytic": 2, "mixed": 1, "blastic": 0}
ALIGNMENT_POINTS = {"subluxation": 4, "deformity": 2, "normal": 0}
COLLAPSE_POINTS = {"over_50": 3, "under_50": 2, "involved_over_50": 1, "none": 0}
POSTEROLATERAL_POINTS = {"bilateral": 3, "unilateral": 1, "none": 0}

COMPONENTS = {
    "location": "Location (from spine_level, else sins_location)",
    "pain": "Pain",
    "lesion": "Bone lesion",
    "alignment": "Radiographic spinal alignment",
    "collapse": "Vertebral body collapse",
    "posterolateral": "Posterolateral involvement of spinal elements",
}
CATEGORIES = {
    "location": {3: "junctional (occiput-C2, C7-T2, T11-L1, L5-S1)", 2: "mobile (C3-C6, L2-L4)",
                 1: "semi-rigid (T3-T10)", 0: "rigid (S2-S5)"},
    "pain": {3: "mechanical", 1: "occasional, not mechanical", 0: "pain-free lesion"},
    "lesion": {2: "lytic", 1: "mixed lytic/blastic", 0: "blastic"},
    "alignment": {4: "subluxation / translation", 2: "de novo deformity (kyphosis / scoliosis)",
                  0: "normal"},
    "collapse": {3: "> 50% collapse", 2: "< 50% collapse", 1: "no collapse, > 50% of body involved",
                 0: "none of the above"},
    "posterolateral": {3: "bilateral", 1: "unilateral", 0: "none"},
}
GROUPS = (("stable", 0, 6), ("indeterminate", 7, 12), ("unstable", 13, 18))


def location_codes(inp: Inputs) -> tuple[np.ndarray, np.ndarray]:
    """Location class code per patient (index into ``LOCATIONS``; -1 missing) and a boolean
    array saying where it was derived from ``spine_level``. Invalid levels are recorded."""
    s = inp._series("spine_level")
    from_level = np.zeros(inp.n, dtype=bool)
    codes = np.full(inp.n, -1, dtype=np.int64)
    if s is not None:
        norm = s.astype("object").map(lambda v: str(v).strip().upper(), na_action="ignore")
        cls = norm.map(LEVEL_LOCATION, na_action="ignore")
        bad = (cls.isna() & s.notna()).to_numpy()
        inp._record("spine_level", bad, s, f"expected a level {SPINE_LEVELS[0]}..{SPINE_LEVELS[-1]} "
                                           "(C1-C7, T1-T12, L1-L5, S1-S5)")
        ok = cls.notna().to_numpy()
        codes[ok] = [LOCATIONS.index(c) for c in cls[ok]]
        from_level = ok
    recorded = inp.cat("sins_location").astype(np.int64)
    fill = (codes < 0) & (recorded >= 0)
    codes[fill] = recorded[fill]
    return codes, from_level


def items(inp: Inputs, opts: dict, detail: bool) -> dict[str, Item]:
    codes, from_level = location_codes(inp)
    loc = lookup_item(codes, LOCATIONS, LOCATION_POINTS, 0.0, 3.0)
    if detail:
        loc.decided = np.empty(inp.n, dtype=object)
        loc.decided[from_level] = "derived from spine_level (wins over sins_location)"
        loc.decided[(codes >= 0) & ~from_level] = "sins_location (spine_level missing)"

    def cat(col, table):
        vocab = COLUMN_BY_NAME[col].categories
        return lookup_item(inp.cat(col), vocab, table, float(min(table.values())), float(max(table.values())))

    return {
        "location": loc,
        "pain": cat("sins_pain", PAIN_POINTS),
        "lesion": cat("sins_lesion", LESION_POINTS),
        "alignment": cat("sins_alignment", ALIGNMENT_POINTS),
        "collapse": cat("sins_collapse", COLLAPSE_POINTS),
        "posterolateral": cat("sins_posterolateral", POSTEROLATERAL_POINTS),
    }


def columns(opts: dict) -> dict[str, tuple[str, ...]]:
    return {"location": ("spine_level", "sins_location"), "pain": ("sins_pain",),
            "lesion": ("sins_lesion",), "alignment": ("sins_alignment",),
            "collapse": ("sins_collapse",), "posterolateral": ("sins_posterolateral",)}


SCORE = ScoreDef(
    name="sins",
    title="Spinal Instability Neoplastic Score (SINS, 2010)",
    citation=CITATION,
    components=COMPONENTS,
    groups=GROUPS,
    options={},
    items=items,
    columns=columns,
    categories=CATEGORIES,
    group_survival=(),
    group_survival_note=("SINS grades mechanical stability, not survival (c 0.54 for 1-year survival, "
                         "Schoenfeld et al., Spine J 2022); no S(t) is given."),
    notes="7-18 points warrant surgical consultation (Fisher 2010).",
    kind="mechanical",
)
