"""The bundled demo study and the cohort shortcuts that name the bundled demo cohorts."""
from __future__ import annotations

__all__ = ["DEMO_CONFIG", "DEMO_COHORTS"]

#: Cohort shortcuts resolved to the bundled simulated cohorts.
DEMO_COHORTS = {"demo": "development", "demo_external": "external"}

#: The demo study run by ``prognosis report`` without argument (and ``make report``):
#: n=1,200 development + 600 external, 4 models + 3 scores, 4 horizons, 200 replicates.
DEMO_CONFIG: dict = {
    "name": "Demo study: classic scores vs molecular models (simulated cohorts)",
    "description": "Bundled simulated cohorts (literature-calibrated simulator, prognosis.simulate). "
                   "Not real patients: the numbers illustrate the workflow only.",
    "cohorts": {"development": "demo", "external": "demo_external"},
    "scores": ["revised_tokuhashi", "tomita", "katagiri_new"],
    "models": [
        # a small ridge penalty keeps the Cox fit stable on bootstrap samples in which a rare
        # molecular level has no deaths (monotone likelihood); lifelines' penalizer, scaled by n
        {"name": "Cox clinical", "kind": "cox", "features": "clinical", "params": {"penalizer": 0.01}},
        {"name": "Cox clinical+molecular", "kind": "cox", "features": "clinical+molecular",
         "params": {"penalizer": 0.01}},
        {"name": "RSF clinical+molecular", "kind": "rsf", "features": "clinical+molecular",
         # package defaults for the forest's shape (benchmarks/bench_forest_tuning.py)
         "params": {"n_estimators": 100}},
        {"name": "GBM clinical+molecular", "kind": "gbm", "features": "clinical+molecular",
         # 50 trees at learning rate 0.2: same external C as 100 at 0.1 (0.721 vs 0.722), half the time
         "params": {"n_estimators": 50, "learning_rate": 0.2, "max_depth": 2, "subsample": 0.5}},
    ],
    # the development cohort's administrative censoring is uniform over 12-24 months, so almost
    # nobody is still under observation at 24 months: 18 months is the last horizon estimable
    # with a useful number of patients at risk (IPCW weights explode near the end of follow-up)
    "horizons": [3, 6, 12, 18],
    "validation": {"method": "bootstrap", "n_boot": 200},
    "seed": 20261124,
    "n_jobs": -1,  # all cores; results are identical to n_jobs=1 (per-replicate seeds)
    "output": "reports/demo",
}
