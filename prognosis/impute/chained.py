"""``MultipleImputer``: multiple imputation by chained equations on the canonical cohort frame.

What it does (van Buuren & Groothuis-Oudshoorn, J Stat Softw 2011;45(3), the algorithm of R
``mice``):

- m independent chains (one per imputation), each started from random draws of the observed
  values and run for ``maxit`` sweeps; in every sweep each incomplete column is imputed from a
  model on all other covariates, **the event indicator and the Nelson-Aalen cumulative hazard
  H(T) at the patient's follow-up time** (White & Royston, Stat Med 2009;28:1982 -- leaving the
  outcome out biases the covariate's hazard ratio towards 0; time itself is not used);
- numbers: predictive mean matching (``"pmm"``, default; mice's type-1 matching with 5 donors
  and the Bayesian linear-regression parameter draw of ``mice:::.norm.draw``, ridge 1e-5), or
  a draw from the Bayesian normal linear model (``"norm"``), rounded for integer columns and
  clipped to the observed range;
- binary columns and two-level categories: Bayesian logistic regression (maximum likelihood,
  parameters drawn from their normal approximation, as ``mice.impute.logreg``);
- categories with more levels: multinomial logistic regression, parameters drawn from their
  normal approximation (the parameter uncertainty a proper imputation needs; mice's ``polyreg``
  omits it);
- convergence: the mean and SD of the imputed values of every column in every sweep and chain
  (``chain_stats_``, mice's ``chainMean``/``chainVar``) and the Gelman-Rubin potential scale
  reduction over the second half of the sweeps (:meth:`MultipleImputer.convergence`); values
  above 1.1 raise :class:`~prognosis.errors.ImputationConvergenceWarning`.

Why not scikit-learn's ``IterativeImputer(sample_posterior=True)``: it treats every column as
continuous (one ``BayesianRidge``), so a Frankel grade or a bone-metastasis count would be
imputed as 2.37 or -1; it has neither logistic/multinomial models nor predictive mean matching,
and it draws from the predictive distribution of a single chain, so m imputations are m runs
with different seeds. miceforest imputes with LightGBM (a heavy compiled dependency) and has no
documented equivalence with mice's methods. The regressions here are a few lines of NumPy each, and
matching R mice (checked on NCCTG lung, ``tests/reference/make_reference_impute.R``) was the
acceptance criterion.

Known limitation (measured)
---------------------------
Event + H(T) is an approximation of the covariate's conditional distribution under a Cox
model. With a log-HR of 0.5 per SD and a third of the values missing at random on another
covariate and the outcome, it attenuates the log-HR by about 0.07 (coverage ~90%;
``benchmarks/bench_impute.py``; R mice gives the same on the same data sets). When the
analysis model is a Cox model linear in known covariates, use
:func:`prognosis.models.mi.smcfcs_cox` (substantive-model-compatible FCS), which is unbiased
in that benchmark.

New patients (no outcome yet)
-----------------------------
An imputation model that conditions on the outcome cannot be applied to a patient whose outcome
is unknown. For prediction, :meth:`transform` uses, for each imputation k, a second set of
models fitted on completed data set k **without the outcome**, with parameters drawn once from
their posterior (normal linear model / logistic / multinomial), and runs ``maxit`` Gibbs
sweeps over the new patient's missing values (Hoogland et al., Stat Med 2020;39:2695,
"Handling missing predictor values when validating and applying a prediction model to new
patients"). These models hold only coefficients, SDs, the observed ranges and level
frequencies -- never a training patient's values -- so they can travel in a model artifact.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .._kernels import step_evaluate
from .._summary import Summary
from ..errors import ImputationConvergenceWarning, InputError, ModelError, NotFittedError, UnseenLevelWarning

__all__ = ["MultipleImputer", "nelson_aalen_at", "missing_pattern", "DEFAULT_EXCLUDE"]

#: Columns never imputed nor used as imputation predictors (identifiers, outcome, simulation truth).
DEFAULT_EXCLUDE = ("patient_id", "cohort", "entry_months", "primary_histology")
_MAX_LEVELS = 40
_NA_LEVEL = "(not applicable)"


def nelson_aalen_at(time, event) -> np.ndarray:
    """Nelson-Aalen cumulative hazard evaluated at each patient's own time (``mice::nelsonaalen``).

    H(t) = sum over distinct event times s <= t of d(s) / n(s), ties counted together.
    """
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=float)
    ut = np.unique(t[e == 1])
    if ut.size == 0:
        return np.zeros_like(t)
    ts = np.sort(t)
    at_risk = t.size - np.searchsorted(ts, ut, side="left")
    d = np.bincount(np.searchsorted(ut, t[e == 1]), minlength=ut.size)
    H = np.cumsum(d / at_risk)
    return step_evaluate(ut, H, t, 0.0)


def missing_pattern(frame: pd.DataFrame, columns=None) -> pd.DataFrame:
    """Missing-data patterns (as ``mice::md.pattern``): one row per pattern, 1 = observed.

    Columns are ordered by increasing number of missing values; ``n`` counts the patients with
    that pattern and ``n_missing`` the variables missing in it. The last row (index
    ``"missing"``) gives the number of missing values per column.
    """
    cols = list(columns) if columns is not None else [c for c in frame.columns if frame[c].isna().any()]
    if not cols:
        return pd.DataFrame({"n": [len(frame)], "n_missing": [0]}, index=pd.Index(["complete"], name="pattern"))
    obs = frame[cols].notna()
    order = obs.sum().sort_values(ascending=False, kind="mergesort").index.tolist()
    obs = obs[order].astype(int)
    pat = obs.value_counts(sort=False).rename("n").reset_index()
    pat["n_missing"] = len(order) - pat[order].sum(axis=1)
    pat = pat.sort_values(["n_missing", "n"], ascending=[True, False], kind="mergesort").reset_index(drop=True)
    pat.index = pd.Index([f"pattern {i + 1}" for i in range(len(pat))], name="pattern")
    tot = pd.DataFrame([{**{c: int(frame[c].isna().sum()) for c in order}, "n": np.nan,
                         "n_missing": int(frame[order].isna().sum().sum())}], index=["missing"])
    return pd.concat([pat[order + ["n", "n_missing"]], tot])


# --------------------------------------------------------------------------------------------
# regression draws (mice conventions)
# --------------------------------------------------------------------------------------------
def _norm_draw(x: np.ndarray, y: np.ndarray, rng, ridge: float):
    """``mice:::.norm.draw``: (coef, beta_star, sigma_star) of the Bayesian linear model."""
    xtx = x.T @ x
    pen = ridge * np.diag(xtx)
    v = np.linalg.pinv(xtx + np.diag(pen))
    v = (v + v.T) / 2
    coef = v @ (x.T @ y)
    res = y - x @ coef
    df = max(len(y) - x.shape[1], 1)
    sigma_star = np.sqrt(float(res @ res) / rng.chisquare(df))
    try:
        L = np.linalg.cholesky(v)
    except np.linalg.LinAlgError:
        w, q = np.linalg.eigh(v)
        L = q * np.sqrt(np.clip(w, 0, None))
    beta_star = coef + (L @ rng.standard_normal(x.shape[1])) * sigma_star
    return coef, beta_star, sigma_star


def _pmm(yhat_obs: np.ndarray, yhat_mis: np.ndarray, y_obs: np.ndarray, donors: int, rng) -> np.ndarray:
    """Predictive mean matching: for each target a random one of the ``donors`` closest donors."""
    k = min(donors, yhat_obs.size)
    order = np.argsort(yhat_obs, kind="mergesort")
    ys = yhat_obs[order]
    out = np.empty(yhat_mis.size)
    pos = np.searchsorted(ys, yhat_mis)
    for i, (p, target) in enumerate(zip(pos, yhat_mis, strict=False)):
        lo, hi = max(p - k, 0), min(p + k, ys.size)
        cand = np.arange(lo, hi)
        # random tie-breaking among equally distant donors (mice's matchindex shuffles donors)
        dist = np.abs(ys[cand] - target) + rng.random(cand.size) * 1e-12
        nearest = cand[np.argpartition(dist, k - 1)[:k]] if cand.size > k else cand
        out[i] = y_obs[order[rng.choice(nearest)]]
    return out


def _logit_fit(x: np.ndarray, y: np.ndarray, ridge: float = 1e-4, max_iter: int = 50):
    """Logistic regression by Newton-Raphson with a tiny ridge (keeps separated data finite).

    Returns (coef, covariance). The ridge is ``ridge * n`` on the non-intercept coefficients of
    standardised columns (mice's logreg augments the data for the same purpose).
    """
    n, p = x.shape
    beta = np.zeros(p)
    pen = np.full(p, ridge * n)
    pen[0] = 0.0
    for _ in range(max_iter):
        eta = np.clip(x @ beta, -30, 30)
        mu = 1 / (1 + np.exp(-eta))
        w = mu * (1 - mu)
        grad = x.T @ (y - mu) - pen * beta
        hess = (x * w[:, None]).T @ x + np.diag(pen)
        step = np.linalg.solve(hess + 1e-10 * np.eye(p), grad)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-8:
            break
    eta = np.clip(x @ beta, -30, 30)
    mu = 1 / (1 + np.exp(-eta))
    hess = (x * (mu * (1 - mu))[:, None]).T @ x + np.diag(pen)
    cov = np.linalg.pinv(hess)
    return beta, (cov + cov.T) / 2


def _mvn_draw(mean: np.ndarray, cov: np.ndarray, rng) -> np.ndarray:
    w, q = np.linalg.eigh(cov)
    return mean + q @ (np.sqrt(np.clip(w, 0, None)) * rng.standard_normal(mean.size))


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _multinom_fit(x: np.ndarray, y: np.ndarray, n_levels: int, rng, ridge: float = 1e-4, max_iter: int = 30):
    """Multinomial logistic coefficients (p, K) drawn from their approximate posterior.

    Baseline-category logits (the first observed level is the reference) fitted by
    Newton-Raphson with the tiny ridge of :func:`_logit_fit`, then one draw from the normal
    approximation N(beta_hat, H^-1) -- the multinomial analogue of mice's ``logreg`` draw
    (mice's ``polyreg`` draws no parameters, which understates the between-imputation variance).
    Written here because scikit-learn's lbfgs fit was ~50x slower for these small problems and
    returns no covariance. Levels absent from the data get coefficient -30 (probability ~0).
    """
    n, p = x.shape
    present = np.unique(y.astype(int))
    B = np.zeros((p, n_levels))
    B[0, :] = -30.0
    if present.size == 1:
        B[0, present[0]] = 0.0
        return B
    ref, others = present[0], present[1:]
    K = others.size
    Y = (y[:, None] == others[None, :]).astype(float)
    beta = np.zeros((p, K))
    pen = np.full(p, ridge * n)
    pen[0] = 0.0
    Pen = np.diag(np.tile(pen, K))

    def probs(b):
        z = np.column_stack([np.zeros(n), np.clip(x @ b, -30, 30)])
        return _softmax(z)[:, 1:]

    def hessian(P):
        H = np.zeros((p * K, p * K))
        for a in range(K):
            for c in range(a, K):
                w = P[:, a] * ((a == c) - P[:, c])
                blk = (x * w[:, None]).T @ x
                H[a * p:(a + 1) * p, c * p:(c + 1) * p] = blk
                H[c * p:(c + 1) * p, a * p:(a + 1) * p] = blk
        return H + Pen

    for _ in range(max_iter):
        P = probs(beta)
        grad = (x.T @ (Y - P)).T.ravel() - np.tile(pen, K) * beta.T.ravel()
        step = np.linalg.solve(hessian(P) + 1e-10 * np.eye(p * K), grad)
        beta = beta + step.reshape(K, p).T
        if np.max(np.abs(step)) < 1e-8:
            break
    cov = np.linalg.pinv(hessian(probs(beta)))
    draw = _mvn_draw(beta.T.ravel(), (cov + cov.T) / 2, rng).reshape(K, p).T
    B[:, ref] = 0.0
    B[:, others] = draw
    return B


class _Spec:
    """How one column is represented: kind, levels, scaling, bounds."""

    def __init__(self, name, kind, levels=None, integer=False, lo=None, hi=None, mean=0.0, sd=1.0,
                 freqs=None, dtype=None):
        self.name, self.kind, self.levels, self.integer = name, kind, levels, integer
        self.lo, self.hi, self.mean, self.sd, self.freqs, self.dtype = lo, hi, mean, sd, freqs, dtype

    def to_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind, "levels": self.levels, "integer": self.integer,
                "lo": self.lo, "hi": self.hi, "mean": self.mean, "sd": self.sd, "freqs": self.freqs,
                "dtype": self.dtype}


def _inferred_kind(s: pd.Series, meta) -> str | None:
    """numeric / binary / categorical from the cohort schema, else from the dtype (None: not used)."""
    if meta is not None:
        return {"float": "numeric", "int": "numeric", "bool": "binary", "category": "categorical"}.get(meta.kind)
    if pd.api.types.is_bool_dtype(s):
        return "binary"
    if pd.api.types.is_numeric_dtype(s):
        return "numeric"
    if isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == object or pd.api.types.is_string_dtype(s):
        return "categorical"
    return None


def _molecular_spec(c: str, s: pd.Series, obs: pd.Series) -> _Spec:
    """NA in a molecular column means "not applicable" (a marker of another primary; untested is
    the value "unknown"): never imputed, NA is a level of its own."""
    levels = [str(x) for x in (s.cat.categories if isinstance(s.dtype, pd.CategoricalDtype)
                               else sorted(obs.astype(str).unique())) if (obs.astype(str) == str(x)).any()]
    levels.append(_NA_LEVEL)
    codes = pd.Categorical(s.astype(object).where(s.notna(), _NA_LEVEL).astype(str), categories=levels).codes
    freqs = (np.bincount(codes[codes >= 0], minlength=len(levels)) / max((codes >= 0).sum(), 1)).tolist()
    return _Spec(c, "categorical", levels=levels, freqs=freqs, dtype=str(s.dtype))


def _numeric_spec(c: str, s: pd.Series, obs: pd.Series, meta) -> _Spec:
    v = pd.to_numeric(obs.astype(object), errors="coerce").to_numpy(float)
    if np.isnan(v).any():
        raise InputError(f"MultipleImputer: column {c!r} is not numeric (row {int(np.flatnonzero(np.isnan(v))[0])})")
    integer = bool(np.all(v == np.round(v))) or (meta is not None and meta.kind == "int")
    sd = float(v.std()) or 1.0
    return _Spec(c, "numeric", integer=integer, lo=float(v.min()), hi=float(v.max()),
                 mean=float(v.mean()), sd=sd, dtype=str(s.dtype))


def _level_spec(c: str, kind: str, s: pd.Series, obs: pd.Series) -> _Spec:
    """Binary or categorical column: its observed levels and their frequencies."""
    if kind == "binary":
        levels = [False, True]
        codes = obs.astype(bool).astype(int).to_numpy()
    else:
        if isinstance(s.dtype, pd.CategoricalDtype):
            levels = [str(x) for x in s.cat.categories if (obs == x).any()]
        else:
            levels = sorted(obs.astype(str).unique().tolist())
        codes = pd.Categorical(obs.astype(str), categories=levels).codes
    freqs = (np.bincount(codes, minlength=len(levels)) / codes.size).tolist()
    return _Spec(c, kind, levels=levels, freqs=freqs, dtype=str(s.dtype))


class MultipleImputer:
    """Multiple imputation by chained equations (see module docstring).

    Parameters
    ----------
    m : int, default 20
        Number of imputations (White, Royston & Wood, Stat Med 2011;30:377: at least the
        percentage of incomplete cases).
    seed : int
        Chain k uses a generator spawned from ``numpy.random.SeedSequence(seed)``: imputation k
        depends on (seed, k) only.
    maxit : int, default 10
        Sweeps per chain.
    columns : sequence of str, optional
        Columns that may be imputed and used as predictors (default: every covariate column of
        the frame except ``DEFAULT_EXCLUDE``, the outcome and ``true_*``).
    numeric_method : {"pmm", "norm"}
    donors : int, default 5
        PMM donor pool (mice's default).
    time_col, event_col : str
        Outcome columns (entered as the event indicator and Nelson-Aalen H(T)).
    use_outcome : bool, default True
        Include the outcome in the imputation models of :meth:`fit_transform` (White & Royston).
    kinds : dict, optional
        Override the inferred kind of a column: ``"numeric"``, ``"binary"`` or ``"categorical"``.
    ridge : float
        Ridge of the linear draws (mice: 1e-5).

    Attributes
    ----------
    specs_ : dict column -> kind/levels/bounds
    imputed_columns_ : list of str
        Columns that had missing values and were imputed.
    n_missing_ : dict column -> count
    chain_stats_ : DataFrame
        ``column, chain, iteration, mean, sd`` of the imputed values.
    """

    def __init__(self, m: int = 20, *, seed: int = 0, maxit: int = 10, columns=None, numeric_method: str = "pmm",
                 donors: int = 5, time_col: str = "time_months", event_col: str = "event", use_outcome: bool = True,
                 kinds: dict | None = None, ridge: float = 1e-5):
        self.m = m
        self.seed = seed
        self.maxit = maxit
        self.columns = columns
        self.numeric_method = numeric_method
        self.donors = donors
        self.time_col = time_col
        self.event_col = event_col
        self.use_outcome = use_outcome
        self.kinds = kinds
        self.ridge = ridge

    # -- column handling -------------------------------------------------------------------
    def _infer_specs(self, frame: pd.DataFrame) -> dict:
        from ..cohort.schema import COLUMN_BY_NAME

        kinds = dict(self.kinds or {})
        specs = {}
        for c in self._candidates(frame):
            s = frame[c]
            obs = s.dropna()
            if obs.empty:
                continue  # entirely missing: neither imputed nor a predictor (reported in n_missing_)
            meta = COLUMN_BY_NAME.get(c)
            kind = kinds.get(c)
            if kind is None:
                kind = _inferred_kind(s, meta)
            if kind is None or (kind == "categorical" and obs.astype(str).nunique() > _MAX_LEVELS):
                continue
            if meta is not None and meta.group == "molecular" and c not in kinds:
                specs[c] = _molecular_spec(c, s, obs)
                continue
            if kind not in ("numeric", "binary", "categorical"):
                raise InputError(
                    f"MultipleImputer: kind of column {c!r} must be numeric, binary or categorical, got {kind!r}"
                )
            specs[c] = _numeric_spec(c, s, obs, meta) if kind == "numeric" else _level_spec(c, kind, s, obs)
        return specs

    def _candidates(self, frame: pd.DataFrame) -> list:
        """``columns`` (checked) or every column but the outcome, identifiers and simulation truth."""
        if self.columns is not None:
            absent = [c for c in self.columns if c not in frame.columns]
            if absent:
                raise InputError(f"MultipleImputer: column(s) {absent} are not in the frame")
            return list(self.columns)
        return [c for c in frame.columns if c not in DEFAULT_EXCLUDE and c not in (self.time_col, self.event_col)
                and not str(c).startswith("true_")]

    def _codes(self, frame: pd.DataFrame) -> dict:
        """Column -> float array (numeric value, 0/1, or category code), NaN where missing."""
        out = {}
        for c, sp in self.specs_.items():
            s = frame[c] if c in frame.columns else pd.Series(np.nan, index=frame.index)
            if sp.kind == "numeric":
                out[c] = pd.to_numeric(s.astype(object), errors="coerce").to_numpy(float)
            elif sp.kind == "binary":
                out[c] = np.array([np.nan if pd.isna(x) else float(bool(x)) for x in s.astype(object)], dtype=float)
            else:
                v = s.astype(object)
                if _NA_LEVEL in sp.levels:
                    v = v.where(v.notna(), _NA_LEVEL)
                codes = pd.Categorical(v.where(v.isna(), v.astype(str)), categories=sp.levels).codes.astype(float)
                unseen = v.notna().to_numpy() & (codes < 0)
                if unseen.any():
                    r = int(np.flatnonzero(unseen)[0])
                    warnings.warn(f"column {c!r}: level(s) not seen when the imputer was fitted (first at row {r}) "
                                  "are treated as missing and imputed", UnseenLevelWarning, stacklevel=3)
                codes[codes < 0] = np.nan
                out[c] = codes
        return out

    def _block(self, c: str, v: np.ndarray) -> np.ndarray:
        """Design columns of predictor ``c`` with current (complete) values ``v``."""
        sp = self.specs_[c]
        if sp.kind == "numeric":
            return ((v - sp.mean) / sp.sd)[:, None]
        if sp.kind == "binary":
            return v[:, None]
        ref = int(np.argmax(sp.freqs))
        cols = [k for k in range(len(sp.levels)) if k != ref]
        return (v[:, None] == np.asarray(cols)[None, :]).astype(float)

    # -- fitting ---------------------------------------------------------------------------
    def fit(self, frame: pd.DataFrame, y=None):
        """Run the chains on ``frame`` (discarding the completed data sets); see :meth:`fit_transform`."""
        self.fit_transform(frame, y)
        return self

    def fit_transform(self, frame: pd.DataFrame, y=None) -> list[pd.DataFrame]:
        """Impute ``frame`` m times; returns m completed copies (same columns, dtypes, index).

        ``y`` (structured survival array) may replace the frame's outcome columns.
        """
        from threadpoolctl import threadpool_limits

        # the regressions are small (p ~ 80): one BLAS thread is fastest, and avoids
        # oversubscription when studies run replicates in parallel processes
        with threadpool_limits(limits=1):
            return self._fit_transform(frame, y)

    def _fit_transform(self, frame: pd.DataFrame, y=None) -> list[pd.DataFrame]:
        self._check_params(frame)
        n = len(frame)
        outcome = self._outcome_predictors(frame, y) if self.use_outcome else None
        self.specs_ = self._infer_specs(frame)
        if not self.specs_:
            raise InputError("MultipleImputer: no column to impute or to use as a predictor")
        vals = self._codes(frame)
        cand = self.columns if self.columns is not None else list(frame.columns)
        self.n_missing_ = {c: int(np.isnan(vals[c]).sum()) for c in self.specs_ if np.isnan(vals[c]).any()}
        self.n_missing_.update({c: int(frame[c].isna().sum()) for c in cand if c in frame.columns
                                and c not in self.specs_ and frame[c].isna().all()
                                and c not in (self.time_col, self.event_col, *DEFAULT_EXCLUDE)})
        self.entirely_missing_ = [c for c in cand if c in frame.columns and c not in self.specs_
                                  and frame[c].isna().all() and c not in (self.time_col, self.event_col)]
        self.imputed_columns_ = [c for c in self.specs_ if np.isnan(vals[c]).any()]
        self.n_ = n
        ss = np.random.SeedSequence(self.seed)
        stats, outs, self.deploy_ = [], [], []
        for k, child in enumerate(ss.spawn(self.m)):
            rng = np.random.default_rng(child)
            cur, st = self._chain(vals, outcome, rng, k)
            stats += st
            outs.append(self._write(frame, cur))
            self.deploy_.append(self._deployment_models(cur, rng))
        # plain lists (not a DataFrame) so the fitted imputer serialises with skops
        self.chain_records_ = [list(r) for r in stats]
        self.fitted_ = True
        bad = self.convergence()
        bad = bad[bad["rhat"] > 1.1] if len(bad) else bad
        if len(bad):
            warnings.warn(f"imputation chains may not have converged after {self.maxit} sweeps (Gelman-Rubin "
                          f"R-hat > 1.1 for {bad.index.tolist()[:5]}); increase maxit",
                          ImputationConvergenceWarning, stacklevel=2)
        return outs

    def _check_params(self, frame) -> None:
        if not isinstance(frame, pd.DataFrame):
            raise InputError(f"MultipleImputer needs a DataFrame, got {type(frame).__name__}")
        if not isinstance(self.m, (int, np.integer)) or self.m < 2:
            raise InputError(f"m must be an integer >= 2, got {self.m!r}")
        if self.numeric_method not in ("pmm", "norm"):
            raise InputError(f"numeric_method must be 'pmm' or 'norm', got {self.numeric_method!r}")
        if len(frame) < 10:
            raise InputError(f"MultipleImputer needs at least 10 rows, got {len(frame)}")

    def _outcome_predictors(self, frame: pd.DataFrame, y) -> np.ndarray:
        """The event indicator and the standardised Nelson-Aalen H(T) (White & Royston 2009)."""
        if y is not None:
            from ..survival_data import split_y

            t, e = split_y(y)
        else:
            miss = [c for c in (self.time_col, self.event_col) if c not in frame.columns]
            if miss:
                raise InputError(f"MultipleImputer: outcome column(s) {miss} are not in the frame "
                                 "(pass y, or use_outcome=False)")
            t = pd.to_numeric(frame[self.time_col], errors="coerce").to_numpy(float)
            e = pd.to_numeric(frame[self.event_col], errors="coerce").to_numpy(float)
        if np.isnan(t).any() or np.isnan(e).any():
            r = int(np.flatnonzero(np.isnan(t) | np.isnan(e))[0])
            raise InputError(f"MultipleImputer: the outcome is missing at row {r}; the outcome is never imputed")
        outcome = np.column_stack([e, nelson_aalen_at(t, e)])
        outcome[:, 1] = (outcome[:, 1] - outcome[:, 1].mean()) / (outcome[:, 1].std() or 1.0)
        return outcome

    def _initial(self, vals: dict, rng) -> dict:
        cur = {}
        for c, v in vals.items():
            v = v.copy()
            miss = np.isnan(v)
            if miss.any():
                v[miss] = rng.choice(v[~miss], size=int(miss.sum()))  # mice: random draws of observed values
            cur[c] = v
        return cur

    def _chain(self, vals: dict, outcome, rng, k: int):
        cur = self._initial(vals, rng)
        miss = {c: np.isnan(vals[c]) for c in self.imputed_columns_}
        blocks = {c: self._block(c, cur[c]) for c in self.specs_}
        n = len(next(iter(vals.values())))
        base = np.ones((n, 1)) if outcome is None else np.column_stack([np.ones(n), outcome])
        stats = []
        for it in range(self.maxit):
            for c in self.imputed_columns_:
                x = np.column_stack([base] + [blocks[o] for o in self.specs_ if o != c])
                mis = miss[c]
                cur[c][mis] = self._draw(c, x, cur[c], mis, rng)
                blocks[c] = self._block(c, cur[c])
                iv = cur[c][mis]
                sp = self.specs_[c]
                if sp.kind == "categorical":
                    iv = (iv == int(np.argmax(sp.freqs))).astype(float)  # share of the commonest level
                stats.append((c, k, it + 1, float(iv.mean()), float(iv.std(ddof=1)) if iv.size > 1 else 0.0))
        return cur, stats

    def _draw(self, c: str, x: np.ndarray, v: np.ndarray, mis: np.ndarray, rng) -> np.ndarray:
        sp = self.specs_[c]
        obs = ~mis
        if sp.kind == "numeric":
            coef, beta_star, sigma_star = _norm_draw(x[obs], v[obs], rng, self.ridge)
            if self.numeric_method == "pmm":
                return _pmm(x[obs] @ coef, x[mis] @ beta_star, v[obs], self.donors, rng)
            new = x[mis] @ beta_star + rng.standard_normal(int(mis.sum())) * sigma_star
            return self._bound(sp, new)
        if sp.kind == "binary" or len(sp.levels) == 2:
            beta, cov = _logit_fit(x[obs], v[obs])
            b = _mvn_draw(beta, cov, rng)
            p = 1 / (1 + np.exp(-np.clip(x[mis] @ b, -30, 30)))
            return (rng.random(p.size) < p).astype(float)
        B = _multinom_fit(x[obs], v[obs].astype(int), len(sp.levels), rng)
        return self._sample_levels(_softmax(x[mis] @ B), rng)

    @staticmethod
    def _sample_levels(P: np.ndarray, rng) -> np.ndarray:
        u = rng.random(P.shape[0])[:, None]
        return np.minimum((np.cumsum(P, axis=1) < u).sum(axis=1), P.shape[1] - 1).astype(float)

    @staticmethod
    def _bound(sp: _Spec, new: np.ndarray) -> np.ndarray:
        new = np.clip(new, sp.lo, sp.hi)
        return np.round(new) if sp.integer else new

    def _write(self, frame: pd.DataFrame, cur: dict) -> pd.DataFrame:
        out = frame.copy()
        for c in self.imputed_columns_:
            sp = self.specs_[c]
            mis = out[c].isna().to_numpy()
            if not mis.any():
                continue
            v = cur[c][mis]
            if sp.kind == "numeric":
                fill = np.round(v).astype(int) if sp.integer and pd.api.types.is_integer_dtype(out[c].dtype) else v
            elif sp.kind == "binary":
                fill = v.astype(bool)
            else:
                fill = np.asarray(sp.levels, dtype=object)[v.astype(int)]
            if isinstance(out[c].dtype, pd.CategoricalDtype):
                s = out[c].copy()
                s[mis] = fill
                out[c] = s
            else:
                col = out[c].to_numpy(dtype=object, na_value=None).copy() if out[c].dtype == object else None
                if col is not None:
                    col[mis] = fill
                    out[c] = col
                else:
                    out.loc[mis, c] = fill
        return out

    # -- new patients ------------------------------------------------------------------------
    def _deployment_models(self, cur: dict, rng) -> dict:
        """Per column, a model on the other covariates only (no outcome), parameters drawn once."""
        models = {}
        n = len(next(iter(cur.values())))
        blocks = {c: self._block(c, cur[c]) for c in self.specs_}
        for c, sp in self.specs_.items():
            if sp.kind == "categorical" and len(sp.levels) > 2 and c not in self.imputed_columns_:
                continue  # multinomial models only where training data were incomplete (cost)
            x = np.column_stack([np.ones(n)] + [blocks[o] for o in self.specs_ if o != c])
            v = cur[c]
            if sp.kind == "numeric":
                _, beta_star, sigma_star = _norm_draw(x, v, rng, self.ridge)
                models[c] = {"kind": "norm", "beta": beta_star, "sigma": float(sigma_star)}
            elif sp.kind == "binary" or len(sp.levels) == 2:
                beta, cov = _logit_fit(x, v)
                models[c] = {"kind": "logit", "beta": _mvn_draw(beta, cov, rng)}
            else:
                models[c] = {"kind": "multinom", "beta": _multinom_fit(x, v.astype(int), len(sp.levels), rng)}
        return models

    def _check_fitted(self):
        if not getattr(self, "fitted_", False):
            raise NotFittedError("MultipleImputer is not fitted; call fit(frame) first")

    def transform(self, frame: pd.DataFrame, seed: int | None = None) -> list[pd.DataFrame]:
        """m completed copies of new patients' ``frame`` (outcome not used; see module docstring).

        Imputation k uses deployment model k, so completed set k goes with the analysis model
        fitted on training imputation k. Raises :class:`ModelError` for a missing value in a
        multi-level category that was complete in the training data (no model was kept for it).
        """
        from threadpoolctl import threadpool_limits

        self._check_fitted()
        if not isinstance(frame, pd.DataFrame):
            raise InputError(f"MultipleImputer needs a DataFrame, got {type(frame).__name__}")
        with threadpool_limits(limits=1):
            return self._transform(frame, seed)

    def _transform(self, frame: pd.DataFrame, seed) -> list[pd.DataFrame]:
        vals = self._codes(frame)
        cols = [c for c in self.specs_ if np.isnan(vals[c]).any()]
        for c in cols:
            if c not in self.deploy_[0]:
                r = int(np.flatnonzero(np.isnan(vals[c]))[0])
                raise ModelError(
                    f"column {c!r} is missing at row {r}, but it was complete in the training data, so "
                    "the imputer has no model for it; record it or refit the imputer on data where it varies"
                )
        n = len(frame)
        ss = np.random.SeedSequence([self.seed if seed is None else seed, 1])
        outs = []
        for k, child in enumerate(ss.spawn(self.m)):
            rng = np.random.default_rng(child)
            cur = self._start_values(vals, rng)
            blocks = {c: self._block(c, cur[c]) for c in self.specs_}
            for _ in range(self.maxit if cols else 0):
                for c in cols:
                    mis = np.isnan(vals[c])
                    x = np.column_stack([np.ones(n)] + [blocks[o] for o in self.specs_ if o != c])[mis]
                    cur[c][mis] = self._deployed_draw(c, self.deploy_[k][c], x, rng)
                    blocks[c] = self._block(c, cur[c])
            keep = self.imputed_columns_
            self.imputed_columns_ = list(dict.fromkeys(list(keep) + cols))
            try:
                outs.append(self._write(frame, cur))
            finally:
                self.imputed_columns_ = keep
        return outs

    def _start_values(self, vals: dict, rng) -> dict:
        """New patients' starting values: the training mean (numeric) or a draw from the training
        level frequencies."""
        cur = {}
        for c, v in vals.items():
            v = v.copy()
            mis = np.isnan(v)
            sp = self.specs_[c]
            if mis.any():
                if sp.kind == "numeric":
                    v[mis] = self._bound(sp, np.full(int(mis.sum()), sp.mean))
                else:
                    v[mis] = self._sample_levels(np.tile(sp.freqs, (int(mis.sum()), 1)), rng)
            cur[c] = v
        return cur

    def _deployed_draw(self, c: str, mod: dict, x: np.ndarray, rng) -> np.ndarray:
        """Draws of column ``c`` for design rows ``x`` from one chain's final (deployment) model."""
        if mod["kind"] == "norm":
            return self._bound(self.specs_[c], x @ mod["beta"] + rng.standard_normal(x.shape[0]) * mod["sigma"])
        if mod["kind"] == "logit":
            p = 1 / (1 + np.exp(-np.clip(x @ mod["beta"], -30, 30)))
            return (rng.random(p.size) < p).astype(float)
        return self._sample_levels(_softmax(x @ mod["beta"]), rng)

    # -- diagnostics -------------------------------------------------------------------------
    @property
    def chain_stats_(self) -> pd.DataFrame:
        """``column, chain, iteration, mean, sd`` of the imputed values per sweep (mice's chainMean/chainVar)."""
        self._check_fitted()
        return pd.DataFrame(self.chain_records_, columns=["column", "chain", "iteration", "mean", "sd"])

    def convergence(self) -> pd.DataFrame:
        """Gelman-Rubin R-hat per imputed column over the second half of the sweeps.

        Computed on the per-sweep mean of the imputed values (mice's ``chainMean``), treating the
        m imputations as m chains (Gelman & Rubin, Stat Sci 1992;7:457). Columns: ``rhat``,
        ``n_missing``, ``between``, ``within``. NaN when the chains do not vary (e.g. one missing value).
        """
        self._check_fitted()
        rows = {}
        half = max(self.maxit // 2, 1)
        for c in self.imputed_columns_:
            cs = self.chain_stats_
            s = cs[(cs["column"] == c) & (cs["iteration"] > self.maxit - half)]
            M = s.pivot(index="iteration", columns="chain", values="mean").to_numpy()
            nit = M.shape[0]
            W = float(M.var(axis=0, ddof=1).mean()) if nit > 1 else np.nan
            B = float(nit * M.mean(axis=0).var(ddof=1))
            if nit > 1 and W > 0:
                var_plus = (nit - 1) / nit * W + B / nit
                rhat = float(np.sqrt(var_plus / W))
            else:
                rhat = np.nan
            rows[c] = {"rhat": rhat, "n_missing": self.n_missing_.get(c, 0), "between": B, "within": W}
        return pd.DataFrame.from_dict(rows, orient="index", columns=["rhat", "n_missing", "between", "within"])

    def summary(self) -> Summary:
        """Per imputed column: kind, method, missing count and share, R-hat (``.table``; ``str()`` the text)."""
        self._check_fitted()
        conv = self.convergence()
        rows = []
        for c in self.imputed_columns_:
            sp = self.specs_[c]
            method = (self.numeric_method if sp.kind == "numeric" else
                      "logistic" if sp.kind == "binary" or len(sp.levels) == 2 else "multinomial")
            rows.append({"column": c, "kind": sp.kind, "method": method, "n_missing": self.n_missing_.get(c, 0),
                         "share_missing": self.n_missing_.get(c, 0) / self.n_, "rhat": conv.loc[c, "rhat"]})
        table = pd.DataFrame(rows).set_index("column") if rows else pd.DataFrame(
            columns=["kind", "method", "n_missing", "share_missing", "rhat"])
        return Summary(table=table, title=f"Multiple imputation by chained equations: m = {self.m}, "
                                          f"{self.maxit} iterations, {len(rows)} imputed column(s) of {self.n_} rows")

    def __repr__(self) -> str:
        state = f", {len(self.imputed_columns_)} imputed column(s)" if getattr(self, "fitted_", False) else ""
        return f"MultipleImputer(m={self.m}, seed={self.seed}, maxit={self.maxit}, {self.numeric_method}{state})"
