"""Shared machinery of the classic scores: input validation, item ranges, output assembly.

Every score is described by a :class:`ScoreDef` (components, groups, options, published group
survival, the function that scores the items). Items are scored on whole columns at once with
numpy: an item is a pair of float arrays ``lo``/``hi`` -- the least and the most points the item
can give for each patient given what is recorded. Where the item is fully determined ``lo == hi``
and those are its points; where an input is missing the item is *not guessed*: the points are NA
and ``lo``/``hi`` span what the missing value could have given. Totals, ``<name>_min`` and
``<name>_max`` are sums of these.

Written here rather than taken from a library because no maintained Python package implements
these spinal-metastasis scores (the only peer, R ``cliot``, covers the revised Tokuhashi score
alone and has no missing-item ranges).
"""
from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..cohort.schema import COLUMN_BY_NAME
from ..errors import InputError, PrognosisWarning, ScoreInputError

__all__ = [
    "Item",
    "Inputs",
    "ScoreDef",
    "Option",
    "ScoreInputWarning",
    "run_score",
]


class ScoreInputWarning(PrognosisWarning):
    """Invalid input values were scored as missing because ``errors="coerce"`` was asked for."""


@dataclass
class Item:
    """Points of one item for every patient.

    ``lo``/``hi`` are float arrays (least / most points possible given the recorded data; never
    NaN); ``decided`` is an object array, filled only when an explanation is asked for, naming
    the option or rule that decided a row where it was not simply the recorded value.
    """

    lo: np.ndarray
    hi: np.ndarray
    decided: np.ndarray | None = None

    @property
    def points(self) -> np.ndarray:
        return np.where(self.lo == self.hi, self.lo, np.nan)


@dataclass(frozen=True)
class Option:
    """A named option: default value, allowed values (None = free) and what it decides."""

    default: Any
    doc: str
    choices: tuple | None = None


@dataclass(frozen=True)
class ScoreDef:
    """Everything that defines one published score."""

    name: str
    title: str
    citation: str
    components: Mapping[str, str]  # component -> short description (in item order)
    groups: tuple[tuple[str, int, int], ...]  # (label, lowest total, highest total)
    options: Mapping[str, Option]
    items: Callable[[Inputs, dict, bool], dict[str, Item]]
    columns: Callable[[dict], dict[str, tuple[str, ...]]]  # component -> columns read
    categories: Mapping[str, Mapping[int, str]] = field(default_factory=dict)  # comp -> points -> label
    group_survival: tuple[tuple, ...] = ()  # (group, time_months, survival, statistic, source, tag)
    group_survival_note: str = ""
    notes: str = ""
    ceiling: int | None = None  # published maximum applied to the sum of items (NESMS)
    kind: str = "survival"  # "survival" (prognostic) or "mechanical" (SINS: not a survival score)
    higher_is_worse: bool = False  # True where a higher total means shorter survival (Tomita, Katagiri, ...)

    @property
    def total_range(self) -> tuple[int, int]:
        return self.groups[0][1], self.groups[-1][2]

    def resolve_options(self, options: Mapping[str, Any]) -> dict:
        unknown = sorted(set(options) - set(self.options))
        if unknown:
            raise InputError(
                f"{self.name}: unknown option(s) {unknown}; available options: {sorted(self.options)}"
            )
        out = {k: o.default for k, o in self.options.items()}
        for k, v in options.items():
            choices = self.options[k].choices
            if choices is not None and not isinstance(v, dict) and v not in choices:
                raise InputError(f"{self.name}: option {k}={v!r} is not one of {list(choices)}")
            out[k] = v
        return out


def _fmt(v) -> str:
    if isinstance(v, float) and float(v).is_integer():
        return str(int(v))
    return repr(v) if isinstance(v, str) else str(v)


class Inputs:
    """Validated, cached access to the columns of one input frame.

    Columns absent from the frame are all-missing. Values outside the schema (KPS 150, Frankel
    "F", a negative count) are collected; :meth:`finish` raises :class:`ScoreInputError` naming
    the first of them by row position, column and value, or -- with ``errors="coerce"`` -- treats
    them as missing, warns, and records them in :attr:`coerced`.
    """

    def __init__(self, frame: pd.DataFrame, score: str, errors: str = "raise"):
        if not isinstance(frame, pd.DataFrame):
            raise InputError(f"{score}: expected a pandas DataFrame, got {type(frame).__name__}")
        if errors not in ("raise", "coerce"):
            raise InputError(f"{score}: errors must be 'raise' or 'coerce', got {errors!r}")
        self.frame = frame
        self.n = len(frame)
        self.score = score
        self.errors = errors
        self.coerced: list[dict] = []
        self._cache: dict[tuple, np.ndarray] = {}

    # -- helpers ---------------------------------------------------------------------------
    def _series(self, col: str) -> pd.Series | None:
        if col not in self.frame.columns:
            return None
        s = self.frame[col]
        if isinstance(s, pd.DataFrame):
            raise InputError(f"{self.score}: column {col!r} appears more than once in the input")
        return s

    def _record(self, col: str, bad: np.ndarray, series: pd.Series, reason: str) -> None:
        pos = np.flatnonzero(bad)
        if len(pos) == 0:
            return
        values = series.iloc[pos].tolist()
        for p, v in zip(pos.tolist(), values, strict=False):
            self.coerced.append({"row": p, "column": col, "value": v, "reason": reason})

    def nan(self) -> np.ndarray:
        return np.full(self.n, np.nan)

    # -- typed accessors -------------------------------------------------------------------
    def num(self, col: str) -> np.ndarray:
        """Float array of a numeric column (NaN = missing), checked against the schema range."""
        key = ("num", col)
        if key in self._cache:
            return self._cache[key]
        spec = COLUMN_BY_NAME[col]
        s = self._series(col)
        if s is None:
            out = self.nan()
        else:
            if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
                out = s.to_numpy(dtype="float64", na_value=np.nan)
                nonnum = np.zeros(self.n, dtype=bool)
            else:
                conv = pd.to_numeric(s.astype("object"), errors="coerce")
                out = conv.to_numpy(dtype="float64", na_value=np.nan)
                nonnum = np.isnan(out) & s.notna().to_numpy()
            self._record(col, nonnum, s, "not a number")
            out = out.copy()
            finite = ~np.isnan(out)
            bad = np.zeros(self.n, dtype=bool)
            lo = spec.min if spec.min is not None else -np.inf
            hi = spec.max if spec.max is not None else np.inf
            with np.errstate(invalid="ignore"):
                bad |= finite & ((out < lo) | (out > hi) | np.isinf(out))
                if spec.kind == "int":
                    bad |= finite & (np.floor(out) != out)
            if bad.any():
                what = "an integer" if spec.kind == "int" else "a number"
                rng = f"{_fmt(lo)}–{_fmt(hi)}" if np.isfinite(hi) else f">= {_fmt(lo)}"
                self._record(col, bad, s, f"expected {what} {rng}")
            out[bad | nonnum] = np.nan
        self._cache[key] = out
        return out

    def cat(self, col: str) -> np.ndarray:
        """Integer codes of a categorical column in schema category order (-1 = missing)."""
        key = ("cat", col)
        if key in self._cache:
            return self._cache[key]
        spec = COLUMN_BY_NAME[col]
        vocab = list(spec.categories)
        s = self._series(col)
        if s is None:
            codes = np.full(self.n, -1, dtype=np.int8)
        elif isinstance(s.dtype, pd.CategoricalDtype) and list(s.cat.categories) == vocab:
            codes = s.cat.codes.to_numpy()  # canonical frame: codes already in schema order
        elif isinstance(s.dtype, pd.CategoricalDtype) and set(s.cat.categories) <= set(vocab):
            codes = s.cat.set_categories(vocab).cat.codes.to_numpy()
        else:
            norm = s.astype("object").where(s.notna(), None)
            norm = norm.map(lambda v: v if v is None else str(v).strip(), na_action="ignore")
            if col == "frankel":
                norm = norm.map(lambda v: v.upper() if isinstance(v, str) else v, na_action="ignore")
            else:
                norm = norm.map(lambda v: v.lower() if isinstance(v, str) else v, na_action="ignore")
            codes = np.asarray(pd.Categorical(norm, categories=vocab).codes)
            bad = (codes == -1) & s.notna().to_numpy()
            if bad.any():
                self._record(col, bad, s, f"expected one of {vocab}")
        self._cache[key] = codes
        return codes

    def code(self, col: str, value: str) -> int:
        return list(COLUMN_BY_NAME[col].categories).index(value)

    def flag(self, col: str) -> np.ndarray:
        """Float array of a yes/no column: 1.0 yes, 0.0 no, NaN missing."""
        key = ("flag", col)
        if key in self._cache:
            return self._cache[key]
        s = self._series(col)
        if s is None:
            out = self.nan()
        elif pd.api.types.is_bool_dtype(s.dtype):
            out = s.to_numpy(dtype="float64", na_value=np.nan)
        else:
            table = {True: 1.0, False: 0.0, "true": 1.0, "false": 0.0,
                     "yes": 1.0, "no": 0.0, "1": 1.0, "0": 0.0, "y": 1.0, "n": 0.0}

            def conv(v):
                if isinstance(v, str):
                    v = v.strip().lower()
                try:
                    return table.get(v, -1.0)
                except TypeError:
                    return -1.0

            vals = s.astype("object").map(conv, na_action="ignore")
            out = pd.to_numeric(vals, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
            bad = out == -1.0
            self._record(col, bad, s, "expected yes/no (true/false, 1/0)")
            out[bad] = np.nan
        self._cache[key] = out
        return out

    def finish(self) -> list[dict]:
        """Raise on invalid values (``errors="raise"``) or warn and return them (``"coerce"``)."""
        if not self.coerced:
            return []
        # one record per (row, column), in row order
        seen, recs = set(), []
        for r in sorted(self.coerced, key=lambda r: (r["row"], r["column"])):
            k = (r["row"], r["column"])
            if k not in seen:
                seen.add(k)
                recs.append(r)
        first = recs[0]
        msg = (f"{self.score}: invalid value {first['value']!r} in column {first['column']!r} at row "
               f"position {first['row']} ({first['reason']})")
        if len(recs) > 1:
            msg += f"; {len(recs)} invalid values in total"
        if self.errors == "raise":
            raise ScoreInputError(msg + " -- pass errors='coerce' to score them as missing")
        warnings.warn(msg + "; scored as missing (see result.attrs['coerced'])",
                      ScoreInputWarning, stacklevel=4)
        return recs


# -- small vectorised building blocks --------------------------------------------------------

def table_lookup(codes: np.ndarray, vocab: tuple[str, ...], table: Mapping[str, float]) -> np.ndarray:
    """Points per category code (NaN for missing codes or categories absent from ``table``).

    The table gets a trailing NaN so that the missing code -1 indexes it directly (one gather)."""
    arr = np.array([float(table.get(c, np.nan)) for c in vocab] + [np.nan])
    return arr[codes]


def lookup_item(codes: np.ndarray, vocab: tuple[str, ...], table: Mapping[str, float],
                lo: float, hi: float) -> Item:
    """Categorical item: points from ``table``; a missing code spans ``lo..hi``."""
    lo_tab = np.array([table[c] for c in vocab] + [lo], dtype=np.float32)
    hi_tab = np.array([table[c] for c in vocab] + [hi], dtype=np.float32)
    return Item(lo_tab[codes], hi_tab[codes])


def band(values: np.ndarray, cuts: tuple[float, ...], points: tuple[float, ...],
         missing: float = np.nan) -> np.ndarray:
    """Points of the band each value falls in: band i is ``cuts[i-1] <= v < cuts[i]``.

    NaN sorts after +inf in ``searchsorted``, so a trailing +inf edge sends missing values to
    one extra slot holding ``missing`` (one gather, no masking pass)."""
    edges = np.asarray(tuple(cuts) + (np.inf,), dtype=float)
    idx = np.searchsorted(edges, values, side="right")
    return np.asarray(tuple(points) + (missing,), dtype=float)[idx]


def band_item(values: np.ndarray, cuts: tuple[float, ...], points: tuple[float, ...],
              lo: float, hi: float) -> Item:
    """Banded numeric item; a missing value spans ``lo..hi``."""
    edges = np.asarray(tuple(cuts) + (np.inf,), dtype=float)
    idx = np.searchsorted(edges, values, side="right")
    return Item(np.asarray(tuple(points) + (lo,), dtype=np.float32)[idx],
                np.asarray(tuple(points) + (hi,), dtype=np.float32)[idx])


def fill_range(points: np.ndarray, lo: float, hi: float) -> Item:
    """Item from points with NaN where missing: the missing rows span ``lo..hi``."""
    miss = np.isnan(points)
    return Item(np.where(miss, lo, points), np.where(miss, hi, points))


# -- output --------------------------------------------------------------------------------

def _int_array(lo: np.ndarray, hi: np.ndarray) -> pd.arrays.IntegerArray:
    """Nullable Int64 of ``lo`` where ``lo == hi``, NA elsewhere (lo/hi are never NaN)."""
    return pd.arrays.IntegerArray(lo.astype("int64"), lo != hi)


def group_codes(defn: ScoreDef, lo_i: np.ndarray, hi_i: np.ndarray) -> np.ndarray:
    """Group code per patient (integer totals in); -1 unless ``lo`` and ``hi`` share a group."""
    lut = np.full(defn.total_range[1] + 1, -1, dtype=np.int8)
    for i, (_, a, b) in enumerate(defn.groups):
        lut[a:b + 1] = i
    g_lo, g_hi = lut[lo_i], lut[hi_i]
    return np.where(g_lo == g_hi, g_lo, np.int8(-1))


def run_score(defn: ScoreDef, frame: pd.DataFrame, errors: str, options: Mapping[str, Any],
              detail: bool = False):
    """Score ``frame`` (a DataFrame or a :class:`~prognosis.cohort.Cohort`); return (result
    DataFrame, items, resolved options)."""
    from ..cohort.cohort import Cohort

    if isinstance(frame, Cohort):
        frame = frame.frame
    opts = defn.resolve_options(options)
    inp = Inputs(frame, defn.name, errors)
    items = defn.items(inp, opts, detail)
    coerced = inp.finish()
    name = defn.name
    lo = np.zeros(inp.n)
    hi = np.zeros(inp.n)
    cols: dict[str, Any] = {}
    for comp in defn.components:
        np.add(lo, items[comp].lo, out=lo)
        np.add(hi, items[comp].hi, out=hi)
    if defn.ceiling is not None:
        lo = np.minimum(lo, defn.ceiling)
        hi = np.minimum(hi, defn.ceiling)
    lo_i, hi_i = lo.astype(np.int64), hi.astype(np.int64)
    undetermined = lo_i != hi_i
    g = group_codes(defn, lo_i, hi_i)
    cols[name] = pd.arrays.IntegerArray(lo_i, undetermined)
    cols[f"{name}_group"] = pd.Categorical.from_codes(
        g, categories=[lab for lab, _, _ in defn.groups], ordered=True)
    for comp in defn.components:
        cols[f"{name}__{comp}"] = _int_array(items[comp].lo, items[comp].hi)
    no_mask = np.zeros(inp.n, dtype=bool)
    cols[f"{name}_min"] = pd.arrays.IntegerArray(lo_i.copy(), no_mask)
    cols[f"{name}_max"] = pd.arrays.IntegerArray(hi_i, no_mask.copy())
    out = pd.DataFrame(cols, index=frame.index, copy=False)
    out.attrs["coerced"] = coerced
    out.attrs["options"] = dict(opts)
    return out, items, opts
