"""MSK-MET (MSK MetTropism, cBioPortal study ``msk_met_2021``) as a canonical :class:`Cohort`.

Source: Nguyen B, Fong C, Luthra A, et al. "Genomic characterization of metastatic patterns from
prospective clinical sequencing of 25,000 patients." Cell 2022;185(3):563-575.e11
(doi:10.1016/j.cell.2022.01.003, PMID 35120664); cBioPortal study ``msk_met_2021``. The data are
licensed CC BY-NC-ND 4.0: they are never bundled with this package; pass the folder you
downloaded (see ``prognosis/datasets/PROVENANCE.md``).

Files read from the study folder (names as in the cBioPortal export and its third-party copies):

- ``MSK_clinical_data.tsv.gz`` -- one sequenced sample per patient (25,368 rows): OncoTree
  tumour type, subtype, metastatic (biopsy) site, metastatic-site count, gene panel, TMB, FGA,
  age at sequencing, sex, OS.
- ``data_clinical_patient.txt`` -- the cBioPortal patient table (4 ``#`` header lines): age at
  first evidence of metastasis (used only with ``origin="metastasis"``).
- ``MSK_genomic_data.tsv.gz`` -- somatic mutation calls (GRCh37; no protein change column), one
  row per call, plus one all-empty row for sequenced patients without any call.
- ``data_fusions.txt`` -- structural variants / fusions (``Tumor_Sample_Barcode``; its first
  9 characters are the patient id).

Time origin: OS in MSK-MET runs from the date of the sequenced biopsy ("Overall survival in
months since age of sequencing", data_clinical_patient.txt header), NOT from the diagnosis of
bone or spinal metastasis. Patients were sequenced at a variable time after metastasis, and a
patient is only in the data set if alive at sequencing: relative to metastasis diagnosis this is
delayed entry (left truncation). ``origin="metastasis"`` re-expresses follow-up from the first
evidence of metastasis with ``entry_months`` = 12 x (age at sequencing - age at first evidence
of metastasis) so that models can treat it as left truncation; see :func:`load_msk_met`.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..cohort import Cohort
from ..cohort.readers import sha256_of
from ..cohort.schema import DAYS_PER_MONTH
from ..errors import DataUnavailableError, InputError, ReadError
from ._audit import audit_records as _audit
from ._audit import build_audit

__all__ = [
    "load_msk_met",
    "ONCOTREE_TO_SITE",
    "BONE_RELEVANT_SITES",
    "EGFR_L858R",
    "EGFR_L861Q",
    "EGFR_G719_POSITIONS",
    "EGFR_EXON19",
    "KRAS_G12_POSITIONS",
    "KRAS_G13_POSITIONS",
    "BRAF_V600_POSITIONS",
    "call_hotspots",
    "call_fusions",
]

COHORT_LABEL = "msk_met_2021"
FILES = {
    "clinical": "MSK_clinical_data.tsv.gz",
    "patient": "data_clinical_patient.txt",
    "genomic": "MSK_genomic_data.tsv.gz",
    "fusions": "data_fusions.txt",
}
CLINICAL_COLUMNS = ("sample", "tumor_type", "OS_MONTHS", "OS_STATUS", "SAMPLE_TYPE", "MET_COUNT",
                    "METASTATIC_SITE", "MET_SITE_COUNT", "PRIMARY_SITE", "SUBTYPE_ABBREVIATION",
                    "GENE_PANEL", "SEX", "TMB_NONSYNONYMOUS", "FGA", "AGE_AT_SEQUENCING")
GENOMIC_COLUMNS = ("sample", "chr", "from", "to", "ref", "alt", "gene")
FUSION_COLUMNS = ("Hugo_Symbol", "Tumor_Sample_Barcode", "Fusion")

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

# ---------------------------------------------------------------------------------------------
# Hotspot positions, GRCh37 (1-based, as in the genomic table's ``from``/``to``).
# Anchors are HGVS coding positions on the reference transcripts; the genomic reference alleles
# in MSK_genomic_data agree with them (T at 55259515; C at 25398284/25398285, KRAS being on the
# minus strand; the 15-bp exon-19 deletion GGAATTAAGAGAAGC starts at 55242465).
# ---------------------------------------------------------------------------------------------
#: EGFR L858R, NM_005228.3 c.2573T>G = chr7:55259515 T>G. Classic sensitising mutation:
#: Lynch TJ et al., NEJM 2004;350:2129-39; Paez JG et al., Science 2004;304:1497-1500;
#: Mok TS et al. (IPASS), NEJM 2009;361:947-57.
EGFR_L858R = ("chr7", 55259515, "T", "G")
#: EGFR exon 19 (NM_005228.3 c.2185-c.2283) = chr7:55242415-55242513, anchored at the common
#: E746_A750del c.2235_2249del = chr7:55242465-55242479. Sensitising: in-frame deletions (incl.
#: deletion-insertions with net in-frame loss) in exon 19 (same citations as L858R).
EGFR_EXON19 = ("chr7", 55242415, 55242513)
#: EGFR L861Q, c.2582T>A = chr7:55259524 T>A; G719X, codon 719 = c.2155-c.2157 =
#: chr7:55241707-55241709 (non-synonymous bases 55241707-55241708). "Uncommon" sensitising
#: mutations: Yang JC-H et al., Lancet Oncol 2015;16:830-8 (afatinib, LUX-Lung 2/3/6 pooled).
EGFR_L861Q = ("chr7", 55259524, "T", "A")
EGFR_G719_POSITIONS = ("chr7", (55241707, 55241708))
#: KRAS codon 12 (NM_004985 c.34-c.36) = chr12:25398285-25398283 (minus strand); codon 13
#: (c.37-c.39) = chr12:25398282-25398280. Anchor: G12D c.35G>A = chr12:25398284 C>T (GRCh37).
#: Only the first two bases of each codon change the amino acid (GGx = Gly), so the missense
#: positions are 25398285/25398284 (G12) and 25398282/25398281 (G13).
KRAS_G12_POSITIONS = ("chr12", (25398284, 25398285))
KRAS_G13_POSITIONS = ("chr12", (25398281, 25398282))
#: BRAF codon 600 (NM_004333 c.1798-c.1800) = chr7:140453137-140453135 (minus strand); V600E
#: c.1799T>A = chr7:140453136 A>T; V600K c.1798_1799delinsAA = chr7:140453136-140453137.
#: GTx = Val, so the missense positions are 140453136-140453137. Davies H et al., Nature
#: 2002;417:949-54.
BRAF_V600_POSITIONS = ("chr7", (140453136, 140453137))

EGFR_DEFINITIONS = ("classic", "extended")
FUSION_DEFINITIONS = ("partner", "any")
ORIGINS = ("sequencing", "metastasis")
ZERO_TIME = ("midpoint", "drop")
SUBSETS = (None, "bone_biopsied", "bone_relevant")
HR_POSITIVE_ER = ("unknown", "positive")
#: OS_MONTHS is published to 2 decimals, so 0.00 means follow-up in [0, 0.005) months; the
#: midpoint 0.0025 months (about 2 hours) keeps these patients in the risk set at the first
#: instant without inventing a longer survival.
ZERO_TIME_MONTHS = 0.0025


def _read(path: Path, needed, **kw) -> pd.DataFrame:
    try:
        df = pd.read_csv(path, sep="\t", **kw)
    except Exception as exc:  # pandas raises many types; name the file
        raise ReadError(f"{path.name}: cannot be read as a tab-separated table ({exc})") from exc
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise ReadError(f"{path.name}: missing column(s) {missing}; found {list(df.columns)[:20]}")
    return df


def _overlaps(g: pd.DataFrame, chrom: str, positions) -> pd.Series:
    lo, hi = min(positions), max(positions)
    m = (g["chr"] == chrom) & (g["from"] <= hi) & (g["to"] >= lo)
    if len(positions) > 1 and hi - lo + 1 != len(positions):  # non-contiguous sets
        m &= pd.concat([(g["from"] <= p) & (g["to"] >= p) for p in positions], axis=1).any(axis=1)
    return m


def call_hotspots(genomic: pd.DataFrame, *, egfr_definition: str = "classic") -> pd.DataFrame:
    """Per-patient hotspot calls from GRCh37 mutation rows.

    Parameters
    ----------
    genomic : DataFrame
        Columns ``sample, chr, from, to, ref, alt`` (``-`` = empty allele), one row per call.
    egfr_definition : {"classic", "extended"}
        ``"classic"`` (default): L858R and in-frame exon-19 deletions (Lynch 2004, Paez 2004,
        Mok 2009). ``"extended"`` adds L861Q and G719X (Yang 2015).

    Returns
    -------
    DataFrame indexed by patient with columns ``egfr_variant`` (``L858R``, ``exon19_del``,
    ``L861Q``, ``G719X`` or NA), ``egfr_any`` (any EGFR call), ``kras_codon`` (``G12``, ``G13``
    or NA), ``braf_v600`` (bool).
    """
    if egfr_definition not in EGFR_DEFINITIONS:
        raise InputError(f"egfr_definition must be one of {EGFR_DEFINITIONS}, got {egfr_definition!r}")
    g = genomic.dropna(subset=["chr", "from", "to"])
    egfr_any_ids = g.loc[g["gene"] == "EGFR", "sample"].unique()
    # every hotspot below is on chr7 or chr12: restrict before the string work (10x fewer rows)
    g = g[g["chr"].isin(["chr7", "chr12"])]
    ref = g["ref"].fillna("-").astype(str).str.replace("-", "", regex=False).str.len()
    alt = g["alt"].fillna("-").astype(str).str.replace("-", "", regex=False).str.len()
    net_loss = ref - alt
    chrom, lo, hi = EGFR_EXON19
    ex19 = (g["chr"] == chrom) & (g["from"] <= hi) & (g["to"] >= lo) & (net_loss > 0) & (net_loss % 3 == 0)
    c, pos, r, a = EGFR_L858R
    l858r = (g["chr"] == c) & (g["from"] == pos) & (g["to"] == pos) & (g["ref"] == r) & (g["alt"] == a)
    c, pos, r, a = EGFR_L861Q
    l861q = (g["chr"] == c) & (g["from"] == pos) & (g["to"] == pos) & (g["ref"] == r) & (g["alt"] == a)
    g719 = _overlaps(g, *EGFR_G719_POSITIONS)
    kinds = [("exon19_del", ex19), ("L858R", l858r)]
    if egfr_definition == "extended":
        kinds += [("L861Q", l861q), ("G719X", g719)]
    patients = pd.Index(genomic["sample"].unique(), name="sample")
    out = pd.DataFrame(index=patients)
    ev = pd.Series(pd.NA, index=patients, dtype="object")
    for name, m in reversed(kinds):  # first listed wins when a patient has several
        ids = g.loc[m, "sample"].unique()
        ev.loc[ids] = name
    out["egfr_variant"] = ev.astype("string")
    out["egfr_any"] = patients.isin(egfr_any_ids)
    kc = pd.Series(pd.NA, index=patients, dtype="object")
    kc.loc[g.loc[_overlaps(g, *KRAS_G13_POSITIONS), "sample"].unique()] = "G13"
    kc.loc[g.loc[_overlaps(g, *KRAS_G12_POSITIONS), "sample"].unique()] = "G12"
    out["kras_codon"] = kc.astype("string")
    out["braf_v600"] = patients.isin(g.loc[_overlaps(g, *BRAF_V600_POSITIONS), "sample"].unique())
    return out


def _fusion_partners(fusion: pd.Series) -> pd.Series:
    # "EML4-ALK fusion", "ALK-EML4 fusion - Archer", "ALK-intragenic" -> list of gene symbols
    core = fusion.fillna("").astype(str).str.replace(r"\s*-\s*Archer.*$", "", regex=True)
    core = core.str.replace(r"\s+(fusion|rearrangement|Fusion)\b.*$", "", regex=True).str.strip()
    return core.str.split("-")


def call_fusions(fusions: pd.DataFrame, genes=("ALK", "ROS1", "RET"), *,
                 definition: str = "partner") -> dict[str, set[str]]:
    """Patients with a rearrangement of each gene in a cBioPortal fusion table.

    Returns a dict ``{gene.lower(): set of patient ids}``.

    ``definition="partner"`` (default) counts a gene as rearranged when a row joins it to another
    gene (``EML4-ALK fusion``); intragenic events (``ALK-intragenic``, internal deletions or
    duplications) are not fusions and do not count. ``"any"`` counts every row the table lists
    for the gene (``Hugo_Symbol``), as the cBioPortal "structural variant" view does. The patient
    id is the first 9 characters of ``Tumor_Sample_Barcode`` (``P-XXXXXXX-T01-IM3``).
    """
    if definition not in FUSION_DEFINITIONS:
        raise InputError(f"fusion definition must be one of {FUSION_DEFINITIONS}, got {definition!r}")
    f = fusions.copy()
    f["patient"] = f["Tumor_Sample_Barcode"].astype(str).str[:9]
    parts = _fusion_partners(f["Fusion"])
    out = {}
    for gene in genes:
        if definition == "any":
            m = f["Hugo_Symbol"] == gene
        else:
            m = parts.map(lambda p, g=gene: g in p and any(x and x != g and x.lower() != "intragenic" for x in p))
        out[gene.lower()] = set(f.loc[m.astype(bool), "patient"])
    return out


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
        are never written to messages). Canonical columns plus extras: ``oncotree_code``, ``subtype``, ``sample_type``,
        ``metastatic_site``, ``met_site_count``, ``met_count``, ``tmb``, ``fga``,
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
    root = Path(path)
    if not root.is_dir():
        raise DataUnavailableError(
            f"MSK-MET study folder {root} not found; download cBioPortal study msk_met_2021 "
            "(see prognosis/datasets/PROVENANCE.md)")
    for name in FILES.values():
        if not (root / name).is_file():
            raise DataUnavailableError(f"MSK-MET file {name} not found in {root}")
    for name, val, allowed in (("subset", subset, SUBSETS), ("origin", origin, ORIGINS),
                               ("zero_time", zero_time, ZERO_TIME),
                               ("egfr_definition", egfr_definition, EGFR_DEFINITIONS),
                               ("fusion_definition", fusion_definition, FUSION_DEFINITIONS),
                               ("hr_positive_er", hr_positive_er, HR_POSITIVE_ER)):
        if val not in allowed:
            raise InputError(f"load_msk_met: {name} must be one of {allowed}, got {val!r}")

    clin = _read(root / FILES["clinical"], CLINICAL_COLUMNS, dtype={"sample": str})
    if not clin["sample"].is_unique:
        dup = np.flatnonzero(clin["sample"].duplicated().to_numpy())[:5].tolist()
        raise ReadError(f"{FILES['clinical']}: patient ids are not unique (duplicate rows {dup})")
    genomic = _read(root / FILES["genomic"], GENOMIC_COLUMNS, dtype={"sample": str, "chr": str})
    fusions = _read(root / FILES["fusions"], FUSION_COLUMNS, dtype=str)

    n = len(clin)
    rows = np.arange(n)
    audits: list[pd.DataFrame] = []
    f = pd.DataFrame(index=clin.index)
    f["patient_id"] = clin["sample"].astype("string")
    f["cohort"] = COHORT_LABEL

    # --- outcome ------------------------------------------------------------------------------
    t = pd.to_numeric(clin["OS_MONTHS"], errors="coerce")
    e = pd.to_numeric(clin["OS_STATUS"], errors="coerce")
    keep = pd.Series(True, index=clin.index)
    bad_t = t.isna() | (t < 0)
    bad_e = ~e.isin([0, 1])
    if bad_t.any():
        r = rows[bad_t.to_numpy()]
        audits.append(_audit(r, "time_months", "rejected", clin["OS_MONTHS"].to_numpy()[r], None,
                             "OS_MONTHS missing or negative: no usable outcome"))
    if bad_e.any():
        r = rows[bad_e.to_numpy()]
        audits.append(_audit(r, "event", "rejected", clin["OS_STATUS"].to_numpy()[r], None,
                             "OS_STATUS not 0/1"))
    keep &= ~bad_t & ~bad_e
    zero = keep & (t == 0)
    if zero.any():
        r = rows[zero.to_numpy()]
        if zero_time == "midpoint":
            t = t.where(~zero, ZERO_TIME_MONTHS)
            audits.append(_audit(r, "time_months", "changed", 0.0, ZERO_TIME_MONTHS,
                                 "OS_MONTHS 0.00 (rounded to 2 decimals): set to the midpoint of [0, 0.005)"))
        else:
            keep &= ~zero
            audits.append(_audit(r, "time_months", "rejected", 0.0, None,
                                 "OS_MONTHS 0.00 violates time > 0 (zero_time='drop')"))
    f["time_months"] = t.astype(float)
    f["event"] = e.fillna(0).astype("int64")

    # --- ages, entry, origin ---------------------------------------------------------------------
    pat = _read(root / FILES["patient"], ("PATIENT_ID", "AGE_AT_EVIDENCE_OF_METS", "AGE_AT_SEQUENCING"),
                comment="#", dtype={"PATIENT_ID": str})
    age_mets = clin["sample"].map(pat.set_index("PATIENT_ID")["AGE_AT_EVIDENCE_OF_METS"])
    age_seq = pd.to_numeric(clin["AGE_AT_SEQUENCING"], errors="coerce")
    f["age_years"] = age_seq
    f["age_at_mets_years"] = pd.to_numeric(age_mets, errors="coerce").astype("Float64")
    na_age = age_seq.isna()
    if na_age.any():
        audits.append(_audit(rows[na_age.to_numpy()], "age_years", "na", None, None,
                             "AGE_AT_SEQUENCING missing"))
    if origin == "metastasis":
        entry = 12.0 * (age_seq - pd.to_numeric(age_mets, errors="coerce"))
        bad = keep & (entry.isna() | (entry < 0))
        if bad.any():
            r = rows[bad.to_numpy()]
            audits.append(_audit(r, "entry_months", "rejected", entry.to_numpy()[r], None,
                                 "origin='metastasis' needs AGE_AT_EVIDENCE_OF_METS <= AGE_AT_SEQUENCING"))
        keep &= ~bad
        entry = entry.round(6)
        f["entry_months"] = entry
        f["time_months"] = (entry + f["time_months"]).astype(float)
        time_origin = ("first evidence of metastasis (AGE_AT_EVIDENCE_OF_METS); entry_months = "
                       "12 x (age at sequencing - age at first metastasis): delayed entry / left truncation")
    else:
        time_origin = ("date of the sequenced biopsy (MSK-IMPACT); NOT the diagnosis of bone or "
                       "spinal metastasis -- relative to metastasis diagnosis this is delayed entry")

    # --- sex --------------------------------------------------------------------------------------
    sex = clin["SEX"].str.strip().str.lower()
    f["sex"] = sex.where(sex.isin(["female", "male"]))
    bad = f["sex"].isna()
    if bad.any():
        r = rows[bad.to_numpy()]
        audits.append(_audit(r, "sex", "na", clin["SEX"].to_numpy()[r], None, "SEX missing or not Female/Male"))

    # --- primary site and histology ------------------------------------------------------------
    code = clin["tumor_type"].astype(str).str.strip()
    sub = clin["SUBTYPE_ABBREVIATION"].astype("string").str.strip()
    psite = clin["PRIMARY_SITE"].astype("string").str.strip().str.lower()
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
    unknown_code = site.isna()
    if unknown_code.any():
        r = rows[unknown_code.to_numpy()]
        audits.append(_audit(r, "primary_site", "changed", code.to_numpy()[r], "other",
                             "OncoTree code not in ONCOTREE_TO_SITE: mapped to 'other'"))
        site = site.fillna("other")
    f["primary_site"] = site
    f["primary_histology"] = pd.Series(hist, index=clin.index).astype("string")
    f["oncotree_code"] = code.astype("string")
    f["subtype"] = sub

    # --- breast receptors from SUBTYPE_ABBREVIATION ---------------------------------------------
    hr = pd.Series(pd.NA, index=clin.index, dtype="object")
    her2 = pd.Series(pd.NA, index=clin.index, dtype="object")
    hr[brca & sub.str.contains("HR+", regex=False).fillna(False)] = "positive"
    hr[brca & (sub.str.contains("HR-", regex=False) | sub.str.endswith(" TN")).fillna(False)] = "negative"
    her2[brca & sub.str.contains("HER2+", regex=False).fillna(False)] = "positive"
    her2[brca & (sub.str.contains("HER2-", regex=False) | sub.str.endswith(" TN")).fillna(False)] = "negative"
    hr[brca & hr.isna()] = "unknown"
    her2[brca & her2.isna()] = "unknown"
    er = hr.map({"negative": "negative", "unknown": "unknown",
                 "positive": "positive" if hr_positive_er == "positive" else "unknown"})
    pr = hr.map({"negative": "negative", "unknown": "unknown", "positive": "unknown"})
    f["er"], f["pr"], f["her2"] = er, pr, her2
    f["hr_status"] = pd.Categorical(hr, categories=["positive", "negative", "unknown"])
    nb = brca & hr.eq("unknown")
    if nb.any():
        r = rows[nb.to_numpy()]
        audits.append(_audit(r, "er", "na", sub.to_numpy()[r], "unknown", "breast subtype without HR/HER2"))

    # --- extras from the clinical table -------------------------------------------------------------
    f["sample_type"] = clin["SAMPLE_TYPE"].astype("string")
    f["metastatic_site"] = clin["METASTATIC_SITE"].astype("string")
    f["met_site_count"] = pd.to_numeric(clin["MET_SITE_COUNT"], errors="coerce").astype("Int64")
    f["met_count"] = pd.to_numeric(clin["MET_COUNT"], errors="coerce").astype("Int64")
    f["tmb"] = pd.to_numeric(clin["TMB_NONSYNONYMOUS"], errors="coerce").astype("Float64")
    f["fga"] = pd.to_numeric(clin["FGA"], errors="coerce").astype("Float64")
    f["gene_panel"] = clin["GENE_PANEL"].astype("string")

    # --- molecular --------------------------------------------------------------------------------
    hs = call_hotspots(genomic, egfr_definition=egfr_definition)
    fus = call_fusions(fusions, definition=fusion_definition)
    sequenced = clin["sample"].isin(hs.index) & clin["GENE_PANEL"].notna()
    hsr = hs.reindex(clin["sample"].to_numpy())
    hsr.index = clin.index

    def status(pos_mask, pos, neg):
        s = pd.Series(np.where(pos_mask, pos, neg), index=clin.index, dtype="object")
        return s.where(sequenced, "unknown")

    f["egfr"] = status(hsr["egfr_variant"].notna().to_numpy(), "mutant", "wildtype")
    f["egfr_variant"] = hsr["egfr_variant"].astype("string").where(sequenced)
    f["egfr_other_mutation"] = (hsr["egfr_any"].astype("boolean").fillna(False).astype(bool) & hsr["egfr_variant"].isna()
                                ).astype("boolean").where(sequenced)
    f["kras"] = status(hsr["kras_codon"].notna().to_numpy(), "mutant", "wildtype")
    f["kras_codon"] = hsr["kras_codon"].astype("string").where(sequenced)
    f["braf"] = status(hsr["braf_v600"].astype("boolean").fillna(False).astype(bool).to_numpy(), "v600", "wildtype")
    # fusions are called on the same DNA panel; a patient without genomic data is unknown
    f["alk"] = status(clin["sample"].isin(fus["alk"]).to_numpy(), "rearranged", "negative")
    f["ros1"] = status(clin["sample"].isin(fus["ros1"]).to_numpy(), "rearranged", "negative")
    f["ret"] = pd.Categorical(status(clin["sample"].isin(fus["ret"]).to_numpy(), "rearranged", "negative"),
                              categories=["rearranged", "negative", "unknown"])
    unseq = ~sequenced
    if unseq.any():
        audits.append(_audit(rows[unseq.to_numpy()], "egfr,kras,braf,alk,ros1,ret", "na", None, "unknown",
                             "patient absent from MSK_genomic_data: genotype unknown"))

    # --- subset ---------------------------------------------------------------------------------
    if subset == "bone_biopsied":
        ins = f["metastatic_site"].eq("Bone").fillna(False)
        why = "outside subset 'bone_biopsied' (sequenced specimen not from bone)"
    elif subset == "bone_relevant":
        ins = f["primary_site"].isin(BONE_RELEVANT_SITES)
        why = f"outside subset 'bone_relevant' (primary site not in {BONE_RELEVANT_SITES})"
    else:
        ins = pd.Series(True, index=clin.index)
        why = ""
    out_sub = keep & ~ins
    if out_sub.any():
        audits.append(_audit(rows[out_sub.to_numpy()], "subset", "rejected", None, None, why))
    keep &= ins
    audit = build_audit(n, audits)
    frame = f.loc[keep].reset_index(drop=True)
    metadata = {
        "cohort": COHORT_LABEL if subset is None else f"{COHORT_LABEL}:{subset}",
        "source": ("MSK-MET, Nguyen B et al., Cell 2022;185:563-575 (PMID 35120664); cBioPortal "
                   "study msk_met_2021; licence CC BY-NC-ND 4.0 (not redistributable)"),
        "licence": "CC-BY-NC-ND-4.0",
        "path": str(root),
        "sha256": {name: sha256_of(root / name) for name in FILES.values()},
        "time_origin": time_origin,
        "origin": origin,
        "subset": subset,
        "options": {"zero_time": zero_time, "egfr_definition": egfr_definition,
                    "fusion_definition": fusion_definition, "hr_positive_er": hr_positive_er},
        "n_input_rows": int(n),
        "not_recorded": ["kps", "ecog", "frankel", "vertebral_mets", "extraspinal_bone_mets",
                         "visceral_mets", "visceral_pattern", "brain_mets", "laboratory values",
                         "treatments", "spinal level / spine-specific site"],
        "genome_build": "GRCh37",
        "days_per_month": DAYS_PER_MONTH,
    }
    return Cohort(frame=frame, audit=audit, metadata=metadata)
