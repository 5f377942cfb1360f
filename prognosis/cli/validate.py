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


def _print_config_summary(args, cfg, cohorts, plans, dca_plans) -> None:
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


def _print_missing_features(cfg, cohorts) -> None:
    from ..study.config import available_columns, lacking_feature_items

    for role, c in cohorts.items():
        for m in cfg.models:
            lack = lacking_feature_items(m.features, available_columns(c.frame),
                                         bool(m.params.get("ecog_to_kps", False)))
            if lack:
                print(f"  note: {m.name}: {lack} absent from the {role} cohort: imputed with one constant for every "
                      "patient, so the model does not use them (allow_missing_features: true)")


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
        _print_config_summary(args, cfg, cohorts, plans, dca_plans)
        if cfg.allow_missing_features:
            _print_missing_features(cfg, cohorts)
    return 0


def _measure_tables(ok):
    """The horizon-free measures, the per-horizon ones (one row per horizon, one column per
    measure in catalogue order) and the bootstrap intervals, labelled and rounded by the catalogue."""
    import numpy as np
    import pandas as pd

    from ..metrics import catalogue

    free = ok[ok["horizon"].isna()]
    cidx = pd.DataFrame({"measure": free["metric"].map(catalogue.label), "metric": free["metric"],
                         "value": [catalogue.format_value(v, decimals=catalogue.decimals(m))
                                   for m, v in zip(free["metric"], free["value"], strict=True)]})
    timed = ok[ok["horizon"].notna()]
    wide = catalogue.wide(timed, lambda r: catalogue.format_value(r["value"], decimals=catalogue.decimals(r["metric"])),
                          index=[], by_horizon=True) if len(timed) else pd.DataFrame()
    ci = ok.dropna(subset=["value"])
    if "ci_low" in ci.columns and ci["ci_low"].notna().any():
        ci = ci.assign(measure=ci["metric"].map(catalogue.label),
                       **{"value (95% CI)": [catalogue.format_value(r["value"], r["ci_low"], r["ci_high"],
                                                                    catalogue.decimals(r["metric"]))
                                             for _, r in ci.iterrows()]})
        ci = ci.assign(_o=[catalogue.order(m) for m in ci["metric"]]).sort_values(["_o", "horizon"], kind="stable")
        ci = ci.assign(horizon=ci["horizon"].map(lambda h: f"{h:g}" if np.isfinite(h) else "–"))
        ci = ci[["measure", "horizon", "value (95% CI)"]]
    else:
        ci = pd.DataFrame()
    return cidx, wide, ci


def _print_external(args, name_of_cohort, frame, y, horizons, plan, absent, metrics, transport, counts) -> None:
    import pandas as pd

    print(f"External validation of {args.model} on {name_of_cohort}: {len(frame)} patients, "
          f"{int(y['event'].sum())} deaths")
    print("horizons: " + (", ".join(f"{h:g}" for h in horizons) + " months" if horizons else
                          "none (only C-indices can be computed)")
          + (" (default 3, 6, 12, 24 months within follow-up)" if plan.default else ""))
    for note in plan.notes():
        print(f"note: {note}")
    if absent:
        print(f"note: {len(absent)} model input(s) not recorded in {name_of_cohort}, imputed with the "
              f"training value for every patient: {absent}")
    cidx, wide, ci = _measure_tables(metrics[~metrics["metric"].isin(["error", "left_out"])])
    with pd.option_context("display.width", 160, "display.max_columns", 30):
        for table in (cidx, wide):
            if len(table):
                print(table.to_string(index=False))
        if len(transport):
            print("\nTransport and recalibration (O/E = observed/expected deaths; slope 1 = ideal):")
            print(transport.drop(columns=[c for c in ("predictor",) if c in transport.columns])
                  .round(3).to_string(index=False))
        if len(counts):
            print("\nPatients and deaths (before each horizon):")
            print(counts.to_string(index=False))
        if len(ci):
            print(f"\n95% bootstrap intervals ({getattr(args, 'n_boot', 200)} resamples of the new cohort):")
            print(ci.to_string(index=False))


def _write_external(out: Path, metrics, transport, counts, quiet: bool) -> None:
    out.mkdir(parents=True, exist_ok=True)
    metrics.to_csv(out / "external_metrics.csv", index=False, float_format="%.10g", lineterminator="\n")
    transport.to_csv(out / "transport.csv", index=False, float_format="%.10g", lineterminator="\n")
    counts.to_csv(out / "external_counts.csv", index=False, float_format="%.10g", lineterminator="\n")
    if not quiet:
        print(f"tables written to {out}/")


def _read_external(args):
    """The saved model, the new cohort's frame and outcome, and the model inputs it lacks."""
    from .. import read_cohort
    from ..errors import InputError
    from ..models import load
    from ..study.config import available_columns
    from ..survival_data import y_from_frame

    if not args.cohort:
        raise InputError("--model needs --cohort (the new cohort's table)")
    model = load(args.model)
    cohort = read_cohort(args.cohort, args.mapping)
    frame = cohort.frame.reset_index(drop=True)
    if len(frame) == 0:
        raise InputError(f"{Path(args.cohort).name}: no patient left after harmonization; see "
                         "`prognosis harmonize` for the audit of every row")
    # model inputs the new cohort does not record at all are imputed for every patient: say so
    fb = model.steps[0][1] if hasattr(model, "steps") else None
    absent = [c for c in getattr(fb, "observed_columns_", []) if c not in available_columns(frame)]
    return model, frame, y_from_frame(frame), absent


def _external(args) -> int:
    import numpy as np
    import pandas as pd

    from ..metrics import calibration, catalogue
    from ..study.horizons import model_max_time, plan_horizons
    from ..study.run import external_measures
    from ..study.updating import validation_size_check
    from ..study.validation import external_counts

    model, frame, y, absent = _read_external(args)
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
    counts, count_warnings = external_counts(y, horizons)
    # tidy rows; the horizon column stays last, where the CSV has always had it
    metrics = catalogue.tidy(metrics)
    metrics = metrics[[c for c in metrics.columns if c != "horizon"] + ["horizon"]]
    _, size_warning = validation_size_check(model, frame, y, horizon=min([12.0, *horizons]))
    if size_warning:
        print(f"warning: {size_warning}", file=sys.stderr)
    left = pd.DataFrame([{"predictor": name, "metric": "left_out", "value": np.nan, "note": r, "horizon": h}
                         for h, r in plan.left_out.items()])
    if len(left):
        metrics = pd.concat([metrics, left], ignore_index=True)
    err = metrics[metrics["metric"] == "error"]
    if not args.quiet:
        _print_external(args, Path(args.cohort).name, frame, y, horizons, plan, absent, metrics, transport, counts)
        for w in count_warnings:
            print(f"warning: {w}", file=sys.stderr)
    for _, r in err.iterrows():
        print(f"error: {r['note']}", file=sys.stderr)
    if args.out:
        _write_external(Path(args.out), metrics, transport, counts, args.quiet)
    return 1 if len(err) else 0


def run(args) -> int:
    from ..errors import InputError

    if args.model:
        return _external(args)
    if not args.config:
        raise InputError("give a study config (prognosis validate study.yaml) or --model M.skops --cohort NEW.csv")
    return _check_config(args)
