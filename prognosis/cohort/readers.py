"""Readers: any supported file (or DataFrame) → a raw :class:`pandas.DataFrame` plus read facts.

Text tables (.csv, .tsv, .txt and unknown extensions) are read with every cell as a string
(``keep_default_na=False``) so that raw values reach the harmonizer and the audit unchanged.
The encoding is detected as: byte-order mark (UTF-8/UTF-16) → strict UTF-8 → Windows-1252 →
Latin-1 (which decodes any byte); text that looks like a multi-byte East-Asian encoding
(Shift-JIS, GB18030, Big5, EUC-KR, ...) is refused unless declared, because Windows-1252 would
decode it into mojibake without an error. The delimiter is detected with :class:`csv.Sniffer`
among ``, ; \\t |``. Both can be overridden (``encoding=``, ``delimiter=``) and are recorded in
the read facts together with ``encoding_source`` (``declared``, ``byte-order mark``, ``ascii``
or ``detected`` — only the last is a guess).

Refused (one :class:`~prognosis.errors.ReadError` sentence naming the file, and the row and
column where there is one; cell values are never quoted): NUL bytes anywhere, duplicated header
names, a first row that looks like data rather than column names (no header row), data rows
with more or fewer fields than the header (except one empty trailing field, i.e. a trailing
delimiter, which is dropped and recorded), Excel formula cells without a cached value. Parquet
index columns are kept as ordinary columns. pandas exceptions never escape.

``usecols`` (a callable receiving the header names) reads only the columns the harmonizer
needs; row widths are still checked over the whole file.

The file formats are listed once, in the reader registry (:class:`Reader`,
:func:`register_reader`, :func:`reader_for`, :func:`table_suffixes`): the harmonizer dispatches
through it and the study config recognises a table path by its suffixes. A new format is one
reader function and one :func:`register_reader` call.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, ReadError, did_you_mean

__all__ = ["read_table", "sha256_of", "detect_encoding", "detect_delimiter", "TEXT_SUFFIXES",
           "looks_headerless", "Reader", "register_reader", "unregister_reader", "reader_for", "table_suffixes"]

TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".tab", ".dat", "")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
PARQUET_SUFFIXES = (".parquet", ".pq")
_CHUNK = 1 << 24
#: Encodings charset-normalizer may report for text that Windows-1252 would silently garble.
_CJK = ("shift_jis", "cp932", "euc_jp", "iso2022_jp", "gb2312", "gbk", "gb18030", "big5", "big5hkscs",
        "cp950", "euc_kr", "cp949", "johab", "hz")
_EXTRA = "\x00extra"  # name of the column that catches a trailing delimiter (cannot be a header name)


def sha256_of(source) -> str:
    """SHA-256 of a file's bytes, or of a DataFrame's content (pandas row hashes)."""
    from .._provenance import file_digest, frame_digest

    if isinstance(source, pd.DataFrame):
        return frame_digest(source)
    return file_digest(source)


#: bytes Windows-1252 leaves undefined (Python's codec refuses them); every other byte decodes
_CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")


def _chunk_decodes(chunk: bytes, enc: str) -> bool | None:
    """Byte-level answer for codecs where one exists (much faster than decoding), else None."""
    if enc == "ascii":
        return chunk.isascii()
    if enc == "cp1252":
        return not any(b in chunk for b in _CP1252_UNDEFINED)
    return None


def _decodes(data_or_path, enc: str) -> bool:
    """True if the bytes (or the file, streamed) decode strictly as ``enc``."""
    if enc in ("ascii", "cp1252"):
        if isinstance(data_or_path, (bytes, bytearray)):
            return bool(_chunk_decodes(bytes(data_or_path), enc))
        with open(data_or_path, "rb") as fh:
            return all(_chunk_decodes(chunk, enc) for chunk in iter(lambda: fh.read(_CHUNK), b""))
    dec = codecs.getincrementaldecoder(enc)(errors="strict")
    try:
        if isinstance(data_or_path, (bytes, bytearray)):
            dec.decode(data_or_path, final=True)
        else:
            with open(data_or_path, "rb") as fh:
                for chunk in iter(lambda: fh.read(_CHUNK), b""):
                    dec.decode(chunk, final=False)
                dec.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(data: bytes) -> str:
    """Return the codec for ``data``: BOM, else UTF-8 if valid, else cp1252, else latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    for enc in ("utf-8", "cp1252"):
        if _decodes(data, enc):
            return enc
    return "latin-1"


def _cjk_guess(sample: bytes) -> str | None:
    """The East-Asian encoding charset-normalizer finds for ``sample``, or None."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - charset-normalizer is a dependency
        return None
    best = from_bytes(sample).best()
    if best is None:
        return None
    enc = best.encoding.lower().replace("-", "_")
    return enc if enc in _CJK else None


def detect_delimiter(sample: str, suffix: str = "") -> str:
    """Delimiter of a text table from its first lines (``csv.Sniffer``, then counting)."""
    lines = [ln for ln in sample.splitlines() if ln.strip()][:50]
    if not lines:
        return ","
    head = "\n".join(lines)
    try:
        return csv.Sniffer().sniff(head, delimiters=",;\t|").delimiter
    except csv.Error:
        pass
    if suffix == ".tsv":
        return "\t"
    # the candidate that appears the same, non-zero number of times on most lines
    best, best_score = ",", -1
    for d in (",", ";", "\t", "|"):
        counts = [ln.count(d) for ln in lines]
        if counts[0] == 0:
            continue
        score = sum(c == counts[0] for c in counts)
        if score > best_score:
            best, best_score = d, score
    return best


_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?%?$")
_DATE = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2})?)?$")


def looks_headerless(names) -> bool:
    """True when a "header" looks like a data row: at least two names, and at least a quarter of
    them, are numbers or dates (or native numbers/dates in a spreadsheet). Column names are
    almost never numbers; a patient's record almost always has several."""
    names = list(names)
    n_data = 0
    for v in names:
        if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
            n_data += 1
        elif hasattr(v, "year") and hasattr(v, "month"):
            n_data += 1
        elif isinstance(v, str) and (_NUMBER.match(v.strip()) or _DATE.match(v.strip())):
            n_data += 1
    return n_data >= 2 and n_data * 4 >= len(names)


def _headerless_error(name: str) -> ReadError:
    return ReadError(f"{name} has no header row: its first line looks like a patient's data (numbers or dates "
                     "where column names belong); export the table with its column names in the first row.")


def _check_header(name: str, header: list[str], raw_header=None) -> None:
    if looks_headerless(header if raw_header is None else raw_header):
        raise _headerless_error(name)
    seen, dup = set(), []
    for h in header:
        if h in seen and h not in dup:
            dup.append(h)
        seen.add(h)
    if dup:
        raise ReadError(f"{name} has duplicated column name(s) {dup[:10]}; every column needs its own name "
                        "(rename them in the file).")


def _sample(path: Path, limit: int = 1 << 20) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(limit)


def _nul_location(path: Path, enc: str, sep: str, header: list[str]) -> tuple[int, str] | None:
    """(data row, column name) of the first NUL character in the decoded file, or None."""
    if codecs.lookup(enc).name in _NUL_IS_ZERO_BYTE and not _has_byte(path, b"\x00"):
        return None  # in these encodings a NUL character is a 0x00 byte and nothing else
    dec = codecs.getincrementaldecoder(enc)(errors="replace")
    line_no, carry = 0, ""
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            text = carry + dec.decode(chunk)
            pos = text.find("\x00")
            if pos >= 0:
                start = text.rfind("\n", 0, pos) + 1
                end = text.find("\n", pos)
                line = text[start:] if end < 0 else text[start:end]
                line_no += text.count("\n", 0, start)
                try:
                    fields = next(csv.reader(io.StringIO(line.replace("\x00", " "), newline=""), delimiter=sep), [])
                except csv.Error:
                    fields = line.split(sep)
                col = "?"
                off = len(line[: pos - start].replace("\x00", " "))
                acc = 0
                for i, f in enumerate(fields):
                    acc += len(f) + 1
                    if acc > off:
                        col = header[i] if i < len(header) else f"field {i + 1}"
                        break
                return line_no - 1, col
            cut = text.rfind("\n") + 1
            line_no += text.count("\n", 0, cut)
            carry = text[cut:]
    return None


#: codecs whose NUL character is the single byte 0x00 (and 0x00 is nothing else)
_NUL_IS_ZERO_BYTE = ("utf-8", "utf-8-sig", "cp1252", "iso8859-1", "ascii", "latin-1")


def _line_widths_ok(path: Path, sep: str, n_cols: int, name: str, skip_lines: int) -> int:
    """Count delimiters per line with NumPy (files without quote characters only) and raise for
    a row whose field count differs from the header's; returns the number of rows with one extra,
    empty trailing field (a trailing delimiter)."""
    sep_b, n_trailing, n_rows = ord(sep), 0, 0
    line0, carry = 0, b""
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK >> 2), b""):
            buf = carry + chunk
            cut = buf.rfind(b"\n") + 1
            carry, buf = buf[cut:], buf[:cut]
            if buf:
                line0, nt, nr = _check_widths(buf, sep_b, n_cols, name, line0, skip_lines)
                n_trailing += nt
                n_rows += nr
        if carry:
            line0, nt, nr = _check_widths(carry + b"\n", sep_b, n_cols, name, line0, skip_lines)
            n_trailing += nt
            n_rows += nr
    return n_trailing, n_rows, line0


def _check_widths(buf: bytes, sep_b: int, n_cols: int, name: str, line0: int, skip: int):
    a = np.frombuffer(buf, dtype=np.uint8)
    ends = np.flatnonzero(a == 10)
    starts = np.concatenate([[0], ends[:-1] + 1])
    seps = np.flatnonzero(a == sep_b)
    n_sep = np.searchsorted(seps, ends) - np.searchsorted(seps, starts)
    blank = np.zeros(len(ends), dtype=bool)
    for i in np.flatnonzero(n_sep == 0):  # pandas skips blank lines
        blank[i] = not buf[starts[i]:ends[i]].strip()
    line_idx = line0 + np.arange(len(ends))
    data = line_idx >= skip
    trailing = data & ~blank & (n_sep == n_cols)
    if trailing.any():  # one extra field: fine only when it is empty (a trailing delimiter)
        ok_t = np.array([buf[e - 1 - (buf[e - 1:e] == b"\r")] == sep_b if e > 0 else False
                         for e in ends[trailing]], dtype=bool)
        if not ok_t.all():
            ln = int(line_idx[np.flatnonzero(trailing)[~ok_t][0]])
            raise ReadError(f"{name} is not a regular table (delimiter {chr(sep_b)!r}): row {ln - skip} "
                            f"(line {ln + 1}) has {n_cols + 1} fields but the header names {n_cols} columns; "
                            "check the delimiter or add the missing column name.")
    bad = data & ~blank & (n_sep != n_cols - 1) & ~trailing
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        ln = int(line_idx[i])
        raise ReadError(f"{name} is not a regular table (delimiter {chr(sep_b)!r}): row {ln - skip} (line {ln + 1}) "
                        f"has {int(n_sep[i]) + 1} fields but the header names {n_cols} columns.")
    return line0 + len(ends), int(trailing.sum()), int((data & ~blank).sum())


def _text_encoding(path: Path, head: bytes, encoding) -> tuple[str, str]:
    """(codec, how it was found) of a text file: declared, byte-order mark, ASCII or detected."""
    name = path.name
    bom16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    declared16 = encoding is not None and ("16" in str(encoding) or "32" in str(encoding))
    if not bom16 and not declared16 and head[:4096].count(b"\x00") >= 4:
        raise ReadError(f"{name} is not a text table (it contains binary data); "
                        "use .csv, .tsv, .xlsx or .parquet.")
    if encoding is not None:
        enc = str(encoding)
        try:
            codecs.lookup(enc)
        except LookupError:
            raise ReadError(f"{name}: unknown encoding {enc!r} in read: {{encoding: ...}}.") from None
        if not _decodes(path, enc):
            raise ReadError(f"{name} cannot be decoded as {enc} (the declared encoding).")
        return enc, "declared"
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", "byte-order mark"
    if bom16:
        return "utf-16", "byte-order mark"
    if _decodes(path, "ascii"):
        return "utf-8", "ascii"
    if _decodes(path, "utf-8"):
        return "utf-8", "detected"
    cjk = _cjk_guess(head)
    if cjk is not None:
        raise ReadError(f"{name} is not UTF-8 and looks like {cjk} text, which would be misread; "
                        f"declare the encoding in the mapping, e.g. read: {{encoding: {cjk}}}.")
    return ("cp1252" if _decodes(path, "cp1252") else "latin-1"), "detected"


def _header_record(name: str, text_head: str, sep: str, lf: bool) -> tuple[list[str], int]:
    """The header names (stripped; trailing empty names dropped; blanks named "Unnamed: i") and
    the number of lines the header record spans (csv-aware: a quoted name may span lines)."""
    reader = csv.reader(io.StringIO(text_head, newline="\n" if lf else ""), delimiter=sep)
    try:
        header_raw = next(reader)
    except StopIteration:
        raise ReadError(f"{name} is empty.") from None
    except csv.Error:
        raise ReadError(f"{name}: the header row cannot be parsed (a line break or quote inside a column "
                        "name?).") from None
    header = [h.strip() for h in header_raw]
    while header and header[-1] == "" and len(header) > 1:  # trailing delimiter on the header line
        header.pop()
    header = [h if h else f"Unnamed: {i}" for i, h in enumerate(header)]
    _check_header(name, header)
    return header, reader.line_num


def _parse_csv(path: Path, sep: str, enc: str, header: list[str], header_lines: int, lf: bool,
               names: list[str], wanted) -> pd.DataFrame:
    """pandas' C parser, every cell as text; its errors become one :class:`ReadError`."""
    name = path.name
    # with "\n" line ends, a lone "\r" inside a cell is text, not a row break (pandas' default
    # would split that row in two and pad both halves, shifting cells silently)
    try:
        return pd.read_csv(path, sep=sep, encoding=enc, header=None, skiprows=header_lines,
                           lineterminator="\n" if lf else None,
                           names=names, usecols=wanted, dtype=str, keep_default_na=False,
                           na_filter=False, skipinitialspace=False, engine="c", encoding_errors="strict")
    except pd.errors.EmptyDataError:  # a header and nothing else
        return pd.DataFrame({c: pd.Series(dtype=object) for c in header + [_EXTRA]})
    except pd.errors.ParserError as exc:
        msg = str(exc).strip().splitlines()[-1]
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", msg)
        if m:
            msg = f"Expected {len(header)} fields in line {m.group(2)}, saw {m.group(3)}"
        raise ReadError(f"{name} is not a regular table (delimiter {sep!r}): {msg}.") from None
    except (ValueError, csv.Error, UnicodeDecodeError) as exc:
        raise ReadError(f"{name} cannot be parsed as a table ({type(exc).__name__}).") from None


def _drop_extra(frame: pd.DataFrame, name: str, sep: str, n_header: int) -> pd.Series | None:
    """Remove the column that caught a trailing delimiter; refuse a row with a value there."""
    if _EXTRA not in frame.columns:
        return None
    extra = frame.pop(_EXTRA)
    filled = extra.astype(str).str.strip() != ""
    if filled.any():
        r = int(np.flatnonzero(filled.to_numpy())[0])
        raise ReadError(f"{name} is not a regular table (delimiter {sep!r}): row {r} has more fields than the "
                        f"header names ({n_header} columns); check the delimiter or add the missing column name.")
    return extra


def _row_reader(path: Path, sep: str, enc: str, names: list[str], header_lines: int):
    """``read_rows(rows)``: the given data rows with every column (one line per row only)."""
    def read_rows(rows):
        keep = {int(r) + header_lines for r in rows}
        f = pd.read_csv(path, sep=sep, encoding=enc, header=None, names=names, dtype=str,
                        keep_default_na=False, na_filter=False, engine="c",
                        skiprows=lambda i: i not in keep)
        f.index = sorted(int(r) for r in rows)
        return f.drop(columns=[_EXTRA], errors="ignore")
    return read_rows


def _row_widths(path: Path, head: bytes, enc: str, sep: str, header: list[str], header_lines: int, lf: bool):
    """(fast, (rows with a trailing delimiter, data rows, lines)): for files without quotes in an
    ASCII-compatible encoding ("fast"), every row's field count is checked before parsing."""
    ascii_compatible = enc in ("utf-8", "utf-8-sig", "cp1252", "latin-1") or codecs.lookup(enc).name in (
        "utf-8", "cp1252", "iso8859-1", "ascii")
    fast = lf and ascii_compatible and len(sep) == 1 and b'"' not in head and not _has_quote(path)
    if not fast:
        return False, (0, None, None)
    return True, _line_widths_ok(path, sep, len(header), path.name, header_lines)


def _strip_cr(frame: pd.DataFrame, columns) -> None:
    for col in columns:
        if col in frame.columns:
            frame[col] = frame[col].str.removesuffix("\r")


def _read_text(path: Path, *, encoding=None, delimiter=None, usecols=None, **_):
    name = path.name
    head = _sample(path)
    if not head.strip():
        raise ReadError(f"{name} is empty.")
    enc, source = _text_encoding(path, head, encoding)
    text_head = codecs.getincrementaldecoder(enc)(errors="replace").decode(head).lstrip("\ufeff")
    sep = delimiter or detect_delimiter(text_head[:20000], path.suffix.lower())
    # "\n" line ends: a lone "\r" is cell text; no "\n" at all: classic Mac "\r" line ends
    lf = b"\n" in head or len(head) < path.stat().st_size and _has_byte(path, b"\n")
    crlf = b"\r\n" in head or b"\r\x00\n" in head or b"\x00\r\x00\n" in head
    header, header_lines = _header_record(name, text_head, sep, lf)
    loc = _nul_location(path, enc, sep, header)
    if loc is not None:
        raise ReadError(f"{name}: row {loc[0]}, column {loc[1]!r} contains a NUL byte (binary data in a text "
                        "file); remove it and read the file again.")
    fast, (n_trailing, n_rows, n_lines) = _row_widths(path, head, enc, sep, header, header_lines, lf)
    wanted, names = None, header + [_EXTRA]
    if fast and n_trailing == 0:
        names = header  # widths checked: every row has exactly len(header) fields
    if usecols is not None and fast and n_trailing in (0, n_rows):  # pandas' usecols needs uniform rows
        keep = set(usecols(list(header)))
        wanted = [h for h in header if h in keep] + ([_EXTRA] if n_trailing else [])
    frame = _parse_csv(path, sep, enc, header, header_lines, lf, names, wanted)
    if lf and crlf:  # the "\r" of "\r\n" ends the last field of each line
        _strip_cr(frame, (header[-1], _EXTRA))
    extra = _drop_extra(frame, name, sep, len(header))
    if not fast:
        n_trailing = int((extra == "").sum()) if extra is not None and _EXTRA in names else 0
    if usecols is not None and wanted is None:
        keep = set(usecols(list(header)))
        frame = frame[[h for h in header if h in keep]]
    facts = {"encoding": enc, "encoding_source": source, "delimiter": sep, "format": "text",
             "header": list(header)}
    if wanted is not None and n_lines is not None and n_lines - header_lines == n_rows:
        # one line per row (no quotes, no blank lines): some rows can be re-read with every column
        facts["read_rows"] = _row_reader(path, sep, enc, names, header_lines)
    if n_trailing:
        facts["trailing_delimiter_rows"] = n_trailing
    return frame, facts


def _has_byte(path: Path, byte: bytes) -> bool:
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            if byte in chunk:
                return True
    return False


def _has_quote(path: Path) -> bool:
    return _has_byte(path, b'"')


def _excel_formula_cells(path: Path, sheet) -> list[str]:
    """A1 names of formula cells that have no cached value (saved by a program that does not
    compute formulas): pandas would read them as empty cells."""
    try:
        import openpyxl
    except ImportError:  # pragma: no cover
        return []
    wb_f = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        ws = wb_f.worksheets[sheet] if isinstance(sheet, int) else wb_f[sheet]
        formulas = [(c.row, c.column, c.coordinate) for row in ws.iter_rows() for c in row
                    if getattr(c, "data_type", None) == "f"]
    finally:
        wb_f.close()
    if not formulas:
        return []
    wb_v = openpyxl.load_workbook(path, read_only=False, data_only=True)
    try:
        ws = wb_v.worksheets[sheet] if isinstance(sheet, int) else wb_v[sheet]
        return [coord for r, c, coord in formulas if ws.cell(row=r, column=c).value is None]
    finally:
        wb_v.close()


def _read_excel(path: Path, *, sheet=None, usecols=None, **_):
    name = path.name
    if path.suffix.lower() == ".xls":
        try:
            import xlrd  # noqa: F401
        except ImportError:
            raise ReadError(f"{name} is a legacy .xls file; install xlrd or save it as .xlsx.") from None
    engine = "xlrd" if path.suffix.lower() == ".xls" else "openpyxl"
    sheet = 0 if sheet is None else sheet
    try:
        frame = pd.read_excel(path, sheet_name=sheet, dtype=object, engine=engine, header=None)
    except Exception as exc:  # zipfile.BadZipFile, openpyxl/xlrd errors, ValueError for a missing sheet
        detail = type(exc).__name__
        if isinstance(exc, (ValueError, KeyError)) and "sheet" in str(exc).lower():
            detail = f"no sheet {sheet!r}"
        raise ReadError(f"{name} is not a readable Excel workbook ({detail}).") from None
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise ReadError(f"{name} is empty.")
    raw_header = frame.iloc[0].tolist()
    header = [f"Unnamed: {i}" if (v is None or (isinstance(v, float) and np.isnan(v))) else str(v).strip()
              for i, v in enumerate(raw_header)]
    _check_header(name, header, raw_header)
    frame = frame.iloc[1:].reset_index(drop=True)
    frame.columns = header
    if engine == "openpyxl":
        try:
            missing = _excel_formula_cells(path, sheet)
        except Exception:  # pragma: no cover - the workbook was readable a moment ago
            missing = []
        if missing:
            more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
            raise ReadError(f"{name}: formula cell(s) {', '.join(missing[:10])}{more} have no saved value (the file "
                            "was written by a program that does not calculate formulas); open and save it in a "
                            "spreadsheet program, or replace the formulas by values.")
    if usecols is not None:
        keep = set(usecols(list(header)))
        frame = frame[[h for h in header if h in keep]]
    return frame, {"format": "excel", "sheet": sheet, "header": header}


def _read_parquet(path: Path, usecols=None, **_):
    import json

    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
        header = [str(n) for n in schema.names]
        cols = None
        if usecols is not None:
            keep = set(usecols(list(header)))
            cols = [h for h in header if h in keep]
        table = pq.read_table(path, columns=cols)
        # ignore_metadata: a stored pandas index (e.g. the patient id) stays an ordinary column
        # instead of becoming the frame's index and being dropped
        frame = table.to_pandas(ignore_metadata=True)
    except Exception as exc:  # pyarrow raises ArrowInvalid / OSError for non-parquet files
        raise ReadError(f"{path.name} is not a readable Parquet file ({type(exc).__name__}).") from None
    if frame.columns.duplicated().any() or len(set(header)) < len(header):
        _check_header(path.name, header)
    facts = {"format": "parquet", "header": header}
    meta = (schema.metadata or {}).get(b"prognosis")  # written by Cohort.to_parquet
    if meta:
        try:
            facts["time_origin"] = json.loads(meta).get("time_origin")
        except (ValueError, AttributeError):
            pass
    return frame, facts


def _read_file(source, *, encoding, delimiter, sheet, usecols) -> tuple[pd.DataFrame, dict]:
    if not isinstance(source, (str, Path)):
        raise ReadError(f"source must be a file path or a DataFrame, got {type(source).__name__}.")
    path = Path(source)
    if not path.exists():
        raise ReadError(f"{path} does not exist.")
    if path.is_dir():
        raise ReadError(f"{path} is a folder, not a table file.")
    if path.stat().st_size == 0:
        raise ReadError(f"{path.name} is empty.")
    reader = reader_for(path)
    frame, facts = reader.read(path, encoding=encoding, delimiter=delimiter, sheet=sheet, usecols=usecols)
    facts["source"] = path.name
    facts["sha256"] = sha256_of(path)
    return frame, facts


def read_table(source, *, encoding: str | None = None, delimiter: str | None = None,
               sheet=None, decimal: str = ".", usecols=None) -> tuple[pd.DataFrame, dict]:
    """Read ``source`` into a raw DataFrame.

    Parameters
    ----------
    source : str, Path or DataFrame
        A .csv/.tsv/.txt (any delimiter, detected), .xlsx/.xls, .parquet file, or a DataFrame
        (copied).
    encoding, delimiter : str, optional
        Override detection for text files.
    sheet : int or str, optional
        Excel sheet (default the first).
    usecols : callable, optional
        ``usecols(header_names) -> names to read``; the other columns are not loaded (files
        only). ``facts["header"]`` still lists every column.

    Returns
    -------
    frame, facts : DataFrame, dict
        ``facts`` has ``source`` (file name or ``"<DataFrame>"``), ``sha256``, ``format``,
        ``header`` and for text files ``encoding``, ``encoding_source`` and ``delimiter``.

    Raises
    ------
    ReadError
        Missing, empty, binary or malformed file; no header row; duplicated column names; NUL
        bytes; a table with a header but no rows.
    """
    if isinstance(source, pd.DataFrame):
        frame = source.copy()
        frame.columns = [str(c).strip() for c in frame.columns]
        facts = {"source": "<DataFrame>", "format": "dataframe", "sha256": sha256_of(source),
                 "header": list(frame.columns)}
    else:
        frame, facts = _read_file(source, encoding=encoding, delimiter=delimiter, sheet=sheet, usecols=usecols)
    if len(facts.get("header", frame.columns)) == 0:
        raise ReadError(f"{facts['source']} has no columns.")
    if len(frame) == 0:
        raise ReadError(f"{facts['source']} has a header but no data rows.")
    dup = frame.columns[frame.columns.duplicated()].tolist()
    if dup:
        raise ReadError(f"{facts['source']} has duplicated column name(s) {dup[:10]}; every column needs its "
                        "own name (rename them in the file).")
    frame = frame.reset_index(drop=True)
    if usecols is not None and not isinstance(source, pd.DataFrame):
        # every column, for the rare check that needs them (exact duplicate rows)
        facts["reread_all_columns"] = lambda: read_table(source, encoding=encoding, delimiter=delimiter,
                                                         sheet=sheet, decimal=decimal)[0]
    return frame, facts


# -- the reader registry ------------------------------------------------------------------------
@dataclass(frozen=True)
class Reader:
    """A table file format.

    Attributes
    ----------
    name : str
        Recorded as ``facts["format"]`` by the reader itself (``"text"``, ``"excel"``, ...).
    suffixes : tuple of str
        Lower-case file suffixes read by this reader.
    read : callable
        ``read(path, *, encoding, delimiter, sheet, usecols) -> (frame, facts)``; raises
        :class:`~prognosis.errors.ReadError` for anything it cannot read (never a raw exception).
    label : str
        One line for help texts.
    """

    name: str
    suffixes: tuple[str, ...]
    read: Callable
    label: str


_READERS: dict[str, Reader] = {}
#: Files whose suffix no reader claims are read as delimited text (detection decides).
_FALLBACK = "text"


def register_reader(reader: Reader, replace: bool = False) -> Reader:
    """Add a file format (``replace=True`` to overwrite an existing name or suffix)."""
    taken = {s: r.name for r in _READERS.values() for s in r.suffixes if r.name != reader.name}
    clash = sorted(s for s in reader.suffixes if s in taken)
    if (reader.name in _READERS or clash) and not replace:
        raise InputError(f"reader {reader.name!r}: already registered or suffixes taken {clash}")
    for s in clash:
        old = _READERS[taken[s]]
        _READERS[old.name] = Reader(old.name, tuple(x for x in old.suffixes if x != s), old.read, old.label)
    _READERS[reader.name] = reader
    return reader


def unregister_reader(name: str) -> Reader:
    """Remove a file format (e.g. one registered by a test or a plug-in); returns it."""
    if name == _FALLBACK:
        raise InputError("the delimited-text reader is the fallback for unknown suffixes and stays registered")
    if name not in _READERS:
        raise InputError(f"unknown reader {name!r}{did_you_mean(name, tuple(_READERS))}; "
                         f"available: {', '.join(_READERS)}")
    return _READERS.pop(name)


def reader_for(path) -> Reader:
    """The reader of ``path`` by its suffix; unknown suffixes are read as delimited text."""
    suffix = Path(path).suffix.lower()
    for reader in _READERS.values():
        if suffix in reader.suffixes:
            return reader
    return _READERS[_FALLBACK]


def table_suffixes() -> tuple[str, ...]:
    """Every registered suffix (without the empty one), e.g. for recognising a table path."""
    return tuple(s for r in _READERS.values() for s in r.suffixes if s)


register_reader(Reader("text", TEXT_SUFFIXES, _read_text, "delimited text (.csv, .tsv, .txt; delimiter detected)"))
register_reader(Reader("excel", EXCEL_SUFFIXES, _read_excel, "Excel workbook (.xlsx, .xlsm, .xls)"))
register_reader(Reader("parquet", PARQUET_SUFFIXES, _read_parquet, "Apache Parquet (.parquet, .pq)"))
