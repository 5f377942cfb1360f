"""The dataset loaders' audit, through the same :class:`~prognosis.cohort.audit.AuditLog` contract as
the harmonizer: cell records plus one row-status record (kept / changed / rejected) per input row,
so :class:`~prognosis.cohort.CohortSummary` counts a loader's rejected rows like any other's; and
the loaders' cohorts, checked by :func:`~prognosis.cohort.validate.validate_frame` like
:meth:`Cohort.from_frame <prognosis.cohort.Cohort.from_frame>` checks any other canonical frame.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..cohort import Cohort
from ..cohort.audit import AuditLog
from ..cohort.validate import validate_frame

__all__ = ["audit_records", "build_audit", "validated_cohort"]


def audit_records(rows, column, action, raw, value, reason) -> pd.DataFrame:
    """Cell records for ``rows`` (positions); the other arguments are scalars or aligned sequences."""
    n = len(rows)

    def rep(x):
        return list(x) if isinstance(x, (list, np.ndarray, pd.Series, pd.Index)) else [x] * n

    out = pd.DataFrame({"column": rep(column), "action": rep(action), "raw": rep(raw),
                        "value": rep(value), "reason": rep(reason)}, dtype=object)
    out.insert(0, "row", np.asarray(rows, dtype="int64"))
    return out


def build_audit(n_rows: int, parts) -> pd.DataFrame:
    """The audit table of ``n_rows`` input rows from the loader's cell-record frames."""
    log = AuditLog(n_rows)
    for part in parts:
        for (column, action), g in part.groupby(["column", "action"], sort=False):
            log.add(g["row"].to_numpy(), column, action, g["raw"].to_numpy(), g["value"].to_numpy(),
                    g["reason"].to_numpy())
    return log.finish()


def validated_cohort(frame: pd.DataFrame, audit: pd.DataFrame, metadata: dict) -> Cohort:
    """The loader's :class:`Cohort` once its canonical frame passed
    :func:`~prognosis.cohort.validate.validate_frame` (a :class:`~prognosis.errors.SchemaError`
    listing every failing cell otherwise: a loader never hands on a frame the schema rejects)."""
    validate_frame(frame, source=str(metadata.get("cohort") or metadata.get("source") or "data set"))
    return Cohort(frame=frame, audit=audit, metadata=metadata)
