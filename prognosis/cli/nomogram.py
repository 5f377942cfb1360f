"""``prognosis nomogram``: an rms-style nomogram of a saved Cox model (PNG, SVG or PDF).

    prognosis nomogram --model M.skops --out nomogram.png [--cohort C.csv] [--horizons 6,12]

``--cohort`` (a canonical table) sets the axis ranges of measurements to its 1st-99th
percentiles; without it the display ranges of :data:`prognosis.report.nomogram.DISPLAY_RANGES`
are used. ``--table OUT.csv`` also writes the points of every axis value.
"""
from __future__ import annotations

import argparse


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "nomogram",
        help="draw an rms-style nomogram of a Cox model",
        description="Draw a nomogram (points per item, total points, S(t), median) of a Cox model.",
    )
    p.add_argument("--model", required=True, help="Cox model artifact written by `prognosis fit`")
    p.add_argument("--out", "-o", default="nomogram.png", help="output figure (.png, .svg, .pdf)")
    p.add_argument(
        "--cohort", default=None, help="canonical cohort table whose 1st-99th percentiles set the axis ranges"
    )
    p.add_argument("--horizons", default="6,12", help="months for the S(t) axes, comma-separated")
    p.add_argument("--table", default=None, help="also write the points table (CSV)")
    p.set_defaults(func=run)
    return p


def run(args) -> int:
    from ..errors import InputError, ModelError
    from ..models import load
    from ..models.individual import browser_support
    from ..report.nomogram import nomogram_figure, nomogram_table

    try:
        horizons = [float(h) for h in args.horizons.split(",") if h.strip()]
    except ValueError as exc:
        raise InputError(f"--horizons {args.horizons!r}: expected comma-separated months") from exc
    model = load(args.model)
    why = browser_support(model)
    if why:
        raise ModelError(f"{args.model}: a nomogram needs a Cox pipeline ({why.split(';')[0]})")
    ref = None
    if args.cohort:
        from .. import read_cohort

        ref = read_cohort(args.cohort).frame
    table = nomogram_table(model, ref)
    fig = nomogram_figure(model, horizons=horizons, table=table)
    fig.savefig(args.out, dpi=150, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    if args.table:
        table.to_csv(args.table, index=False)
    print(f"wrote {args.out}")
    return 0
