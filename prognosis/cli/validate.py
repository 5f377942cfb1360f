"""``prognosis validate``: check a study config, or validate a saved model on a new cohort.

    prognosis validate study.yaml
    prognosis validate --model cox.skops --cohort new.csv --mapping new_mapping.yaml [--out DIR]

The first form checks the config and the cohorts it names (typos, unknown models, horizons
beyond follow-up, columns the scores need) without fitting anything. The second evaluates a
model saved with ``prognosis fit`` on a new cohort: discrimination, Brier/IPA, calibration,
and transport (observed/expected, calibration slope) with recalibration. Patients are never
identified in the output.

Horizons follow the one rule of ``prognosis.study.horizons``: a measure needing S(t) at a
horizon beyond the model's training follow-up or beyond the new cohort's follow-up is left out
with the reason (a ``left_out`` row in ``external_metrics.csv``); Harrell's and Uno's C are always
reported. Default horizons: 3, 6, 12, 24 months, as far as both follow-ups reach. Exit code 1
when a predictor could not be evaluated at all (the error is printed).
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
    p.add_argument("--horizons", type=float, nargs="+", default=None,
                   help="horizons in months (default: 3 6 12 24, those within the follow-up of both the "
                   "model's training data and the new cohort; see prognosis.study.horizons)")
    p.add_argument("--out", help="folder for the result tables (CSV)")
    p.add_argument("--n-boot", type=int, default=200, dest="n_boot",
                   help="bootstrap resamples of the new cohort for the 95%% intervals (default 200; 0 = none)")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (default 0)")
    p.add_argument("--quiet", action="store_true", help="print only errors")
    p.set_defaults(func=run)


def _check_config(args) -> int:
    from ..study.config import check_against_cohorts, load_config
    from ..study.horizons import study_plans
    from ..study.run import load_cohorts

    cfg = load_config(args.config)
    cohorts = load_cohorts(cfg)
    check_against_cohorts(cfg, cohorts)
    times = {r: c.frame["time_months"].to_numpy(float) for r, c in cohorts.items()}
    plans = study_plans(cfg.horizons, cfg.default_horizons, times)
    dca_plans = study_plans(cfg.dca_horizons, False, times)
    if not args.quiet:
        v = cfg.validation
        scheme = (f"bootstrap optimism correction, {v.n_boot} replicates" if v.method == "bootstrap"
                  else f"{v.repeats}x repeated {v.folds}-fold CV")
        if v.method == "temporal":
            scheme = f"temporal: fitted before {v.split}, validated from {v.split} ({v.date_column})"
        print(f"{args.config}: OK")
        for role, c in cohorts.items():
            print(f"  {role}: {len(c)} patients, {int(c.frame['event'].sum())} deaths, "
                  f"longest follow-up {float(c.frame['time_months'].max()):.1f} months")
        print(f"  scores: {', '.join(s.display for s in cfg.scores) or '-'}")
        print(f"  models: {', '.join(f'{m.name} [{m.kind}, {m.features}]' for m in cfg.models) or '-'}")
        kept = plans["development"].kept
        print(f"  horizons: {', '.join(f'{h:g}' for h in kept) or 'none (C-indices only)'} months"
              f"{' (defaults within follow-up)' if cfg.default_horizons else ''}; {scheme}; seed {cfg.seed}")
        for role, plan in plans.items():
            for n in plan.notes():
                print(f"  note: {role} cohort: {n}")
        for role, plan in dca_plans.items():
            for n in plan.notes("decision curves"):
                print(f"  note: {role} cohort: {n}")
        if cfg.allow_missing_features:
            from ..study.config import available_columns, lacking_feature_items

            for role, c in cohorts.items():
                for m in cfg.models:
                    lack = lacking_feature_items(m.features, available_columns(c.frame),
                                                 bool(m.params.get("ecog_to_kps", False)))
                    if lack:
                        print(f"  note: {m.name}: {lack} absent from the {role} cohort: imputed with one "
                              "constant for every patient, so the model does not use them (allow_missing_features: true)")
    return 0


def _external(args) -> int:
    import numpy as np
    import pandas as pd

    from .. import read_cohort
    from ..errors import InputError
    from ..metrics import calibration
    from ..models import load
    from ..study.horizons import model_max_time, plan_horizons
    from ..study.run import external_measures
    from ..study.scoring import split_key
    from ..survival_data import y_from_frame

    if not args.cohort:
        raise InputError("--model needs --cohort (the new cohort's table)")
    model = load(args.model)
    cohort = read_cohort(args.cohort, args.mapping)
    frame = cohort.frame.reset_index(drop=True)
    if len(frame) == 0:
        raise InputError(f"{Path(args.cohort).name}: no patient left after harmonization; see "
                         "`prognosis harmonize` for the audit of every row")
    y = y_from_frame(frame)
    # model inputs the new cohort does not record at all are imputed for every patient: say so
    from ..study.config import available_columns

    fb = model.steps[0][1] if hasattr(model, "steps") else None
    absent = [c for c in getattr(fb, "observed_columns_", []) if c not in available_columns(frame)]
    # the one horizon rule (prognosis.study.horizons): S(t)-based measures only where both the
    # model's training follow-up and the new cohort's follow-up reach t; C-indices always
    plan = plan_horizons(args.horizons, y["time_months"], model_max=model_max_time(model),
                         cohort=Path(args.cohort).name)
    horizons = list(plan.kept)
    name = Path(args.model).stem
    # the censoring weights come from the new cohort itself (the training data are not stored)
    metrics, transport = external_measures({name: model}, frame, y, y, horizons, calibration_fn=calibration,
                                           n_boot=getattr(args, "n_boot", 200), seed=getattr(args, "seed", 0))
    if "note" not in metrics.columns:
        metrics["note"] = ""
    from ..study.validation import external_counts

    counts, count_warnings = external_counts(y, horizons)
    mh = metrics["metric"].map(split_key)
    metrics["metric"] = [m for m, _ in mh]
    metrics["horizon"] = [h for _, h in mh]
    from ..study.updating import validation_size_check

    _, size_warning = validation_size_check(model, frame, y, horizon=min([12.0, *horizons]))
    if size_warning:
        print(f"warning: {size_warning}", file=sys.stderr)
    left = pd.DataFrame([{"predictor": name, "metric": "left_out", "value": np.nan, "note": r, "horizon": h}
                         for h, r in plan.left_out.items()])
    if len(left):
        metrics = pd.concat([metrics, left], ignore_index=True)
    err = metrics[metrics["metric"] == "error"]
    if not args.quiet:
        print(f"External validation of {args.model} on {Path(args.cohort).name}: {len(frame)} patients, "
              f"{int(y['event'].sum())} deaths")
        print("horizons: " + (", ".join(f"{h:g}" for h in horizons) + " months" if horizons else
                              "none (only C-indices can be computed)")
              + (" (default 3, 6, 12, 24 months within follow-up)" if plan.default else ""))
        for note in plan.notes():
            print(f"note: {note}")
        if absent:
            print(f"note: {len(absent)} model input(s) not recorded in {Path(args.cohort).name}, imputed with the "
                  f"training value for every patient: {absent}")
        ok = metrics[~metrics["metric"].isin(["error", "left_out"])]
        with pd.option_context("display.width", 160, "display.max_columns", 30):
            cidx = ok[ok["metric"].isin(["harrell_c", "uno_c"])][["metric", "value"]]
            if len(cidx):
                print(cidx.to_string(index=False))
            timed = ok[~ok["metric"].isin(["harrell_c", "uno_c"])]
            if len(timed):
                wide = timed.pivot_table(index="horizon", columns="metric", values="value", dropna=False)
                print(wide.dropna(how="all").round(3).to_string())
            if len(transport):
                print("\nTransport and recalibration (O/E = observed/expected deaths; slope 1 = ideal):")
                print(transport.drop(columns=[c for c in ("predictor",) if c in transport.columns])
                      .round(3).to_string(index=False))
            if len(counts):
                print("\nPatients and deaths (before each horizon):")
                print(counts.to_string(index=False))
            ci = ok.dropna(subset=["value"])
            if "ci_low" in ci.columns and ci["ci_low"].notna().any():
                print(f"\n95% bootstrap intervals ({getattr(args, 'n_boot', 200)} resamples of the new cohort):")
                print(ci[["metric", "horizon", "value", "ci_low", "ci_high"]].round(3).to_string(index=False))
        for w in count_warnings:
            print(f"warning: {w}", file=sys.stderr)
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
    return 1 if len(err) else 0


def run(args) -> int:
    from ..errors import InputError

    if args.model:
        return _external(args)
    if not args.config:
        raise InputError("give a study config (prognosis validate study.yaml) or --model M.skops --cohort NEW.csv")
    return _check_config(args)
