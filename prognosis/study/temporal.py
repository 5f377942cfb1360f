"""Temporal validation and performance by calendar period (drift).

Config::

    validation: {method: temporal, split: "2016-01-01", date_column: DiagnosisDate,
                 period: year, n_boot: 200}

The development cohort must carry a date per patient (the mapping keeps it with
``keep: [DiagnosisDate]``; the schema itself holds no dates, only durations). Patients whose date
is before ``split`` form the development period: predictors are fitted and internally validated
there (bootstrap optimism correction, ``n_boot``). Patients from ``split`` on form the
validation period and are evaluated like an external cohort (discrimination, calibration,
transport). Splitting by calendar time is the "temporal validation" of TRIPOD (Collins et al.,
BMJ 2015;350:g7594, type 2b), which is between internal and fully external validation.

:func:`period_performance` evaluates the development-period predictors in each calendar period
(``year``, ``2year``, ``5year``) of the whole cohort: Harrell C and O/E (1 - KM over mean
predicted risk) at each horizon, with the number of patients and deaths, so that drift is seen
as a trend. Periods with fewer than 10 deaths are reported with NaN metrics and a note.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ConfigError, PrognosisError

__all__ = ["PERIODS", "parse_dates", "parse_temporal", "period_performance", "temporal_split"]

PERIODS = {"year": 1, "2year": 2, "5year": 5}
MIN_DEATHS_PER_PERIOD = 10


def parse_temporal(val_raw: dict, add_problem) -> dict:
    """Check the temporal keys of ``validation`` (``add_problem(msg)`` collects errors)."""
    out = {"split": None, "date_column": None, "period": "year"}
    method = val_raw.get("method", "bootstrap")
    extra = [k for k in ("split", "date_column", "period") if k in val_raw]
    if method != "temporal":
        if extra:
            add_problem(f"validation.{extra[0]} is only used with validation.method: temporal")
        return out
    split = val_raw.get("split")
    try:
        out["split"] = str(pd.Timestamp(str(split)).date()) if split is not None else None
    except (ValueError, TypeError):
        add_problem(f"validation.split must be a date (YYYY-MM-DD), got {split!r}")
    if split is None:
        add_problem("validation.method temporal needs validation.split (a date, YYYY-MM-DD)")
    col = val_raw.get("date_column")
    if not isinstance(col, str) or not col:
        add_problem("validation.method temporal needs validation.date_column (a date column kept by the mapping, "
                    "e.g. keep: [DiagnosisDate])")
    out["date_column"] = col
    period = val_raw.get("period", "year")
    if period not in PERIODS:
        add_problem(f"validation.period must be one of {list(PERIODS)}, got {period!r}")
    else:
        out["period"] = period
    return out


def parse_dates(frame: pd.DataFrame, column: str) -> pd.Series:
    """The date column as datetimes; ConfigError naming the column and first bad row (never the value
    of an identifier column)."""
    if column not in frame.columns:
        from ..errors import did_you_mean

        raise ConfigError(f"validation.date_column {column!r} is not in the development cohort"
                          f"{did_you_mean(column, frame.columns)}; keep it in the mapping (keep: [{column}])")
    s = frame[column]
    d = pd.to_datetime(s, errors="coerce", format="ISO8601") if not pd.api.types.is_datetime64_any_dtype(s) else s
    bad = d.isna() & s.notna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ConfigError(f"column {column!r}: value {s.iloc[i]!r} at row {i} is not a date (YYYY-MM-DD)")
    if d.isna().any():
        i = int(np.flatnonzero(d.isna().to_numpy())[0])
        raise ConfigError(f"column {column!r} is missing at row {i} ({int(d.isna().sum())} rows); temporal "
                          "validation needs a date for every patient")
    return d


def temporal_split(cohort, split: str, column: str):
    """(early Cohort, late Cohort) split at ``split`` by ``column`` (late = on or after the date)."""
    from ..cohort.cohort import Cohort

    frame = cohort.frame.reset_index(drop=True)
    d = parse_dates(frame, column)
    late = (d >= pd.Timestamp(split)).to_numpy()
    for name, m in (("before", ~late), ("from", late)):
        k = int(frame.loc[m, "event"].sum())
        if m.sum() == 0 or k < MIN_DEATHS_PER_PERIOD:
            raise ConfigError(f"temporal split at {split}: {int(m.sum())} patients and {k} deaths {name} that date "
                              f"(need >= {MIN_DEATHS_PER_PERIOD} deaths on each side); move validation.split")
    meta = dict(cohort.metadata or {})
    early = Cohort(frame=frame.loc[~late].reset_index(drop=True), metadata={**meta, "temporal": f"before {split}"})
    later = Cohort(frame=frame.loc[late].reset_index(drop=True), metadata={**meta, "temporal": f"from {split}"})
    return early, later


def period_performance(fitted: dict, frame: pd.DataFrame, column: str, period: str, horizons) -> pd.DataFrame:
    """Harrell C and O/E at each horizon per calendar period, for every fitted predictor."""
    from ..metrics import harrell_c
    from ..metrics.km import _km

    d = parse_dates(frame, column)
    step = PERIODS[period]
    year = d.dt.year.to_numpy()
    start = (year - year.min()) // step * step + year.min()
    t = frame["time_months"].to_numpy(float)
    e = frame["event"].to_numpy(int)
    rows = []
    for p0 in np.unique(start):
        m = start == p0
        label = f"{p0}" if step == 1 else f"{p0}-{p0 + step - 1}"
        deaths = int(e[m].sum())
        sub = frame.loc[m]
        for name, est in fitted.items():
            r = {"predictor": name, "period": label, "n": int(m.sum()), "deaths": deaths, "note": ""}
            if deaths < MIN_DEATHS_PER_PERIOD:
                r["note"] = f"fewer than {MIN_DEATHS_PER_PERIOD} deaths: not estimated"
                r["harrell_c"] = np.nan
                rows.append(r)
                continue
            try:
                r["harrell_c"] = float(harrell_c(t[m], e[m], np.asarray(est.predict(sub), float), warn_reversed=False))
                S = est.predict_survival(sub, list(horizons), truncate=True)
                km = _km(t[m], e[m])
                for h in horizons:
                    if h > t[m].max() or S[h].isna().any():
                        r[f"oe_ratio@{h:g}"] = np.nan
                        continue
                    r[f"oe_ratio@{h:g}"] = (1 - float(km(h))) / float((1 - S[h]).mean())
            except PrognosisError as exc:
                r["note"] = str(exc).splitlines()[0][:200]
            rows.append(r)
    cols = ["predictor", "period", "n", "deaths", "harrell_c"] + [f"oe_ratio@{h:g}" for h in horizons] + ["note"]
    return pd.DataFrame(rows).reindex(columns=cols)
