"""``prognosis predict --patient k=v ... [--plot out.png]``: one patient from the command line.

The logic behind the two options that ``cli/predict.py`` registers: the patient's values are
checked against the schema (``parse_patient``), harmonized like a one-row table, and predicted
with :func:`prognosis.report.calculator.patient_result` -- the same numbers the calculator page
and ``prognosis serve`` show: S(t) with its 95% interval, the median, per-item Cox
contributions and the classic scores item by item.
"""
from __future__ import annotations

import numpy as np


def add_arguments(p) -> None:
    p.add_argument("--patient", nargs="+", metavar="COLUMN=VALUE", default=None,
                   help="one patient by canonical column names instead of PATIENTS, e.g. "
                        "--patient age_years=62 kps=70 primary_site=lung egfr=mutant")
    p.add_argument("--plot", default=None, metavar="OUT.png",
                   help="with --patient: draw the patient's S(t) with its 95%% band (beside the Kaplan–Meier "
                        "curve of --cohort when given)")
    p.add_argument("--cohort", default=None, metavar="C.csv",
                   help="with --plot: canonical cohort table (with outcome) whose Kaplan–Meier curve is drawn")


def run_patient(args) -> int:
    from ..errors import InputError
    from ..models import load
    from ..report.calculator import harmonize_patient, parse_patient, patient_result

    if getattr(args, "patients", None):
        raise InputError("give either PATIENTS or --patient, not both")
    model = load(args.model)
    frame = harmonize_patient(parse_patient(args.patient))
    names = None if args.scores == "all" else ([] if args.scores == "none" else
                                               [s.strip() for s in args.scores.split(",") if s.strip()])
    res = patient_result(model, frame, score_names=names)  # its warnings come back as res["notes"]
    meta = getattr(model, "artifact_metadata_", {})
    print(f"model: {meta.get('extra', {}).get('model', '?')} (saved {meta.get('created_utc', '?')}); one patient")
    _print_survival(res)
    for n in res["notes"]:
        print(f"note: {n}")
    _print_contributions(res)
    for name, s in res["scores"].items():
        items = ", ".join(f"{i['component']}={i['lo'] if i['lo'] == i['hi'] else str(i['lo']) + '-' + str(i['hi'])}"
                          for i in s["items"])
        total = s["total"] if s["total"] is not None else f"{s['min']}-{s['max']}"
        print(f"    {name}: {total} ({s['group'] or 'undetermined'}) [{items}]")
    if args.plot:
        _plot(res, args.plot, args.cohort)
    return 0


def _print_survival(res: dict) -> None:
    """S(t) at the horizons (with the 95% interval where the model has one) and the median."""
    parts = []
    for h in res["horizons"]:
        if h["s"] is None:
            parts.append(f"S({h['t']:g}m)=NA")
        else:
            band = f" ({h['lo']:.2f}-{h['hi']:.2f})" if h["lo"] is not None else ""
            parts.append(f"S({h['t']:g}m)={h['s']:.2f}{band}")
    print("  ".join(parts))
    m = res["median"]
    if m["value"] is None:
        print(f"median survival: not reached within the model's follow-up ({res['max_time']:.2f} months)")
    else:
        ci = "" if m["lower"] is None and m["upper"] is None else \
            f" (95% CI {m['lower']:.1f}-{'not reached' if m['upper'] is None else format(m['upper'], '.1f')})"
        print(f"median survival: {m['value']:.1f} months{ci}")
    if any(h["s"] is None for h in res["horizons"]):
        print(f"note: horizons beyond the model's training follow-up ({res['max_time']:.2f} months) "
              "are not estimable and shown as NA")


def _print_contributions(res: dict) -> None:
    """The eight largest per-item Cox contributions (Cox models only)."""
    from ..models.explain import ITEM_LABELS

    if res["contributions"] is None:
        return
    print("contributions to the log hazard vs the average training patient, beta*(x - xbar) "
          f"(sum {res['lp']:+.3f}; + shortens survival):")
    for c in sorted(res["contributions"], key=lambda c: -abs(c["value"]))[:8]:
        print(f"    {ITEM_LABELS.get(c['item'], c['item'])}: {c['value']:+.3f} (HR x{np.exp(c['value']):.2f})")


def _plot(res: dict, path: str, cohort_path) -> None:
    """The patient's S(t) with its band, beside the cohort's Kaplan–Meier curve when given."""
    from ..report.calculator.plots import patient_curve_figure  # selects the Agg backend before pyplot

    kw = {}
    if cohort_path:
        from .. import read_cohort

        c = read_cohort(cohort_path).frame
        kw = {"cohort_time": c["time_months"].to_numpy(float), "cohort_event": c["event"].to_numpy(int)}
    fig = patient_curve_figure(res, **kw)
    fig.savefig(path, dpi=120)
    import matplotlib.pyplot as plt

    plt.close(fig)
    print(f"wrote {path}"
          + ("" if cohort_path else " (pass --cohort C.csv to draw the cohort's Kaplan–Meier beside it)"))
