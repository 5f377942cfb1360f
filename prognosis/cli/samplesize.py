"""``prognosis samplesize``: minimum sample size to develop or to externally validate a survival model.

    prognosis samplesize --rsquared 0.051 --parameters 30 --rate 0.065 --timepoint 2 --meanfup 2.07
    prognosis samplesize --validation --risk 0.5 --cstatistic 0.75 [--event-fraction 0.6] [--sd-lp 1.1]

Development: Riley et al., BMJ 2020;368:m441, criteria 1-3 (each printed, and the binding one).
Validation: Riley et al., Stat Med 2021;40:4230 and 2022;41:1280 (precise O/E, calibration slope
and C-index). See :mod:`prognosis.samplesize` for the formulas.
"""
from __future__ import annotations

import argparse


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "samplesize",
        help="minimum sample size to develop (Riley 2020) or validate a survival model",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--validation", action="store_true", help="external validation instead of development")
    g = p.add_argument_group("development (Riley et al. BMJ 2020)")
    g.add_argument("--rsquared", type=float, help="anticipated Cox-Snell R-squared")
    g.add_argument("--parameters", type=int, help="number of candidate predictor parameters")
    g.add_argument("--rate", type=float, help="overall event rate per time unit")
    g.add_argument("--timepoint", type=float, help="horizon of interest (same time unit)")
    g.add_argument("--meanfup", type=float, help="anticipated mean follow-up (same time unit)")
    g.add_argument("--shrinkage", type=float, default=0.9, help="target shrinkage (default 0.9)")
    v = p.add_argument_group("external validation (Riley et al. 2021/2022)")
    v.add_argument("--risk", type=float, help="anticipated event probability by the horizon, 1 - S(t)")
    v.add_argument("--cstatistic", type=float, help="anticipated C-index in the new population")
    v.add_argument("--event-fraction", type=float, default=None,
                   help="proportion dying during follow-up (default: --risk)")
    v.add_argument("--sd-lp", type=float, default=None, help="SD of the linear predictor (default: from C)")
    v.add_argument("--oe-ciwidth", type=float, default=0.2, help="95%% CI width for O/E (default 0.2)")
    v.add_argument("--slope-ciwidth", type=float, default=0.2, help="95%% CI width for the slope (default 0.2)")
    v.add_argument("--c-ciwidth", type=float, default=0.1, help="95%% CI width for C (default 0.1)")
    p.set_defaults(func=run)


def run(args) -> int:
    from .. import samplesize
    from ..errors import InputError

    if args.validation:
        missing = [f"--{n}" for n in ("risk", "cstatistic") if getattr(args, n) is None]
        if missing:
            raise InputError(f"--validation needs {', '.join(missing)}")
        res = samplesize.validation(args.risk, args.cstatistic, event_fraction=args.event_fraction,
                                    sd_lp=args.sd_lp, oe_ciwidth=args.oe_ciwidth,
                                    slope_ciwidth=args.slope_ciwidth, c_ciwidth=args.c_ciwidth)
    else:
        missing = [f"--{n}" for n in ("rsquared", "parameters", "rate", "timepoint", "meanfup")
                   if getattr(args, n) is None]
        if missing:
            raise InputError(f"development sample size needs {', '.join(missing)} (or pass --validation)")
        res = samplesize.development(args.rsquared, args.parameters, args.rate, args.timepoint, args.meanfup,
                                     shrinkage=args.shrinkage)
    print(res.summary())
    return 0
