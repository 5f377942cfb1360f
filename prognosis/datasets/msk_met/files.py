"""Locating and reading the MSK-MET cBioPortal files (``msk_met_2021``).

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
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ...cohort.readers import sha256_of
from ...errors import DataUnavailableError, ReadError

__all__ = ["FILES", "CLINICAL_COLUMNS", "GENOMIC_COLUMNS", "FUSION_COLUMNS", "PATIENT_COLUMNS", "StudyTables",
           "locate", "read_study", "read_table", "file_checksums"]

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
PATIENT_COLUMNS = ("PATIENT_ID", "AGE_AT_EVIDENCE_OF_METS", "AGE_AT_SEQUENCING")


@dataclass(frozen=True)
class StudyTables:
    """The four tables of one study folder, as read (no harmonization yet)."""

    root: Path
    clinical: pd.DataFrame
    genomic: pd.DataFrame
    fusions: pd.DataFrame
    patient: pd.DataFrame


def locate(path) -> Path:
    """The study folder, after checking that it holds every file in :data:`FILES`."""
    root = Path(path)
    if not root.is_dir():
        raise DataUnavailableError(
            f"MSK-MET study folder {root} not found; download cBioPortal study msk_met_2021 "
            "(see prognosis/datasets/PROVENANCE.md)")
    for name in FILES.values():
        if not (root / name).is_file():
            raise DataUnavailableError(f"MSK-MET file {name} not found in {root}")
    return root


def read_table(path: Path, needed, **kw) -> pd.DataFrame:
    """A tab-separated table with the ``needed`` columns, or a :class:`ReadError` naming the file."""
    try:
        df = pd.read_csv(path, sep="\t", **kw)
    except Exception as exc:  # pandas raises many types; name the file
        raise ReadError(f"{path.name}: cannot be read as a tab-separated table ({exc})") from exc
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise ReadError(f"{path.name}: missing column(s) {missing}; found {list(df.columns)[:20]}")
    return df


def read_study(root: Path) -> StudyTables:
    """Read the four tables of a located study folder (patient ids of the clinical table unique)."""
    clin = read_table(root / FILES["clinical"], CLINICAL_COLUMNS, dtype={"sample": str})
    if not clin["sample"].is_unique:
        dup = np.flatnonzero(clin["sample"].duplicated().to_numpy())[:5].tolist()
        raise ReadError(f"{FILES['clinical']}: patient ids are not unique (duplicate rows {dup})")
    genomic = read_table(root / FILES["genomic"], GENOMIC_COLUMNS, dtype={"sample": str, "chr": str})
    fusions = read_table(root / FILES["fusions"], FUSION_COLUMNS, dtype=str)
    patient = read_table(root / FILES["patient"], PATIENT_COLUMNS, comment="#", dtype={"PATIENT_ID": str})
    return StudyTables(root=root, clinical=clin, genomic=genomic, fusions=fusions, patient=patient)


def file_checksums(root: Path) -> dict[str, str]:
    """SHA-256 of each file read, by file name (for the cohort's provenance)."""
    return {name: sha256_of(root / name) for name in FILES.values()}
