"""Molecular status from the MSK-IMPACT calls: hotspot mutations (EGFR, KRAS, BRAF) and
rearrangements (ALK, ROS1, RET), with each hotspot's genomic coordinates cited.

Every MSK-MET patient was sequenced with MSK-IMPACT (IMPACT341/410/468; Cheng DT et al., J Mol
Diagn 2015;17:251-64; Zehir A et al., Nat Med 2017;23:703-13); all three panels cover EGFR,
KRAS, BRAF, ALK, ROS1 and RET (ALK/ROS1/RET with intron tiling for rearrangements). A patient
with a panel but no call is therefore "wildtype"/"negative"; a patient absent from the mutation
table is "unknown" for every gene (:func:`genotype_columns`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import InputError

__all__ = ["EGFR_L858R", "EGFR_L861Q", "EGFR_G719_POSITIONS", "EGFR_EXON19", "KRAS_G12_POSITIONS",
           "KRAS_G13_POSITIONS", "BRAF_V600_POSITIONS", "EGFR_DEFINITIONS", "FUSION_DEFINITIONS",
           "call_hotspots", "call_fusions", "genotype_columns"]

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



def genotype_columns(samples: pd.Series, gene_panel: pd.Series, genomic: pd.DataFrame, fusions: pd.DataFrame, *,
                     egfr_definition: str = "classic", fusion_definition: str = "partner"
                     ) -> tuple[pd.DataFrame, pd.Series]:
    """Canonical molecular columns of the patients ``samples`` (one row each, same index).

    Returns ``(columns, sequenced)``: ``egfr`` (mutant / wildtype / unknown),
    ``egfr_variant``, ``egfr_other_mutation``, ``kras``, ``kras_codon``, ``braf`` (v600 /
    wildtype / unknown), ``alk``, ``ros1``, ``ret`` (rearranged / negative / unknown); and the
    mask of patients with a gene panel and a row in the mutation table (the others are
    "unknown" for every gene).
    """
    hs = call_hotspots(genomic, egfr_definition=egfr_definition)
    fus = call_fusions(fusions, definition=fusion_definition)
    sequenced = samples.isin(hs.index) & gene_panel.notna()
    hsr = hs.reindex(samples.to_numpy())
    hsr.index = samples.index

    def status(pos_mask, pos, neg):
        s = pd.Series(np.where(pos_mask, pos, neg), index=samples.index, dtype="object")
        return s.where(sequenced, "unknown")

    f = pd.DataFrame(index=samples.index)
    f["egfr"] = status(hsr["egfr_variant"].notna().to_numpy(), "mutant", "wildtype")
    f["egfr_variant"] = hsr["egfr_variant"].astype("string").where(sequenced)
    other = hsr["egfr_any"].astype("boolean").fillna(False).astype(bool) & hsr["egfr_variant"].isna()
    f["egfr_other_mutation"] = other.astype("boolean").where(sequenced)
    f["kras"] = status(hsr["kras_codon"].notna().to_numpy(), "mutant", "wildtype")
    f["kras_codon"] = hsr["kras_codon"].astype("string").where(sequenced)
    f["braf"] = status(hsr["braf_v600"].astype("boolean").fillna(False).astype(bool).to_numpy(), "v600", "wildtype")
    # fusions are called on the same DNA panel; a patient without genomic data is unknown
    f["alk"] = status(samples.isin(fus["alk"]).to_numpy(), "rearranged", "negative")
    f["ros1"] = status(samples.isin(fus["ros1"]).to_numpy(), "rearranged", "negative")
    f["ret"] = pd.Categorical(status(samples.isin(fus["ret"]).to_numpy(), "rearranged", "negative"),
                              categories=["rearranged", "negative", "unknown"])
    return f, sequenced
