"""Rubin's rules with the Barnard-Rubin degrees of freedom, as R ``mice::pool`` computes them.

For m completed-data estimates Q_1..Q_m of a parameter with variances U_1..U_m
(Rubin, *Multiple Imputation for Nonresponse in Surveys*, 1987; van Buuren, *Flexible
Imputation of Missing Data*, 2nd ed. 2018, sec. 2.3-2.4)::

    qbar   = mean(Q_l)                     pooled estimate
    ubar   = mean(U_l)                     within-imputation variance
    b      = var(Q_l)  (denominator m - 1) between-imputation variance
    t      = ubar + (1 + 1/m) b            total variance
    lambda = (1 + 1/m) b / t               proportion of variance due to missingness
    riv    = (1 + 1/m) b / ubar            relative increase in variance
    df     = Barnard & Rubin (Biometrika 1999;86:948), eq. 3:
             lambda is floored at 1e-4 (as mice does), nu_old = (m - 1) / lambda^2,
             nu_obs = (nu_com + 1) / (nu_com + 3) * nu_com * (1 - lambda),
             df = nu_old if nu_com is infinite else nu_old * nu_obs / (nu_old + nu_obs)
    fmi    = (riv + 2 / (df + 3)) / (riv + 1)

This is line for line ``mice:::pool.fitlist`` (rule ``"rubin1987"``) and
``mice:::barnard.rubin`` of mice 3.15; the interval is ``qbar +- qt(1 - a/2, df) sqrt(t)`` as
in ``summary(pool(fit), conf.int = TRUE)``. ``df_complete=None`` means an infinite
complete-data df (``pool(fit, dfcom = Inf)``). Note that R's own default for a ``coxph`` fit is
``dfcom = nevent - p``; pass that explicitly to reproduce ``pool(fit)`` without ``dfcom``.

Written here (rather than imported) because no maintained Python package implements the
Barnard-Rubin df with mice's conventions: statsmodels' ``MICE`` pools only its own OLS/GLM
fits and reports no fmi/df per parameter. Checked against ``mice::pool`` in
``tests/reference/make_reference_impute.R``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._summary import Summary
from ..errors import InputError

__all__ = ["PooledResult", "pool", "barnard_rubin_df"]


def barnard_rubin_df(m: int, b, t, df_complete: float = np.inf) -> np.ndarray:
    """Barnard-Rubin degrees of freedom (``mice:::barnard.rubin``)."""
    b = np.asarray(b, dtype=float)
    t = np.asarray(t, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = (1.0 + 1.0 / m) * b / t
    lam = np.where(lam < 1e-4, 1e-4, lam)  # mice: lambda[lambda < 1e-04] <- 1e-04 (also when t = 0)
    df_old = (m - 1) / lam ** 2
    if np.isinf(df_complete):
        return df_old
    df_obs = (df_complete + 1) / (df_complete + 3) * df_complete * (1 - lam)
    return df_old * df_obs / (df_old + df_obs)


@dataclass
class PooledResult:
    """Pooled estimates of p parameters over m imputations (Rubin's rules).

    Attributes
    ----------
    estimate, variance, se, df, fmi : ndarray (p,)
        Pooled estimate ``qbar``, total variance ``t``, ``sqrt(t)``, Barnard-Rubin df and the
        fraction of missing information.
    within, between, riv, lambda_ : ndarray (p,)
        ``ubar``, ``b``, relative increase in variance, proportion of variance due to missingness.
    m : int
    df_complete : float
        Complete-data df used (``inf`` when not given).
    names : list of str
    covariance : ndarray (p, p) or None
        ``Ubar + (1 + 1/m) B`` when full covariance matrices were pooled.
    """

    estimate: np.ndarray
    variance: np.ndarray
    df: np.ndarray
    fmi: np.ndarray
    within: np.ndarray
    between: np.ndarray
    riv: np.ndarray
    lambda_: np.ndarray
    m: int
    df_complete: float
    names: list = field(default_factory=list)
    covariance: np.ndarray | None = None

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(self.variance)

    def ci(self, level: float = 0.95) -> np.ndarray:
        """(p, 2) array of ``qbar -+ t_{df}(1 - (1 - level)/2) * se`` (as ``summary.mipo``)."""
        from scipy.stats import t as student_t

        if not 0 < level < 1:
            raise InputError(f"level must be in (0, 1), got {level!r}")
        q = student_t.ppf(0.5 + level / 2, self.df)
        return np.column_stack([self.estimate - q * self.se, self.estimate + q * self.se])

    def p_value(self) -> np.ndarray:
        """Two-sided p of ``estimate / se`` against Student t with ``df`` (as ``summary.mipo``)."""
        from scipy.stats import t as student_t

        with np.errstate(divide="ignore", invalid="ignore"):
            z = self.estimate / self.se
        return 2 * student_t.sf(np.abs(z), self.df)

    def summary(self, level: float = 0.95) -> Summary:
        """One row per parameter: estimate, se, df, CI, p, fmi, riv, within/between variance
        (``.table``; ``str()`` the text)."""
        ci = self.ci(level)
        lvl = f"{100 * level:g}"
        table = pd.DataFrame({
            "estimate": self.estimate, "se": self.se, "df": self.df,
            f"lower_{lvl}": ci[:, 0], f"upper_{lvl}": ci[:, 1], "p": self.p_value(),
            "fmi": self.fmi, "riv": self.riv, "lambda": self.lambda_,
            "within": self.within, "between": self.between,
        }, index=pd.Index(self.names, name="parameter"))
        return Summary(table=table, title=f"Pooled over m = {self.m} imputations (Rubin's rules, Barnard-Rubin df; "
                                          f"df_complete = {self.df_complete:g})")

    def __repr__(self) -> str:
        return (f"PooledResult(m={self.m}, {len(self.estimate)} parameter(s), "
                f"df_complete={self.df_complete:g}, max fmi={np.nanmax(self.fmi) if self.fmi.size else np.nan:.3f})")


def _checked_inputs(estimates, variances) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(estimates (m, p), variances (m, p), covariance matrices (m, p, p) or None), checked."""
    Q = np.asarray(estimates, dtype=float)
    V = np.asarray(variances, dtype=float)
    if Q.ndim == 1:
        Q = Q[:, None]
        if V.ndim == 1:
            V = V[:, None]
    if Q.ndim != 2:
        raise InputError(f"estimates must have shape (m,) or (m, p), got {Q.shape}")
    m, p = Q.shape
    if m < 2:
        raise InputError(f"pooling needs at least 2 imputations, got m={m}")
    cov = None
    if V.ndim == 3:
        if V.shape != (m, p, p):
            raise InputError(f"covariance matrices must have shape (m, p, p) = {(m, p, p)}, got {V.shape}")
        cov = V
        V = np.diagonal(V, axis1=1, axis2=2)
    if V.shape != (m, p):
        raise InputError(f"variances must have the shape of estimates {(m, p)}, got {V.shape}")
    _check_values(Q, V)
    return Q, V, cov


def _check_values(Q: np.ndarray, V: np.ndarray) -> None:
    for arr, what in ((Q, "estimates"), (V, "variances")):
        if not np.all(np.isfinite(arr)):
            i, j = np.argwhere(~np.isfinite(arr))[0]
            raise InputError(f"{what}[{i}, {j}] is not finite ({arr[i, j]!r}); an imputed-data fit failed or diverged")
    if (V < 0).any():
        i, j = np.argwhere(V < 0)[0]
        raise InputError(f"variances[{i}, {j}] is negative ({V[i, j]!r})")


def pool(estimates, variances, df_complete: float | None = None, names=None) -> PooledResult:
    """Pool m completed-data analyses with Rubin's rules (``mice::pool``).

    Parameters
    ----------
    estimates : array-like (m,) or (m, p)
        The estimate of each parameter in each imputed data set.
    variances : array-like (m,), (m, p) or (m, p, p)
        Their squared standard errors, or full covariance matrices (then the pooled total
        covariance is kept in ``covariance``).
    df_complete : float, optional
        Complete-data degrees of freedom; ``None`` = infinite (large sample).
    names : sequence of str, optional
        Parameter names (default ``x0, x1, ...``; taken from a DataFrame's columns).

    Raises
    ------
    InputError
        Fewer than 2 imputations, shapes that disagree, non-finite values or negative variances.
    """
    if names is None and isinstance(estimates, pd.DataFrame):
        names = [str(c) for c in estimates.columns]
    Q, V, cov = _checked_inputs(estimates, variances)
    m, p = Q.shape
    dfc = np.inf if df_complete is None else float(df_complete)
    if not dfc > 0:
        raise InputError(f"df_complete must be > 0 (or None for infinity), got {df_complete!r}")
    dfc = max(dfc, 1.0)  # mice: get.dfcom returns max(dfcom, 1)
    qbar = Q.mean(axis=0)
    ubar = V.mean(axis=0)
    b = Q.var(axis=0, ddof=1)
    t = ubar + (1 + 1 / m) * b
    df = barnard_rubin_df(m, b, t, dfc)
    with np.errstate(divide="ignore", invalid="ignore"):
        riv = (1 + 1 / m) * b / ubar
        lam = (1 + 1 / m) * b / t
    fmi = (riv + 2 / (df + 3)) / (riv + 1)
    total_cov = None
    if cov is not None:
        dev = Q - qbar
        total_cov = cov.mean(axis=0) + (1 + 1 / m) * (dev.T @ dev) / (m - 1)
    names = list(names) if names is not None else [f"x{j}" for j in range(p)]
    if len(names) != p:
        raise InputError(f"{len(names)} names for {p} parameters")
    return PooledResult(estimate=qbar, variance=t, df=df, fmi=fmi, within=ubar, between=b, riv=riv,
                        lambda_=lam, m=m, df_complete=dfc, names=names, covariance=total_cov)
