"""Coverage of the bootstrap intervals of optimism-corrected performance, per interval method.

    python benchmarks/bench_coverage.py [--sims 200] [--n 200] [--boot 100] [--horizon 12] [--seed 0]

Estimand: the performance *of the model fitted on the development data* in the population it
came from (its "true" C, Brier(t), calibration slope at t, and the paired ΔC of two models),
computed on a large independent sample (``--n-truth``, default 20,000) drawn from the same
population with the same censoring. Per simulated data set (``--n`` patients, a Weibull
proportional-hazards truth with 8 covariates of which 3 are noise, uniform censoring: ~45%
censored), Harrell's bootstrap optimism correction is run (``prognosis.study.bootstrap_optimism``,
``--boot`` replicates) for a full Cox model (8 covariates) and a small one (2 covariates), and
the 95% interval of each method is checked against the truth:

- ``fixed``: the spread of the full-data model's measure over the resamples, centred on the
  corrected estimate (the package's interval before issue 13);
- ``location_shifted``: Noma et al., Stat Med 2021;40:5691 — percentiles of the refitted
  bootstrap-sample apparent measure, shifted by the mean optimism (carries refitting variability);
- ``combined``: corrected ± 1.96 sqrt(var(fixed) + var(test)) (sampling + refitting variance);
- ``auto``: the package default — ``fixed`` for calibration measures, ``combined`` otherwise.

Result committed with the change (200 simulations, n = 200, B = 100; coverage % of C / ΔC /
Brier(12) / slope(12), Monte-Carlo SE ~1.5%): fixed 95.0 / 89.5 / 93.0 / 93.5; location_shifted
92.5 / 96.5 / 93.0 / degenerate (0: a Cox refit's apparent slope is always 1); combined 97.0 /
93.5 / 95.0 / 98.5 — hence ``auto`` (97.0 / 93.5 / 95.0 / 93.5).

Prints running coverage every 10 simulations and a final table (coverage, mean width, Monte-Carlo
SE of the coverage = sqrt(p(1-p)/sims)). Target: 93–97% for C, ΔC, Brier and slope.
"""
from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

BETA = np.array([0.8, 0.5, 0.4, -0.3, 0.3, 0.0, 0.0, 0.0])
SHAPE, SCALE = 1.2, 20.0


def population(n, rng):
    X = np.column_stack([rng.normal(size=n), rng.binomial(1, 0.4, n), rng.normal(size=n), rng.binomial(1, 0.3, n),
                         rng.normal(size=n), rng.normal(size=n), rng.binomial(1, 0.5, n), rng.normal(size=n)])
    lp = X @ BETA
    u = rng.uniform(size=n)
    t = SCALE * (-np.log(u) * np.exp(-lp)) ** (1 / SHAPE)
    c = rng.uniform(1, 40, n)
    return pd.DataFrame(X, columns=[f"x{j}" for j in range(8)]), np.minimum(t, c), (t <= c).astype(int)


class Cox:
    """Cox model on a column subset (prognosis.models.CoxModel, Efron ties)."""

    def __init__(self, cols):
        self.cols = cols

    def fit(self, X, y):
        from prognosis.models import CoxModel

        self.m = CoxModel().fit(X[self.cols], y)
        return self

    def predict(self, X):
        return self.m.predict(X[self.cols])

    def predict_survival(self, X, times, truncate=False):
        return self.m.predict_survival(X[self.cols], times, truncate=True)


class Fac:
    def __init__(self, cols):
        self.cols = cols

    def __call__(self, seed):
        return Cox(self.cols)


class Scorer:
    """Harrell C, Brier(h) and calibration slope at h (prognosis.metrics)."""

    def __init__(self, h):
        self.h = h

    def predict(self, est, X):
        return np.asarray(est.predict(X), float), np.asarray(est.predict_survival(X, [self.h]), float)[:, 0]

    @staticmethod
    def take(p, idx):
        return p[0][idx], p[1][idx]

    def evaluate(self, p, y, y_train):
        from prognosis.errors import MetricInputError
        from prognosis.metrics import brier_score, harrell_c
        from prognosis.metrics._cox import cox_efron

        risk, s = p
        t, e = y["time_months"], y["event"].astype(int)
        out = {"c": float(harrell_c(t, e, risk, warn_reversed=False))}
        try:
            out["brier"] = float(brier_score(t, e, s, self.h)) if np.isfinite(s).all() else np.nan
            cll = np.log(-np.log(np.clip(s, np.finfo(float).tiny, np.nextafter(1, 0))))
            out["slope"] = float(cox_efron(t, e, cll[:, None])[0][0]) if np.isfinite(s).all() else np.nan
        except MetricInputError:
            out["brier"] = out["slope"] = np.nan
        return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sims", type=int, default=200)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--boot", type=int, default=100)
    ap.add_argument("--n-truth", type=int, default=10000)
    ap.add_argument("--horizon", type=float, default=12.0)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    from prognosis.errors import PrognosisWarning
    from prognosis.study.validation import CI_METHODS, bootstrap_interval, bootstrap_optimism, paired_difference
    from prognosis.survival_data import make_y

    warnings.simplefilter("ignore", PrognosisWarning)  # per-fit notes would repeat every replicate
    sc = Scorer(a.horizon)
    rng_t = np.random.default_rng(10_000 + a.seed)
    Xt, tt, et = population(a.n_truth, rng_t)
    yt = make_y(tt, et)
    print(f"population: {100 * (1 - et.mean()):.0f}% censored; n={a.n}, B={a.boot}, horizon {a.horizon:g}", flush=True)
    facs = {"full": Fac([f"x{j}" for j in range(8)]), "small": Fac(["x0", "x1"])}
    hits = {(meth, k): [] for meth in CI_METHODS for k in ("c", "dc", "brier", "slope")}
    widths = {key: [] for key in hits}
    t0 = time.perf_counter()
    for s in range(a.sims):
        rng = np.random.default_rng([a.seed, s])
        X, t, e = population(a.n, rng)
        y = make_y(t, e)
        res = bootstrap_optimism(facs, X, y, sc, n_boot=a.boot, seed=s)
        truth = {name: sc.evaluate(sc.predict(est, Xt), yt, yt) for name, est in res.fitted.items()}
        tab = res.table.set_index(["predictor", "metric"])
        for meth in CI_METHODS:
            for k in ("c", "brier", "slope"):
                r = res.replicates[(res.replicates["predictor"] == "full") & (res.replicates["metric"] == k)]
                lo, hi = bootstrap_interval(r, tab.loc[("full", k), "corrected"], 0.95, meth)
                hits[(meth, k)].append(lo <= truth["full"][k] <= hi)
                widths[(meth, k)].append(hi - lo)
            d = paired_difference(res, "full", "small", "c", ci_method=meth)
            true_dc = truth["full"]["c"] - truth["small"]["c"]
            hits[(meth, "dc")].append(d["ci_low"] <= true_dc <= d["ci_high"])
            widths[(meth, "dc")].append(d["ci_high"] - d["ci_low"])
        if (s + 1) % 10 == 0 or s + 1 == a.sims:
            cov = "  ".join(f"{m[:5]}:{k} {100 * np.mean(v):.0f}%" for (m, k), v in hits.items())
            print(f"[{s + 1} sims, {time.perf_counter() - t0:.0f}s] {cov}", flush=True)
    rows = []
    for (m, k), v in hits.items():
        p = float(np.mean(v))
        rows.append(
            {
                "method": m,
                "measure": {
                    "c": "Harrell C",
                    "dc": "ΔC (full − small)",
                    "brier": f"Brier({a.horizon:g})",
                    "slope": f"slope({a.horizon:g})",
                }[k],
                "coverage_%": round(100 * p, 1),
                "mc_se_%": round(100 * np.sqrt(p * (1 - p) / len(v)), 1),
                "mean_width": round(float(np.mean(widths[(m, k)])), 4),
                "sims": len(v),
            }
        )
    print("\n" + pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
