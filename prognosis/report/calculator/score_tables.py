"""Classic scores as lookup tables generated from :mod:`prognosis.scores` (for the browser).

The scores live in one place, :mod:`prognosis.scores`, as Python item functions. Rather than
re-state the point tables and their options in JavaScript, :func:`score_tables` *derives* a
lookup table per item by calling those functions:

* every item reads a few canonical columns (``ScoreDef.columns``);
* each column's values fall into finitely many classes that the item cannot tell apart --
  categories (plus missing), yes/no (plus missing), and for numbers the intervals between the
  item's break points. Break points are found by scanning the column's schema range (all integers
  for integer columns; a grid of 20,000 cells for measurements; columns without a schema maximum
  up to 1000 and then checked constant up to 1e6) with the other columns of the item held at
  random configurations and then at every combination of their classes found so far (repeated
  until no new break appears), bisecting each change down to adjacent doubles, so the break
  point is the exact double where the item changes (``v >= 0.4`` gives the double nearest 0.4,
  ``v <= 15`` the double after 15); intervals are ``[b_i, b_{i+1})``;
* the item's (least, most) points are tabulated on the product of the classes.

A score whose item cannot be tabulated this way (it still changes beyond the scanned range, its
breaks do not settle, or the class product is too large) is left out of the tables and listed
with the reason by :func:`excluded_scores`; the page names it instead of showing it.

:func:`evaluate` applies the tables in Python exactly as the page's JavaScript does; the tests
check it against ``scores.compute`` on random patients, and the page against ``prognosis
predict`` in Chromium. Default options of every score are used (as ``prognosis predict``).
"""
from __future__ import annotations

import functools
import itertools

import numpy as np
import pandas as pd

from ...cohort.schema import COLUMN_BY_NAME
from ...scores import available, get_score
from ...scores._base import Inputs

__all__ = ["NotTabulable", "evaluate", "excluded_scores", "score_tables"]

_INT_SCAN_MAX = 1000  # integer columns without a maximum (counts) are scanned 0..1000 ...
_FLOAT_SCAN_MAX = 1000.0  # ... measurements without one (months_since_primary, motor_deficit_days) 0..1000 ...
_FAR = 1e6            # ... and both are checked to be constant beyond (else the score is left out)
_GRID = 20000
_MAX_CONFIGS = 512    # configurations of the other columns per rescan (seeded sample beyond)
_MAX_CELLS = 200_000  # an item whose class product exceeds this is not embedded in the page


class NotTabulable(Exception):
    """A score's item cannot be turned into a finite lookup table (the score is then left out of
    the page with this reason, listed by :func:`excluded_scores`, rather than shown wrongly)."""


def _items(defn, opts, frame: pd.DataFrame, comp: str):
    it = defn.items(Inputs(frame, defn.name, "raise"), opts, False)[comp]
    return np.asarray(it.lo, float), np.asarray(it.hi, float)


def _domain(col: str, cuts: dict) -> list:
    """Representative values of each class of ``col`` (missing last, as None)."""
    spec = COLUMN_BY_NAME[col]
    if spec.kind == "category":
        return list(spec.categories) + [None]
    if spec.kind == "bool":
        return [False, True, None]
    lo = float(spec.min if spec.min is not None else 0.0)
    return [lo] + list(cuts[col]) + [None]


def _frame(rows: list[dict], cols: list[str]) -> pd.DataFrame:
    data = {}
    for c in cols:
        vals = [r[c] for r in rows]
        if COLUMN_BY_NAME[c].kind in ("int", "float"):
            data[c] = np.array([np.nan if v is None else v for v in vals], float)
        else:
            data[c] = pd.Series(vals, dtype=object)
    return pd.DataFrame(data)


def _scan_frame(cfg: dict, col: str, values: np.ndarray, cols: list[str]) -> pd.DataFrame:
    """Frame with ``col`` running over ``values`` and the other columns fixed at ``cfg``."""
    n = values.size
    data = {}
    for c in cols:
        if c == col:
            data[c] = values
        elif COLUMN_BY_NAME[c].kind in ("int", "float"):
            data[c] = np.full(n, np.nan if cfg[c] is None else float(cfg[c]))
        else:
            data[c] = pd.Series([cfg[c]] * n, dtype=object)
    return pd.DataFrame(data)


def _scan_values(col: str) -> np.ndarray:
    spec = COLUMN_BY_NAME[col]
    lo = float(spec.min if spec.min is not None else 0.0)
    if spec.kind == "int":
        hi = float(spec.max) if spec.max is not None else _INT_SCAN_MAX
        return np.arange(lo, hi + 1)
    hi = float(spec.max) if spec.max is not None else _FLOAT_SCAN_MAX
    return np.linspace(lo, hi, _GRID + 1)


def _breaks(defn, opts, comp: str, col: str, cols: list[str], rng, extra=()) -> list[float]:
    """Exact break points of item ``comp`` along numeric ``col`` (other columns of the item held
    at random configurations and at the configurations ``extra``)."""
    spec = COLUMN_BY_NAME[col]
    grid = _scan_values(col)
    others = [c for c in cols if c != col]
    configs = [dict.fromkeys(others), *extra]
    configs += [_random_config(others, rng) for _ in range(24)]
    found: set[float] = set()
    for cfg in configs:
        vals = list(grid) + ([_FAR] if spec.max is None else [])
        frame = _scan_frame(cfg, col, np.asarray(vals, float), cols)
        lo, hi = _items(defn, opts, frame, comp)
        if spec.max is None and (lo[-1] != lo[-2] or hi[-1] != hi[-2]):
            raise NotTabulable(f"item {comp!r} changes along {col} beyond the scanned range "
                               f"0-{grid[-1]:g} (up to {_FAR:g})")
        lo, hi = lo[:len(grid)], hi[:len(grid)]
        change = np.flatnonzero((lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1]))
        for j in change:
            a, b = float(grid[j]), float(grid[j + 1])
            if spec.kind == "int":
                found.add(b)
                continue
            if any(a < f <= b for f in found):  # this grid cell was resolved under another configuration
                continue
            found.add(_bisect(defn, opts, comp, col, cols, cfg, a, b))
    return sorted(found)


def _random_config(others: list[str], rng) -> dict:
    """One random configuration of the item's other columns (a level, a value or not recorded)."""
    cfg = {}
    for c in others:
        s = COLUMN_BY_NAME[c]
        if s.kind == "category":
            cfg[c] = rng.choice(list(s.categories) + [None])
        elif s.kind == "bool":
            cfg[c] = [False, True, None][rng.integers(3)]
        else:
            vals = _scan_values(c)
            cfg[c] = None if rng.random() < 0.2 else float(vals[rng.integers(vals.size)])
    return cfg


def _bisect(defn, opts, comp: str, col: str, cols: list[str], cfg: dict, a: float, b: float) -> float:
    """The exact break in (a, b]: bisection down to adjacent doubles; the first value of the new points."""
    fa = _items(defn, opts, _frame([dict(cfg, **{col: a})], cols), comp)
    while np.nextafter(a, np.inf) < b:
        m = a + (b - a) / 2
        if m <= a or m >= b:
            m = float(np.nextafter(a, np.inf))
        fm = _items(defn, opts, _frame([dict(cfg, **{col: m})], cols), comp)
        if fm[0][0] == fa[0][0] and fm[1][0] == fa[1][0]:
            a = m
        else:
            b = m
    return b


def score_tables(names=None, seed: int = 0) -> dict:
    """Lookup tables of the classic scores (default options) for :func:`evaluate` and the page.

    Every score of ``names`` (default: all of :func:`prognosis.scores.available`) that can be
    tabulated; the others are absent here and listed with the reason by :func:`excluded_scores`.
    Cached per process (the tables depend only on the package's code); treat the result as
    read-only."""
    return _score_tables(tuple(names or available()), seed)[0]


def excluded_scores(names=None, seed: int = 0) -> dict:
    """``{name: reason}`` for the scores of ``names`` that :func:`score_tables` could not tabulate."""
    return _score_tables(tuple(names or available()), seed)[1]


@functools.lru_cache(maxsize=4)
def _score_tables(names: tuple, seed: int) -> tuple[dict, dict]:
    out, excluded = {}, {}
    for name in names:
        try:
            out[name] = _one_table(get_score(name), np.random.default_rng([seed, names.index(name)]))
        except NotTabulable as e:
            excluded[name] = str(e)
    return out, excluded


def _item_cuts(defn, opts, comp: str, cols: list[str], rng) -> dict:
    """Break points of every numeric column of one item.

    A column's break may show only when the item's other columns sit in particular classes (the
    NESMS modified-Bauer item changes with the vertebral count only when the other Bauer items sum
    to the cut-off), so the scan is repeated with the other columns at every combination of their
    classes found so far (a seeded sample of ``_MAX_CONFIGS`` when there are more) until no new
    break appears."""
    numeric = [c for c in cols if COLUMN_BY_NAME[c].kind in ("int", "float")]
    cuts = {c: _breaks(defn, opts, comp, c, cols, rng) for c in numeric}
    for _ in range(4):
        new = {}
        for c in numeric:
            others = [o for o in cols if o != c]
            doms = [_domain(o, cuts) for o in others]
            combos = list(itertools.product(*doms))
            if len(combos) > _MAX_CONFIGS:
                combos = [combos[j] for j in rng.choice(len(combos), _MAX_CONFIGS, replace=False)]
            new[c] = sorted(set(cuts[c]) | set(_breaks(defn, opts, comp, c, cols, rng,
                                                       [dict(zip(others, cb, strict=False)) for cb in combos])))
        if new == cuts:
            return cuts
        cuts = new
    raise NotTabulable(f"item {comp!r}: the break points of {', '.join(numeric)} did not settle")


def _one_table(defn, rng) -> dict:
    opts = defn.resolve_options({})
    colmap = defn.columns(opts)
    comps = []
    for comp in defn.components:
        cols = list(colmap[comp])
        cuts = _item_cuts(defn, opts, comp, cols, rng)
        domains = [_domain(c, cuts) for c in cols]
        if np.prod([len(d) for d in domains], dtype=float) > _MAX_CELLS:
            raise NotTabulable(f"item {comp!r} has more than {_MAX_CELLS:,} input classes "
                               f"({' x '.join(str(len(d)) for d in domains)})")
        combos = list(itertools.product(*domains))
        frame = _frame([dict(zip(cols, cb, strict=False)) for cb in combos], cols)
        lo, hi = _items(defn, opts, frame, comp)
        comps.append({
            "component": comp, "description": defn.components[comp], "columns": cols,
            "cuts": cuts, "sizes": [len(d) for d in domains],
            "lo": lo.astype(int).tolist(), "hi": hi.astype(int).tolist(),
            "categories": {str(k): v for k, v in defn.categories.get(comp, {}).items()},
        })
    return {"title": defn.title, "citation": defn.citation, "components": comps,
            "groups": [[g, int(a), int(b)] for g, a, b in defn.groups],
            "ceiling": defn.ceiling}


def _class_index(col: str, value, cuts: dict) -> int:
    spec = COLUMN_BY_NAME[col]
    missing = value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA
    if spec.kind == "category":
        cats = list(spec.categories)
        return len(cats) if missing else cats.index(value)
    if spec.kind == "bool":
        return 2 if missing else int(bool(value))
    b = cuts[col]
    return len(b) + 1 if missing else int(np.searchsorted(np.asarray(b, float), float(value), side="right"))


def evaluate(tables: dict, name: str, patient: dict) -> dict:
    """Score one patient (dict of canonical values, None = missing) from the tables.

    Returns ``{"items": {comp: (lo, hi)}, "min", "max", "total" (None if undetermined),
    "group" (None unless min and max share a group)}`` -- what the page computes.
    """
    tab = tables[name]
    items, lo_t, hi_t = {}, 0, 0
    for c in tab["components"]:
        idx = 0
        for col, size in zip(c["columns"], c["sizes"], strict=False):
            idx = idx * size + _class_index(col, patient.get(col), c["cuts"])
        items[c["component"]] = (c["lo"][idx], c["hi"][idx])
        lo_t += c["lo"][idx]
        hi_t += c["hi"][idx]
    if tab["ceiling"] is not None:
        lo_t, hi_t = min(lo_t, tab["ceiling"]), min(hi_t, tab["ceiling"])

    def grp(v):
        return next((g for g, a, b in tab["groups"] if a <= v <= b), None)

    g = grp(lo_t) if grp(lo_t) == grp(hi_t) else None
    return {"items": items, "min": lo_t, "max": hi_t, "total": lo_t if lo_t == hi_t else None, "group": g}
