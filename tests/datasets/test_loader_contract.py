"""Dataset loaders build their cohorts through the validated constructor and the AuditLog contract
(issue 19 item 2): one row-status record per input row, and a frame the schema rejects is an error."""
from __future__ import annotations

import pytest

from prognosis.cohort.validate import validate_frame
from prognosis.datasets import load_demo
from prognosis.datasets._audit import audit_records, build_audit, validated_cohort
from prognosis.errors import SchemaError


@pytest.mark.parametrize(("which", "n"), [("development", 1200), ("external", 600)])
def test_demo_cohort_has_one_row_status_per_row(which, n):
    c = load_demo(which)
    status = c.row_status()
    assert status["row"].tolist() == list(range(n))
    assert set(status["action"]) == {"kept"}
    s = c.summary()
    assert (s.n_input, s.n_kept, s.n_rejected) == (n, n, 0)
    assert c.metadata["n_input_rows"] == n


def test_validated_cohort_refuses_a_frame_the_schema_rejects():
    frame = load_demo().frame.head(5).copy()
    validate_frame(frame)
    audit = build_audit(5, [audit_records([1], "time_months", "changed", 0.0, 0.25, "zero follow-up")])
    c = validated_cohort(frame, audit, {"cohort": "toy"})
    assert c.row_status()["action"].tolist() == ["kept", "changed", "kept", "kept", "kept"]
    frame.loc[2, "time_months"] = -1.0
    with pytest.raises(SchemaError, match="toy") as err:
        validated_cohort(frame, audit, {"cohort": "toy"})
    assert err.value.failures[["row", "column"]].values.tolist() == [[2, "time_months"]]
