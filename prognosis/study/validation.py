"""Internal and external validation, written against a generic estimator interface.

An *estimator factory* is a picklable callable ``factory(seed) -> estimator`` whose estimator
has ``fit(X, y)``, ``predict(X)`` (risk, higher = worse) and ``predict_survival(X, times)``.
A *score function* ``score_fn(estimator, X_eval, y_eval, y_train) -> dict[str, float]``
computes the performance measures of a fitted estimator on evaluation data (``y_train`` is
passed for the IPCW censoring weights of Uno's C / td-AUC / Brier).

Internal validation
-------------------
:func:`bootstrap_optimism` — Harrell's bootstrap optimism correction (Harrell, Lee & Mark,
Stat Med 1996;15:361; Steyerberg, *Clinical Prediction Models*, 2nd ed. 2019, ch. 17):

1. fit on all data, evaluate on all data → *apparent* performance;
2. for b = 1..B draw a bootstrap sample, fit on it, evaluate on it (``boot``) and on the
   original data (``test``); optimism_b = boot − test;
3. corrected = apparent − mean_b(optimism_b).

Confidence intervals: the spread of the *full-data* model's measure over the B bootstrap
samples (``fixed``: the sampling variability of the measure), i.e. its 2.5th and 97.5th
percentiles minus their bootstrap mean, placed around the corrected estimate — a pragmatic
interval (it ignores the variability of the optimism itself, small relative to sampling
variability for B ≥ 200; and it always contains the estimate, which a plain percentile
interval of a biased measure such as ICI would not). Paired differences between two
predictors use the same resamples, so ΔC = C(model) − C(score) gets a paired interval.

Speed: predictions are row-wise, so a replicate predicts once on the original data and takes
the bootstrap sample's predictions by indexing; the full-data fits are predicted once in total.

:func:`repeated_cv` — repeated stratified k-fold cross-validation (mean over all test folds;
no CI, because fold results are not independent — the report says so).

External validation
-------------------
:func:`external_validation` — the development fits evaluated on an independent cohort, plus
transport measures per horizon: calibration-in-the-large (observed/expected) and calibration
slope on cll = log(−log Ŝ(t)) (Austin, Harrell & van Klaveren, Stat Med 2020;39:2714), and a
recalibrated prediction Ŝ_new(t | x) = S0_new(t)^exp(β · cll(x)) from a one-variable Cox model
on the external cohort (logistic-recalibration analogue for survival, Steyerberg ch. 20;
van Houwelingen, Stat Med 2000;19:3401) — the recalibrated measures are in-sample on the
external cohort and labelled as such.

Failed fits inside a replicate are recorded (``ValidationResult.failures``), never dropped
silently; measures are averaged over the replicates that succeeded and ``n_rep`` says how many.
"""
from __future__ import annotations

import contextlib
import functools
import traceback
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._summary import Summary
from ..errors import FeatureEncodingWarning, ProportionalHazardsWarning, ReversedScoreWarning, SeparationWarning
from ..metrics import catalogue
from ..survival_data import make_y, split_y
from .parallel import bootstrap_indices, kfold_indices, run_tasks, task_seeds

__all__ = ["ValidationResult", "bootstrap_optimism", "repeated_cv", "apparent", "external_validation",
           "external_counts", "recalibrate_at", "paired_difference", "EXTERNAL_MIN_DEATHS",
           "EXTERNAL_MIN_DEATHS_HORIZON", "rms_validate", "rms_calibrate_km", "bootstrap_interval", "CI_METHODS"]

ScoreFn = Callable[[object, pd.DataFrame, np.ndarray, np.ndarray], Mapping[str, float]]


def _take(X, idx: np.ndarray):
    if isinstance(X, (pd.DataFrame, pd.Series)):
        return X.iloc[idx].reset_index(drop=True)
    return np.asarray(X)[idx]


@dataclass
class ValidationResult:
    """Apparent, optimism and corrected performance per predictor and measure.

    Attributes
    ----------
    method : str
        ``"bootstrap"`` or ``"cv"``.
    table : DataFrame
        ``predictor, metric, apparent, optimism, corrected, ci_low, ci_high, n_rep``.
    replicates : DataFrame
        ``predictor, metric, replicate, boot, test, fixed`` (one row per replicate).
    fitted : dict
        The estimators fitted on all data.
    failures : DataFrame
        ``replicate, predictor, error`` for fits that failed inside a replicate.
    """

    method: str
    table: pd.DataFrame
    replicates: pd.DataFrame
    fitted: dict
    failures: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["replicate", "predictor", "error"]))
    ci_level: float = 0.95

    def tidy(self) -> pd.DataFrame:
        """:attr:`table` as tidy rows: the legacy key split into ``metric`` (the measure's name
        in :mod:`prognosis.metrics.catalogue`) and ``horizon`` (NaN when horizon-free)."""
        return catalogue.tidy(self.table)

    def summary(self, metric: str | None = None) -> Summary:
        """Apparent and corrected performance with CI per predictor and measure (``metric`` picks one):
        ``str()`` is the text, ``.table`` the DataFrame indexed by (predictor, metric)."""
        t = self.table if metric is None else self.table[self.table["metric"] == metric]
        table = t.set_index(["predictor", "metric"])[["apparent", "corrected", "ci_low", "ci_high"]]
        n = self.replicates["replicate"].nunique() if len(self.replicates) else 0
        title = (f"Internal validation ({self.method}, {n} replicates, {100 * self.ci_level:g}% CI"
                 + (f", {len(self.failures)} failed fits)" if len(self.failures) else ")"))
        return Summary(table=table, title=title)

    def __repr__(self) -> str:
        n = self.replicates["replicate"].nunique() if len(self.replicates) else 0
        return (f"ValidationResult({self.method}, {len(self.fitted)} predictors, {n} replicates, "
                f"{len(self.failures)} failed fits)")


def apparent(factories: Mapping[str, Callable], X, y, score_fn: ScoreFn, *, seed: int = 0) -> tuple[dict, dict]:
    """Fit every factory on all data and evaluate on the same data.

    Returns ``(fitted, scores)`` with ``scores[name] = {metric: value}``.
    """
    scorer = _as_scorer(score_fn)
    fitted, scores = {}, {}
    for i, (name, fac) in enumerate(factories.items()):
        est = fac(seed + i)
        est.fit(X, y)
        fitted[name] = est
        scores[name] = dict(scorer.evaluate(scorer.predict(est, X), y, y))
    return fitted, scores


class _CallableScorer:
    """Adapter giving a plain ``score_fn(est, X, y, y_train)`` the predict/take/evaluate interface."""

    def __init__(self, fn):
        self.fn = fn

    def predict(self, est, X):
        return (est, X)

    @staticmethod
    def take(preds, idx):
        est, X = preds
        return est, _take(X, idx)

    def evaluate(self, preds, y, y_train):
        est, X = preds
        return self.fn(est, X, y, y_train)


def _as_scorer(score_fn):
    return score_fn if hasattr(score_fn, "evaluate") and hasattr(score_fn, "predict") else _CallableScorer(score_fn)


#: Warnings a refit on a resample raises as a matter of course, silenced inside replicates only
#: (a failed fit is still recorded): rare levels absent from the resample (FeatureEncodingWarning,
#: SeparationWarning), a score reversed on a small resample (ReversedScoreWarning) and numerical
#: RuntimeWarnings, lifelines' ConvergenceWarning among them, and a score total's proportional-
#: hazards test on the resample (ProportionalHazardsWarning: the study tests PH once on the full
#: development data, reports it and switches such scores to group Kaplan-Meier). Each would
#: repeat hundreds of times.
_REPLICATE_WARNINGS = (FeatureEncodingWarning, SeparationWarning, ReversedScoreWarning, RuntimeWarning,
                       ProportionalHazardsWarning)


@contextlib.contextmanager
def _refit_warnings():
    """Silence :data:`_REPLICATE_WARNINGS` (and nothing else) inside the block."""
    with warnings.catch_warnings():
        for cls in _REPLICATE_WARNINGS:
            warnings.simplefilter("ignore", cls)
        yield


def _quiet(task):
    """Run a replicate task under :func:`_refit_warnings`."""

    @functools.wraps(task)
    def wrapper(*args, **kwargs):
        with _refit_warnings():
            return task(*args, **kwargs)

    return wrapper


def _collect(out: list) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stack the (rows, failures) pairs returned by replicate / fold tasks into two tables."""
    reps = pd.DataFrame([r for rows, _ in out for r in rows],
                        columns=["predictor", "metric", "replicate", "boot", "test", "fixed"])
    fails = pd.DataFrame([f for _, fl in out for f in fl], columns=["replicate", "predictor", "error"])
    return reps, fails


@_quiet
def _boot_task(b: int, idx: np.ndarray, seed: int, *, factories, X, y, full_preds, scorer) -> tuple[list, list]:
    Xb, yb = _take(X, idx), y[idx]
    rows, fails = [], []
    for i, (name, fac) in enumerate(factories.items()):
        try:
            est = fac(seed + i).fit(Xb, yb)
            p_orig = scorer.predict(est, X)          # predictions are row-wise: the bootstrap
            s_boot = scorer.evaluate(scorer.take(p_orig, idx), yb, yb)  # sample's are p_orig[idx]
            # IPCW weights always from the data evaluated (riskRegression's convention)
            s_test = scorer.evaluate(p_orig, y, y)
            s_fixed = scorer.evaluate(scorer.take(full_preds[name], idx), yb, yb)
        except Exception as exc:  # noqa: BLE001 - recorded and reported, never swallowed silently
            fails.append({"replicate": b, "predictor": name,
                          "error": f"{type(exc).__name__}: {exc}".splitlines()[0][:300]})
            continue
        for m in s_boot:
            rows.append({"predictor": name, "metric": m, "replicate": b, "boot": float(s_boot[m]),
                         "test": float(s_test.get(m, np.nan)), "fixed": float(s_fixed.get(m, np.nan))})
    return rows, fails


def _percentile_ci(x: np.ndarray, level: float) -> tuple[float, float]:
    x = x[np.isfinite(x)]
    if x.size < 2:
        return np.nan, np.nan
    a = (1 - level) / 2
    lo, hi = np.quantile(x, [a, 1 - a])
    return float(lo), float(hi)


CI_METHODS = ("auto", "location_shifted", "fixed", "combined")
#: Chosen from benchmarks/bench_coverage.py (coverage of the fitted model's true performance; 200
#: simulated data sets, n = 200, B = 100, 95% intervals): "combined" covered Harrell C 97.0%, the
#: paired ΔC 93.5% and Brier(12) 95.0% ("fixed": 95.0 / 89.5 / 93.0; "location_shifted": 92.5 /
#: 96.5 / 93.0), but over-covered the calibration slope (98.5%), which "fixed" covered 93.5%
#: ("location_shifted" is degenerate for the slope: a Cox refit's apparent slope is always 1).
#: "auto" therefore uses "fixed" for calibration measures and "combined" for everything else.
CI_METHOD_DEFAULT = "auto"


def _auto_method(metric: str | None) -> str:
    """The interval the measure catalogue names for ``metric`` (a key such as ``"slope@12"``)."""
    return catalogue.auto_interval(metric)


def bootstrap_interval(r: pd.DataFrame, corrected: float, level: float, method: str,
                       metric: str | None = None) -> tuple[float, float]:
    """Interval for an optimism-corrected measure from its replicates (columns boot, test, fixed).

    ``"location_shifted"`` (Noma, Shinozaki, Iba, Teramukai & Furukawa, "Confidence intervals of
    prediction accuracy measures for multivariable prediction models based on the bootstrap-based
    optimism correction methods", Stat Med 2021;40:5691-5701): the percentile interval of the
    *bootstrap-sample apparent* values ``boot`` (model refitted on each resample and evaluated
    on it), shifted by the mean optimism — it carries the variability of the whole modelling
    procedure, refitting included.
    ``"fixed"``: the percentile spread of the full-data model's measure over the resamples,
    re-centred on the corrected estimate — the sampling variability of the measure alone
    (ignores the variability of refitting).
    ``"auto"`` (default): each measure's ``interval`` in the measure catalogue — "fixed" for the
    calibration measures (slope, ICI, E50, E90, O/E), "combined" for the others — the choice of
    benchmarks/bench_coverage.py (see :data:`CI_METHOD_DEFAULT`).
    ``"combined"``: corrected ± z · sqrt(var(fixed) + var(test)) — the sampling variance of the
    measure plus the variance of the refitted models' performance on the original data (the
    refitting variability that "fixed" ignores). Unlike "location_shifted" it is not degenerate
    for the calibration slope, whose bootstrap-sample apparent value is 1 for every Cox refit.
    """
    if method not in CI_METHODS:
        raise ValueError(f"ci_method must be one of {CI_METHODS}, got {method!r}")
    if method == "auto":
        method = _auto_method(metric)
    if method == "location_shifted":
        b = r["boot"].to_numpy(dtype=float)
        ok = np.isfinite(b) & np.isfinite(r["test"].to_numpy(dtype=float))
        opt = float((r["boot"] - r["test"]).to_numpy(dtype=float)[ok].mean()) if ok.any() else np.nan
        lo, hi = _percentile_ci(b[ok], level)
        return lo - opt, hi - opt
    fx = r["fixed"].to_numpy(dtype=float)
    fx = fx[np.isfinite(fx)]
    if method == "combined":
        from scipy.stats import norm

        te = r["test"].to_numpy(dtype=float)
        te = te[np.isfinite(te)]
        if fx.size < 2 or te.size < 2:
            return np.nan, np.nan
        half = float(norm.ppf(0.5 + level / 2)) * float(np.sqrt(fx.var(ddof=1) + te.var(ddof=1)))
        return corrected - half, corrected + half
    lo, hi = _percentile_ci(fx, level)
    centre = float(fx.mean()) if fx.size else np.nan
    return corrected + (lo - centre), corrected + (hi - centre)


def _bootstrap_table(apparent_scores: dict, reps: pd.DataFrame, ci_level: float, ci_method: str) -> pd.DataFrame:
    rows = []
    by = {k: g for k, g in reps.groupby(["predictor", "metric"], sort=False)}  # noqa: C416 (dict() calls GroupBy.keys, a list)
    empty = pd.DataFrame(columns=["boot", "test", "fixed"], dtype=float)
    for name, sc in apparent_scores.items():
        for m, app in sc.items():
            r = by.get((name, m), empty)
            opt = (r["boot"] - r["test"]).to_numpy(dtype=float)
            opt = opt[np.isfinite(opt)]
            mean_opt = float(opt.mean()) if opt.size else np.nan
            corrected = float(app) - mean_opt
            lo, hi = bootstrap_interval(r, corrected, ci_level, ci_method, m) if opt.size else (np.nan, np.nan)
            rows.append({"predictor": name, "metric": m, "apparent": float(app), "optimism": mean_opt,
                         "corrected": corrected, "ci_low": lo, "ci_high": hi, "n_rep": int(opt.size)})
    return pd.DataFrame(rows, columns=["predictor", "metric", "apparent", "optimism", "corrected",
                                       "ci_low", "ci_high", "n_rep"])


def bootstrap_optimism(factories: Mapping[str, Callable], X, y, score_fn: ScoreFn, *, n_boot: int = 200,
                       seed: int = 0, n_jobs: int = 1, scheduler=None, progress: bool = False,
                       ci_level: float = 0.95, fitted: dict | None = None,
                       apparent_scores: dict | None = None, ci_method: str = CI_METHOD_DEFAULT) -> ValidationResult:
    """Harrell's bootstrap optimism correction for several predictors on the same resamples.

    Parameters
    ----------
    factories : mapping name -> factory(seed) -> estimator
    X : DataFrame or array
        Predictor data (for the study: the canonical frame).
    y : structured array
        Survival outcome (see :mod:`prognosis.survival_data`).
    score_fn : callable
        ``score_fn(estimator, X_eval, y_eval, y_train) -> {metric: value}``.
    n_boot, seed : int
        Replicates and seed; replicate ``b`` uses resample indices and model seeds derived
        from ``(seed, b)`` only, so local, multi-process and Dask runs give the same numbers.
    n_jobs, scheduler, progress
        See :func:`prognosis.study.parallel.run_tasks`.
    fitted, apparent_scores : optional
        Reuse full-data fits and their scores when already computed.
    ci_method : {"location_shifted", "fixed"}
        How the interval is read off the replicates (see :func:`bootstrap_interval`).

    Returns
    -------
    ValidationResult
    """
    t, e = split_y(y)
    y = make_y(t, e)
    scorer = _as_scorer(score_fn)
    if fitted is None or apparent_scores is None:
        fitted, apparent_scores = apparent(factories, X, y, score_fn, seed=seed)
    full_preds = {name: scorer.predict(est, X) for name, est in fitted.items()}
    idx = bootstrap_indices(len(y), n_boot, seed)
    seeds = task_seeds(seed + 1, n_boot)
    fn = functools.partial(_boot_task, factories=dict(factories), X=X, y=y, full_preds=full_preds, scorer=scorer)
    out = run_tasks(fn, [(b, idx[b], seeds[b]) for b in range(n_boot)], n_jobs=n_jobs, scheduler=scheduler,
                    progress=progress, desc="bootstrap")
    reps, fails = _collect(out)
    table = _bootstrap_table(apparent_scores, reps, ci_level, ci_method)
    res = ValidationResult("bootstrap", table, reps, fitted, fails, ci_level)
    res.ci_method = ci_method
    return res


@_quiet
def _cv_task(r: int, f: int, tr: np.ndarray, te: np.ndarray, seed: int, *, factories, X, y, scorer):
    rows, fails = [], []
    Xtr, ytr, yte = _take(X, tr), y[tr], y[te]
    for i, (name, fac) in enumerate(factories.items()):
        try:
            est = fac(seed + i).fit(Xtr, ytr)
            p = scorer.predict(est, X)
            s_te = scorer.evaluate(scorer.take(p, te), yte, yte)
            s_tr = scorer.evaluate(scorer.take(p, tr), ytr, ytr)
        except Exception as exc:  # noqa: BLE001 - recorded and reported
            fails.append({"replicate": r * 1000 + f, "predictor": name,
                          "error": f"{type(exc).__name__}: {exc}".splitlines()[0][:300]})
            continue
        for m in s_te:
            rows.append({"predictor": name, "metric": m, "replicate": r * 1000 + f,
                         "boot": float(s_tr.get(m, np.nan)), "test": float(s_te[m]), "fixed": np.nan})
    return rows, fails


def repeated_cv(factories: Mapping[str, Callable], X, y, score_fn: ScoreFn, *, folds: int = 5, repeats: int = 2,
                seed: int = 0, n_jobs: int = 1, scheduler=None, progress: bool = False,
                fitted: dict | None = None, apparent_scores: dict | None = None) -> ValidationResult:
    """Repeated stratified k-fold cross-validation; ``corrected`` = mean test-fold performance.

    ``optimism`` = apparent − corrected; no confidence interval is given (fold estimates are
    correlated; use the bootstrap scheme for intervals).
    """
    t, e = split_y(y)
    y = make_y(t, e)
    if fitted is None or apparent_scores is None:
        fitted, apparent_scores = apparent(factories, X, y, score_fn, seed=seed)
    splits = kfold_indices(e, folds, repeats, seed)
    seeds = task_seeds(seed + 2, len(splits))
    fn = functools.partial(_cv_task, factories=dict(factories), X=X, y=y, scorer=_as_scorer(score_fn))
    out = run_tasks(fn, [(r, f, tr, te, seeds[k]) for k, (r, f, tr, te) in enumerate(splits)],
                    n_jobs=n_jobs, scheduler=scheduler, progress=progress, desc="cross-validation")
    reps, fails = _collect(out)
    rows = []
    for name, sc in apparent_scores.items():
        for m, app in sc.items():
            r = reps[(reps["predictor"] == name) & (reps["metric"] == m)]["test"].to_numpy(dtype=float)
            r = r[np.isfinite(r)]
            cv = float(r.mean()) if r.size else np.nan
            rows.append({"predictor": name, "metric": m, "apparent": float(app), "optimism": float(app) - cv,
                         "corrected": cv, "ci_low": np.nan, "ci_high": np.nan, "n_rep": int(r.size)})
    table = pd.DataFrame(rows, columns=["predictor", "metric", "apparent", "optimism", "corrected",
                                        "ci_low", "ci_high", "n_rep"])
    return ValidationResult("cv", table, reps, fitted, fails)


def paired_difference(result: ValidationResult, a: str, b: str, metric: str, *,
                      ci_method: str | None = None) -> dict:
    """Δ = metric(a) − metric(b) on the same resamples: apparent, corrected, CI and a two-sided p.

    The bootstrap differences of the full-data fits over the resamples are shifted so that their
    mean is the corrected Δ; the interval is their percentile interval and p is twice the share of
    shifted differences on the other side of 0 (capped at 1), so the two always agree.
    """
    tab = result.table.set_index(["predictor", "metric"])
    app = tab.loc[(a, metric), "apparent"] - tab.loc[(b, metric), "apparent"]
    if result.method == "cv":
        # mean paired difference over the test folds; no interval (folds are correlated)
        reps = result.replicates[result.replicates["metric"] == metric]
        ta = reps[reps["predictor"] == a].set_index("replicate")["test"]
        tb = reps[reps["predictor"] == b].set_index("replicate")["test"]
        d = (ta - tb).dropna().to_numpy(dtype=float)
        return {"predictor": a, "reference": b, "metric": metric, "apparent_delta": float(app),
                "corrected_delta": float(d.mean()) if d.size else np.nan, "ci_low": np.nan, "ci_high": np.nan,
                "p_value": np.nan, "n_rep": int(d.size)}
    cor = tab.loc[(a, metric), "corrected"] - tab.loc[(b, metric), "corrected"]
    reps = result.replicates[result.replicates["metric"] == metric]
    method = ci_method or getattr(result, "ci_method", "fixed")
    if method == "auto":
        method = _auto_method(metric)
    if method == "location_shifted":
        # Noma et al. 2021 applied to the paired difference: the bootstrap-sample apparent Δ
        # (both predictors refitted on the same resample), shifted by the mean Δ optimism
        ba = reps[reps["predictor"] == a].set_index("replicate")
        bb = reps[reps["predictor"] == b].set_index("replicate")
        j = ba.join(bb, lsuffix="_a", rsuffix="_b", how="inner")
        d_boot = (j["boot_a"] - j["boot_b"]).to_numpy(dtype=float)
        d_opt = ((j["boot_a"] - j["test_a"]) - (j["boot_b"] - j["test_b"])).to_numpy(dtype=float)
        ok = np.isfinite(d_boot) & np.isfinite(d_opt)
        d = d_boot[ok]
        # shifted = d_boot − mean Δ-optimism (Noma's shift), written as d − centre + cor
        centre = float(d.mean()) - (float(d.mean()) - float(d_opt[ok].mean()) - float(cor)) if d.size else np.nan
    elif method == "combined":
        # normal draws are not needed: the interval is cor ± z·sqrt(var Δfixed + var Δtest); the
        # p-value is the matching normal one (written out below)
        ra = reps[reps["predictor"] == a].set_index("replicate")
        rb = reps[reps["predictor"] == b].set_index("replicate")
        j = ra.join(rb, lsuffix="_a", rsuffix="_b", how="inner")
        dfx = (j["fixed_a"] - j["fixed_b"]).dropna().to_numpy(dtype=float)
        dte = (j["test_a"] - j["test_b"]).dropna().to_numpy(dtype=float)
        from scipy.stats import norm

        se = float(np.sqrt(dfx.var(ddof=1) + dte.var(ddof=1))) if min(dfx.size, dte.size) >= 2 else np.nan
        z = float(norm.ppf(0.5 + result.ci_level / 2))
        p = float(2 * norm.sf(abs(float(cor)) / se)) if se > 0 else np.nan
        return {"predictor": a, "reference": b, "metric": metric, "apparent_delta": float(app),
                "corrected_delta": float(cor), "ci_low": float(cor) - z * se, "ci_high": float(cor) + z * se,
                "p_value": p, "n_rep": int(min(dfx.size, dte.size))}
    else:
        ra = reps[reps["predictor"] == a].set_index("replicate")["fixed"]
        rb = reps[reps["predictor"] == b].set_index("replicate")["fixed"]
        d = (ra - rb).dropna().to_numpy(dtype=float)
        centre = float(d.mean()) if d.size else np.nan
    # The bootstrap distribution of Δ is re-centred on the optimism-corrected Δ; the interval
    # and the p-value are both read off this same shifted distribution, so p < 0.05 exactly
    # when the 95% interval excludes 0 (up to the discreteness of the percentiles).
    shifted = d - centre + float(cor)
    lo, hi = _percentile_ci(shifted, result.ci_level)
    if d.size >= 2:
        # (1 + count) / (B + 1) (Davison & Hinkley, Bootstrap Methods, 1997, eq. 4.11): a finite
        # bootstrap cannot show p = 0, only p < 2 / (B + 1).
        n_rep = shifted.size
        p = float(min(1.0, 2 * min((1 + np.sum(shifted <= 0)) / (n_rep + 1),
                                   (1 + np.sum(shifted >= 0)) / (n_rep + 1))))
    else:
        p = np.nan
    return {"predictor": a, "reference": b, "metric": metric, "apparent_delta": float(app),
            "corrected_delta": float(cor), "ci_low": float(lo), "ci_high": float(hi),
            "p_value": p, "n_rep": int(d.size)}


def recalibrate_at(surv_dev: np.ndarray, time: np.ndarray, event: np.ndarray,
                   t: float) -> tuple[np.ndarray, float, float]:
    """Recalibrate predicted S(t) on a new cohort: S_new(t|x) = S0_new(t)^exp(β·cll(x)).

    ``cll = log(−log Ŝ(t))`` of the original model; β and the Breslow baseline S0_new are
    estimated by a one-variable Cox model (lifelines, Efron ties) on the new cohort. Returns
    ``(recalibrated S(t), beta, se(beta))``. β is the calibration slope (1 = ideal).
    """
    from lifelines import CoxPHFitter

    # clip only exact 0/1 (log undefined); tiny probabilities are legitimate and keep their cll
    s = np.clip(np.asarray(surv_dev, dtype=float), 1e-300, 1 - 1e-15)
    cll = np.log(-np.log(s))
    df = pd.DataFrame({"cll": cll - cll.mean(), "T": time, "E": event})
    cph = CoxPHFitter().fit(df, "T", "E")
    beta = float(cph.params_["cll"])
    se = float(cph.standard_errors_["cll"])
    sf = cph.predict_survival_function(df[["cll"]], times=[t])
    return sf.to_numpy().ravel(), beta, se


#: Fewer deaths than this in an external cohort: a warning in the output and the report.
#: Collins, Ogundimu & Altman, "Sample size considerations for the external validation of a
#: multivariable prognostic model: a resampling study", Stat Med 2016;35:214-226 (at least 100
#: events); Riley et al., "Minimum sample size for external validation of a clinical prediction
#: model with a binary outcome", Stat Med 2021;40:4230-4251 (often more are needed for a
#: precise calibration slope).
EXTERNAL_MIN_DEATHS = 100
#: Fewer deaths than this before a horizon: the measures at that horizon are flagged (AUC(t),
#: Brier(t), O/E and slope at t rest on these deaths; with < 10 the calibration slope's
#: sampling error is of the order of the slope itself). A documented default, same sources.
EXTERNAL_MIN_DEATHS_HORIZON = 10


def external_counts(y_ext, horizons) -> tuple[pd.DataFrame, list[str]]:
    """Patients, deaths and deaths before each horizon of an external cohort, and the warnings.

    Returns ``(counts, warnings)``: ``counts`` has one row per horizon with ``horizon,
    patients, deaths, deaths_before, censored_before, under_observation_after,
    max_followup, beyond_followup``; ``warnings`` are sentences for the output and the report
    (fewer than :data:`EXTERNAL_MIN_DEATHS` deaths; a horizon with fewer than
    :data:`EXTERNAL_MIN_DEATHS_HORIZON` deaths before it; a horizon beyond follow-up).
    """
    t, e = split_y(y_ext)
    n, d, tmax = int(t.size), int(e.sum()), float(t.max())
    rows, warn = [], []
    if d < EXTERNAL_MIN_DEATHS:
        warn.append(f"The external cohort has {d} deaths (< {EXTERNAL_MIN_DEATHS}): external measures are "
                    f"imprecise and the calibration slope may be badly estimated (Collins et al., Stat Med "
                    f"2016; Riley et al., Stat Med 2021); read the intervals, not the point estimates.")
    for h in horizons:
        h = float(h)
        db = int(((t <= h) & (e == 1)).sum())
        beyond = h > tmax
        rows.append({"horizon": h, "patients": n, "deaths": d, "deaths_before": db,
                     "censored_before": int(((t <= h) & (e == 0)).sum()),
                     "under_observation_after": int((t > h).sum()), "max_followup": tmax,
                     "beyond_followup": bool(beyond)})
        if beyond:
            warn.append(f"Horizon {h:g} months is beyond the external cohort's follow-up ({tmax:.1f} months): "
                        "measures needing S(t) there (AUC, Brier, IPA, O/E, slope, ICI) are not reported.")
        elif db < EXTERNAL_MIN_DEATHS_HORIZON:
            warn.append(f"Only {db} deaths before {h:g} months (< {EXTERNAL_MIN_DEATHS_HORIZON}) in the external "
                        f"cohort: measures at {h:g} months are unreliable.")
    return pd.DataFrame(rows), warn


@_quiet
def _ext_boot_task(b, idx, *, preds, y, scorer):
    """One bootstrap replicate of the external cohort: the fitted models are fixed, patients are
    resampled, every measure is recomputed (censoring weights from the resample itself)."""
    out = []
    for name, p in preds.items():
        sc = scorer.evaluate(scorer.take(p, idx), y[idx], y[idx])
        out.extend((name, m, float(v)) for m, v in sc.items())
    return out


def _error_note(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".splitlines()[0][:300]


def _external_rows(name: str, sc: Mapping[str, float], S: np.ndarray, horizons, tmax: float) -> list[dict]:
    """One row per measure key of one predictor; a measure at a horizon beyond the external (or
    the development) follow-up is NaN (external) or flagged (development) with the reason."""
    hs = [float(h) for h in horizons]
    rows = []
    for m, v in sc.items():
        h = catalogue.parse_key(m)[1]
        note = ""
        if np.isfinite(h) and h > tmax:
            v, note = np.nan, f"horizon beyond the external follow-up ({tmax:.1f})"
        elif np.isfinite(h) and not np.isfinite(S[:, hs.index(h)]).all():
            note = "horizon beyond the development follow-up"
        rows.append({"predictor": name, "metric": m, "value": float(v), "note": note})
    return rows


def _transport_row(name: str, h: float, s: np.ndarray, t_ext, e_ext, km, tmax: float, calibration_fn) -> dict:
    """O/E, calibration slope and ICI before/after recalibration of one predictor at horizon h."""
    row = {"predictor": name, "horizon": h, "observed": np.nan, "expected": np.nan, "oe_ratio": np.nan,
           "slope": np.nan, "slope_se": np.nan, "ici_before": np.nan, "ici_after": np.nan,
           "deaths_before": int(((t_ext <= h) & (e_ext == 1)).sum()), "note": ""}
    if h > tmax:
        row["note"] = f"not reported: horizon beyond the external follow-up ({tmax:.1f})"
        return row
    if not np.isfinite(s).all():
        row["note"] = "not reported: horizon beyond the development follow-up"
        return row
    obs = 1.0 - float(np.asarray(km(np.array([h]))).ravel()[0])
    exp = float(np.mean(1 - s))
    s_new, beta, se = recalibrate_at(s, t_ext, e_ext, h)
    row.update(observed=obs, expected=exp, oe_ratio=obs / exp if exp > 0 else np.nan, slope=beta, slope_se=se)
    if calibration_fn is not None:
        try:
            row["ici_before"] = float(calibration_fn(t_ext, e_ext, s, h).ici)
            row["ici_after"] = float(calibration_fn(t_ext, e_ext, s_new, h).ici)
        except Exception:  # noqa: BLE001 - leave NaN, and say so in the traceback note
            row["note"] = traceback.format_exc(limit=1).splitlines()[-1][:200]
    return row


def _external_intervals(metrics: pd.DataFrame, preds: dict, y_ext, scorer, *, n_boot: int, seed: int,
                        ci_level: float, n_jobs: int, scheduler, progress: bool) -> None:
    """Percentile bootstrap intervals (patients resampled, fits fixed) written into ``metrics``."""
    idx = bootstrap_indices(len(y_ext), int(n_boot), seed)
    fn = functools.partial(_ext_boot_task, preds=preds, y=y_ext, scorer=scorer)
    out = run_tasks(fn, [(b, idx[b]) for b in range(int(n_boot))], n_jobs=n_jobs, scheduler=scheduler,
                    progress=progress, desc="external bootstrap")
    reps = pd.DataFrame([r for rows in out for r in rows], columns=["predictor", "metric", "value"])
    grp = {k: g["value"].to_numpy(float) for k, g in reps.groupby(["predictor", "metric"], sort=False)}
    for i, r in metrics.iterrows():
        x = grp.get((r["predictor"], r["metric"]))
        if x is None or not np.isfinite(r["value"]):
            continue
        lo, hi = _percentile_ci(x, ci_level)
        metrics.loc[i, ["ci_low", "ci_high"]] = lo, hi
        metrics.loc[i, "n_rep"] = int(np.isfinite(x).sum())


def _transport_table(trows: list, metrics: pd.DataFrame) -> pd.DataFrame:
    """Transport rows with the bootstrap intervals of O/E and slope taken from ``metrics``."""
    transport = pd.DataFrame(trows)
    if not len(transport):
        return transport
    ci = metrics.set_index(["predictor", "metric"])
    for a, col in (("oe", "oe_ratio"), ("slope", "slope")):
        keys = [(p_, catalogue.key(col, h)) for p_, h in zip(transport["predictor"], transport["horizon"], strict=True)]
        transport[f"{a}_ci_low"] = [ci["ci_low"].get(k, np.nan) for k in keys]
        transport[f"{a}_ci_high"] = [ci["ci_high"].get(k, np.nan) for k in keys]
    return transport[["predictor", "horizon", "deaths_before", "observed", "expected", "oe_ratio",
                      "oe_ci_low", "oe_ci_high", "slope", "slope_se", "slope_ci_low", "slope_ci_high",
                      "ici_before", "ici_after", "note"]]


def external_validation(fitted: Mapping[str, object], X_ext, y_ext, y_dev, score_fn: ScoreFn,
                        horizons, *, calibration_fn=None, n_boot: int = 200, seed: int = 0,
                        ci_level: float = 0.95, n_jobs: int = 1, scheduler=None,
                        progress: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Evaluate development fits on an external cohort and recalibrate them per horizon.

    Every measure uses the external cohort's own censoring distribution for its IPCW weights
    (riskRegression's convention; ``y_dev`` is accepted for backward compatibility and not used
    for weights). Measures at a horizon beyond the external follow-up are not reported (NaN
    with the reason in ``note``). Every measure gets a percentile bootstrap interval from
    ``n_boot`` resamples of the external patients with the development fits held fixed — the
    sampling uncertainty of external performance (Steyerberg, *Clinical Prediction Models*,
    2nd ed. 2019, ch. 19); ``n_boot=0`` gives no intervals.

    Returns
    -------
    metrics : DataFrame
        ``predictor, metric, value, ci_low, ci_high, n_rep, note`` on the external cohort
        (``metric`` holds the legacy key ``"<name>@<h>"``; :func:`prognosis.metrics.catalogue.tidy`
        splits it into measure and horizon).
    transport : DataFrame
        ``predictor, horizon, observed, expected, oe_ratio, oe_ci_low, oe_ci_high, slope,
        slope_se, slope_ci_low, slope_ci_high, ici_before, ici_after, deaths_before, note`` where
        observed = 1 − KM(t) on the external cohort, expected = mean predicted risk, slope =
        calibration slope on cll, ici_* = ICI before/after recalibration (after = in-sample on
        the external cohort). ``calibration_fn(time, event, surv, t)`` must return an object
        with ``.ici``; when None ICI is omitted.

    Counts of patients and deaths and the small-sample warnings: :func:`external_counts`.
    """
    from ..metrics import kaplan_meier
    from .scoring import predict_survival_truncated

    t_ext, e_ext = split_y(y_ext)
    y_ext = make_y(t_ext, e_ext)
    tmax = float(t_ext.max())
    km = kaplan_meier(t_ext, e_ext)
    mrows, trows, preds = [], [], {}
    scorer = _as_scorer(score_fn)
    for name, est in fitted.items():
        try:
            p = scorer.predict(est, X_ext)
            sc = scorer.evaluate(p, y_ext, y_ext)
            S = predict_survival_truncated(est, X_ext, horizons)
        except Exception as exc:  # noqa: BLE001 - reported in the table
            mrows.append({"predictor": name, "metric": "error", "value": np.nan, "note": _error_note(exc)})
            continue
        preds[name] = p
        mrows += _external_rows(name, sc, S, horizons, tmax)
        trows += [_transport_row(name, float(h), S[:, j], t_ext, e_ext, km, tmax, calibration_fn)
                  for j, h in enumerate(horizons)]
    metrics = pd.DataFrame(mrows, columns=["predictor", "metric", "value", "note"])
    metrics["ci_low"], metrics["ci_high"], metrics["n_rep"] = np.nan, np.nan, 0
    if n_boot and preds:
        _external_intervals(metrics, preds, y_ext, scorer, n_boot=n_boot, seed=seed, ci_level=ci_level,
                            n_jobs=n_jobs, scheduler=scheduler, progress=progress)
    metrics = metrics[["predictor", "metric", "value", "ci_low", "ci_high", "n_rep", "note"]]
    return metrics, _transport_table(trows, metrics)


def rms_validate(factory: Callable, X, y, *, n_boot: int = 200, seed: int = 0) -> pd.DataFrame:
    """``rms::validate(fit, method = "boot")`` for any model with a linear predictor / risk score.

    Indices of :func:`prognosis.metrics.rms_indices` (Dxy, R², slope, D, U, Q, g): the apparent
    index of the full-data fit, and for ``n_boot`` resamples the index of the refit on its own
    resample (``training``, apparent convention) and on the original data (``test``);
    optimism = mean(training − test), corrected = apparent − optimism (Harrell, Lee & Mark, Stat
    Med 1996). ``factory(seed)`` returns an unfitted estimator whose ``predict`` is the risk
    (higher = worse; for a Cox model its linear predictor). Resamples come from
    :func:`~prognosis.study.parallel.bootstrap_indices` (seeded), so they differ from R's: the
    corrected indices agree with ``rms::validate`` within Monte-Carlo noise (tested, tolerance
    from 20 R runs).

    Returns a DataFrame indexed by index name with ``index.orig, training, test, optimism,
    index.corrected, n`` — rms's layout.
    """
    from ..metrics.rms_indices import RMS_INDICES, rms_indices

    t, e = split_y(y)
    y = make_y(t, e)
    full = factory(seed).fit(X, y)
    orig = rms_indices(t, e, np.asarray(full.predict(X), float), apparent=True)
    train, test = [], []
    for b, idx in enumerate(bootstrap_indices(len(y), n_boot, seed)):
        try:
            with _refit_warnings():
                est = factory(seed + 1 + b).fit(_take(X, idx), y[idx])
                tr = rms_indices(t[idx], e[idx], np.asarray(est.predict(_take(X, idx)), float), apparent=True)
                te = rms_indices(t, e, np.asarray(est.predict(X), float))
        except Exception:  # noqa: BLE001 - a failed resample is counted in n, as rms does
            continue
        train.append(tr)
        test.append(te)
    tr, te = pd.DataFrame(train, columns=RMS_INDICES), pd.DataFrame(test, columns=RMS_INDICES)
    opt = (tr - te).mean()
    out = pd.DataFrame({"index.orig": pd.Series(orig)[list(RMS_INDICES)], "training": tr.mean(), "test": te.mean(),
                        "optimism": opt})
    out["index.corrected"] = out["index.orig"] - out["optimism"]
    out["n"] = len(tr)
    return out


def _group_km(surv: np.ndarray, t: np.ndarray, e: np.ndarray, u: float, cuts: np.ndarray):
    """``Hmisc::groupkm``: groups of predicted S(u) by ``cuts`` (intervals [c_k, c_k+1), the last
    closed), each with mean predicted S(u) and the Kaplan–Meier S(u) of its patients (NaN when
    the group's follow-up ends before u with S > 0)."""
    from ..metrics.km import _km

    k = np.clip(np.searchsorted(cuts, surv, side="right") - 1, 0, cuts.size - 2)
    x, km_u = np.full(cuts.size - 1, np.nan), np.full(cuts.size - 1, np.nan)
    for j in range(cuts.size - 1):
        m = k == j
        if not m.any():
            continue
        x[j] = float(surv[m].mean())
        km = _km(t[m], e[m])
        if u <= km.time[-1] or float(km(km.time[-1])) == 0.0:
            km_u[j] = float(km(u))
    return x, km_u


def rms_calibrate_km(factory: Callable, X, y, u: float, *, m: int = 50, n_boot: int = 200,
                     seed: int = 0) -> pd.DataFrame:
    """``rms::calibrate(fit, cmethod = "KM", u, m, B)``: bootstrap-corrected grouped calibration.

    Patients are grouped by the full-data fit's predicted S(u) into ``floor(n / m)`` quantile
    groups (cuts from the quantiles of (0, 1, S(u)), as rms); per group the Kaplan–Meier S(u)
    ("KM") is set against the mean predicted S(u). For each of ``n_boot`` resamples the model is
    refitted and the error KM − predicted is computed per group (same cuts) on the resample
    (training) and on the original data (test); KM.corrected = KM − mean(training − test).
    Agrees with ``rms::calibrate`` within Monte-Carlo noise (tests/metrics/test_rms_validate.py).

    Returns a DataFrame, one row per group: ``index.orig, training, test, mean.optimism,
    mean.predicted, KM, KM.corrected, n`` (rms's columns).
    """
    from .scoring import predict_survival_truncated

    t, e = split_y(y)
    y = make_y(t, e)
    full = factory(seed).fit(X, y)
    s = predict_survival_truncated(full, X, [u])[:, 0]
    g = max(1, len(s) // int(m))
    cuts = np.unique(np.quantile(np.r_[0.0, 1.0, s], np.linspace(0, 1, g + 1)))
    x0, km0 = _group_km(s, t, e, u, cuts)
    tr, te = [], []
    for b, idx in enumerate(bootstrap_indices(len(y), n_boot, seed)):
        try:
            with _refit_warnings():
                est = factory(seed + 1 + b).fit(_take(X, idx), y[idx])
                sb = predict_survival_truncated(est, _take(X, idx), [u])[:, 0]
                so = predict_survival_truncated(est, X, [u])[:, 0]
        except Exception:  # noqa: BLE001 - a failed resample is not counted
            continue
        xb, kb = _group_km(sb, t[idx], e[idx], u, cuts)
        xo, ko = _group_km(so, t, e, u, cuts)
        tr.append(kb - xb)
        te.append(ko - xo)
    tr, te = np.array(tr), np.array(te)
    d = tr - te
    opt = np.array([np.nanmean(d[:, j]) if np.isfinite(d[:, j]).any() else np.nan for j in range(d.shape[1])])
    return pd.DataFrame({"index.orig": km0 - x0, "training": np.nanmean(tr, axis=0), "test": np.nanmean(te, axis=0),
                         "mean.optimism": opt, "mean.predicted": x0, "KM": km0, "KM.corrected": km0 - opt,
                         "n": np.isfinite(d).sum(axis=0)})
