"""Harmonize an institutional table into the canonical cohort: :func:`read_cohort`.

Pipeline (all column-wise NumPy/pandas; look-ups, parses and messages run once per *distinct*
value and are broadcast to the rows)::

    read_table (readers)  →  plan_columns (_columns)  →  per column: mapping values → built-in
    synonyms → parse → units → range/vocabulary (_values)  →  dates → time_months / event / age
    (_dates)  →  derivations (ECOG↔KPS, ASIA→Frankel, histology), entry < end, duplicate ids
    (_rules)  →  audit (audit.AuditLog) + canonical frame → validate_frame

Policy (documented in ``cohort-schema.md`` terms):

* an invalid or missing **required** value (patient_id, time_months, event, cohort) rejects
  the row; the audit records the cell and the reason;
* an invalid **optional** value (unknown site, KPS 150, "abc" as age) becomes NA with an audit
  record ``na`` (raw value and reason) — never clipped, never guessed;
* every conversion (synonym, unit, date difference, ECOG↔KPS, ASIA→Frankel) is a ``changed`` or
  ``derived`` record with raw and new value;
* rows identical in every column of the input keep their first copy; the other copies are
  rejected as "exact duplicate of row k". The same patient_id with any differing value rejects
  every copy (which one is right cannot be known);
* cells no handler can read faithfully (lists, NUL characters) stop the run with a
  :class:`~prognosis.errors.ReadError` naming row and column, never the value.

Only the mapped, date and ``keep`` columns are loaded from files (``read_table(usecols=...)``),
so a 200-column export costs the memory of the handful of columns used.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..clinical import kps_to_ecog
from ._columns import ColumnPlan, check_cells, plan_columns
from ._dates import DateDerivation
from ._rules import (
    ECOG_TO_KPS,
    check_entry,
    derive_frankel,
    derive_performance,
    fill_histology,
    reject_duplicates,
)
from ._text import Coded, coded_text
from ._values import ValueConverter
from .audit import AuditLog
from .cohort import Cohort, DeferredAudit
from .mapping import Mapping, load_mapping
from .readers import read_table
from .schema import COLUMNS, PANDAS_DTYPES, SCHEMA_VERSION
from .validate import validate_frame

__all__ = ["read_cohort", "harmonize", "ECOG_TO_KPS", "kps_to_ecog"]


class _Harmonizer:
    """One harmonization run: converts the planned columns, applies the row rules and assembles
    the :class:`Cohort` (frame of kept rows, audit, metadata)."""

    def __init__(self, raw: pd.DataFrame, mapping: Mapping, facts: dict, cohort: str | None):
        self.raw = raw
        self.m = mapping
        self.facts = facts
        self.n = len(raw)
        self.src = facts.get("source", "<input>")
        self.cohort_arg = cohort
        self.audit = AuditLog(self.n)
        self.out: dict[str, pd.Series] = {}
        self._texts: dict[str, Coded] = {}
        self.plan: ColumnPlan = plan_columns(mapping, list(facts.get("header") or raw.columns), self.src)
        self.values = ValueConverter(raw, mapping, self.audit, self.text_of,
                                     decimal=str(mapping.read.get("decimal", ".")))
        self.conversions = self.values.conversions

    def text_of(self, src: str) -> Coded:
        """Cleaned text of source column ``src``, factorized once per run."""
        if src not in self._texts:
            self._texts[src] = coded_text(self.raw[src])
        return self._texts[src]

    # ---- steps ---------------------------------------------------------------------------------
    def _convert_columns(self) -> pd.Series | None:
        """Every canonical column with a source, by kind; returns the event column (or None)."""
        converters = {"float": self.values.numeric, "int": self.values.numeric, "category": self.values.categorical,
                      "bool": self.values.boolean}
        event = None
        for col in COLUMNS:
            src = self.plan.sources.get(col.name)
            if src is None or col.name == "cohort":
                continue
            if col.name == "event":
                event = self.out["event"] = self.values.event(src)
            else:
                self.out[col.name] = converters.get(col.kind, self.values.string)(col.name, src)
        return event

    def _dates(self, event: pd.Series | None) -> None:
        dates = DateDerivation(self.raw, self.m, self.plan.date_sources, self.audit, self.text_of, self.conversions)
        derived, origin = dates.outcome(event)
        self.out.update(derived)
        if "birth" in self.m.dates and "age_years" not in self.plan.sources:
            self.out["age_years"] = dates.age(origin)

    def _cohort_label(self) -> str | None:
        """The cohort column: the argument, the mapping's label, a mapped column or the file name."""
        if self.cohort_arg is not None or self.m.cohort is not None:
            label = str(self.cohort_arg if self.cohort_arg is not None else self.m.cohort)
        elif "cohort" in self.plan.sources:
            self.out["cohort"] = self.values.string("cohort", self.plan.sources["cohort"])
            return None
        else:
            label = Path(self.src).stem if self.src != "<DataFrame>" else "cohort"
        self.out["cohort"] = pd.Series(np.full(self.n, label, dtype=object), dtype=object)
        return label

    def _rules(self, label: str | None) -> None:
        derive_performance(self.out, self.m.derive, self.n, self.audit, self.conversions)
        if "asia" in self.plan.sources:
            derive_frankel(self.out, self.text_of(self.plan.sources["asia"]), self.n, self.audit, self.conversions)
        check_entry(self.out, self.audit)
        reject_duplicates(self.out, self.raw, self.facts, self.audit, one_cohort=label is not None)

    def run(self) -> Cohort:
        if self.facts.get("format") != "text":  # the text reader yields only strings, already NUL-checked
            check_cells(self.raw, self.plan.used_columns(), self.src)
        event = self._convert_columns()
        site = self.plan.sources.get("primary_site")
        fill_histology(self.out, self.values.histology, self.text_of(site) if site else None, self.audit)
        if "origin" in self.m.dates:
            self._dates(event)
        label = self._cohort_label()
        self._rules(label)
        for src in self.m.keep:
            self.out[src] = self.raw[src].reset_index(drop=True)
        # every record is in the log; the table is assembled when cohort.audit is first read.
        # The Cohort conforms the frame to the schema's dtypes (conform_dtypes, idempotent).
        cohort = Cohort(frame=_kept_frame(self.out, np.flatnonzero(~self.audit.rejected)),
                        audit=DeferredAudit(self.audit.finish), metadata=self._metadata(label))
        validate_frame(cohort.frame, source=self.src)  # invariant: a harmonized frame is always valid
        return cohort

    def _metadata(self, label: str | None) -> dict:
        m = self.m
        meta = {
            "source": self.src,
            "sha256": self.facts.get("sha256"),
            "format": self.facts.get("format"),
            "time_origin": m.time_origin or (f"date column {m.dates['origin']!r}" if "origin" in m.dates else
                                             self.facts.get("time_origin") or "not stated"),
            "schema_version": SCHEMA_VERSION,
            "cohort": label,
            "n_input_rows": self.n,
            "n_rejected": int(self.audit.rejected.sum()),
            "columns_used": dict(self.plan.sources),
            "columns_matched_ignoring_case": dict(self.plan.renamed),
            "ignored_columns": list(self.plan.ignored),
            "conversions": self.conversions,
            "mapping": m.origin_name if m.columns or m.dates else None,
        }
        for k in ("encoding", "encoding_source", "delimiter", "sheet", "trailing_delimiter_rows"):
            if k in self.facts:
                meta[k] = self.facts[k]
        return meta


def _all_na(dtype: str, n: int, categories) -> object:
    """An all-NA array of a canonical extension dtype (cheaper than converting NA objects)."""
    if dtype == "category":
        return pd.Categorical.from_codes(np.full(n, -1, dtype=np.int8), categories=list(categories))
    if dtype == "Float64":
        return pd.arrays.FloatingArray(np.zeros(n), np.ones(n, dtype=bool))
    if dtype == "Int64":
        return pd.arrays.IntegerArray(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool))
    if dtype == "boolean":
        return pd.arrays.BooleanArray(np.zeros(n, dtype=bool), np.ones(n, dtype=bool))
    return pd.array(np.full(n, None, dtype=object), dtype=dtype)


def _typed(name: str, values):
    """float64 values of a nullable numeric canonical column as its schema dtype (what
    ``astype("Float64"/"Int64")`` gives, without its element-wise checks; whole numbers were
    checked by the converter, and anything else is left to conform_dtypes)."""
    dtype = PANDAS_DTYPES.get(name)
    if dtype not in ("Float64", "Int64") or not isinstance(values, pd.arrays.NumpyExtensionArray):
        return values
    v = values.to_numpy()
    if v.dtype != np.float64:
        return values
    na = np.isnan(v)
    if dtype == "Float64":
        return pd.arrays.FloatingArray(np.where(na, 0.0, v), na)
    whole = np.where(na, 0.0, v)
    if np.any(np.abs(whole) > 2.0 ** 53) or np.any(whole != np.floor(whole)):
        return values
    return pd.arrays.IntegerArray(whole.astype(np.int64), na)


def _kept_frame(out: dict[str, pd.Series], kept: np.ndarray) -> pd.DataFrame:
    """The kept rows of the converted columns; canonical columns without a source are added as
    typed NA columns (so conforming them to the schema is a copy, not a conversion)."""
    frame = pd.DataFrame({k: _typed(k, v.array.take(kept)) for k, v in out.items()}, copy=False)
    for col in COLUMNS:
        dtype = PANDAS_DTYPES[col.name]
        if col.name not in frame.columns and dtype not in ("float64", "int64"):
            frame[col.name] = _all_na(dtype, len(frame), col.categories)
    return frame


def harmonize(raw: pd.DataFrame, mapping=None, *, cohort: str | None = None, facts: dict | None = None) -> Cohort:
    """Harmonize an already-read raw table (see :func:`read_cohort`)."""
    m = load_mapping(mapping)
    if facts is None:
        raw, facts = read_table(raw)
    return _Harmonizer(raw, m, facts, cohort).run()


def read_cohort(source, mapping=None, *, cohort: str | None = None) -> Cohort:
    """Read and harmonize an institutional table into a canonical :class:`Cohort`.

    Parameters
    ----------
    source : str, Path or DataFrame
        .csv/.tsv/.txt (delimiter and encoding detected; latin-1 and UTF-8 BOM handled),
        .xlsx/.xls, .parquet, or a DataFrame. A table whose columns already carry canonical
        names needs no mapping.
    mapping : str, Path or dict, optional
        Mapping file (YAML) or dict: ``columns`` (renames), ``values`` (value maps), ``units``,
        ``dates`` (origin/death/last_contact/birth and ``format`` dayfirst/monthfirst/iso),
        ``time_origin``, ``derive`` (ECOG↔KPS), ``keep``, ``read``. See
        ``data/examples/mapping_example.yaml``.
    cohort : str, optional
        Cohort label; overrides the mapping's ``cohort`` and any cohort column.

    Returns
    -------
    Cohort
        ``.frame`` (kept rows, canonical dtypes), ``.audit`` (every input row accounted for:
        one ``column == "*"`` status record per row plus cell records) and ``.metadata``
        (source, sha256, time_origin, schema_version, conversions, ...).

    Raises
    ------
    ReadError
        The file is missing, empty, binary or not a regular table.
    MappingError
        The mapping is malformed or names a column the table does not have.

    Examples
    --------
    A table with institutional headers and values, harmonized with a mapping given as a dict
    (a YAML file with the same keys works the same way; see
    ``data/examples/klinikum_nord.yaml`` for a real one):

    >>> import pandas as pd
    >>> from prognosis import read_cohort
    >>> raw = pd.DataFrame({"id": ["a1", "a2", "a3"], "OS_m": [14.2, 3.1, 30.0],
    ...                     "dead": ["yes", "yes", "no"], "Primary": ["lung", "breast", "kidney"],
    ...                     "KPS": [80, 50, 90]})
    >>> mapping = {"columns": {"patient_id": "id", "time_months": "OS_m", "event": "dead",
    ...                        "primary_site": "Primary", "kps": "KPS"},
    ...            "values": {"event": {"yes": 1, "no": 0}}}
    >>> cohort = read_cohort(raw, mapping, cohort="example")
    >>> cohort.frame[["time_months", "event", "primary_site", "kps"]]
       time_months  event primary_site  kps
    0         14.2      1         lung   80
    1          3.1      1       breast   50
    2         30.0      0       kidney   90

    Every input row is accounted for in the audit (row positions, never identifiers):

    >>> cohort.audit.query("column == 'event'")[["row", "action", "raw", "value", "reason"]]
       row   action  raw value                reason
    1    0  changed  yes     1  value map in mapping
    3    1  changed  yes     1  value map in mapping
    5    2  changed   no     0  value map in mapping
    """
    m = load_mapping(mapping)
    raw, facts = read_table(source, encoding=m.read.get("encoding"), delimiter=m.read.get("delimiter"),
                            sheet=m.read.get("sheet"), usecols=lambda header: _columns_needed(m, header, source))
    return _Harmonizer(raw, m, facts, cohort).run()


def _columns_needed(m: Mapping, header: list[str], source) -> list[str]:
    """The source columns the harmonizer will read, resolved from the header alone, so that the
    reader loads only those (a 200-column export needs a handful)."""
    name = Path(source).name if isinstance(source, (str, Path)) else "<DataFrame>"
    return plan_columns(m, list(header), name).used_columns()
