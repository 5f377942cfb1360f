"""The canonical cohort schema (v1) as data.

One row per patient. Mirrors ``shared/spec/cohort-schema.md``; the column names, units and
vocabularies here are the public contract every reader produces and every score, model and report
consumes. ``SCHEMA_VERSION`` is stored in ``Cohort.metadata``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

#: Calendar-average month used for every unit conversion (schema: days / 30.4375), defined once in
#: :mod:`prognosis.clinical`.
from ..clinical import DAYS_PER_MONTH  # noqa: F401  (re-exported for the cohort layer)

SCHEMA_VERSION = "1"


PRIMARY_SITES = (
    "lung", "breast", "prostate", "kidney", "thyroid", "colon", "rectum", "stomach", "esophagus",
    "pancreas", "liver", "gallbladder", "bladder", "uterus", "cervix", "ovary", "head_neck",
    "melanoma", "myeloma", "lymphoma", "sarcoma", "osteosarcoma", "carcinoid", "testis",
    "unknown", "other",
)


#: Vertebral levels of the index lesion (no occiput, L6 or T13 variants).
SPINE_LEVELS = (tuple(f"C{i}" for i in range(1, 8)) + tuple(f"T{i}" for i in range(1, 13))
                + tuple(f"L{i}" for i in range(1, 6)) + tuple(f"S{i}" for i in range(1, 6)))
#: Treatment received (descriptor): surgery (with or without radiotherapy), conventional external
#: beam radiotherapy, stereotactic body radiotherapy / radiosurgery, systemic therapy only, best
#: supportive care.
TREATMENTS = ("surgery", "surgery_radiotherapy", "cebrt", "sbrt", "systemic", "supportive")


@dataclass(frozen=True)
class Column:
    """One canonical column: name, kind, allowed values or range, and whether it is required."""

    name: str
    kind: str  # "string", "float", "int", "category", "bool"
    required: bool = False
    categories: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    min_inclusive: bool = True
    group: str = "clinical"  # outcome, clinical, laboratory, molecular, extra
    description: str = ""
    unit: str | None = None
    extra: dict = field(default_factory=dict)


def _c(*a, **k) -> Column:
    return Column(*a, **k)


COLUMNS: tuple[Column, ...] = (
    # --- outcome -------------------------------------------------------------------------
    _c("patient_id", "string", required=True, group="outcome",
       description="identifier, unique within a cohort; never printed"),
    _c("cohort", "string", required=True, group="outcome", description="source institution / study"),
    _c("time_months", "float", required=True, min=0.0, min_inclusive=False, group="outcome",
       unit="months", description="follow-up from time origin to death or last contact"),
    _c("event", "int", required=True, categories=None, min=0, max=1, group="outcome",
       description="1 = died (any cause)"),
    _c("entry_months", "float", min=0.0, group="outcome", unit="months", description="delayed entry (left truncation)"),
    # --- clinical ------------------------------------------------------------------------
    _c("age_years", "float", min=0, max=120, unit="years"),
    _c("sex", "category", categories=("female", "male")),
    _c("primary_site", "category", categories=PRIMARY_SITES),
    _c("primary_histology", "string", description="free text, normalized lower-case"),
    _c("kps", "int", min=0, max=100, description="Karnofsky performance status"),
    _c("ecog", "int", min=0, max=4, description="ECOG performance status"),
    _c("extraspinal_bone_mets", "int", min=0, description="count of extraspinal bone metastasis foci"),
    _c("vertebral_mets", "int", min=1, description="number of vertebral bodies involved"),
    _c("visceral_mets", "category", categories=("none", "removable", "unremovable")),
    _c("visceral_pattern", "category", categories=("none", "nodular", "disseminated")),
    _c("brain_mets", "bool"),
    _c("frankel", "category", categories=("A", "B", "C", "D", "E")),
    _c("ambulatory", "bool"),
    _c("pathological_fracture", "bool"),
    _c("prior_chemotherapy", "bool"),
    _c("targeted_therapy", "bool"),
    # --- laboratory ----------------------------------------------------------------------
    _c("albumin_g_dl", "float", min=0, max=10, group="laboratory", unit="g/dL"),
    _c("crp_mg_dl", "float", min=0, max=100, group="laboratory", unit="mg/dL"),
    _c("ldh_u_l", "float", min=0, max=20000, group="laboratory", unit="U/L"),
    _c("platelets_10e9_l", "float", min=0, max=3000, group="laboratory", unit="10^9/L"),
    _c("calcium_mg_dl", "float", min=0, max=25, group="laboratory", unit="mg/dL"),
    _c("bilirubin_mg_dl", "float", min=0, max=50, group="laboratory", unit="mg/dL"),
    _c("hemoglobin_g_dl", "float", min=0, max=25, group="laboratory", unit="g/dL"),
    # --- molecular ("unknown" is a value, distinct from negative) ------------------------
    _c("egfr", "category", categories=("mutant", "wildtype", "unknown"), group="molecular"),
    _c("alk", "category", categories=("rearranged", "negative", "unknown"), group="molecular"),
    _c("ros1", "category", categories=("rearranged", "negative", "unknown"), group="molecular"),
    _c("kras", "category", categories=("mutant", "wildtype", "unknown"), group="molecular"),
    _c("braf", "category", categories=("v600", "wildtype", "unknown"), group="molecular"),
    _c("er", "category", categories=("positive", "negative", "unknown"), group="molecular"),
    _c("pr", "category", categories=("positive", "negative", "unknown"), group="molecular"),
    _c("her2", "category", categories=("positive", "negative", "unknown"), group="molecular"),
    _c("castration", "category", categories=("sensitive", "resistant", "unknown"), group="molecular"),
    # --- spine: mechanical (SINS, Fisher et al. Spine 2010) and neurological (ESCC, Bilsky et al.
    # J Neurosurg Spine 2010) status of the index lesion; values fixed in the scores/NOMS issue --
    _c("spine_level", "category", categories=SPINE_LEVELS, group="spine",
       description="index vertebra (C1-C7, T1-T12, L1-L5, S1-S5); SINS location is derived from it"),
    _c("sins_location", "category", categories=("junctional", "mobile", "semi_rigid", "rigid"), group="spine",
       description="SINS location (used when spine_level is missing)"),
    _c("sins_pain", "category", categories=("mechanical", "occasional", "none"), group="spine"),
    _c("sins_lesion", "category", categories=("lytic", "mixed", "blastic"), group="spine"),
    _c("sins_alignment", "category", categories=("subluxation", "deformity", "normal"), group="spine"),
    _c("sins_collapse", "category", categories=("over_50", "under_50", "involved_over_50", "none"), group="spine"),
    _c("sins_posterolateral", "category", categories=("bilateral", "unilateral", "none"), group="spine"),
    _c("escc_grade", "category", categories=("0", "1a", "1b", "1c", "2", "3"), group="spine",
       description="epidural spinal cord compression grade (Bilsky 2010), axial T2 MRI"),
    _c("myelopathy", "bool", group="spine", description="clinical myelopathy / functional radiculopathy"),
    _c("radiosensitivity", "category", categories=("sensitive", "resistant"), group="spine",
       description="overrides the histology table of prognosis.noms.radiosensitivity"),
    # --- treatment received: a descriptor for stratified reporting, never a plain predictor
    # (treatment drop-in; Sperrin M et al., Am J Epidemiol 2021) --------------------------
    _c("treatment_received", "category", categories=TREATMENTS, group="treatment",
       description="treatment received after time zero (descriptor only; not a model input)"),
    # --- MSCC history (Rades scores) ------------------------------------------------------
    _c("months_since_primary", "float", min=0, unit="months",
       description="interval from diagnosis of the primary tumour to the spinal metastasis / MSCC"),
    _c("motor_deficit_days", "float", min=0, unit="days",
       description="time over which motor deficits developed before treatment (MSCC)"),
)

COLUMN_BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS}
CANONICAL_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS)
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.required)
MOLECULAR_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.group == "molecular")
LAB_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.group == "laboratory")

#: Extra columns the harmonizer may add (after the canonical ones), documented here because the
#: schema allows additions: boolean flags set when a mapping asks for a derivation, so that scores
#: can tell a recorded KPS from one converted from ECOG (clinical-facts: "store both; never infer
#: KPS 80 from ECOG 1 without flagging").
EXTRA_COLUMNS: dict[str, str] = {
    "kps_derived": "boolean; True where kps was derived from ecog (mapping derive.kps_from_ecog)",
    "ecog_derived": "boolean; True where ecog was derived from kps (mapping derive.ecog_from_kps)",
}

#: pandas dtypes of the canonical frame (nullable types so NA is explicit).
PANDAS_DTYPES: dict[str, object] = {}
for _col in COLUMNS:
    if _col.kind == "string":
        PANDAS_DTYPES[_col.name] = "string"
    elif _col.kind == "float":
        PANDAS_DTYPES[_col.name] = "Float64"
    elif _col.kind == "int":
        PANDAS_DTYPES[_col.name] = "Int64"
    elif _col.kind == "bool":
        PANDAS_DTYPES[_col.name] = "boolean"
    else:
        PANDAS_DTYPES[_col.name] = "category"
PANDAS_DTYPES["time_months"] = "float64"
PANDAS_DTYPES["event"] = "int64"


def empty_frame():
    """An empty canonical frame with every column at its dtype."""
    import pandas as pd

    return conform_dtypes(pd.DataFrame({c: [] for c in CANONICAL_COLUMNS}))


def conform_dtypes(frame):
    """Return ``frame`` with every canonical column present (NA where absent) at its schema dtype.

    Values are not validated here (see :func:`prognosis.cohort.validate.validate_frame`); extra
    columns are kept after the canonical ones.
    """
    import pandas as pd

    out = pd.DataFrame(index=frame.index)
    for col in COLUMNS:
        s = frame[col.name] if col.name in frame.columns else pd.Series(pd.NA, index=frame.index)
        dt = PANDAS_DTYPES[col.name]
        conformed = isinstance(s.dtype, pd.CategoricalDtype) and list(s.cat.categories) == list(col.categories)
        if dt == "category" and conformed:
            out[col.name] = s  # already conformed (fast path)
        elif dt == "category":
            s = pd.Categorical(s.astype("object").where(s.notna(), None), categories=list(col.categories))
            out[col.name] = s
        elif dt in ("float64", "int64") and s.isna().any():
            # outcome column absent or incomplete (e.g. new patients to score): keep NA explicit
            # with the nullable twin of the dtype instead of failing on NA -> float64/int64.
            out[col.name] = s.astype("Float64" if dt == "float64" else "Int64")
        else:
            out[col.name] = s.astype(dt)
    extras = [c for c in frame.columns if c not in COLUMN_BY_NAME]
    for c in extras:
        out[c] = frame[c]
    return out
