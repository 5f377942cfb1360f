"""``prognosis noms``: the NOMS framework's category for every patient of a table.

    prognosis noms IN [--mapping M] [--survival SCORE] [--escc-1c-as low|high]
                      [--intermediate-as sensitive|resistant|none] [--instability unstable|indeterminate]
                      [--out OUT.csv] [--no-ids]

Writes one row per kept input row: ``input_row``, ``patient_id`` (unless ``--no-ids``), then the
columns of :func:`prognosis.noms.assess` (neurologic, oncologic, mechanical, systemic,
``noms_category`` and ``noms_rule``). The category is the published framework's category
(Laufer et al., Oncologist 2013), never a treatment recommendation; the terminal summary says so
and gives counts only (no identifiers).
"""
from __future__ import annotations

import argparse
import sys

import pandas as pd


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "noms",
        help="NOMS framework category (neurologic, oncologic, mechanical, systemic) per patient",
        description="Place every patient of IN in the NOMS framework (Laufer et al., Oncologist 2013) "
        "with the rule that decided it. Output: the framework's category, not a treatment recommendation.",
    )
    p.add_argument("input", metavar="IN", help="cohort table (.csv, .tsv, .xlsx, .parquet)")
    p.add_argument("--mapping", "-m", default=None, help="mapping file (YAML) for IN")
    p.add_argument("--survival", default=None, metavar="SCORE",
                   help="systemic input: a score with published median survival per group "
                   "(e.g. van_der_linden); default: not assessed")
    p.add_argument("--escc-1c-as", choices=("low", "high"), default=None,
                   help="how to read the debated ESCC grade 1c (default: undetermined)")
    p.add_argument("--intermediate-as", choices=("sensitive", "resistant", "none"), default="sensitive",
                   help="breast, prostate, ovary, neuroendocrine primaries (default: sensitive)")
    p.add_argument("--instability", choices=("unstable", "indeterminate"), default="unstable",
                   help="SINS group from which stabilization enters the category (default: unstable, 13-18)")
    p.add_argument("--out", "-o", default=None, help="output CSV (default: standard output)")
    p.add_argument("--no-ids", action="store_true", help="leave patient_id out of the output")
    p.set_defaults(func=run)
    return p


def run(args) -> int:
    from ..noms import LABEL, assess
    from .score import read_keyed

    cohort, parts = read_keyed(args.input, args.mapping, no_ids=args.no_ids)
    frame = cohort.frame
    res = assess(frame, survival=args.survival, escc_1c_as=args.escc_1c_as,
                 intermediate_as=None if args.intermediate_as == "none" else args.intermediate_as,
                 instability=args.instability)
    out = pd.concat(parts + [res], axis=1)
    out.to_csv(args.out if args.out else sys.stdout, index=False)
    counts = res["noms_category"].value_counts(dropna=False)
    summary = ", ".join(f"{'undetermined' if pd.isna(k) else k}: {int(v)}" for k, v in counts.items())
    print(f"prognosis noms: {len(frame)} patients; {summary}.\n  Each category is the {LABEL}.",
          file=sys.stderr)
    return 0
