"""``prognosis harmonize IN --mapping M --out OUT.parquet``: canonical table + audit CSV."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import InputError


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "harmonize",
        help="turn an institutional table into the canonical cohort table (+ audit)",
        description="Read IN (.csv/.tsv/.txt/.xlsx/.parquet), apply the mapping, write the canonical "
        "cohort to OUT (.parquet or .csv) and the audit (row positions, never patient ids) to "
        "OUT.audit.csv. Prints the cohort summary.",
    )
    p.add_argument("input", metavar="IN", help="institutional table")
    p.add_argument("--mapping", "-m", metavar="M", help="mapping YAML (see data/examples/mapping_example.yaml)")
    p.add_argument("--out", "-o", metavar="OUT", required=True, help="output table, .parquet (default) or .csv")
    p.add_argument("--cohort", metavar="LABEL", help="cohort label (overrides the mapping)")
    p.add_argument("--quiet", "-q", action="store_true", help="do not print the summary")
    p.set_defaults(func=run)
    return p


def audit_path(out: Path) -> Path:
    """``OUT.audit.csv`` next to ``OUT`` (``cohort.parquet`` -> ``cohort.audit.csv``)."""
    return out.with_name(out.stem + ".audit.csv")


def run(args) -> int:
    from ..cohort.harmonize import read_cohort

    out = Path(args.out)
    if out.suffix.lower() not in (".parquet", ".csv"):
        raise InputError(f"--out {out.name}: use a .parquet or .csv file name.")
    if not out.parent.exists():
        raise InputError(f"--out {out}: folder {out.parent} does not exist.")
    cohort = read_cohort(args.input, args.mapping, cohort=args.cohort)
    if out.suffix.lower() == ".parquet":
        cohort.to_parquet(out)
    else:
        cohort.frame.to_csv(out, index=False)
    apath = audit_path(out)
    cohort.audit.to_csv(apath, index=False)
    if len(cohort.frame) == 0:
        import sys

        print(f"prognosis harmonize: warning: every row of {Path(args.input).name} was rejected; "
              f"see {audit_path(out).name}", file=sys.stderr)
    if not args.quiet:
        print(cohort.summary())
        print(f"wrote {out} ({len(cohort.frame)} rows) and {apath} ({len(cohort.audit)} records)")
    return 0
