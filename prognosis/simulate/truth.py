"""The true model behind simulated cohorts: design, linear predictor, S(t | x) and the oracle.

Hazard model (see ``parameters.yaml``)::

    S(t | x) = exp(-(t ** shape) * exp(true_lp))
    true_lp  = alpha[primary_site] + sum_j log(HR_j) * x_j

with the covariate coding of :func:`true_design`. ``true_lp`` and ``true_weibull_shape`` are
stored as columns of every simulated frame (and of the demo CSVs), so :func:`true_survival`
and :func:`oracle` work on a frame loaded back from disk without the generator's state.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._summary import Summary
from ..errors import InputError
from ..survival_data import split_y

__all__ = [
    "DESIGN_COLUMNS",
    "MOLECULAR_DESIGN_COLUMNS",
    "CODING",
    "log_hazard_ratios",
    "truth_table",
    "true_design",
    "true_linear_predictor",
    "true_survival",
    "oracle",
    "OracleResult",
]

#: Columns of :func:`true_design`, in order; names are the keys of ``hazard_ratios``.
DESIGN_COLUMNS = (
    "kps_per_10_lower", "age_per_10_years", "male", "visceral_removable", "visceral_unremovable",
    "brain_mets", "non_ambulatory", "extraspinal_bone_mets_any", "multiple_vertebral_mets",
    "albumin_per_g_dl_below_3_5", "targeted_therapy", "lung_actionable", "targeted_x_lung_actionable",
    "breast_triple_negative", "breast_her2_positive", "prostate_castration_resistant", "melanoma_braf_v600",
)

#: The molecular terms of the design (scaled by ``molecular_effect_scale``).
MOLECULAR_DESIGN_COLUMNS = (
    "lung_actionable", "targeted_x_lung_actionable", "breast_triple_negative", "breast_her2_positive",
    "prostate_castration_resistant", "melanoma_braf_v600",
)


#: Human-readable coding of each design term (x_j of the true model).
CODING = {
    "kps_per_10_lower": "(100 - kps) / 10",
    "age_per_10_years": "(age_years - 60) / 10",
    "male": "sex == male",
    "visceral_removable": "visceral_mets == removable",
    "visceral_unremovable": "visceral_mets == unremovable",
    "brain_mets": "brain_mets",
    "non_ambulatory": "not ambulatory",
    "extraspinal_bone_mets_any": "extraspinal_bone_mets >= 1",
    "multiple_vertebral_mets": "vertebral_mets >= 2",
    "albumin_per_g_dl_below_3_5": "max(0, 3.5 - albumin_g_dl)  [non-linear hinge]",
    "targeted_therapy": "targeted_therapy",
    "lung_actionable": "lung & (egfr == mutant | alk == rearranged | ros1 == rearranged)",
    "targeted_x_lung_actionable": "targeted_therapy * lung_actionable  [interaction]",
    "breast_triple_negative": "breast & er, pr, her2 all negative",
    "breast_her2_positive": "breast & her2 == positive",
    "prostate_castration_resistant": "prostate & castration == resistant",
    "melanoma_braf_v600": "melanoma & braf == v600",
}


def truth_table(preset: str = "surgical", **params) -> pd.DataFrame:
    """The true hazard model of a preset as a table (for reports and teaching).

    Returns
    -------
    DataFrame
        One row per term: ``term``, ``coding``, ``hazard_ratio`` (after
        ``molecular_effect_scale``), ``log_hr``, ``tag``, ``source``; then one row per primary
        site with ``term = "site:<name>"``, ``log_hr = alpha[site]`` (log baseline scale) and the
        target marginal median in ``coding``.
    """
    from .generator import site_alphas
    from .params import load_parameters, raw_parameters

    p = load_parameters(preset, **params)
    raw = raw_parameters()["hazard_ratios"]
    beta = log_hazard_ratios(p)
    rows = [{"term": c, "coding": CODING[c], "hazard_ratio": float(np.exp(beta[c])), "log_hr": beta[c],
             "tag": raw[c]["tag"], "source": raw[c]["source"]} for c in DESIGN_COLUMNS]
    med = raw_parameters()["presets"][preset]["median_months"]
    for site, a in site_alphas(p).items():
        rows.append({"term": f"site:{site}", "coding": f"marginal median {p['median_months'][site]:g} months",
                     "hazard_ratio": float(np.exp(a)), "log_hr": a, "tag": med["tag"], "source": med["source"]})
    return pd.DataFrame(rows)


def log_hazard_ratios(params: dict) -> dict:
    """True log-HR of each :data:`DESIGN_COLUMNS` term for resolved simulator ``params``."""
    scale = float(params.get("molecular_effect_scale", 1.0))
    return {c: float(np.log(params["hazard_ratios"][c])) * (scale if c in MOLECULAR_DESIGN_COLUMNS else 1.0)
            for c in DESIGN_COLUMNS}


def _arr(frame, name: str) -> np.ndarray:
    """Column ``name`` of a DataFrame or a dict of arrays, as float (numeric) or object array."""
    s = frame[name]
    if isinstance(s, pd.Series):
        if pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
            return s.to_numpy(dtype=float, na_value=np.nan)
        return s.to_numpy(dtype=object)
    return np.asarray(s)


def _flag(frame, name: str, value) -> np.ndarray:
    """1.0 where the column equals ``value``, 0.0 where different, NaN where missing."""
    arr = np.asarray(_arr(frame, name), dtype=object)
    out = (arr == value).astype(float)
    out[pd.isna(arr)] = np.nan
    return out


def _num(frame, name: str) -> np.ndarray:
    arr = _arr(frame, name)
    if arr.dtype.kind in "fiub":
        return arr.astype(float)
    return pd.to_numeric(pd.Series(arr, dtype=object), errors="coerce").to_numpy(dtype=float)


def true_design(frame) -> pd.DataFrame:
    """The covariate coding of the true hazard model, one column per hazard ratio.

    Parameters
    ----------
    frame : DataFrame (or dict of equal-length arrays with the canonical column names)
        Canonical cohort frame. Missing inputs give NaN in the affected columns; a marker
        recorded as ``unknown`` counts as "not positive" (0) inside its primary site.

    Returns
    -------
    DataFrame
        Indexed like ``frame`` with the columns :data:`DESIGN_COLUMNS`:
        ``(100 - kps)/10``, ``(age_years - 60)/10``, ``sex == male``, ``visceral_mets ==
        removable``, ``== unremovable``, ``brain_mets``, ``not ambulatory``,
        ``extraspinal_bone_mets >= 1``, ``vertebral_mets >= 2``, ``max(0, 3.5 - albumin_g_dl)``,
        ``targeted_therapy``, lung & (EGFR mutant | ALK or ROS1 rearranged), its product with
        targeted therapy, breast & ER-, PR-, HER2- (triple negative), breast & HER2+, prostate &
        castration resistant, melanoma & BRAF V600.
    """
    site = np.asarray(_arr(frame, "primary_site"), dtype=object)
    site_na = pd.isna(site)
    d: dict[str, np.ndarray] = {}
    d["kps_per_10_lower"] = (100.0 - _num(frame, "kps")) / 10.0
    d["age_per_10_years"] = (_num(frame, "age_years") - 60.0) / 10.0
    d["male"] = _flag(frame, "sex", "male")
    d["visceral_removable"] = _flag(frame, "visceral_mets", "removable")
    d["visceral_unremovable"] = _flag(frame, "visceral_mets", "unremovable")
    d["brain_mets"] = _num(frame, "brain_mets")
    d["non_ambulatory"] = 1.0 - _num(frame, "ambulatory")
    es = _num(frame, "extraspinal_bone_mets")
    d["extraspinal_bone_mets_any"] = np.where(np.isnan(es), np.nan, (es >= 1).astype(float))
    vm = _num(frame, "vertebral_mets")
    d["multiple_vertebral_mets"] = np.where(np.isnan(vm), np.nan, (vm >= 2).astype(float))
    alb = _num(frame, "albumin_g_dl")
    d["albumin_per_g_dl_below_3_5"] = np.where(np.isnan(alb), np.nan, np.maximum(0.0, 3.5 - alb))
    tt = _num(frame, "targeted_therapy")
    d["targeted_therapy"] = tt

    def within(name: str, flags: np.ndarray) -> np.ndarray:
        out = np.where(site == name, np.nan_to_num(flags, nan=0.0), 0.0)
        return np.where(site_na, np.nan, out)

    lung_act = (np.nan_to_num(_flag(frame, "egfr", "mutant")) + np.nan_to_num(_flag(frame, "alk", "rearranged"))
                + np.nan_to_num(_flag(frame, "ros1", "rearranged"))) > 0
    d["lung_actionable"] = within("lung", lung_act.astype(float))
    d["targeted_x_lung_actionable"] = d["lung_actionable"] * tt
    tn = (
        (_flag(frame, "er", "negative") == 1)
        & (_flag(frame, "pr", "negative") == 1)
        & (_flag(frame, "her2", "negative") == 1)
    )
    d["breast_triple_negative"] = within("breast", tn.astype(float))
    d["breast_her2_positive"] = within("breast", np.nan_to_num(_flag(frame, "her2", "positive")))
    d["prostate_castration_resistant"] = within("prostate", np.nan_to_num(_flag(frame, "castration", "resistant")))
    d["melanoma_braf_v600"] = within("melanoma", np.nan_to_num(_flag(frame, "braf", "v600")))
    index = frame.index if isinstance(frame, pd.DataFrame) else None
    return pd.DataFrame({c: d[c] for c in DESIGN_COLUMNS}, index=index)


def true_linear_predictor(frame: pd.DataFrame, log_hr: dict, alpha: dict) -> np.ndarray:
    """``alpha[primary_site] + true_design(frame) @ log_hr`` (NaN where an input is missing)."""
    design = true_design(frame).to_numpy(dtype=float)
    beta = np.array([log_hr[c] for c in DESIGN_COLUMNS], dtype=float)
    site = frame["primary_site"].astype("object").to_numpy()
    a = np.array([alpha.get(s, np.nan) if isinstance(s, str) else np.nan for s in site], dtype=float)
    return a + design @ beta


def _truth_arrays(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    missing = {"true_lp", "true_weibull_shape"} - set(frame.columns)
    if missing:
        raise InputError(f"frame lacks the simulation truth column(s) {sorted(missing)}; "
                         "true survival exists only for cohorts made by prognosis.simulate")
    lp = pd.to_numeric(frame["true_lp"], errors="coerce").to_numpy(dtype=float)
    k = pd.to_numeric(frame["true_weibull_shape"], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(np.isnan(lp) | np.isnan(k))
    if bad.size:
        raise InputError(f"true_lp / true_weibull_shape missing at row {int(bad[0])} (and {bad.size - 1} more)")
    return lp, k


def true_survival(frame: pd.DataFrame, times) -> pd.DataFrame:
    """True S(t | x) of each simulated patient.

    Parameters
    ----------
    frame : DataFrame
        A simulated frame (or one loaded back from a demo CSV) with ``true_lp`` and
        ``true_weibull_shape``.
    times : array-like of float
        Times in months (>= 0).

    Returns
    -------
    DataFrame
        Rows = patients (index of ``frame``), columns = ``times``. This is survival from the
        time origin; for a patient with delayed entry, survival given alive at entry is
        ``S(t) / S(entry_months)``.
    """
    lp, k = _truth_arrays(frame)
    t = np.atleast_1d(np.asarray(times, dtype=float))
    if np.isnan(t).any() or (t < 0).any():
        raise InputError(f"times must be >= 0 months, got {t.tolist()}")
    surv = np.exp(-np.power(t[None, :], k[:, None]) * np.exp(lp)[:, None])
    return pd.DataFrame(surv, index=frame.index, columns=t)


@dataclass
class OracleResult:
    """Best achievable performance on a simulated cohort.

    Attributes
    ----------
    c_index : float
        Harrell's C of ``true_lp`` on the observed (censored) outcomes.
    times : ndarray
        Times (months) of ``survival``.
    survival : DataFrame
        True S(t | x): rows = patients, columns = times.
    n, events : int
    """

    c_index: float
    times: np.ndarray
    survival: pd.DataFrame = field(repr=False)
    n: int = 0
    events: int = 0

    def summary(self) -> Summary:
        """True C and mean true S(t): ``str()`` is the text, ``.table`` mean S(t) per time."""
        ts = ", ".join(f"{t:g}" for t in self.times)
        mean = self.survival.mean(axis=0)
        mean_s = ", ".join(f"{v:.3f}" for v in mean.to_numpy())
        table = pd.DataFrame({"mean_true_survival": mean.to_numpy()},
                             index=pd.Index(np.asarray(self.times, dtype=float), name="time_months"))
        return Summary(f"Oracle (true model) on {self.n} patients, {self.events} deaths\n"
                       f"  Harrell C of true_lp: {self.c_index:.4f}\n"
                       f"  mean true S(t) at t = {ts} months: {mean_s}", table)

    def __repr__(self) -> str:
        return f"OracleResult(c_index={self.c_index:.4f}, n={self.n}, events={self.events}, times={list(self.times)})"


def _harrell_c(time: np.ndarray, event: np.ndarray, risk: np.ndarray) -> float:
    # Harrell's C as in scikit-survival (ties in risk count 1/2, tied times handled as in
    # survival::concordance); the package's own metrics module is not imported so that
    # simulate stays a leaf stage of the one-way data flow.
    from sksurv.metrics import concordance_index_censored

    return float(concordance_index_censored(event.astype(bool), time, risk)[0])


def oracle(frame_or_cohort, times=None) -> OracleResult:
    """True C-index and true S(t) of a simulated cohort (the best any model can do).

    Parameters
    ----------
    frame_or_cohort : Cohort or DataFrame
        Simulated cohort (needs ``true_lp``, ``true_weibull_shape``, ``time_months``, ``event``).
    times : array-like, optional
        Months for S(t); default 3, 6, 12 and 24.
    """
    frame = getattr(frame_or_cohort, "frame", frame_or_cohort)
    lp, _ = _truth_arrays(frame)
    time, event = split_y(frame[["time_months", "event"]])
    times = np.asarray([3.0, 6.0, 12.0, 24.0] if times is None else np.atleast_1d(times), dtype=float)
    c = _harrell_c(time, event, lp)
    return OracleResult(
        c_index=c, times=times, survival=true_survival(frame, times), n=len(frame), events=int(event.sum())
    )
