"""The reader registry: one list of file formats, read by the harmonizer and the study config."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from prognosis.cohort.readers import Reader, read_table, reader_for, register_reader, table_suffixes, unregister_reader
from prognosis.errors import InputError, ReadError
from prognosis.study import load_config


def _read_jsonl(path, **_):
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    frame = pd.DataFrame(rows).astype(str)
    return frame, {"format": "jsonl", "header": list(frame.columns)}


@pytest.fixture
def jsonl():
    register_reader(Reader("jsonl", (".jsonl",), _read_jsonl, "JSON lines"))
    yield
    unregister_reader("jsonl")


def test_builtin_formats_and_text_fallback(tmp_path):
    assert reader_for("a.XLSX").name == "excel"
    assert reader_for("a.pq").name == "parquet"
    assert reader_for("a.csv").name == "text"
    assert reader_for("export.unknown").name == "text"  # unknown suffixes are read as delimited text
    assert {".csv", ".xlsx", ".parquet"} <= set(table_suffixes())
    assert "" not in table_suffixes()


def test_a_registered_format_is_read_and_recognised_by_the_config(tmp_path, jsonl):
    p = tmp_path / "cohort.jsonl"
    p.write_text('{"id": "a", "kps": 70}\n{"id": "b", "kps": 80}\n', encoding="utf-8")
    frame, facts = read_table(p)
    assert facts["format"] == "jsonl"
    assert facts["source"] == "cohort.jsonl"
    assert frame["kps"].tolist() == ["70", "80"]
    cfg = load_config({"name": "t", "cohorts": {"development": "cohort.jsonl"}, "scores": ["bauer"],
                       "horizons": [6]})
    assert cfg.development.path == "cohort.jsonl"


def test_empty_file_is_refused_before_any_reader(tmp_path):
    p = tmp_path / "empty.xlsx"
    p.write_bytes(b"")
    with pytest.raises(ReadError, match=r"empty\.xlsx is empty\."):
        read_table(p)


def test_registry_refuses_taken_suffixes_and_keeps_the_fallback():
    with pytest.raises(InputError, match="suffixes taken"):
        register_reader(Reader("csv2", (".csv",), _read_jsonl, "again"))
    with pytest.raises(InputError, match="fallback"):
        unregister_reader("text")
    with pytest.raises(InputError, match="unknown reader 'parquett' \\(did you mean 'parquet'\\?\\)"):
        unregister_reader("parquett")
