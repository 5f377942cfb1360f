"""CLI: `prognosis validate` (config check; external validation of a saved model) and `prognosis report`."""
from __future__ import annotations

import copy

import pandas as pd
import pytest
import yaml

from prognosis.cli.main import main


def _write(tmp_path, cfg, name="study.yaml"):
    p = tmp_path / name
    p.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return p


def test_validate_config_ok(small_config, tmp_path, capsys):
    assert main(["validate", str(_write(tmp_path, small_config))]) == 0
    out = capsys.readouterr().out
    assert ": OK" in out
    assert "development: 300 patients" in out
    assert "external: 200 patients" in out


def test_validate_config_error_is_one_line_per_problem_and_exit_2(small_config, tmp_path, capsys):
    c = copy.deepcopy(small_config)
    c["modles"] = c.pop("models")
    c["horizons"] = [6, 400]
    assert main(["validate", str(_write(tmp_path, c))]) == 2
    err = capsys.readouterr().err
    assert "prognosis validate: error:" in err
    assert "did you mean 'models'?" in err
    assert "Traceback" not in err


@pytest.fixture(scope="module")
def saved_model(small_cohorts, tmp_path_factory):
    from prognosis.models import make_model, save
    from prognosis.survival_data import y_from_frame

    dev = small_cohorts["dev_frame"]
    model = make_model("cox", feature_set="clinical", penalizer=0.01).fit(dev, y_from_frame(dev))
    return save(model, tmp_path_factory.mktemp("model") / "cox.skops", training_data=dev)


def test_validate_saved_model_on_new_cohort(small_cohorts, saved_model, tmp_path, capsys):
    path = saved_model
    out_dir = tmp_path / "ext"
    rc = main(["validate", "--model", str(path), "--cohort", str(small_cohorts["ext"]), "--horizons", "3", "6", "12",
               "--out", str(out_dir)])
    assert rc == 0
    out = capsys.readouterr().out
    assert "External validation of" in out
    assert "200 patients" in out
    assert "Transport and recalibration" in out
    tr = pd.read_csv(out_dir / "transport.csv")
    assert list(tr["horizon"]) == [3.0, 6.0, 12.0]
    m = pd.read_csv(out_dir / "external_metrics.csv")
    assert 0.5 < m.loc[m["metric"] == "harrell_c", "value"].iloc[0] < 1
    ids = set(small_cohorts["ext_frame"]["patient_id"].astype(str))
    assert not any(i in out for i in ids)


def test_validate_saved_model_horizon_beyond_follow_up(small_cohorts, saved_model, capsys):
    path = saved_model
    rc = main(["validate", "--model", str(path), "--cohort", str(small_cohorts["ext"]), "--horizons", "6", "900"])
    # issue 12: one horizon rule -- the measures at 900 months are left out with the reason,
    # the others (and the C-indices) are reported
    assert rc == 0
    out = capsys.readouterr().out
    assert "note: measures needing S(t) at 900 months left out: beyond the model's training follow-up" in out
    assert "horizons: 6 months" in out


def test_report_cli_writes_html_and_tables(small_config, tmp_path, capsys):
    c = copy.deepcopy(small_config)
    c["cohorts"] = {"development": c["cohorts"]["development"]}
    c["scores"] = ["katagiri_new"]
    c["models"] = []
    c["horizons"] = [6]
    c["decision_curves"] = {"horizons": [6]}
    out = tmp_path / "out"
    rc = main(["report", str(_write(tmp_path, c)), "--out", str(out), "--n-boot", "2", "--quiet"])
    assert rc == 0
    assert capsys.readouterr().out == ""
    assert (out / "index.html").stat().st_size > 50_000
    assert (out / "tables" / "metrics.csv").exists()
    assert (out / "tables" / "metrics.parquet").exists()
    import json

    prov = json.loads((out / "provenance.json").read_text())
    assert prov["validation"]["n_boot"] == 2
    assert prov["config"]["validation"]["n_boot"] == 2


def test_help_lists_subcommands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "validate" in out
    assert "report" in out
