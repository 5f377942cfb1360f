"""``prognosis validate``: check a study config, or validate a saved model on a new cohort.

    prognosis validate study.yaml
    prognosis validate --model cox.skops --cohort new.csv --mapping new_mapping.yaml [--out DIR]

The first form checks the config and the cohorts it names (typos, unknown models, horizons
beyond follow-up, columns the scores need) without fitting anything. The second evaluates a
model saved with ``prognosis fit`` on a new cohort: discrimination, Brier/IPA, calibration,
and transport (observed/expected, calibration slope) with recalibration. Patients are never
identified in the output.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "validate", help="check a study config, or externally validate a saved model on a new cohort",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("config", nargs="?", help="study config (YAML) to check")
    p.add_argument("--model", help="saved model (.skops) for external validation")
    p.add_argument("--cohort", help="new cohort table (.csv, .tsv, .xlsx, .parquet)")
    p.add_argument("--mapping", help="mapping YAML for the new cohort")
    p.add_argument("--horizons", type=float, nargs="+", default=[3, 6, 12, 24],
                   help="horizons in months (default 3 6 12 24)")
    p.add_argument("--out", help="folder for the result tables (CSV)")
    p.add_argument("--n-boot", type=int, default=200, dest="n_boot",
                   help="bootstrap resamples of the new cohort for the 95%% intervals (default 200; 0 = none)")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (default 0)")
    p.add_argument("--quiet", action="store_true", help="print only errors")
    p.set_defaults(func=run)


def _check_config(args) -> int:
    from ..study.config import check_against_cohorts, load_config
    from ..study.run import load_cohorts

    cfg = load_config(args.config)
    cohorts = load_cohorts(cfg)
    check_against_cohorts(cfg, cohorts)
    if not args.quiet:
        v = cfg.validation
        scheme = (f"bootstrap optimism correction, {v.n_boot} replicates" if v.method == "bootstrap"
                  else f"{v.repeats}x repeated {v.folds}-fold CV")
        print(f"{args.config}: OK")
        for role, c in cohorts.items():
            print(f"  {role}: {len(c)} patients, {int(c.frame['event'].sum())} deaths, "
                  f"longest follow-up {float(c.frame['time_months'].max()):.1f} months")
        print(f"  scores: {', '.join(s.display for s in cfg.scores) or '-'}")
        print(f"  models: {', '.join(f'{m.name} [{m.kind}, {m.features}]' for m in cfg.models) or '-'}")
        print(f"  horizons: {', '.join(f'{h:g}' for h in cfg.horizons)} months; {scheme}; seed {cfg.seed}")
    return 0


def _external(args) -> int:
    import pandas as pd

    from .. import read_cohort
    from ..errors import InputError
    from ..metrics import calibration
    from ..models import load
    from ..study.scoring import StudyScorer, split_key
    from ..study.validation import external_validation
    from ..survival_data import y_from_frame

    if not args.cohort:
        raise InputError("--model needs --cohort (the new cohort's table)")
    model = load(args.model)
    cohort = read_cohort(args.cohort, args.mapping)
    frame = cohort.frame.reset_index(drop=True)
    y = y_from_frame(frame)
    tmax = float(frame["time_months"].max())
    beyond = [h for h in args.horizons if h > tmax]
    if beyond:
        raise InputError(f"horizon(s) {beyond} months beyond the longest follow-up of {args.cohort} "
                         f"({tmax:.1f} months); pass --horizons with earlier times")
    scorer = StudyScorer(args.horizons)
    # the censoring weights come from the new cohort itself (the training data are not stored)
    metrics, transport = external_validation({Path(args.model).stem: model}, frame, y, y, scorer,
                                             args.horizons, calibration_fn=calibration,
                                             n_boot=getattr(args, "n_boot", 200), seed=getattr(args, "seed", 0))
    from ..study.validation import external_counts

    counts, count_warnings = external_counts(y, args.horizons)
    mh = metrics["metric"].map(split_key)
    metrics["metric"] = [m for m, _ in mh]
    metrics["horizon"] = [h for _, h in mh]
    if not args.quiet:
        print(f"External validation of {args.model} on {Path(args.cohort).name}: {len(frame)} patients, "
              f"{int(y['event'].sum())} deaths")
        wide = metrics[metrics["metric"] != "error"].pivot_table(index="horizon", columns="metric", values="value",
                                                                 dropna=False)
        with pd.option_context("display.width", 160, "display.max_columns", 30):
            print(metrics[metrics["metric"].isin(["harrell_c", "uno_c"])][["metric", "value"]].to_string(index=False))
            print(wide.drop(columns=[c for c in ("harrell_c", "uno_c") if c in wide.columns]).dropna(how="all")
                  .round(3).to_string())
            print("\nTransport and recalibration (O/E = observed/expected deaths; slope 1 = ideal):")
            print(transport.drop(columns=["predictor"]).round(3).to_string(index=False))
            print("\nPatients and deaths (before each horizon):")
            print(counts.to_string(index=False))
            ci = metrics[metrics["metric"] != "error"].dropna(subset=["value"])
            print(f"\n95% bootstrap intervals ({getattr(args, 'n_boot', 200)} resamples of the new cohort):")
            print(ci[["metric", "horizon", "value", "ci_low", "ci_high"]].round(3).to_string(index=False))
        for w in count_warnings:
            print(f"warning: {w}", file=sys.stderr)
        err = metrics[metrics["metric"] == "error"]
        for _, r in err.iterrows():
            print(f"error: {r['note']}", file=sys.stderr)
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        metrics.to_csv(out / "external_metrics.csv", index=False, float_format="%.10g", lineterminator="\n")
        transport.to_csv(out / "transport.csv", index=False, float_format="%.10g", lineterminator="\n")
        counts.to_csv(out / "external_counts.csv", index=False, float_format="%.10g", lineterminator="\n")
        if not args.quiet:
            print(f"tables written to {out}/")
    return 0


def run(args) -> int:
    from ..errors import InputError

    if args.model:
        return _external(args)
    if not args.config:
        raise InputError("give a study config (prognosis validate study.yaml) or --model M.skops --cohort NEW.csv")
    return _check_config(args)
