"""``prognosis update``: update a saved model on a new cohort and save it with its lineage.

    prognosis update --model M.skops --cohort NEW.csv [--mapping NEW.yaml]
                     [--method auto|intercept|slope|revision|refit] [--revise COL ...]
                     [--horizons 12] [--boot N] [--seed 0] --out M2.skops

Methods (see :mod:`prognosis.models.update`): recalibration in the large (baseline hazard
re-estimated), slope recalibration, revision of selected coefficients, refit; ``auto`` (default)
chooses by the closed testing procedure of Vergouwe et al. (Stat Med 2017) adapted to Cox
models, and every test is printed. Calibration slope, O/E and Harrell C on the new cohort are
printed before and after; after revision, refit or auto they are also corrected for optimism by
bootstrapping the whole update (``--boot``, default 50). The new artifact's metadata records the
lineage: parent artifact sha256, method, cohort checksum and date (plus the parent's lineage).
A warning is printed when the cohort is below the minimum external-validation sample size.
"""
from __future__ import annotations

import argparse
import sys


def add_parser(subparsers) -> None:
    from ..models.update import UPDATE_METHODS

    p = subparsers.add_parser("update", help="update (recalibrate / revise / refit) a saved model on a new cohort",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="saved model (.skops) to update")
    p.add_argument("--cohort", required=True, help="new cohort table (.csv, .tsv, .xlsx, .parquet)")
    p.add_argument("--mapping", default=None, help="mapping YAML for the new cohort")
    p.add_argument("--method", default="auto", choices=UPDATE_METHODS, help="update method (default auto)")
    p.add_argument("--alpha", type=float, default=0.05, help="level of the closed-testing tests (default 0.05)")
    p.add_argument("--revise", nargs="+", default=None, metavar="COLUMN",
                   help="design columns to re-estimate with --method revision (default: selected by tests)")
    p.add_argument(
        "--horizons", type=float, nargs="+", default=[12.0], help="calibration horizons in months (default 12)"
    )
    p.add_argument("--boot", type=int, default=None,
                   help="bootstrap replicates for the optimism correction (default 50 for revision/refit/auto, else 0)")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    p.add_argument("--out", required=True, help="output artifact for the updated model")
    p.set_defaults(func=run)


def run(args) -> int:
    import pandas as pd

    from .. import read_cohort
    from ..cohort.readers import sha256_of
    from ..errors import InputError
    from ..models import load, save, update
    from ..models.persistence import frame_checksum, read_metadata
    from ..study.updating import update_performance, validation_size_check
    from ..survival_data import y_from_frame

    model = load(args.model)
    parent_meta = read_metadata(args.model)
    cohort = read_cohort(args.cohort, args.mapping)
    frame = cohort.frame.reset_index(drop=True)
    y = y_from_frame(frame)
    tmax = float(frame["time_months"].max())
    beyond = [h for h in args.horizons if h > tmax]
    if beyond:
        raise InputError(f"horizon(s) {beyond} months beyond the longest follow-up of {args.cohort} "
                         f"({tmax:.1f} months); pass --horizons with earlier times")
    print(f"Updating {args.model} on {args.cohort}: {len(frame)} patients, {int(y['event'].sum())} deaths, "
          f"follow-up up to {tmax:.1f} months")
    _, warn = validation_size_check(model, frame, y, horizon=args.horizons[0])
    if warn:
        print(f"warning: {warn}", file=sys.stderr)
    new, report = update(model, frame, y, method=args.method, alpha=args.alpha, revise=args.revise)
    print(report.summary())
    perf = update_performance(model, new, report, frame, y, horizons=args.horizons, n_boot=args.boot,
                              seed=args.seed, revise=args.revise)
    show = perf[["metric", "before", "after", "after_corrected", "n_boot"]].copy()
    show.columns = ["metric", "original model", "updated (apparent)", "updated (optimism-corrected)", "bootstrap"]
    print("\nPerformance on the new cohort (calibration slope and O/E: 1 = ideal):")
    with pd.option_context("display.width", 160):
        print(show.round(3).to_string(index=False, na_rep="-"))
    if (perf["n_boot"] == 0).all() and report.method in ("intercept", "slope"):
        print("(intercept/slope updates estimate 1-2 parameters; apparent figures shown; --boot N to correct them)")
    corr = perf[perf["metric"].str.startswith("calibration_slope")]["after_corrected"].dropna()
    if len(corr) and (corr < 0.9).any():
        print(f"warning: optimism-corrected calibration slope {corr.min():.2f} < 0.9 after {report.method!r}: the "
              "update overfits this cohort (predictions too extreme for new patients); consider --method slope "
              "or a revision of fewer columns", file=sys.stderr)
    for n in perf.get("note", pd.Series(dtype=str)):
        if n:
            print(f"note: {n}", file=sys.stderr)
    extra = dict(parent_meta.get("extra") or {})
    chain = list(extra.pop("lineage", []) or [])
    if isinstance(chain, dict):
        chain = [chain]
    chain.append(report.lineage(parent_sha256=sha256_of(args.model), cohort_checksum=frame_checksum(frame)))
    chain[-1]["cohort_file_sha256"] = str(cohort.metadata.get("sha256", "") or "")
    extra["lineage"] = chain
    path = save(new, args.out, training_data=frame, metadata=extra)
    print(f"\nsaved {path} (method {report.method!r}; lineage: {len(chain)} update(s), parent sha256 "
          f"{chain[-1]['parent_sha256'][:12]}...)")
    return 0
