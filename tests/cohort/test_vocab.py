"""Primary-site synonyms and ICD-10 codes against the ICD-10 (WHO 2019) chapter II titles."""
import pytest

from prognosis.cohort.schema import PRIMARY_SITES
from prognosis.cohort.vocab import SITE_SYNONYMS, icd10_site, lookup_site, normalize_text


@pytest.mark.parametrize(("code", "site"), [
    ("C34", "lung"), ("C34.1", "lung"), ("c34.90", "lung"), ("C50.9", "breast"), ("C61", "prostate"),
    ("C64", "kidney"), ("C65", "kidney"), ("C73", "thyroid"), ("C18.7", "colon"), ("C19", "rectum"),
    ("C20", "rectum"), ("C16.0", "stomach"), ("C15.5", "esophagus"), ("C25.0", "pancreas"),
    ("C22.0", "liver"), ("C23", "gallbladder"), ("C24.0", "gallbladder"), ("C67.9", "bladder"),
    ("C54.1", "uterus"), ("C55", "uterus"), ("C53.9", "cervix"), ("C56", "ovary"), ("C00.1", "head_neck"),
    ("C14", "head_neck"), ("C32.0", "head_neck"), ("C43.5", "melanoma"), ("C90.0", "myeloma"),
    ("C81.9", "lymphoma"), ("C83.3", "lymphoma"), ("C88", "lymphoma"), ("C40.2", "sarcoma"),
    ("C41.2", "sarcoma"), ("C49.2", "sarcoma"), ("C62.9", "testis"), ("C80.1", "unknown"),
    ("C7A.01", "carcinoid"), ("C44.3", "other"), ("C91.0", "other"),
])
def test_icd10_codes(code, site):
    is_code, got, _ = icd10_site(code)
    assert is_code
    assert got == site


@pytest.mark.parametrize("code", ["C79.5", "C78.0", "C77", "C97", "C7B.00"])
def test_icd10_secondary_or_multiple_is_not_a_primary(code):
    is_code, site, reason = icd10_site(code)
    assert is_code
    assert site is None
    assert reason


@pytest.mark.parametrize(("text", "site", "histology"), [
    ("Lung ca", "lung", None), ("NSCLC", "lung", "nsclc"), ("SCLC", "lung", "sclc"),
    ("adenocarcinoma of lung", "lung", "adenocarcinoma"), ("Non-small cell lung cancer", "lung", "nsclc"),
    ("small cell lung carcinoma", "lung", "sclc"), ("Bronchialkarzinom", "lung", None),
    ("cáncer de pulmón", "lung", None), ("cancer du poumon", "lung", None),
    ("Mamma-Ca", "breast", None), ("Breast cancer, ER+", "breast", None), ("RCC", "kidney", None),
    ("clear cell RCC", "kidney", "clear_cell"), ("Nierenzellkarzinom", "kidney", None),
    ("HCC", "liver", "hepatocellular"), ("CRC rectum", "rectum", None), ("Rektum-Ca", "rectum", None),
    ("Schilddrüsen-Ca", "thyroid", None), ("carcinome du col de l'utérus", "cervix", None),
    ("gall bladder", "gallbladder", None), ("urinary bladder", "bladder", None), ("CUP", "unknown", None),
    ("adenocarcinoma of unknown primary", "unknown", "adenocarcinoma"), ("Plasmozytom", "myeloma", None),
    ("multiple myeloma", "myeloma", None), ("Hodgkin lymphoma", "lymphoma", None),
    ("head and neck SCC", "head_neck", "squamous_cell"), ("osteosarcoma", "osteosarcoma", None),
    ("Ewing sarcoma", "sarcoma", "ewing"), ("neuroendocrine tumour", "carcinoid", "neuroendocrine"),
    ("seminoma", "testis", "seminoma"), ("Melanom", "melanoma", None), ("Prostata-Ca (CRPC)", "prostate", None),
])
def test_free_text(text, site, histology):
    got, hist, reason = lookup_site(text)
    assert got == site, reason
    assert hist == histology


@pytest.mark.parametrize("text", ["lung ca with liver mets", "xyz", "unknown", "Unklar", "metastasis", ""])
def test_unmappable_is_none_with_reason(text):
    site, _, reason = lookup_site(text)
    assert site is None
    assert reason


def test_crc_alone_is_not_guessed():
    # "CRC" is colon OR rectum: the table has no entry for it, so it is not mapped
    assert lookup_site("CRC")[0] is None


def test_every_synonym_targets_the_vocabulary():
    assert set(SITE_SYNONYMS.values()) <= set(PRIMARY_SITES)
    assert set(PRIMARY_SITES) <= set(SITE_SYNONYMS.values())


def test_normalize_text():
    assert normalize_text("  Schilddrüsen-Ca. ") == "schilddrusen ca"
    assert normalize_text("Straße") == "strasse"
