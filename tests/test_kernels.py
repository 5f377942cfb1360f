"""The shared survival kernels against R and closed-form cases."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from prognosis._kernels import (
    product_limit,
    rcs_basis,
    step_evaluate,
    survival_quantile,
)

REF = json.loads((Path(__file__).parent / "reference" / "km_median.json").read_text())


@pytest.mark.parametrize("i", range(len(REF["cases"])))
def test_km_quantiles_match_r_survfit(i):
    case = REF["cases"][i]
    ut, _, _, _, surv, _ = product_limit(np.asarray(case["time"], float), np.asarray(case["event"], float))
    want = [np.inf if v is None else v for v in case["q"]]
    got = [survival_quantile(ut, surv, 1 - p) for p in (0.25, 0.5, 0.75)]
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_median_on_exact_plateau_is_midpoint():
    # 4 patients, deaths at 1, 2, 3, 4: S = .75, .5, .25, 0 -> R's median is (2 + 3) / 2
    ut, *_, surv, _ = product_limit(np.array([1.0, 2, 3, 4]), np.ones(4))
    assert survival_quantile(ut, surv) == 2.5
    assert survival_quantile(ut, surv, 0.1) == 4.0
    assert survival_quantile(np.array([1.0]), np.array([0.9])) == np.inf


def test_step_evaluate_right_continuous():
    grid, vals = np.array([1.0, 2.0]), np.array([[0.9, 0.5]])
    np.testing.assert_array_equal(step_evaluate(grid, vals, np.array([0.5, 1.0, 1.5, 2.0, 9.0]), 1.0),
                                  [[1.0, 0.9, 0.9, 0.5, 0.5]])
    np.testing.assert_array_equal(step_evaluate(grid, vals[0], np.array([0.0, 2.0]), np.nan), [np.nan, 0.5])


def test_rcs_basis_linear_beyond_outer_knots():
    knots = np.array([0.0, 1.0, 2.0, 3.0])
    x = np.array([3.0, 4.0, 5.0, 6.0])
    b = rcs_basis(x, knots)
    assert b.shape == (4, 3)
    np.testing.assert_allclose(np.diff(b, 2, axis=0), 0, atol=1e-12)  # linear for x >= last knot
    np.testing.assert_array_equal(rcs_basis(np.array([-1.0, 0.0]), knots)[:, 1:], 0)
