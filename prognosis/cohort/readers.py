"""Readers: any supported file (or DataFrame) → a raw :class:`pandas.DataFrame` plus read facts.

Text tables (.csv, .tsv, .txt and unknown extensions) are read with every cell as a string
(``keep_default_na=False``) so that raw values reach the harmonizer and the audit unchanged.
The encoding is detected as: byte-order mark (UTF-8/UTF-16) → strict UTF-8 → Windows-1252 →
Latin-1 (which decodes any byte); the delimiter with :class:`csv.Sniffer` among ``, ; \\t |``.
Both can be overridden (``encoding=``, ``delimiter=``) and are recorded in the read facts.

Every failure is a :class:`~prognosis.errors.ReadError` with one sentence naming the file;
pandas exceptions never escape.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from ..errors import ReadError

__all__ = ["read_table", "sha256_of", "detect_encoding", "detect_delimiter", "TEXT_SUFFIXES"]

TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".tab", ".dat", "")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
PARQUET_SUFFIXES = (".parquet", ".pq")


def sha256_of(source) -> str:
    """SHA-256 of a file's bytes, or of a DataFrame's content (pandas row hashes)."""
    from .._provenance import file_digest, frame_digest

    if isinstance(source, pd.DataFrame):
        return frame_digest(source)
    return file_digest(source)


def detect_encoding(data: bytes) -> str:
    """Return the codec for ``data``: BOM, else UTF-8 if valid, else cp1252, else latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    for enc in ("utf-8", "cp1252"):
        try:
            data.decode(enc)
            return enc
        except UnicodeDecodeError:
            continue
    return "latin-1"


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


def _read_text(path: Path, *, encoding=None, delimiter=None, decimal=".", sheet=None):
    data = path.read_bytes()
    if not data.strip():
        raise ReadError(f"{path.name} is empty.")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError(f"{path.name} is not a text table (it contains binary data); "
                        "use .csv, .tsv, .xlsx or .parquet.")
    enc = encoding or detect_encoding(data)
    try:
        text = data.decode(enc)
    except (UnicodeDecodeError, LookupError) as exc:
        raise ReadError(f"{path.name} cannot be decoded as {enc}: {exc.reason if hasattr(exc, 'reason') else exc}.") from None
    text = text.lstrip("\ufeff")
    sep = delimiter or detect_delimiter(text[:20000], path.suffix.lower())
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                            na_filter=False, skipinitialspace=False, engine="c")
    except pd.errors.EmptyDataError:
        raise ReadError(f"{path.name} is empty.") from None
    except pd.errors.ParserError as exc:
        msg = str(exc).strip().splitlines()[-1]
        raise ReadError(f"{path.name} is not a regular table (delimiter {sep!r}): {msg}.") from None
    except (ValueError, csv.Error) as exc:  # pragma: no cover - defensive
        raise ReadError(f"{path.name} cannot be parsed as a table: {exc}.") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, {"encoding": enc, "delimiter": sep, "format": "text"}


def _read_excel(path: Path, *, sheet=None, **_):
    if path.suffix.lower() == ".xls":
        try:
            import xlrd  # noqa: F401
        except ImportError:
            raise ReadError(f"{path.name} is a legacy .xls file; install xlrd or save it as .xlsx.") from None
    engine = "xlrd" if path.suffix.lower() == ".xls" else "openpyxl"
    try:
        frame = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=object, engine=engine)
    except Exception as exc:  # zipfile.BadZipFile, openpyxl/xlrd errors, ValueError for a missing sheet
        detail = str(exc).strip().rstrip(".") or type(exc).__name__
        raise ReadError(f"{path.name} is not a readable Excel workbook ({detail}).") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, {"format": "excel", "sheet": 0 if sheet is None else sheet}


def _read_parquet(path: Path, **_):
    import json

    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
        frame = table.to_pandas()
    except Exception as exc:  # pyarrow raises ArrowInvalid / OSError for non-parquet files
        raise ReadError(f"{path.name} is not a readable Parquet file ({type(exc).__name__}).") from None
    facts = {"format": "parquet"}
    meta = (table.schema.metadata or {}).get(b"prognosis")  # written by Cohort.to_parquet
    if meta:
        try:
            facts["time_origin"] = json.loads(meta).get("time_origin")
        except (ValueError, AttributeError):
            pass
    return frame, facts


def read_table(source, *, encoding: str | None = None, delimiter: str | None = None,
               sheet=None, decimal: str = ".") -> tuple[pd.DataFrame, dict]:
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

    Returns
    -------
    frame, facts : DataFrame, dict
        ``facts`` has ``source`` (file name or ``"<DataFrame>"``), ``sha256``, ``format`` and for
        text files ``encoding`` and ``delimiter``.

    Raises
    ------
    ReadError
        Missing, empty, binary or malformed file; a table with a header but no rows.
    """
    if isinstance(source, pd.DataFrame):
        frame = source.copy()
        frame.columns = [str(c).strip() for c in frame.columns]
        facts = {"source": "<DataFrame>", "format": "dataframe", "sha256": sha256_of(source)}
    else:
        if not isinstance(source, (str, Path)):
            raise ReadError(f"source must be a file path or a DataFrame, got {type(source).__name__}.")
        path = Path(source)
        if not path.exists():
            raise ReadError(f"{path} does not exist.")
        if path.is_dir():
            raise ReadError(f"{path} is a folder, not a table file.")
        suffix = path.suffix.lower()
        if suffix in EXCEL_SUFFIXES:
            frame, facts = _read_excel(path, sheet=sheet)
        elif suffix in PARQUET_SUFFIXES:
            frame, facts = _read_parquet(path)
        else:
            if path.stat().st_size == 0:
                raise ReadError(f"{path.name} is empty.")
            frame, facts = _read_text(path, encoding=encoding, delimiter=delimiter, decimal=decimal)
        facts["source"] = path.name
        facts["sha256"] = sha256_of(path)
    if frame.shape[1] == 0:
        raise ReadError(f"{facts['source']} has no columns.")
    if len(frame) == 0:
        raise ReadError(f"{facts['source']} has a header but no data rows.")
    dup = frame.columns[frame.columns.duplicated()].tolist()
    if dup:
        raise ReadError(f"{facts['source']} has duplicated column name(s) {dup}.")
    frame = frame.reset_index(drop=True)
    return frame, facts
