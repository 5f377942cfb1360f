"""Harmonizing cost against a plain ``pandas.read_csv`` of the same file (issue 19 target: <= 5x at
1,000,000 rows, with the same output frame and audit).

The synthetic file mimics klinikum_nord.csv: ';' delimiter, Latin-1, day-first dates, decimal
comma, German sex values, free-text sites, ~1% junk values (about 11 audit records per row).
For each size, each measurement runs in a fresh Python process (so one does not inherit the
other's memory) and reports the best of ``--repeat`` runs: wall seconds, CPU seconds and peak
resident memory (``VmHWM``). The baseline is ``pandas.read_csv(path, sep=";", encoding="latin-1")``
(dialect given, every column, default type inference); ``read_cohort`` detects the encoding and
delimiter, checks the file, harmonizes and records the audit; the audit *table* (~11 records per
row) is assembled on the first read of ``cohort.audit``, timed separately ("+ first .audit read").
The machine is shared: wall time is inflated when other processes use the cores, so CPU time and
the load average are printed too. Peak RSS is that of the first run in each process.

    python benchmarks/bench_harmonize.py                       # 100k and 1M rows
    python benchmarks/bench_harmonize.py --sizes 100000        # skip 1M
    python benchmarks/bench_harmonize.py --sizes 100000 --save old.pkl     # keep an output ...
    python benchmarks/bench_harmonize.py --sizes 100000 --compare old.pkl  # ... and compare

``--save``/``--compare`` store or check the frame, audit, metadata and summary text of the first
size (run ``--save`` with ``PYTHONPATH`` pointing at another checkout to compare versions).
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
MAPPING = REPO / "data" / "examples" / "klinikum_nord.yaml"


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
        "Geburtsdatum": (origin - pd.to_timedelta(rng.integers(30 * 365, 85 * 365, n), unit="D"))
        .strftime("%d.%m.%Y"),
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


CHILD = r"""
import json, pickle, sys, time
path, mode, repeat, mapping, save = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
import pandas as pd
if mode == "prognosis":
    import prognosis.cohort.harmonize  # import everything before timing
    from prognosis import read_cohort
    print(prognosis.cohort.harmonize.__file__, file=sys.stderr)
def hwm():
    return int([ln for ln in open("/proc/self/status") if ln.startswith("VmHWM:")][0].split()[1]) / 1024
runs, peak = [], None
for i in range(repeat):
    t0, c0 = time.perf_counter(), time.process_time()
    if mode == "pandas":
        result = pd.read_csv(path, sep=";", encoding="latin-1")
        t1, c1 = time.perf_counter(), time.process_time()
    else:
        result = read_cohort(path, mapping)
        t1, c1 = time.perf_counter(), time.process_time()
        n_audit = len(result.audit)  # the audit table is assembled on first access
    t2, c2 = time.perf_counter(), time.process_time()
    runs.append({"seconds": t1 - t0, "cpu": c1 - c0, "seconds_total": t2 - t0, "cpu_total": c2 - c0})
    peak = hwm() if peak is None else peak  # first run: later runs inherit the allocator's free memory
    if i < repeat - 1:
        del result
info = min(runs, key=lambda r: r["seconds_total"])
info["peak_rss_mb"] = peak
if mode == "prognosis":
    s = result.summary()
    info.update(kept=int(s.n_kept + s.n_changed), rejected=int(s.n_rejected), audit=n_audit)
    if save != "-":
        meta = {k: v for k, v in result.metadata.items() if not callable(v)}
        pickle.dump({"frame": result.frame, "audit": result.audit, "meta": meta, "summary": str(s)}, open(save, "wb"))
print(json.dumps(info))
"""


def measure(path: Path, mode: str, repeat: int, save: str = "-") -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([p for p in (env.get("PYTHONPATH"), str(REPO)) if p])
    # cwd: the file's folder, so that PYTHONPATH (not the current directory) decides which prognosis runs
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), mode, str(repeat), str(MAPPING), save],
                         capture_output=True, text=True, check=False, env=env, cwd=path.parent)
    if out.returncode != 0:
        raise SystemExit(f"{mode} run failed:\n{out.stderr[-3000:]}")
    info = json.loads(out.stdout.strip().splitlines()[-1])
    info["module"] = out.stderr.strip().splitlines()[-1] if mode == "prognosis" else ""
    return info


def compare(saved: Path, current: Path) -> None:
    a, b = pickle.load(open(saved, "rb")), pickle.load(open(current, "rb"))
    pd.testing.assert_frame_equal(a["frame"], b["frame"], check_exact=True)
    pd.testing.assert_frame_equal(a["audit"], b["audit"], check_exact=True)
    assert a["meta"] == b["meta"], "metadata differ"
    assert a["summary"] == b["summary"], "summary text differs"
    print(f"  same frame ({a['frame'].shape}), audit ({len(a['audit']):,} records), metadata and summary "
          f"as {saved}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--repeat", type=int, default=2, help="runs per measurement; the fastest counts")
    ap.add_argument("--save", type=Path, help="store the first size's output (pickle)")
    ap.add_argument("--compare", type=Path, help="check the first size's output against a --save file")
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores shared with other processes)")
    with tempfile.TemporaryDirectory() as tmp:
        for i, n in enumerate(args.sizes):
            path = Path(tmp) / f"klinikum_like_{n}.csv"
            t0 = time.perf_counter()
            make_file(path, n)
            print(f"{n:>9,} rows ({path.stat().st_size / 2**20:,.0f} MiB, written in {time.perf_counter() - t0:.1f} s)")
            base = measure(path, "pandas", args.repeat)
            save = str(Path(tmp) / "out.pkl") if i == 0 and (args.save or args.compare) else "-"
            ours = measure(path, "prognosis", args.repeat, save)
            ratio = ours["seconds"] / base["seconds"]
            print(f"  pandas.read_csv                  {base['seconds']:7.2f} s (CPU {base['cpu']:6.2f} s)  "
                  f"peak RSS {base['peak_rss_mb']:7,.0f} MB")
            print(f"  read_cohort                      {ours['seconds']:7.2f} s (CPU {ours['cpu']:6.2f} s)  "
                  f"ratio {ratio:5.2f}x wall, {ours['cpu'] / base['cpu']:5.2f}x CPU "
                  f"(target <= 5x: {'OK' if ratio <= 5 else 'TOO SLOW'})")
            ratio_t = ours["seconds_total"] / base["seconds"]
            print(f"  read_cohort + first .audit read  {ours['seconds_total']:7.2f} s "
                  f"(CPU {ours['cpu_total']:6.2f} s)  "
                  f"ratio {ratio_t:5.2f}x wall, {ours['cpu_total'] / base['cpu']:5.2f}x CPU; "
                  f"peak RSS {ours['peak_rss_mb']:7,.0f} MB")
            print(f"  kept {ours['kept']:,}, rejected {ours['rejected']:,}, audit records {ours['audit']:,}  "
                  f"({ours['module']})")
            if save != "-" and args.save:
                Path(args.save).write_bytes(Path(save).read_bytes())
                print(f"  output saved to {args.save}")
            if save != "-" and args.compare:
                compare(args.compare, Path(save))
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
