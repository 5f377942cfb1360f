"""``prognosis fit``: fit a survival model on a cohort table and save it as an artifact.

    prognosis fit --cohort C.csv [--mapping M.yaml] --model cox|rsf|gbm|score:NAME
                  [--features clinical+molecular] [--impute indicator] [--param KEY=VALUE ...]
                  --out M.skops [--seed 0]

The cohort is read and harmonized with :func:`prognosis.read_cohort`; the model is built by
:func:`prognosis.models.make_model` and saved with :func:`prognosis.models.save` (the artifact
stores the feature spec, a checksum of the training cohort -- never the data -- package
versions and date). The printed C-index is *apparent* (on the training data, optimistic);
validate with ``prognosis validate``. Only counts are printed, never patient identifiers.
"""
from __future__ import annotations

import argparse
import json
import sys

from ..errors import InputError


def add_parser(subparsers) -> argparse.ArgumentParser:
    from ..features import FEATURE_SETS
    from ..models.registry import get_model_kind, model_kinds

    kinds = ", ".join(model_kinds())
    listing = "; ".join(f"{k} = {get_model_kind(k).label}" for k in model_kinds())
    p = subparsers.add_parser("fit", help=f"fit a survival model ({kinds}, score:NAME) and save it",
                              description="Fit a survival model on a cohort table and save it (.skops artifact).")
    p.add_argument("--cohort", "-c", required=True, help="cohort table with outcome (.csv, .tsv, .xlsx, .parquet)")
    p.add_argument("--mapping", "-m", default=None, help="mapping file (YAML) for the cohort table")
    p.add_argument("--model", required=True, help=f"{listing}; or score:NAME (e.g. score:revised_tokuhashi)")
    p.add_argument("--features", default="clinical+molecular", choices=sorted(FEATURE_SETS),
                   help="named feature set (default clinical+molecular)")
    p.add_argument("--impute", default="indicator", choices=("indicator", "iterative", "none"),
                   help="missing-value handling fitted on the training data (default indicator)")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                   help="model parameter, e.g. n_estimators=300 or penalizer=0.01 (repeatable)")
    p.add_argument("--min-level-events", type=int, default=None, metavar="N",
                   help="pool 0/1 features (sites, subtypes, levels, binary items) with fewer than N training "
                   "deaths into the reference (default 5, see prognosis.features.builder.MIN_LEVEL_EVENTS; 0 = off)")
    p.add_argument("--out", "-o", required=True, help="output artifact, e.g. model.skops")
    p.add_argument("--seed", type=int, default=0, help="random seed (forest, boosting, iterative imputation)")
    p.set_defaults(func=run)
    return p


def parse_params(items: list[str]) -> dict:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InputError(f"--param {item!r}: expected KEY=VALUE")
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = {"None": None, "True": True, "False": False}.get(value, value)
    return out


def _make(args):
    """The unfitted model of ``--model`` with its parameters, seed and feature options."""
    from ..models import make_model
    from ..models.registry import SCORE_PREFIX, get_model_kind

    params = parse_params(args.param)
    kind = args.model
    if not kind.startswith(SCORE_PREFIX) and get_model_kind(kind).seeded:
        params.setdefault("random_state", args.seed)
    impute = None if args.impute == "none" else args.impute
    fparams = {"seed": args.seed}
    if args.min_level_events is not None:
        if args.min_level_events < 0:
            raise InputError(f"--min-level-events must be >= 0, got {args.min_level_events}")
        fparams["min_level_events"] = args.min_level_events
    return make_model(kind, feature_set=args.features, impute=impute, feature_params=fparams, **params)


def _print_incomplete_totals(model, frame) -> None:
    table = model.compute(frame)
    k = int(table[model.name].isna().sum())
    how = ("scored at the middle of their possible range (missing='midrange', the default)"
           if model.missing == "midrange" else "not scorable")
    print(f"{model.name}: {k} of {len(frame)} patients have an incomplete total (an item not recorded) "
          f"and were {how}")


def _print_pooled_levels(model) -> None:
    fb = model.steps[0][1] if hasattr(model, "steps") else None
    pooled = getattr(fb, "pooled_", {}) if fb is not None else {}
    if pooled:
        print(f"sparse levels (< {fb.min_level_events} training deaths) pooled, not model features:")
        for col, why in pooled.items():
            print(f"  {col}: {why}")
    elif fb is not None:
        print(f"sparse levels: none (every 0/1 feature has >= {fb.min_level_events} training deaths on each side)")


def _print_warnings(caught) -> None:
    """The fit's warnings on stderr, once each; a separation warning in capitals, last."""
    from ..errors import SeparationWarning

    sep = [w for w in caught if issubclass(w.category, SeparationWarning)]
    for msg in dict.fromkeys(str(w.message) for w in caught if w not in sep):
        print(f"warning: {msg}", file=sys.stderr)
    for w in sep:
        print(f"WARNING: {w.message}", file=sys.stderr)


def run(args) -> int:
    import warnings

    import numpy as np

    from .. import read_cohort
    from ..models import save
    from ..models.persistence import frame_checksum
    from ..survival_data import y_from_frame

    cohort = read_cohort(args.cohort, args.mapping)
    frame = cohort.frame
    if len(frame) == 0:
        raise InputError(f"{args.cohort}: no patient left after harmonization; see `prognosis harmonize` "
                         "for the audit of every row")
    y = y_from_frame(frame)
    kind = args.model
    model = _make(args)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(frame, y)
        c = model.score(frame, y)
    path = save(model, args.out, training_data=frame,
                metadata={"seed": args.seed, "model": kind, "features": args.features,
                          "cohort_source": str(cohort.metadata.get("source", "")),
                          "time_origin": cohort.metadata.get("time_origin")})
    n_feat = len(model.feature_names_) if hasattr(model, "feature_names_") else 1
    print(f"fitted {kind} on {len(frame)} patients ({int(y['event'].sum())} deaths), "
          f"{n_feat} features ({args.features if not kind.startswith('score:') else 'score total'})")
    if kind.startswith("score:"):
        _print_incomplete_totals(model, frame)
    _print_pooled_levels(model)
    _print_warnings(caught)
    final = model.steps[-1][1] if hasattr(model, "steps") else model
    if hasattr(final, "coef_") and hasattr(final, "summary_"):
        coef = np.abs(np.asarray(final.coef_, dtype=float))
        print(f"largest |log HR| {coef.max():.2f} ({final.design_names_[int(coef.argmax())]}); "
              f"largest SE {max(final.summary_['se']):.3g}")
    print(f"apparent Harrell C (training data, optimistic): {c:.3f}")
    print(f"training follow-up: up to {float(y['time_months'].max()):.1f} months; "
          f"training cohort sha256 {frame_checksum(frame)[:12]}...")
    print(f"saved {path}")
    changed = int((cohort.audit["action"] != "kept").sum()) if len(cohort.audit) else 0
    if changed:
        print(
            f"note: {changed} value(s) changed or rejected by harmonization (see prognosis harmonize)", file=sys.stderr
        )
    return 0
