"""Harmonize a 100,000-row messy CSV; target < 10 s (issue 3). No peer library does this, so the
script prints wall time and rows per second rather than a ratio.

The synthetic file mimics klinikum_nord.csv: ';' delimiter, Latin-1, day-first dates, decimal
comma, German sex values, free-text sites, ~1% junk values. Run:
    python benchmarks/bench_harmonize.py [n_rows]
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def make_file(path: Path, n: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    origin = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 2500, n), unit="D")
    follow = rng.integers(-3, 2000, n)  # a few negative -> rejected rows
    died = rng.random(n) < 0.6
    end = origin + pd.to_timedelta(follow, unit="D")
    sites = np.array(["Bronchialkarzinom (NSCLC)", "Mamma-Ca", "Prostata-Ca", "Nierenzell-Ca", "C34.1", "C50.9",
                      "Schilddrüsen-Ca", "Kolon-Ca", "Rektum-Ca", "Plasmozytom", "CUP-Syndrom", "Unklar", "C79.5"])
    frame = pd.DataFrame({
        "PatNr": [f"P{i:07d}" for i in range(n)],
        "Geschlecht": rng.choice(["männlich", "weiblich", "m", "w", ""], n),
        "Geburtsdatum": (origin - pd.to_timedelta(rng.integers(30 * 365, 85 * 365, n), unit="D")).strftime("%d.%m.%Y"),
        "Diagnose_WS": origin.strftime("%d.%m.%Y"),
        "Todesdatum": np.where(died, end.strftime("%d.%m.%Y"), ""),
        "Letzter_Kontakt": np.where(died, "", end.strftime("%d.%m.%Y")),
        "Primärtumor": rng.choice(sites, n),
        "KPS": rng.choice(["40", "50", "60", "70", "80", "90", "100", "150", "", "gut"], n),
        "ASIA": rng.choice(list("ABCDE") + ["", "F"], n),
        "Viszerale_Metastasen": rng.choice(["keine", "resektabel", "nicht resektabel", "?"], n),
        "Hirnmetastasen": rng.choice(["ja", "nein", ""], n),
        "Albumin_g_l": [f"{x:.1f}".replace(".", ",") for x in rng.normal(38, 5, n)],
        "Path_Fraktur": rng.choice(["ja", "nein"], n),
    })
    frame.to_csv(path, sep=";", index=False, encoding="latin-1")


def main(n: int = 100_000) -> float:
    from prognosis import read_cohort

    repo = Path(__file__).resolve().parents[1]
    mapping = repo / "data" / "examples" / "klinikum_nord.yaml"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.csv"
        make_file(path, n)
        make_file(path.with_name("warm.csv"), 100)
        read_cohort(path.with_name("warm.csv"), mapping)  # import everything before timing
        t0, c0 = time.perf_counter(), time.process_time()
        c = read_cohort(path, mapping)
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    s = c.summary()
    print(f"read_cohort: {n:,} rows in {dt:.2f} s = {n / dt:,.0f} rows/s "
          f"(target < 10 s: {'OK' if dt < 10 else 'TOO SLOW'}); CPU time {cpu:.2f} s "
          "(wall time is inflated when other processes share the cores)")
    print(f"  kept {s.n_kept + s.n_changed:,}, rejected {s.n_rejected:,}, audit records {len(c.audit):,}")
    return dt


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
