"""Speed of prognosis.metrics concordance against scikit-survival, lifelines and R survival.

Run:  python benchmarks/bench_metrics.py [--sizes 1000 20000 100000] [--n-boot 1000]
Prints, for each n, the time of Harrell's C (and Uno's C) in prognosis, scikit-survival
(``concordance_index_censored`` / ``concordance_index_ipcw``), lifelines (``concordance_index``)
and R ``survival::concordance`` (via Rscript when installed; timed inside R, so R start-up and
data reading are excluded), the ratios, and the time of the bootstrap target
(1,000 replicates of Harrell + Uno C at n = 25,000 on 2 processes).
Targets (issue 4): at n = 100k >= 20x faster than scikit-survival and within 1.5x of R.
All numbers are checked for agreement before timing.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time

import numpy as np
import pandas as pd

from prognosis.metrics import bootstrap, concordance_indices, harrell_c, uno_c


def simulate(n, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    T = rng.exponential(np.exp(-x))
    C = rng.exponential(2.0, n)
    return np.minimum(T, C), (T <= C).astype(int), x + rng.normal(0, 0.5, n)


def best(f, repeat):
    out, ts = None, []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = f()
        ts.append(time.perf_counter() - t0)
    return min(ts), out


R_CODE = r"""
suppressPackageStartupMessages(library(survival))
a <- commandArgs(TRUE); d <- read.csv(a[1]); rep <- as.integer(a[2]); tau <- as.numeric(a[3])
th <- tu <- Inf
for (k in seq_len(rep)) {
  th <- min(th, system.time(ch <- concordance(Surv(time, event) ~ risk, data = d, reverse = TRUE))[["elapsed"]])
  tu <- min(tu, system.time(cu <- concordance(Surv(time, event) ~ risk, data = d, reverse = TRUE,
                                              timewt = "n/G2", ymax = tau))[["elapsed"]])
}
cat(sprintf("%.10f %.6f %.10f %.6f\n", ch$concordance, th, cu$concordance, tu))
"""


def run_r(t, e, r, tau, repeat):
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as d:
        csv = os.path.join(d, "d.csv")
        pd.DataFrame({"time": t, "event": e, "risk": r}).to_csv(csv, index=False,
                                                                 float_format="%.17g")
        script = os.path.join(d, "b.R")
        with open(script, "w") as fh:
            fh.write(R_CODE)
        out = subprocess.run(["Rscript", script, csv, str(repeat), repr(tau)],
                             capture_output=True, text=True, check=True).stdout.split()
    return [float(v) for v in out]


def bench_size(n: int) -> dict:
    """Harrell and Uno C at sample size n: ours vs scikit-survival, lifelines and (if installed) R."""
    from lifelines.utils import concordance_index
    from sksurv.metrics import concordance_index_censored, concordance_index_ipcw
    from sksurv.util import Surv

    t, e, r = simulate(n)
    tau = float(np.quantile(t, 0.9))
    rep = 3 if n <= 20000 else 2
    t_ours, c_ours = best(lambda: float(harrell_c(t, e, r)), rep)
    t_uno, u_ours = best(lambda: float(uno_c(t, e, r, tau=tau)), rep)
    t_sk, c_sk = best(lambda: concordance_index_censored(e.astype(bool), t, r)[0], 1)
    y = Surv.from_arrays(e.astype(bool), t)
    t_sku, _ = best(lambda: concordance_index_ipcw(y, y, r, tau=tau)[0], 1)
    t_ll, c_ll = best(lambda: concordance_index(t, -r, e), 1)
    # scikit-survival and lifelines do not merge floating-point near-ties (R's timefix)
    c_nofix = float(harrell_c(t, e, r, timefix_times=False))
    assert abs(c_nofix - c_sk) < 1e-9, (c_nofix, c_sk)
    assert abs(c_nofix - c_ll) < 1e-9, (c_nofix, c_ll)
    rr = run_r(t, e, r, tau, rep)
    row = {"n": n, "harrell_s": t_ours, "sksurv_s": t_sk, "lifelines_s": t_ll,
           "x_vs_sksurv": t_sk / t_ours, "x_vs_lifelines": t_ll / t_ours,
           "uno_s": t_uno, "sksurv_uno_s": t_sku, "uno_x_vs_sksurv": t_sku / t_uno}
    if rr is not None:
        assert abs(rr[0] - c_ours) < 1e-9, (rr[0], c_ours)
        assert abs(rr[2] - u_ours) < 1e-9, (rr[2], u_ours)
        row.update({"R_s": rr[1], "ours_over_R": t_ours / rr[1], "R_uno_s": rr[3],
                    "uno_ours_over_R": t_uno / rr[3]})
    return row


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 20000, 100000])
    ap.add_argument("--n-boot", type=int, default=1000)
    ap.add_argument("--boot-n", type=int, default=25000)
    ap.add_argument("--n-jobs", type=int, default=2)
    args = ap.parse_args(argv)
    rows = []
    for n in args.sizes:
        row = bench_size(n)
        rows.append(row)
        print(pd.DataFrame([row]).to_string(index=False, float_format=lambda v: f"{v:.4g}"),
              flush=True)
    print("\nSummary (times in seconds; x_vs_* = peer time / ours; ours_over_R = ours / R)")
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.4g}"))

    if args.n_boot > 0:
        t, e, r = simulate(args.boot_n, seed=1)
        tau = float(np.quantile(t, 0.9))
        data = {"time": t, "event": e, "risk": r}
        fn = _HarrellUno(tau)
        t0 = time.perf_counter()
        res = bootstrap(fn, data, n_boot=args.n_boot, seed=2026, n_jobs=args.n_jobs)
        el = time.perf_counter() - t0
        print(f"\nBootstrap: {args.n_boot} replicates of Harrell + Uno C at n = {args.boot_n}, "
              f"n_jobs = {args.n_jobs}: {el:.1f} s (target < 60 s)")
        print(res.summary())


class _HarrellUno:
    def __init__(self, tau):
        self.tau = tau

    def __call__(self, d):
        return concordance_indices(d["time"], d["event"], d["risk"], tau=self.tau)


if __name__ == "__main__":
    main()
