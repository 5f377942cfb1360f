"""MSK-MET harmonized to the canonical cohort, every change and rejection in the audit.

Rows of ``MSK_clinical_data.tsv.gz`` (one sequenced sample per patient) become canonical rows:
outcome (with the zero-time rule), ages and time origin, sex, primary site and histology from
the OncoTree code, breast receptors from the subtype, the clinical extras and the molecular
status (:mod:`.molecular`). The audit goes through the same :class:`~prognosis.cohort.audit.AuditLog`
contract as the harmonizer (:mod:`prognosis.datasets._audit`) and the cohort through the validated
:class:`~prognosis.cohort.Cohort` constructor.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ...cohort import Cohort
from ...cohort.schema import DAYS_PER_MONTH
from ...errors import InputError
from .._audit import audit_records as _audit
from .._audit import build_audit, validated_cohort
from .files import file_checksums, locate, read_study
from .molecular import EGFR_DEFINITIONS, FUSION_DEFINITIONS, genotype_columns

__all__ = ["load_msk_met", "ONCOTREE_TO_SITE", "BONE_RELEVANT_SITES", "COHORT_LABEL", "ORIGINS", "ZERO_TIME",
           "SUBSETS", "HR_POSITIVE_ER", "ZERO_TIME_MONTHS"]

COHORT_LABEL = "msk_met_2021"
#: Primary sites the issue calls "bone-relevant" (the classic high-incidence sources of bone and
#: spinal metastasis, e.g. Tokuhashi Y et al., Spine 2005;30:2186 primary-site item).
BONE_RELEVANT_SITES = ("lung", "breast", "prostate", "kidney", "thyroid", "melanoma")

# ---------------------------------------------------------------------------------------------
# OncoTree code -> (primary_site, primary_histology). OncoTree: Kundra R et al., JCO Clin Cancer
# Inform 2021;5:221-230 (oncotree.mskcc.org). Site follows the organ of origin; well-differentiated
# neuroendocrine tumours map to "carcinoid" (the schema's histology-based category, as sarcoma
# and melanoma are). Codes not listed map to "other" with an audit record.
# ---------------------------------------------------------------------------------------------
ONCOTREE_TO_SITE: dict[str, tuple[str, str | None]] = {
    # lung
    "LUAD": ("lung", "adenocarcinoma"), "LUSC": ("lung", "squamous_cell_carcinoma"),
    "NSCLC": ("lung", "nsclc"), "SCLC": ("lung", "sclc"), "CSCLC": ("lung", "sclc"),
    "LUNE": ("carcinoid", "lung_neuroendocrine_tumor"), "LNET": ("carcinoid", "lung_neuroendocrine_tumor"),
    # breast (histology refined from SUBTYPE_ABBREVIATION below)
    "BRCA": ("breast", None), "IDC": ("breast", "ductal"), "ILC": ("breast", "lobular"),
    "PRAD": ("prostate", "adenocarcinoma"),
    "CCRCC": ("kidney", "clear_cell"), "PRCC": ("kidney", "papillary"), "RCC": ("kidney", None),
    "CHRCC": ("kidney", "chromophobe"),
    # thyroid (histology refined from subtype THPA / THPD)
    "THCA": ("thyroid", None), "THPA": ("thyroid", "papillary"), "THPD": ("thyroid", "poorly_differentiated"),
    "THAP": ("thyroid", "anaplastic"), "THFO": ("thyroid", "follicular"), "THME": ("thyroid", "medullary"),
    # melanoma (histology refined from subtype SKCM / MUCM / UM)
    "MEL": ("melanoma", None), "SKCM": ("melanoma", "cutaneous"), "URMM": ("melanoma", "mucosal"),
    # CRC: colon vs rectum decided from PRIMARY_SITE below
    "CRC": ("colon", "adenocarcinoma"), "COAD": ("colon", "adenocarcinoma"), "READ": ("rectum", "adenocarcinoma"),
    "PAAD": ("pancreas", "adenocarcinoma"),
    "PANET": ("carcinoid", "pancreatic_neuroendocrine_tumor"),
    "STAD": ("stomach", "adenocarcinoma"), "ESCA": ("esophagus", "adenocarcinoma"),
    "HCC": ("liver", "hepatocellular"),
    "CHOL": ("other", "cholangiocarcinoma"),  # gallbladder refined from PRIMARY_SITE below
    "BLCA": ("bladder", "urothelial"),  # upper-tract urothelial refined below -> other
    "UCEC": ("uterus", "endometrial"), "UCS": ("uterus", "carcinosarcoma"),
    "CESC": ("cervix", "squamous_cell_carcinoma"),
    "OV": ("ovary", "serous"), "CCOV": ("ovary", "clear_cell"), "LGSOC": ("ovary", "low_grade_serous"),
    "CCBOV": ("ovary", "clear_cell_borderline"),
    "HNSC": ("head_neck", "squamous_cell_carcinoma"), "OCSC": ("head_neck", "squamous_cell_carcinoma"),
    "OPHSC": ("head_neck", "squamous_cell_carcinoma"), "LXSC": ("head_neck", "squamous_cell_carcinoma"),
    "HPHSC": ("head_neck", "squamous_cell_carcinoma"), "SNSC": ("head_neck", "squamous_cell_carcinoma"),
    "HNSCUP": ("head_neck", "squamous_cell_carcinoma_unknown_primary"),
    "ACYC": ("head_neck", "adenoid_cystic_carcinoma"),
    # sarcomas (GIST is a mesenchymal sarcoma)
    "GIST": ("sarcoma", "gist"), "DDLS": ("sarcoma", "liposarcoma"), "WDLS": ("sarcoma", "liposarcoma"),
    "LIPO": ("sarcoma", "liposarcoma"), "ULMS": ("sarcoma", "leiomyosarcoma"), "LMS": ("sarcoma", "leiomyosarcoma"),
    "MFH": ("sarcoma", "undifferentiated_pleomorphic"), "MFS": ("sarcoma", "myxofibrosarcoma"),
    # germ-cell tumours of the testis
    "MGCT": ("testis", "germ_cell"), "SEM": ("testis", "seminoma"), "BMGCT": ("testis", "germ_cell"),
    "EMBCA": ("testis", "embryonal_carcinoma"), "TYST": ("testis", "yolk_sac"), "GCTSTM": ("testis", "teratoma"),
    "TT": ("testis", "teratoma"), "BEC": ("testis", "germ_cell"), "BCCA": ("testis", "choriocarcinoma"),
    "BYST": ("testis", "yolk_sac"), "VMGCT": ("testis", "germ_cell"), "VOEC": ("testis", "germ_cell"),
    "TCCA": ("testis", "choriocarcinoma"),
    # well-differentiated neuroendocrine tumours
    "SBWDNET": ("carcinoid", "small_bowel_net"), "RWDNET": ("carcinoid", "rectal_net"),
    "SWDNET": ("carcinoid", "gastric_net"), "AWDNET": ("carcinoid", "appendiceal_net"),
    "GINET": ("carcinoid", "gi_net"),
    # other carcinomas / tumours without their own schema category
    "HGNEC": ("other", "high_grade_neuroendocrine_carcinoma"),
    "PLEMESO": ("other", "mesothelioma"), "PLMESO": ("other", "mesothelioma"),
    "PLBMESO": ("other", "mesothelioma"), "PLSMESO": ("other", "mesothelioma"),
    "CSCC": ("other", "cutaneous_squamous_cell_carcinoma"), "ANSC": ("other", "anal_squamous_cell_carcinoma"),
    "MAAP": ("other", "appendiceal_adenocarcinoma"), "APAD": ("other", "appendiceal_adenocarcinoma"),
    "SBC": ("other", "small_bowel_adenocarcinoma"), "DA": ("other", "duodenal_adenocarcinoma"),
    "SIC": ("other", "small_bowel_adenocarcinoma"),
}
_SUBTYPE_HISTOLOGY = {"SKCM": "cutaneous", "MUCM": "mucosal", "UM": "uveal",
                      "THPA": "papillary", "THPD": "poorly_differentiated"}

ORIGINS = ("sequencing", "metastasis")
ZERO_TIME = ("midpoint", "drop")
SUBSETS = (None, "bone_biopsied", "bone_relevant")
HR_POSITIVE_ER = ("unknown", "positive")
#: OS_MONTHS is published to 2 decimals, so 0.00 means follow-up in [0, 0.005) months; the
#: midpoint 0.0025 months (about 2 hours) keeps these patients in the risk set at the first
#: instant without inventing a longer survival.
ZERO_TIME_MONTHS = 0.0025
#: Not recorded in MSK-MET, so NA in the cohort (listed in its metadata).
NOT_RECORDED = ["kps", "ecog", "frankel", "vertebral_mets", "extraspinal_bone_mets", "visceral_mets",
                "visceral_pattern", "brain_mets", "laboratory values", "treatments",
                "spinal level / spine-specific site"]


def load_msk_met(path, *, subset: str | None = None, origin: str = "sequencing",
                 zero_time: str = "midpoint", egfr_definition: str = "classic",
                 fusion_definition: str = "partner", hr_positive_er: str = "unknown") -> Cohort:
    """Load the MSK-MET cBioPortal study folder as a canonical cohort.

    Parameters
    ----------
    path : str or Path
        Folder holding ``MSK_clinical_data.tsv.gz``, ``MSK_genomic_data.tsv.gz``,
        ``data_fusions.txt`` and ``data_clinical_patient.txt``.
    subset : {None, "bone_biopsied", "bone_relevant"}
        ``"bone_biopsied"``: patients whose sequenced specimen is a bone metastasis
        (``METASTATIC_SITE == "Bone"``, 715 patients) -- the closest the data come to a bone
        metastasis cohort. ``"bone_relevant"``: primary site in :data:`BONE_RELEVANT_SITES`.
        Excluded patients get an audit record.
    origin : {"sequencing", "metastasis"}
        ``"sequencing"`` (default): time zero is the sequenced biopsy, as published;
        ``entry_months`` stays NA. ``"metastasis"``: time zero is the first evidence of
        metastasis; ``entry_months = 12 x (AGE_AT_SEQUENCING - AGE_AT_EVIDENCE_OF_METS)``
        (ages in years to 2 decimals, so entry is precise to about 0.1 month) and
        ``time_months = entry_months + OS_MONTHS``. Patients without an age at metastasis, or
        sequenced before their first evidence of metastasis, are excluded with an audit record.
    zero_time : {"midpoint", "drop"}
        OS_MONTHS of 0.00 (1,091 patients, 70 deaths) violate the schema's time > 0.
        ``"midpoint"`` (default) sets them to 0.0025 months, the midpoint of the rounding
        interval [0, 0.005); ``"drop"`` excludes them. Either way the audit records it.
    egfr_definition : {"classic", "extended"}
        Which EGFR mutations count as sensitising (``egfr == "mutant"``); see
        :func:`call_hotspots`. Other EGFR mutations give ``egfr == "wildtype"`` (not
        sensitising) and ``egfr_other_mutation == True``.
    fusion_definition : {"partner", "any"}
        See :func:`call_fusions`.
    hr_positive_er : {"unknown", "positive"}
        The breast subtype only says HR+ (ER and/or PR positive). ``"unknown"`` (default) keeps
        ``er``/``pr`` unknown for HR+ tumours and records ``hr_status``; ``"positive"`` sets
        ``er="positive"`` (most HR+ tumours are ER+), leaving ``pr`` unknown.

    Returns
    -------
    Cohort
        ``audit.row`` is the 0-based row position in ``MSK_clinical_data.tsv.gz`` (patient ids
        are never written to messages). Canonical columns plus extras: ``oncotree_code``,
        ``subtype``, ``sample_type``, ``metastatic_site``, ``met_site_count``, ``met_count``, ``tmb``, ``fga``,
        ``gene_panel``, ``hr_status``, ``egfr_variant``, ``egfr_other_mutation``,
        ``kras_codon``, ``ret``, ``age_at_mets_years``.

    Notes
    -----
    Molecular status. Every patient was sequenced with MSK-IMPACT (IMPACT341/410/468; Cheng DT
    et al., J Mol Diagn 2015;17:251-64; Zehir A et al., Nat Med 2017;23:703-13); all three
    panels cover EGFR, KRAS, BRAF, ALK, ROS1 and RET (ALK/ROS1/RET with intron tiling for
    rearrangements). A patient with a panel but no call is therefore "wildtype"/"negative"; a
    patient absent from the mutation table is "unknown" for every gene (audit record).
    Genotypes are given for every primary site (they are observations); which genes matter for
    which site is for the model to decide. Breast: ``HR-`` means ER- and PR-; ``TN`` is ER-,
    PR-, HER2-. ``er``, ``pr``, ``her2`` are NA (not recorded) outside breast.

    Not recorded in MSK-MET, so NA: performance status (KPS/ECOG), neurological status
    (Frankel), spinal involvement (vertebral count), extraspinal-bone and visceral metastasis
    detail, laboratory values, treatments.

    Examples
    --------
    The MSK-MET data (CC BY-NC-ND 4.0) are never bundled; download the cBioPortal folder
    ``msk_met_2021`` yourself:

    >>> from prognosis.datasets import load_msk_met
    >>> bone = load_msk_met("path/to/msk_met_2021", subset="bone_biopsied")  # doctest: +SKIP
    >>> len(bone.frame)  # doctest: +SKIP
    715
    """
    root = locate(path)
    options = {"subset": subset, "origin": origin, "zero_time": zero_time, "egfr_definition": egfr_definition,
               "fusion_definition": fusion_definition, "hr_positive_er": hr_positive_er}
    _check_options(options)
    tables = read_study(root)
    b = _Build(tables.clinical)
    b.outcome(zero_time)
    time_origin = b.ages_and_origin(tables.patient, origin)
    b.sex()
    b.primary_site()
    b.breast_receptors(hr_positive_er)
    b.clinical_extras()
    b.molecular(tables.genomic, tables.fusions, egfr_definition, fusion_definition)
    b.subset(subset)
    metadata = {
        "cohort": COHORT_LABEL if subset is None else f"{COHORT_LABEL}:{subset}",
        "source": ("MSK-MET, Nguyen B et al., Cell 2022;185:563-575 (PMID 35120664); cBioPortal "
                   "study msk_met_2021; licence CC BY-NC-ND 4.0 (not redistributable)"),
        "licence": "CC-BY-NC-ND-4.0",
        "path": str(root),
        "sha256": file_checksums(root),
        "time_origin": time_origin,
        "origin": origin,
        "subset": subset,
        "options": {k: options[k] for k in ("zero_time", "egfr_definition", "fusion_definition", "hr_positive_er")},
        "n_input_rows": int(b.n),
        "not_recorded": list(NOT_RECORDED),
        "genome_build": "GRCh37",
        "days_per_month": DAYS_PER_MONTH,
    }
    return b.cohort(metadata)


_ALLOWED = {"subset": SUBSETS, "origin": ORIGINS, "zero_time": ZERO_TIME, "egfr_definition": EGFR_DEFINITIONS,
            "fusion_definition": FUSION_DEFINITIONS, "hr_positive_er": HR_POSITIVE_ER}


def _check_options(options: dict) -> None:
    for name, allowed in _ALLOWED.items():
        if options[name] not in allowed:
            raise InputError(f"load_msk_met: {name} must be one of {allowed}, got {options[name]!r}")


class _Build:
    """The canonical frame under construction: one row per clinical-table row, the rows kept so
    far, and the audit's cell records (row = 0-based position in the clinical table)."""

    def __init__(self, clin: pd.DataFrame):
        self.clin = clin
        self.n = len(clin)
        self.rows = np.arange(self.n)
        self.audits: list[pd.DataFrame] = []
        self.keep = pd.Series(True, index=clin.index)
        self.f = pd.DataFrame(index=clin.index)
        self.f["patient_id"] = clin["sample"].astype("string")
        self.f["cohort"] = COHORT_LABEL

    def record(self, mask, column, action, raw, value, reason) -> None:
        """Audit records for the rows of ``mask``; ``raw``/``value`` are scalars or full-length arrays."""
        m = np.asarray(mask, dtype=bool)
        if not m.any():
            return
        r = self.rows[m]
        self.audits.append(_audit(r, column, action, raw[r] if isinstance(raw, np.ndarray) else raw,
                                  value[r] if isinstance(value, np.ndarray) else value, reason))

    def cohort(self, metadata: dict) -> Cohort:
        audit = build_audit(self.n, self.audits)
        frame = self.f.loc[self.keep].reset_index(drop=True)
        return validated_cohort(frame, audit, metadata)

    # -- the steps, in the order of the canonical columns -------------------------------------------
    def outcome(self, zero_time: str) -> None:
        clin = self.clin
        t = pd.to_numeric(clin["OS_MONTHS"], errors="coerce")
        e = pd.to_numeric(clin["OS_STATUS"], errors="coerce")
        bad_t = t.isna() | (t < 0)
        bad_e = ~e.isin([0, 1])
        self.record(bad_t, "time_months", "rejected", clin["OS_MONTHS"].to_numpy(), None,
                    "OS_MONTHS missing or negative: no usable outcome")
        self.record(bad_e, "event", "rejected", clin["OS_STATUS"].to_numpy(), None, "OS_STATUS not 0/1")
        self.keep &= ~bad_t & ~bad_e
        zero = self.keep & (t == 0)
        if zero_time == "midpoint":
            t = t.where(~zero, ZERO_TIME_MONTHS)
            self.record(zero, "time_months", "changed", 0.0, ZERO_TIME_MONTHS,
                        "OS_MONTHS 0.00 (rounded to 2 decimals): set to the midpoint of [0, 0.005)")
        else:
            self.keep &= ~zero
            self.record(zero, "time_months", "rejected", 0.0, None,
                        "OS_MONTHS 0.00 violates time > 0 (zero_time='drop')")
        self.f["time_months"] = t.astype(float)
        self.f["event"] = e.fillna(0).astype("int64")

    def ages_and_origin(self, patient: pd.DataFrame, origin: str) -> str:
        """Ages; with ``origin="metastasis"`` delayed entry from the age at first metastasis.
        Returns the time origin's description."""
        clin = self.clin
        age_mets = pd.to_numeric(clin["sample"].map(patient.set_index("PATIENT_ID")["AGE_AT_EVIDENCE_OF_METS"]),
                                 errors="coerce")
        age_seq = pd.to_numeric(clin["AGE_AT_SEQUENCING"], errors="coerce")
        self.f["age_years"] = age_seq
        self.f["age_at_mets_years"] = age_mets.astype("Float64")
        self.record(age_seq.isna(), "age_years", "na", None, None, "AGE_AT_SEQUENCING missing")
        if origin != "metastasis":
            return ("date of the sequenced biopsy (MSK-IMPACT); NOT the diagnosis of bone or "
                    "spinal metastasis -- relative to metastasis diagnosis this is delayed entry")
        entry = 12.0 * (age_seq - age_mets)
        bad = self.keep & (entry.isna() | (entry < 0))
        self.record(bad, "entry_months", "rejected", entry.to_numpy(), None,
                    "origin='metastasis' needs AGE_AT_EVIDENCE_OF_METS <= AGE_AT_SEQUENCING")
        self.keep &= ~bad
        entry = entry.round(6)
        self.f["entry_months"] = entry
        self.f["time_months"] = (entry + self.f["time_months"]).astype(float)
        return ("first evidence of metastasis (AGE_AT_EVIDENCE_OF_METS); entry_months = "
                "12 x (age at sequencing - age at first metastasis): delayed entry / left truncation")

    def sex(self) -> None:
        raw = self.clin["SEX"]
        sex = raw.str.strip().str.lower()
        self.f["sex"] = sex.where(sex.isin(["female", "male"]))
        self.record(self.f["sex"].isna(), "sex", "na", raw.to_numpy(), None, "SEX missing or not Female/Male")

    def primary_site(self) -> None:
        clin = self.clin
        code = clin["tumor_type"].astype(str).str.strip()
        sub = clin["SUBTYPE_ABBREVIATION"].astype("string").str.strip()
        psite = clin["PRIMARY_SITE"].astype("string").str.strip().str.lower()
        site, hist = oncotree_site(code, sub, psite)
        unknown_code = site.isna()
        if unknown_code.any():
            self.record(unknown_code, "primary_site", "changed", code.to_numpy(), "other",
                        "OncoTree code not in ONCOTREE_TO_SITE: mapped to 'other'")
            site = site.fillna("other")
        self.f["primary_site"] = site
        self.f["primary_histology"] = pd.Series(hist, index=clin.index).astype("string")
        self.f["oncotree_code"] = code.astype("string")
        self.f["subtype"] = sub

    def breast_receptors(self, hr_positive_er: str) -> None:
        """ER, PR, HER2 and the HR status from the breast subtype (``HR+/HER2-``, ``TN``, ...)."""
        sub = self.f["subtype"]
        brca = self.f["primary_site"].eq("breast")
        hr, her2 = _breast_hr_her2(sub, brca)
        er = hr.map({"negative": "negative", "unknown": "unknown",
                     "positive": "positive" if hr_positive_er == "positive" else "unknown"})
        pr = hr.map({"negative": "negative", "unknown": "unknown", "positive": "unknown"})
        self.f["er"], self.f["pr"], self.f["her2"] = er, pr, her2
        self.f["hr_status"] = pd.Categorical(hr, categories=["positive", "negative", "unknown"])
        self.record(brca & hr.eq("unknown"), "er", "na", sub.to_numpy(), "unknown", "breast subtype without HR/HER2")

    def clinical_extras(self) -> None:
        clin, f = self.clin, self.f
        f["sample_type"] = clin["SAMPLE_TYPE"].astype("string")
        f["metastatic_site"] = clin["METASTATIC_SITE"].astype("string")
        f["met_site_count"] = pd.to_numeric(clin["MET_SITE_COUNT"], errors="coerce").astype("Int64")
        f["met_count"] = pd.to_numeric(clin["MET_COUNT"], errors="coerce").astype("Int64")
        f["tmb"] = pd.to_numeric(clin["TMB_NONSYNONYMOUS"], errors="coerce").astype("Float64")
        f["fga"] = pd.to_numeric(clin["FGA"], errors="coerce").astype("Float64")
        f["gene_panel"] = clin["GENE_PANEL"].astype("string")

    def molecular(self, genomic: pd.DataFrame, fusions: pd.DataFrame, egfr_definition: str,
                  fusion_definition: str) -> None:
        cols, sequenced = genotype_columns(self.clin["sample"], self.clin["GENE_PANEL"], genomic, fusions,
                                           egfr_definition=egfr_definition, fusion_definition=fusion_definition)
        for c in cols.columns:
            self.f[c] = cols[c]
        self.record(~sequenced, "egfr,kras,braf,alk,ros1,ret", "na", None, "unknown",
                    "patient absent from MSK_genomic_data: genotype unknown")

    def subset(self, subset: str | None) -> None:
        if subset is None:
            return
        if subset == "bone_biopsied":
            ins = self.f["metastatic_site"].eq("Bone").fillna(False)
            why = "outside subset 'bone_biopsied' (sequenced specimen not from bone)"
        else:  # "bone_relevant"
            ins = self.f["primary_site"].isin(BONE_RELEVANT_SITES)
            why = f"outside subset 'bone_relevant' (primary site not in {BONE_RELEVANT_SITES})"
        self.record(self.keep & ~ins, "subset", "rejected", None, None, why)
        self.keep &= ins


def oncotree_site(code: pd.Series, sub: pd.Series, psite: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(primary_site, primary_histology) from the OncoTree code, refined by the subtype and the
    recorded primary site; codes not in :data:`ONCOTREE_TO_SITE` give a missing site."""
    site = code.map(lambda c: ONCOTREE_TO_SITE.get(c, (None, None))[0])
    hist = code.map(lambda c: ONCOTREE_TO_SITE.get(c, (None, None))[1]).astype("object")
    sub_hist = sub.map(_SUBTYPE_HISTOLOGY)
    hist = hist.where(sub_hist.isna(), sub_hist)
    # colorectal: rectum when the recorded primary site is the rectum (not rectosigmoid)
    crc = code.isin(["CRC", "COAD", "READ"])
    is_rectum = psite.isin(["rectum", "rectal"]).fillna(False)
    site = site.where(~(crc & is_rectum), "rectum")
    site = site.where(~(code.eq("READ")), "rectum")
    # cholangiocarcinoma group: gallbladder carcinoma (subtype GBC / site gallbladder)
    gbc = code.eq("CHOL") & (sub.eq("GBC").fillna(False) | psite.eq("gallbladder").fillna(False))
    site = site.where(~gbc, "gallbladder")
    hist = hist.where(~gbc, "gallbladder_carcinoma")
    # upper-tract urothelial carcinoma is not bladder
    utuc = code.eq("BLCA") & sub.eq("UTUC").fillna(False)
    site = site.where(~utuc, "other")
    hist = hist.where(~utuc, "upper_tract_urothelial")
    # breast histology from the subtype's first word
    brca = site.eq("breast")
    bh = sub.str.split(" ").str[0].map({"IDC": "ductal", "ILC": "lobular"})
    hist = hist.where(~(brca & bh.notna()), bh)
    return site, hist


def _breast_hr_her2(sub: pd.Series, brca: pd.Series) -> tuple[pd.Series, pd.Series]:
    """HR and HER2 status (positive / negative / unknown) of breast tumours, NA elsewhere."""
    hr = pd.Series(pd.NA, index=sub.index, dtype="object")
    her2 = pd.Series(pd.NA, index=sub.index, dtype="object")
    hr[brca & sub.str.contains("HR+", regex=False).fillna(False)] = "positive"
    hr[brca & (sub.str.contains("HR-", regex=False) | sub.str.endswith(" TN")).fillna(False)] = "negative"
    her2[brca & sub.str.contains("HER2+", regex=False).fillna(False)] = "positive"
    her2[brca & (sub.str.contains("HER2-", regex=False) | sub.str.endswith(" TN")).fillna(False)] = "negative"
    hr[brca & hr.isna()] = "unknown"
    her2[brca & her2.isna()] = "unknown"
    return hr, her2
