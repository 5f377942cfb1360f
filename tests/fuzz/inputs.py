"""Input families for the hardening fuzz suite (issue 14) and its invariant checker.

Families: CSV files (random dialect, encoding, quoting, trailing delimiters, NUL bytes, junk
cells, no header), raw junk bytes, DataFrames with odd cell objects (huge integers, lists,
dicts, out-of-range datetimes, Decimals, bools), the same through Parquet and Excel, junk
mappings, and junk dates/date formats. Each case is read with :func:`prognosis.read_cohort`;
the only acceptable outcomes are a Cohort that passes :func:`check_cohort` or a
:class:`~prognosis.errors.PrognosisError`.

Used by ``tests/fuzz/test_fuzz.py`` (bounded, CI) and ``benchmarks/fuzz_long.py`` (>= 5,000).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import strategies as st

from prognosis import read_cohort
from prognosis.cohort.vocab import MISSING_MARKERS
from prognosis.errors import PrognosisError

ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "shift_jis", "gb18030"]
DELIMS = [",", ";", "\t", "|"]
NUMERIC = {"time_months": "t", "kps": "kps", "age_years": "age", "albumin_g_dl": "alb"}

num_text = st.one_of(
    st.integers(-10 ** 25, 10 ** 25).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.floats(0, 200).map(lambda x: f"{x:.2f}"),
    st.floats(0, 200).map(lambda x: f"{x:.2f}".replace(".", ",")),
    st.sampled_from(["", "NA", "n/a", "-", "abc", "1,5", "1.5e3", "-0", " 7 ", "70%", "1e999", "70", "80",
                     "150", "0", "12.5", "3", "+5", "0x10", "1_000", "٣", "½"]),
    st.text(max_size=5),
)
event_text = st.one_of(st.sampled_from(["0", "1", "2", "yes", "nein", "", "verstorben", "-1", "1.0", "dead",
                                        "alive", "TRUE", "0.5"]), st.text(max_size=3))
id_text = st.one_of(st.sampled_from(["a", "b", "c", "P1", "P2", "", "NA"]),
                    st.text(alphabet=st.characters(codec="utf-8"), max_size=6))
free_text = st.text(max_size=12)  # unmapped column: quotes, delimiters, newlines, NUL, anything
date_fmts = ["%d.%m.%Y", "%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%Y%m%d"]
date_text = st.one_of(
    st.tuples(st.dates(dt.date(1000, 1, 1), dt.date(2999, 12, 31)), st.sampled_from(date_fmts))
    .map(lambda d: d[0].strftime(d[1])),
    st.sampled_from(["", "31.02.2020", "2020-13-01", "00.00.0000", "yesterday"]),
    st.text(max_size=10),
)
date_format = st.one_of(st.sampled_from(["dayfirst", "monthfirst", "iso", "%d.%m.%Y", "%Y-%m-%d", "%Q", "%",
                                         "%d.%m.%y", "", "%H"]), st.text(max_size=6))


@st.composite
def table_rows(draw, with_dates=False):
    n = draw(st.integers(1, 8))
    rows = []
    for _ in range(n):
        r = {
            "id": draw(id_text),
            "e": draw(event_text),
            "t": draw(num_text),
            "kps": draw(num_text),
            "age": draw(num_text),
            "alb": draw(num_text),
            "sex": draw(st.sampled_from(["m", "f", "männlich", "W", "", "x", "O'Brien"])),
            "note": draw(free_text),
        }
        if with_dates:
            r["dx"] = draw(date_text)
            r["dod"] = draw(date_text)
        rows.append(r)
    if n > 1 and draw(st.booleans()):  # duplicates: exact copy or same id
        i = draw(st.integers(0, n - 1))
        rows.append(
            dict(rows[i]) if draw(st.booleans()) else {**rows[draw(st.integers(0, n - 1))], "id": rows[i]["id"]}
        )
    return rows


@st.composite
def mappings(draw, with_dates=False):
    cols = {"patient_id": "id", "event": "e", "kps": "kps", "age_years": "age", "albumin_g_dl": "alb", "sex": "sex"}
    m: dict = {"columns": cols}
    if with_dates:
        m["dates"] = {"origin": "dx", "death": "dod", "format": draw(date_format)}
        cols.pop("event") if draw(st.booleans()) else None
    else:
        cols["time_months"] = "t"
    if draw(st.booleans()):
        m["read"] = {"decimal": draw(st.sampled_from([",", "."]))}
    if draw(st.integers(0, 3)) == 0:
        m["units"] = {"albumin_g_dl": "g/L"}
    if draw(st.integers(0, 3)) == 0:
        m["keep"] = ["note"]
    if draw(st.integers(0, 4)) == 0:
        m["values"] = {"sex": {"W": "female"}, "kps": {"150": None}}
    if draw(st.integers(0, 4)) == 0:
        m["derive"] = {"ecog_from_kps": True}
    return m


def write_csv(rows: list[dict], path: Path, delim: str, enc: str, quoting: int, eol: str, trailing: bool,
              header: bool = True) -> bool:
    """Write rows; returns False if the encoding could not represent every character (the
    file then differs from the rows and values are not compared)."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delim, quoting=quoting, lineterminator=eol)
    keys = list(rows[0])
    if header:
        w.writerow(keys + ([""] if trailing else []))
    for r in rows:
        w.writerow([r[k] for k in keys] + ([""] if trailing else []))
    text = buf.getvalue()
    try:
        data = text.encode(enc)
        exact = True
    except UnicodeEncodeError:
        data = text.encode(enc, errors="replace")
        exact = False
    path.write_bytes(data)
    return exact


@st.composite
def csv_cases(draw):
    with_dates = draw(st.integers(0, 3)) == 0
    rows = draw(table_rows(with_dates))
    m = draw(mappings(with_dates))
    opts = {"delim": draw(st.sampled_from(DELIMS)), "enc": draw(st.sampled_from(ENCODINGS)),
                "quoting": draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC])),
                "eol": draw(st.sampled_from(["\n", "\r\n"])), "trailing": draw(st.integers(0, 5)) == 0,
                "header": draw(st.integers(0, 15)) != 0}
    if draw(st.integers(0, 3)) == 0:
        m.setdefault("read", {})["encoding"] = opts["enc"]
    return rows, m, opts


cell_objects = st.one_of(
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.text(max_size=6),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    st.datetimes(dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31)),
    st.dates(),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
    st.just(pd.NaT),
    st.just(pd.NA),
)


@st.composite
def frame_cases(draw):
    n = draw(st.integers(1, 6))
    cols = {"id": draw(st.lists(st.one_of(id_text, cell_objects), min_size=n, max_size=n)),
            "t": draw(st.lists(st.one_of(num_text, cell_objects), min_size=n, max_size=n)),
            "e": draw(st.lists(st.one_of(event_text, cell_objects), min_size=n, max_size=n)),
            "kps": draw(st.lists(cell_objects, min_size=n, max_size=n)),
            "dx": draw(st.lists(cell_objects, min_size=n, max_size=n)),
            "dod": draw(st.lists(cell_objects, min_size=n, max_size=n))}
    fmt = draw(st.sampled_from(["frame", "frame", "parquet", "excel"]))
    use_dates = draw(st.booleans())
    m = {"columns": {"patient_id": "id", "kps": "kps", "event": "e"}}
    if use_dates:
        m["dates"] = {"origin": "dx", "death": "dod", "format": draw(date_format)}
    else:
        m["columns"]["time_months"] = "t"
    return pd.DataFrame(cols), m, fmt


junk_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
    lambda c: st.one_of(st.lists(c, max_size=3), st.dictionaries(st.text(max_size=8), c, max_size=3)),
    max_leaves=8,
)
KEYS = ["cohort", "time_origin", "read", "columns", "values", "units", "dates", "derive", "keep", "description"]


@st.composite
def junk_mappings(draw):
    m = {"columns": {"patient_id": "id", "time_months": "t", "event": "e"}}
    # a valid mapping with one to three keys replaced by junk
    m.update(draw(st.dictionaries(st.sampled_from(KEYS + ["bogus"]), junk_values, min_size=1, max_size=3)))
    if draw(st.integers(0, 3)) == 0:
        m["columns"] = draw(
            st.dictionaries(
                st.sampled_from(["patient_id", "time_months", "event", "kps", "sex", "asia", "nope"]),
                st.one_of(st.sampled_from(["id", "t", "e", "kps"]), junk_values),
                max_size=4,
            )
        )
    return m


# ---- checking --------------------------------------------------------------------------------
def _num(raw: str, decimal_sep: str):
    return float(raw.replace(decimal_sep, ".") if decimal_sep != "." else raw)


def check_cohort(c, n_rows: int | None = None, raw_rows: list[dict] | None = None, mapping: dict | None = None):
    """The audit invariants: one status per input row; kept rows carry no cell records; every
    rejected row has a rejected cell; the frame has the non-rejected rows; mapped raw numeric
    values reach the frame unchanged or have an audit record for that row and column."""
    a = c.audit
    status = a[a["column"] == "*"]
    n = int(c.metadata["n_input_rows"])
    if n_rows is not None:
        assert n == n_rows, (n, n_rows)
    assert status["row"].tolist() == list(range(n)), "one status record per input row"
    assert set(status["action"]) <= {"kept", "changed", "rejected"}
    cells = a[a["column"] != "*"]
    kept = set(status.loc[status["action"] == "kept", "row"])
    assert not cells["row"].isin(kept).any(), "a kept row has a change record"
    rejected = set(status.loc[status["action"] == "rejected", "row"])
    assert rejected == set(cells.loc[cells["action"] == "rejected", "row"])
    changed = set(status.loc[status["action"] == "changed", "row"])
    assert changed <= set(cells.loc[cells["action"] != "rejected", "row"]), "changed row without a record"
    assert len(c.frame) == n - len(rejected)
    if raw_rows is None or mapping is None:
        return
    dec = (mapping.get("read") or {}).get("decimal", ".")
    audited = set(zip(cells["row"].tolist(), cells["column"].tolist(), strict=False))
    positions = [r for r in range(n) if r not in rejected]
    cols = mapping.get("columns", {})
    for canon, src in cols.items():
        if canon not in NUMERIC and canon != "patient_id":
            continue
        values = c.frame[canon].tolist()
        for i, r in enumerate(positions):
            if (r, canon) in audited:
                continue
            raw = str(raw_rows[r][src]).strip()
            v = values[i]
            missing = v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))
            if canon == "patient_id":
                assert v == raw, f"row {r}: patient_id changed without an audit record"
                continue
            if raw.lower() in MISSING_MARKERS:
                assert missing, f"row {r}: {canon} was missing but has a value"
                continue
            assert not missing, f"row {r}: {canon} lost its value without an audit record"
            assert _num(raw, dec) == float(v), f"row {r}: {canon} changed without an audit record"


def run_csv_case(rows, m, opts, tmpdir: Path):
    """Returns 'cohort' or the PrognosisError class name; anything else propagates."""
    p = tmpdir / "case.csv"
    exact = write_csv(rows, p, opts["delim"], opts["enc"], opts["quoting"], opts["eol"], opts["trailing"],
                      opts["header"])
    try:
        c = read_cohort(p, m)
    except PrognosisError as exc:
        return type(exc).__name__
    # values are compared when the file holds exactly the generated cells
    declared_ok = opts["enc"] == (m.get("read") or {}).get("encoding") or opts["enc"] in (
        "utf-8",
        "utf-8-sig",
        "utf-16",
    )
    compare = exact and opts["header"] and declared_ok
    check_cohort(c, len(rows) if opts["header"] else None, rows if compare else None, m if compare else None)
    return "cohort"


def run_bytes_case(data: bytes, suffix: str, tmpdir: Path):
    p = tmpdir / f"junk{suffix}"
    p.write_bytes(data)
    try:
        c = read_cohort(p, {"columns": {"patient_id": "id", "time_months": "t", "event": "e"}})
    except PrognosisError as exc:
        return type(exc).__name__
    check_cohort(c)
    return "cohort"


def run_frame_case(df, m, fmt, tmpdir: Path):
    src = df
    if fmt == "parquet":
        try:
            df.to_parquet(tmpdir / "f.parquet", index=False)
        except Exception:  # the fuzz frame itself cannot be written (mixed types): not our input
            return "unwritable"
        src = tmpdir / "f.parquet"
    elif fmt == "excel":
        try:
            df.to_excel(tmpdir / "f.xlsx", index=False)
        except Exception:
            return "unwritable"
        src = tmpdir / "f.xlsx"
    try:
        c = read_cohort(src, m)
    except PrognosisError as exc:
        return type(exc).__name__
    check_cohort(c, len(df) if fmt == "frame" else None)
    return "cohort"


def run_mapping_case(m, tmpdir: Path):
    p = tmpdir / "ok.csv"
    if not p.exists():
        p.write_text("id,t,e,kps,sex\na,1,1,70,m\nb,2,0,80,f\n")
    try:
        c = read_cohort(p, m)
    except PrognosisError as exc:
        return type(exc).__name__
    check_cohort(c, 2)
    return "cohort"


def tmp() -> Path:
    return Path(tempfile.mkdtemp(prefix="prognosis-fuzz-"))
