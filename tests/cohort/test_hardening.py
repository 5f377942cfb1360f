"""Hardening (issue 14) and issue 12 items 6-7: every bad input is a typed error with an exact
message naming file/row/column (never a cell value of an unmapped column, never a patient id),
and no cell changes without an audit record."""
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from prognosis import read_cohort
from prognosis.cohort.mapping import load_mapping
from prognosis.errors import MAX_MESSAGE_CHARS, MappingError, PrognosisError, ReadError

EX = Path(__file__).resolve().parents[2] / "data" / "examples"
M = {"columns": {"patient_id": "id", "time_months": "t", "event": "e"}}


def frame(**extra):
    d = {"id": ["a", "b"], "t": ["1", "2"], "e": ["1", "0"]}
    d.update(extra)
    return pd.DataFrame(d)


def status(c):
    return c.audit[c.audit["column"] == "*"].set_index("row")["action"].to_dict()


# ---- raw exceptions → typed errors -----------------------------------------------------------
def test_whole_number_beyond_int64_is_audited_na():
    c = read_cohort(frame(bone=["99999999999999999999", "1"]),
                    {"columns": {**M["columns"], "extraspinal_bone_mets": "bone"}})
    a = c.audit[(c.audit["column"] == "extraspinal_bone_mets")]
    assert a["action"].tolist() == ["na"]
    assert a["reason"].tolist() == ["extraspinal_bone_mets is too large to be a measurement (|value| > 2^53); "
                                    "set to NA"]
    assert c.frame["extraspinal_bone_mets"].isna().tolist() == [True, False]


def test_list_cells_are_a_read_error():
    with pytest.raises(ReadError) as exc:
        read_cohort(frame(bone=[[1, 2], {"a": 1}]), {"columns": {**M["columns"], "extraspinal_bone_mets": "bone"}})
    assert str(exc.value) == ("<DataFrame>: row 0, column 'bone' holds a list or structure, not a single value "
                              "(2 such cell(s)); flatten that column before reading.")


@pytest.mark.parametrize("fmt", ["xlsx", "parquet"])
def test_native_dates_outside_pandas_range_are_audited(tmp_path, fmt):
    df = pd.DataFrame({"id": ["a", "b"], "o": [dt.datetime(1500, 1, 1), dt.datetime(2020, 1, 1)],
                       "d": [dt.datetime(2020, 1, 1), dt.datetime(2021, 1, 1)]})
    p = tmp_path / f"d.{fmt}"
    df.to_excel(p, index=False) if fmt == "xlsx" else df.to_parquet(p, index=False)
    c = read_cohort(p, {"columns": {"patient_id": "id"}, "dates": {"origin": "o", "death": "d"}})
    na = c.audit[c.audit["column"] == "date:origin"]
    assert na["reason"].tolist() == ["origin date (o) is outside 1677-09-22 to 2262-04-11; set to NA"]
    assert status(c) == {0: "rejected", 1: "changed"}


@pytest.mark.parametrize(("fmt", "msg"), [
    ("%Q", "mapping <mapping dict>: dates.format '%Q' is not a valid strftime pattern "
           "('Q' is a bad directive in format '%Q')."),
    ("%", "mapping <mapping dict>: dates.format '%' is not a valid strftime pattern (stray % in format '%')."),
    (["x"], "mapping <mapping dict>: dates.format must be text, got list."),
])
def test_bad_date_format(fmt, msg):
    with pytest.raises(MappingError) as exc:
        load_mapping({"columns": {"patient_id": "id"}, "dates": {"origin": "o", "death": "d", "format": fmt}})
    assert str(exc.value) == msg


@pytest.mark.parametrize(("read", "msg"), [
    ({"encoding": 1}, "read.encoding must be text such as 'utf-8' or 'latin-1', got int."),
    ({"encoding": "klingon"}, "read.encoding 'klingon' is not a known text encoding."),
    ({"delimiter": 5}, "read.delimiter must be one character such as ',', ';', '|' or a tab, got '5'."),
    ({"sheet": [0, 1]}, "read.sheet must be a sheet name or a 0-based sheet number, got list."),
    ({"decimal": "0"}, "read.decimal must be ',' or '.', got '0'."),
    ({"decimal": ",", "delimiter": ","}, "read.decimal and read.delimiter cannot both be ','."),
])
def test_read_options_are_validated(read, msg):
    with pytest.raises(MappingError) as exc:
        load_mapping({**M, "read": read})
    assert str(exc.value) == "mapping <mapping dict>: " + msg


@pytest.mark.parametrize("col", ["sex", "kps", "kps_derived"])
def test_keep_of_a_canonical_column_is_refused(col):
    with pytest.raises(MappingError) as exc:
        read_cohort(frame(**{col: ["m", "f"]}), {**M, "keep": [col]})
    assert str(exc.value) == (f"mapping <mapping dict>: keep lists '{col}', a canonical column the harmonizer fills; "
                              "a verbatim copy would overwrite the harmonized values. Map it under columns: "
                              "instead, or rename the source column.")


# ---- silent cell changes → errors or audited ------------------------------------------------
def test_nul_byte_after_4_kib_names_row_and_column(tmp_path):
    p = tmp_path / "x.csv"
    p.write_bytes(b"id,t,e,kps\n" + b"c,2,0,80\n" * 600 + b"P00\x00799,3,1,70\n")
    with pytest.raises(ReadError) as exc:
        read_cohort(p, M)
    assert str(exc.value) == ("x.csv: row 600, column 'id' contains a NUL byte (binary data in a text file); "
                              "remove it and read the file again.")


def test_nul_in_dataframe_cell():
    with pytest.raises(ReadError) as exc:
        read_cohort(frame(id=["a", "b\x00c"]), M)
    assert str(exc.value) == ("<DataFrame>: row 1, column 'id' contains a NUL character (binary data); "
                              "remove it and read the table again.")


def test_duplicate_header_names(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("id,t,e,kps,kps\na,1,1,70,80\nb,2,0,80,90\n")
    with pytest.raises(ReadError) as exc:
        read_cohort(p, {"columns": {**M["columns"], "kps": "kps"}})
    assert str(exc.value) == ("x.csv has duplicated column name(s) ['kps']; every column needs its own name "
                              "(rename them in the file).")


def test_trailing_delimiter_does_not_shift_columns(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("id,t,e,kps\na,1,1,70,\nb,2,0,80,\n")
    c = read_cohort(p, {"columns": {**M["columns"], "kps": "kps"}})
    assert c.frame["time_months"].tolist() == [1.0, 2.0]
    assert c.frame["kps"].tolist() == [70, 80]
    assert c.metadata["trailing_delimiter_rows"] == 2
    assert "2 row(s) end with an extra delimiter (an empty last field, ignored)" in str(c.summary())


def test_extra_non_empty_field_is_an_error(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("id,t,e,kps\na,1,1,70\nb,2,0,80,9\n")
    with pytest.raises(ReadError) as exc:
        read_cohort(p, M)
    assert str(exc.value) == ("x.csv is not a regular table (delimiter ','): row 1 (line 3) has 5 fields but the "
                              "header names 4 columns; check the delimiter or add the missing column name.")


def test_excel_formula_without_cached_value(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "t", "e", "kps"])
    ws.append(["a", 1, 1, "=60+10"])
    ws.append(["b", 2, 0, 80])
    p = tmp_path / "f.xlsx"
    wb.save(p)  # openpyxl stores formulas without computing them
    with pytest.raises(ReadError) as exc:
        read_cohort(p, {"columns": {**M["columns"], "kps": "kps"}})
    assert str(exc.value) == ("f.xlsx: formula cell(s) D2 have no saved value (the file was written by a program "
                              "that does not calculate formulas); open and save it in a spreadsheet program, or "
                              "replace the formulas by values.")


@pytest.mark.parametrize("enc", ["shift_jis", "gb18030"])
def test_east_asian_encodings_are_not_read_as_cp1252(tmp_path, enc):
    p = tmp_path / "x.csv"
    p.write_bytes("id,t,e,name\na,1,1,山田太郎\nb,2,0,佐藤花子\n".encode(enc))
    with pytest.raises(ReadError, match=r"^x.csv is not UTF-8 and looks like \w+ text, which would be misread; "
                                        r"declare the encoding in the mapping, e.g. read: \{encoding: \w+\}.$"):
        read_cohort(p, {**M, "keep": ["name"]})
    c = read_cohort(p, {**M, "keep": ["name"], "read": {"encoding": enc}})
    assert c.frame["name"].tolist() == ["山田太郎", "佐藤花子"]
    assert c.metadata["encoding_source"] == "declared"


def test_guessed_encoding_is_in_the_summary(tmp_path):
    p = tmp_path / "x.csv"
    p.write_bytes("id;t;e;Bemerkung\na;1;1;Müller\nb;2;0;x\n".encode("cp1252"))
    c = read_cohort(p, M)
    assert c.metadata["encoding"] == "cp1252"
    assert c.metadata["encoding_source"] == "detected"
    assert ("  encoding: cp1252 (guessed from the bytes, not declared; if accented letters look wrong, set "
            "read: {encoding: ...} in the mapping)") in str(c.summary()).splitlines()


def test_parquet_index_column_is_kept(tmp_path):
    df = frame().set_index("id")
    df.to_parquet(tmp_path / "x.parquet")
    c = read_cohort(tmp_path / "x.parquet", M)
    assert c.frame["patient_id"].tolist() == ["a", "b"]


def test_summary_redaction_survives_apostrophes():
    df = frame(t=["1", "O'Brien Smith"])
    s = str(read_cohort(df, M).summary())
    assert "Brien" not in s
    assert "time_months '…' is not a number" in s


# ---- issue 12 item 6: duplicates ------------------------------------------------------------
def test_exact_duplicate_row_keeps_one_copy():
    df = pd.DataFrame({"id": ["a", "b", "a", "a"], "t": ["1", "2", "1", "1"], "e": ["1", "0", "1", "1"]})
    c = read_cohort(df, M)
    assert c.frame["patient_id"].tolist() == ["a", "b"]
    assert status(c) == {0: "kept", 1: "kept", 2: "rejected", 3: "rejected"}
    rej = c.audit[(c.audit["column"] == "patient_id")]
    assert rej["reason"].tolist() == ["exact duplicate of row 0", "exact duplicate of row 0"]
    assert "exact duplicate of another row" in str(c.summary())


def test_same_id_conflicting_values_rejects_all_copies():
    df = pd.DataFrame({"id": ["a", "a", "a"], "t": ["1", "1", "2"], "e": ["1", "1", "1"]})
    c = read_cohort(df, M)
    assert len(c) == 0
    assert c.audit[c.audit["column"] == "patient_id"]["reason"].tolist() == [
        "duplicate patient_id (same id at rows 1, 2)", "duplicate patient_id (same id at rows 0, 2)",
        "duplicate patient_id (same id at rows 0, 1)"]


def test_rows_differing_only_in_an_unmapped_column_are_not_exact_duplicates(tmp_path):
    p = tmp_path / "x.csv"  # read with only the mapped columns loaded; the check still sees every column
    p.write_text("id,t,e,note\na,1,1,\na,1,1,entered twice\nb,2,0,\n")
    c = read_cohort(p, M)
    assert status(c) == {0: "rejected", 1: "rejected", 2: "kept"}


# ---- issue 12 item 7: no header row ---------------------------------------------------------
HEADERLESS = ("klinikum_nord_headerless.csv has no header row: its first line looks like a patient's data "
              "(numbers or dates where column names belong); export the table with its column names in the "
              "first row.")


def test_bundled_headerless_example_is_refused_without_values():
    with pytest.raises(ReadError) as exc:
        read_cohort(EX / "klinikum_nord_headerless.csv", EX / "klinikum_nord.yaml")
    assert str(exc.value) == HEADERLESS
    assert "KN-" not in str(exc.value)


def test_headerless_excel_is_refused(tmp_path):
    pd.DataFrame([["P1", 12.5, 1, dt.datetime(2020, 1, 1)], ["P2", 3.0, 0, dt.datetime(2020, 2, 1)]]).to_excel(
        tmp_path / "h.xlsx", index=False, header=False)
    with pytest.raises(ReadError, match=r"^h.xlsx has no header row"):
        read_cohort(tmp_path / "h.xlsx", M)


@pytest.mark.parametrize("cmd", ["harmonize", "score", "fit"])
def test_cli_on_headerless_file_prints_no_values(capsys, tmp_path, cmd):
    from prognosis.cli.main import main

    src, mp = str(EX / "klinikum_nord_headerless.csv"), str(EX / "klinikum_nord.yaml")
    argv = {"harmonize": ["harmonize", src, "--mapping", mp, "--out", str(tmp_path / "x.parquet")],
            "score": ["score", src, "--mapping", mp],
            "fit": ["fit", "--cohort", src, "--mapping", mp, "--model", "cox", "--out", str(tmp_path / "m.skops")]}[cmd]
    rc = main(argv)
    out = capsys.readouterr()
    text = out.out + out.err
    assert rc != 0
    assert "has no header row" in text
    assert "KN-001" not in text
    assert "Bronchialkarzinom" not in text
    assert "1951" not in text


def test_missing_mapped_column_error_quotes_no_values():
    with pytest.raises(MappingError) as exc:
        read_cohort(frame(secret=["Anna Muster", "x"]), {"columns": {**M["columns"], "kps": "KPS"}})
    assert "Anna" not in str(exc.value)


# ---- resources ------------------------------------------------------------------------------
def test_yaml_alias_bomb_is_refused(tmp_path):
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 9) + "]")
    p = tmp_path / "m.yaml"
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(MappingError) as exc:
        load_mapping(p)
    assert str(exc.value) == "mapping file m.yaml uses more than 20 YAML aliases (*name); write the values out instead."


def test_error_messages_are_bounded():
    with pytest.raises(PrognosisError) as exc:
        read_cohort(frame(**{"x" * 100_000: ["1", "2"]}), {"columns": {**M["columns"], "kps": "nope"}})
    assert len(str(exc.value)) < MAX_MESSAGE_CHARS + 60


def test_headerless_text_only_first_row_is_not_printed(tmp_path):
    p = tmp_path / "x.csv"  # a first row without numbers escapes the header heuristic ...
    p.write_text("Anna Muster,männlich,Lunge\nBert Beispiel,weiblich,Mamma\n")
    with pytest.raises(MappingError) as exc:  # ... but no mapped name matches, so nothing is quoted
        read_cohort(p, {"columns": {"patient_id": "Name", "sex": "Geschlecht", "primary_site": "Primärtumor"},
                        "cohort": "X"})
    assert str(exc.value) == ("x.csv: none of the 3 columns named in the mapping is in the table's first row; is the "
                              "header row missing, or is this the wrong mapping or sheet? (the first row is not "
                              "shown, as it may hold patient data)")


def test_canonical_frame_with_huge_count_is_a_schema_error():
    from prognosis.cohort import Cohort
    from prognosis.errors import SchemaError

    df = pd.DataFrame({"patient_id": ["a", "b"], "cohort": "X", "time_months": [1.0, 2.0], "event": [1, 0],
                       "extraspinal_bone_mets": [1e20, 2]})
    with pytest.raises(SchemaError) as exc:
        Cohort.from_frame(df)
    assert str(exc.value) == ("1 schema failure(s): row 0: extraspinal_bone_mets is too large to be a count "
                              "(got '1e+20') (see .failures)")


@pytest.mark.parametrize(("enc", "eol"), [("utf-8", "\n"), ("utf-8", "\r\n"), ("utf-16", "\r\n"), ("cp1252", "\r\n")])
def test_lone_carriage_return_in_a_cell_does_not_split_the_row(tmp_path, enc, eol):
    # found by the fuzz run: pandas' default treats a lone CR as a row break and pads both halves
    p = tmp_path / "x.csv"
    p.write_bytes(eol.join(["id,t,e,note", "a,1,1,x\ry", "b,2,0,z", ""]).encode(enc))
    c = read_cohort(p, {**M, "keep": ["note"]})
    assert c.metadata["n_input_rows"] == 2
    assert c.frame["note"].tolist() == ["x\ry", "z"]
    assert c.frame["time_months"].tolist() == [1.0, 2.0]


def test_mac_classic_cr_line_ends_still_read(tmp_path):
    p = tmp_path / "x.csv"
    p.write_bytes(b"id,t,e\ra,1,1\rb,2,0\r")
    assert read_cohort(p, M).frame["time_months"].tolist() == [1.0, 2.0]


def test_long_decimal_text_is_parsed_exactly():
    # found by the fuzz run: pandas.to_numeric returns this value 1 ulp off
    c = read_cohort(frame(age=["3.7551196192654696e-112", "40"]), {"columns": {**M["columns"], "age_years": "age"}})
    assert c.frame["age_years"].tolist()[0] == float("3.7551196192654696e-112")
