"""Peak memory of harmonizing a wide export: 1,000,000 rows x 200 columns, 8 of them mapped
(issue 14; target <= 3 GB peak RSS). The harmonizer reads only the mapped and keep columns
(``read_table(usecols=...)``); the baseline is plain ``pandas.read_csv`` of the whole file with
``dtype=str`` (how the harmonizer read files before). Each measurement runs in a fresh
subprocess and reports its peak resident set size (``VmHWM`` from ``/proc/self/status``).

    python benchmarks/bench_harmonize_memory.py [n_rows] [n_cols]
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

MAPPING = {
    "cohort": "wide",
    "columns": {"patient_id": "id", "time_months": "months", "event": "dead", "kps": "kps",
                "age_years": "age", "sex": "sex", "albumin_g_dl": "alb"},
    "units": {"albumin_g_dl": "g/L"},
    "keep": ["note"],
}


def make_file(path: Path, n: int, n_cols: int, seed: int = 0, chunk: int = 100_000) -> None:
    rng = np.random.default_rng(seed)
    fixed = ["id", "months", "dead", "kps", "age", "sex", "alb", "note"]
    filler = [f"x{i:03d}" for i in range(n_cols - len(fixed))]
    pool = np.array([",".join(rng.integers(0, 100, len(filler)).astype(str)) for _ in range(1000)])
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(",".join(fixed + filler) + "\n")
        for start in range(0, n, chunk):
            m = min(chunk, n - start)
            cols = [np.char.add("P", np.arange(start, start + m).astype(str)),
                    np.round(rng.exponential(12, m) + 0.1, 2).astype(str),
                    rng.integers(0, 2, m).astype(str),
                    rng.choice(np.arange(30, 101, 10), m).astype(str),
                    rng.integers(25, 90, m).astype(str),
                    rng.choice(["m", "f"], m),
                    rng.integers(25, 50, m).astype(str),
                    rng.choice(["", "ok"], m)]
            fixed_part = cols[0]
            for c in cols[1:]:
                fixed_part = np.char.add(np.char.add(fixed_part, ","), c)
            # unmapped columns: random 0-99 values, drawn as whole rows from a pool of 1,000
            lines = np.char.add(np.char.add(fixed_part, ","), pool[rng.integers(0, len(pool), m)])
            fh.write("\n".join(lines.tolist()) + "\n")


CHILD = r"""
import json, resource, sys, time
path, mode, mapping = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
t0 = time.perf_counter()
if mode == "pandas":
    import pandas as pd
    f = pd.read_csv(path, dtype=str, keep_default_na=False)
    n = len(f)
else:
    from prognosis import read_cohort
    c = read_cohort(path, mapping)
    n = len(c.frame)
    len(c.audit)  # the audit table is assembled on first access: include it
# VmHWM (peak RSS of this process image; ru_maxrss would include the parent's peak across fork/exec)
hwm = [ln for ln in open("/proc/self/status") if ln.startswith("VmHWM:")][0].split()[1]
print(json.dumps({"rows": n, "seconds": time.perf_counter() - t0, "peak_rss_mb": int(hwm) / 1024}))
"""


def measure(path: Path, mode: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), mode, json.dumps(MAPPING)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    n_cols = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "wide.csv"
        t0 = time.perf_counter()
        make_file(path, n, n_cols)
        print(f"file: {n:,} rows x {n_cols} columns, {path.stat().st_size / 2**20:,.0f} MiB "
              f"(written in {time.perf_counter() - t0:.0f} s)")
        for mode in ("prognosis", "pandas"):
            r = measure(path, mode)
            label = ("read_cohort (8 mapped columns)" if mode == "prognosis"
                     else "pandas.read_csv(dtype=str), all columns")
            print(f"{label:42s} peak RSS {r['peak_rss_mb']:8,.0f} MB  {r['seconds']:6.1f} s  rows {r['rows']:,}")


if __name__ == "__main__":
    main()
