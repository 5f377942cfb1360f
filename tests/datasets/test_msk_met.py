"""MSK-MET loader: counts checked against the raw cBioPortal files with plain pandas.

The raw files are read from ../shared/data/raw/msk_met_2021 (never copied into the repo); the
tests skip with a reason when the folder is absent. The expected counts stated in the data
folder's SOURCE.md (25,368 patients, 715 bone-biopsied, 41 EGFR-sensitising and 59 KRAS codon-12
calls among 186 bone-biopsied LUAD) are independent references; the rest is recounted here
from the raw tables without the loader's helpers.

Patient identifiers must never reach test output: assertion rewriting is switched off for this
module (PYTEST_DONT_REWRITE), so a failing assert shows its source line, not frames holding ids,
and the raw-table fixture has an opaque repr.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from prognosis.cohort.schema import PANDAS_DTYPES
from prognosis.datasets import load_msk_met
from prognosis.datasets.msk_met import ZERO_TIME_MONTHS, call_fusions, call_hotspots
from prognosis.errors import DataUnavailableError, InputError, ReadError


@pytest.fixture(scope="module")
def msk_dir(raw_data_dir):
    d = raw_data_dir / "msk_met_2021"
    if not (d / "MSK_clinical_data.tsv.gz").is_file():
        pytest.skip(f"MSK-MET study folder {d} is absent (cBioPortal msk_met_2021, CC BY-NC-ND 4.0)")
    return d


class _Raw(tuple):
    """The raw tables; its repr hides patient rows so a failing test never prints identifiers."""

    def __repr__(self) -> str:
        return "<raw MSK-MET tables>"


def n_differ(a, b) -> int:
    """Number of patients in one set but not the other (compared without printing ids)."""
    return len(set(a) ^ set(b))


@pytest.fixture(scope="module")
def raw(msk_dir):
    clin = pd.read_csv(msk_dir / "MSK_clinical_data.tsv.gz", sep="\t")
    gen = pd.read_csv(msk_dir / "MSK_genomic_data.tsv.gz", sep="\t", dtype={"chr": str})
    fus = pd.read_csv(msk_dir / "data_fusions.txt", sep="\t")
    return _Raw((clin, gen, fus))


@pytest.fixture(scope="module")
def full(msk_dir):
    return load_msk_met(msk_dir)


@pytest.fixture(scope="module")
def bone(msk_dir):
    return load_msk_met(msk_dir, subset="bone_biopsied")


def test_patient_counts_and_audit(full, raw):
    clin = raw[0]
    n_rows = len(clin)
    assert n_rows == 25368  # SOURCE.md: one sample per patient
    no_os = int(clin["OS_MONTHS"].isna().sum())
    assert no_os == 111
    assert len(full) == 25368 - no_os
    assert int(full.frame["event"].sum()) == int(clin.loc[clin["OS_MONTHS"].notna(), "OS_STATUS"].sum())
    rejected = full.audit[full.audit["action"] == "rejected"]
    d = n_differ(rejected["row"], np.flatnonzero(clin["OS_MONTHS"].isna().to_numpy()))
    assert d == 0
    # every input row has at least one audit record
    d = n_differ(full.audit["row"], range(n_rows))
    assert d == 0
    assert full.frame["patient_id"].is_unique
    assert (full.frame["time_months"] > 0).all()
    assert "sequenc" in full.metadata["time_origin"]


def test_canonical_dtypes(full):
    for col, dt in PANDAS_DTYPES.items():
        assert str(full.frame[col].dtype) == str(dt), col
    from prognosis.cohort.validate import validate_frame

    validate_frame(full.frame, source="msk_met")  # raises SchemaError listing every failure


def test_zero_times(msk_dir, full, raw):
    clin = raw[0]
    n_zero = int((clin["OS_MONTHS"] == 0).sum())
    assert n_zero == 1091
    assert int((full.frame["time_months"] == ZERO_TIME_MONTHS).sum()) == n_zero
    dropped = load_msk_met(msk_dir, zero_time="drop")
    assert len(dropped) == len(full) - n_zero


def test_bone_biopsied_subset(bone, raw):
    clin = raw[0]
    expect = clin[clin["METASTATIC_SITE"] == "Bone"]
    n_expect = len(expect)
    assert len(bone) == 715 == n_expect
    n_deaths = int(expect["OS_STATUS"].sum())
    assert int(bone.frame["event"].sum()) == n_deaths == 406
    assert (bone.frame["oncotree_code"] == "LUAD").sum() == 186
    counts = bone.frame["oncotree_code"].value_counts()
    assert counts["PRAD"] == 207
    assert counts["BRCA"] == 147
    assert counts["CCRCC"] == 26


def test_egfr_sensitising_in_bone_luad(bone, raw):
    _, gen, _ = raw
    luad = bone.frame[bone.frame["oncotree_code"] == "LUAD"]
    assert (luad["egfr"] == "mutant").sum() == 41  # SOURCE.md
    # independent recount: L858R (chr7:55259515 T>G) + net-deletions inside EGFR exon 19
    ids = set(luad["patient_id"])
    g = gen[gen["sample"].isin(ids) & (gen["gene"] == "EGFR")]
    l858r = set(g.loc[(g["from"] == 55259515) & (g["alt"] == "G"), "sample"])
    ref_len = g["ref"].str.replace("-", "").str.len()
    alt_len = g["alt"].str.replace("-", "").str.len()
    ex19 = set(g.loc[(g["from"] >= 55242415) & (g["to"] <= 55242513) & (ref_len > alt_len), "sample"])
    n_l858r, n_ex19 = len(l858r), len(ex19)
    assert n_l858r == 19
    assert n_ex19 == 22
    d = n_differ(luad.loc[luad["egfr"] == "mutant", "patient_id"], l858r | ex19)
    assert d == 0
    n_l858r_only = len(l858r - ex19)
    assert (luad["egfr_variant"] == "L858R").sum() == n_l858r_only


def test_kras_codons_in_bone_luad(bone, raw):
    _, gen, _ = raw
    luad = bone.frame[bone.frame["oncotree_code"] == "LUAD"]
    g = gen[gen["sample"].isin(set(luad["patient_id"])) & (gen["chr"] == "chr12")]
    # SOURCE.md's positional definition chr12:25398284-25398285 = KRAS c.35/c.34 = codon 12
    g12 = set(g.loc[(g["from"] <= 25398285) & (g["to"] >= 25398284), "sample"])
    g13 = set(g.loc[(g["from"] <= 25398282) & (g["to"] >= 25398281), "sample"])
    n_g12 = len(g12)
    assert n_g12 == 59
    assert (luad["kras_codon"] == "G12").sum() == 59
    # codon 13 (c.37/c.38 = 25398282/25398281) adds 5 patients: 64 G12/G13 in total
    n_g12_13 = len(g12 | g13)
    assert (luad["kras"] == "mutant").sum() == n_g12_13 == 64


def test_alk_fusions_in_luad(msk_dir, full, raw):
    _, _, fus = raw
    clin = raw[0]
    all_luad = set(clin.loc[clin["tumor_type"] == "LUAD", "sample"])
    luad_ids = set(full.frame.loc[full.frame["oncotree_code"] == "LUAD", "patient_id"])
    alk_rows = fus[fus["Hugo_Symbol"] == "ALK"]
    alk_patients = set(alk_rows["Tumor_Sample_Barcode"].str[:9])
    n_alk, n_alk_luad = len(alk_patients), len(alk_patients & all_luad)
    assert (n_alk, n_alk_luad) == (186, 153)  # SOURCE.md: ALK 186 patients, 153 of them LUAD
    alk_any = alk_patients & luad_ids
    alk_partner = (
        set(alk_rows.loc[~alk_rows["Fusion"].str.contains("intragenic"), "Tumor_Sample_Barcode"].str[:9]) & luad_ids
    )
    luad = full.frame[full.frame["oncotree_code"] == "LUAD"]
    d = n_differ(luad.loc[luad["alk"] == "rearranged", "patient_id"], alk_partner)
    assert d == 0
    any_def = load_msk_met(msk_dir, subset="bone_relevant", fusion_definition="any").frame
    any_luad = any_def[any_def["oncotree_code"] == "LUAD"]
    d = n_differ(any_luad.loc[any_luad["alk"] == "rearranged", "patient_id"], alk_any)
    assert d == 0


def test_braf_v600_melanoma(full, raw):
    _, gen, _ = raw
    mel = full.frame[full.frame["primary_site"] == "melanoma"]
    g = gen[gen["sample"].isin(set(mel["patient_id"])) & (gen["chr"] == "chr7")]
    v600 = set(g.loc[(g["from"] <= 140453137) & (g["to"] >= 140453136), "sample"])
    d = n_differ(mel.loc[mel["braf"] == "v600", "patient_id"], v600)
    assert d == 0
    frac = len(v600) / len(mel)
    assert 0.2 < frac < 0.35  # cutaneous-dominated cohort, ~26%


def test_breast_receptors(full, raw, msk_dir):
    f = full.frame[full.frame["primary_site"] == "breast"]
    sub = f["subtype"]
    tn = f[sub.str.endswith("TN")]
    assert (tn["er"] == "negative").all()
    assert (tn["pr"] == "negative").all()
    assert (tn["her2"] == "negative").all()
    hrp = f[sub.str.contains("HR+", regex=False)]
    assert (hrp["hr_status"] == "positive").all()
    assert (hrp["er"] == "unknown").all()
    assert (f.loc[sub.str.contains("HER2+", regex=False), "her2"] == "positive").all()
    assert full.frame.loc[full.frame["primary_site"] != "breast", "er"].isna().all()
    pos = load_msk_met(msk_dir, subset="bone_biopsied", hr_positive_er="positive").frame
    b = pos[pos["primary_site"] == "breast"]
    assert (b.loc[b["hr_status"] == "positive", "er"] == "positive").all()


def test_primary_sites_bone_relevant(msk_dir, raw):
    rel = load_msk_met(msk_dir, subset="bone_relevant")
    assert set(rel.frame["primary_site"].dropna().unique()) <= {
        "lung", "breast", "prostate", "kidney", "thyroid", "melanoma"}
    clin = raw[0]
    ok = clin["OS_MONTHS"].notna()
    assert (rel.frame["oncotree_code"] == "PRAD").sum() == int((ok & (clin["tumor_type"] == "PRAD")).sum())


def test_origin_metastasis_left_truncation(msk_dir, raw):
    clin = raw[0]
    pat = pd.read_csv(msk_dir / "data_clinical_patient.txt", sep="\t", comment="#")
    m = load_msk_met(msk_dir, origin="metastasis", subset="bone_biopsied")
    fr = m.frame
    assert fr["entry_months"].notna().all()
    assert (fr["entry_months"] >= 0).all()
    assert (fr["entry_months"] < fr["time_months"]).all()
    # closed form on the first bone-biopsied patient: entry = 12 x age gap, time = entry + OS
    row = clin[clin["METASTATIC_SITE"] == "Bone"].merge(
        pat[["PATIENT_ID", "AGE_AT_EVIDENCE_OF_METS"]], left_on="sample", right_on="PATIENT_ID")
    row = row[row["AGE_AT_EVIDENCE_OF_METS"] <= row["AGE_AT_SEQUENCING"]].iloc[0]
    got = fr.loc[fr["patient_id"] == row["sample"]].iloc[0]
    # plain floats only in the asserts: a failing assert must not print a row holding an id
    got_entry, got_time = float(got["entry_months"]), float(got["time_months"])
    entry = float(12 * (row["AGE_AT_SEQUENCING"] - row["AGE_AT_EVIDENCE_OF_METS"]))
    time_ = entry + max(float(row["OS_MONTHS"]), ZERO_TIME_MONTHS)
    assert got_entry == pytest.approx(entry, abs=1e-6)
    assert got_time == pytest.approx(time_, abs=1e-6)
    assert "metastasis" in m.metadata["time_origin"]
    from prognosis.cohort.validate import validate_frame

    validate_frame(fr, source="msk_met origin=metastasis")


def test_errors(tmp_path, msk_dir):
    with pytest.raises(DataUnavailableError):
        load_msk_met(tmp_path / "nowhere")
    with pytest.raises(InputError, match="subset"):
        load_msk_met(msk_dir, subset="spine")


def test_missing_column_is_named(tmp_path):
    # synthetic folder: a clinical table lacking OS_MONTHS
    pd.DataFrame({"sample": ["P-1"], "tumor_type": ["LUAD"]}).to_csv(
        tmp_path / "MSK_clinical_data.tsv.gz", sep="\t", index=False)
    for name in ("data_clinical_patient.txt", "MSK_genomic_data.tsv.gz", "data_fusions.txt"):
        (tmp_path / name).write_text("x\n")
    with pytest.raises(ReadError, match="OS_MONTHS"):
        load_msk_met(tmp_path)


def test_call_hotspots_synthetic():
    """Hand-made GRCh37 calls with known protein consequences (HGVS on the reference transcripts)."""
    rows = [
        ("A", "chr7", 55259515, 55259515, "T", "G", "EGFR"),            # L858R
        ("B", "chr7", 55242465, 55242479, "GGAATTAAGAGAAGC", "-", "EGFR"),  # E746_A750del
        ("C", "chr7", 55242470, 55242470, "-", "T", "EGFR"),            # frameshift insertion: not sensitising
        ("D", "chr12", 25398281, 25398281, "C", "T", "KRAS"),           # G13D c.38G>A
        ("E", "chr12", 25398283, 25398283, "A", "G", "KRAS"),           # c.36 third base: G12G synonymous
        ("F", "chr7", 140453136, 140453136, "A", "T", "BRAF"),          # V600E
        ("G", "chr7", 140453135, 140453135, "C", "T", "BRAF"),          # c.1800 synonymous V600V
        ("H", "chr7", 55259524, 55259524, "T", "A", "EGFR"),            # L861Q (extended only)
        ("I", None, None, None, None, None, None),                    # sequenced, no calls
    ]
    g = pd.DataFrame(rows, columns=["sample", "chr", "from", "to", "ref", "alt", "gene"])
    h = call_hotspots(g)
    assert h.loc["A", "egfr_variant"] == "L858R"
    assert h.loc["B", "egfr_variant"] == "exon19_del"
    assert pd.isna(h.loc["C", "egfr_variant"])
    assert bool(h.loc["C", "egfr_any"])
    assert h.loc["D", "kras_codon"] == "G13"
    assert pd.isna(h.loc["E", "kras_codon"])
    assert bool(h.loc["F", "braf_v600"])
    assert not bool(h.loc["G", "braf_v600"])
    assert pd.isna(h.loc["H", "egfr_variant"])
    assert call_hotspots(g, egfr_definition="extended").loc["H", "egfr_variant"] == "L861Q"
    assert "I" in h.index
    assert pd.isna(h.loc["I", "egfr_variant"])


def test_call_fusions_synthetic():
    f = pd.DataFrame({
        "Hugo_Symbol": ["ALK", "EML4", "ALK", "RET", "ROS1"],
        "Tumor_Sample_Barcode": ["P-9999991-T01-IM5", "P-9999991-T01-IM5", "P-9999992-T01-IM5",
                                 "P-9999993-T02-IM6", "P-9999994-T01-IM6"],
        "Fusion": ["EML4-ALK fusion", "EML4-ALK fusion", "ALK-intragenic", "KIF5B-RET fusion - Archer",
                   "CD74-ROS1 fusion"],
    })
    p = call_fusions(f)
    assert p["alk"] == {"P-9999991"}
    assert p["ret"] == {"P-9999993"}
    assert p["ros1"] == {"P-9999994"}
    assert call_fusions(f, definition="any")["alk"] == {"P-9999991", "P-9999992"}
