"""MSK-MET benchmark: loader time and the molecular-vs-primary-site study (issue 9).

Usage (from the repository root; the data are read from ../shared/data/raw, never copied)::

    python benchmarks/bench_msk_met.py                       # loader timings + bone-biopsied study
    python benchmarks/bench_msk_met.py --subset all --site-items-only --n-boot 20 --n-jobs 2 \\
        --rsf n_estimators=100,max_samples=2000,time_grid=64 --no-loader
    python benchmarks/bench_msk_met.py --loader-only

Prints (1) the loader time beside the I/O floor (plain ``pandas.read_csv`` of the same four
files), as a ratio; (2) the study run time and the optimism-corrected change in Harrell's and
Uno's C of each model vs the best primary-site baseline, with percentile bootstrap CIs, whatever
the sign. The HTML report goes to ``--out`` (default under /tmp: it holds aggregate results only,
but it is derived from CC BY-NC-ND data, so it is not written into the repository).

The study is ``prognosis.study.run(config)`` on the config ``data/examples/msk_met_bone.yaml``
(its cohort is ``{dataset: msk_met, ...}``); the options above override it through the config
dict before :func:`prognosis.study.load_config`, nothing is patched.

Measured 2026-11-24 on the shared 2-core machine (other engineers' jobs running, load average
2.4-5; wall times include that contention):

* all 25,257 patients (9,923 deaths), 4 primary-site baselines + Cox clinical, Cox
  clinical+molecular, RSF, GBM, bootstrap n_boot=20, n_jobs=2: study 521 s (8.7 min; 493 s
  validation), 8:48 wall for the whole script; n_boot=30: study 560 s (9.3 min; 545 s
  validation), 9:24 wall. One replicate costs 18-25 s of wall time on 2 busy cores, so 15
  minutes allows ~30-45 replicates (the bootstrap p-value resolves only to 2/n_boot). RSF
  settings for this size: 100 trees, ``max_samples=2000`` (each tree on 2,000 patients: fit
  1.8 s and 25k predictions ~3 s for 50 trees, vs ~4 s / ~1 s at 5,000), ``time_grid=64``;
  GBM at its defaults (200 trees, ~9 s per fit under this load).
* bone-relevant primaries (11,428 patients, 4,203 deaths), same settings: 135 s.
* bone-biopsied (715 patients), the config as shipped (n_boot=200, 5 baselines, 200-tree RSF,
  n_jobs=1): ``prognosis report`` 666 s (11:09 wall).
"""
from __future__ import annotations

import argparse
import copy
import os
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "data" / "examples" / "msk_met_bone.yaml"
RAW = REPO.parent / "shared" / "data" / "raw" / "msk_met_2021"


def study_config(path=CONFIG, *, subset="__config__", n_boot=None, models=None, raw=None,
                 site_items_only=False, rsf_params=None, gbm_params=None, n_jobs=None):
    """The study config of ``path`` as a :class:`prognosis.study.StudyConfig`, with overrides.

    Overrides go through the config dict (then :func:`prognosis.study.load_config`), never by
    patching: ``subset`` (``"all"`` = every patient), ``n_boot``, ``models`` (kinds to keep),
    ``raw`` (the study folder), ``site_items_only`` (drop the numeric-column baselines so that
    the comparison reference is the best primary-site item), ``rsf_params`` / ``gbm_params``
    (merged into those models' params).
    """
    from prognosis.study import load_config

    path = Path(path)
    cfg = copy.deepcopy(yaml.safe_load(path.read_text()))
    spec = cfg["cohorts"]["development"]
    opts = dict(spec.get("options") or {})
    if subset != "__config__":
        opts.pop("subset", None)
        if subset not in (None, "all"):
            opts["subset"] = subset
    spec["options"] = opts
    if raw:
        spec["path"] = str(Path(raw).resolve())
    if n_boot is not None:
        cfg["validation"] = dict(cfg.get("validation") or {}, n_boot=int(n_boot))
    if models:
        cfg["models"] = [m for m in cfg["models"] if m["kind"] in models]
    for m in cfg["models"]:
        extra = {"rsf": rsf_params, "gbm": gbm_params}.get(m["kind"])
        if extra:
            m["params"] = dict(m.get("params") or {}, **extra)
    if site_items_only:  # the study compares models with the BEST baseline: make that a site item
        cfg["scores"] = [s for s in cfg["scores"] if not (isinstance(s, dict) and "column" in s)]
    if n_jobs is not None:
        cfg["n_jobs"] = int(n_jobs)
    cfg["name"] = f"{cfg['name']} [{opts.get('subset') or 'all patients'}]"
    return load_config(cfg, base_dir=path.parent)


def bench_loader(raw: Path, repeats: int = 3) -> None:
    from prognosis.datasets import load_msk_met

    def floor():
        pd.read_csv(raw / "MSK_clinical_data.tsv.gz", sep="\t")
        pd.read_csv(raw / "MSK_genomic_data.tsv.gz", sep="\t", dtype={"chr": str})
        pd.read_csv(raw / "data_fusions.txt", sep="\t", dtype=str)
        pd.read_csv(raw / "data_clinical_patient.txt", sep="\t", comment="#")

    def best(f):
        ts = []
        for _ in range(repeats):
            t = time.perf_counter()
            f()
            ts.append(time.perf_counter() - t)
        return min(ts)

    t_floor = best(floor)
    t_all = best(lambda: load_msk_met(raw))
    t_bone = best(lambda: load_msk_met(raw, subset="bone_biopsied"))
    print(f"loader  read_csv floor (4 files)      {t_floor:6.2f} s")
    print(f"loader  load_msk_met (25,257 pts)     {t_all:6.2f} s   ratio to floor {t_all / t_floor:4.1f}x")
    print(f"loader  load_msk_met bone_biopsied    {t_bone:6.2f} s   ratio to floor {t_bone / t_floor:4.1f}x")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--raw", default=str(RAW))
    ap.add_argument("--config", default=str(CONFIG))
    ap.add_argument("--subset", default="__config__", help="bone_biopsied, bone_relevant or all")
    ap.add_argument("--n-boot", type=int, default=None)
    ap.add_argument("--models", default=None, help="comma-separated kinds to keep, e.g. cox,rsf")
    ap.add_argument("--n-jobs", type=int, default=1)
    ap.add_argument(
        "--rsf", default=None, help="RSF params merged into the config, e.g. n_estimators=100,max_samples=2000"
    )
    ap.add_argument("--gbm", default=None, help="GBM params merged into the config, e.g. n_estimators=100")
    ap.add_argument("--out", default="/tmp/prognosis_msk_met_report")
    ap.add_argument("--loader-only", action="store_true")
    ap.add_argument("--no-loader", action="store_true", help="skip the loader timings")
    ap.add_argument("--site-items-only", action="store_true",
                    help="drop the metastatic-site-count baseline so Delta C is vs the best primary-site item")
    a = ap.parse_args(argv)
    raw = Path(a.raw)
    if a.out and Path(a.out).resolve().is_relative_to(REPO):
        raise SystemExit(f"--out {a.out} is inside the repository; results derived from MSK-MET "
                         "(CC BY-NC-ND) must be written outside it")
    if not (raw / "MSK_clinical_data.tsv.gz").is_file():
        print(f"MSK-MET folder {raw} not found; nothing to benchmark")
        return 0
    from prognosis.errors import PrognosisWarning

    warnings.simplefilter("ignore", PrognosisWarning)  # per-fit notes would repeat every replicate
    if not a.no_loader:
        bench_loader(raw)
    if a.loader_only:
        return 0
    from prognosis.study import run

    models = a.models.split(",") if a.models else None
    cfg = study_config(a.config, subset=a.subset, n_boot=a.n_boot, models=models, raw=raw,
                       site_items_only=a.site_items_only, rsf_params=_params(a.rsf),
                       gbm_params=_params(a.gbm), n_jobs=a.n_jobs)
    print(f"study   {cfg.development.describe()}; n_boot={cfg.validation.n_boot}; models="
          f"{[(m.name, m.params) for m in cfg.models]}; baselines={[s.display for s in cfg.scores]}")
    print(f"study   load average at start: {_load()}")
    t = time.perf_counter()
    res = run(cfg, n_jobs=a.n_jobs)
    elapsed = time.perf_counter() - t
    print(f"study   load average at end:   {_load()}")
    print(f"study   {res.provenance['inputs']['development']['n']} patients, "
          f"{res.provenance['inputs']['development']['deaths']} deaths; timings {res.provenance['timings_seconds']}")
    print(f"study   run time {elapsed:7.1f} s ({elapsed / 60:.1f} min), n_jobs={a.n_jobs}")
    m = res.metrics
    hc = m[(m["metric"] == "harrell_c")][["predictor", "kind", "apparent", "corrected"]]
    print(hc.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    comp = res.comparisons
    if len(comp):
        print("Delta C (model - best primary-site baseline), optimism-corrected, bootstrap percentile CI:")
        print(comp[["predictor", "reference", "metric", "corrected_delta", "ci_low", "ci_high", "p_value",
                    "n_rep"]].to_string(index=False, float_format=lambda x: f"{x:+.3f}"))
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    res.save(out)
    print(f"report  {res.to_html(out / 'index.html')}")
    return 0


def _params(text):
    """``"a=1,b=0.5,c=None"`` -> ``{"a": 1, "b": 0.5, "c": None}`` (values parsed as YAML)."""
    if not text:
        return None
    return {k.strip(): yaml.safe_load(v) for k, v in (kv.split("=", 1) for kv in text.split(","))}


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


if __name__ == "__main__":
    sys.exit(main())
