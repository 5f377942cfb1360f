"""``prognosis score``: compute classic prognostic scores for every patient of a table.

    prognosis score IN [--mapping M] [--scores revised_tokuhashi,tomita] [--out OUT.csv]
                    [--option revised_tokuhashi.colon_as=rectum ...] [--no-ids] [--explain ROW]

IN is read and harmonized with :func:`prognosis.read_cohort` (so it needs the canonical outcome
columns or a mapping for them; invalid values become NA with an audit record there, which this
command counts on stderr). The output CSV has one row per kept input row: ``input_row`` (0-based
data-row position in IN; rows rejected by harmonization are absent), then ``patient_id`` -- the
key the user supplied, kept so the result can be merged back; ``--no-ids`` leaves it out for
sharing -- then the score columns of :func:`prognosis.scores.compute`. Nothing identifying is
printed to the terminal: the summary uses counts and row positions only.
"""
from __future__ import annotations

import argparse
import json
import sys

import pandas as pd

from ..errors import InputError


def add_parser(subparsers) -> argparse.ArgumentParser:
    from ..scores import available

    p = subparsers.add_parser(
        "score",
        help="compute classic prognostic scores (Tokuhashi, Tomita, Bauer, ...) for a cohort table",
        description="Compute classic prognostic scores for every patient of IN and write them as CSV. "
        f"Scores: {', '.join(available())}.",
    )
    p.add_argument("input", metavar="IN", nargs="?",
                   help="cohort table (.csv, .tsv, .xlsx, .parquet)")
    p.add_argument("--list", action="store_true",
                   help="list the scores with their citation, groups and options, then exit")
    p.add_argument("--mapping", "-m", default=None, help="mapping file (YAML) for IN")
    p.add_argument("--scores", "-s", default="all",
                   help="comma-separated score names, or 'all' (default)")
    p.add_argument("--out", "-o", default=None, help="output CSV (default: standard output)")
    p.add_argument("--option", action="append", default=[], metavar="SCORE.NAME=VALUE",
                   help="score option, e.g. revised_tokuhashi.colon_as=rectum or "
                   "katagiri_new.labs_missing=normal (repeatable; VALUE may be null/true/false/number)")
    p.add_argument("--errors", choices=("raise", "coerce"), default="raise",
                   help="invalid values: stop with an error (default) or score them as missing")
    p.add_argument("--no-ids", action="store_true", help="leave patient_id out of the output")
    p.add_argument("--explain", type=int, default=None, metavar="ROW",
                   help="also print the item-by-item breakdown of the patient at output row ROW "
                   "(0-based) to standard error")
    p.set_defaults(func=run)
    return p


def _parse_value(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return {"None": None, "True": True, "False": False}.get(text, text)


def parse_options(items: list[str], names: list[str]) -> dict[str, dict]:
    """``["score.key=value", ...]`` -> ``{score: {key: value}}``; unknown scores are errors."""
    out: dict[str, dict] = {n: {} for n in names}
    for item in items:
        key, sep, value = item.partition("=")
        score, dot, opt = key.partition(".")
        if not sep or not dot or not opt:
            raise InputError(f"--option {item!r}: expected SCORE.NAME=VALUE")
        if score not in out:
            raise InputError(f"--option {item!r}: score {score!r} is not among --scores {names}")
        out[score][opt] = _parse_value(value)
    return out


def list_scores(out=None) -> None:
    """Print every score with citation, groups and options (defaults first) to ``out``."""
    from ..scores import available, get_score

    out = out or sys.stdout
    for name in available():
        d = get_score(name)
        lo, hi = d.total_range
        print(f"{name}: {d.title}, {lo}-{hi} points\n  source: {d.citation}", file=out)
        print("  groups: " + "; ".join(f"{g} ({a}-{b})" for g, a, b in d.groups), file=out)
        for key, opt in d.options.items():
            print(f"  option {key} (default {opt.default!r}): {opt.doc}", file=out)
        print(file=out)


def read_keyed(path, mapping, *, no_ids: bool = False):
    """(cohort, leading output columns) for a per-patient output table: ``input_row`` (the data
    row of the input file, from the audit's row statuses) and, unless ``no_ids``, ``patient_id``.
    Used by ``prognosis score`` and ``prognosis noms``."""
    from .. import read_cohort

    cohort = read_cohort(path, mapping)
    frame = cohort.frame
    status = cohort.audit[cohort.audit["column"] == "*"]
    kept = status.loc[status["action"] != "rejected", "row"].sort_values().to_numpy()
    input_row = kept if len(kept) == len(frame) else range(len(frame))
    parts = [pd.DataFrame({"input_row": input_row}, index=frame.index)]
    if not no_ids and "patient_id" in frame.columns:
        parts.append(frame[["patient_id"]])
    return cohort, parts


def run(args) -> int:
    from ..scores import compute, explain

    if args.list:
        list_scores()
        return 0
    if not args.input:
        raise InputError("give an input table IN (or --list)")

    names, options = _scores_and_options(args)

    cohort, parts = read_keyed(args.input, args.mapping, no_ids=args.no_ids)
    frame, audit = cohort.frame, cohort.audit
    results = {}
    for name in names:
        res = compute(frame, name, errors=args.errors, **options[name])
        results[name] = res
        parts.append(res)
    out = pd.concat(parts, axis=1)

    if args.out:
        out.to_csv(args.out, index=False)
    else:
        out.to_csv(sys.stdout, index=False)

    _print_counts(frame, audit, results, args.out)
    if args.explain is not None:
        if not 0 <= args.explain < len(frame):
            raise InputError(f"--explain {args.explain}: row out of range 0..{len(frame) - 1}")
        for name in names:
            print(str(explain(frame.iloc[[args.explain]], name, errors=args.errors,
                              **options[name])), file=sys.stderr)
    return 0


def _scores_and_options(args) -> tuple[list[str], dict]:
    """The scores asked for and their options, checked before the data are read."""
    from ..scores import available, get_score

    if args.scores in ("all", ""):
        names = available()
    else:
        names = [s.strip() for s in args.scores.split(",") if s.strip()]
    unknown = [n for n in names if n not in available()]
    if unknown:
        raise InputError(f"unknown score(s) {unknown}; available: {available()}")
    options = parse_options(args.option, names)
    for name in names:  # fail on a bad option before reading the data
        get_score(name).resolve_options(options[name])
    return names, options


def _print_counts(frame: pd.DataFrame, audit: pd.DataFrame, results: dict, out_path) -> None:
    """Patients scored, rows rejected, values set to NA, and per score how many totals are complete."""
    err = sys.stderr
    n_na = int((audit["action"] == "na").sum())
    n_rej = int(((audit["column"] == "*") & (audit["action"] == "rejected")).sum())
    print(f"prognosis score: {len(frame)} patients scored"
          + (f" ({n_rej} input rows rejected by harmonization)" if n_rej else "")
          + (f"; {n_na} invalid values set to NA during harmonization (see the cohort audit)"
             if n_na else ""),
          file=err)
    for name, res in results.items():
        complete = int(res[name].notna().sum())
        grouped = int(res[f"{name}_group"].notna().sum())
        coerced = len(res.attrs.get("coerced", []))
        print(f"  {name}: {complete} complete, {len(res) - complete} with missing items "
              f"(group still determined for {grouped - complete} of them)"
              + (f", {coerced} invalid values scored as missing" if coerced else ""), file=err)
    if out_path:
        print(f"  written to {out_path}", file=err)
