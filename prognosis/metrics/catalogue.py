"""The measure catalogue: the one home of what a performance measure is called, how it is shown
and how it is computed.

Every measure the study computes and the report, model card and CLI show has one entry
(:class:`Measure`): its key (``name``), human labels, group (discrimination, overall,
calibration, clinical utility), whether it is evaluated at a horizon, which direction is
better, the function computing it, the decimals it is shown with and a short description with
its source. Consumers never list measure names themselves: they ask the catalogue
(:func:`measures`, :func:`get`), so a new measure is two edits — its function and its entry
(or one :func:`register` call at run time).

Keys. The study's score functions return ``{key: value}`` with ``key = "<name>"`` for a
horizon-free measure and ``"<name>@<h>"`` for a measure at horizon ``h`` months (the legacy
form kept by :func:`prognosis.study.bootstrap_optimism` and friends for backward
compatibility). :func:`key` builds and :func:`parse_key` reads that form — no other module
splits on ``"@"``. Result tables are tidy (:func:`tidy`): one row per predictor, measure and
horizon (NaN when horizon-free), the measure's key in column ``metric``.

>>> from prognosis.metrics import catalogue
>>> catalogue.parse_key("brier@12")
('brier', 12.0)
>>> catalogue.get("slope").label, catalogue.get("slope").group
('Calibration slope', 'calibration')
>>> [m.name for m in catalogue.measures(group="discrimination")]
['harrell_c', 'uno_c', 'auc']
"""
from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import MetricInputError

__all__ = ["Measure", "MeasureData", "GROUPS", "DIRECTIONS", "register", "unregister", "registered", "get",
           "measures", "names", "key", "parse_key", "tidy", "tidy_scores", "legacy_keys", "label", "column_label",
           "format_value", "decimals", "order", "best_first", "wide", "evaluate", "auto_interval"]

#: Groups in display order (Steyerberg, *Clinical Prediction Models*, 2nd ed. 2019, ch. 15:
#: discrimination, calibration, overall performance and clinical usefulness). Decision curves
#: (net benefit over thresholds, a curve rather than one number) are drawn by the report.
GROUPS = ("discrimination", "overall", "calibration", "clinical utility")

#: ``"higher"`` / ``"lower"`` is better, or ``"one"``: ideal value 1 (calibration slope, O/E),
#: ranked by the distance from 1.
DIRECTIONS = ("higher", "lower", "one")


@dataclass(frozen=True)
class MeasureData:
    """What a measure's function may use: the evaluation outcome, the predictions and the data
    of the censoring weights.

    ``risk`` is higher = worse; ``surv`` has one column per horizon in ``horizons`` (S(t | x));
    ``train_time``/``train_event`` give the IPCW censoring distribution (the study passes the
    evaluated data itself, riskRegression's convention); ``tau`` truncates Uno's C.
    """

    time: np.ndarray
    event: np.ndarray
    risk: np.ndarray
    surv: np.ndarray
    horizons: tuple
    train_time: np.ndarray | None = None
    train_event: np.ndarray | None = None
    tau: float | None = None

    def surv_at(self, horizon: float) -> np.ndarray:
        """Predicted S(horizon | x) of every patient."""
        return self.surv[:, list(self.horizons).index(float(horizon))]


@dataclass(frozen=True)
class Measure:
    """One performance measure.

    Parameters
    ----------
    name : str
        Key in result tables (column ``metric``); letters, digits and ``_`` only.
    label : str
        Human label for sentences, figures and glossaries ("Brier score").
    short : str
        Column header in tables ("Brier").
    group : str
        One of :data:`GROUPS`.
    per_horizon : bool
        Evaluated at each horizon t (needs S(t)); otherwise horizon-free.
    direction : str
        One of :data:`DIRECTIONS` (used to rank predictors and word findings).
    compute : callable
        ``compute(data: MeasureData, horizon) -> float`` (``horizon`` None for a horizon-free
        measure). Raise :class:`~prognosis.errors.MetricInputError` when not estimable on the
        data (the study records NaN for that sample).
    decimals : int
        Decimals shown in tables, findings and the CLI.
    description, citation : str
        One sentence each, for the report's glossary and the docs.
    kernel : str, optional
        Built-in measures computed jointly by :class:`~prognosis.study.scoring.StudyScorer`
        (``"concordance"``, ``"ipcw"``: all horizons in one call, ``"calibration"``: one
        :func:`~prognosis.metrics.calibration` fit per horizon gives ICI, E50, E90, slope and O/E
        as its attributes). None (the default for new measures): the study calls ``compute``.
    interval : {"combined", "fixed"}
        Bootstrap interval used under ``ci_method="auto"``
        (:func:`prognosis.study.validation.bootstrap_interval`).
    compare : bool
        Paired difference of each model against the best classic score in the study.
    headline : bool
        Shown in the model card's performance summary (per-horizon ones at 12 months).
    """

    name: str
    label: str
    short: str
    group: str
    per_horizon: bool
    direction: str
    compute: Callable[[MeasureData, float | None], float] = field(repr=False)
    decimals: int = 3
    description: str = ""
    citation: str = ""
    kernel: str | None = None
    interval: str = "combined"
    compare: bool = False
    headline: bool = False

    def __post_init__(self):
        if not self.name or not self.name.replace("_", "").isalnum():
            raise ValueError(f"measure name must be letters, digits and '_', got {self.name!r}")
        if self.group not in GROUPS:
            raise ValueError(f"measure {self.name!r}: group must be one of {GROUPS}, got {self.group!r}")
        if self.direction not in DIRECTIONS:
            raise ValueError(f"measure {self.name!r}: direction must be one of {DIRECTIONS}, got {self.direction!r}")
        if self.interval not in ("combined", "fixed"):
            raise ValueError(f"measure {self.name!r}: interval must be 'combined' or 'fixed', got {self.interval!r}")

    def format(self, value, lo=None, hi=None) -> str:
        """``"0.712 (0.680–0.744)"``; ``"0.712"`` without a finite interval; ``"–"`` for NaN."""
        return format_value(value, lo, hi, self.decimals)


# -- the built-in measures' functions (each one call into prognosis.metrics) --------------------
def _harrell(d: MeasureData, h=None) -> float:
    from .concordance import harrell_c

    return float(harrell_c(d.time, d.event, d.risk))


def _uno(d: MeasureData, h=None) -> float:
    from .concordance import uno_c

    return float(uno_c(d.time, d.event, d.risk, tau=d.tau, train_time=d.train_time, train_event=d.train_event))


def _first(x) -> float:
    a = np.asarray(getattr(x, "estimate", x), dtype=float).ravel()
    return float(a[0]) if a.size else float("nan")


def _auc(d: MeasureData, h: float) -> float:
    from .auc import time_dependent_auc

    return _first(time_dependent_auc(d.time, d.event, d.risk, h, train_time=d.train_time, train_event=d.train_event))


def _brier(d: MeasureData, h: float) -> float:
    from .brier import brier_score

    return _first(brier_score(d.time, d.event, d.surv_at(h), h, train_time=d.train_time, train_event=d.train_event))


def _ipa(d: MeasureData, h: float) -> float:
    from .brier import ipa

    return _first(ipa(d.time, d.event, d.surv_at(h), h, train_time=d.train_time, train_event=d.train_event))


def _calibration_attr(attr: str) -> Callable[[MeasureData, float], float]:
    def compute(d: MeasureData, h: float) -> float:
        from .calibration import calibration

        # one group: the grouped Kaplan-Meier table is not needed for the summary measures
        cal = calibration(d.time, d.event, d.surv_at(h), h, groups=np.zeros(np.size(d.time), dtype=int))
        return float(getattr(cal, attr))

    compute.__name__ = f"calibration_{attr}"
    return compute


_AUSTIN = "Austin, Harrell & van Klaveren, Stat Med 2020;39:2714-2742"
_BUILTIN = (
    Measure("harrell_c", "Harrell's C", "Harrell C", "discrimination", False, "higher", _harrell,
            description="Probability that, of two comparable patients, the one who died first had the higher "
                        "predicted risk.",
            citation="Harrell et al., JAMA 1982;247:2543", kernel="concordance", compare=True, headline=True),
    Measure("uno_c", "Uno's C", "Uno C", "discrimination", False, "higher", _uno,
            description="C-index with inverse-probability-of-censoring weights, truncated at the last horizon.",
            citation="Uno et al., Stat Med 2011;30:1105", kernel="concordance", compare=True, headline=True),
    Measure("auc", "Time-dependent AUC", "AUC", "discrimination", True, "higher", _auc,
            description="Cumulative/dynamic AUC at t with IPCW: deaths by t against patients alive at t.",
            citation="Blanche, Dartigues & Jacqmin-Gadda, Stat Med 2013;32:5381", kernel="ipcw"),
    Measure("brier", "Brier score", "Brier", "overall", True, "lower", _brier,
            description="IPCW mean squared error of the predicted survival at t.",
            citation="Graf et al., Stat Med 1999;18:2529", kernel="ipcw"),
    Measure("ipa", "Index of prediction accuracy", "IPA", "overall", True, "higher", _ipa,
            description="1 − Brier(model)/Brier(Kaplan–Meier null): share of the null model's error removed "
                        "(≤ 0: no better than the cohort's average survival).",
            citation="Kattan & Gerds, Diagn Progn Res 2018;2:7", kernel="ipcw"),
    Measure("ici", "Integrated calibration index", "ICI", "calibration", True, "lower", _calibration_attr("ici"),
            description="Mean |observed − predicted| risk by t on the smoothed calibration curve.",
            citation=_AUSTIN, kernel="calibration", interval="fixed", headline=True),
    Measure("e50", "Median absolute calibration error", "E50", "calibration", True, "lower",
            _calibration_attr("e50"), description="Median |observed − predicted| risk by t (smoothed curve).",
            citation=_AUSTIN, kernel="calibration", interval="fixed"),
    Measure("e90", "90th percentile of the absolute calibration error", "E90", "calibration", True, "lower",
            _calibration_attr("e90"),
            description="90th percentile of |observed − predicted| risk by t (smoothed curve).",
            citation=_AUSTIN, kernel="calibration", interval="fixed"),
    Measure("slope", "Calibration slope", "Calibration slope", "calibration", True, "one", _calibration_attr("slope"),
            description="Cox coefficient of log(−log Ŝ(t)) (1 = ideal, < 1: predictions too extreme).",
            citation=_AUSTIN, kernel="calibration", interval="fixed", headline=True),
    Measure("oe_ratio", "Observed/expected ratio", "O/E", "calibration", True, "one", _calibration_attr("oe_ratio"),
            description="Observed (1 − Kaplan–Meier) over mean predicted risk of death by t (calibration-in-the-"
                        "large; 1 = ideal).",
            citation=_AUSTIN, kernel="calibration", interval="fixed"),
)

_REGISTRY: dict[str, Measure] = {m.name: m for m in _BUILTIN}
_ANY = object()  # "no filter" for measures(kernel=...), where None means "no built-in kernel"


def register(measure: Measure, *, replace: bool = False) -> Measure:
    """Add ``measure`` to the catalogue (after the existing ones of its group); the study computes
    it and the report, model card and CLI show it from then on. ``replace=True`` overwrites an
    entry of the same name. The study's scorer carries the registered measures to its worker
    processes (joblib, Dask), so ``compute`` must be picklable: a module-level function."""
    if not isinstance(measure, Measure):
        raise TypeError(f"register() takes a Measure, got {type(measure).__name__}")
    if measure.name in _REGISTRY and not replace:
        raise ValueError(f"measure {measure.name!r} is already in the catalogue (replace=True to overwrite)")
    _REGISTRY[measure.name] = measure
    return measure


def unregister(name: str) -> None:
    """Remove a measure (KeyError when absent)."""
    del _REGISTRY[name]


@contextlib.contextmanager
def registered(measure: Measure) -> Iterator[Measure]:
    """``with registered(Measure(...)):`` — the measure is in the catalogue inside the block only."""
    register(measure)
    try:
        yield measure
    finally:
        _REGISTRY.pop(measure.name, None)


def get(name: str) -> Measure:
    """The entry of ``name``; a measure not in the catalogue raises KeyError naming the known ones."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"{name!r} is not in the measure catalogue ({', '.join(_REGISTRY)})") from None


def order(name: str) -> tuple[int, int]:
    """Sort key of a measure: by group (:data:`GROUPS`), then catalogue order; unknown last."""
    names_ = list(_REGISTRY)
    if name not in _REGISTRY:
        return (len(GROUPS), 0)
    return (GROUPS.index(_REGISTRY[name].group), names_.index(name))


def measures(*, group: str | Iterable[str] | None = None, per_horizon: bool | None = None,
             kernel: str | None | object = _ANY, compare: bool | None = None,
             headline: bool | None = None) -> list[Measure]:
    """Measures in display order (group, then catalogue order), filtered by the given fields."""
    groups = (group,) if isinstance(group, str) else (tuple(group) if group is not None else None)
    out = [m for m in _REGISTRY.values()
           if (groups is None or m.group in groups)
           and (per_horizon is None or m.per_horizon == per_horizon)
           and (kernel is _ANY or m.kernel == kernel)
           and (compare is None or m.compare == compare)
           and (headline is None or m.headline == headline)]
    return sorted(out, key=lambda m: order(m.name))


def names(**filters) -> tuple[str, ...]:
    """Names of :func:`measures` with the same filters."""
    return tuple(m.name for m in measures(**filters))


# -- keys ---------------------------------------------------------------------------------
def key(name: str, horizon: float | None = None) -> str:
    """Legacy key: ``key("brier", 12) == "brier@12"``; ``key("harrell_c") == "harrell_c"``."""
    if horizon is None or (isinstance(horizon, float) and math.isnan(horizon)):
        return name
    return f"{name}@{float(horizon):g}"


def parse_key(k: str) -> tuple[str, float]:
    """``"brier@12"`` → ``("brier", 12.0)``; ``"harrell_c"`` → ``("harrell_c", nan)``."""
    m, _, h = str(k).partition("@")
    return m, (float(h) if h else float("nan"))


def auto_interval(k: str | None) -> str:
    """Interval method ``ci_method="auto"`` uses for a measure key (``"combined"`` when unknown)."""
    name = parse_key(k)[0] if k else ""
    return _REGISTRY[name].interval if name in _REGISTRY else "combined"


# -- tidy rows ------------------------------------------------------------------------------
def tidy(frame: pd.DataFrame, column: str = "metric") -> pd.DataFrame:
    """Split the legacy keys of ``column`` into the measure name (same column) and ``horizon``
    (inserted after it, NaN when horizon-free); rows keep their order. A frame that already
    has ``horizon`` is returned as a copy."""
    out = frame.copy()
    if "horizon" in out.columns:
        return out
    parsed = [parse_key(k) for k in out[column]]
    out[column] = [m for m, _ in parsed]
    out.insert(out.columns.get_loc(column) + 1, "horizon", np.array([h for _, h in parsed], dtype=float))
    return out


def tidy_scores(scores: Mapping[str, Mapping[str, float]], value: str = "value") -> pd.DataFrame:
    """``{predictor: {key: value}}`` (what a score function returns per predictor) as tidy rows
    ``predictor, metric, horizon, value``."""
    rows = [{"predictor": p, "metric": k, value: float(v)} for p, sc in scores.items() for k, v in sc.items()]
    return tidy(pd.DataFrame(rows, columns=["predictor", "metric", value]))


def legacy_keys(frame: pd.DataFrame, column: str = "metric") -> pd.Series:
    """The legacy ``"<name>@<h>"`` key of every tidy row (inverse of :func:`tidy`)."""
    return pd.Series([key(m, h) for m, h in zip(frame[column], frame["horizon"], strict=True)], index=frame.index)


# -- display ---------------------------------------------------------------------------------
def label(name: str, *, short: bool = True) -> str:
    """Table header (``short``) or full label of a measure; unknown names are returned as given."""
    m = _REGISTRY.get(name)
    if m is None:
        return name
    return m.short if short else m.label


def column_label(name: str, horizon: float | None = None, *, short: bool = True) -> str:
    """``"Brier @12m"`` for a measure at a horizon, ``"Harrell C"`` without."""
    lab = label(name, short=short)
    if horizon is None or not np.isfinite(horizon):
        return lab
    return f"{lab} @{float(horizon):g}m"


def format_value(value, lo=None, hi=None, decimals: int = 3, *, signed: bool = False) -> str:
    """``"0.712 (0.680–0.744)"``; the value alone without a finite interval; ``"–"`` for NaN."""
    sign = "+" if signed else ""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "–"
    if not np.isfinite(v):
        return "–"
    s = f"{v:{sign}.{decimals}f}"
    if lo is not None and hi is not None and np.isfinite(float(lo)) and np.isfinite(float(hi)):
        sep = " to " if signed else "–"
        s += f" ({float(lo):{sign}.{decimals}f}{sep}{float(hi):{sign}.{decimals}f})"
    return s


def decimals(name: str) -> int:
    """Decimals a measure is shown with (3 when not in the catalogue)."""
    m = _REGISTRY.get(name)
    return m.decimals if m is not None else 3


def best_first(frame: pd.DataFrame, name: str, column: str) -> pd.DataFrame:
    """Rows of ``frame`` ordered from best to worst ``column`` by the measure's direction (stable;
    NaN last)."""
    direction = _REGISTRY[name].direction if name in _REGISTRY else "higher"
    v = pd.to_numeric(frame[column], errors="coerce")
    score = {"higher": -v, "lower": v, "one": (v - 1).abs()}[direction]
    return frame.assign(_rank=score.to_numpy()).sort_values("_rank", kind="stable", na_position="last").drop(
        columns="_rank")


def wide(frame: pd.DataFrame, cell: Callable[[pd.Series], str] | str, *, index: str | list = "predictor",
         by_horizon: bool = False, column: str = "metric") -> pd.DataFrame:
    """Tidy rows → one row per ``index`` (and per horizon when ``by_horizon``), one column per
    measure (and horizon unless ``by_horizon``) in catalogue order, headed by its label.

    ``cell`` is a column name or a function of a tidy row giving the shown text. Rows keep the
    order in which their index first appears.
    """
    idx = [index] if isinstance(index, str) else list(index)
    d = frame.copy()
    d["_cell"] = d[cell] if isinstance(cell, str) else [cell(r) for _, r in d.iterrows()]
    if by_horizon:
        idx = idx + ["horizon"]
        d["_col"] = d[column].map(label)
        d["_order"] = d[column].map(order)
    else:
        d["_col"] = [column_label(m, h) for m, h in zip(d[column], d["horizon"], strict=True)]
        d["_order"] = [(*order(m), h if np.isfinite(h) else -np.inf) for m, h in zip(d[column], d["horizon"],
                                                                                     strict=True)]
    cols = list(dict.fromkeys(d.sort_values("_order", kind="stable")["_col"]))

    def row_key(r) -> tuple:  # NaN (a horizon-free row) never equals itself: key it by a marker
        return tuple("\0nan" if isinstance(v, float) and np.isnan(v) else v for v in r[idx])

    first, cells = {}, {}
    for _, r in d.iterrows():
        k = row_key(r)
        first.setdefault(k, tuple(r[idx]))
        cells[(k, r["_col"])] = r["_cell"]
    rows = [{**dict(zip(idx, raw, strict=True)), **{c: cells.get((k, c), np.nan) for c in cols}}
            for k, raw in first.items()]
    return pd.DataFrame(rows, columns=idx + cols)


# -- computation -----------------------------------------------------------------------------
def evaluate(data: MeasureData, measures_: Iterable[Measure] | None = None) -> dict[str, float]:
    """``{key: value}`` of ``measures_`` (default: every measure without a built-in kernel, i.e.
    those the study's scorer does not compute itself) on ``data``, at each of ``data.horizons``
    for per-horizon measures. A value not estimable on the data (:class:`MetricInputError`, a
    singular fit) is NaN, and so is a per-horizon measure where S(t) is NaN (a horizon beyond
    the fit's follow-up, :func:`prognosis.study.scoring.predict_survival_truncated`)."""
    todo = [m for m in _REGISTRY.values() if m.kernel is None] if measures_ is None else list(measures_)
    out: dict[str, float] = {}
    for m in todo:
        for h in (data.horizons if m.per_horizon else (None,)):
            if h is not None and not np.isfinite(data.surv_at(h)).all():
                out[key(m.name, h)] = float("nan")
                continue
            try:
                out[key(m.name, h)] = float(m.compute(data, h))
            except (MetricInputError, np.linalg.LinAlgError):
                out[key(m.name, h)] = float("nan")
    return out
