"""Registry of the classic scores: ``available``, ``compute``, ``explain`` and score metadata."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ._base import ScoreDef, run_score
from .bauer import BAUER, MODIFIED_BAUER
from .chow import SCORE as CHOW_NRF
from .katagiri_new import SCORE as KATAGIRI_NEW
from .mizumoto import SCORE as MIZUMOTO
from .nesms import SCORE as NESMS
from .original_tokuhashi import SCORE as ORIGINAL_TOKUHASHI
from .rades_sle import SCORE as RADES_SLE
from .revised_tokuhashi import SCORE as REVISED_TOKUHASHI
from .sins import SCORE as SINS
from .tomita import SCORE as TOMITA
from .van_der_linden import SCORE as VAN_DER_LINDEN

__all__ = ["available", "compute", "explain", "group_survival", "groups", "required_columns",
           "get_score", "Explanation"]

_SCORES: dict[str, ScoreDef] = {
    s.name: s for s in (REVISED_TOKUHASHI, ORIGINAL_TOKUHASHI, TOMITA, BAUER, MODIFIED_BAUER,
                        VAN_DER_LINDEN, KATAGIRI_NEW, NESMS, MIZUMOTO, RADES_SLE, CHOW_NRF, SINS)
}

#: which components each option can decide (for explain's "decided by" column)
_OPTION_COMPONENTS = {
    "kps_from_ecog": {"general_condition", "kps"},  # chow_nrf's item is "kps" too
    "vertebral_item": {"vertebral_body"},
    "visceral_unknown_as": {"major_organs", "visceral"},
    "colon_as": {"primary_site"},
    "unknown_primary_points": {"primary_site"},
    "other_primary_points": {"primary_site"},
    "cervix_as": {"primary_site", "primary_tumor"},
    "molecular": {"primary_site"},
    "solitary_rule": {"bone", "solitary", "multiple_skeletal", "modified_bauer"},
    "lung_targeted": {"primary_lesion"},
    "breast_hormone": {"primary_lesion"},
    "prostate_hormone": {"primary_lesion"},
    "brain_mets_unknown": {"visceral"},
    "labs_missing": {"laboratory"},
    "ecog_from_kps": {"ecog", "performance_status"},
    "brain_as_visceral": {"major_organs", "visceral", "no_visceral", "modified_bauer"},
    "unverified_sites": {"primary_tumor", "primary_lesion"},
    "modified_bauer_cut": {"modified_bauer"},
    "albumin_cut_g_dl": {"albumin"},
    "unfavorable_sites": {"tumor_type"},
    "calcium_cut_mg_dl": {"hypercalcemia"},
    "ecog_01": {"performance_status"},
}


def available(kind: str | None = None) -> list[str]:
    """Names of the implemented scores, in a stable order.

    Parameters
    ----------
    kind : {"survival", "mechanical"} or None, default None
        ``"survival"`` lists the prognostic (survival) scores only, ``"mechanical"`` the
        mechanical ones (SINS); None lists all.

    Returns
    -------
    list of str
        Valid ``name`` arguments of :func:`compute`, :func:`explain` and
        :class:`~prognosis.models.ScoreModel`.

    Examples
    --------
    >>> from prognosis import scores
    >>> "revised_tokuhashi" in scores.available()
    True
    >>> scores.available("mechanical")
    ['sins']
    >>> scores.get_score("tomita").title
    'Tomita score (2001)'
    """
    if kind is None:
        return list(_SCORES)
    if kind not in ("survival", "mechanical"):
        raise InputError(f"available: kind must be 'survival', 'mechanical' or None, got {kind!r}")
    return [n for n, s in _SCORES.items() if s.kind == kind]


def get_score(name: str) -> ScoreDef:
    """The :class:`ScoreDef` of ``name`` (components, groups, options, citation)."""
    try:
        return _SCORES[name]
    except (KeyError, TypeError):
        raise InputError(f"unknown score {name!r}; available: {available()}") from None


def compute(frame: pd.DataFrame, name: str, *, errors: str = "raise", **options) -> pd.DataFrame:
    """Compute a published prognostic score for every row of a canonical cohort frame.

    Parameters
    ----------
    frame : DataFrame or Cohort
        Canonical cohort columns (see ``cohort-schema.md``); a :class:`~prognosis.Cohort` is
        scored on its ``.frame``. Absent columns count as missing; extra columns are ignored.
    name : str
        One of :func:`available`.
    errors : {"raise", "coerce"}
        Invalid values (KPS 150, Frankel "F", negative counts, unknown categories) raise
        :class:`~prognosis.errors.ScoreInputError` naming row position, column and value, or with
        ``"coerce"`` are scored as missing, warned about (``ScoreInputWarning``) and listed in
        ``result.attrs["coerced"]`` (dicts with row, column, value, reason).
    **options
        Score-specific named options (see ``get_score(name).options`` and the module docstrings);
        unknown option names raise :class:`~prognosis.errors.InputError`.

    Returns
    -------
    DataFrame
        Indexed like ``frame``: ``<name>`` total (Int64, NA when any item is undetermined),
        ``<name>_group`` (ordered categorical of the published group labels; given also when
        the total is NA but every possible total falls in one group), ``<name>__<component>``
        item points (Int64), ``<name>_min`` / ``<name>_max`` (the range of totals the missing
        items allow; equal to the total when complete). ``attrs["options"]`` holds the options
        used (defaults filled in).

    Examples
    --------
    >>> import pandas as pd
    >>> from prognosis.scores import compute
    >>> p = pd.DataFrame([dict(primary_site="kidney", kps=80, extraspinal_bone_mets=1,
    ...                        vertebral_mets=2, visceral_mets="removable", frankel="D")])
    >>> r = compute(p, "revised_tokuhashi")
    >>> int(r.loc[0, "revised_tokuhashi"]), r.loc[0, "revised_tokuhashi_group"]
    (9, '≥6 months')
    """
    out, _, _ = run_score(get_score(name), frame, errors, options)
    return out


def required_columns(name: str, **options) -> list[str]:
    """Canonical columns score ``name`` reads under ``options`` (in item order, no repeats)."""
    defn = get_score(name)
    opts = defn.resolve_options(options)
    seen: list[str] = []
    for cols in defn.columns(opts).values():
        for c in cols:
            if c not in seen:
                seen.append(c)
    return seen


def groups(name: str) -> pd.DataFrame:
    """Ordered published groups of a score: columns ``group``, ``min_total``, ``max_total``."""
    defn = get_score(name)
    return pd.DataFrame(
        [{"group": g, "min_total": a, "max_total": b} for g, a, b in defn.groups])


def group_survival(name: str) -> pd.DataFrame:
    """Published survival per group, where the source gives it.

    Columns ``group``, ``time_months``, ``survival``, ``source`` plus ``statistic`` ("S(t)":
    survival probability at ``time_months``; "median": the published median survival, i.e.
    S(time_months) = 0.5) and ``tag`` (clinical-facts evidence tag: [V1] primary abstract,
    [V2] secondary reproduction, [M] unverified). Scores whose source gives no survival
    probabilities (revised and original Tokuhashi, Tomita, modified Bauer, NESMS) return an empty
    frame; ``attrs["note"]`` says what the source gives instead.
    """
    defn = get_score(name)
    cols = ["group", "time_months", "survival", "source", "statistic", "tag"]
    rows = [dict(zip(["group", "time_months", "survival", "statistic", "source", "tag"], r, strict=False))
            for r in defn.group_survival]
    out = pd.DataFrame(rows, columns=cols)
    out["time_months"] = out["time_months"].astype(float)
    out["survival"] = out["survival"].astype(float)
    out["group"] = pd.Categorical(out["group"], categories=[g for g, _, _ in defn.groups],
                                  ordered=True)
    out.attrs["note"] = defn.group_survival_note
    return out


@dataclass
class Explanation:
    """Item-by-item breakdown of one patient's score (``str()`` for text, ``.table`` for data)."""

    score: str
    title: str
    citation: str
    table: pd.DataFrame
    total: Any
    group: Any
    total_min: Any
    total_max: Any
    options: dict = field(default_factory=dict)
    coerced: list = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def __str__(self) -> str:
        lines = [f"{self.title} -- {self.citation}"]
        t = self.table
        w_item = max(len("item"), *(len(s) for s in t["item"]))
        w_rec = min(64, max(len("recorded"), *(len(s) for s in t["recorded"])))
        lines.append(f"  {'item':<{w_item}}  {'recorded':<{w_rec}}  {'points':>6}  category / decided by")
        for _, r in t.iterrows():
            pts = "NA" if pd.isna(r["points"]) else str(int(r["points"]))
            if pd.isna(r["points"]):
                pts = f"{int(r['min'])}-{int(r['max'])}"
            lines.append(f"  {r['item']:<{w_item}}  {r['recorded'][:w_rec]:<{w_rec}}  {pts:>6}  "
                         f"{r['category']}; {r['decided_by']}")
        if pd.isna(self.total):
            lines.append(f"  total: NA (possible {self.total_min}-{self.total_max}); "
                         f"group: {self.group if not pd.isna(self.group) else 'undetermined'}")
        else:
            lines.append(f"  total: {self.total}; group: {self.group}")
        if self.coerced:
            lines.append(f"  invalid values scored as missing: {self.coerced}")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:  # notebooks
        import html

        head = f"<p><b>{html.escape(self.title)}</b> &mdash; {html.escape(self.citation)}</p>"
        if pd.isna(self.total):
            tail = (f"<p>total: NA (possible {self.total_min}&ndash;{self.total_max}); group: "
                    f"{html.escape(str(self.group)) if not pd.isna(self.group) else 'undetermined'}</p>")
        else:
            tail = f"<p>total: {self.total}; group: {html.escape(str(self.group))}</p>"
        return head + self.table.to_html(index=False, na_rep="NA") + tail


def _recorded(frame: pd.DataFrame, cols: tuple[str, ...]) -> str:
    parts = []
    for c in cols:
        if c not in frame.columns:
            parts.append(f"{c}=<absent>")
        else:
            v = frame[c].iloc[0]
            parts.append(f"{c}={'NA' if pd.isna(v) else v}")
    return ", ".join(parts)


def explain(frame: pd.DataFrame | pd.Series, name: str, *, errors: str = "raise",
            **options) -> Explanation:
    """Explain the score of one patient item by item.

    Parameters
    ----------
    frame : DataFrame with exactly one row (e.g. ``cohort.frame.loc[[i]]``) or a Series (one row).
    name, errors, **options : as in :func:`compute`.

    Returns
    -------
    Explanation
        ``.table`` has one row per item: ``item``, ``description``, ``recorded`` (the canonical
        columns read and their values), ``category`` (published category), ``points``
        (NA if undetermined), ``min``/``max``, and ``decided_by`` (recorded value, or the option /
        default that decided it, with every option in force for that item).
    """
    from ..cohort.cohort import Cohort

    if isinstance(frame, Cohort):
        frame = frame.frame
    if isinstance(frame, pd.Series):
        frame = frame.to_frame().T.infer_objects()
    if not isinstance(frame, pd.DataFrame) or len(frame) != 1:
        n = len(frame) if hasattr(frame, "__len__") else "?"
        raise InputError(f"explain: expected one patient (a one-row DataFrame such as "
                         f"frame.loc[[i]]), got {n} rows")
    defn = get_score(name)
    out, items, opts = run_score(defn, frame, errors, options, detail=True)
    cols = defn.columns(opts)
    rows = []
    for comp, desc in defn.components.items():
        it = items[comp]
        lo, hi = float(it.lo[0]), float(it.hi[0])
        det = lo == hi
        cats = defn.categories.get(comp, {})
        category = cats.get(int(lo), str(int(lo))) if det else (
            "undetermined: " + " .. ".join(cats.get(int(v), str(int(v))) for v in (lo, hi)))
        decided = it.decided[0] if it.decided is not None and it.decided[0] is not None else (
            "recorded value" if det else "missing -> range over possible points")
        related = [f"{k}={opts[k]!r}{' (default)' if opts[k] == defn.options[k].default else ''}"
                   for k in defn.options if comp in _OPTION_COMPONENTS.get(k, ())]
        if related:
            decided += "; options: " + ", ".join(related)
        rows.append({"item": comp, "description": desc, "recorded": _recorded(frame, cols[comp]),
                     "category": category, "points": lo if det else np.nan,
                     "min": lo, "max": hi, "decided_by": decided})
    table = pd.DataFrame(rows)
    table["points"] = table["points"].astype("Float64").astype("Int64")
    table["min"] = table["min"].astype("int64")
    table["max"] = table["max"].astype("int64")
    r = out.iloc[0]
    return Explanation(
        score=name, title=defn.title, citation=defn.citation, table=table,
        total=r[name], group=r[f"{name}_group"], total_min=int(r[f"{name}_min"]),
        total_max=int(r[f"{name}_max"]), options=dict(opts), coerced=out.attrs["coerced"])
