"""Performance of a model before and after updating on a new cohort (CLI ``update`` and studies).

:func:`update_performance` evaluates the original model on the new cohort (Harrell C, and at
each horizon the calibration slope and observed/expected ratio of
:func:`prognosis.metrics.calibration`) and the updated model on the same cohort. The updated
model's figures are *apparent* (it was fitted there). For ``"revision"``, ``"refit"`` and
``"auto"`` they are also corrected for optimism with Harrell's bootstrap
(:func:`prognosis.study.validation.bootstrap_optimism`): in every replicate the whole update
(including the closed-testing choice and the selection of revised columns) is repeated on the
resample, so the correction accounts for the selection too.

:func:`validation_size_check` compares the cohort with the minimum external-validation sample
size of :func:`prognosis.samplesize.validation` computed from the cohort's own event risk,
event fraction, C and linear-predictor spread.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import PrognosisError
from ..survival_data import make_y, split_y

__all__ = ["UpdatingEstimator", "update_performance", "update_scores", "validation_size_check"]


class UpdatingEstimator:
    """``fit(X, y)`` = :func:`prognosis.models.update` of a fixed original model (for the bootstrap)."""

    def __init__(self, original, method: str = "auto", alpha: float = 0.05, revise=None):
        self.original, self.method, self.alpha, self.revise = original, method, alpha, revise

    def fit(self, X, y):
        from ..models import update

        self.model_, self.report_ = update(self.original, X, y, method=self.method, alpha=self.alpha,
                                           revise=self.revise)
        return self

    def predict(self, X):
        return self.model_.predict(X)

    def predict_survival(self, X, times, truncate: bool = False):
        return self.model_.predict_survival(X, times, truncate=truncate)


def update_scores(horizons):
    """``score_fn(model, X, y, y_train) -> {metric: value}``: Harrell C, and slope and O/E per horizon.

    A metric that cannot be computed on a (resampled) cohort is NaN, never a guess.
    """
    from ..metrics import calibration, harrell_c

    hs = [float(h) for h in horizons]

    def score(model, X, y, y_train=None):
        t, e = split_y(y)
        out = {"harrell_c": float(harrell_c(t, e, model.predict(X), warn_reversed=False))}
        surv = model.predict_survival(X, hs, truncate=True)
        for h in hs:
            s = surv[h].to_numpy(dtype=float)
            try:
                if not np.isfinite(s).all() or h > t.max():
                    raise PrognosisError("horizon beyond follow-up")
                c = calibration(t, e, s, t=h)
                out[f"calibration_slope@{h:g}"], out[f"oe_ratio@{h:g}"] = c.slope, c.oe_ratio
            except PrognosisError:
                out[f"calibration_slope@{h:g}"], out[f"oe_ratio@{h:g}"] = np.nan, np.nan
        return out

    return score


def update_performance(original, updated, report, X, y, horizons=(12,), *, n_boot: int | None = None,
                       seed: int = 0, n_jobs: int = 1, revise=None) -> pd.DataFrame:
    """Table: metric, before (original model), after (apparent), optimism, after_corrected, n_boot.

    ``n_boot`` defaults to 50 for revision/refit/auto and 0 otherwise (intercept and slope
    estimate one or two parameters on the whole cohort; their optimism is negligible by
    comparison and is not estimated unless ``n_boot`` is given).
    """
    from .validation import bootstrap_optimism

    t, e = split_y(y)
    y = make_y(t, e)
    score = update_scores(horizons)
    before = score(original, X, y)
    after = score(updated, X, y)
    if n_boot is None:
        n_boot = (
            50 if report.requested in ("revision", "refit", "auto") or report.method in ("revision", "refit") else 0
        )
    rows = {m: {"metric": m, "before": before[m], "after": after[m], "optimism": np.nan,
                "after_corrected": np.nan, "n_boot": 0, "note": ""} for m in before}
    if n_boot > 0 and report.method != "none":
        est = UpdatingEstimator(original, report.requested, report.alpha, revise)
        est.model_, est.report_ = updated, report
        res = bootstrap_optimism(
            {"updated": lambda s: UpdatingEstimator(original, report.requested, report.alpha, revise)},
            X,
            y,
            score,
            n_boot=n_boot,
            seed=seed,
            n_jobs=n_jobs,
            fitted={"updated": est},
            apparent_scores={"updated": after},
        )
        if len(res.failures):
            rows["harrell_c"]["note"] = f"{len(res.failures)} of {n_boot} bootstrap updates failed"
        for _, r in res.table.iterrows():
            rows[r["metric"]].update(optimism=r["optimism"], after_corrected=r["corrected"], n_boot=int(r["n_rep"]))
    return pd.DataFrame(list(rows.values()))


def validation_size_check(model, X, y, horizon: float = 12.0):
    """(ValidationSampleSize, message or None): is the cohort large enough to validate ``model``?

    The anticipated values are the cohort's own: event probability by ``horizon`` (1 - KM),
    proportion of deaths, Harrell C and SD of the model's linear predictor.
    """
    from ..metrics import harrell_c
    from ..metrics.km import _km
    from ..samplesize import validation

    t, e = split_y(y)
    h = min(float(horizon), float(t.max()))
    risk = 1.0 - float(_km(t, e)(h))
    lp = np.asarray(model.predict(X), dtype=float)
    c = float(harrell_c(t, e, lp, warn_reversed=False))
    q = float(e.mean())
    sd = float(lp.std(ddof=1))
    if not (0 < risk < 1 and 0 < q < 1 and c > 0.5 and sd > 0):
        return None, (f"sample size for validation not computed (risk by {h:g} = {risk:.3f}, "
                      f"death proportion {q:.3f}, C {c:.3f})")
    res = validation(risk, c, event_fraction=q, sd_lp=sd)
    msg = None
    if len(t) < res.n:
        msg = (f"this cohort ({len(t)} patients, {int(e.sum())} deaths) is below the minimum sample size for "
               f"external validation ({res.n} patients; binding criterion: {res.binding}; Riley et al. 2021/2022): "
               "calibration and any update estimated here are imprecise")
    return res, msg


_UPDATE_KEYS = ("model", "method", "alpha", "revise", "n_boot", "horizons")


def parse_update(raw, model_names, add_problem) -> dict:
    """Check the ``update:`` block of a study config (``add_problem(msg)`` collects errors).

    ``update: {model: <name of a study model>, method: auto, alpha: 0.05, revise: [...], n_boot: 50}``
    updates that model (fitted on the development cohort) on the external cohort (or, with
    temporal validation, on the later period) and reports the closed tests and performance
    before/after in the report's "Updating" section.
    """
    from ..errors import did_you_mean
    from ..models.update import UPDATE_METHODS

    if raw is None:
        return {}
    if not isinstance(raw, dict):
        add_problem(f"'update' must be a dict like {{model: NAME, method: auto}}, got {raw!r}")
        return {}
    for k in raw:
        if k not in _UPDATE_KEYS:
            add_problem(f"unknown key {k!r} in update{did_you_mean(k, _UPDATE_KEYS)}")
    out = {"model": raw.get("model"), "method": raw.get("method", "auto"), "alpha": raw.get("alpha", 0.05),
           "revise": raw.get("revise"), "n_boot": raw.get("n_boot"), "horizons": raw.get("horizons")}
    if out["model"] not in model_names:
        add_problem(f"update.model must name one of the study's models {list(model_names)}"
                    f"{did_you_mean(out['model'], model_names)}, got {out['model']!r}")
    if out["method"] not in UPDATE_METHODS:
        add_problem(
            f"update.method must be one of {list(UPDATE_METHODS)}{did_you_mean(out['method'], UPDATE_METHODS)}, "
            f"got {out['method']!r}"
        )
    a = out["alpha"]
    if isinstance(a, bool) or not isinstance(a, (int, float)) or not 0 < a < 1:
        add_problem(f"update.alpha must be in (0, 1), got {a!r}")
    nb = out["n_boot"]
    if nb is not None and (isinstance(nb, bool) or not isinstance(nb, int) or nb < 0):
        add_problem(f"update.n_boot must be an integer >= 0, got {nb!r}")
    return out


def study_update(spec: dict, fitted: dict, frame, y, horizons, seed: int = 0, n_jobs: int = 1):
    """Run the configured update on the validation cohort: (performance table, tests table, report)."""
    original = fitted[spec["model"]]
    from ..models import update

    hz = [float(h) for h in (spec.get("horizons") or horizons) if float(h) <= float(split_y(y)[0].max())]
    new, rep = update(original, frame, y, method=spec["method"], alpha=spec["alpha"], revise=spec.get("revise"))
    perf = update_performance(original, new, rep, frame, y, horizons=hz, n_boot=spec.get("n_boot"), seed=seed,
                              n_jobs=n_jobs, revise=spec.get("revise"))
    perf.insert(0, "method", rep.method)
    perf.insert(0, "predictor", spec["model"])
    tests = rep.tests.copy()
    tests.insert(0, "predictor", spec["model"])
    return perf, tests, rep, new
