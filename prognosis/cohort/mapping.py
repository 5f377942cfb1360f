"""The mapping file: how one institution's table becomes the canonical cohort.

A mapping is a YAML file or a dict; ``data/examples/mapping_example.yaml`` documents every key.
Summary::

    cohort: Klinikum Nord              # label written to the `cohort` column
    time_origin: date of spinal-metastasis diagnosis   # free text, stored in metadata
    read: {encoding: latin-1, delimiter: ";", sheet: 0, decimal: ","}
    columns: {canonical_name: source column, ...}     # plus the input-only name `asia`
    values: {canonical_name: {raw value: canonical value, ...}, ...}
    units: {canonical_name: unit, ...}   # days/weeks/months/years, g/L, mmol/L, ...
    dates:
      format: dayfirst | monthfirst | iso | "<strftime pattern>"
      origin: source column          # time zero
      death: source column
      last_contact: source column
      birth: source column           # optional, gives age_years at the origin
    derive: {kps_from_ecog: lower | upper | false, ecog_from_kps: true | false}
    keep: [source columns copied verbatim as extra columns]

:func:`load_mapping` checks the structure (unknown keys, unknown canonical names, unknown units)
and raises :class:`~prognosis.errors.MappingError` with a suggestion for typos.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import MappingError, did_you_mean
from .schema import COLUMN_BY_NAME, DAYS_PER_MONTH

__all__ = ["Mapping", "load_mapping", "UNITS", "INPUT_ONLY_COLUMNS", "DATE_ROLES", "DATE_FORMATS"]

#: Names allowed under ``columns:`` that are inputs to a derivation, not canonical columns.
INPUT_ONLY_COLUMNS = ("asia",)
DATE_ROLES = ("origin", "death", "last_contact", "birth")

#: Named date conventions -> formats tried in order (vectorized; no per-value guessing).
#: Two-digit years are never accepted (the century would be a guess).
DATE_FORMATS: dict[str, tuple[str, ...]] = {
    "dayfirst": ("%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S"),
    "monthfirst": ("%m/%d/%Y", "%m-%d-%Y", "%Y-%m-%d"),
    "iso": ("%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y%m%d"),
}

#: column -> {unit name (lower case): factor to the canonical unit}. Sources: calendar month =
#: 30.4375 days (schema); calcium 40.08 g/mol (1 mmol/L = 4.008 mg/dL); bilirubin 584.66 g/mol
#: (1 mg/dL = 17.104 umol/L); haemoglobin tetramer-per-monomer convention (1 mmol/L = 1.6114 g/dL);
#: LDH 1 ukat/L = 60 U/L. (Conversion factors as tabulated in SI-unit guides, e.g. Young DS,
#: Ann Intern Med 1987;106:114-129.)
_TIME = {"days": 1 / DAYS_PER_MONTH, "day": 1 / DAYS_PER_MONTH, "d": 1 / DAYS_PER_MONTH,
         "weeks": 7 / DAYS_PER_MONTH, "week": 7 / DAYS_PER_MONTH, "w": 7 / DAYS_PER_MONTH,
         "months": 1.0, "month": 1.0, "m": 1.0, "years": 12.0, "year": 12.0, "y": 12.0}
UNITS: dict[str, dict[str, float]] = {
    "time_months": _TIME,
    "entry_months": _TIME,
    "age_years": {"years": 1.0, "year": 1.0, "months": 1 / 12, "days": 1 / 365.25},
    "albumin_g_dl": {"g/dl": 1.0, "g/l": 0.1},
    "crp_mg_dl": {"mg/dl": 1.0, "mg/l": 0.1},
    "hemoglobin_g_dl": {"g/dl": 1.0, "g/l": 0.1, "mmol/l": 1.6114},
    "calcium_mg_dl": {"mg/dl": 1.0, "mmol/l": 4.008},
    "bilirubin_mg_dl": {"mg/dl": 1.0, "umol/l": 1 / 17.104, "µmol/l": 1 / 17.104},
    "platelets_10e9_l": {"10^9/l": 1.0, "10e9/l": 1.0, "g/l": 1.0, "10^3/ul": 1.0, "/ul": 1e-3, "/nl": 1.0},
    "ldh_u_l": {"u/l": 1.0, "iu/l": 1.0, "ukat/l": 60.0, "µkat/l": 60.0},
}

_TOP_KEYS = ("cohort", "time_origin", "read", "columns", "values", "units", "dates", "derive", "keep",
             "description")
_READ_KEYS = ("encoding", "delimiter", "sheet", "decimal")
_DERIVE_KEYS = ("kps_from_ecog", "ecog_from_kps")


@dataclass
class Mapping:
    """A validated mapping (see module docstring). Build with :func:`load_mapping`."""

    cohort: str | None = None
    time_origin: str | None = None
    read: dict = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    dates: dict = field(default_factory=dict)
    derive: dict = field(default_factory=dict)
    keep: list[str] = field(default_factory=list)
    origin_name: str = "<mapping dict>"

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in _TOP_KEYS if k != "description" and getattr(self, k)}


#: Most YAML aliases (``*name``) a mapping may use. Aliases of aliases expand exponentially
#: ("billion laughs"); a mapping needs few, if any.
MAX_YAML_ALIASES = 20
#: Largest mapping file read (bytes).
MAX_MAPPING_BYTES = 1 << 20


def _safe_yaml(text: str, name: str):
    """``yaml.safe_load`` with at most :data:`MAX_YAML_ALIASES` aliases."""
    import yaml

    class _Loader(yaml.SafeLoader):
        n_alias = 0

        def compose_node(self, parent, index):
            if self.check_event(yaml.events.AliasEvent):
                self.n_alias += 1
                if self.n_alias > MAX_YAML_ALIASES:
                    raise MappingError(f"mapping file {name} uses more than {MAX_YAML_ALIASES} YAML aliases "
                                       "(*name); write the values out instead.")
            return super().compose_node(parent, index)

    loader = _Loader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _check_encoding(enc, name: str) -> None:
    import codecs

    if not isinstance(enc, str):
        raise MappingError(f"mapping {name}: read.encoding must be text such as 'utf-8' or 'latin-1', "
                           f"got {type(enc).__name__}.")
    try:
        codecs.lookup(enc)
    except LookupError:
        raise MappingError(f"mapping {name}: read.encoding {enc[:40]!r} is not a known text encoding.") from None


def _check_read(read: dict, name: str) -> None:
    """Types and values of the ``read:`` options (a wrong one would silently change cells)."""
    if "encoding" in read:
        _check_encoding(read["encoding"], name)
    if "delimiter" in read:
        d = read["delimiter"]
        if not isinstance(d, str) or len(d) != 1 or d in "\"\r\n" or d.isalnum() or d in ".":
            raise MappingError(f"mapping {name}: read.delimiter must be one character such as ',', ';', '|' or "
                               f"a tab, got {str(d)[:20]!r}.")
    if "sheet" in read:
        sh = read["sheet"]
        if isinstance(sh, bool) or not isinstance(sh, (int, str)) or (isinstance(sh, int) and sh < 0):
            raise MappingError(f"mapping {name}: read.sheet must be a sheet name or a 0-based sheet number, "
                               f"got {type(sh).__name__}.")
    if "decimal" in read:
        if read["decimal"] not in (",", "."):
            raise MappingError(f"mapping {name}: read.decimal must be ',' or '.', got {str(read['decimal'])[:20]!r}.")
        if read["decimal"] == read.get("delimiter"):
            raise MappingError(f"mapping {name}: read.decimal and read.delimiter cannot both be {read['decimal']!r}.")


def _check_date_format(fmt, name: str) -> None:
    import pandas as pd

    if not isinstance(fmt, str):
        raise MappingError(f"mapping {name}: dates.format must be text, got {type(fmt).__name__}.")
    if fmt in DATE_FORMATS:
        return
    if "%" not in fmt:
        raise MappingError(f"mapping {name}: dates.format {fmt[:40]!r} must be one of {list(DATE_FORMATS)} "
                           "or a strftime pattern such as '%d.%m.%Y'.")
    try:
        pd.to_datetime(pd.Series(["2000-01-01"]), format=fmt, errors="coerce")
    except (ValueError, TypeError) as exc:
        raise MappingError(f"mapping {name}: dates.format {fmt[:40]!r} is not a valid strftime pattern "
                           f"({str(exc)[:80]}).") from None


def _from_file(path: Path) -> dict:
    """The mapping dictionary of a YAML file (size, encoding and syntax checked)."""
    import yaml

    name = path.name
    if not path.is_file():
        raise MappingError(f"mapping file {path} does not exist.")
    if path.stat().st_size > MAX_MAPPING_BYTES:
        raise MappingError(f"mapping file {name} is larger than {MAX_MAPPING_BYTES >> 20} MiB; "
                           "a mapping is a short text file.")
    try:
        mapping = _safe_yaml(path.read_text(encoding="utf-8"), name)
    except UnicodeDecodeError:
        raise MappingError(f"mapping file {name} is not UTF-8 text.") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise MappingError(f"mapping file {name} is not valid YAML{where}.") from None
    return {} if mapping is None else mapping


def _section(mapping: dict, key: str, name: str) -> dict:
    """A dictionary-valued top-level key (empty when absent), keys as text."""
    v = mapping.get(key) or {}
    if not isinstance(v, dict):
        raise MappingError(f"mapping {name}: {key!r} must be a dictionary, got {type(v).__name__}.")
    return {str(k): v2 for k, v2 in v.items()}


def _check_keys(keys, allowed, what: str, name: str) -> None:
    for k in keys:
        if k not in allowed:
            raise MappingError(f"mapping {name}: unknown {what} {k!r}{did_you_mean(k, allowed)}.")


def _check_columns(columns: dict, name: str) -> None:
    """Targets are canonical (or input-only) columns; each names one source column (made text)."""
    allowed = tuple(COLUMN_BY_NAME) + INPUT_ONLY_COLUMNS
    for canon, src in columns.items():
        if canon not in allowed:
            raise MappingError(f"mapping {name}: {canon!r} under columns is not a canonical column"
                               f"{did_you_mean(canon, allowed)}.")
        if not isinstance(src, (str, int)) or isinstance(src, bool):
            raise MappingError(f"mapping {name}: columns.{canon} must name one source column, got {src!r}.")
        columns[canon] = str(src)


def _check_values(values: dict, name: str) -> None:
    """Value maps target canonical columns; a categorical column's new values are its categories."""
    allowed = tuple(COLUMN_BY_NAME) + INPUT_ONLY_COLUMNS
    for canon, vmap in values.items():
        if canon not in allowed:
            raise MappingError(f"mapping {name}: {canon!r} under values is not a canonical column"
                               f"{did_you_mean(canon, allowed)}.")
        if not isinstance(vmap, dict):
            raise MappingError(f"mapping {name}: values.{canon} must map raw values to canonical values.")
        col = COLUMN_BY_NAME.get(canon)
        if col is None or col.categories is None:
            continue
        for raw, new in vmap.items():
            if new is not None and str(new) not in col.categories:
                raise MappingError(f"mapping {name}: values.{canon} maps {raw!r} to {new!r}, which is not one of "
                                   f"{list(col.categories)}{did_you_mean(new, col.categories)}.")


def _check_units(units: dict, name: str) -> None:
    for canon, unit in units.items():
        if canon not in UNITS:
            raise MappingError(f"mapping {name}: units given for {canon!r}, which has no unit conversions "
                               f"(columns with units: {sorted(UNITS)}).")
        if str(unit).lower() not in UNITS[canon]:
            raise MappingError(f"mapping {name}: unit {unit!r} for {canon} is not one of {sorted(UNITS[canon])}.")


def _check_dates(dates: dict, columns: dict, name: str) -> None:
    """Date roles name source columns; the roles given must define time_months (and event)."""
    _check_keys(dates, DATE_ROLES + ("format",), "dates key", name)
    if not dates:
        return
    _check_date_format(dates.setdefault("format", "iso"), name)
    for role in DATE_ROLES:
        if role in dates and (not isinstance(dates[role], (str, int)) or isinstance(dates[role], bool)):
            raise MappingError(f"mapping {name}: dates.{role} must name one source column, "
                               f"got {type(dates[role]).__name__}.")
    has_end = "death" in dates or "last_contact" in dates
    if "origin" not in dates and has_end:
        raise MappingError(f"mapping {name}: dates needs an 'origin' column (time zero) to compute time_months.")
    if "origin" in dates and "time_months" in columns:
        raise MappingError(f"mapping {name}: give time_months either as a column or from dates, not both.")
    if "origin" in dates and "death" not in dates and "last_contact" in dates and "event" not in columns:
        raise MappingError(f"mapping {name}: with only a last_contact date, map an 'event' column "
                           "(or give the death date under dates.death).")
    if "origin" in dates and not has_end:
        raise MappingError(f"mapping {name}: dates.origin needs 'death' and/or 'last_contact' columns.")


def _check_derive(derive: dict, name: str) -> None:
    _check_keys(derive, _DERIVE_KEYS, "derive option", name)
    if derive.get("kps_from_ecog") not in (None, False, "lower", "upper"):
        raise MappingError(f"mapping {name}: derive.kps_from_ecog must be 'lower', 'upper' or false, "
                           f"got {derive['kps_from_ecog']!r}.")


def _check_keep(keep, name: str) -> None:
    """``keep`` lists source columns copied verbatim; never a column the harmonizer fills."""
    from .schema import EXTRA_COLUMNS

    if not isinstance(keep, list):
        raise MappingError(f"mapping {name}: keep must be a list of source column names.")
    for k in keep:
        if not isinstance(k, (str, int)) or isinstance(k, bool):
            raise MappingError(f"mapping {name}: keep must list source column names, got {type(k).__name__}.")
        if str(k) in COLUMN_BY_NAME or str(k) in EXTRA_COLUMNS:
            raise MappingError(f"mapping {name}: keep lists {str(k)!r}, a canonical column the harmonizer fills; "
                               "a verbatim copy would overwrite the harmonized values. Map it under columns: "
                               "instead, or rename the source column.")


def load_mapping(mapping) -> Mapping:
    """Load and check a mapping from a YAML path, a dict, a :class:`Mapping` or None."""
    if mapping is None:
        return Mapping()
    if isinstance(mapping, Mapping):
        return mapping
    name = "<mapping dict>"
    if isinstance(mapping, (str, Path)):
        name = Path(mapping).name
        mapping = _from_file(Path(mapping))
    if not isinstance(mapping, dict):
        raise MappingError(f"mapping {name} must be a dictionary of keys, got {type(mapping).__name__}.")
    _check_keys(mapping, _TOP_KEYS, "key", name)
    read = _section(mapping, "read", name)
    _check_keys(read, _READ_KEYS, "read option", name)
    _check_read(read, name)
    columns = _section(mapping, "columns", name)
    _check_columns(columns, name)
    values = _section(mapping, "values", name)
    _check_values(values, name)
    units = _section(mapping, "units", name)
    _check_units(units, name)
    dates = _section(mapping, "dates", name)
    _check_dates(dates, columns, name)
    derive = _section(mapping, "derive", name)
    _check_derive(derive, name)
    keep = mapping.get("keep") or []
    _check_keep(keep, name)
    for label in ("cohort", "time_origin"):
        v = mapping.get(label)
        if v is not None and not isinstance(v, (str, int, float)):
            raise MappingError(f"mapping {name}: {label} must be text, got {type(v).__name__}.")
    return Mapping(
        cohort=None if mapping.get("cohort") is None else str(mapping["cohort"]),
        time_origin=None if mapping.get("time_origin") is None else str(mapping["time_origin"]),
        read=read, columns=columns, values=values, units={k: str(v).lower() for k, v in units.items()},
        dates=dates, derive=derive, keep=[str(k) for k in keep], origin_name=name,
    )
