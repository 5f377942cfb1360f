"""Issue 12, defect 4: each cohort is labelled by its real source, with time origin and flow."""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from prognosis.report.model_card import flow_text
from prognosis.study.config import CohortSpec
from prognosis.study.provenance import describe_cohort, flow_table


def _cohort(n=3, meta=None, audit=None):
    frame = pd.DataFrame({"time_months": [1.0] * n, "event": [1] * n})
    return SimpleNamespace(frame=frame, metadata=meta or {}, audit=audit)


def test_sources_are_labelled_by_kind():
    sim = describe_cohort(CohortSpec(role="development", demo="development"),
                          _cohort(meta={"source": "simulated", "file": "spine_demo.csv",
                                        "time_origin": "spinal surgery", "cohort": "demo-surgical"}))
    assert (sim["kind"], sim["label"], sim["time_origin"]) == ("simulation", "demo-surgical", "spinal surgery")
    assert sim["kind_text"] == "bundled simulation (prognosis.simulate; not real patients)"
    real = describe_cohort(CohortSpec(role="external", path="/x/klinik.csv", mapping="/x/klinik.yaml"),
                           _cohort(meta={"source": "klinik.csv", "time_origin": "diagnosis", "cohort": "Klinik"}))
    assert real == {"label": "Klinik", "kind": "file", "kind_text": "institution file harmonized with a mapping",
                    "source": "klinik.csv", "mapping": "klinik.yaml", "time_origin": "diagnosis"}
    ds = describe_cohort(CohortSpec(role="development", path="/d/msk_met_2021", dataset="msk_met"), _cohort())
    assert ds["kind"] == "dataset"
    assert ds["source"] == "prognosis.datasets.load_msk_met(msk_met_2021)"
    assert ds["time_origin"] == "not stated"


def test_flow_accounts_for_every_row_without_row_numbers():
    audit = pd.DataFrame({
        "row": [0, 1, 2, 3, 4, 5], "column": ["*"] * 6,
        "action": ["kept", "rejected", "rejected", "changed", "rejected", "kept"],
        "reason": [None, "duplicate patient_id (same id at row 2)", "duplicate patient_id (same id at row 1)",
                   None, "exact duplicate of row 3", None]})
    flow = flow_table(_cohort(n=3, meta={"n_input_rows": 6}, audit=audit))
    assert flow == [{"step": "rows read", "n": 6}, {"step": "rejected: duplicate patient_id", "n": 2},
                    {"step": "exact duplicates (one copy kept)", "n": 1}, {"step": "analysed", "n": 3}]
    assert flow_text(flow) == ("6 rows read → 2 rejected: duplicate patient_id → 1 exact duplicates (one copy "
                               "kept) → 3 analysed")


def test_small_study_provenance_and_model_card(small_report):
    from prognosis.report.model_card import model_card
    from prognosis.report.tripod import tripod_checklist

    res = small_report["result"]
    inputs = res.provenance["inputs"]
    assert inputs["development"]["flow"][0] == {"step": "rows read", "n": 300}
    assert inputs["development"]["mapping"] == "inline mapping in the study config"
    card = model_card(res)
    # the CSVs carry the simulator's true_lp: they are simulated, and the card says so by role
    assert card["data"][-1].startswith("Simulated data (development, external cohorts: the simulator's true "
                                       "linear predictor is present)")
    tri = tripod_checklist(res).set_index("item")
    assert tri.loc["20a", "status"] == "reported"
    assert "time origin" in tri.loc["5a", "where"]
