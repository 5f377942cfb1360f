"""Issue 12 acceptance: the README workflow on the bundled example institution file.

``data/examples/klinik_sued.csv`` (invented patients): German labels, day-first dates, one
patient exported twice, a KPS of 150, ASIA grades, ECOG-only patients. The workflow:
harmonize -> score -> fit -> predict -> ``validate --model`` with default horizons ->
``report`` with the file as external cohort. Every step must end with exit code 0 and give the
numbers it can stand behind (no traceback, nothing silently wrong).
"""
from __future__ import annotations

import json
import re

import pandas as pd
import pytest
import yaml

from prognosis.cli.main import main

CSV = "data/examples/klinik_sued.csv"
MAP = "data/examples/klinik_sued.yaml"


@pytest.fixture(scope="module")
def work(tmp_path_factory, repo_root):
    return tmp_path_factory.mktemp("klinik_sued"), repo_root / CSV, repo_root / MAP


@pytest.mark.slow
def test_readme_workflow_end_to_end(work, repo_root, capsys):
    d, csv, mapping = work
    # 1. harmonize: every one of the 22 rows accounted for
    assert main(["harmonize", str(csv), "--mapping", str(mapping), "--out", str(d / "ks.parquet")]) == 0
    out = capsys.readouterr().out
    assert "input rows 22" in out
    frame = pd.read_parquet(d / "ks.parquet")
    audit = pd.read_csv(d / "ks.audit.csv")
    status = audit[audit["column"] == "*"]
    assert len(status) == 22
    assert len(frame) == int((status["action"] != "rejected").sum())
    kps150 = audit[(audit["column"] == "kps") & (audit["action"] == "na")]
    assert list(kps150["reason"]) == ["kps 150 outside 0–100; set to NA"]
    assert frame["kps_derived"].sum() == 6            # ECOG-only patients: KPS derived from ECOG
    assert set(frame["frankel"].dropna()) <= set("ABCDE")  # from the ASIA grades
    # 2. score
    assert main(["score", str(csv), "--mapping", str(mapping), "--scores", "revised_tokuhashi,tomita",
                 "--out", str(d / "scores.csv"), "--no-ids"]) == 0
    sc = pd.read_csv(d / "scores.csv")
    assert len(sc) == len(frame)
    assert sc["tomita"].notna().sum() > 0
    # 3. fit (on the bundled development cohort; the institution validates it)
    assert main(["fit", "--cohort", str(repo_root / "data/demo/spine_demo.csv"), "--model", "cox",
                 "--features", "clinical", "--out", str(d / "cox.skops")]) == 0
    # 4. predict the institution's patients: every kept input row, keyed by its input row
    assert main(["predict", "--model", str(d / "cox.skops"), str(csv), "--mapping", str(mapping),
                 "--scores", "none", "--out", str(d / "pred.csv")]) == 0
    out = capsys.readouterr().out
    assert "KS-0" not in out  # never a patient identifier on the terminal
    pred = pd.read_csv(d / "pred.csv")
    assert list(pred["input_row"]) == list(range(22))
    kept_rows = status.loc[status["action"] != "rejected", "row"].tolist()
    assert pred.loc[pred["input_row"].isin(kept_rows), "S_3m"].notna().all()
    row_kps150 = int(kps150["row"].iloc[0])
    assert "kps unknown" in pred.loc[pred["input_row"] == row_kps150, "unknown_or_imputed"].iloc[0]
    # 5. validate --model with the default horizons: 24 months is beyond both follow-ups
    assert main(["validate", "--model", str(d / "cox.skops"), "--cohort", str(csv), "--mapping", str(mapping),
                 "--out", str(d / "val")]) == 0
    out = capsys.readouterr().out
    assert "horizons: 3, 6, 12 months (default 3, 6, 12, 24 months within follow-up)" in out
    assert "note: measures needing S(t) at 24 months left out: beyond the model's training follow-up" in out
    m = pd.read_csv(d / "val" / "external_metrics.csv")
    assert m.loc[m["metric"] == "harrell_c", "value"].between(0, 1).all()
    # 6. report with the file as external cohort
    cfg = {"name": "Demo model at Klinik Süd",
           "cohorts": {"development": "demo", "external": {"path": str(csv), "mapping": str(mapping)}},
           "scores": ["tomita"], "models": [{"name": "Cox clinical", "kind": "cox", "features": "clinical"}],
           "validation": {"method": "bootstrap", "n_boot": 2}, "seed": 1, "n_jobs": 1,
           "decision_curves": {"horizons": [6]}, "output": str(d / "report")}
    (d / "study.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    assert main(["report", str(d / "study.yaml"), "--quiet"]) == 0
    prov = json.loads((d / "report" / "provenance.json").read_text(encoding="utf-8"))
    ext = prov["inputs"]["external"]
    assert ext["kind"] == "file"
    assert ext["label"] == "Klinik Süd"
    assert ext["mapping"] == "klinik_sued.yaml"
    assert ext["time_origin"] == "date of diagnosis of the spinal metastasis (Diagnose_WS)"
    flow = {s["step"]: s["n"] for s in ext["flow"]}
    assert flow["rows read"] == 22
    assert flow["analysed"] == len(frame)
    assert 22 - sum(v for k, v in flow.items() if k not in ("rows read", "analysed")) == len(frame)
    html = (d / "report" / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Participant flow: external cohort" in text
    assert "external: Klinik Süd — institution file harmonized with a mapping" in text
    assert "Simulated data (development cohort:" in text  # only the bundled cohort is called simulated
    assert "KS-0" not in html


def test_flow_table_labels_rejections_without_row_numbers(repo_root):
    from prognosis import read_cohort
    from prognosis.study.provenance import flow_table

    c = read_cohort(repo_root / CSV, repo_root / MAP)
    flow = flow_table(c)
    assert flow[0] == {"step": "rows read", "n": 22}
    assert flow[-1] == {"step": "analysed", "n": len(c.frame)}
    assert all(not re.search(r"row \d", s["step"]) for s in flow)
