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
from ..errors import ConfigError
from ..metrics import catalogue
from ..survival_data import y_from_frame
from .config import ModelSpec, StudyConfig, check_against_cohorts, load_config
from .horizons import study_plans
from .predictors import make_factory
from .provenance import describe_cohort, flow_table
from .result import StudyResult
from .scoring import StudyScorer
from .table1 import table1
from .validation import bootstrap_optimism, external_counts, external_validation, paired_difference, repeated_cv

__all__ = ["run", "load_cohorts", "external_measures"]

#: calibration measures computed from one calibration() fit (the catalogue's "calibration" kernel)
_CAL_METRICS = catalogue.names(kernel="calibration")


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
            from .. import datasets

            path = config.resolve(spec.path)
            if not path.exists():
                raise ConfigError(f"cohorts.{spec.role}: {path} does not exist")
            out[spec.role] = getattr(datasets, f"load_{spec.dataset}")(path, **spec.options)
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


def external_measures(fitted: dict, X_ext, y_ext, y_dev, horizons, *, calibration_fn=None, **kwargs):
    """:func:`~prognosis.study.validation.external_validation` at the horizons the horizon rule
    kept (``kwargs``: its bootstrap options); with none kept, only the horizon-free measures
    (Harrell's and Uno's C, without intervals)."""
    scorer = StudyScorer(horizons)
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


def _out_of_fold_survival(factories, frame, y, horizons, seed: int, folds: int = 5) -> dict:
    """Out-of-fold S(t) for every predictor (stratified ``folds``-fold, one repeat): each patient's
    prediction comes from a fit that did not see them. The development calibration curves are
    drawn from these, so no curve in the report is in-sample — a forest's in-sample calibration
    is meaningless (it has seen each patient's outcome in most trees) and must not sit next to
    the Cox models' as if comparable (issue 13, defect 9)."""
    from ..survival_data import make_y
    from .parallel import kfold_indices
    from .scoring import predict_survival_truncated

    t, e = y["time_months"], y["event"].astype(int)
    out = {name: np.full((len(frame), len(horizons)), np.nan) for name in factories}
    for r, f, tr, te in kfold_indices(e, folds, 1, seed):
        for i, (name, fac) in enumerate(factories.items()):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    est = fac(seed + i).fit(frame.iloc[tr].reset_index(drop=True), make_y(t[tr], e[tr]))
                    out[name][te] = predict_survival_truncated(est, frame.iloc[te].reset_index(drop=True), horizons)
            except Exception:  # noqa: BLE001 - the fold's rows stay NaN: no curve rather than a wrong one
                continue
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
    from .. import metrics as M
    from .config import ModelSpec

    t, e = y["time_months"], y["event"].astype(int)
    notes = []
    for name, spec in spec_of.items():
        if not (isinstance(spec, ModelSpec) and spec.kind == "rsf") or name not in oof:
            continue
        S = oof[name]
        for j, h in enumerate(horizons):
            group = catalogue.names(group="calibration")
            sel = (metrics["predictor"] == name) & (metrics["horizon"] == float(h)) & metrics["metric"].isin(group)
            vals = {}
            if np.isfinite(S[:, j]).all():
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        cal = M.calibration(t, e, S[:, j], h, groups=np.zeros(t.size, dtype=int))
                    vals = {k: float(getattr(cal, k)) for k in _CAL_METRICS}
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
                metrics.at[i, "method"] = "5-fold CV (out-of-fold)"
        c_oof = np.nan
        last = S[:, -1] if np.isfinite(S[:, -1]).all() else None
        if last is not None:
            c_oof = float(M.harrell_c(t, e, 1 - last, warn_reversed=False))
        hc = metrics[(metrics["predictor"] == name) & (metrics["metric"] == "harrell_c")]["corrected"]
        notes.append(f"{name}: calibration is 5-fold cross-validated (out-of-fold predictions), not bootstrap-"
                     "corrected — Harrell's bootstrap correction is invalid for a random forest, which memorises "
                     f"its training patients. For the same reason its bootstrap-corrected Harrell C "
                     f"({float(hc.iloc[0]) if len(hc) else float('nan'):.3f}) is optimistic: out-of-fold "
                     f"C of 1 − S({float(horizons[-1]):g}) is {c_oof:.3f}.")
    return notes


def _calibration_curves(fitted, frame, y, horizons, cohort: str, surv: dict | None = None
                        ) -> tuple[pd.DataFrame, pd.DataFrame]:
    from .. import metrics as M

    t, e = y["time_months"], y["event"].astype(int)
    curves, groups = [], []
    for name, est in (fitted.items() if len(horizons) else ()):
        S = (np.asarray(est.predict_survival(frame, list(horizons)), dtype=float) if surv is None
             else surv[name])
        for j, h in enumerate(horizons):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    cal = M.calibration(t, e, S[:, j], h)
            except Exception:  # noqa: BLE001 - a missing curve is visible in the report
                continue
            c = pd.DataFrame(cal.curve)
            # the smoothed curve has one point per patient: keep 101 evenly spaced points
            c = c.iloc[np.unique(np.linspace(0, len(c) - 1, 101).round().astype(int))].copy()
            c.insert(0, "horizon", float(h))
            c.insert(0, "predictor", name)
            c.insert(0, "cohort", cohort)
            curves.append(c)
            g = pd.DataFrame(cal.groups).copy()
            g["predicted_risk"] = 1 - g["predicted_surv"]
            g["observed_risk"] = 1 - g["observed_surv"]
            g["observed_risk_lower"] = 1 - g["upper"]
            g["observed_risk_upper"] = 1 - g["lower"]
            g.insert(0, "horizon", float(h))
            g.insert(0, "predictor", name)
            g.insert(0, "cohort", cohort)
            groups.append(g)
    return (pd.concat(curves, ignore_index=True) if curves else pd.DataFrame(),
            pd.concat(groups, ignore_index=True) if groups else pd.DataFrame())


def _decision_curves(fitted, frame, y, horizons, thresholds, cohort: str) -> pd.DataFrame:
    from .. import metrics as M

    t, e = y["time_months"], y["event"].astype(int)
    out = []
    for h in horizons:
        for name, est in fitted.items():
            risk = 1.0 - np.asarray(est.predict_survival(frame, [h]), dtype=float)[:, 0]
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
    from ..errors import PrognosisError, ProportionalHazardsWarning
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
    t0 = _time.perf_counter()
    cfg = config if isinstance(config, StudyConfig) else load_config(config)
    if n_boot is not None:
        import copy
        from dataclasses import replace

        cfg = copy.copy(cfg)
        cfg.validation = replace(cfg.validation, n_boot=int(n_boot))
        cfg.raw = copy.deepcopy(cfg.raw)
        cfg.raw.setdefault("validation", {})["n_boot"] = int(n_boot)
    cohorts = load_cohorts(cfg)
    whole_dev = None
    if cfg.validation.method == "temporal":  # early period = development, later period = validation
        from .temporal import temporal_split

        whole_dev = cohorts["development"].frame.reset_index(drop=True)
        cohorts["development"], cohorts["external"] = temporal_split(cohorts["development"], cfg.validation.split,
                                                                     cfg.validation.date_column)
    check_against_cohorts(cfg, cohorts)
    # the one horizon rule (prognosis.study.horizons): horizons a cohort does not reach are left
    # out of that cohort's S(t)-based measures, with a note; defaults adapt to the follow-up
    plans = study_plans(cfg.horizons, cfg.default_horizons,
                        {r: c.frame["time_months"].to_numpy(float) for r, c in cohorts.items()})
    dca_plans = study_plans(cfg.dca_horizons, False,
                            {r: c.frame["time_months"].to_numpy(float) for r, c in cohorts.items()})
    horizons = plans["development"].kept
    if horizons != tuple(cfg.horizons):
        import copy

        cfg = copy.copy(cfg)
        cfg.horizons = horizons
    scheduler = scheduler if scheduler is not None else cfg.dask_address
    n_jobs = n_jobs if n_jobs is not None else cfg.n_jobs

    dev = cohorts["development"]
    frame = dev.frame.reset_index(drop=True)
    from .imputation import ImputationSpec, apply_to_factories, complete_case_rows
    from .imputation import summarise as summarise_imputation

    imputation = cfg.imputation or ImputationSpec()
    n_excluded = 0
    if imputation.method == "complete_case":
        keep = complete_case_rows(frame, cfg.models)
        n_excluded = int((~keep).sum())
        frame = frame[keep].reset_index(drop=True)
    y = y_from_frame(frame)
    specs = list(cfg.scores) + list(cfg.models)
    names = [s.display if not isinstance(s, ModelSpec) else s.name for s in specs]
    factories = {n: make_factory(s) for n, s in zip(names, specs, strict=False)}
    kind_of = {n: ("model" if isinstance(s, ModelSpec) else "score" if s.kind == "score" else "baseline")
               for n, s in zip(names, specs, strict=False)}
    detail = {n: (f"{s.kind}, features {s.features}" + (f", {s.params}" if s.params else "")
                  if isinstance(s, ModelSpec) else
                  {"score": f"classic score {s.score} (total), Cox-calibrated on the development cohort",
                   "component": f"score component {s.name}, Cox-calibrated",
                   "column": f"numeric column {s.column}, Cox-calibrated"}[s.kind])
              for n, s in zip(names, specs, strict=False)}
    ph_notes = _ph_safe_scores(factories, frame, y, kind_of, detail)
    factories = apply_to_factories(factories, dict(zip(names, specs, strict=False)), imputation, frame)
    scorer = StudyScorer(horizons)
    v = cfg.validation
    timings = {"load_and_check": round(_time.perf_counter() - t0, 2)}
    t1 = _time.perf_counter()
    if v.method in ("bootstrap", "temporal"):
        res = bootstrap_optimism(factories, frame, y, scorer, n_boot=v.n_boot, seed=cfg.seed, n_jobs=n_jobs,
                                 scheduler=scheduler, progress=progress, ci_level=v.ci_level)
    else:
        res = repeated_cv(factories, frame, y, scorer, folds=v.folds, repeats=v.repeats, seed=cfg.seed,
                          n_jobs=n_jobs, scheduler=scheduler, progress=progress)
    fitted = res.fitted
    timings["validation"] = round(_time.perf_counter() - t1, 2)
    t1 = _time.perf_counter()
    metrics = _tidy(res, kind_of)
    oof = _out_of_fold_survival(factories, frame, y, cfg.horizons, cfg.seed) if len(cfg.horizons) else None
    forest_notes = []
    if v.method == "bootstrap" and oof is not None:
        forest_notes = _forest_calibration_out_of_fold(metrics, oof, y, cfg.horizons,
                                                       dict(zip(names, specs, strict=False)))
    cal = metrics[metrics["metric"].isin(catalogue.names(group="calibration"))]
    calibration = cal.pivot_table(index=["predictor", "horizon"], columns="metric", values="apparent",
                                  sort=False).reset_index()
    calibration.columns.name = None
    cal_corr = cal.pivot_table(index=["predictor", "horizon"], columns="metric", values="corrected",
                               sort=False).reset_index()
    # apparent (in-sample) and optimism-corrected values side by side, each labelled by its suffix
    calibration = calibration.merge(cal_corr, on=["predictor", "horizon"], suffixes=("_apparent", "_corrected"))

    # paired comparisons vs the best classic score (highest corrected Harrell C)
    comps = []
    score_names = [n for n in names if kind_of[n] == "score"] or [n for n in names if kind_of[n] == "baseline"]
    if score_names:
        hc = res.table[res.table["metric"] == "harrell_c"].set_index("predictor")["corrected"]
        best = max(score_names, key=lambda n: hc.get(n, -np.inf))
        for n in names:
            if kind_of[n] == "model":
                for m in catalogue.names(compare=True):
                    comps.append(paired_difference(res, n, best, m))
    comparisons = pd.DataFrame(comps, columns=["predictor", "reference", "metric", "apparent_delta",
                                               "corrected_delta", "ci_low", "ci_high", "p_value", "n_rep"])

    curves, groups = _calibration_curves(fitted, frame, y, horizons, "development", surv=oof)
    dca = _decision_curves(fitted, frame, y, dca_plans["development"].kept, cfg.dca_thresholds, "development")
    km = _km_by_group(frame, cfg.scores)
    tab1 = table1(frame)

    external = pd.DataFrame(columns=["cohort", "predictor", "metric", "horizon", "value", "ci_low", "ci_high",
                                     "n_rep", "note"])
    transport = pd.DataFrame()
    ext_counts, ext_warn, km_ext = pd.DataFrame(), [], pd.DataFrame()
    t1_ext = pd.DataFrame()
    if "external" in cohorts:
        from ..metrics import calibration as _cal

        ef = cohorts["external"].frame.reset_index(drop=True)
        if imputation.method == "complete_case":
            ef = ef[complete_case_rows(ef, cfg.models)].reset_index(drop=True)
        ye = y_from_frame(ef)
        ext_h = list(plans["external"].kept)
        n_ext_boot = v.n_boot if v.method == "bootstrap" else 200
        ext_m, transport = external_measures(fitted, ef, ye, y, ext_h, calibration_fn=_cal,
                                             n_boot=n_ext_boot, seed=cfg.seed, ci_level=v.ci_level,
                                             n_jobs=n_jobs, scheduler=scheduler, progress=progress)
        ext_counts, ext_warn = external_counts(ye, ext_h)
        km_ext = _km_by_group(ef, cfg.scores)
        ext_m = catalogue.tidy(ext_m)
        ext_m.insert(0, "cohort", "external")
        external = ext_m[["cohort", "predictor", "metric", "horizon", "value", "ci_low", "ci_high", "n_rep", "note"]]
        c2, g2 = _calibration_curves(fitted, ef, ye, ext_h, "external")
        curves = pd.concat([curves, c2], ignore_index=True)
        groups = pd.concat([groups, g2], ignore_index=True)
        dca = pd.concat([dca, _decision_curves(fitted, ef, ye, dca_plans["external"].kept, cfg.dca_thresholds,
                                               "external")],
                        ignore_index=True)
        t1_ext = table1(ef)

    drift = updating = updating_tests = pd.DataFrame()
    if whole_dev is not None:
        from .temporal import period_performance

        drift = period_performance(fitted, whole_dev, v.date_column, v.period, cfg.horizons)
    if cfg.update and "external" in cohorts:
        from .updating import study_update

        updating, updating_tests, _, _ = study_update(cfg.update, fitted, ef, ye, cfg.horizons, seed=cfg.seed,
                                                      n_jobs=n_jobs)
    timings["curves_external_tables"] = round(_time.perf_counter() - t1, 2)
    notes = list(ext_warn) + ph_notes + forest_notes
    for role, plan in plans.items():
        if plan.default:
            notes.append(f"Horizons: none given; the defaults 3, 6, 12, 24 months within follow-up were used "
                         f"({', '.join(f'{h:g}' for h in plan.kept) or 'none'}).")
        notes += [f"{role} cohort: {n}." for n in plan.notes()]
    for role, plan in dca_plans.items():
        notes += [f"{role} cohort: {n}." for n in plan.notes("decision curves")]
    origins = {role: str((c.metadata or {}).get("time_origin") or "not stated") for role, c in cohorts.items()}
    if len(set(origins.values())) > 1:
        notes.append("The cohorts count survival from different time origins ("
                     + "; ".join(f"{r}: {o}" for r, o in origins.items())
                     + "): predicted and observed survival are not measured from the same event.")
    if cfg.allow_missing_features:
        from .config import available_columns, lacking_feature_items

        for role, c in cohorts.items():
            for m in cfg.models:
                lack = lacking_feature_items(m.features, available_columns(c.frame), bool(m.params.get("ecog_to_kps")))
                if lack:
                    notes.append(f"{m.name}: predictors {', '.join(lack)} are absent from the {role} cohort; they were "
                                 "imputed with one constant for every patient, so the model does not use them "
                                 "(allow_missing_features: true).")
    from ..scores import compute as _compute

    for sp in cfg.scores:
        if sp.kind == "score":
            tot = _compute(frame, sp.score, **sp.options)[sp.score]
            k = int(tot.isna().sum())
            if k:
                how = ("scored at the middle of their possible range (missing='midrange')" if sp.missing == "midrange"
                       else "not scorable")
                notes.append(f"{sp.display}: {k} of {len(frame)} development patients have an incomplete total "
                             f"(an item not recorded) and were {how}.")
    for n, est in fitted.items():
        k = getattr(est, "n_imputed_", 0)
        if k:
            notes.append(f"{n}: {k} patient(s) with a missing value were given the training median.")
    if len(res.failures):
        notes.append(f"{len(res.failures)} fit(s) failed inside replicates and were excluded for that predictor "
                     "(see tables/failures.csv).")
    imputation_summary = summarise_imputation(imputation, frame, y, dict(zip(names, specs, strict=False)), fitted, n_excluded)
    if imputation.method != "indicator":
        notes.append(f"Missing data: {imputation.describe()}."
                     + (f" {n_excluded} development patient(s) with a missing model input were excluded."
                        if n_excluded else ""))
        notes += imputation_summary.get("engine_notes", [])
    prov = {
        "config": cfg.to_dict(), "config_sha256": cfg.sha256(), "config_source": cfg.source, "seed": cfg.seed,
        "validation": {"method": v.method, "n_boot": v.n_boot, "folds": v.folds, "repeats": v.repeats,
                       "ci_level": v.ci_level},
        "inputs": {role: {**describe_cohort(_spec(cfg, role), c),
                          "sha256": _sha256_of(c, _spec(cfg, role), cfg),
                          "n": len(c), "deaths": int(c.frame["event"].sum()),
                          "flow": flow_table(c)}
                   for role, c in cohorts.items()},
        "versions": versions(),
        "run_time_seconds": round(_time.perf_counter() - t0, 1),
        "timings_seconds": timings,
        "scheduler": "dask" if scheduler is not None else f"joblib n_jobs={n_jobs}",
        "started_utc": pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%d %H:%M:%S UTC"),
    }
    return StudyResult(
        config=cfg, metrics=metrics, calibration=calibration, calibration_curves=curves,
        calibration_groups=groups, comparisons=comparisons, km=km, decision_curves=dca,
        external=external, transport=transport, external_counts=ext_counts, km_external=km_ext, table1=tab1, table1_external=t1_ext, oracle=_oracle(cohorts),
        failures=res.failures,
        predictors=pd.DataFrame({"predictor": names, "kind": [kind_of[n] for n in names],
                                 "detail": [detail[n] for n in names]}),
        provenance=prov, notes=notes, fitted=fitted, drift=drift, updating=updating, updating_tests=updating_tests,
        imputation=imputation_summary,
    )
