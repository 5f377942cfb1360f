"""Where each cohort of a study came from, and what happened to its rows.

:func:`describe_cohort` labels a cohort by its real source -- the bundled simulation, a public
data-set loader, or an institution's file with its mapping -- with the mapping's time origin;
:func:`flow_table` accounts for every input row (rows read -> rejected, by reason -> exact
duplicates -> analysed; TRIPOD+AI item 20a). The report's provenance, model card and TRIPOD
answers are built from these, so a real file is never called "simulated".
"""
from __future__ import annotations

import re
from pathlib import Path

__all__ = ["describe_cohort", "flow_table", "SOURCE_KINDS"]

#: source kinds, as shown in reports
SOURCE_KINDS = {
    "simulation": "bundled simulation (prognosis.simulate; not real patients)",
    "dataset": "public data set (prognosis.datasets loader)",
    "file": "institution file harmonized with a mapping",
    "table": "canonical table (no mapping)",
}

_ROW_REFS = re.compile(r"\s*\((?:same id at )?rows? [0-9, ]+\)")


def _reason_category(reason: str) -> tuple[str, str]:
    """``(step, label)`` of a rejection reason with row references removed (never values of
    unmapped columns: audit reasons name mapped columns only)."""
    r = str(reason or "rejected").strip()
    if r.startswith("exact duplicate"):
        return "duplicate", "exact duplicates (one copy kept)"
    first = r.split("; ")[0]
    return "rejected", "rejected: " + _ROW_REFS.sub("", first).strip()


def flow_table(cohort) -> list[dict]:
    """Participant flow of a harmonized cohort: ``[{step, n}, ...]``.

    Steps: ``rows read``, one ``rejected: <reason>`` per reason (row references removed),
    ``exact duplicates (one copy kept)``, ``analysed``. Cohorts without an audit (bundled
    simulation, some loaders) have rows read = analysed.
    """
    n_an = len(cohort.frame)
    meta = cohort.metadata or {}
    audit = getattr(cohort, "audit", None)
    rejected: dict[str, int] = {}
    dups = 0
    if audit is not None and len(audit) and "column" in audit.columns:
        st = audit[(audit["column"] == "*") & (audit["action"] == "rejected")]
        for reason in st["reason"]:
            step, label = _reason_category(reason)
            if step == "duplicate":
                dups += 1
            else:
                rejected[label] = rejected.get(label, 0) + 1
    n_read = meta.get("n_input_rows")
    n_read = int(n_read) if n_read not in (None, "") else (n_an + sum(rejected.values()) + dups)
    rows = [{"step": "rows read", "n": n_read}]
    rows += [{"step": k, "n": v} for k, v in sorted(rejected.items(), key=lambda kv: -kv[1])]
    if dups:
        rows.append({"step": "exact duplicates (one copy kept)", "n": dups})
    rows.append({"step": "analysed", "n": n_an})
    return rows


def describe_cohort(spec, cohort, resolve=None) -> dict:
    """Label, source kind, source, mapping and time origin of a cohort (a :class:`CohortSpec`
    and the loaded :class:`~prognosis.Cohort`)."""
    meta = cohort.metadata or {}
    if spec.demo:
        kind = "simulation"
        source = f"bundled demo cohort '{spec.demo}' ({meta.get('file', 'prognosis.datasets.load_demo')})"
        mapping = None
    elif spec.dataset:
        kind = "dataset"
        source = f"prognosis.datasets.load_{spec.dataset}({Path(spec.path).name})"
        mapping = None
    else:
        mapping = (Path(spec.mapping).name if isinstance(spec.mapping, str)
                   else "inline mapping in the study config" if isinstance(spec.mapping, dict) else None)
        kind = "file" if mapping else "table"
        source = Path(spec.path).name
    if kind != "simulation" and str(meta.get("source", "")).lower() == "simulated":
        kind = "simulation"  # a file written by the simulator keeps its origin in the metadata
    origin = meta.get("time_origin") or "not stated"
    return {
        "label": spec.label or meta.get("cohort") or spec.role,
        "kind": kind,
        "kind_text": SOURCE_KINDS[kind],
        "source": source,
        "mapping": mapping or "-",
        "time_origin": str(origin),
    }
