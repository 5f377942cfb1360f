"""MSK-MET (MSK MetTropism, cBioPortal study ``msk_met_2021``) as a canonical :class:`Cohort`.

Source: Nguyen B, Fong C, Luthra A, et al. "Genomic characterization of metastatic patterns from
prospective clinical sequencing of 25,000 patients." Cell 2022;185(3):563-575.e11
(doi:10.1016/j.cell.2022.01.003, PMID 35120664); cBioPortal study ``msk_met_2021``. The data are
licensed CC BY-NC-ND 4.0: they are never bundled with this package; pass the folder you
downloaded (see ``prognosis/datasets/PROVENANCE.md``).

One module per concept:

- :mod:`.files` -- locating the study folder and reading its four cBioPortal files;
- :mod:`.harmonize` -- :func:`load_msk_met`: the canonical cohort (outcome, time origin, site
  and histology from the OncoTree code, breast receptors, subsets) with its audit;
- :mod:`.molecular` -- hotspot and fusion calls (:func:`call_hotspots`, :func:`call_fusions`)
  and the molecular status columns.

Time origin: OS in MSK-MET runs from the date of the sequenced biopsy ("Overall survival in
months since age of sequencing", data_clinical_patient.txt header), NOT from the diagnosis of
bone or spinal metastasis. Patients were sequenced at a variable time after metastasis, and a
patient is only in the data set if alive at sequencing: relative to metastasis diagnosis this is
delayed entry (left truncation). ``origin="metastasis"`` re-expresses follow-up from the first
evidence of metastasis with ``entry_months`` = 12 x (age at sequencing - age at first evidence
of metastasis) so that models can treat it as left truncation; see :func:`load_msk_met`.
"""
from __future__ import annotations

from .files import CLINICAL_COLUMNS, FILES, FUSION_COLUMNS, GENOMIC_COLUMNS
from .harmonize import (
    BONE_RELEVANT_SITES,
    COHORT_LABEL,
    HR_POSITIVE_ER,
    ONCOTREE_TO_SITE,
    ORIGINS,
    SUBSETS,
    ZERO_TIME,
    ZERO_TIME_MONTHS,
    load_msk_met,
)
from .molecular import (
    BRAF_V600_POSITIONS,
    EGFR_DEFINITIONS,
    EGFR_EXON19,
    EGFR_G719_POSITIONS,
    EGFR_L858R,
    EGFR_L861Q,
    FUSION_DEFINITIONS,
    KRAS_G12_POSITIONS,
    KRAS_G13_POSITIONS,
    call_fusions,
    call_hotspots,
)

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
    # also importable, as before the split: file names and expected columns, option values
    "FILES", "CLINICAL_COLUMNS", "GENOMIC_COLUMNS", "FUSION_COLUMNS", "COHORT_LABEL", "EGFR_DEFINITIONS",
    "FUSION_DEFINITIONS", "ORIGINS", "ZERO_TIME", "SUBSETS", "HR_POSITIVE_ER", "ZERO_TIME_MONTHS",
]
