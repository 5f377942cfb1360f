"""Throughput of prognosis.scores.compute: all eight scores on N synthetic patients.

There is no peer library implementing these scores in Python (R ``cliot`` covers only the revised
Tokuhashi score), so this prints patients per second instead of a ratio. Target (issue 5):
1,000,000 patients through all scores in under 5 s.

    python benchmarks/bench_scores.py [--n 1000000] [--seed 0] [--missing 0.1]
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pandas as pd

from prognosis.cohort.schema import COLUMN_BY_NAME
from prognosis.scores import available, compute


def synthetic(n: int, seed: int, missing: float) -> pd.DataFrame:
    """Random canonical frame (nullable dtypes, fixed categories) with a share of NA cells."""
    rng = np.random.default_rng(seed)

    def cat(col):
        cats = list(COLUMN_BY_NAME[col].categories)
        codes = rng.integers(0, len(cats), n)
        codes[rng.random(n) < missing] = -1
        return pd.Categorical.from_codes(codes, categories=cats)

    def num(values, dtype):
        s = pd.Series(values).astype(dtype)
        s[rng.random(n) < missing] = pd.NA
        return s

    frame = pd.DataFrame({
        "primary_site": cat("primary_site"),
        "kps": num(rng.integers(1, 11, n) * 10, "Int64"),
        "ecog": num(rng.integers(0, 5, n), "Int64"),
        "extraspinal_bone_mets": num(rng.poisson(1.5, n), "Int64"),
        "vertebral_mets": num(rng.integers(1, 6, n), "Int64"),
        "visceral_mets": cat("visceral_mets"),
        "visceral_pattern": cat("visceral_pattern"),
        "brain_mets": num(rng.random(n) < 0.1, "boolean"),
        "frankel": cat("frankel"),
        "ambulatory": num(rng.random(n) < 0.7, "boolean"),
        "pathological_fracture": num(rng.random(n) < 0.3, "boolean"),
        "prior_chemotherapy": num(rng.random(n) < 0.5, "boolean"),
        "targeted_therapy": num(rng.random(n) < 0.3, "boolean"),
        "albumin_g_dl": num(rng.normal(3.7, 0.5, n).clip(1, 6), "Float64"),
        "crp_mg_dl": num(rng.exponential(1.0, n), "Float64"),
        "ldh_u_l": num(rng.normal(240, 60, n).clip(50, 2000), "Float64"),
        "platelets_10e9_l": num(rng.normal(240, 70, n).clip(5, 1000), "Float64"),
        "calcium_mg_dl": num(rng.normal(9.5, 0.6, n).clip(6, 15), "Float64"),
        "bilirubin_mg_dl": num(rng.exponential(0.7, n), "Float64"),
        "er": cat("er"), "pr": cat("pr"), "castration": cat("castration"),
    })
    return frame


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--missing", type=float, default=0.1)
    ap.add_argument("--repeat", type=int, default=3, help="best of REPEAT runs per score")
    a = ap.parse_args()
    frame = synthetic(a.n, a.seed, a.missing)
    total = 0.0
    print(f"{a.n:,} synthetic patients, {a.missing:.0%} missing cells, seed {a.seed}")
    for name in available():
        times = []
        for _ in range(max(1, a.repeat)):
            t0 = time.perf_counter()
            out = compute(frame, name)
            times.append(time.perf_counter() - t0)
        dt = min(times)
        total += dt
        print(f"  {name:<20s} {dt:6.3f} s  {a.n / dt:14,.0f} patients/s  "
              f"complete {out[name].notna().mean():.1%}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"(best of {a.repeat}; 1-minute load average {load:.1f} on {os.cpu_count()} CPUs)")
    print(f"all {len(available())} scores: {total:.3f} s  ({a.n / total:,.0f} patients/s through "
          f"all scores; target < 5 s for 1,000,000)")


if __name__ == "__main__":
    main()
