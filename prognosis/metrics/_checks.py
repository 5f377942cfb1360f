"""Input validation shared by the survival metrics.

Every check raises :class:`prognosis.errors.MetricInputError` with a message that says what is
wrong and at which row positions (never patient identifiers).
"""
from __future__ import annotations

import numpy as np

from ..errors import MetricInputError

__all__ = ["check_survival", "check_vector", "check_horizons", "as_numeric", "BEYOND_FOLLOWUP_OPTIONS"]

#: What to do with a horizon ``t`` beyond the last observed time: raise (default), or replace it
#: by the last observed time ("truncate"). Never done silently: the choice is the caller's.
BEYOND_FOLLOWUP_OPTIONS = ("raise", "truncate")


def as_numeric(x, name: str) -> np.ndarray:
    """``np.asarray(x, dtype=float)``, or :class:`MetricInputError` naming ``name`` when ``x``
    holds text, lists or other non-numbers (the value itself is not echoed)."""
    try:
        return np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        kind = type(x).__name__
        raise MetricInputError(f"{name} must be numeric (got {kind} with non-numeric values)") from None


def _rows(mask: np.ndarray, k: int = 5) -> str:
    idx = np.flatnonzero(mask)
    more = f" (and {idx.size - k} more)" if idx.size > k else ""
    return f"{idx[:k].tolist()}{more}"


def check_survival(time, event, *, prefix: str = "", require_event: bool = True):
    """Validate survival times and event indicators.

    Returns ``(time float64, event int64)``. Raises :class:`MetricInputError` on length
    mismatch, non-finite or negative times, event values other than 0/1, or (when
    ``require_event``) no events at all.
    """
    t = as_numeric(time, f"{prefix}time").ravel()
    try:
        e = np.asarray(event, dtype=float).ravel()
    except (TypeError, ValueError):
        raise MetricInputError(f"{prefix}event must be 0/1 (got non-numeric values)") from None
    if t.shape != e.shape:
        raise MetricInputError(
            f"length mismatch: {prefix}time has {t.size} values, {prefix}event has {e.size}")
    if t.size == 0:
        raise MetricInputError(f"{prefix}time is empty")
    bad = ~np.isfinite(t)
    if bad.any():
        raise MetricInputError(f"{prefix}time is missing or infinite at rows {_rows(bad)}")
    if (t < 0).any():
        raise MetricInputError(f"{prefix}time is negative at rows {_rows(t < 0)}")
    bad = ~np.isin(e, (0.0, 1.0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise MetricInputError(f"{prefix}event must be 0/1; row {i} has {e[i]!r}")
    e = e.astype(np.int64)
    if require_event and e.sum() == 0:
        raise MetricInputError(f"{prefix}event has no events (all {e.size} observations censored)")
    return t, e


def check_vector(x, n: int, name: str) -> np.ndarray:
    """A finite float vector of length ``n`` (NaN/inf -> error naming the rows)."""
    v = as_numeric(x, name)
    if v.ndim == 2 and 1 in v.shape:
        v = v.ravel()
    if v.ndim != 1:
        raise MetricInputError(f"{name} must be 1-D, got shape {v.shape}")
    if v.size != n:
        raise MetricInputError(f"length mismatch: {name} has {v.size} values, time/event have {n}")
    bad = ~np.isfinite(v)
    if bad.any():
        raise MetricInputError(f"{name} is missing (NaN) or infinite at rows {_rows(bad)}")
    return v


def check_probability(x, n: int, name: str = "surv") -> np.ndarray:
    v = check_vector(x, n, name)
    bad = (v < 0) | (v > 1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise MetricInputError(f"{name} must be a probability in [0, 1]; row {i} has {v[i]!r}")
    return v


def check_horizons(t, time: np.ndarray, *, beyond_followup: str = "raise",
                   name: str = "t") -> np.ndarray:
    """Validate horizon(s) ``t`` against the follow-up in ``time``.

    ``beyond_followup="raise"`` (default) raises when a horizon exceeds the last observed time;
    ``"truncate"`` replaces such horizons by the last observed time (explicit, never silent).
    """
    if beyond_followup not in BEYOND_FOLLOWUP_OPTIONS:
        raise MetricInputError(
            f"beyond_followup must be one of {BEYOND_FOLLOWUP_OPTIONS}, got {beyond_followup!r}")
    h = np.atleast_1d(as_numeric(t, name)).astype(float)
    if h.ndim != 1 or h.size == 0:
        raise MetricInputError(f"{name} must be a number or a 1-D sequence of numbers")
    if not np.isfinite(h).all():
        raise MetricInputError(f"{name} must be finite, got {h.tolist()}")
    if (h <= 0).any():
        raise MetricInputError(f"horizon {name} must be > 0, got {h[h <= 0].tolist()}")
    tmax = float(time.max())
    over = h > tmax
    if over.any():
        if beyond_followup == "raise":
            raise MetricInputError(
                f"horizon {name}={h[over].tolist()} is beyond the last follow-up time {tmax:g}; "
                "choose an earlier horizon or pass beyond_followup='truncate' to use the last "
                "follow-up time")
        h = np.where(over, tmax, h)
    return h
