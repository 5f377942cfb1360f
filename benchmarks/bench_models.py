"""Random survival forest: fit / predict time, peak memory and artifact size, side by side.

    python benchmarks/bench_models.py [--n 5000 25000] [--trees 300] [--n-jobs 1]
                                      [--exact-trees 50] [--no-ranger]
    python benchmarks/bench_models.py --boosting [--n 2000 4000 25000] [--iters 50]
                                      [--orig-max-n 4000] [--orig-iters-large 2]
    python benchmarks/bench_models.py --cox [--n 1200 25000] [--repeats 5]

Section "cox" (``--cox``): ``CoxModel`` fit time with ``solver="lifelines"`` (``CoxPHFitter``)
versus ``solver="newton"`` (own Efron Newton-Raphson), penalizer 0.01 (the demo study's) and 0,
clinical+molecular features (indicator imputation). n = 1200 is the bundled demo development
cohort, other n the simulated surgical cohort (seed 0). Prints median fit times over
``--repeats`` fits after one warm-up fit (lifelines above n = 5,000: a single fit), the ratio, the
agreement (max |d coef|, max relative d SE, max |d S(t)| at 3/6/12/18 months) and the tracemalloc
peak of the Newton fit.

Section "boosting" (``--boosting``): gradient-boosted Cox fit time, scikit-survival's
``GradientBoostingSurvivalAnalysis(loss="coxph")`` (O(n^2) Cython loss) versus prognosis'
``FastCoxGradientBoosting`` (same machinery, O(n log n) loss), same data and parameters (model
defaults: depth 3, learning rate 0.05, subsample 0.8, min_samples_leaf 10). Above
``--orig-max-n`` the original runs only ``--orig-iters-large`` iterations (a full fit would take
over an hour); the comparison is then per iteration. Where both ran the same iterations the
maximum absolute difference of their predictions is printed too.

Each configuration runs in a fresh subprocess so that the peak resident memory
(``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``) belongs to that configuration alone.
Configurations: prognosis RSF on the default 128-point time grid; prognosis RSF on exact times
(scikit-survival's native behaviour; run with ``--exact-trees`` trees because with 300 trees it
needs tens of GB at these n); R ``ranger`` (same data, ``num.trees``, ``min.node.size = 15``,
``mtry = sqrt(p)``) when Rscript and ranger are installed. Data: the simulated surgical cohort,
clinical+molecular features, 70/30 split. Ratios are printed against ranger when available.
"""
from __future__ import annotations

import argparse
import json
import os
import resource  # noqa: F401  (used in the wrapper)
import shutil
import subprocess
import sys
import tempfile
import textwrap

RUN_PY = textwrap.dedent("""
    import json, sys, time, os, warnings
    from prognosis.errors import PrognosisWarning
    warnings.simplefilter("ignore", PrognosisWarning)  # per-fit notes would repeat every replicate
    import numpy as np
    from prognosis.simulate import simulate_cohort
    from prognosis.features import FeatureBuilder
    from prognosis.models import RandomSurvivalForestModel, save
    from prognosis.survival_data import y_from_frame
    cfg = json.loads(sys.argv[1])
    f = simulate_cohort(cfg["n"], seed=0).frame
    ntr = int(0.7 * len(f))
    fb = FeatureBuilder("clinical+molecular").fit(f.iloc[:ntr])
    Xtr, Xte = fb.transform(f.iloc[:ntr]), fb.transform(f.iloc[ntr:])
    y = y_from_frame(f)
    if cfg.get("csv"):
        Xtr.assign(time=y["time_months"][:ntr], status=y["event"][:ntr].astype(int)).to_csv(
            cfg["csv"] + "_tr.csv", index=False)
        Xte.to_csv(cfg["csv"] + "_te.csv", index=False)
        f.iloc[ntr:][["time_months", "event"]].to_csv(cfg["csv"] + "_yte.csv", index=False)
    m = RandomSurvivalForestModel(n_estimators=cfg["trees"], time_grid=cfg["grid"], n_jobs=cfg["n_jobs"],
                                  random_state=0)
    t0 = time.perf_counter(); m.fit(Xtr, y[:ntr]); fit_s = time.perf_counter() - t0
    t0 = time.perf_counter(); s = m.predict_survival(Xte, [3, 6, 12]); risk = m.predict(Xte)
    pred_s = time.perf_counter() - t0
    c = m.score(Xte, y[ntr:])
    path = cfg["tmp"] + "/rsf.skops"
    t0 = time.perf_counter(); save(m, path); save_s = time.perf_counter() - t0
    print(json.dumps({"fit_s": fit_s, "predict_s": pred_s, "save_s": save_s, "c": c,
                      "artifact_mb": os.path.getsize(path) / 1e6, "n_times": int(m.forest_.unique_times_.size),
                      "p": Xtr.shape[1]}))
""")

RUN_R = textwrap.dedent("""
    suppressPackageStartupMessages({library(ranger); library(survival)})
    a <- commandArgs(TRUE); pre <- a[1]; trees <- as.integer(a[2]); threads <- as.integer(a[3])
    tr <- read.csv(paste0(pre, "_tr.csv"), check.names = FALSE)
    te <- read.csv(paste0(pre, "_te.csv"), check.names = FALSE)
    yte <- read.csv(paste0(pre, "_yte.csv"))
    names(tr) <- make.names(names(tr), unique = TRUE); names(te) <- make.names(names(te), unique = TRUE)
    p <- ncol(te)
    t0 <- proc.time()[["elapsed"]]
    fit <- ranger(Surv(time, status) ~ ., data = tr, num.trees = trees, min.node.size = 15,
                  mtry = floor(sqrt(p)), num.threads = threads, seed = 0)
    fit_s <- proc.time()[["elapsed"]] - t0
    t0 <- proc.time()[["elapsed"]]
    pr <- predict(fit, data = te, num.threads = threads)
    pred_s <- proc.time()[["elapsed"]] - t0
    risk <- rowSums(pr$chf)
    cc <- concordance(Surv(yte$time_months, yte$event) ~ risk, reverse = TRUE)$concordance
    f <- tempfile(fileext = ".rds"); saveRDS(fit, f)
    cat(sprintf('{"fit_s": %f, "predict_s": %f, "c": %f, "artifact_mb": %f, "n_times": %d}\\n',
                fit_s, pred_s, cc, file.size(f) / 1e6, length(fit$unique.death.times)))
""")


#: a fresh wrapper per configuration: its RUSAGE_CHILDREN peak is that configuration's alone
WRAP = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
        "print('MAXRSS', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(r.returncode)")


def run_child(cmd: list[str]) -> dict:
    out = subprocess.run([sys.executable, "-c", WRAP, *cmd], capture_output=True, text=True)
    lines = out.stdout.strip().splitlines()
    if out.returncode != 0 or len(lines) < 2:
        return {"error": (out.stderr or out.stdout).strip().splitlines()[-1:]}
    res = json.loads(lines[-2])
    res["peak_rss_mb"] = int(lines[-1].split()[1]) / 1024  # KiB on Linux
    return res


def bench_boosting(ns, iters: int, orig_max_n: int, orig_iters_large: int) -> int:
    """Original scikit-survival Cox boosting vs prognosis' O(n log n) loss, side by side."""
    import time
    import warnings

    import numpy as np
    from sksurv.ensemble import GradientBoostingSurvivalAnalysis

    from prognosis.errors import PrognosisWarning
    from prognosis.features import FeatureBuilder
    from prognosis.models.boosting import FastCoxGradientBoosting
    from prognosis.simulate import simulate_cohort
    from prognosis.survival_data import make_y, y_from_frame

    warnings.simplefilter("ignore", PrognosisWarning)  # per-fit notes would repeat every replicate
    params = {
        "loss": "coxph",
        "learning_rate": 0.05,
        "max_depth": 3,
        "min_samples_leaf": 10,
        "subsample": 0.8,
        "random_state": 0,
    }
    rows = []
    for n in ns:
        f = simulate_cohort(n, seed=0).frame
        X = FeatureBuilder("clinical+molecular").fit_transform(f).to_numpy()
        yy = y_from_frame(f)
        y = make_y(yy["time_months"], yy["event"])
        res = {}
        for label, cls, k in (
            ("sksurv original", GradientBoostingSurvivalAnalysis, iters if n <= orig_max_n else orig_iters_large),
            ("prognosis fast loss", FastCoxGradientBoosting, iters),
        ):
            t0 = time.perf_counter()
            m = cls(n_estimators=k, **params).fit(X, y)
            sec = time.perf_counter() - t0
            res[label] = (k, sec, m.predict(X))
            print(f"n={n} {label}: {k} iterations in {sec:.2f} s ({sec / k:.4f} s/iteration)", flush=True)
        rows.append((n, res))
    print(f"\n{'n':>6}  {'orig iters':>10} {'orig s/it':>10} {'fast iters':>10} {'fast s/it':>10} {'speed-up':>9} "
          f"{f'orig s ({iters} it)':>14} {'max |dpred|':>12}")
    for n, res in rows:
        (ko, so, po), (kf, sf, pf) = res["sksurv original"], res["prognosis fast loss"]
        diff = f"{np.abs(po - pf).max():12.1e}" if ko == kf else f"{'-':>12}"
        print(f"{n:>6}  {ko:>10} {so / ko:10.4f} {kf:>10} {sf / kf:10.4f} {(so / ko) / (sf / kf):8.1f}x "
              f"{so / ko * iters:14.1f} {diff}")
    return 0


def bench_cox(ns, repeats: int) -> int:
    """CoxModel fit time, lifelines vs own Newton-Raphson, with agreement and peak memory."""
    import time
    import tracemalloc
    import warnings

    import numpy as np

    from prognosis.datasets import load_demo
    from prognosis.errors import PrognosisWarning
    from prognosis.models import CoxModel, make_model
    from prognosis.simulate import simulate_cohort
    from prognosis.survival_data import y_from_frame

    warnings.simplefilter("ignore", PrognosisWarning)  # per-fit notes would repeat every replicate
    rows = []
    for n in ns:
        f = load_demo().frame if n == 1200 else simulate_cohort(n, seed=0).frame
        y = y_from_frame(f)
        X = make_model("cox", feature_set="clinical+molecular")[:-1].fit_transform(f, y)
        times = [3, 6, 12, 18]
        for pen in (0.01, 0.0):
            res = {}
            for solver in ("lifelines", "newton"):
                k = repeats if (solver == "newton" or n <= 5000) else 1
                secs = []
                for _ in range(k + 1 if k > 1 else k):  # the first of several fits is a warm-up
                    t0 = time.perf_counter()
                    m = CoxModel(penalizer=pen, solver=solver).fit(X, y)
                    secs.append(time.perf_counter() - t0)
                res[solver] = (m, float(np.median(secs[1:] if k > 1 else secs)))
            tracemalloc.start()
            CoxModel(penalizer=pen, solver="newton").fit(X, y)
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            a, b = res["lifelines"][0], res["newton"][0]
            d = np.abs(a.coef_ - b.coef_)
            worst = a.design_names_[int(np.argmax(d))]
            dse = np.max(np.abs(np.asarray(b.summary_["se"]) / np.asarray(a.summary_["se"]) - 1))
            ds = np.abs(a.predict_survival(X, times).to_numpy() - b.predict_survival(X, times).to_numpy()).max()
            rows.append((n, X.shape[1], pen, res["lifelines"][1], res["newton"][1], d.max(), worst, dse, ds, peak))
            print(rows[-1], flush=True)
    print(f"\n{'n':>6} {'p':>3} {'penalizer':>9} {'lifelines s':>11} {'newton s':>9} {'speed-up':>8} "
          f"{'max|dcoef|':>10} {'(covariate)':<22} {'max rel dSE':>11} {'max|dS(t)|':>10} {'newton peak MB':>14}")
    for n, p, pen, tl, tn, dc, worst, dse, ds, peak in rows:
        print(f"{n:>6} {p:>3} {pen:>9g} {tl:11.3f} {tn:9.4f} {tl / tn:7.0f}x {dc:10.1e} {worst:<22} "
              f"{dse:11.1e} {ds:10.1e} {peak:14.0f}")
    print("(a large max|dcoef| with penalizer 0 is a coefficient without a finite MLE, e.g. a level with no events: "
          "both solvers stop on the log-likelihood criterion at an arbitrary large value)")
    return 0


def _parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--boosting", action="store_true", help="run the gradient-boosting section instead of the RSF one")
    ap.add_argument("--iters", type=int, default=50, help="boosting iterations (--boosting)")
    ap.add_argument("--orig-max-n", type=int, default=4000, help="largest n for a full original fit (--boosting)")
    ap.add_argument("--orig-iters-large", type=int, default=2,
                    help="original iterations above --orig-max-n (--boosting)")
    ap.add_argument("--n", type=int, nargs="+", default=None,
                    help="sample sizes (default 5000 25000; --boosting: 2000 4000 25000)")
    ap.add_argument("--trees", type=int, default=300)
    ap.add_argument("--n-jobs", type=int, default=1)
    ap.add_argument("--exact-trees", type=int, default=50, help="trees for the exact-time runs (0 = skip)")
    ap.add_argument("--exact-max-n", type=int, default=5000, help="largest n for exact-time runs")
    ap.add_argument("--no-ranger", action="store_true")
    ap.add_argument("--cox", action="store_true", help="run the Cox solver section (lifelines vs newton)")
    ap.add_argument("--repeats", type=int, default=5, help="fits per timing (--cox)")
    return ap.parse_args()


def _have_ranger(no_ranger: bool) -> bool:
    """R with the ranger package is installed (and not switched off by ``--no-ranger``)."""
    if no_ranger or shutil.which("Rscript") is None:
        return False
    check = ["Rscript", "-e", "quit(status = !requireNamespace('ranger', quietly = TRUE))"]
    return subprocess.run(check).returncode == 0


def _rsf_configs(args: argparse.Namespace, n: int, pre: str) -> list[tuple[str, dict]]:
    """The prognosis RSF configurations run at sample size ``n`` (the first also writes the CSVs for R)."""
    cfgs = [("prognosis RSF, grid 128", {"grid": 128, "trees": args.trees, "csv": pre})]
    if args.exact_trees and n <= args.exact_max_n:
        k = args.exact_trees
        cfgs += [(f"prognosis RSF, grid 128, {k} trees", {"grid": 128, "trees": k}),
                 (f"prognosis RSF, exact times, {k} trees", {"grid": None, "trees": k})]
    return cfgs


def _print_rsf_table(rows: list) -> None:
    print()
    print(f"{'n':>6}  {'configuration':<42} {'fit s':>8} {'pred s':>8} {'peak MB':>8} {'file MB':>8} "
          f"{'times':>6} {'C':>6}")
    for n, label, r in rows:
        if "error" in r:
            print(f"{n:>6}  {label:<42} error: {r['error']}")
            continue
        print(f"{n:>6}  {label:<42} {r['fit_s']:8.1f} {r['predict_s']:8.2f} {r.get('peak_rss_mb', float('nan')):8.0f} "
              f"{r['artifact_mb']:8.1f} {r['n_times']:>6} {r['c']:6.3f}")


def _print_ranger_ratios(rows: list, ns: list[int]) -> None:
    print("\nratios prognosis(grid, same trees) / ranger:")

    def ours_default(label: str) -> bool:  # the full-tree grid run, not the reduced-tree one
        return label.startswith("prognosis RSF, grid 128") and "trees" not in label.split("grid 128")[1]

    for n in ns:
        ours = next((r for m, lab, r in rows if m == n and ours_default(lab)), None)
        theirs = next((r for m, lab, r in rows if m == n and lab.startswith("R ranger")), None)
        if ours and theirs and "error" not in ours and "error" not in theirs:
            print(f"  n={n}: fit {ours['fit_s'] / theirs['fit_s']:.2f}x, "
                  f"predict {ours['predict_s'] / theirs['predict_s']:.2f}x, "
                  f"file {ours['artifact_mb'] / theirs['artifact_mb']:.2f}x, C {ours['c'] - theirs['c']:+.3f}")


def bench_rsf(args: argparse.Namespace) -> int:
    """prognosis' random survival forest (grid and exact times) against R ranger, each in a fresh process."""
    ns = sorted(args.n or [5000, 25000])
    have_r = _have_ranger(args.no_ranger)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rfile = os.path.join(tmp, "run.R")
        with open(rfile, "w") as fh:
            fh.write(RUN_R)
        # the largest n first would dominate ru_maxrss of later children: run small to large
        for n in ns:
            pre = os.path.join(tmp, f"d{n}")
            for label, cfg in _rsf_configs(args, n, pre):
                cfg.update(n=n, n_jobs=args.n_jobs, tmp=tmp)
                res = run_child([sys.executable, "-c", RUN_PY, json.dumps(cfg)])
                rows.append((n, label, res))
                print(n, label, res, flush=True)
            if have_r:
                res = run_child(["Rscript", rfile, pre, str(args.trees), str(args.n_jobs)])
                rows.append((n, f"R ranger, {args.trees} trees", res))
                print(n, "ranger", res, flush=True)
    _print_rsf_table(rows)
    if have_r:
        _print_ranger_ratios(rows, ns)
    else:
        print("\nR ranger not available: no side-by-side ratios")
    return 0


def main() -> int:
    args = _parse_args()
    if args.cox:
        return bench_cox(sorted(args.n or [1200, 25000]), args.repeats)
    if args.boosting:
        return bench_boosting(sorted(args.n or [2000, 4000, 25000]), args.iters, args.orig_max_n, args.orig_iters_large)
    return bench_rsf(args)


if __name__ == "__main__":
    sys.exit(main())
