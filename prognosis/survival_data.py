"""The survival outcome ``y`` shared by models, metrics and studies.

``y`` is a NumPy structured array as in scikit-survival, with a boolean field ``event`` and a
float field ``time_months``; models also accept a DataFrame with columns ``time_months`` and
``event``. Time is in months (days / 30.4375).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import InputError

__all__ = ["Y_DTYPE", "make_y", "split_y", "y_from_frame"]

Y_DTYPE = np.dtype([("event", "?"), ("time_months", "<f8")])


def make_y(time, event) -> np.ndarray:
    """Build the structured survival array from times (months) and events (1 = death)."""
    time = np.asarray(time, dtype=float)
    event = np.asarray(event)
    if time.shape != event.shape or time.ndim != 1:
        raise InputError(f"time and event must be 1-D of equal length, got {time.shape} and {event.shape}")
    if np.isnan(time).any():
        raise InputError(f"time has missing values at rows {np.flatnonzero(np.isnan(time))[:5].tolist()}")
    ev = pd.to_numeric(pd.Series(event), errors="coerce").to_numpy(dtype=float)
    bad = ~np.isin(ev, [0.0, 1.0])
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"event must be 0/1; row {i} has {event[i]!r}")
    y = np.empty(time.shape[0], dtype=Y_DTYPE)
    y["event"] = ev.astype(bool)
    y["time_months"] = time
    return y


def split_y(y) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(time, event)`` float/int arrays from a structured array or a DataFrame.

    Accepts any scikit-survival structured array (first boolean field = event, first float
    field = time), or a DataFrame/dict with ``time_months`` and ``event``.
    """
    if isinstance(y, pd.DataFrame):
        missing = {"time_months", "event"} - set(y.columns)
        if missing:
            raise InputError(f"y DataFrame lacks column(s) {sorted(missing)}")
        y = make_y(y["time_months"].to_numpy(), y["event"].to_numpy())
    y = np.asarray(y)
    if y.dtype.names is None or len(y.dtype.names) < 2:
        raise InputError("y must be a structured array (event, time) or a DataFrame with time_months and event")
    ev_name = next((n for n in y.dtype.names if y.dtype[n].kind == "b"), None)
    t_name = next((n for n in y.dtype.names if y.dtype[n].kind == "f"), None)
    if ev_name is None or t_name is None:
        raise InputError(f"y needs a boolean event field and a float time field, got {y.dtype}")
    return y[t_name].astype(float), y[ev_name].astype(int)


def y_from_frame(frame: pd.DataFrame) -> np.ndarray:
    """Structured ``y`` from a canonical cohort frame (``time_months``, ``event``)."""
    t, e = split_y(frame[["time_months", "event"]])
    return make_y(t, e)
