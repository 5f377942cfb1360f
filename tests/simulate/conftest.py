"""Shared simulated cohorts for the simulator tests (module-level caches keep the suite fast)."""
from __future__ import annotations

import pytest

from prognosis.simulate import simulate_cohort

ALL_TESTED = {"lung": 1.0, "breast": 1.0, "prostate": 1.0, "melanoma": 1.0, "kras": 1.0, "her2_other": 1.0}


@pytest.fixture(scope="session")
def big_surgical():
    """n = 20,000, preset surgical, every marker tested (recorded markers = true markers)."""
    return simulate_cohort(20000, seed=2024, preset="surgical", testing_rate=ALL_TESTED, return_latent=True)


@pytest.fixture(scope="session")
def big_radiotherapy():
    """n = 20,000, preset radiotherapy (default parameters)."""
    return simulate_cohort(20000, seed=77, preset="radiotherapy", return_latent=True)
