"""A small Cox proportional-hazards fit (Efron ties) for calibration models.

Own code rather than lifelines ``CoxPHFitter`` because calibration fits 1–2 covariate models
thousands of times inside bootstraps: this Newton–Raphson on cumulative sums is ~30x faster
than constructing a lifelines fitter, and it returns the Efron-adjusted baseline hazard that
R ``survival::survfit.coxph`` (and hence ``rms::survest``) uses for a model fitted with
``ties = "efron"``, which lifelines' Breslow-type baseline does not.
"""
from __future__ import annotations

import numpy as np

from .._kernels import step_evaluate
from ..errors import MetricInputError


class _Ties:
    """Sort order and tie structure of ``(time, event)`` (descending time, deaths first).

    Depends on the outcome only, so several Cox fits on the same outcome (calibration: the
    spline and the slope model, at every horizon) share one instance instead of re-sorting.
    """

    def __init__(self, time, event):
        order = np.lexsort((-event, -time))        # descending time, deaths first
        self.order = order
        self.t, self.e = time[order], event[order]
        # index of last row of each distinct time (risk set = rows [0, end])
        chg = np.r_[self.t[1:] != self.t[:-1], True]
        self.ends = np.flatnonzero(chg)
        gid = np.cumsum(np.r_[True, chg[:-1]]) - 1
        self.gid = gid
        d = np.bincount(gid, weights=self.e, minlength=self.ends.size)
        self.d = d
        dg = np.flatnonzero(d > 0)
        self.dg = dg
        reps = d[dg].astype(int)
        self.rep_g = np.repeat(dg, reps)                               # group of each death row
        starts = np.cumsum(np.r_[0, reps[:-1]])
        self.frac = (np.arange(reps.sum()) - np.repeat(starts, reps)) / np.repeat(reps, reps)
        self.n = time.size
        self.dead = self.e > 0
        self.gid_dead = gid[self.dead]


class _Efron:
    def __init__(self, time, event, X, ties: _Ties | None = None):
        ties = _Ties(time, event) if ties is None else ties
        self.ties = ties
        self.order, self.t, self.e, self.X = ties.order, ties.t, ties.e, X[ties.order]
        self.ends, self.gid, self.d, self.dg = ties.ends, ties.gid, ties.d, ties.dg
        self.rep_g, self.frac, self.n = ties.rep_g, ties.frac, ties.n

    def _sums(self, beta):
        eta = self.X @ beta
        w = np.exp(eta)
        Xw = self.X * w[:, None]
        XXw = self.X[:, :, None] * Xw[:, None, :]
        S0 = np.cumsum(w)[self.ends]
        S1 = np.cumsum(Xw, axis=0)[self.ends]
        S2 = np.cumsum(XXw, axis=0)[self.ends]
        de = self.e.astype(float)
        ng = self.ends.size
        D0 = np.bincount(self.gid, weights=w * de, minlength=ng)
        D1 = np.stack([np.bincount(self.gid, weights=Xw[:, k] * de, minlength=ng)
                       for k in range(self.X.shape[1])], axis=1)
        # per-element bincount over the death rows in row order: the same additions in the same
        # order as np.add.at(D2, gid[dead], XXw[dead]) (bit-identical), several times faster
        dead, gd = self.ties.dead, self.ties.gid_dead
        XXd = XXw[dead]
        p = self.X.shape[1]
        D2 = np.empty((ng, p, p))
        for k in range(p):
            for j in range(p):
                D2[:, k, j] = np.bincount(gd, weights=XXd[:, k, j], minlength=ng)
        return eta, S0, S1, S2, D0, D1, D2

    def loglik_grad_hess(self, beta):
        eta, S0, S1, S2, D0, D1, D2 = self._sums(beta)
        g, f = self.rep_g, self.frac
        den = S0[g] - f * D0[g]
        a = (S1[g] - f[:, None] * D1[g]) / den[:, None]
        b = (S2[g] - f[:, None, None] * D2[g]) / den[:, None, None]
        de = self.e == 1
        ll = eta[de].sum() - np.log(den).sum()
        grad = self.X[de].sum(axis=0) - a.sum(axis=0)
        hess = -(b - a[:, :, None] * a[:, None, :]).sum(axis=0)
        return ll, grad, hess

    def fit(self, max_iter=50, tol=1e-10):
        beta = np.zeros(self.X.shape[1])
        ll, g, H = self.loglik_grad_hess(beta)
        for _ in range(max_iter):
            try:
                step = np.linalg.solve(-H, g)
            except np.linalg.LinAlgError:
                raise MetricInputError("calibration Cox model is singular (predictions constant?)") from None
            half = 1.0
            while True:
                nb = beta + half * step
                nll, ng_, nH = self.loglik_grad_hess(nb)
                if nll >= ll - 1e-12 or half < 1e-8:
                    break
                half /= 2
            done = abs(nll - ll) <= tol * (abs(ll) + tol)
            beta, ll, g, H = nb, nll, ng_, nH
            if done:
                break
        self.beta = beta
        return self

    def baseline_cumhaz(self):
        """Efron-adjusted Breslow baseline (survfit ctype=2) at each distinct death time, for eta = X beta."""
        _, S0, _, _, D0, _, _ = self._sums(self.beta)
        g, f = self.rep_g, self.frac
        inc = np.bincount(g, weights=1.0 / (S0[g] - f * D0[g]), minlength=self.ends.size)
        times = self.t[self.ends]
        # times are descending; accumulate ascending
        return times[::-1], np.cumsum(inc[::-1])


def cox_efron(time, event, X, ties: _Ties | None = None):
    """Fit a Cox model (Efron ties). Returns (beta, baseline_times, baseline_cumhaz).

    ``ties``: the :class:`_Ties` of ``(time, event)`` when already built (several fits on one outcome).
    """
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    m = _Efron(np.asarray(time, float), np.asarray(event, int), X, ties=ties).fit()
    bt, bh = m.baseline_cumhaz()
    return m.beta, bt, bh


def cox_surv_at(beta, bt, bh, X, t):
    """S(t | x) = exp(-H0(t) exp(x beta)) with a right-continuous step H0."""
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    H = step_evaluate(bt, bh, t, 0.0)
    return np.exp(-H * np.exp(X @ beta))


def cox_zph(time, event, X, *, transform: str = "km"):
    """Proportional-hazards score test of a Cox model (Efron ties), as R ``survival::cox.zph``.

    For each covariate the score test of adding ``x * g(t)`` to the fitted model (Grambsch &
    Therneau, Biometrika 1994;81:515; survival >= 3.0 computes this exact score test rather
    than the earlier regression on scaled Schoenfeld residuals), with g(t) = 1 − KM(t−)
    (``transform="km"``, R's default), ``"identity"`` or ``"log"``, centred at its mean over
    deaths. Returns ``{"chisq": [...per covariate..., global], "df": [...], "p": [...],
    "beta": beta}``.
    """
    from scipy.stats import chi2

    from .km import _km

    t = np.asarray(time, float)
    e = np.asarray(event, int)
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    m = _Efron(t, e, X).fit(max_iter=100, tol=1e-13)
    if transform == "km":
        km = _km(t, e)
        g = 1.0 - km(t, left=True)
    elif transform == "identity":
        g = t.copy()
    elif transform == "log":
        g = np.log(t)
    else:
        raise MetricInputError(f"transform must be 'km', 'identity' or 'log', got {transform!r}")
    g = g - g[e == 1].mean()
    # per-death Efron means a and variances v (as in the partial-likelihood Hessian)
    _, S0, S1, S2, D0, D1, D2 = m._sums(m.beta)
    gi, f = m.rep_g, m.frac
    den = S0[gi] - f * D0[gi]
    a = (S1[gi] - f[:, None] * D1[gi]) / den[:, None]
    b = (S2[gi] - f[:, None, None] * D2[gi]) / den[:, None, None]
    v = b - a[:, :, None] * a[:, None, :]
    # death rows in the sorted order, grouped like rep_g (deaths of a time share its g)
    dead_rows = np.flatnonzero(m.e == 1)
    xs = m.X[dead_rows]
    gs = g[m.order][dead_rows]
    p = X.shape[1]
    u = (gs[:, None] * (xs - a)).sum(axis=0)
    info = np.zeros((2 * p, 2 * p))
    info[:p, :p] = v.sum(axis=0)
    info[:p, p:] = info[p:, :p] = (gs[:, None, None] * v).sum(axis=0)
    info[p:, p:] = (gs[:, None, None] ** 2 * v).sum(axis=0)
    chisq, df = [], []
    for j in range(p):
        k = list(range(p)) + [p + j]
        uu = np.r_[np.zeros(p), u[j]]
        chisq.append(float(uu @ np.linalg.solve(info[np.ix_(k, k)], uu)))
        df.append(1)
    uu = np.r_[np.zeros(p), u]
    chisq.append(float(uu @ np.linalg.solve(info, uu)))
    df.append(p)
    pv = [float(chi2.sf(c, d)) for c, d in zip(chisq, df, strict=False)]
    return {"chisq": chisq, "df": df, "p": pv, "beta": m.beta}

