"""Table 1: cohort characteristics overall and by primary site, with missingness.

Continuous variables: median [IQR]; categorical and binary: n (%) of the non-missing values;
every variable has a "missing" line (n (%) of all patients), so missingness is never hidden.
Outcome lines: deaths n (%), median overall survival (Kaplan–Meier, 95% CI) and median
follow-up by the reverse Kaplan–Meier method (Schemper & Smith, Control Clin Trials 1996;17:343),
both from lifelines. No patient identifiers are read.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..cohort.schema import COLUMN_BY_NAME

__all__ = ["table1", "TABLE1_VARIABLES"]

#: (column, label, kind) shown in Table 1 when present in the cohort.
TABLE1_VARIABLES: tuple[tuple[str, str, str], ...] = (
    ("age_years", "Age, years", "continuous"),
    ("sex", "Sex", "categorical"),
    ("kps", "Karnofsky performance status", "continuous"),
    ("ecog", "ECOG performance status", "categorical"),
    ("visceral_mets", "Visceral metastases", "categorical"),
    ("brain_mets", "Brain metastases", "binary"),
    ("extraspinal_bone_mets", "Extraspinal bone metastases, count", "continuous"),
    ("vertebral_mets", "Vertebral bodies involved", "continuous"),
    ("frankel", "Frankel grade", "categorical"),
    ("ambulatory", "Ambulatory", "binary"),
    ("pathological_fracture", "Pathological fracture", "binary"),
    ("prior_chemotherapy", "Prior chemotherapy", "binary"),
    ("targeted_therapy", "Targeted / hormonal therapy", "binary"),
    ("albumin_g_dl", "Albumin, g/dL", "continuous"),
    ("crp_mg_dl", "CRP, mg/dL", "continuous"),
    ("egfr", "EGFR (lung primaries)", "categorical"),
    ("alk", "ALK (lung primaries)", "categorical"),
    ("er", "ER (breast primaries)", "categorical"),
    ("her2", "HER2 (breast primaries)", "categorical"),
    ("castration", "Castration status (prostate primaries)", "categorical"),
    ("braf", "BRAF (melanoma primaries)", "categorical"),
)

#: Molecular markers are described within the primary they belong to (the schema leaves them
#: NA elsewhere, which is not "missing").
WITHIN_PRIMARY = {"egfr": "lung", "alk": "lung", "er": "breast", "her2": "breast",
                  "castration": "prostate", "braf": "melanoma"}


def _fmt_n(n: int, d: int) -> str:
    return f"{n} ({100.0 * n / d:.1f}%)" if d else "0 (–)"


def _fmt_cont(s: pd.Series) -> str:
    s = pd.to_numeric(s, errors="coerce").dropna().astype(float)
    if s.empty:
        return "–"
    q1, med, q3 = np.percentile(s.to_numpy(), [25, 50, 75])
    return f"{med:.3g} [{q1:.3g}–{q3:.3g}]"


def _km_median(time: np.ndarray, event: np.ndarray) -> str:
    """Median survival (95% CI): Kaplan-Meier with log-log intervals, R ``survfit``'s median rule."""
    from .._kernels import survival_quantile
    from ..metrics.km import kaplan_meier

    if len(time) == 0:
        return "–"
    km = kaplan_meier(time, event, conf_type="log-log")
    med = survival_quantile(km.time, km.surv)
    lower, upper = km.confint(km.time)
    ci = [survival_quantile(km.time, lower), survival_quantile(km.time, upper)]

    def f(x):
        return "NR" if not np.isfinite(x) else f"{x:.1f}"

    return f"{f(med)} ({f(ci[0])}–{f(ci[1])})"


def _followup(time: np.ndarray, event: np.ndarray) -> str:
    """Median follow-up by reverse Kaplan-Meier (Schemper & Smith, Control Clin Trials 1996;17:343-6)."""
    from .._kernels import product_limit, survival_quantile

    if len(time) == 0 or event.all():
        return "–"
    ut, *_, surv, _ = product_limit(np.asarray(time, float), 1.0 - np.asarray(event, float))
    med = survival_quantile(ut, surv)
    return "NR" if not np.isfinite(med) else f"{med:.1f}"


def table1(frame: pd.DataFrame, *, by: str | None = "primary_site", max_groups: int = 6,
           variables=TABLE1_VARIABLES) -> pd.DataFrame:
    """Characteristics overall and by ``by`` (the ``max_groups`` largest groups; the rest pooled as "other").

    Parameters
    ----------
    frame : DataFrame
        Canonical cohort frame.
    by : str or None
        Grouping column (default primary site); None gives the overall column only.
    max_groups : int
        Largest groups shown separately; smaller ones are pooled under "other (pooled)".

    Returns
    -------
    DataFrame
        Columns ``variable``, ``level``, then ``Overall`` and one column per group, all strings
        (n (%) or median [IQR]); a ``missing`` level per variable. Group headers carry the n.
    """
    groups = _groups(frame, by, max_groups)
    rows = [
        _row(frame, groups, "Deaths", "n (%)", lambda f: _fmt_n(int(f["event"].sum()), len(f))),
        _row(frame, groups, "Overall survival", "median, months (95% CI)",
             lambda f: _km_median(f["time_months"].to_numpy(float), f["event"].to_numpy(int))),
        _row(frame, groups, "Follow-up", "median, months (reverse KM)",
             lambda f: _followup(f["time_months"].to_numpy(float), f["event"].to_numpy(int))),
    ]
    for col, label, kind in variables:
        if col not in frame.columns or col == by:
            continue
        rows += _variable_rows(frame, groups, col, label, kind)
    return pd.DataFrame(rows)


def _groups(frame: pd.DataFrame, by: str | None, max_groups: int) -> list[tuple[str, pd.Series]]:
    """(column header with n, row mask): overall, the ``max_groups`` largest groups, the rest pooled."""
    groups: list[tuple[str, pd.Series]] = [(f"Overall (n={len(frame)})", pd.Series(True, index=frame.index))]
    if by is not None and by in frame.columns and frame[by].notna().any():
        key = frame[by].astype("object").where(frame[by].notna(), "missing")
        counts = key.value_counts()
        top = [g for g in counts.index if g != "missing"][:max_groups]
        rest = ~key.isin(top)
        for g in top:
            m = key == g
            groups.append((f"{g} (n={int(m.sum())})", m))
        if rest.any():
            groups.append((f"remaining sites, pooled (n={int(rest.sum())})", rest))
    return groups


def _row(frame: pd.DataFrame, groups, variable: str, level: str, fn, within=None) -> dict:
    """One table row: ``fn`` of each group's patients (only those of primary ``within`` if given;
    empty where a group has none)."""
    r = {"variable": variable, "level": level}
    for name, mask in groups:
        m = mask.to_numpy()
        if within is not None and "primary_site" in frame.columns:
            m = m & (frame["primary_site"].astype("object") == within).to_numpy()
            if not m.any():
                r[name] = ""
                continue
        r[name] = fn(frame.loc[m])
    return r


def _variable_rows(frame: pd.DataFrame, groups, col: str, label: str, kind: str) -> list[dict]:
    """The rows of one characteristic: median [IQR], "yes", or one per level; then "missing"."""
    within = WITHIN_PRIMARY.get(col)
    s_all = frame[col]
    rows = []
    if kind == "continuous":
        rows.append(_row(frame, groups, label, "median [IQR]", lambda f: _fmt_cont(f[col]), within))
    elif kind == "binary":
        rows.append(_row(frame, groups, label, "yes",
                         lambda f: _fmt_n(int((f[col] == True).sum()), int(f[col].notna().sum())),  # noqa: E712
                         within))
    else:
        spec = COLUMN_BY_NAME.get(col)
        levels = list(spec.categories) if spec is not None and spec.categories else \
            sorted(map(str, s_all.dropna().unique()))
        if col == "ecog":
            levels = [0, 1, 2, 3, 4]
        for lev in levels:
            if not (s_all.astype("object") == lev).any():
                continue
            def share(f, v=lev):
                return _fmt_n(int((f[col].astype("object") == v).sum()), int(f[col].notna().sum()))

            rows.append(_row(frame, groups, label, str(lev), share, within))
    rows.append(_row(frame, groups, label, "missing", lambda f: _fmt_n(int(f[col].isna().sum()), len(f)), within))
    return rows
