"""The :class:`Cohort`: canonical frame + audit log + metadata."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .schema import SCHEMA_VERSION, conform_dtypes

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
