"""``prognosis predict``: individual survival predictions from a saved model.

    prognosis predict --model M.skops PATIENTS.csv [--mapping M.yaml] [--out OUT.csv]
                      [--times 3,6,12,24] [--scores revised_tokuhashi,tomita]

For each patient: predicted S(t) at 3, 6, 12 and 24 months (NaN, with a note, beyond the
training follow-up of the model -- never extrapolated), for Cox models with the 95% confidence
interval of S(t) (as R survfit.coxph; other models give point predictions, which the output
says), and the classic scores with their item breakdown.
PATIENTS needs no outcome columns when read without --mapping (placeholders are added and never
used; with a mapping, map or include them). The terminal output identifies patients by row number
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
    p.add_argument("patients", metavar="PATIENTS", nargs="?", default=None,
                   help="table of patients (.csv, .tsv, .xlsx, .parquet); or one patient with --patient")
    p.add_argument("--model", required=True, help="model artifact written by `prognosis fit`")
    p.add_argument("--mapping", "-m", default=None, help="mapping file (YAML) for PATIENTS")
    p.add_argument("--out", "-o", default=None, help="output CSV (default: print only)")
    p.add_argument("--times", default=",".join(f"{t:g}" for t in DEFAULT_TIMES), help="months, comma-separated")
    p.add_argument("--scores", default="all", help="classic scores to show: comma-separated names, 'all' or 'none'")
    from ._patient import add_arguments  # --patient, --plot, --cohort (issue 18)
    add_arguments(p)
    p.set_defaults(func=run)
    return p


def _read_patients(path: str, mapping):
    """Harmonize PATIENTS; outcome columns are optional here (placeholders, never used).

    Returns ``(cohort, has_id, provided, input_rows, rejected)``: the columns the input
    actually supplies (mapped or canonical, or derived by the mapping), the input data-row
    number of each harmonized patient, and ``{row: reason}`` of the rejected rows.
    """
    from .. import read_cohort
    from ..cohort.mapping import load_mapping
    from ..cohort.readers import read_table

    m = load_mapping(mapping)
    raw = read_table(path, encoding=m.read.get("encoding"), delimiter=m.read.get("delimiter"),
                     sheet=m.read.get("sheet"))[0]
    raw = raw.copy()
    placeholder = []
    for col, val in (("time_months", 1.0), ("event", 0), ("cohort", "predict")):
        if col not in raw.columns and (mapping is None or col in ("cohort",)):
            raw[col] = val
            placeholder.append(col)
    # an identifier is needed by the harmonizer; when the file has none (neither a patient_id
    # column nor one named by the mapping) each row gets its row number, never printed
    has_id = "patient_id" in raw.columns or "patient_id" in m.columns
    if not has_id:
        raw["patient_id"] = [f"row{i}" for i in range(len(raw))]
    cohort = read_cohort(raw, m)
    frame = cohort.frame
    used = set((cohort.metadata or {}).get("columns_used", {}) or {})
    # columns derived by the mapping (e.g. ECOG from KPS, Frankel from ASIA) count as supplied
    provided = (used | {c for c in frame.columns if frame[c].notna().any() and c not in placeholder}) - set(placeholder)
    audit = cohort.audit
    status = audit[audit["column"] == "*"].sort_values("row")
    rej = status[status["action"] == "rejected"]
    rejected = {int(r): str(why) for r, why in zip(rej["row"], rej["reason"], strict=False)}
    kept = status.loc[status["action"] != "rejected", "row"].to_numpy()
    if len(kept) != len(frame):  # pragma: no cover - the harmonizer keeps one status record per row
        raise InputError(f"{path}: cannot match the {len(frame)} harmonized patients to input rows")
    return cohort, has_id, provided, kept.astype(int), rejected


def required_inputs(model) -> tuple[list[str], list[str]]:
    """``(columns, items)`` a saved model needs in PATIENTS: every canonical column with at least
    one value in the training data (values may be empty: they are imputed and reported per patient); for a
    score model every item of the score (any one of its columns)."""
    final = model.steps[-1][1] if hasattr(model, "steps") else model
    if hasattr(model, "steps"):
        fb = model.steps[0][1]
        return list(getattr(fb, "observed_columns_", fb.input_columns_)), []
    if hasattr(final, "name") and hasattr(final, "compute"):
        from ..scores import get_score

        d = get_score(final.name)
        return [], [tuple(c) for c in d.columns(d.resolve_options(final.options or {})).values() if c]
    return [], []


def run(args) -> int:
    from ..models import load
    from ..study.horizons import model_max_time, plan_horizons

    try:
        times = [float(t) for t in args.times.split(",") if t.strip()]
    except ValueError as exc:
        raise InputError(f"--times {args.times!r}: expected comma-separated months") from exc
    if getattr(args, "patient", None):
        from ._patient import run_patient
        return run_patient(args)
    if not args.patients:
        raise InputError("give PATIENTS (a table) or --patient COLUMN=VALUE ...")
    model = load(args.model)
    cohort, has_id, provided, rows, rejected = _read_patients(args.patients, args.mapping)
    _check_columns(args, model, provided)
    frame = cohort.frame
    final = model.steps[-1][1] if hasattr(model, "steps") else model
    plan = plan_horizons(times, None, model_max=model_max_time(model))
    pred, caught = _predict(model, final, frame, times)
    notes = _input_notes(model, final, frame)
    out = _prediction_table(rows, frame if has_id else None, times, pred, notes)
    out, tables = _with_scores(out, frame, args.scores)
    _print_summary(model, final, frame, rejected, plan, pred, caught)
    for i in range(len(out)):
        _print_patient(int(rows[i]), i, times, pred, notes[i], tables)
    if args.out:
        if rejected:
            rej = pd.DataFrame({"input_row": list(rejected), "rejected": list(rejected.values())})
            out = pd.concat([out, rej], ignore_index=True).sort_values("input_row", kind="stable")
        out.to_csv(args.out, index=False)
        print(f"wrote {args.out}")
    return 0


def _check_columns(args, model, provided: set) -> None:
    """Every input the model uses is a column of PATIENTS (values may be empty)."""
    cols, items = required_inputs(model)
    lacking = [c for c in cols if c not in provided]
    lacking_items = [" | ".join(c) for c in items if not any(x in provided for x in c)]
    if lacking or lacking_items:
        what = lacking or lacking_items
        raise InputError(
            f"{args.patients}: lacks {len(what)} column(s) the model uses: {what}. Add them (empty values are "
            "allowed: they are imputed and reported per patient)"
            + (", or pass --mapping to name the columns of this file" if args.mapping is None else "")
            + (f"; the file supplies {shown}" if (shown := sorted(provided - {'patient_id', 'cohort'}))
               else "; none of its columns is a model input"))


def _predict(model, final, frame: pd.DataFrame, times: list[float]) -> tuple[dict, list]:
    """S(t), risk, the 95% interval (models that have one) and the range over imputations
    (ImputedModel), with the warnings raised while predicting."""
    n = len(frame)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if n:
            surv = model.predict_survival(frame, times, truncate=True)
            risk = model.predict(frame)
        else:
            surv = pd.DataFrame(np.empty((0, len(times))), columns=times)
            risk = np.empty(0)
        interval = None
        if hasattr(final, "predict_survival_interval") and n:
            interval = model.predict_survival_interval(frame, times, truncate=True)
        # a model fitted on multiply imputed data (ImputedModel): S(t) range across the imputations
        srange = (model.predict_survival_range(frame, times, truncate=True)
                  if hasattr(model, "predict_survival_range") and n else None)
    return {"surv": surv, "risk": risk, "interval": interval, "srange": srange}, caught


def _input_notes(model, final, frame: pd.DataFrame) -> list[list[str]]:
    """Per patient: the inputs that were unknown, imputed or pooled (pipelines), or an
    incomplete score total (score models)."""
    notes: list[list[str]] = [[] for _ in range(len(frame))]
    if hasattr(model, "steps") and len(frame):
        notes = model.steps[0][1].patient_notes(frame)
    elif hasattr(final, "compute") and len(frame):
        tab = final.compute(frame)
        inc = tab[final.name].isna().to_numpy()
        how = ("scored at the middle of its possible range (missing='midrange')" if final.missing == "midrange"
               else "not scorable")
        for i in np.flatnonzero(inc):
            notes[i].append(f"{final.name} total incomplete (an item not recorded): {how}")
    return notes


def _prediction_table(rows, id_frame, times: list[float], pred: dict, notes) -> pd.DataFrame:
    """The output CSV: input row, the user's patient_id when the input has one, S(t) columns."""
    out = pd.DataFrame({"input_row": rows})
    if id_frame is not None:
        out["patient_id"] = id_frame["patient_id"].astype(str).to_numpy()
    interval, srange = pred["interval"], pred["srange"]
    for t in times:
        out[f"S_{t:g}m"] = pred["surv"][t].to_numpy()
        if interval is not None:
            out[f"S_{t:g}m_lower95"] = interval[0][t].to_numpy()
            out[f"S_{t:g}m_upper95"] = interval[1][t].to_numpy()
        if srange is not None:
            out[f"S_{t:g}m_min_over_imputations"] = srange[0][t].to_numpy()
            out[f"S_{t:g}m_max_over_imputations"] = srange[1][t].to_numpy()
    out["risk"] = pred["risk"]
    out["unknown_or_imputed"] = ["; ".join(n) for n in notes]
    return out


def _with_scores(out: pd.DataFrame, frame: pd.DataFrame, which: str) -> tuple[pd.DataFrame, dict]:
    """``out`` with the classic scores' columns (``--scores``), and each score's table."""
    from .. import scores as scoremod

    names = [] if which == "none" else (scoremod.available() if which == "all" else
                                        [s.strip() for s in which.split(",") if s.strip()])
    tables = {}
    score_cols = {}  # gathered then joined once: column-by-column insertion fragments the frame
    for name in names:
        tab = scoremod.compute(frame, name, errors="coerce")
        tables[name] = tab
        for col in tab.columns:
            score_cols[col] = tab[col].to_numpy()
    if score_cols:
        out = pd.concat([out.drop(columns=[c for c in score_cols if c in out.columns]),
                         pd.DataFrame(score_cols, index=out.index)], axis=1)
    return out, tables


def _print_summary(model, final, frame, rejected: dict, plan, pred: dict, caught) -> None:
    """Model, counts, rejected rows, horizon notes, what the interval means, and the warnings."""
    meta = getattr(model, "artifact_metadata_", {})
    print(f"model: {meta.get('extra', {}).get('model', type(final).__name__)} "
          f"(saved {meta.get('created_utc', '?')}); {len(frame)} patient(s) predicted, "
          f"{len(rejected)} input row(s) rejected")
    for r, why in rejected.items():
        if why.startswith("exact duplicate of row"):
            print(f"row {r}: {why}: predicted once, under the first copy")
        else:
            print(f"row {r}: rejected ({why}); no prediction")
    for note in plan.notes("S(t)"):
        print(f"note: {note}; shown as NA (never extrapolated)")
    if pred["srange"] is not None:
        print(f"note: missing inputs imputed {getattr(final, 'm', '?')} times; [imputations a-b] = range of S(t) "
              "across the imputations, the prediction is their mean")
    if pred["interval"] is None:
        print("note: no per-patient interval is available for this model (point predictions only)")
    else:
        print("note: (95% confidence interval of S(t) given the model: coefficient and baseline-hazard "
              "uncertainty, as R survfit.coxph; not a prediction interval)")
    # warnings naming row positions of the harmonized table are replaced by the per-patient
    # "unknown/imputed" lines below, which use input row numbers
    for msg in dict.fromkeys(str(w.message) for w in caught):
        if "rows [" not in msg:
            print(f"warning: {msg}", file=sys.stderr)


def _print_patient(row: int, i: int, times: list[float], pred: dict, notes: list[str], tables: dict) -> None:
    """One patient's terminal lines: S(t) (interval, range over imputations), notes, scores."""
    interval, srange = pred["interval"], pred["srange"]
    parts = []
    for j, (t, v) in enumerate(zip(times, pred["surv"].iloc[i].to_numpy(), strict=False)):
        txt = f"S({t:g}m)={'NA' if np.isnan(v) else f'{v:.2f}'}"
        if interval is not None and not np.isnan(v):
            txt += f" ({interval[0].iloc[i, j]:.2f}-{interval[1].iloc[i, j]:.2f})"
        if srange is not None and not np.isnan(v):
            txt += f" [imputations {srange[0].iloc[i, j]:.2f}-{srange[1].iloc[i, j]:.2f}]"
        parts.append(txt)
    print(f"row {row}: {'  '.join(parts)}")
    if notes:
        print(f"    inputs unknown, imputed or pooled: {'; '.join(notes)}")
    for name, tab in tables.items():
        r = tab.iloc[i]
        items_ = [c for c in tab.columns if c.startswith(f"{name}__")]
        scored = ", ".join(f"{c[len(name) + 2:]}={'NA' if pd.isna(r[c]) else r[c]}" for c in items_)
        total = "NA" if pd.isna(r[name]) else r[name]
        grp = "undetermined" if pd.isna(r[f"{name}_group"]) else r[f"{name}_group"]
        print(f"    {name}: {total} ({grp}) [{scored}]")
