"""``prognosis score`` end to end on a small canonical CSV (read through read_cohort)."""
from __future__ import annotations

import pandas as pd
import pytest

from prognosis.cli.main import main

ROWS = [
    {"patient_id": "MRN-001", "time_months": 3.0, "event": 1, "primary_site": "Breast", "kps": 90,
         "extraspinal_bone_mets": 0, "vertebral_mets": 1, "visceral_mets": "none", "frankel": "E"},
    {"patient_id": "MRN-002", "time_months": -4.0, "event": 0, "primary_site": "lung", "kps": 60,
         "extraspinal_bone_mets": 3, "vertebral_mets": 3, "visceral_mets": "unremovable", "frankel": "C"},
    {"patient_id": "MRN-003", "time_months": 5.0, "event": 1, "primary_site": "colon", "kps": None,
         "extraspinal_bone_mets": 1, "vertebral_mets": 2, "visceral_mets": "removable", "frankel": "D"},
]


@pytest.fixture
def table(tmp_path):
    p = tmp_path / "cohort.csv"
    pd.DataFrame(ROWS).to_csv(p, index=False)
    return p


def test_score_cli_writes_scores(table, tmp_path, capsys):
    out = tmp_path / "scores.csv"
    rc = main(["score", str(table), "--scores", "revised_tokuhashi,tomita", "--out", str(out),
               "--option", "revised_tokuhashi.colon_as=rectum", "--explain", "1"])
    assert rc == 0
    res = pd.read_csv(out)
    # row 1 of the input (time_months -4) is rejected by harmonization; positions are kept
    assert res["input_row"].tolist() == [0, 2]
    assert res["patient_id"].tolist() == ["MRN-001", "MRN-003"]
    assert res["revised_tokuhashi"].tolist()[0] == 15
    # colon as rectum (4) + extraspinal 1 + vertebral 1 + removable 1 + Frankel D 1 = 8 + KPS 0..2
    assert pd.isna(res["revised_tokuhashi"].iloc[1])
    assert (res["revised_tokuhashi_min"].iloc[1], res["revised_tokuhashi_max"].iloc[1]) == (8, 10)
    assert res["tomita"].tolist() == [2, 8]  # breast 1+0+1; colon 4 + treatable 2 + multiple 2
    err = capsys.readouterr().err
    assert "2 patients scored" in err
    assert "1 input rows rejected" in err
    assert "MRN-" not in err


def test_score_cli_no_ids_and_all_scores(table, tmp_path):
    out = tmp_path / "s.csv"
    assert main(["score", str(table), "--out", str(out), "--no-ids"]) == 0
    res = pd.read_csv(out)
    assert "patient_id" not in res.columns
    assert {"nesms", "katagiri_new_group", "bauer_min"} <= set(res.columns)


def test_score_cli_errors(table, capsys):
    assert main(["score", str(table), "--scores", "spinal_oracle"]) == 2
    assert "unknown score" in capsys.readouterr().err
    assert main(["score", str(table), "--scores", "tomita", "--option", "tomita.nope=1"]) == 2
    assert "unknown option" in capsys.readouterr().err
    assert main(["score", str(table), "--scores", "tomita", "--option", "bauer.x=1"]) == 2


def test_score_cli_list(capsys):
    assert main(["score", "--list"]) == 0
    out = capsys.readouterr().out
    assert "revised_tokuhashi: Revised Tokuhashi score (2005), 0-15 points" in out
    assert "option colon_as (default 'others')" in out
    assert main(["score"]) == 2
