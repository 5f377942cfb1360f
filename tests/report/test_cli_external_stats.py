"""`prognosis validate --model`: counts, bootstrap intervals and small-sample warnings (issue 12)."""
from __future__ import annotations

import pandas as pd

from prognosis.cli.main import main
from prognosis.models import make_model, save
from prognosis.survival_data import y_from_frame


def test_validate_prints_counts_intervals_and_warnings(small_cohorts, tmp_path, capsys):
    dev = small_cohorts["dev_frame"]
    model = make_model("cox", feature_set="clinical", penalizer=0.01).fit(dev, y_from_frame(dev))
    path = save(model, tmp_path / "cox.skops", training_data=dev)
    ext = small_cohorts["ext_frame"]
    deaths = int(ext["event"].sum())
    out_dir = tmp_path / "ext"
    rc = main(["validate", "--model", str(path), "--cohort", str(small_cohorts["ext"]), "--horizons", "1", "6",
               "--n-boot", "20", "--out", str(out_dir)])
    assert rc == 0
    cap = capsys.readouterr()
    assert "Patients and deaths (before each horizon)" in cap.out
    assert "95% bootstrap intervals" in cap.out
    counts = pd.read_csv(out_dir / "external_counts.csv")
    t, e = ext["time_months"].to_numpy(float), ext["event"].to_numpy(int)
    assert counts["deaths_before"].tolist() == [int(((t <= h) & (e == 1)).sum()) for h in (1, 6)]
    assert (counts["deaths"] == deaths).all()
    assert (counts["patients"] == len(ext)).all()
    m = pd.read_csv(out_dir / "external_metrics.csv")
    c = m[m["metric"] == "harrell_c"].iloc[0]
    assert c["ci_low"] < c["value"] < c["ci_high"]
    assert c["n_rep"] == 20
    assert ("(< 100)" in cap.err) == (deaths < 100)
    # a 40-patient slice of the same cohort: fewer than 100 deaths, and few deaths before 1 month
    small = tmp_path / "small.csv"
    pd.read_csv(small_cohorts["ext"]).iloc[:40].to_csv(small, index=False)
    rc = main(["validate", "--model", str(path), "--cohort", str(small), "--horizons", "0.5", "6", "--n-boot", "5"])
    assert rc == 0
    err = capsys.readouterr().err
    assert "deaths (< 100)" in err
    assert "Collins et al." in err
    assert "Riley et al." in err
    assert "deaths before 0.5 months (< 10)" in err
