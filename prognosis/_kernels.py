"""Survival kernels shared by every layer (private): one home for each.

- :func:`step_evaluate` / :func:`step_index`: right-continuous step functions evaluated exactly
  at given times (S(t), cumulative hazards, published curves); never interpolated.
- :func:`product_limit`: the Kaplan–Meier product-limit estimate with Greenwood variance (the
  engine behind :class:`prognosis.metrics.KaplanMeier`; verified against R ``survival::survfit``
  in ``tests/metrics``), and :func:`survival_quantile` (median survival / follow-up).
- :func:`rcs_basis`: Harrell's restricted cubic spline basis, as R ``rms::rcs``.

Lives at the bottom of the package (imports only NumPy) so that cohort, models, metrics and
study use the same code without importing upwards.
"""
from __future__ import annotations

import numpy as np

__all__ = ["step_index", "step_evaluate", "product_limit", "survival_quantile", "rcs_basis"]


def step_index(grid: np.ndarray, times) -> np.ndarray:
    """Index of the last grid point <= each time (-1 before the first): the right-continuous lookup."""
    return np.searchsorted(grid, times, side="right") - 1


def step_evaluate(grid: np.ndarray, values: np.ndarray, times: np.ndarray, before: float) -> np.ndarray:
    """Evaluate right-continuous step functions given on ``grid`` at ``times``.

    ``values`` has shape (n, len(grid)) (or (len(grid),) for one function, giving (len(times),));
    for t < grid[0] the value is ``before`` (1 for S, 0 for a cumulative hazard, NaN for "not
    given").
    """
    values = np.asarray(values, dtype=float)
    idx = step_index(grid, np.asarray(times, dtype=float))
    if values.ndim == 1:
        return np.where(idx >= 0, values[np.clip(idx, 0, None)], before)
    out = np.empty((values.shape[0], idx.size))
    for j, i in enumerate(idx):
        out[:, j] = before if i < 0 else values[:, i]
    return out


def product_limit(time: np.ndarray, event: np.ndarray):
    """Kaplan–Meier estimate on validated arrays.

    Returns ``(times, n_risk, n_event, n_censor, surv, greenwood_var)`` at the distinct observed
    times, ``greenwood_var`` = sum d / (n (n - d)) (variance of log S).
    """
    ut, inv = np.unique(time, return_inverse=True)
    d = np.bincount(inv, weights=event, minlength=ut.size)
    tot = np.bincount(inv, minlength=ut.size).astype(float)
    n_risk = tot[::-1].cumsum()[::-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod(1.0 - d / n_risk)
        term = np.where(d > 0, d / (n_risk * (n_risk - d)), 0.0)
    return ut, n_risk, d, tot - d, surv, np.cumsum(term)


def survival_quantile(
    times: np.ndarray, surv: np.ndarray, q: float = 0.5, tol: float = 1.4901161193847656e-08
) -> float:
    """Time at which the step function ``surv`` falls to ``q`` (median survival for q = 0.5).

    R ``survival``'s rule (``quantile.survfit``): the first time with S(t) <= q (within
    ``tol`` = sqrt(machine epsilon)); where S equals q on a plateau, the midpoint of that
    time and the next time S drops (or the last observed time). ``inf`` if S never reaches q (not reached). Checked
    against R survfit medians and quartiles in tests/test_kernels.py.
    """
    surv = np.asarray(surv, dtype=float)
    below = np.flatnonzero(surv <= q + tol)
    if not below.size:
        return float("inf")
    i = below[0]
    if abs(surv[i] - q) < tol:
        lower = np.flatnonzero(surv < surv[i] - tol)
        end = lower[0] if lower.size else len(times) - 1  # a plateau to the end: the last time
        return float((times[i] + times[end]) / 2)
    return float(times[i])


def rcs_basis(x: np.ndarray, knots) -> np.ndarray:
    """Harrell's restricted cubic spline basis (linear beyond the outer knots), like ``rms::rcs``.

    Returns an (n, k-1) array: ``x`` itself and k-2 non-linear terms, each divided by
    ``(t_k - t_1)^2`` as ``rms::rcs``/``Hmisc::rcspline.eval`` do by default. Written here
    (rather than scikit-learn's B-spline ``SplineTransformer``) because its coefficients are the
    familiar rms ones and the knots fit in a JSON artifact.
    """
    x = np.asarray(x, float)
    t = np.asarray(knots, float)
    k = t.size
    norm = (t[-1] - t[0]) ** 2
    cols = [x]
    for j in range(k - 2):
        term = (np.clip(x - t[j], 0, None) ** 3
                - np.clip(x - t[k - 2], 0, None) ** 3 * (t[k - 1] - t[j]) / (t[k - 1] - t[k - 2])
                + np.clip(x - t[k - 1], 0, None) ** 3 * (t[k - 2] - t[j]) / (t[k - 1] - t[k - 2]))
        cols.append(term / norm)
    return np.column_stack(cols)
