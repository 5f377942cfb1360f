"""Simulated cohorts shared by the model tests (session-scoped: simulated once per worker)."""
from __future__ import annotations

import warnings

import pytest
from sklearn.model_selection import train_test_split

from prognosis.simulate import simulate_cohort
from prognosis.survival_data import y_from_frame


@pytest.fixture(scope="session")
def small_cohort():
    """n = 800 simulated surgical cohort with realistic missingness (fast tests)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        f = simulate_cohort(800, seed=11, missingness="realistic").frame
    return f, y_from_frame(f)


@pytest.fixture(scope="session")
def acceptance_split():
    """The issue's acceptance set-up: n = 5,000 simulated, 30% held out."""
    f = simulate_cohort(5000, seed=7).frame
    tr, te = train_test_split(f, test_size=0.3, random_state=0)
    return tr, y_from_frame(tr), te, y_from_frame(te)
