"""``prognosis predict``: individual survival predictions from a saved model.

    prognosis predict --model M.skops PATIENTS.csv [--mapping M.yaml] [--out OUT.csv]
                      [--times 3,6,12,24] [--scores revised_tokuhashi,tomita]

For each patient: predicted S(t) at 3, 6, 12 and 24 months (NaN, with a note, beyond the
training follow-up of the model -- never extrapolated), for Cox models with the 95% confidence
interval of S(t) (as R survfit.coxph; other models give point predictions, which the output
says), and the classic scores with their item breakdown.
PATIENTS needs no outcome columns when read without --mapping (placeholders are added and never used; with a mapping, map or include them). The terminal output identifies patients by row number
(0-based data row of PATIENTS) only; the output CSV carries ``input_row`` and, when the input
has one, the user's own ``patient_id`` column (it is the user's file, so results can be merged
back).
"""
from __future__ import annotations

import argparse
import sys
import warnings

import numpy as np
import pandas as pd

from ..errors import InputError

DEFAULT_TIMES = (3.0, 6.0, 12.0, 24.0)


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("predict", help="predict individual survival with a saved model",
                              description="Predict S(3, 6, 12, 24 months) and classic scores for each patient.")
    p.add_argument("patients", metavar="PATIENTS", help="table of patients (.csv, .tsv, .xlsx, .parquet)")
    p.add_argument("--model", required=True, help="model artifact written by `prognosis fit`")
    p.add_argument("--mapping", "-m", default=None, help="mapping file (YAML) for PATIENTS")
    p.add_argument("--out", "-o", default=None, help="output CSV (default: print only)")
    p.add_argument("--times", default=",".join(f"{t:g}" for t in DEFAULT_TIMES), help="months, comma-separated")
    p.add_argument("--scores", default="all", help="classic scores to show: comma-separated names, 'all' or 'none'")
    p.set_defaults(func=run)
    return p


def _read_patients(path: str, mapping):
    """Harmonize PATIENTS; outcome columns are optional here (placeholders, never used)."""
    from .. import read_cohort
    from ..cohort.readers import read_table

    raw = read_table(path)[0]
    raw = raw.copy()
    placeholder = []
    for col, val in (("time_months", 1.0), ("event", 0), ("cohort", "predict")):
        if col not in raw.columns and (mapping is None or col in ("cohort",)):
            raw[col] = val
            placeholder.append(col)
    has_id = "patient_id" in raw.columns
    if not has_id:
        raw["patient_id"] = [f"row{i}" for i in range(len(raw))]
    cohort = read_cohort(raw, mapping)
    return cohort, has_id


def run(args) -> int:
    from .. import scores as scoremod
    from ..models import load

    try:
        times = [float(t) for t in args.times.split(",") if t.strip()]
    except ValueError as exc:
        raise InputError(f"--times {args.times!r}: expected comma-separated months") from exc
    model = load(args.model)
    cohort, has_id = _read_patients(args.patients, args.mapping)
    frame = cohort.frame
    rows = frame.index.to_numpy()  # harmonized frames keep the input data-row positions as index
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        surv = model.predict_survival(frame, times, truncate=True)
        risk = model.predict(frame)
        final = model.steps[-1][1] if hasattr(model, "steps") else model
        interval = None
        if hasattr(final, "predict_survival_interval"):
            interval = model.predict_survival_interval(frame, times, truncate=True)
        # a model fitted on multiply imputed data (ImputedModel): S(t) range across the imputations
        srange = model.predict_survival_range(frame, times, truncate=True) if hasattr(model, "predict_survival_range") else None
    out = pd.DataFrame({"input_row": rows})
    if has_id:
        out["patient_id"] = frame["patient_id"].astype(str).to_numpy()
    for t in times:
        out[f"S_{t:g}m"] = surv[t].to_numpy()
        if interval is not None:
            out[f"S_{t:g}m_lower95"] = interval[0][t].to_numpy()
            out[f"S_{t:g}m_upper95"] = interval[1][t].to_numpy()
        if srange is not None:
            out[f"S_{t:g}m_min_over_imputations"] = srange[0][t].to_numpy()
            out[f"S_{t:g}m_max_over_imputations"] = srange[1][t].to_numpy()
    out["risk"] = risk
    names = [] if args.scores == "none" else (scoremod.available() if args.scores == "all" else
                                             [s.strip() for s in args.scores.split(",") if s.strip()])
    tables = {}
    for name in names:
        tab = scoremod.compute(frame, name, errors="coerce")
        tables[name] = tab
        for col in tab.columns:
            out[col] = tab[col].to_numpy()
    meta = getattr(model, "artifact_metadata_", {})
    tmax = getattr(final, "max_time_", None)
    print(f"model: {meta.get('extra', {}).get('model', type(final).__name__)} "
          f"(saved {meta.get('created_utc', '?')}); {len(frame)} patient(s)")
    if tmax is not None and any(t > tmax for t in times):
        print(f"note: horizons beyond the model's training follow-up ({tmax:.1f} months) are not estimable and shown as NA")
    if srange is not None:
        print(f"note: missing inputs imputed {getattr(final, 'm', '?')} times; [imputations a-b] = range of S(t) "
              "across the imputations, the prediction is their mean")
    if interval is None:
        print("note: no per-patient interval is available for this model (point predictions only)")
    else:
        print("note: (95% confidence interval of S(t) given the model: coefficient and baseline-hazard "
              "uncertainty, as R survfit.coxph; not a prediction interval)")
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)
    for i in range(len(out)):
        parts = []
        for j, (t, v) in enumerate(zip(times, surv.iloc[i].to_numpy())):
            txt = f"S({t:g}m)={'NA' if np.isnan(v) else f'{v:.2f}'}"
            if interval is not None and not np.isnan(v):
                txt += f" ({interval[0].iloc[i, j]:.2f}-{interval[1].iloc[i, j]:.2f})"
            if srange is not None and not np.isnan(v):
                txt += f" [imputations {srange[0].iloc[i, j]:.2f}-{srange[1].iloc[i, j]:.2f}]"
            parts.append(txt)
        s = "  ".join(parts)
        print(f"row {int(rows[i])}: {s}")
        for name, tab in tables.items():
            r = tab.iloc[i]
            items = [c for c in tab.columns if c.startswith(f"{name}__")]
            parts = ", ".join(f"{c[len(name) + 2:]}={'NA' if pd.isna(r[c]) else r[c]}" for c in items)
            total = "NA" if pd.isna(r[name]) else r[name]
            grp = "undetermined" if pd.isna(r[f"{name}_group"]) else r[f"{name}_group"]
            print(f"    {name}: {total} ({grp}) [{parts}]")
    if args.out:
        out.to_csv(args.out, index=False)
        print(f"wrote {args.out}")
    return 0
