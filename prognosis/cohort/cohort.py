"""The :class:`Cohort`: canonical frame + audit log + metadata."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .._summary import Summary
from ..errors import InputError, ReadError, SchemaError
from .schema import CANONICAL_COLUMNS, COLUMN_BY_NAME, SCHEMA_VERSION, conform_dtypes

AUDIT_COLUMNS = ("row", "column", "action", "raw", "value", "reason")


def empty_audit() -> pd.DataFrame:
    """An empty audit table with the public columns (row, column, action, raw, value, reason)."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in AUDIT_COLUMNS})


@dataclass
class Cohort:
    """A harmonized cohort.

    Attributes
    ----------
    frame : pandas.DataFrame
        Canonical table, one row per kept patient (see ``cohort-schema.md``).
    audit : pandas.DataFrame
        One record per action: columns ``row`` (0-based input row position), ``column``,
        ``action`` (``kept``, ``changed``, ``rejected``, ``derived``, ``na``), ``raw``, ``value``,
        ``reason``. Every input row has at least one record.
    metadata : dict
        ``source``, ``time_origin``, ``sha256`` of the input, ``schema_version`` and more.

    Examples
    --------
    >>> from prognosis.datasets import load_demo
    >>> cohort = load_demo("development")
    >>> cohort.frame.shape
    (1200, 52)
    >>> list(cohort.audit.columns)
    ['row', 'column', 'action', 'raw', 'value', 'reason']
    >>> cohort.metadata["time_origin"]  # doctest: +ELLIPSIS
    '...'

    Two institutions in one cohort (the ``cohort`` column tells them apart):

    >>> both = Cohort.concat([cohort, load_demo("external")])
    >>> both.frame["cohort"].value_counts(sort=False).tolist()
    [1200, 600]
    """

    frame: pd.DataFrame
    audit: pd.DataFrame = field(default_factory=empty_audit)
    metadata: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.frame = conform_dtypes(self.frame)
        self.metadata.setdefault("schema_version", SCHEMA_VERSION)

    def __len__(self) -> int:
        return len(self.frame)

    def __repr__(self) -> str:
        n_ev = int(self.frame["event"].sum()) if len(self.frame) else 0
        label = self.metadata.get("cohort") or ",".join(map(str, self.frame["cohort"].dropna().unique()[:3]))
        return f"Cohort({label!r}: {len(self.frame)} patients, {n_ev} deaths)"

    # ---- construction ------------------------------------------------------------------------
    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, cohort: str | None = None, metadata: dict | None = None,
                   validate: bool = True) -> Cohort:
        """Wrap an already canonical frame (e.g. simulated) as a Cohort with a ``kept`` audit.

        ``cohort`` fills the ``cohort`` column where it is missing. With ``validate`` (default)
        the frame is checked by :func:`~prognosis.cohort.validate.validate_frame`.
        """
        from .validate import validate_frame

        frame = frame.reset_index(drop=True).copy()
        if cohort is not None:
            if "cohort" not in frame.columns:
                frame["cohort"] = cohort
            else:
                frame["cohort"] = frame["cohort"].astype("object").where(frame["cohort"].notna(), cohort)
        if validate:
            validate_frame(frame, source=cohort)
        n = len(frame)
        audit = pd.DataFrame({"row": np.arange(n, dtype=np.int64), "column": "*", "action": "kept",
                              "raw": None, "value": None, "reason": None})
        meta = {"source": "<DataFrame>", "time_origin": "not stated", "cohort": cohort, "n_input_rows": n}
        meta.update(metadata or {})
        return cls(frame=frame, audit=audit, metadata=meta)

    # ---- reporting ---------------------------------------------------------------------------
    def row_status(self) -> pd.DataFrame:
        """One record per input row: ``row``, ``action`` (kept/changed/rejected), ``reason``."""
        a = self.audit
        st = a[a["column"] == "*"]
        return st[["row", "action", "reason"]].reset_index(drop=True) if "cohort" not in a.columns else \
            st[["cohort", "row", "action", "reason"]].reset_index(drop=True)

    def summary(self) -> CohortSummary:
        """Counts of kept / changed / rejected input rows, rejection reasons, events, follow-up
        and per-column missingness (a :class:`~prognosis._summary.Summary`: ``str()`` is the
        text). Never contains patient identifiers."""
        return CohortSummary.from_cohort(self)

    def lacking_columns(self) -> dict[str, list[str]]:
        """For each cohort label, the canonical optional columns that are entirely NA."""
        out: dict[str, list[str]] = {}
        f = self.frame
        for label, sub in f.groupby(f["cohort"].astype("object"), sort=False):
            out[str(label)] = [c for c in CANONICAL_COLUMNS if not COLUMN_BY_NAME[c].required and sub[c].isna().all()]
        return out

    # ---- multi-institution -------------------------------------------------------------------
    @classmethod
    def concat(cls, cohorts, *, labels: list[str] | None = None) -> Cohort:
        """Stack cohorts from several institutions.

        ``cohort`` labels are kept (or set from ``labels``); the same ``patient_id`` twice within
        one label raises :class:`~prognosis.errors.SchemaError` (rows named by position); the
        audit gains a ``cohort`` column; ``metadata["lacking_columns"]`` lists, per cohort,
        the canonical optional columns it does not provide (all NA), and
        ``metadata["cohorts"]`` keeps each part's metadata.

        Parameters
        ----------
        cohorts : sequence of Cohort
            Harmonized cohorts.
        labels : list of str, optional
            New ``cohort`` labels, one per cohort.

        Returns
        -------
        Cohort
        """
        cohorts = list(cohorts)
        if not cohorts:
            raise InputError("Cohort.concat needs at least one Cohort.")
        for i, c in enumerate(cohorts):
            if not isinstance(c, Cohort):
                raise InputError(f"Cohort.concat item {i} is a {type(c).__name__}, not a Cohort.")
        if labels is not None and len(labels) != len(cohorts):
            raise InputError(f"Cohort.concat got {len(labels)} labels for {len(cohorts)} cohorts.")
        frames, audits, metas = [], [], []
        for i, c in enumerate(cohorts):
            f = c.frame.copy()
            if labels is not None:
                f["cohort"] = labels[i]
            lab = f["cohort"].astype("object")
            part_label = labels[i] if labels is not None else (
                c.metadata.get("cohort") or (str(lab.iloc[0]) if len(lab) else f"cohort_{i}"))
            frames.append(f)
            a = c.audit.copy()
            if "cohort" not in a.columns:
                a.insert(0, "cohort", part_label)
            audits.append(a)
            metas.append(dict(c.metadata))
        frame = pd.concat(frames, ignore_index=True)
        key = frame[["cohort", "patient_id"]].astype("object")
        dup = key.duplicated(keep=False).to_numpy()
        if dup.any():
            d = frame.loc[dup, ["cohort"]].astype("object").copy()
            d["row"] = np.flatnonzero(dup)
            first = d.groupby("cohort", sort=False)["row"].apply(lambda r: list(r)[:6])
            where = "; ".join(f"cohort {k!r}: combined rows {v}" for k, v in first.items())
            failures = pd.DataFrame({"row": d["row"].to_numpy(), "column": "patient_id", "value": "<patient_id>",
                                     "reason": "duplicate patient_id within cohort"})
            raise SchemaError(f"Cohort.concat: {int(dup.sum())} rows share a patient_id with another row of the "
                              f"same cohort ({where}); relabel the cohorts or remove the duplicates.",
                              failures=failures)
        audit = pd.concat(audits, ignore_index=True)
        out = cls(frame=frame, audit=audit, metadata={})
        lacking = out.lacking_columns()
        out.metadata.update({
            "source": [m.get("source") for m in metas],
            "sha256": [m.get("sha256") for m in metas],
            "time_origin": sorted({str(m.get("time_origin")) for m in metas})[0]
            if len({str(m.get("time_origin")) for m in metas}) == 1 else [m.get("time_origin") for m in metas],
            "cohort": ",".join(map(str, frame["cohort"].astype("object").unique()[:10])),
            "n_input_rows": int(sum(int(m.get("n_input_rows", 0) or 0) for m in metas)),
            "cohorts": metas,
            "lacking_columns": lacking,
        })
        return out

    # ---- persistence ---------------------------------------------------------------------------
    def to_parquet(self, path) -> Path:
        """Write the canonical frame to Parquet with the metadata (JSON) in the file's schema
        metadata; read back with :meth:`from_parquet`. The audit is not stored (write it with
        ``cohort.audit.to_csv``)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = Path(path)
        table = pa.Table.from_pandas(self.frame, preserve_index=False)
        meta = dict(table.schema.metadata or {})
        meta[b"prognosis"] = json.dumps(self.metadata, default=str).encode()
        pq.write_table(table.replace_schema_metadata(meta), path)
        return path

    @classmethod
    def from_parquet(cls, path) -> Cohort:
        """Read a file written by :meth:`to_parquet` (metadata restored; audit all ``kept``)."""
        import pyarrow.parquet as pq

        path = Path(path)
        try:
            table = pq.read_table(path)
        except Exception as exc:  # ArrowInvalid, OSError
            raise ReadError(f"{path.name} is not a readable Parquet file ({type(exc).__name__}).") from None
        raw = (table.schema.metadata or {}).get(b"prognosis")
        meta = json.loads(raw) if raw else {"source": path.name}
        frame = table.to_pandas()
        c = cls.from_frame(frame, metadata=meta)
        return c


class DeferredAudit:
    """An audit table built on first use. :func:`~prognosis.cohort.harmonize.read_cohort` keeps
    its audit records as columns and hands them over in this form (a million-row input has ~11
    million records); reading ``Cohort.audit`` builds the table once and keeps it. The content is
    the same as an eagerly built table's."""

    def __init__(self, build: Callable[[], pd.DataFrame]):
        self._build: Callable[[], pd.DataFrame] | None = build
        self._table: pd.DataFrame | None = None

    def table(self) -> pd.DataFrame:
        if self._table is None:
            self._table = self._build()
            self._build = None  # the records are no longer needed
        return self._table


def _get_audit(self: Cohort) -> pd.DataFrame:
    a = self.__dict__.get("_audit")
    if isinstance(a, DeferredAudit):
        a = self.__dict__["_audit"] = a.table()
    return a


def _set_audit(self: Cohort, value) -> None:
    self.__dict__["_audit"] = value


# ``audit`` stays a dataclass field (in __init__, fields(), replace()) but is read through a
# property, so that a DeferredAudit is built on first access
Cohort.audit = property(_get_audit, _set_audit, doc="The audit table (see the class docstring).")


def _redact_reasons(rej: pd.DataFrame) -> pd.Series:
    """Rejection reasons grouped by rule, not by value: the record's raw value is removed
    wherever it appears (as repr, which may use either quote style, or as plain text), then any
    remaining quoted text of either style, then the row-specific tails."""
    def one(reason, raw):
        r = str(reason)
        if raw is not None and str(raw) != "":
            r = r.replace(repr(str(raw)), "'…'").replace(repr(raw), "'…'")
            if len(str(raw)) >= 3:
                r = r.replace(str(raw), "…")
        return r
    raws = rej["raw"] if "raw" in rej.columns else pd.Series([None] * len(rej), index=rej.index)
    out = pd.Series([one(a, b) for a, b in zip(rej["reason"].tolist(), raws.tolist(), strict=False)],
                    index=rej.index, dtype=object)
    out = out.str.replace(r" \((same id at rows?|got) .*\)$", "", regex=True)
    out = out.str.replace(r"exact duplicate of row \d+", "exact duplicate of another row", regex=True)
    out = out.str.replace(r"'(?:[^'\\]|\\.)*'", "'…'", regex=True)
    out = out.str.replace(r'"(?:[^"\\]|\\.)*"', "'…'", regex=True)
    return out


def _fmt_months(m: float) -> str:
    if np.isnan(m):
        return "not available (no censored patients)"
    if np.isinf(m):
        return "not reached (reverse Kaplan-Meier)"
    return f"{m:.1f} months (reverse Kaplan-Meier)"


@dataclass(repr=False)
class CohortSummary(Summary):
    """Small, printable summary of a :class:`Cohort` (no patient identifiers).

    A :class:`~prognosis._summary.Summary`: ``str()`` is the text; ``.table`` one row of counts
    (:meth:`as_dict`); the fields hold the details (rejection reasons, missingness per column).
    """

    n_input: int
    n_kept: int
    n_changed: int
    n_rejected: int
    n_patients: int
    n_events: int
    median_followup_months: float
    rejection_reasons: pd.Series
    missingness: pd.DataFrame
    cohorts: pd.Series
    metadata: dict

    @classmethod
    def from_cohort(cls, c: Cohort) -> CohortSummary:
        a = c.audit
        st = a[a["column"] == "*"] if len(a) else a
        counts = st["action"].value_counts() if len(st) else pd.Series(dtype=int)
        rej = a[(a["action"] == "rejected") & (a["column"] != "*")]
        # reasons without the row-specific tail, e.g. "duplicate patient_id (same id at row 3)"
        reasons = _redact_reasons(rej)
        f = c.frame
        miss = pd.DataFrame({
            "n_missing": f[list(CANONICAL_COLUMNS)].isna().sum(),
            "pct_missing": (f[list(CANONICAL_COLUMNS)].isna().mean() * 100).round(1) if len(f) else 0.0,
        })
        miss.index.name = "column"
        t = f["time_months"].to_numpy(dtype=float)
        e = f["event"].to_numpy()
        # median follow-up by reverse Kaplan-Meier (censoring as the event; Schemper & Smith,
        # Control Clin Trials 1996;17:343-346), with the package's Kaplan-Meier kernel (R's median rule)
        med = float("nan")
        if len(f) and (e == 0).any():
            from .._kernels import product_limit, survival_quantile

            ut, *_, surv, _ = product_limit(t, 1 - e.astype(float))
            med = survival_quantile(ut, surv)
        return cls(
            n_input=int(len(st)) if len(st) else len(f),
            n_kept=int(counts.get("kept", 0)) if len(st) else len(f), n_changed=int(counts.get("changed", 0)),
            n_rejected=int(counts.get("rejected", 0)), n_patients=len(f), n_events=int(e.sum()) if len(f) else 0,
            median_followup_months=med, rejection_reasons=reasons.value_counts(), missingness=miss,
            cohorts=f["cohort"].astype("object").value_counts(sort=False), metadata=dict(c.metadata),
        )

    def as_dict(self) -> dict:
        return {"n_input": self.n_input, "n_kept": self.n_kept, "n_changed": self.n_changed,
                "n_rejected": self.n_rejected, "n_patients": self.n_patients, "n_events": self.n_events,
                "median_followup_months": self.median_followup_months}

    @property
    def table(self) -> pd.DataFrame:
        """One row: input rows kept / changed / rejected, patients, deaths, median follow-up."""
        return pd.DataFrame([self.as_dict()])

    @property
    def text(self) -> str:
        src = self.metadata.get("source")
        lines = [f"Cohort summary ({src})" if src else "Cohort summary",
                 f"  input rows {self.n_input}: kept unchanged {self.n_kept}, kept with changes {self.n_changed}, "
                 f"rejected {self.n_rejected}",
                 f"  patients {self.n_patients}, deaths {self.n_events}, median follow-up "
                 + _fmt_months(self.median_followup_months),
                 f"  time origin: {self.metadata.get('time_origin', 'not stated')}"]
        if self.metadata.get("encoding_source") == "detected":
            lines.append(f"  encoding: {self.metadata.get('encoding')} (guessed from the bytes, not declared; if "
                         "accented letters look wrong, set read: {encoding: ...} in the mapping)")
        if self.metadata.get("trailing_delimiter_rows"):
            lines.append(f"  {self.metadata['trailing_delimiter_rows']} row(s) end with an extra delimiter "
                         "(an empty last field, ignored)")
        if len(self.cohorts) > 1:
            lines.append("  cohorts: " + ", ".join(f"{k} ({v})" for k, v in self.cohorts.items()))
        if len(self.rejection_reasons):
            lines.append("  rejected because:")
            lines += [f"    {n:>5}  {r}" for r, n in self.rejection_reasons.items()]
        m = self.missingness[self.missingness["n_missing"] > 0]
        m = m[m["n_missing"] < self.n_patients]
        full = self.missingness.index[self.missingness["n_missing"] >= max(self.n_patients, 1)]
        if len(m):
            lines.append("  missing values (column: n, %):")
            lines += [f"    {c}: {int(r.n_missing)} ({r.pct_missing:.1f}%)" for c, r in m.iterrows()]
        if len(full):
            lines.append(f"  not recorded at all: {', '.join(full)}")
        return "\n".join(lines)
