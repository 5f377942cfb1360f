"""Readers: encodings, delimiters, formats, and one clear ReadError per broken file."""
import pandas as pd
import pytest

from prognosis import read_cohort
from prognosis.cohort.readers import detect_delimiter, detect_encoding, read_table
from prognosis.errors import PrognosisError, ReadError

CANON = "patient_id,time_months,event,primary_site\np1,10.5,1,Lunge\np2,3,0,Nierenzellkarzinom\n"


def test_latin1_semicolon(tmp_path):
    p = tmp_path / "t.csv"
    p.write_bytes("patient_id;time_months;event;sex\np1;1,5;1;männlich\np2;2;0;weiblich\n".encode("latin-1"))
    frame, facts = read_table(p)
    assert facts["delimiter"] == ";"
    assert facts["encoding"] in ("cp1252", "latin-1")
    assert frame["sex"].tolist() == ["männlich", "weiblich"]
    c = read_cohort(p, {"read": {"decimal": ","}})
    assert c.frame["sex"].tolist() == ["male", "female"]
    assert c.frame["time_months"].tolist() == [1.5, 2.0]


def test_utf8_bom_header_is_clean(tmp_path):
    p = tmp_path / "bom.csv"
    p.write_bytes(b"\xef\xbb\xbf" + CANON.encode("utf-8"))
    frame, facts = read_table(p)
    assert facts["encoding"] == "utf-8-sig"
    assert frame.columns[0] == "patient_id"
    c = read_cohort(p)
    assert c.frame["primary_site"].tolist() == ["lung", "kidney"]


def test_latin1_byte_that_cp1252_does_not_define(tmp_path):
    # 0x81 is undefined in Windows-1252, so only Latin-1 decodes it
    data = "a,b\n1,x\x81y\n".encode("latin-1")
    assert detect_encoding(data) == "latin-1"


@pytest.mark.parametrize(("sep", "suffix"), [("\t", ".tsv"), ("|", ".txt"), (",", ".csv"), (";", ".dat")])
def test_delimiters(tmp_path, sep, suffix):
    p = tmp_path / f"t{suffix}"
    p.write_text(CANON.replace(",", sep), encoding="utf-8")
    c = read_cohort(p)
    assert len(c) == 2
    assert c.frame["time_months"].tolist() == [10.5, 3.0]


def test_detect_delimiter_fallback_counts():
    assert detect_delimiter("a;b;c\n1;2;3\n") == ";"


def test_xlsx_and_parquet_and_dataframe(tmp_path):
    df = pd.read_csv(pd.io.common.StringIO(CANON))
    df.to_excel(tmp_path / "t.xlsx", index=False)
    df.to_parquet(tmp_path / "t.parquet")
    for src in (tmp_path / "t.xlsx", tmp_path / "t.parquet", df):
        c = read_cohort(src, cohort="X")
        assert c.frame["patient_id"].tolist() == ["p1", "p2"]
        assert c.frame["time_months"].tolist() == [10.5, 3.0]
        assert c.metadata["sha256"]
        assert len(c.metadata["sha256"]) == 64


def test_sha256_is_of_the_file_bytes(tmp_path):
    import hashlib

    p = tmp_path / "t.csv"
    p.write_text(CANON, encoding="utf-8")
    assert read_cohort(p).metadata["sha256"] == hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.mark.parametrize(("content", "message"), [
    (b"", "t.csv is empty."),
    (b"   \n\n", "t.csv is empty."),
    (b"patient_id,time_months,event\n", "t.csv has a header but no data rows."),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "t.csv is not a text table (it contains binary data); "
                                                     "use .csv, .tsv, .xlsx or .parquet."),
])
def test_broken_files_one_sentence(tmp_path, content, message):
    p = tmp_path / "t.csv"
    p.write_bytes(content)
    with pytest.raises(ReadError) as exc:
        read_cohort(p)
    assert str(exc.value) == message


def test_ragged_table_is_not_a_table(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("a,b\n1,2\n1,2,3,4\n", encoding="utf-8")
    with pytest.raises(ReadError, match=r"^t.csv is not a regular table \(delimiter ','\): .*line 3"):
        read_cohort(p)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ReadError, match="does not exist"):
        read_cohort(tmp_path / "nope.csv")
    with pytest.raises(ReadError, match="is a folder"):
        read_cohort(tmp_path)


def test_corrupt_excel_and_parquet(tmp_path):
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip file")
    (tmp_path / "bad.parquet").write_bytes(b"not parquet")
    with pytest.raises(ReadError, match=r"^bad.xlsx is not a readable Excel workbook"):
        read_cohort(tmp_path / "bad.xlsx")
    with pytest.raises(ReadError, match=r"^bad.parquet is not a readable Parquet file"):
        read_cohort(tmp_path / "bad.parquet")


def test_wrong_source_type():
    with pytest.raises(PrognosisError, match="source must be a file path or a DataFrame"):
        read_cohort(42)


def test_excel_native_date_cells(tmp_path):
    df = pd.DataFrame({"id": ["a", "b"], "dx": pd.to_datetime(["2020-01-01", "2020-01-01"]),
                       "dod": [pd.Timestamp("2020-01-31"), None], "lc": [None, pd.Timestamp("2020-03-01")]})
    df.to_excel(tmp_path / "d.xlsx", index=False)
    m = {"columns": {"patient_id": "id"}, "dates": {"format": "dayfirst", "origin": "dx", "death": "dod",
                                                     "last_contact": "lc"}}
    c = read_cohort(tmp_path / "d.xlsx", m, cohort="X")
    assert c.frame["time_months"].tolist() == [30 / 30.4375, 60 / 30.4375]
    assert c.frame["event"].tolist() == [1, 0]


def test_parquet_written_by_cohort_keeps_time_origin(tmp_path):
    c = read_cohort(pd.read_csv(pd.io.common.StringIO(CANON)), {"time_origin": "surgery"}, cohort="X")
    c.to_parquet(tmp_path / "c.parquet")
    assert read_cohort(tmp_path / "c.parquet").metadata["time_origin"] == "surgery"


def test_legacy_xls_is_a_read_error(tmp_path):
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0 not really")
    with pytest.raises(ReadError, match=r"^old.xls "):
        read_cohort(tmp_path / "old.xls")
