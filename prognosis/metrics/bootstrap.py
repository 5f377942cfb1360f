"""Nonparametric bootstrap of any metric, with percentile confidence intervals, and a paired
comparison of two predictors on the same resamples.

Reproducibility: replicate b draws its row indices from ``numpy.random.default_rng(child_b)``
where ``child_b`` is the b-th child of ``numpy.random.SeedSequence(seed)``. The indices are thus
fixed by (seed, b) alone, so results are identical for any ``n_jobs`` (and memory stays O(n)
rather than O(n_boot * n)). Parallelism uses joblib (loky processes), in ``n_jobs`` chunks.
"""
from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._summary import Summary
from ..errors import BootstrapWarning, FeatureEncodingWarning, MetricInputError, PrognosisError, ReversedScoreWarning

__all__ = ["BootstrapResult", "PairedBootstrapResult", "bootstrap", "paired_bootstrap",
           "resample_indices"]


def resample_indices(n: int, n_boot: int, seed: int, start: int = 0, stop: int | None = None):
    """Yield the row indices of replicates ``start..stop`` (deterministic in seed and b)."""
    children = np.random.SeedSequence(seed).spawn(n_boot)
    for b in range(start, n_boot if stop is None else stop):
        yield np.random.default_rng(children[b]).integers(0, n, size=n)


def _take(data, idx):
    if isinstance(data, pd.DataFrame):
        return data.iloc[idx].reset_index(drop=True)
    if isinstance(data, dict):
        return {k: np.asarray(v)[idx] for k, v in data.items()}
    if isinstance(data, (tuple, list)):
        return type(data)(np.asarray(v)[idx] for v in data)
    return np.asarray(data)[idx]


def _nrows(data) -> int:
    if isinstance(data, pd.DataFrame):
        return len(data)
    if isinstance(data, dict):
        lens = {len(v) for v in data.values()}
    elif isinstance(data, (tuple, list)):
        lens = {len(v) for v in data}
    else:
        lens = {len(data)}
    if len(lens) != 1:
        raise MetricInputError(f"bootstrap data arrays have different lengths {sorted(lens)}")
    return lens.pop()


def _as_vector(value) -> tuple[np.ndarray, list | None]:
    if isinstance(value, dict):
        return np.asarray([float(v) for v in value.values()]), list(value.keys())
    if isinstance(value, pd.Series):
        return value.to_numpy(dtype=float), list(value.index)
    arr = np.atleast_1d(np.asarray(value, dtype=float))
    return arr, None


def _chunk(metric_fn, data, n, n_boot, seed, start, stop, width):
    out = np.full((stop - start, width), np.nan)
    errors = []
    for k, idx in enumerate(resample_indices(n, n_boot, seed, start, stop)):
        try:
            with warnings.catch_warnings():
                # per-replicate notes (reversed C, encoding notes) would repeat n_boot times
                warnings.simplefilter("ignore", ReversedScoreWarning)
                warnings.simplefilter("ignore", FeatureEncodingWarning)
                v, _ = _as_vector(metric_fn(_take(data, idx)))
            out[k] = v
        except PrognosisError as exc:   # degenerate resample (e.g. no deaths): recorded, not hidden
            errors.append(f"replicate {start + k}: {exc}")
    return out, errors


def _run(metric_fn, data, n_boot, seed, n_jobs):
    if n_boot < 1:
        raise MetricInputError(f"n_boot must be >= 1, got {n_boot}")
    if seed is None:
        raise MetricInputError("bootstrap needs an integer seed (same seed -> same numbers)")
    n = _nrows(data)
    est_v, names = _as_vector(metric_fn(data))
    width = est_v.size
    n_jobs = max(1, min(int(n_jobs), n_boot))
    bounds = np.linspace(0, n_boot, n_jobs + 1).astype(int)
    if n_jobs == 1:
        parts = [_chunk(metric_fn, data, n, n_boot, seed, 0, n_boot, width)]
    else:
        from joblib import Parallel, delayed
        parts = Parallel(n_jobs=n_jobs)(
            delayed(_chunk)(metric_fn, data, n, n_boot, seed, int(a), int(b), width)
            for a, b in zip(bounds[:-1], bounds[1:], strict=False))
    reps = np.vstack([p[0] for p in parts])
    errors = [m for p in parts for m in p[1]]
    if errors:
        warnings.warn(f"{len(errors)} of {n_boot} bootstrap replicates failed and are excluded "
                      f"(first: {errors[0]})", BootstrapWarning, stacklevel=3)
    return est_v, names, reps, errors


def _percentile(reps, conf_level):
    a = (1 - conf_level) / 2
    ok = reps[~np.isnan(reps).any(axis=1)]
    if ok.shape[0] == 0:
        raise MetricInputError("every bootstrap replicate failed")
    return np.quantile(ok, a, axis=0), np.quantile(ok, 1 - a, axis=0), ok.std(axis=0, ddof=1) \
        if ok.shape[0] > 1 else np.full(reps.shape[1], np.nan)


def _fmt(x):
    if isinstance(x, pd.Series):
        return x
    return float(x)


@dataclass
class BootstrapResult:
    """Bootstrap of a metric: point estimate on the full data, percentile CI, replicates.

    ``estimate``, ``lower``, ``upper``, ``se`` are floats for a scalar metric and Series for a
    metric returning a dict/Series. ``replicates`` is an array (n_boot,) or a DataFrame
    (n_boot x metrics); failed replicates are NaN and counted in ``n_failed``.
    """

    estimate: Any
    lower: Any
    upper: Any
    se: Any
    replicates: Any = field(repr=False)
    conf_level: float = 0.95
    n_boot: int = 0
    n_failed: int = 0
    seed: int = 0

    @property
    def ci(self):
        return (self.lower, self.upper)

    def summary(self) -> Summary:
        """Estimate and percentile CI: ``str()`` is the text, ``.table`` one row per metric."""
        pct = f"{100 * self.conf_level:g}%"
        if isinstance(self.estimate, pd.Series):
            rows = [f"  {k}: {self.estimate[k]:.4f} ({pct} CI {self.lower[k]:.4f} to "
                    f"{self.upper[k]:.4f})" for k in self.estimate.index]
        else:
            rows = [f"  {self.estimate:.4f} ({pct} CI {self.lower:.4f} to {self.upper:.4f}; "
                    f"SE {self.se:.4f})"]
        head = f"Bootstrap ({self.n_boot} replicates, seed {self.seed}, percentile CI"
        head += f", {self.n_failed} failed)" if self.n_failed else ")"
        table = pd.DataFrame({"estimate": self.estimate, "lower": self.lower, "upper": self.upper, "se": self.se},
                             index=self.estimate.index if isinstance(self.estimate, pd.Series) else ["metric"])
        table.index.name = "metric"
        return Summary("\n".join([head] + rows), table)

    def __repr__(self) -> str:
        if isinstance(self.estimate, pd.Series):
            return f"BootstrapResult(metrics={list(self.estimate.index)}, n_boot={self.n_boot})"
        return (f"BootstrapResult(estimate={self.estimate:.4f}, ci=({self.lower:.4f}, "
                f"{self.upper:.4f}), n_boot={self.n_boot})")


def bootstrap(metric_fn: Callable[[Any], Any], data, n_boot: int = 1000, seed: int = 0,
              n_jobs: int = 1, *, conf_level: float = 0.95) -> BootstrapResult:
    """Percentile bootstrap confidence interval of ``metric_fn(data)``.

    Parameters
    ----------
    metric_fn : callable
        ``metric_fn(resampled_data) -> float`` (or dict / Series of floats for several
        metrics at once), e.g. ``lambda d: harrell_c(d.time, d.event, d.risk)`` (risk: higher =
        worse). Must be picklable by cloudpickle when ``n_jobs > 1`` (lambdas are fine).
    data : DataFrame, dict of arrays, tuple of arrays or array
        Rows are resampled with replacement (whole patients).
    n_boot : int
        Number of replicates.
    seed : int
        Seed; same seed -> same replicates, whatever ``n_jobs``.
    n_jobs : int
        Worker processes (joblib).
    conf_level : float
        Level of the percentile interval.

    Returns
    -------
    BootstrapResult
    """
    if not 0 < conf_level < 1:
        raise MetricInputError(f"conf_level must be in (0, 1), got {conf_level!r}")
    est, names, reps, errors = _run(metric_fn, data, n_boot, seed, n_jobs)
    lo, hi, se = _percentile(reps, conf_level)
    if names is None and est.size == 1:
        return BootstrapResult(float(est[0]), float(lo[0]), float(hi[0]), float(se[0]),
                               reps[:, 0], conf_level, n_boot, len(errors), seed)
    idx = names if names is not None else list(range(est.size))
    S = lambda v: pd.Series(v, index=idx)  # noqa: E731
    return BootstrapResult(S(est), S(lo), S(hi), S(se), pd.DataFrame(reps, columns=idx),
                           conf_level, n_boot, len(errors), seed)


@dataclass
class PairedBootstrapResult:
    """Paired bootstrap comparison: difference ``a - b`` with percentile CI and p-value."""

    estimate_a: float
    estimate_b: float
    difference: float
    lower: float
    upper: float
    p_value: float
    replicates: np.ndarray = field(repr=False)
    conf_level: float = 0.95
    n_boot: int = 0
    n_failed: int = 0
    seed: int = 0

    @property
    def ci(self):
        return (self.lower, self.upper)

    def _text(self) -> str:
        pct = f"{100 * self.conf_level:g}%"
        return (f"Paired bootstrap ({self.n_boot} replicates, seed {self.seed}): "
                f"a = {self.estimate_a:.4f}, b = {self.estimate_b:.4f}, "
                f"a - b = {self.difference:.4f} ({pct} CI {self.lower:.4f} to {self.upper:.4f}; "
                f"two-sided p = {self.p_value:.4g})")

    def summary(self) -> Summary:
        """The difference with its CI and p: ``str()`` is one line, ``.table`` one row."""
        cols = ("estimate_a", "estimate_b", "difference", "lower", "upper", "p_value", "n_boot", "n_failed")
        return Summary(self._text(), pd.DataFrame([{c: getattr(self, c) for c in cols}]))

    def __repr__(self) -> str:
        return self._text()


def paired_bootstrap(metric_a: Callable, metric_b: Callable, data, n_boot: int = 1000,
                     seed: int = 0, n_jobs: int = 1, *, conf_level: float = 0.95
                     ) -> PairedBootstrapResult:
    """Compare two predictors on the same bootstrap resamples (e.g. Delta C of two scores).

    ``metric_a(d)`` and ``metric_b(d)`` each return a float (e.g. ``harrell_c`` of two risk
    columns, higher = worse). Both are evaluated on every resample, so the difference keeps the
    pairing. The p-value is the two-sided bootstrap percentile p,
    ``min(1, 2 * min(#(D* <= 0) + 1, #(D* >= 0) + 1) / (B + 1))``, consistent with whether the
    percentile interval contains 0.
    """
    fn = _PairFn(metric_a, metric_b)
    est, _, reps, errors = _run(fn, data, n_boot, seed, n_jobs)
    ok = reps[~np.isnan(reps).any(axis=1)]
    if ok.shape[0] == 0:
        raise MetricInputError("every bootstrap replicate failed")
    d = ok[:, 0] - ok[:, 1]
    a = (1 - conf_level) / 2
    B = d.size
    p = min(1.0, 2 * min((np.sum(d <= 0) + 1), (np.sum(d >= 0) + 1)) / (B + 1))
    return PairedBootstrapResult(float(est[0]), float(est[1]), float(est[0] - est[1]),
                                 float(np.quantile(d, a)), float(np.quantile(d, 1 - a)),
                                 float(p), reps, conf_level, n_boot, len(errors), seed)


class _PairFn:
    def __init__(self, a, b):
        self.a, self.b = a, b

    def __call__(self, d):
        return np.array([float(self.a(d)), float(self.b(d))])
