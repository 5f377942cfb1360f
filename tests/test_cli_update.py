"""CLI ``prognosis update``: tests printed, calibration before/after, lineage in the artifact."""
from __future__ import annotations

import pytest

from prognosis.cli.main import main
from prognosis.cohort.readers import sha256_of
from prognosis.models.persistence import read_metadata


@pytest.fixture(scope="module")
def parent(tmp_path_factory, repo_root):
    out = tmp_path_factory.mktemp("upd") / "cox.skops"
    assert main(["fit", "--cohort", str(repo_root / "data/demo/spine_demo.csv"), "--model", "cox",
                 "--features", "clinical", "--out", str(out)]) == 0
    return out


def test_update_cli_auto_with_lineage(parent, repo_root, tmp_path, capsys):
    out = tmp_path / "cox2.skops"
    assert main(["update", "--model", str(parent), "--cohort", str(repo_root / "data/demo/spine_external.csv"),
                 "--method", "auto", "--boot", "3", "--out", str(out)]) == 0
    cap = capsys.readouterr()
    assert "closed testing" in cap.out
    assert "refit vs original" in cap.out
    assert "original model" in cap.out
    assert "optimism-corrected" in cap.out
    assert "below the minimum sample size" in cap.err
    meta = read_metadata(out)
    lin = meta["extra"]["lineage"]
    assert len(lin) == 1
    assert lin[0]["parent_sha256"] == sha256_of(parent)
    assert lin[0]["method"] in ("none", "intercept", "slope", "revision", "refit")
    assert len(lin[0]["cohort_checksum"]) == 64
    assert lin[0]["date_utc"]
    # a second update extends the chain
    out3 = tmp_path / "cox3.skops"
    assert main(["update", "--model", str(out), "--cohort", str(repo_root / "data/demo/spine_external.csv"),
                 "--method", "intercept", "--out", str(out3)]) == 0
    lin3 = read_metadata(out3)["extra"]["lineage"]
    assert [d["method"] for d in lin3][1] == "intercept"
    assert lin3[1]["parent_sha256"] == sha256_of(out)


def test_update_cli_bad_method(parent, repo_root, tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["update", "--model", str(parent), "--cohort", str(repo_root / "data/demo/spine_external.csv"),
              "--method", "bogus", "--out", str(tmp_path / "x.skops")])
    assert main(["update", "--model", str(parent), "--cohort", str(repo_root / "data/demo/spine_external.csv"),
                 "--horizons", "500", "--out", str(tmp_path / "x.skops")]) == 2
    assert "beyond the longest follow-up" in capsys.readouterr().err


def test_validate_cli_warns_below_validation_size(parent, repo_root, capsys):
    assert main(["validate", "--model", str(parent), "--cohort", str(repo_root / "data/demo/spine_external.csv"),
                 "--horizons", "6", "12", "--quiet"]) == 0
    assert "below the minimum sample size for external validation" in capsys.readouterr().err
