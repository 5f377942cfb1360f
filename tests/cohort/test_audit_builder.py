"""The columnar audit builder (issue 19) against a plain reference implementation.

``_reference_finish`` is the straightforward builder the package used before: one DataFrame per
``add`` call, concatenated, sorted by (row, action order, insertion) with a lexsort, every text
column converted with ``astype("string")``. The columnar builder (counting sort, text made once
per distinct value, deferred columns) must give the same table for any records.
"""
from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from prognosis import read_cohort
from prognosis.cohort.audit import AuditLog, LazyText
from prognosis.cohort.cohort import AUDIT_COLUMNS, Cohort, DeferredAudit

_ORDER = {"rejected": 0, "na": 1, "changed": 2, "derived": 3}


def _reference_finish(n_rows: int, calls: list[tuple]) -> pd.DataFrame:
    parts, rejected, touched = [], np.zeros(n_rows, bool), np.zeros(n_rows, bool)
    for rows, column, action, raw, value, reason in calls:
        rows = np.asarray(rows, dtype=np.int64)
        if rows.size == 0:
            continue

        def col(v, k=rows.size):
            if isinstance(v, LazyText):
                v = v.fn()
            if isinstance(v, (pd.Series, np.ndarray, list)):
                return np.asarray(v, dtype=object).ravel()
            return np.full(k, v, dtype=object)

        parts.append(pd.DataFrame({"row": rows, "column": column, "action": action, "raw": col(raw),
                                   "value": col(value), "reason": col(reason)}))
        (rejected if action == "rejected" else touched)[rows] = True
    cells = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({c: [] for c in AUDIT_COLUMNS})
    reasons = np.full(n_rows, None, dtype=object)
    if rejected.any():
        rej = cells[cells["action"] == "rejected"]
        joined = rej.groupby("row", sort=True)["reason"].agg(lambda r: "; ".join(map(str, r)))
        reasons[joined.index.to_numpy(dtype=np.int64)] = joined.to_numpy(dtype=object)
    status = pd.DataFrame({"row": np.arange(n_rows, dtype=np.int64), "column": "*",
                           "action": np.where(rejected, "rejected", np.where(touched, "changed", "kept")),
                           "raw": None, "value": None, "reason": reasons})
    out = pd.concat([status, cells], ignore_index=True)
    order = np.concatenate([np.full(n_rows, -1), cells["action"].map(_ORDER).fillna(9).to_numpy(dtype=np.int64)])
    perm = np.lexsort((np.arange(len(out)), order, out["row"].to_numpy(dtype=np.int64)))
    out = out.take(perm).reset_index(drop=True)
    out["row"] = out["row"].astype("int64")
    for c in ("raw", "value", "reason"):
        out[c] = out[c].astype("string").to_numpy(dtype=object, na_value=None)
    return out[list(AUDIT_COLUMNS)]


_POOL = np.array(["x", None, np.nan, 1, 2.5, True, pd.NA, -0.0, 10 ** 20], dtype=object)
_MAKERS = (
    lambda rng, k: None,
    lambda rng, k: "constant text",
    # floats with NaN, -0.0 and repeats
    lambda rng, k: rng.normal(size=k).round(2) * rng.choice([1.0, -1.0, 0.0, -0.0, np.nan], k),
    lambda rng, k: rng.integers(-5, 5, k),
    lambda rng, k: rng.random(k) < 0.5,
    lambda rng, k: np.where(rng.random(k) < 0.5, "a", "bb"),  # NumPy unicode array
    lambda rng, k: _POOL[rng.integers(0, len(_POOL), k)],  # text, None, NaN, numbers, bools, pd.NA
    lambda rng, k: np.array([rng.choice(["x", "y", None]) for _ in range(k)], dtype=object),
    lambda rng, k: [1.5] * k,
    lambda rng, k: pd.Series(rng.integers(0, 3, k)).astype("Int64").where(rng.random(k) < 0.7),
    lambda rng, k: LazyText(lambda: np.array([f"t{i}" for i in range(k)], dtype=object)),
)


def _values(rng, k: int):
    return _MAKERS[int(rng.integers(0, len(_MAKERS)))](rng, k)


@pytest.mark.parametrize("seed", range(40))
def test_columnar_audit_matches_reference(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 40))
    calls = []
    for _ in range(int(rng.integers(0, 9))):
        if n == 0:
            break
        k = int(rng.integers(0, n + 1))
        rows = rng.choice(n, k, replace=bool(rng.random() < 0.2))  # sometimes a row twice in one call
        if rng.random() < 0.7:
            rows = np.sort(rows)
        action = str(rng.choice(list(_ORDER)))
        reason = _values(rng, k) if action != "rejected" or rng.random() < 0.5 else "why"
        calls.append((rows, str(rng.choice(["c1", "c2"])), action, _values(rng, k), _values(rng, k), reason))
    log = AuditLog(n)
    for c in calls:
        log.add(*c)
    pd.testing.assert_frame_equal(log.finish(), _reference_finish(n, calls), check_exact=True)


def test_unknown_action_refused():
    with pytest.raises(ValueError, match="unknown audit action"):
        AuditLog(2).add([0], "kps", "fixed")


def test_read_cohort_audit_is_built_once_on_first_read(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("id,t,e,kps\na,1,1,70\nb,2,yes,150\nc,0,0,80\n")
    c = read_cohort(p, {"columns": {"patient_id": "id", "time_months": "t", "event": "e", "kps": "kps"}})
    assert isinstance(c.__dict__["_audit"], DeferredAudit)
    assert c.metadata["n_rejected"] == 1  # known without building the table
    first = c.audit
    assert c.audit is first  # built once, then kept
    assert first["row"].tolist()[:1] == [0]
    assert set(first["column"]) >= {"*", "kps", "event"}
    again = pickle.loads(pickle.dumps(c))  # a deferred audit pickles too
    pd.testing.assert_frame_equal(again.audit, first)
    c2 = read_cohort(p, {"columns": {"patient_id": "id", "time_months": "t", "event": "e", "kps": "kps"}})
    pd.testing.assert_frame_equal(pickle.loads(pickle.dumps(c2)).audit, first)


def test_audit_can_be_replaced():
    c = Cohort.from_frame(pd.DataFrame({"patient_id": ["a"], "cohort": ["x"], "time_months": [1.0], "event": [1]}))
    new = c.audit.iloc[:0]
    c.audit = new
    assert c.audit is new
