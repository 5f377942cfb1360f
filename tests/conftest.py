"""Shared fixtures. Real public data are read from ../shared/data/raw (never copied here)."""
from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parents[1]
RAW = Path(os.environ.get("PROGNOSIS_RAW_DATA", REPO.parent / "shared" / "data" / "raw"))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def raw_data_dir() -> Path:
    """Folder of real public data sets; tests using it skip with a reason when it is absent."""
    if not RAW.is_dir():
        pytest.skip(f"real data folder {RAW} is absent (set PROGNOSIS_RAW_DATA to its location)")
    return RAW


# --- small study fixtures shared by tests/study and tests/report -------------------------------
# Subsamples of the bundled simulated demo cohorts, written as canonical CSV files to a temporary
# folder (simulated data, no real patients).
@pytest.fixture(scope="session")
def small_cohorts(tmp_path_factory):
    from prognosis.datasets import load_demo

    d = tmp_path_factory.mktemp("cohorts")
    dev = load_demo("development").frame.sample(300, random_state=11).reset_index(drop=True)
    ext = load_demo("external").frame.sample(200, random_state=12).reset_index(drop=True)
    dev.to_csv(d / "dev.csv", index=False)
    ext.to_csv(d / "ext.csv", index=False)
    return {"dir": d, "dev": d / "dev.csv", "ext": d / "ext.csv", "dev_frame": dev, "ext_frame": ext}


@pytest.fixture(scope="session")
def small_config(small_cohorts):
    return {
        "name": "small test study",
        # a canonical table needs no mapping; `keep` carries the simulator's truth column along
        "cohorts": {"development": {"path": str(small_cohorts["dev"]), "mapping": {"keep": ["true_lp"]}},
                    "external": {"path": str(small_cohorts["ext"]), "mapping": {"keep": ["true_lp"]}}},
        "scores": ["revised_tokuhashi", "katagiri_new", {"column": "extraspinal_bone_mets", "label": "bone met count"}],
        "models": [{"name": "Cox clinical", "kind": "cox", "features": "clinical"}],
        "horizons": [3, 6, 12],
        "validation": {"method": "bootstrap", "n_boot": 3},
        "seed": 7,
    }
