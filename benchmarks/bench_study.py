"""Time the demo study: n=1,200 development + 600 external, 4 models + 3 scores, 4 horizons,
200 bootstrap replicates (target: under 3 minutes on 2 cores).

    python benchmarks/bench_study.py                 # full demo study, n_jobs=2
    python benchmarks/bench_study.py --n-boot 20     # quick look (prints the extrapolation)

Also times one replicate's parts (fit / predict / evaluate per predictor) so the budget is
visible, and — when ``Rscript`` with rms is installed — R's ``rms::validate(cph, B=200)`` for
the clinical Cox model's Harrell C (Dxy) bootstrap next to ours for the same model.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path


def per_predictor_costs():
    import numpy as np

    from prognosis.datasets import load_demo
    from prognosis.study import DEMO_CONFIG, load_config
    from prognosis.study.predictors import make_factory
    from prognosis.study.scoring import StudyScorer
    from prognosis.survival_data import y_from_frame

    cfg = load_config(DEMO_CONFIG)
    f = load_demo("development").frame.reset_index(drop=True)
    y = y_from_frame(f)
    sc = StudyScorer(cfg.horizons)
    idx = np.random.default_rng(0).integers(0, len(f), len(f))
    print(f"{'predictor':<26}{'fit s':>8}{'predict s':>11}{'evaluate s':>12}   (one replicate = 1 fit + 1 predict + 3 evaluations)")
    total = 0.0
    for s in list(cfg.scores) + list(cfg.models):
        fac = make_factory(s)
        t = time.perf_counter()
        try:
            est = fac(0).fit(f.iloc[idx].reset_index(drop=True), y[idx])
        except Exception as exc:  # noqa: BLE001 - a benchmark reports and continues
            print(f"{getattr(s, 'display', None) or s.name:<26} fit failed on this bootstrap sample: {exc}")
            continue
        t_fit = time.perf_counter() - t
        t = time.perf_counter()
        p = sc.predict(est, f)
        t_pred = time.perf_counter() - t
        t = time.perf_counter()
        sc.evaluate(p, y, y)
        t_ev = time.perf_counter() - t
        total += t_fit + t_pred + 3 * t_ev
        print(f"{getattr(s, 'display', None) or s.name:<26}{t_fit:8.2f}{t_pred:11.2f}{t_ev:12.2f}")
    print(f"one replicate, all predictors, 1 core: {total:.1f} s")
    return total


R_SCRIPT = r"""
suppressMessages(library(rms))
d <- read.csv("{csv}")
d$visc <- as.integer(d$visceral_mets != "none")
t0 <- Sys.time()
f <- cph(Surv(time_months, event) ~ kps + age_years + visc + extraspinal_bone_mets, data = d, x = TRUE, y = TRUE)
v <- validate(f, B = {B})
el <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
cat(sprintf("R rms validate.cph B=%d: %.2f s; Dxy corrected %.4f -> C %.4f\n", {B}, el, v["Dxy", "index.corrected"],
            0.5 + v["Dxy", "index.corrected"] / 2))
"""


def r_peer(B: int) -> None:
    if shutil.which("Rscript") is None:
        print("R not installed: skipping the rms::validate comparison")
        return
    import numpy as np

    from prognosis.datasets import load_demo
    from prognosis.study.validation import bootstrap_optimism
    from prognosis.survival_data import make_y

    f = load_demo("development").frame
    cols = ["time_months", "event", "kps", "age_years", "visceral_mets", "extraspinal_bone_mets"]
    d = f[cols].dropna().reset_index(drop=True)
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "d.csv"
        d.to_csv(csv, index=False)
        script = Path(tmp) / "v.R"
        script.write_text(R_SCRIPT.replace("{csv}", str(csv)).replace("{B}", str(B)))
        t = time.perf_counter()
        out = subprocess.run(["Rscript", str(script)], capture_output=True, text=True, timeout=600)
        r_wall = time.perf_counter() - t
        print(out.stdout.strip() or out.stderr.strip()[-500:], f"(wall incl. R start-up {r_wall:.1f} s)")

    from lifelines import CoxPHFitter

    from prognosis.metrics import harrell_c

    X = d[["kps", "age_years", "extraspinal_bone_mets"]].astype(float).assign(
        visc=(d["visceral_mets"].astype(str) != "none").astype(float))
    y = make_y(d["time_months"].to_numpy(float), d["event"].to_numpy(int))

    class Cox:
        def fit(self, X, y):
            df = X.copy()
            df["T"], df["E"] = y["time_months"], y["event"].astype(int)
            self.m = CoxPHFitter().fit(df, "T", "E")
            return self

        def predict(self, X):
            return np.asarray(self.m.predict_log_partial_hazard(X))

    def c_only(est, X, y, y_train):
        return {"c": float(harrell_c(y["time_months"], y["event"].astype(int), est.predict(X)))}

    t = time.perf_counter()
    res = bootstrap_optimism({"cox": lambda s: Cox()}, X, y, c_only, n_boot=B, seed=1)
    ours = time.perf_counter() - t
    print(f"prognosis bootstrap_optimism (lifelines Cox, Harrell C) B={B}: {ours:.2f} s; "
          f"C corrected {res.table.iloc[0]['corrected']:.4f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n-boot", type=int, default=200)
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--skip-r", action="store_true")
    args = ap.parse_args()
    from prognosis.study import DEMO_CONFIG, run

    one = per_predictor_costs()
    print(f"expected validation time ≈ {one * args.n_boot / max(args.n_jobs, 1):.0f} s "
          f"({args.n_boot} replicates on {args.n_jobs} workers)")
    t = time.perf_counter()
    res = run(DEMO_CONFIG, n_jobs=args.n_jobs, n_boot=args.n_boot)
    el = time.perf_counter() - t
    print(f"demo study, {args.n_boot} replicates, n_jobs={args.n_jobs}: {el:.1f} s "
          f"(target 180 s for 200 replicates; stages {res.provenance['timings_seconds']})")
    if args.n_boot != 200:
        print(f"  extrapolated to 200 replicates: ≈ {el + (200 - args.n_boot) * res.provenance['timings_seconds']['validation'] / args.n_boot:.0f} s")
    print(res.summary())
    print(f"failed fits inside replicates: {len(res.failures)}"
          + (f" ({res.failures['predictor'].value_counts().to_dict()})" if len(res.failures) else ""))
    if not args.skip_r:
        r_peer(200)


if __name__ == "__main__":
    main()
