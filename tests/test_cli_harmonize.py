"""`prognosis harmonize IN --mapping M --out OUT.parquet` writes the table and OUT.audit.csv."""
import subprocess
import sys

import pandas as pd

from prognosis.cli.main import main


def test_harmonize_writes_parquet_and_audit(repo_root, tmp_path, capsys):
    ex = repo_root / "data" / "examples"
    out = tmp_path / "nord.parquet"
    rc = main(["harmonize", str(ex / "klinikum_nord.csv"), "--mapping", str(ex / "klinikum_nord.yaml"),
               "--out", str(out)])
    assert rc == 0
    frame = pd.read_parquet(out)
    assert len(frame) == 11
    assert frame["cohort"].unique().tolist() == ["Klinikum Nord"]
    audit = pd.read_csv(tmp_path / "nord.audit.csv")
    assert list(audit.columns) == ["row", "column", "action", "raw", "value", "reason"]
    status = audit[audit["column"] == "*"]
    assert sorted(status["row"]) == list(range(14))
    assert (status["action"] == "rejected").sum() == 3
    assert not audit.astype(str).apply(lambda s: s.str.contains("KN-0")).any().any()  # no patient ids
    printed = capsys.readouterr().out
    assert "rejected 3" in printed
    assert "KN-0" not in printed


def test_harmonize_csv_output_and_cohort_label(repo_root, tmp_path):
    ex = repo_root / "data" / "examples"
    out = tmp_path / "b.csv"
    assert main(["harmonize", str(ex / "spine_center_b.xlsx"), "-m", str(ex / "spine_center_b.yaml"),
                 "-o", str(out), "--cohort", "B", "-q"]) == 0
    frame = pd.read_csv(out)
    assert len(frame) == 13
    assert set(frame["cohort"]) == {"B"}
    assert (tmp_path / "b.audit.csv").is_file()


def test_errors_are_one_line_and_exit_2(tmp_path, capsys):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert main(["harmonize", str(empty), "--out", str(tmp_path / "o.parquet")]) == 2
    err = capsys.readouterr().err
    assert err == "prognosis harmonize: error: empty.csv is empty.\n"
    assert main(["harmonize", str(empty), "--out", str(tmp_path / "o.json")]) == 2
    assert "use a .parquet or .csv file name" in capsys.readouterr().err


def test_entry_point_help_lists_harmonize():
    r = subprocess.run([sys.executable, "-m", "prognosis", "harmonize", "--help"], capture_output=True, text=True)
    assert r.returncode == 0
    assert "--mapping" in r.stdout
    assert "OUT.audit.csv" in r.stdout
