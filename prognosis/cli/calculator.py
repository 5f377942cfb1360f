"""``prognosis calculator``: one self-contained HTML calculator for a saved Cox model.

    prognosis calculator --model M.skops --out calc.html

The page computes in the browser (no server, no network: a Content-Security-Policy forbids
every request) the classic scores item by item and the model's S(t) with its 95% confidence
band, the median survival and S at 3, 6, 12 and 24 months. Open it with the patient in the URL
query string by canonical column names, e.g. ``calc.html?age_years=62&kps=70&primary_site=lung``.
Forests and boosting cannot run in a browser: the command says so and points to
``prognosis serve``.
"""
from __future__ import annotations

import argparse


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("calculator", help="write a self-contained offline HTML calculator for a Cox model",
                              description="Write one HTML file that computes scores and the Cox model's "
                              "S(t) for one patient in the browser, offline.")
    p.add_argument("--model", required=True, help="model artifact written by `prognosis fit` (Cox)")
    p.add_argument("--out", "-o", default="calc.html", help="output HTML file (default calc.html)")
    p.add_argument("--title", default=None, help="page title")
    p.set_defaults(func=run)
    return p


def run(args) -> int:
    from pathlib import Path

    from ..errors import ModelError
    from ..models import load
    from ..models.individual import browser_support
    from ..report.calculator import calculator_html

    model = load(args.model)
    why = browser_support(model)
    if why:
        raise ModelError(f"{args.model}: {why}")
    page = calculator_html(model, title=args.title)
    Path(args.out).write_text(page, encoding="utf-8")
    print(f"wrote {args.out} ({len(page.encode()) / 1e6:.1f} MB, self-contained, no network); "
          f"open it as {Path(args.out).name}?age_years=62&kps=70&primary_site=lung")
    return 0
