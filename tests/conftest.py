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
