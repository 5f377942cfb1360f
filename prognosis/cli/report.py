"""``prognosis report [CONFIG]``: run a study and write its HTML report and tables.

    prognosis report                      # demo study on the bundled cohorts -> reports/demo/index.html
    prognosis report study.yaml           # your study -> <output>/index.html (+ tables/*.csv, *.parquet)
    prognosis report study.yaml --scheduler tcp://host:8786   # replicates on a Dask cluster

Same config + seed give identical tables (byte-identical CSV), locally or on Dask.
"""
from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("report", help="run a study and write a self-contained HTML report",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("config", nargs="?", help="study config (YAML); default: the bundled demo study")
    p.add_argument("--out", help="output folder (default: the config's 'output', or reports/demo)")
    p.add_argument("--n-boot", type=int, help="override the number of bootstrap replicates")
    p.add_argument("--n-jobs", type=int, help="local parallel workers (default: the config's n_jobs)")
    p.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786")
    p.add_argument("--quiet", action="store_true", help="no progress bars or messages")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..study import DEMO_CONFIG, load_config
    from ..study import run as run_study

    cfg = load_config(args.config) if args.config else load_config(DEMO_CONFIG)
    out = Path(args.out) if args.out else (cfg.resolve(cfg.output) if args.config else Path(cfg.output))
    if not args.quiet:
        print(f"prognosis report: {cfg.name}")
    result = run_study(cfg, progress=not args.quiet, scheduler=args.scheduler, n_jobs=args.n_jobs,
                       n_boot=args.n_boot)
    result.save(out)
    path = result.to_html(out / "index.html")
    if not args.quiet:
        print(result.summary())
        print(f"report: {path}  (tables in {out / 'tables'}/, run time "
              f"{result.provenance.get('run_time_seconds')} s)")
    return 0
