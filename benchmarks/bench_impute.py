"""Simulation benchmark of multiple imputation vs complete-case analysis for a MAR covariate.

    python benchmarks/bench_impute.py                    # 200 replicates, 2 processes (~7 min)
    python benchmarks/bench_impute.py --reps 400 --out benchmarks/results/bench_impute.json   # the committed run

Data-generating model (per replicate, n = 500):

    x1 ~ N(0, 1);  x2 = 0.5 x1 + N(0, 0.75)              (var 1, corr 0.5)
    T ~ Weibull(shape 1.2) with hazard ratio exp(0.5 x1 + 0.5 x2)
    censoring C ~ U(0, 3) x scale of median T  ->  about 35% censored
    x2 missing with P = expit(-1.4 + 1.0 x1 + 1.0 event)  (MAR: x1 and the outcome are observed)

Missingness depends on the outcome, so the complete-case Cox analysis is biased (White &
Royston, Stat Med 2009;28:1982; Carpenter & Kenward, *Multiple Imputation and its
Application*, 2013, ch. 1). Two multiple-imputation methods, each m = 10, 10 sweeps, pooled by
:func:`prognosis.impute.pool` (Rubin's rules, Barnard-Rubin df, complete-data df infinite):

``multiple_imputation``
    :class:`prognosis.impute.MultipleImputer` -- chained equations, PMM, event indicator and
    Nelson-Aalen H(T) in the imputation model (White & Royston 2009; what R mice does);
``mi_smcfcs``
    :func:`prognosis.models.mi.smcfcs_cox` -- substantive-model-compatible FCS (Bartlett et al.,
    Stat Methods Med Res 2015), which draws x2 from its conditional under the Cox model.

Measured (400 replicates, committed JSON): the chained-equations approximation attenuates the
log-HR of x2 (bias -0.072, coverage 90.2%; R mice gives the same bias on the same
data), while SMC-FCS is unbiased (x2 bias -0.002, coverage 96.2%; complete case +0.039) --
see ``benchmarks/results/bench_impute.json``.

Reported per method and coefficient: mean bias, empirical SE, mean model SE, coverage of the
95% interval with its Monte-Carlo SE sqrt(p(1 - p) / reps) (Morris, White & Crowther, Stat Med
2019;38:2074). The full data (before blanking) are analysed as a benchmark too. The acceptance
of issue 16: MI less biased than complete case for x2, coverage of MI's 95% CI within 93-97%.
"""
from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np

BETA = np.array([0.5, 0.5])
#: complete data, complete case, chained equations (MultipleImputer, as R mice), SMC-FCS (smcfcs_cox)
METHODS = ("full", "complete_case", "multiple_imputation", "mi_smcfcs")


def simulate(rng, n: int = 500):
    import pandas as pd

    x1 = rng.normal(size=n)
    x2 = 0.5 * x1 + rng.normal(scale=np.sqrt(0.75), size=n)
    lp = BETA[0] * x1 + BETA[1] * x2
    shape = 1.2
    t = (rng.exponential(size=n) / np.exp(lp)) ** (1 / shape)
    c = rng.uniform(0, 3, size=n) * np.median(t)
    time_ = np.minimum(t, c)
    event = (t <= c).astype(int)
    full = pd.DataFrame({"time": time_, "event": event, "x1": x1, "x2": x2})
    p_mis = 1 / (1 + np.exp(-(-1.4 + 1.0 * x1 + 1.0 * event)))
    obs = full.copy()
    obs.loc[rng.random(n) < p_mis, "x2"] = np.nan
    return full, obs


def cox(frame):
    from prognosis.models import CoxModel
    from prognosis.survival_data import make_y

    y = make_y(frame["time"].to_numpy(float), frame["event"].to_numpy())
    m = CoxModel().fit(frame[["x1", "x2"]], y)
    return m.coef_, np.diag(m.cov_)


def one_replicate(r: int, seed: int, m: int, maxit: int) -> dict:
    from scipy.stats import norm

    from prognosis.errors import PrognosisWarning
    from prognosis.impute import MultipleImputer, pool

    rng = np.random.default_rng([seed, r])
    full, obs = simulate(rng)
    z = norm.ppf(0.975)
    out = {"missing_share": float(obs["x2"].isna().mean())}
    for name, fr in (("full", full), ("complete_case", obs.dropna())):
        b, v = cox(fr)
        se = np.sqrt(v)
        out[name] = {"est": b.tolist(), "se": se.tolist(),
                     "cover": ((b - z * se <= BETA) & (BETA <= b + z * se)).tolist()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PrognosisWarning)  # per-fit notes would repeat every replicate
        sets = MultipleImputer(m=m, seed=seed * 100003 + r, maxit=maxit, time_col="time",
                               event_col="event").fit_transform(obs)
    fits = [cox(s) for s in sets]
    p = pool(np.array([f[0] for f in fits]), np.array([f[1] for f in fits]))
    ci = p.ci(0.95)
    out["multiple_imputation"] = {"est": p.estimate.tolist(), "se": p.se.tolist(),
                                  "cover": ((ci[:, 0] <= BETA) & (BETA <= ci[:, 1])).tolist(),
                                  "fmi": p.fmi.tolist()}
    from prognosis.models.mi import smcfcs_cox

    sets = smcfcs_cox(obs, ["x1", "x2"], time_col="time", event_col="event", m=m, seed=seed * 100003 + r,
                      maxit=maxit)
    fits = [cox(s) for s in sets]
    p = pool(np.array([f[0] for f in fits]), np.array([f[1] for f in fits]))
    ci = p.ci(0.95)
    out["mi_smcfcs"] = {"est": p.estimate.tolist(), "se": p.se.tolist(),
                        "cover": ((ci[:, 0] <= BETA) & (BETA <= ci[:, 1])).tolist(), "fmi": p.fmi.tolist()}
    return out


def summarise(results: list[dict]) -> dict:
    reps = len(results)
    summ = {"reps": reps, "true_beta": BETA.tolist(),
            "mean_missing_share": float(np.mean([r["missing_share"] for r in results]))}
    for meth in METHODS:
        est = np.array([r[meth]["est"] for r in results])
        se = np.array([r[meth]["se"] for r in results])
        cov = np.array([r[meth]["cover"] for r in results], dtype=float)
        row = {}
        for j, nm in enumerate(("x1", "x2")):
            c = float(cov[:, j].mean())
            row[nm] = {"bias": float(est[:, j].mean() - BETA[j]),
                       "bias_mcse": float(est[:, j].std(ddof=1) / np.sqrt(reps)),
                       "empirical_se": float(est[:, j].std(ddof=1)), "mean_model_se": float(se[:, j].mean()),
                       "coverage_95": c, "coverage_mcse": float(np.sqrt(c * (1 - c) / reps))}
            if meth.startswith("m"):
                row[nm]["mean_fmi"] = float(np.mean([r[meth]["fmi"][j] for r in results]))
        summ[meth] = row
    return summ


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--m", type=int, default=10)
    ap.add_argument("--maxit", type=int, default=10)
    ap.add_argument("--seed", type=int, default=20261130)
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--out", type=str, default=None, help="write the summary as JSON")
    a = ap.parse_args(argv)
    from joblib import Parallel, delayed

    t0 = time.perf_counter()
    res = Parallel(n_jobs=a.n_jobs)(delayed(one_replicate)(r, a.seed, a.m, a.maxit) for r in range(a.reps))
    summ = summarise(res)
    summ.update({"m": a.m, "maxit": a.maxit, "seed": a.seed, "n": 500,
                 "seconds": round(time.perf_counter() - t0, 1)})
    print(f"{a.reps} replicates, n = 500, m = {a.m}, {100 * summ['mean_missing_share']:.1f}% of x2 missing (MAR), "
          f"{summ['seconds']} s")
    print(f"{'method':22s} {'coef':4s} {'bias':>8s} {'(mcse)':>8s} {'emp SE':>7s} {'mod SE':>7s} "
          f"{'cover95':>8s} {'(mcse)':>7s}")
    for meth in METHODS:
        for nm in ("x1", "x2"):
            r = summ[meth][nm]
            print(f"{meth:22s} {nm:4s} {r['bias']:+8.4f} {r['bias_mcse']:8.4f} {r['empirical_se']:7.4f} "
                  f"{r['mean_model_se']:7.4f} {100 * r['coverage_95']:7.1f}% {100 * r['coverage_mcse']:6.1f}%")
    cc = summ["complete_case"]["x2"]
    for meth in ("multiple_imputation", "mi_smcfcs"):
        ok_bias = abs(summ[meth]["x2"]["bias"]) < abs(cc["bias"])
        ok_cov = all(0.93 <= summ[meth][nm]["coverage_95"] <= 0.97 for nm in ("x1", "x2"))
        print(f"{meth}: less biased than complete case for x2: {ok_bias}; coverage within 93-97%: {ok_cov}")
    if a.out:
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(json.dumps(summ, indent=2))
    return summ


if __name__ == "__main__":
    main()
