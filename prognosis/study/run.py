"""``prognosis.study.run(config) -> StudyResult``: the whole study from a validated config.

Order of work (each step only after the previous succeeded):

1. validate the config (:func:`~prognosis.study.config.load_config`), load the cohorts and run
   the data-dependent checks (:func:`~prognosis.study.config.check_against_cohorts`) — every
   problem is reported in one ``ConfigError`` before any model is fitted;
2. fit every predictor on the development cohort (apparent performance);
3. internal validation: Harrell bootstrap optimism correction or repeated k-fold CV, all
   predictors on the same resamples (joblib, or Dask with ``scheduler``);
4. paired ΔC of each model vs the best classic score; calibration curves, Kaplan–Meier by
   score group, decision curves at the configured horizons;
5. external validation when an external cohort is given: counts of patients and deaths (before
   each horizon), every measure with a bootstrap interval (external censoring weights), transport
   and recalibration, warnings below 100 deaths or 10 deaths before a horizon, Kaplan–Meier by
   score group;
6. the oracle C-index when the cohort is simulated (``true_lp`` present).
"""
from __future__ import annotations

import time as _time
import warnings

import numpy as np
import pandas as pd

from .._provenance import frame_digest, versions
from ..cohort.readers import sha256_of
from ..errors import (
    ConfigError,
    ProportionalHazardsWarning,
)
from ..metrics import catalogue
from ..survival_data import y_from_frame
from .config import ModelSpec, StudyConfig, check_against_cohorts, load_config
from .horizons import study_plans
from .predictors import make_factory
from .provenance import describe_cohort, flow_table
from .result import OUT_OF_FOLD_METHOD, StudyResult
from .scoring import _CAL_KEYS, StudyScorer
from .table1 import table1
from .validation import (
    _refit_warnings,
    bootstrap_optimism,
    external_counts,
    external_validation,
    paired_difference,
    repeated_cv,
)

__all__ = ["run", "load_cohorts", "external_measures"]


def load_cohorts(config: StudyConfig) -> dict:
    """Load the development (and external) cohorts named in the config."""
    out = {}
    for spec in (config.development, config.external):
        if spec is None:
            continue
        if spec.demo:
            from ..datasets import load_demo

            out[spec.role] = load_demo(spec.demo)
        elif spec.dataset:
            from ..datasets import get_dataset

            path = config.resolve(spec.path)
            if not path.exists():
                raise ConfigError(f"cohorts.{spec.role}: {path} does not exist")
            out[spec.role] = get_dataset(spec.dataset).load(path, **spec.options)
        else:
            from .. import read_cohort

            path = config.resolve(spec.path)
            if not path.is_file():
                raise ConfigError(f"cohorts.{spec.role}: file {path} does not exist")
            mapping = spec.mapping
            if isinstance(mapping, str):
                mapping = config.resolve(mapping)
                if not mapping.is_file():
                    raise ConfigError(f"cohorts.{spec.role}.mapping: file {mapping} does not exist")
            out[spec.role] = read_cohort(path, mapping)
    return out


def external_measures(fitted: dict, X_ext, y_ext, y_dev, horizons, *, calibration_fn=None, extra_times=(),
                      **kwargs):
    """:func:`~prognosis.study.validation.external_validation` at the horizons the horizon rule
    kept (``kwargs``: its bootstrap options); with none kept, only the horizon-free measures
    (Harrell's and Uno's C, without intervals). ``extra_times``: further times at which S(t) is
    computed with the same predictions (the decision-curve horizons)."""
    scorer = StudyScorer(horizons, extra_times=extra_times)
    if horizons:
        return external_validation(fitted, X_ext, y_ext, y_dev, scorer, list(horizons),
                                   calibration_fn=calibration_fn, **kwargs)
    rows = []
    for name, est in fitted.items():
        try:
            sc = scorer(est, X_ext, y_ext, y_dev)
        except Exception as exc:  # noqa: BLE001 - reported in the table, as external_validation does
            rows.append({"predictor": name, "metric": "error", "value": np.nan,
                         "note": f"{type(exc).__name__}: {exc}".splitlines()[0][:300]})
            continue
        rows += [{"predictor": name, "metric": k, "value": float(v), "note": ""} for k, v in sc.items()]
    cols = ["predictor", "metric", "value", "ci_low", "ci_high", "n_rep", "note"]
    return pd.DataFrame(rows, columns=cols), pd.DataFrame()


def _spec(cfg, role: str):
    # a temporal split has an external cohort but no external spec: both come from the development file
    return cfg.development if role == "development" or cfg.external is None else cfg.external


def _sha256_of(cohort, spec, config) -> str:
    sha = (cohort.metadata or {}).get("sha256")
    if sha:
        return str(sha)
    if spec.path and config.resolve(spec.path).is_file():
        return sha256_of(config.resolve(spec.path))
    # bundled demo: hash of the canonical table (no identifiers leave this function)
    return frame_digest(cohort.frame)


def _tidy(res, kind_of: dict, cohort: str = "development") -> pd.DataFrame:
    t = res.tidy()
    t.insert(1, "kind", t["predictor"].map(kind_of))
    t.insert(0, "cohort", cohort)
    t["method"] = res.method
    return t[["cohort", "predictor", "kind", "metric", "horizon", "apparent", "optimism", "corrected",
              "ci_low", "ci_high", "n_rep", "method"]]


def _km_by_group(frame: pd.DataFrame, scores) -> pd.DataFrame:
    from ..metrics import kaplan_meier
    from ..scores import compute

    rows = []
    for s in scores:
        if s.kind != "score":
            continue
        comp = compute(frame, s.score, **s.options)
        g = comp[f"{s.score}_group"]
        cats = list(g.cat.categories) if hasattr(g, "cat") else sorted(g.dropna().unique())
        for lev in cats + ["(score incomplete)"]:
            m = (g.isna() if lev == "(score incomplete)" else (g == lev)).to_numpy()
            if m.sum() == 0:
                continue
            t = frame["time_months"].to_numpy(float)[m]
            e = frame["event"].to_numpy(int)[m]
            km = kaplan_meier(t, e)
            grid = np.unique(np.concatenate([[0.0], t]))
            lo, hi = km.confint(grid)
            for x, sv, a, b in zip(grid, km(grid), lo, hi, strict=False):
                rows.append({"score": s.display, "group": str(lev), "n": int(m.sum()), "time": float(x),
                             "survival": float(sv), "lower": float(a), "upper": float(b)})
    return pd.DataFrame(rows, columns=["score", "group", "n", "time", "survival", "lower", "upper"])




def _oof_fold_task(k: int, tr: np.ndarray, te: np.ndarray, *, factories, frame, y, horizons, seed) -> dict:
    """One fold of :func:`_out_of_fold_survival`: S(t) of the fold's test rows per predictor (None on failure)."""
    from ..survival_data import make_y
    from .scoring import predict_survival_truncated

    t, e = y["time_months"], y["event"].astype(int)
    out = {}
    for i, (name, fac) in enumerate(factories.items()):
        try:
            with _refit_warnings():
                est = fac(seed + i).fit(frame.iloc[tr].reset_index(drop=True), make_y(t[tr], e[tr]))
                out[name] = predict_survival_truncated(est, frame.iloc[te].reset_index(drop=True), horizons)
        except Exception:  # noqa: BLE001 - the fold's rows stay NaN: no curve rather than a wrong one
            out[name] = None
    return out


def _out_of_fold_survival(factories, frame, y, horizons, seed: int, folds: int = 5, *, n_jobs: int = 1,
                          scheduler=None) -> dict:
    """Out-of-fold S(t) for every predictor (stratified ``folds``-fold, one repeat): each patient's
    prediction comes from a fit that did not see them. The development calibration curves are
    drawn from these, so no curve in the report is in-sample — a forest's in-sample calibration
    is meaningless (it has seen each patient's outcome in most trees) and must not sit next to
    the Cox models' as if comparable (issue 13, defect 9). The folds run in parallel like the
    replicates (same numbers for any ``n_jobs``: every fold's seeds are fixed before dispatch)."""
    import functools

    from .parallel import kfold_indices, run_tasks

    e = y["event"].astype(int)
    splits = kfold_indices(e, folds, 1, seed)
    fn = functools.partial(_oof_fold_task, factories=dict(factories), frame=frame, y=y, horizons=list(horizons),
                           seed=seed)
    res = run_tasks(fn, [(k, tr, te) for k, (_, _, tr, te) in enumerate(splits)], n_jobs=n_jobs,
                    scheduler=scheduler, desc="out-of-fold")
    out = {name: np.full((len(frame), len(horizons)), np.nan) for name in factories}
    for (_, _, _, te), part in zip(splits, res, strict=True):
        for name, S in part.items():
            if S is not None:
                out[name][te] = S
    return out


def _forest_calibration_out_of_fold(metrics: pd.DataFrame, oof: dict, y, horizons, spec_of: dict) -> list[str]:
    """Random forests: calibration from 5-fold out-of-fold predictions instead of Harrell's bootstrap.

    Harrell's bootstrap optimism correction assumes the apparent–test gap of a refit on a
    resample mimics that of the full fit; a forest memorises its training patients (leaves of a
    few patients, each tree grown on a bootstrap sample), and ~63% of the original patients are
    in each resample, so "test" is largely in-sample too and the correction falls short (demo
    forest: bootstrap-corrected slope at 12 months 1.78 and C 0.79, 5-fold out-of-fold 1.04 and
    0.72). The forest's calibration rows (ici, e50, e90, slope, oe_ratio) therefore hold the
    out-of-fold values (``method`` = "5-fold CV (out-of-fold)", no interval) and a note says so.
    """
    from .config import ModelSpec

    notes = []
    for name, spec in spec_of.items():
        if not (isinstance(spec, ModelSpec) and spec.kind == "rsf") or name not in oof:
            continue
        _oof_calibration_rows(metrics, name, oof[name], y, horizons)
        notes.append(_forest_note(metrics, name, oof[name], y, horizons))
    return notes


def _oof_calibration_rows(metrics: pd.DataFrame, name: str, S: np.ndarray, y, horizons) -> None:
    from .. import metrics as M

    t, e = y["time_months"], y["event"].astype(int)
    for j, h in enumerate(horizons):
        group = catalogue.names(group="calibration")
        sel = (metrics["predictor"] == name) & (metrics["horizon"] == float(h)) & metrics["metric"].isin(group)
        vals = {}
        if np.isfinite(S[:, j]).all():
            try:
                with _refit_warnings():
                    cal = M.calibration(t, e, S[:, j], h, groups=np.zeros(t.size, dtype=int))
                vals = {k: float(getattr(cal, k)) for k in _CAL_KEYS}
            except Exception:  # noqa: BLE001 - left NaN: no value rather than an in-sample one
                vals = {}
            # registered calibration measures with their own function, on the same predictions
            data = catalogue.MeasureData(t, e, 1 - S[:, j], S[:, [j]], (float(h),))
            extra = catalogue.evaluate(data, catalogue.measures(group="calibration", kernel=None))
            vals.update({catalogue.parse_key(k)[0]: v for k, v in extra.items()})
        for i in metrics.index[sel]:
            v_ = vals.get(metrics.at[i, "metric"], np.nan)
            metrics.at[i, "corrected"] = v_
            metrics.at[i, "optimism"] = metrics.at[i, "apparent"] - v_
            metrics.at[i, "ci_low"] = metrics.at[i, "ci_high"] = np.nan
            metrics.at[i, "method"] = OUT_OF_FOLD_METHOD


def _forest_note(metrics: pd.DataFrame, name: str, S: np.ndarray, y, horizons) -> str:
    from .. import metrics as M

    t, e = y["time_months"], y["event"].astype(int)
    c_oof = np.nan
    if np.isfinite(S[:, -1]).all():
        c_oof = float(M.harrell_c(t, e, 1 - S[:, -1], warn_reversed=False))
    hc = metrics[(metrics["predictor"] == name) & (metrics["metric"] == "harrell_c")]["corrected"]
    return (f"{name}: calibration is 5-fold cross-validated (out-of-fold predictions), not bootstrap-"
            "corrected — Harrell's bootstrap correction is invalid for a random forest, which memorises "
            f"its training patients. For the same reason its bootstrap-corrected Harrell C "
            f"({float(hc.iloc[0]) if len(hc) else float('nan'):.3f}) is optimistic: out-of-fold "
            f"C of 1 − S({float(horizons[-1]):g}) is {c_oof:.3f}.")


def _calibration_frames(cal, name: str, h: float, cohort: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    c = pd.DataFrame(cal.curve)
    # the smoothed curve has one point per patient: keep 101 evenly spaced points
    c = c.iloc[np.unique(np.linspace(0, len(c) - 1, 101).round().astype(int))].copy()
    c.insert(0, "horizon", float(h))
    c.insert(0, "predictor", name)
    c.insert(0, "cohort", cohort)
    g = pd.DataFrame(cal.groups).copy()
    g["predicted_risk"] = 1 - g["predicted_surv"]
    g["observed_risk"] = 1 - g["observed_surv"]
    g["observed_risk_lower"] = 1 - g["upper"]
    g["observed_risk_upper"] = 1 - g["lower"]
    g.insert(0, "horizon", float(h))
    g.insert(0, "predictor", name)
    g.insert(0, "cohort", cohort)
    return c, g


def _calibration_curves(fitted, frame, y, horizons, cohort: str, surv: dict | None = None
                        ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Smoothed and grouped calibration of every predictor at ``horizons``; S(t) from ``surv``
    (out-of-fold) or the study's one :class:`~prognosis.study.predictions.Predictions` per fit."""
    from .. import metrics as M
    from .predictions import cached_predictions

    t, e = y["time_months"], y["event"].astype(int)
    curves, groups = [], []
    for name, est in (fitted.items() if len(horizons) else ()):
        S = cached_predictions(est, frame, horizons).at(horizons) if surv is None else surv[name]
        for j, h in enumerate(horizons):
            try:
                with _refit_warnings():
                    cal = M.calibration(t, e, S[:, j], h)
            except Exception:  # noqa: BLE001 - a missing curve is visible in the report
                continue
            c, g = _calibration_frames(cal, name, h, cohort)
            curves.append(c)
            groups.append(g)
    return (pd.concat(curves, ignore_index=True) if curves else pd.DataFrame(),
            pd.concat(groups, ignore_index=True) if groups else pd.DataFrame())


def _decision_curves(fitted, frame, y, horizons, thresholds, cohort: str) -> pd.DataFrame:
    from .. import metrics as M
    from .predictions import cached_predictions

    t, e = y["time_months"], y["event"].astype(int)
    out = []
    for h in horizons:
        for name, est in fitted.items():
            risk = 1.0 - cached_predictions(est, frame, [h]).at([h])[:, 0]
            nb = pd.DataFrame(M.net_benefit(t, e, risk, h, list(thresholds), name=name))
            nb.insert(0, "horizon", float(h))
            nb.insert(0, "model", name)
            nb.insert(0, "cohort", cohort)
            out.append(nb)
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def _oracle(cohorts) -> pd.DataFrame:
    from ..metrics import harrell_c

    rows = []
    for role, c in cohorts.items():
        f = c.frame
        if "true_lp" in f.columns and f["true_lp"].notna().all():
            rows.append({"cohort": role, "harrell_c": float(harrell_c(f["time_months"].to_numpy(float),
                                                                       f["event"].to_numpy(int),
                                                                       f["true_lp"].to_numpy(float)))})
    return pd.DataFrame(rows, columns=["cohort", "harrell_c"])


def _ph_safe_scores(factories: dict, frame, y, kind_of: dict, detail: dict) -> list[str]:
    """Classic-score totals whose Cox calibration fails proportional hazards (cox.zph score test,
    p < 0.05 on the development cohort) are replaced by the PH-free ``ScoreModel(how="km")``
    (Kaplan–Meier per published group); the returned notes say which and why."""
    from ..errors import PrognosisError
    from .predictors import ScoreFactory

    notes = []
    for name, fac in list(factories.items()):
        if kind_of.get(name) != "score" or not isinstance(fac, ScoreFactory) or fac.how != "cox":
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ProportionalHazardsWarning)
                est = fac(0).fit(frame, y)
        except PrognosisError:
            continue                    # the failure is reported by the validation step itself
        z = getattr(est, "ph_test_", {})
        p = z.get("p", np.nan)
        if np.isfinite(p) and p < 0.05:
            factories[name] = ScoreFactory(fac.spec, how="km")
            detail[name] = (f"classic score {fac.spec.score}: Kaplan–Meier per published group on the development "
                            "cohort (proportional hazards rejected for the total)")
            notes.append(f"{name}: proportional hazards rejected for the Cox model on the total (cox.zph score test "
                         f"chi2 = {z['chisq']:.2f}, p = {p:.2g}); the study uses the PH-free form instead — each "
                         "published group's survival estimated by Kaplan–Meier on the development cohort "
                         "(ScoreModel(how='km')), so its C-indices rank patients by group.")
    return notes


def run(config, *, progress: bool = False, scheduler=None, n_jobs: int | None = None,
        n_boot: int | None = None) -> StudyResult:
    """Run a study.

    Parameters
    ----------
    config : str, Path, dict or StudyConfig
        A YAML path, a dict, or an already validated config.
    progress : bool
        tqdm progress bars for the replicates.
    scheduler : str or distributed.Client, optional
        Run replicates/folds on a Dask cluster (overrides ``dask.address`` in the config).
    n_jobs : int, optional
        Local joblib workers (overrides the config's ``n_jobs``).
    n_boot : int, optional
        Override the number of bootstrap replicates (e.g. for a quick look).

    Returns
    -------
    StudyResult

    Examples
    --------
    A small study on the bundled demo cohort (5 bootstrap replicates; use 200 or more):

    >>> from prognosis import study
    >>> config = {"name": "tiny", "cohorts": {"development": "demo"},
    ...           "scores": ["revised_tokuhashi"],
    ...           "models": [{"name": "Cox", "kind": "cox", "features": "clinical"}],
    ...           "horizons": [6, 12], "validation": {"method": "bootstrap", "n_boot": 5},
    ...           "seed": 1, "n_jobs": 1}
    >>> result = study.run(config)
    >>> c = result.metrics.query("metric == 'harrell_c'").set_index("predictor")
    >>> c[["apparent", "corrected"]].round(3)
                       apparent  corrected
    predictor
    revised_tokuhashi     0.648      0.644
    Cox                   0.759      0.748
    """
    from .predictions import reuse_predictions

    t0 = _time.perf_counter()
    # one Predictions object per fitted predictor and cohort for the whole study (compute once)
    with reuse_predictions():
        st = _Study(config, n_boot, scheduler, n_jobs, progress, t0)
        return st.run()


class _Study:
    """The steps of :func:`run`, sharing the validated config, cohorts and fitted predictors."""

    def __init__(self, config, n_boot, scheduler, n_jobs, progress, t0):
        self.t0 = t0
        self.progress = progress
        cfg = config if isinstance(config, StudyConfig) else load_config(config)
        if n_boot is not None:
            import copy
            from dataclasses import replace

            cfg = copy.copy(cfg)
            cfg.validation = replace(cfg.validation, n_boot=int(n_boot))
            cfg.raw = copy.deepcopy(cfg.raw)
            cfg.raw.setdefault("validation", {})["n_boot"] = int(n_boot)
        self.cohorts = load_cohorts(cfg)
        self.whole_dev = None
        if cfg.validation.method == "temporal":  # early period = development, later period = validation
            from .temporal import temporal_split

            self.whole_dev = self.cohorts["development"].frame.reset_index(drop=True)
            self.cohorts["development"], self.cohorts["external"] = temporal_split(
                self.cohorts["development"], cfg.validation.split, cfg.validation.date_column)
        check_against_cohorts(cfg, self.cohorts)
        # the one horizon rule (prognosis.study.horizons): horizons a cohort does not reach are left
        # out of that cohort's S(t)-based measures, with a note; defaults adapt to the follow-up
        follow = {r: c.frame["time_months"].to_numpy(float) for r, c in self.cohorts.items()}
        self.plans = study_plans(cfg.horizons, cfg.default_horizons, follow)
        self.dca_plans = study_plans(cfg.dca_horizons, False, follow)
        self.horizons = self.plans["development"].kept
        if self.horizons != tuple(cfg.horizons):
            import copy

            cfg = copy.copy(cfg)
            cfg.horizons = self.horizons
        self.cfg = cfg
        self.scheduler = scheduler if scheduler is not None else cfg.dask_address
        self.n_jobs = n_jobs if n_jobs is not None else cfg.n_jobs

    # -- steps ---------------------------------------------------------------------------------
    def _development(self) -> None:
        from .imputation import ImputationSpec, complete_case_rows

        cfg = self.cfg
        frame = self.cohorts["development"].frame.reset_index(drop=True)
        self.imputation = cfg.imputation or ImputationSpec()
        self.n_excluded = 0
        if self.imputation.method == "complete_case":
            keep = complete_case_rows(frame, cfg.models)
            self.n_excluded = int((~keep).sum())
            frame = frame[keep].reset_index(drop=True)
        self.frame, self.y = frame, y_from_frame(frame)

    def _predictors(self) -> None:
        from .imputation import apply_to_factories

        cfg = self.cfg
        specs = list(cfg.scores) + list(cfg.models)
        names = [s.display if not isinstance(s, ModelSpec) else s.name for s in specs]
        self.names, self.spec_of = names, dict(zip(names, specs, strict=True))
        factories = {n: make_factory(s) for n, s in self.spec_of.items()}
        self.kind_of = {n: ("model" if isinstance(s, ModelSpec) else "score" if s.kind == "score" else "baseline")
                        for n, s in self.spec_of.items()}
        self.detail = {n: _detail(s) for n, s in self.spec_of.items()}
        self.ph_notes = _ph_safe_scores(factories, self.frame, self.y, self.kind_of, self.detail)
        self.factories = apply_to_factories(factories, self.spec_of, self.imputation, self.frame)

    def _internal_validation(self) -> None:
        v, cfg = self.cfg.validation, self.cfg
        # S(t) at the decision-curve horizons too, so the full-data predictions serve the curves
        scorer = StudyScorer(self.horizons, extra_times=self.dca_plans["development"].kept)
        kw = {"seed": cfg.seed, "n_jobs": self.n_jobs, "scheduler": self.scheduler, "progress": self.progress}
        if v.method in ("bootstrap", "temporal"):
            self.res = bootstrap_optimism(self.factories, self.frame, self.y, scorer, n_boot=v.n_boot,
                                          ci_level=v.ci_level, **kw)
        else:
            self.res = repeated_cv(self.factories, self.frame, self.y, scorer, folds=v.folds, repeats=v.repeats,
                                   **kw)
        self.fitted = self.res.fitted

    def _development_tables(self) -> None:
        cfg, v = self.cfg, self.cfg.validation
        self.metrics = _tidy(self.res, self.kind_of)
        oof = (_out_of_fold_survival(self.factories, self.frame, self.y, cfg.horizons, cfg.seed, n_jobs=self.n_jobs,
                                     scheduler=self.scheduler) if len(cfg.horizons) else None)
        self.forest_notes = []
        if v.method == "bootstrap" and oof is not None:
            self.forest_notes = _forest_calibration_out_of_fold(self.metrics, oof, self.y, cfg.horizons, self.spec_of)
        self.calibration = _calibration_table(self.metrics)
        self.comparisons = _comparisons(self.res, self.names, self.kind_of)
        self.curves, self.groups = _calibration_curves(self.fitted, self.frame, self.y, self.horizons, "development",
                                                       surv=oof)
        self.dca = _decision_curves(self.fitted, self.frame, self.y, self.dca_plans["development"].kept,
                                    cfg.dca_thresholds, "development")
        self.km = _km_by_group(self.frame, cfg.scores)
        self.tab1 = table1(self.frame)

    def _external(self) -> None:
        cfg, v = self.cfg, self.cfg.validation
        self.external = pd.DataFrame(columns=["cohort", "predictor", "metric", "horizon", "value", "ci_low",
                                              "ci_high", "n_rep", "note"])
        self.transport, self.ext_counts, self.ext_warn = pd.DataFrame(), pd.DataFrame(), []
        self.km_ext, self.t1_ext, self.ef, self.ye = pd.DataFrame(), pd.DataFrame(), None, None
        if "external" not in self.cohorts:
            return
        from ..metrics import calibration as _cal
        from .imputation import complete_case_rows

        ef = self.cohorts["external"].frame.reset_index(drop=True)
        if self.imputation.method == "complete_case":
            ef = ef[complete_case_rows(ef, cfg.models)].reset_index(drop=True)
        ye = y_from_frame(ef)
        ext_h = list(self.plans["external"].kept)
        dca_h = self.dca_plans["external"].kept
        n_ext_boot = v.n_boot if v.method == "bootstrap" else 200
        ext_m, self.transport = external_measures(self.fitted, ef, ye, self.y, ext_h, calibration_fn=_cal,
                                                  n_boot=n_ext_boot, seed=cfg.seed, ci_level=v.ci_level,
                                                  n_jobs=self.n_jobs, scheduler=self.scheduler,
                                                  progress=self.progress, extra_times=dca_h)
        self.ext_counts, self.ext_warn = external_counts(ye, ext_h)
        self.km_ext = _km_by_group(ef, cfg.scores)
        ext_m = catalogue.tidy(ext_m)
        ext_m.insert(0, "cohort", "external")
        self.external = ext_m[["cohort", "predictor", "metric", "horizon", "value", "ci_low", "ci_high", "n_rep",
                               "note"]]
        c2, g2 = _calibration_curves(self.fitted, ef, ye, ext_h, "external")
        self.curves = pd.concat([self.curves, c2], ignore_index=True)
        self.groups = pd.concat([self.groups, g2], ignore_index=True)
        self.dca = pd.concat([self.dca, _decision_curves(self.fitted, ef, ye, dca_h, cfg.dca_thresholds, "external")],
                             ignore_index=True)
        self.t1_ext = table1(ef)
        self.ef, self.ye = ef, ye

    def _updates(self) -> None:
        cfg, v = self.cfg, self.cfg.validation
        self.drift = self.updating = self.updating_tests = pd.DataFrame()
        if self.whole_dev is not None:
            from .temporal import period_performance

            self.drift = period_performance(self.fitted, self.whole_dev, v.date_column, v.period, cfg.horizons)
        if cfg.update and "external" in self.cohorts:
            from .updating import study_update

            self.updating, self.updating_tests, _, _ = study_update(cfg.update, self.fitted, self.ef, self.ye,
                                                                    cfg.horizons, seed=cfg.seed, n_jobs=self.n_jobs)

    def run(self) -> StudyResult:
        from .imputation import summarise as summarise_imputation

        self._development()
        self._predictors()
        timings = {"load_and_check": round(_time.perf_counter() - self.t0, 2)}
        t1 = _time.perf_counter()
        self._internal_validation()
        timings["validation"] = round(_time.perf_counter() - t1, 2)
        t1 = _time.perf_counter()
        self._development_tables()
        self._external()
        self._updates()
        timings["curves_external_tables"] = round(_time.perf_counter() - t1, 2)
        cfg = self.cfg
        imputation_summary = summarise_imputation(self.imputation, self.frame, self.y, self.spec_of, self.fitted,
                                                  self.n_excluded)
        notes = _notes(self, imputation_summary)
        return StudyResult(
            config=cfg, metrics=self.metrics, calibration=self.calibration, calibration_curves=self.curves,
            calibration_groups=self.groups, comparisons=self.comparisons, km=self.km, decision_curves=self.dca,
            external=self.external, transport=self.transport, external_counts=self.ext_counts,
            km_external=self.km_ext, table1=self.tab1, table1_external=self.t1_ext, oracle=_oracle(self.cohorts),
            failures=self.res.failures,
            predictors=pd.DataFrame({"predictor": self.names, "kind": [self.kind_of[n] for n in self.names],
                                     "detail": [self.detail[n] for n in self.names]}),
            provenance=_provenance(self, timings), notes=notes, fitted=self.fitted, drift=self.drift,
            updating=self.updating, updating_tests=self.updating_tests, imputation=imputation_summary,
        )


def _detail(s) -> str:
    if isinstance(s, ModelSpec):
        return f"{s.kind}, features {s.features}" + (f", {s.params}" if s.params else "")
    return {"score": f"classic score {s.score} (total), Cox-calibrated on the development cohort",
            "component": f"score component {s.name}, Cox-calibrated",
            "column": f"numeric column {s.column}, Cox-calibrated"}[s.kind]


def _calibration_table(metrics: pd.DataFrame) -> pd.DataFrame:
    """Apparent (in-sample) and optimism-corrected calibration measures side by side, one row per
    predictor and horizon, each labelled by its suffix."""
    cal = metrics[metrics["metric"].isin(catalogue.names(group="calibration"))]
    app = cal.pivot_table(index=["predictor", "horizon"], columns="metric", values="apparent",
                          sort=False).reset_index()
    app.columns.name = None
    corr = cal.pivot_table(index=["predictor", "horizon"], columns="metric", values="corrected",
                           sort=False).reset_index()
    return app.merge(corr, on=["predictor", "horizon"], suffixes=("_apparent", "_corrected"))


def _comparisons(res, names: list, kind_of: dict) -> pd.DataFrame:
    """Paired ΔC of every model vs the best classic score (highest corrected Harrell C)."""
    comps = []
    score_names = [n for n in names if kind_of[n] == "score"] or [n for n in names if kind_of[n] == "baseline"]
    if score_names:
        hc = res.table[res.table["metric"] == "harrell_c"].set_index("predictor")["corrected"]
        best = max(score_names, key=lambda n: hc.get(n, -np.inf))
        for n in names:
            if kind_of[n] == "model":
                for m in ("harrell_c", "uno_c"):
                    comps.append(paired_difference(res, n, best, m))
    return pd.DataFrame(comps, columns=["predictor", "reference", "metric", "apparent_delta",
                                        "corrected_delta", "ci_low", "ci_high", "p_value", "n_rep"])


def _horizon_notes(st: _Study) -> list[str]:
    notes = []
    for role, plan in st.plans.items():
        if plan.default:
            notes.append(f"Horizons: none given; the defaults 3, 6, 12, 24 months within follow-up were used "
                         f"({', '.join(f'{h:g}' for h in plan.kept) or 'none'}).")
        notes += [f"{role} cohort: {n}." for n in plan.notes()]
    for role, plan in st.dca_plans.items():
        notes += [f"{role} cohort: {n}." for n in plan.notes("decision curves")]
    origins = {role: str((c.metadata or {}).get("time_origin") or "not stated") for role, c in st.cohorts.items()}
    if len(set(origins.values())) > 1:
        notes.append("The cohorts count survival from different time origins ("
                     + "; ".join(f"{r}: {o}" for r, o in origins.items())
                     + "): predicted and observed survival are not measured from the same event.")
    return notes


def _missing_feature_notes(cfg, cohorts) -> list[str]:
    if not cfg.allow_missing_features:
        return []
    from .config import available_columns, lacking_feature_items

    notes = []
    for role, c in cohorts.items():
        for m in cfg.models:
            lack = lacking_feature_items(m.features, available_columns(c.frame), bool(m.params.get("ecog_to_kps")))
            if lack:
                notes.append(f"{m.name}: predictors {', '.join(lack)} are absent from the {role} cohort; they were "
                             "imputed with one constant for every patient, so the model does not use them "
                             "(allow_missing_features: true).")
    return notes


def _incomplete_score_notes(cfg, frame: pd.DataFrame) -> list[str]:
    from ..scores import compute as _compute

    notes = []
    for sp in cfg.scores:
        if sp.kind == "score":
            tot = _compute(frame, sp.score, **sp.options)[sp.score]
            k = int(tot.isna().sum())
            if k:
                how = ("scored at the middle of their possible range (missing='midrange')" if sp.missing == "midrange"
                       else "not scorable")
                notes.append(f"{sp.display}: {k} of {len(frame)} development patients have an incomplete total "
                             f"(an item not recorded) and were {how}.")
    return notes


def _notes(st: _Study, imputation_summary: dict) -> list[str]:
    notes = list(st.ext_warn) + st.ph_notes + st.forest_notes + _horizon_notes(st)
    notes += _missing_feature_notes(st.cfg, st.cohorts)
    notes += _incomplete_score_notes(st.cfg, st.frame)
    for n, est in st.fitted.items():
        k = getattr(est, "n_imputed_", 0)
        if k:
            notes.append(f"{n}: {k} patient(s) with a missing value were given the training median.")
    if len(st.res.failures):
        notes.append(f"{len(st.res.failures)} fit(s) failed inside replicates and were excluded for that predictor "
                     "(see tables/failures.csv).")
    if st.imputation.method != "indicator":
        notes.append(f"Missing data: {st.imputation.describe()}."
                     + (f" {st.n_excluded} development patient(s) with a missing model input were excluded."
                        if st.n_excluded else ""))
        notes += imputation_summary.get("engine_notes", [])
    return notes


def _provenance(st: _Study, timings: dict) -> dict:
    cfg, v = st.cfg, st.cfg.validation
    return {
        "config": cfg.to_dict(), "config_sha256": cfg.sha256(), "config_source": cfg.source, "seed": cfg.seed,
        "validation": {"method": v.method, "n_boot": v.n_boot, "folds": v.folds, "repeats": v.repeats,
                       "ci_level": v.ci_level},
        "inputs": {role: {**describe_cohort(_spec(cfg, role), c),
                          "sha256": _sha256_of(c, _spec(cfg, role), cfg),
                          "n": len(c), "deaths": int(c.frame["event"].sum()),
                          "flow": flow_table(c)}
                   for role, c in st.cohorts.items()},
        "versions": versions(),
        "run_time_seconds": round(_time.perf_counter() - st.t0, 1),
        "timings_seconds": timings,
        "scheduler": "dask" if st.scheduler is not None else f"joblib n_jobs={st.n_jobs}",
        "started_utc": pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%d %H:%M:%S UTC"),
    }
