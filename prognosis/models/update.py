"""Updating a Cox-type model on a new cohort: Steyerberg's hierarchy and closed testing.

``update(model, X, y, method)`` returns an updated copy of ``model`` and an :class:`UpdateReport`.
The methods (Steyerberg, Clinical Prediction Models, 2nd ed. 2019, ch. 20; Van Houwelingen,
Stat Med 2000;19:3401 for survival models), with lp = the original model's linear predictor
on the new cohort:

``"intercept"``  recalibration in the large: the baseline cumulative hazard is re-estimated on
                 the new cohort (Efron-adjusted, as :class:`CoxModel`) with lp as a fixed offset;
                 hazard ratios are unchanged.
``"slope"``      recalibration: lp is multiplied by a slope b (Cox partial likelihood of b on
                 lp), then the baseline is re-estimated; every log hazard ratio becomes b * beta.
``"revision"``   b * lp plus re-estimated corrections delta_j for selected design columns j
                 (``revise=[...]``, or chosen automatically: the columns whose 1-df likelihood
                 ratio test for adding them to the slope model is significant at
                 ``alpha / p``, Bonferroni), then the baseline.
``"refit"``      every coefficient re-estimated on the new cohort (the original model's
                 design, knots and penalty kept), then the baseline.
``"auto"``       the closed testing procedure of Vergouwe et al. (Stat Med 2017;36:4529),
                 adapted to Cox models (below); may keep the original model (``"none"``).

Closed testing adapted to Cox models. The partial likelihood does not involve the baseline
hazard, so recalibration in the large cannot be tested against the original model with it;
that one step uses the full likelihood with the original baseline hazard kept as the shape,
i.e. the Poisson likelihood of the observed deaths O given the expected E = sum_i H0(t_i) exp(lp_i)
(Crowson, Atkinson & Therneau, Stat Methods Med Res 2016;25:1692): ``LR0 = 2 (O ln(O/E) - (O - E))``
with 1 df (follow-up beyond the original model's is censored at its end). All other comparisons
are partial-likelihood ratio tests between nested models (intercept ⊂ slope ⊂ revision ⊂ refit).
As in Vergouwe et al., the most extensive model (refit, ``p`` free coefficients) is tested
against each simpler one in turn, at level ``alpha``:

1. refit vs original: ``LR0 + 2 (l_refit - l_intercept)``, 1 + p df; not significant -> ``"none"``;
2. refit vs intercept: p df; not significant -> ``"intercept"``;
3. refit vs slope: p - 1 df; not significant -> ``"slope"``;
4. refit vs revision: p - 1 - k df (k revised columns; skipped when k = 0); not significant ->
   ``"revision"``, else ``"refit"``.

Step 1 adds two statistics from different likelihoods; they are asymptotically independent
under the null (the baseline level is orthogonal to the partial-likelihood score), so the sum is
referred to chi-square with 1 + p df; this is an approximation, stated in the report.

Supported models: :class:`CoxModel` (unstratified), a :class:`SurvivalPipeline` ending in one
(the fitted FeatureBuilder is kept, so the new cohort is encoded exactly as the development
cohort), and :class:`ScoreModel` with ``how="cox"`` (the score total is the single covariate, so
slope and refit coincide and revision is not available). Forests and boosting have no linear
predictor to recalibrate: :class:`ModelError`.
"""
from __future__ import annotations

import copy
import datetime as _dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._kernels import step_evaluate
from .._summary import Summary
from ..errors import InputError, ModelError
from ..survival_data import split_y

__all__ = ["UPDATE_METHODS", "UpdateReport", "update"]

UPDATE_METHODS = ("auto", "intercept", "slope", "revision", "refit")
_ORDER = ("none", "intercept", "slope", "revision", "refit")


@dataclass
class UpdateReport:
    """What :func:`update` did: chosen method, every test, the fitted updates and lineage facts.

    Attributes
    ----------
    method : str
        The method applied (``"none"`` when closed testing kept the original model).
    requested : str
        The ``method`` argument.
    tests : DataFrame
        One row per closed-testing step: comparison, chi2, df, p, significant, decision.
    models : DataFrame
        One row per candidate update: parameters, partial log-likelihood, slope, revised columns.
    slope : float
        Multiplier of the original linear predictor (1 for intercept, NaN for refit).
    slope_ci : tuple
        Its 95% Wald interval.
    revised : list
        Design columns re-estimated by ``"revision"``.
    observed, expected : float
        Deaths observed in the new cohort and expected by the original model (same follow-up).
    n, n_events : int
    notes : list of str
        Warnings (e.g. columns constant in the new cohort, few events).
    """

    method: str
    requested: str
    tests: pd.DataFrame = field(repr=False)
    models: pd.DataFrame = field(repr=False)
    slope: float = float("nan")
    slope_ci: tuple = (float("nan"), float("nan"))
    revised: list = field(default_factory=list)
    observed: float = float("nan")
    expected: float = float("nan")
    n: int = 0
    n_events: int = 0
    alpha: float = 0.05
    notes: list = field(default_factory=list)
    created_utc: str = ""

    @property
    def oe_ratio(self) -> float:
        """Observed / expected deaths of the original model on the new cohort (1 = calibrated in the large)."""
        return self.observed / self.expected if self.expected > 0 else float("nan")

    def lineage(self, parent_sha256: str = "", cohort_checksum: str = "") -> dict:
        """JSON-able lineage record for the artifact metadata (``save(..., metadata={"lineage": ...})``)."""
        return {"parent_sha256": parent_sha256, "method": self.method, "requested_method": self.requested,
                "cohort_checksum": cohort_checksum, "date_utc": self.created_utc, "n": self.n,
                "n_events": self.n_events, "slope": None if np.isnan(self.slope) else float(self.slope),
                "revised": list(self.revised),
                "tests": [{k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()}
                          for r in self.tests.to_dict("records")]}

    def summary(self) -> Summary:
        """The chosen update and the closed test: ``str()`` is the text, ``.table`` the candidate updates
        (:attr:`models`; the closed-testing table is :attr:`tests`)."""
        lines = [f"Model update on {self.n} patients ({self.n_events} deaths): method {self.method!r}"
                 + (f" (chosen by closed testing, alpha = {self.alpha:g})" if self.requested == "auto" else ""),
                 (f"  original model on the new cohort: observed {self.observed:.0f} vs expected "
                  f"{self.expected:.1f} deaths, O/E {self.oe_ratio:.3f}"),
                 f"  calibration slope of the original linear predictor: {self.models.loc['slope', 'slope']:.3f} "
                 f"(95% CI {self.slope_ci[0]:.3f} to {self.slope_ci[1]:.3f}; 1 = ideal)"
                 if "slope" in self.models.index else ""]
        if len(self.tests):
            lines.append("  closed testing (likelihood-ratio tests, most extensive update vs each simpler one):")
            for _, r in self.tests.iterrows():
                p = "-" if pd.isna(r["p"]) else ("<0.0001" if r["p"] < 1e-4 else f"{r['p']:.4f}")
                chi = "-" if pd.isna(r["chi2"]) else f"{r['chi2']:.2f}"
                lines.append(f"    {r['comparison']:<24} chi2 {chi:>8}  df {int(r['df']):>2}  p {p:>8}  "
                             f"-> {r['decision']}")
        if self.revised:
            lines.append(f"  revised columns: {', '.join(self.revised)}")
        for n in self.notes:
            lines.append(f"  note: {n}")
        return Summary("\n".join(x for x in lines if x), self.models)

    def __str__(self) -> str:
        return self.summary().text


# -- model access ------------------------------------------------------------------------------
def _unwrap(model, X):
    """(kind, inner CoxModel, design-input matrix as DataFrame) for a supported model."""
    from .cox import CoxModel
    from .pipeline import SurvivalPipeline
    from .score_model import ScoreModel

    if isinstance(model, SurvivalPipeline):
        final = model.steps[-1][1]
        if not isinstance(final, CoxModel):
            raise ModelError(f"update needs a Cox-type model; this pipeline ends in {type(final).__name__}, which "
                             "has no linear predictor to recalibrate (refit it with prognosis fit instead)")
        Xt = X
        for _, _, step in model._iter(with_final=False):
            Xt = step.transform(Xt)
        return "pipeline", final, Xt
    if isinstance(model, ScoreModel):
        if not hasattr(model, "max_time_"):
            raise ModelError("ScoreModel is not fitted")
        if model.how != "cox":
            raise ModelError(f"ScoreModel(how={model.how!r}) has no linear predictor; use how='cox' to update it")
        total = model._total(model.compute(X))
        return "score", model.cox_, pd.DataFrame({model.name: total}, index=X.index)
    if isinstance(model, CoxModel):
        return "cox", model, X
    raise ModelError(f"update supports CoxModel, a SurvivalPipeline ending in CoxModel and ScoreModel(how='cox'), "
                     f"not {type(model).__name__}")


def _rewrap(kind, model, new_cox, max_time, max_event_time):
    out = copy.deepcopy(model)
    if kind == "pipeline":
        out.steps[-1] = (out.steps[-1][0], new_cox)
    elif kind == "score":
        out.cox_ = new_cox
        out.max_time_ = max_time
    else:
        out = new_cox
    return out


# -- likelihood pieces ---------------------------------------------------------------------------
def _fit(D, time, event, offset, penalizer=0.0):
    from ._cox_newton import CoxNewtonError, fit_cox_newton

    try:
        return fit_cox_newton(D, time, event, penalizer=penalizer, offset=offset)
    except CoxNewtonError as exc:
        raise ModelError(f"update: Cox fit on the new cohort did not converge ({exc}); too few events for this "
                         "update method, or a column with no events in one level -- try a simpler method") from exc


def _pl(time, event, eta) -> float:
    """Unpenalised partial log-likelihood (Efron) of a fixed linear predictor."""
    return _fit(np.empty((time.size, 0)), time, event, eta).loglik


def _expected(cox, time, event, lp):
    """Observed and expected deaths under the original model, censored at its follow-up end."""
    grid, H = cox.baseline_times_["__all__"], cox.baseline_cumhaz_["__all__"]
    tau = float(cox.max_time_)
    tt = np.minimum(time, tau)
    dd = np.where(time <= tau, event, 0)
    H0 = step_evaluate(grid, H, tt, 0.0)
    return float(dd.sum()), float((H0 * np.exp(lp)).sum())


def _lr_row(name, chi2_, df, alpha, decision_if_ns, decision_if_sig):
    from scipy.stats import chi2

    p = float(chi2.sf(max(chi2_, 0.0), df)) if df > 0 else float("nan")
    sig = bool(p < alpha) if df > 0 else True
    return {"comparison": name, "chi2": float(chi2_), "df": int(df), "p": p, "significant": sig,
            "decision": decision_if_sig if sig else decision_if_ns}


# -- the updated CoxModel --------------------------------------------------------------------------
def _new_cox(cox, D, time, event, coef, cov):
    from scipy.stats import chi2

    from .cox import _baseline_cumhaz

    new = copy.deepcopy(cox)
    new.coef_ = np.asarray(coef, float)
    new.cov_ = np.asarray(cov, float)
    new.means_ = D.mean(axis=0)
    Dc = D - new.means_
    lp = Dc @ new.coef_
    ut, H, V, XB = _baseline_cumhaz(time, event, np.exp(lp), cox.baseline, x=Dc)
    new.baseline_times_ = {"__all__": ut}
    new.baseline_cumhaz_ = {"__all__": H}
    new.baseline_varhaz_ = {"__all__": V}
    new.baseline_xbar_ = {"__all__": XB}
    se = np.sqrt(np.clip(np.diag(new.cov_), 0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, new.coef_ / se, np.nan)
    new.summary_ = {"coef": new.coef_.tolist(), "se": se.tolist(), "z": z.tolist(), "p": chi2.sf(z ** 2, 1).tolist()}
    new.max_time_ = float(time.max())
    new.max_event_time_ = float(time[event == 1].max())
    new._train_arrays = None
    new._lifelines = None
    new._train_df = None
    return new


def _independent_columns(D: np.ndarray) -> np.ndarray:
    """Indices of a maximal set of columns, in order, that are non-constant and not linear
    combinations of the intercept and earlier columns (Gram-Schmidt with re-orthogonalisation,
    relative tolerance 1e-9, as :func:`prognosis.models.cox._collinearity_hint`)."""
    n = D.shape[0]
    basis = [np.full(n, 1.0 / np.sqrt(n))]
    keep = []
    for j in range(D.shape[1]):
        x = D[:, j].astype(float)
        scale = np.linalg.norm(x - x.mean())
        if not scale > 0:
            continue
        r = x.copy()
        for _ in range(2):
            for q in basis:
                r -= (q @ r) * q
        if np.linalg.norm(r) > 1e-9 * scale:
            basis.append(r / np.linalg.norm(r))
            keep.append(j)
    return np.asarray(keep, dtype=int)


def _forward_select(D, free, time, event, lp, ll_base, alpha):
    """Forward selection of design columns whose effect differs from the original model.

    Starting from the intercept update (lp as offset), repeatedly add the column with the largest
    1-df likelihood-ratio statistic while its p-value is below ``alpha / k`` (Bonferroni over the
    k free columns), each test conditional on the columns already added.
    """
    from scipy.stats import chi2

    chosen: list[int] = []
    ll = ll_base
    thr = alpha / max(free.size, 1)
    while len(chosen) < free.size - 1:
        best, best_ll = None, ll
        for j in free:
            if j in chosen:
                continue
            try:
                mj = _fit(D[:, chosen + [int(j)]], time, event, lp)
            except ModelError:
                continue
            if mj.loglik > best_ll:
                best, best_ll = int(j), mj.loglik
        if best is None or chi2.sf(2 * (best_ll - ll), 1) >= thr:
            break
        chosen.append(best)
        ll = best_ll
    return chosen


def update(model, X, y, method: str = "auto", *, alpha: float = 0.05, revise=None):
    """Update a fitted Cox-type model on a new cohort (Steyerberg's hierarchy; closed testing for ``"auto"``).

    Parameters
    ----------
    model : CoxModel, SurvivalPipeline ending in CoxModel, or ScoreModel(how="cox"), fitted
    X : the new cohort in the model's input format (the canonical frame for pipelines and scores)
    y : survival outcome of the new cohort (structured array or frame with time_months/event)
    method : {"auto", "intercept", "slope", "revision", "refit"}
    alpha : level of the closed-testing and revision-selection tests (default 0.05)
    revise : list of design-column names re-estimated by ``"revision"`` (default: selected by
        1-df likelihood-ratio tests at ``alpha / p``)

    Returns
    -------
    (updated_model, UpdateReport)
        The updated model is a new object of the same type (the input is not modified); its
        baseline hazard, follow-up limit and coefficients come from the new cohort.
    """
    if method not in UPDATE_METHODS:
        raise InputError(f"method must be one of {list(UPDATE_METHODS)}, got {method!r}")
    if not 0 < alpha < 1:
        raise InputError(f"alpha must be in (0, 1), got {alpha!r}")
    kind, cox, Xd = _unwrap(model, X)
    D, time, event = _new_cohort(cox, Xd, y)
    n_events = int(event.sum())
    names = list(cox.design_names_)
    beta0 = np.asarray(cox.coef_, float)
    p = beta0.size
    lp = (D - cox.means_) @ beta0
    free = _independent_columns(D)
    notes = _cohort_notes(n_events, p, method, [names[j] for j in range(p) if j not in set(free.tolist())])

    # M1 intercept (baseline only), M2 slope
    fits = _Fits(ll1=_pl(time, event, lp), m2=_fit(lp[:, None], time, event, None))
    observed, expected = _expected(cox, time, event, lp)
    lr0 = (2.0 * (observed * np.log(observed / expected) - (observed - expected)) if observed > 0
           else 2.0 * expected)

    # M4 refit (free columns; constant ones stay at their original values)
    rows = [{"model": "intercept", "parameters": 0, "loglik": fits.ll1, "slope": 1.0, "revised": ""},
            {"model": "slope", "parameters": 1, "loglik": fits.ll2, "slope": fits.b, "revised": ""}]
    single = p == 1
    if method in ("refit", "auto", "revision") and not single:
        if _refit(fits, D, free, time, event, beta0, cox, method, notes):
            rows.append({"model": "refit", "parameters": int(free.size), "loglik": fits.ll4, "slope": np.nan,
                         "revised": ""})
        else:  # not estimable under "auto": closed testing among original, intercept and slope
            single = True

    # M3 revision: original lp as offset + corrections delta_j for selected columns
    if method in ("revision", "auto") and not single:
        method = _revision(fits, revise, names, D, free, time, event, lp, alpha, method, notes)
        rows.append({"model": "revision", "parameters": len(fits.idx), "loglik": fits.ll3, "slope": 1.0,
                     "revised": ", ".join(fits.revised)})
    models = pd.DataFrame(rows).set_index("model")

    tests, chosen = _choose(fits, method, single, lr0, free.size, alpha)
    chosen = _settle(chosen, single, p, fits.revised, notes)
    coef, cov = _updated_coefficients(chosen, fits, cox, beta0, free)
    if chosen == "none":
        new_model = copy.deepcopy(model)
    else:
        new_cox = _new_cox(cox, D, time, event, coef, cov)
        new_model = _rewrap(kind, model, new_cox, new_cox.max_time_, new_cox.max_event_time_)
    b = fits.b
    half = 1.959963984540054 * np.sqrt(fits.var_b)
    report = UpdateReport(
        method=chosen, requested=method, tests=pd.DataFrame(tests, columns=["comparison", "chi2", "df", "p",
                                                                            "significant", "decision"]),
        models=models, slope=1.0 if chosen == "intercept" else (b if chosen == "slope" else np.nan),
        slope_ci=(b - half, b + half), revised=fits.revised if chosen == "revision" else [],
        observed=observed, expected=expected,
        n=int(time.size), n_events=n_events, alpha=alpha, notes=notes,
        created_utc=_dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"))
    return new_model, report


@dataclass
class _Fits:
    """The nested models of one update: M1 intercept (offset lp), M2 slope, M3 revision, M4 refit."""

    ll1: float
    m2: object
    m3: object = None
    m4: object = None
    beta4: np.ndarray | None = None
    ll4: float = np.nan
    ll3: float = np.nan
    idx: list = field(default_factory=list)
    revised: list = field(default_factory=list)

    @property
    def b(self) -> float:
        return float(self.m2.coef[0])

    @property
    def var_b(self) -> float:
        return float(self.m2.cov[0, 0])

    @property
    def ll2(self) -> float:
        return self.m2.loglik


def _new_cohort(cox, Xd, y):
    """Design matrix, times and events of the new cohort, checked."""
    if cox.strata:
        raise ModelError("updating a stratified Cox model is not supported (one baseline per stratum)")
    arr = cox._validate_X(Xd)
    time, event = split_y(y)
    time, event = np.asarray(time, float), np.asarray(event).astype(int)
    if time.size != arr.shape[0]:
        raise InputError(f"X has {arr.shape[0]} rows but y has {time.size}")
    if (time <= 0).any():
        raise InputError(f"time_months must be > 0; row {int(np.flatnonzero(time <= 0)[0])} has "
                         f"{time[time <= 0][0]!r}")
    if int(event.sum()) == 0:
        raise ModelError("the new cohort has no deaths; nothing to update on")
    D, _ = cox._design(arr)
    return D, time, event


def _cohort_notes(n_events: int, p: int, method: str, fixed: list[str]) -> list[str]:
    """What the new cohort's size and design allow the update to estimate."""
    notes = []
    if n_events < 20:
        notes.append(f"only {n_events} deaths: every update estimated here is very imprecise")
    if n_events < 10 * max(p, 1) and method in ("refit", "revision", "auto"):
        notes.append(f"{n_events} deaths for {p} coefficients (< 10 per coefficient): revision and refit "
                     "estimates are unstable")
    if fixed and method in ("revision", "refit", "auto"):
        notes.append(f"{len(fixed)} design column(s) constant or collinear in the new cohort keep their original "
                     f"coefficients under revision/refit: {fixed[:6]}{' ...' if len(fixed) > 6 else ''}")
    return notes


def _refit(fits: _Fits, D, free, time, event, beta0, cox, method: str, notes: list) -> bool:
    """Fit M4 into ``fits``; False (with a note) when it does not converge under ``"auto"``."""
    try:
        m4 = _fit(D[:, free], time, event, None, penalizer=cox.penalizer)
    except ModelError as exc:
        if method != "auto":
            raise
        notes.append(f"refit not estimable on this cohort ({type(exc).__name__}: the Cox fit did not converge): "
                     "closed testing among keeping the model, intercept and slope only")
        return False
    beta4 = beta0.copy()
    beta4[free] = m4.coef
    fits.m4, fits.beta4 = m4, beta4
    fits.ll4 = _pl(time, event, D @ beta4) if cox.penalizer else m4.loglik
    return True


def _revision(fits: _Fits, revise, names, D, free, time, event, lp, alpha, method: str, notes: list) -> str:
    """Fit M3 into ``fits``; returns the method (``"revision"`` becomes ``"refit"`` when every column
    is selected)."""
    if revise is not None:
        unknown = [c for c in revise if c not in names]
        if unknown:
            from ..errors import did_you_mean

            raise InputError(f"revise: unknown design column(s) {unknown}{did_you_mean(unknown[0], names)}; "
                             f"columns are {names[:10]}...")
        idx = [names.index(c) for c in revise if names.index(c) in set(free.tolist())]
    else:
        idx = _forward_select(D, free, time, event, lp, fits.ll1, alpha)
    if len(idx) >= free.size:
        notes.append("every column was selected for revision, which is the refit")
        idx = []
        if method == "revision":
            method = "refit"
    fits.idx, fits.revised = idx, [names[j] for j in idx]
    if idx:
        fits.m3 = _fit(D[:, idx], time, event, lp)
        fits.ll3 = fits.m3.loglik
    else:
        fits.m3, fits.ll3 = None, fits.ll1
    return method


def _choose(fits: _Fits, method: str, single: bool, lr0: float, k: int, alpha: float) -> tuple[list, str]:
    """(closed tests, chosen method): the closed testing procedure for ``"auto"``, else ``method``."""
    if method != "auto":
        if single and method == "revision":
            raise ModelError("revision needs a model with more than one coefficient (a score model has one: use slope)")
        return [], method
    ll1, ll2 = fits.ll1, fits.ll2
    tests = []
    if single:
        tests.append(_lr_row("slope vs original", lr0 + 2 * (ll2 - ll1), 2, alpha, "none", "continue"))
        if tests[-1]["significant"]:
            tests.append(_lr_row("slope vs intercept", 2 * (ll2 - ll1), 1, alpha, "intercept", "slope"))
    else:
        ll4 = fits.ll4
        steps = [("refit vs original", lr0 + 2 * (ll4 - ll1), 1 + k, "none"),
                 ("refit vs intercept", 2 * (ll4 - ll1), k, "intercept"),
                 ("refit vs slope", 2 * (ll4 - ll2), k - 1, "slope")]
        if fits.revised:
            steps.append(("refit vs revision", 2 * (ll4 - fits.ll3), k - len(fits.revised), "revision"))
        for name, stat, df, ns in steps:
            row = _lr_row(name, stat, df, alpha, ns, "continue")
            tests.append(row)
            if not row["significant"]:
                break
        if tests[-1]["significant"]:
            tests[-1]["decision"] = "refit"
    chosen = tests[-1]["decision"]
    if chosen == "continue":  # single-covariate slope test significant at the last step
        chosen = "slope"
    return tests, chosen


def _settle(chosen: str, single: bool, p: int, revised: list, notes: list) -> str:
    """Methods that coincide with a simpler one on this model, with a note."""
    if single and chosen == "refit" and p == 1:
        chosen = "slope"
        notes.append("one covariate: refit is the same as slope recalibration")
    if chosen == "revision" and not revised:
        notes.append("no column's effect differed significantly from the original model; revision = intercept update")
    return chosen


def _updated_coefficients(chosen: str, fits: _Fits, cox, beta0, free) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients and covariance of the chosen model."""
    if chosen == "none" or chosen == "intercept" or chosen == "revision" and not fits.revised:
        return beta0, cox.cov_
    if chosen == "slope":
        b, var_b = fits.b, fits.var_b
        return b * beta0, b * b * cox.cov_ + var_b * np.outer(beta0, beta0)
    cov = np.array(cox.cov_, float, copy=True)
    if chosen == "revision":
        coef = beta0.copy()
        coef[fits.idx] += fits.m3.coef
        cov[np.ix_(fits.idx, fits.idx)] += fits.m3.cov
        return coef, cov
    # refit
    rest = np.setdiff1d(np.arange(beta0.size), free)
    cov[np.ix_(free, free)] = fits.m4.cov
    cov[np.ix_(free, rest)] = 0
    cov[np.ix_(rest, free)] = 0
    return fits.beta4, cov
