"""Minimum sample sizes for developing and for externally validating a survival prediction model.

Development (:func:`development`) -- Riley RD, Ensor J, Snell KIE, et al. "Calculating the
sample size required for developing a clinical prediction model." BMJ 2020;368:m441
(time-to-event outcomes, criteria 1-3; the formulas of Riley et al., Stat Med 2019;38:1276-1296),
computed exactly as the reference implementation, R package ``pmsampsize`` (>= 1.1.1,
``pmsampsize_surv``):

1. expected uniform shrinkage >= ``shrinkage`` (default 0.9)::

       n1 = ceil(p / ((S - 1) * ln(1 - R2 / S)))

2. small optimism in apparent Cox-Snell R2 (<= ``delta`` = 0.05 of its maximum)::

       E  = ceil(rate * meanfup * 10000);  ln L0 = E ln(E / 10000) - E   (pmsampsize's n = 10000)
       max R2 = 1 - exp(2 ln L0 / 10000);  S2 = R2 / (R2 + delta * max R2)
       n2 = ceil(p / ((S2 - 1) * ln(1 - R2 / S2)))

3. precise estimate of the overall risk F(t) = 1 - exp(-rate * t): n3 = max(n1, n2) and the 95%
   CI of F(t) at that size, ``1 - exp(-(rate +- 1.96 sqrt(rate / (meanfup * n3))) * t)``, is
   reported (criterion 3 is a check, as in the paper, not a separate size).

The BMJ paper's worked example (R2 = 0.051, 30 parameters, rate 0.065 per year, t = 2 years,
mean follow-up 2.07 years) needs 5,143 patients (criterion 1 binding).

External validation (:func:`validation`) -- Riley RD, Debray TPA, Collins GS, et al. "Minimum
sample size for external validation of a clinical prediction model with a binary outcome."
Stat Med 2021;40:4230-4251, and Riley RD, Collins GS, Ensor J, et al. "Minimum sample size
calculations for external validation of a clinical prediction model with a time-to-event
outcome." Stat Med 2022;41:1280-1295 (updated guidance: Riley et al., BMJ 2024;384:e074821).
Closed forms used here (each an approximation the papers give or justify; the time-to-event
paper otherwise recommends simulation):

1. O/E with a 95% CI of given width around ``oe``: ``SE(ln O/E) = asinh(w / (2 oe)) / 1.96``
   (the exact solution of ``oe * (exp(1.96 se) - exp(-1.96 se)) = w``, which pmvalsampsize finds
   by a grid search) and ``n1 = (1 - F) / (F * SE^2)`` with F = 1 - S(t) the event probability
   by t. This is the variance of ln(1 - KM(t)) without censoring before t, so it is a lower
   bound when patients are censored before t.
2. Calibration slope with 95% CI width ``w``: the Cox information for a slope on the linear
   predictor is ~ D * Var(LP) (D deaths; Schoenfeld, Biometrika 1983;70:315), so
   ``n2 = 1 / (q * Var(LP) * (w / 3.92)^2)`` with q the proportion of patients who die during
   follow-up. Var(LP) of a model with C-index C can be approximated by ``sd_lp_from_c``.
3. C-index with 95% CI width ``w``: Newcombe's (Stat Med 2006;25:559) variance as used by
   Riley et al. 2021 (eq. 10), with the event proportion q; the smallest n whose width <= w.

Lower layer: imports nothing from the rest of the package except :mod:`prognosis.errors` (and the
shared :class:`~prognosis._summary.Summary`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ._summary import Summary
from .errors import InputError

__all__ = ["DevelopmentSampleSize", "ValidationSampleSize", "development", "sd_lp_from_c", "validation"]

Z975 = 1.959963984540054  # standard normal 97.5% quantile; pmsampsize uses 1.96 (kept there for identical sizes)


def _positive(name, value, upper=None):
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(v) or v <= 0 or (upper is not None and v >= upper):
        rng = f"in (0, {upper})" if upper is not None else "> 0"
        raise InputError(f"{name} must be {rng}, got {value!r}")
    return v


@dataclass
class DevelopmentSampleSize:
    """Result of :func:`development`: each criterion's size, the binding one and the final size."""

    criteria: list = field(repr=False)   # dicts: criterion, n, shrinkage, events, epp
    n: int = 0
    binding: str = ""
    events: float = 0.0
    epp: float = 0.0
    max_r2: float = 0.0
    nagelkerke_r2: float = 0.0
    risk: float = 0.0
    risk_ci: tuple = ()
    inputs: dict = field(default_factory=dict, repr=False)

    def table(self):
        import pandas as pd

        return pd.DataFrame(self.criteria).set_index("criterion")

    def summary(self) -> Summary:
        """Each criterion's size and the binding one: ``str()`` is the text, ``.table`` the criteria."""
        i = self.inputs
        lines = ["Minimum sample size to develop a survival model (Riley et al., BMJ 2020;368:m441)",
                 (f"  inputs: Cox-Snell R2 {i['rsquared']:g}, {i['parameters']} candidate parameters, "
                  f"event rate {i['rate']:g} per time unit, horizon {i['timepoint']:g}, "
                  f"mean follow-up {i['meanfup']:g}, "
                  f"target shrinkage {i['shrinkage']:g}"),
                 f"  max Cox-Snell R2 {self.max_r2:.4f} (Nagelkerke R2 {self.nagelkerke_r2:.3f})"]
        for c in self.criteria:
            mark = "  <- binding" if c["criterion"] == self.binding else ""
            lines.append(f"  {c['criterion']}: n = {c['n']:,} (shrinkage {c['shrinkage']:.3f}, "
                         f"{c['events']:.0f} events, {c['epp']:.2f} events per parameter){mark}")
        lines.append(f"  criterion 3 check: overall risk by {i['timepoint']:g} = {self.risk:.3f}, "
                     f"95% CI {self.risk_ci[0]:.3f} to {self.risk_ci[1]:.3f} at n = {self.n:,}")
        lines.append(f"  minimum sample size: {self.n:,} patients ({self.events:.0f} events, "
                     f"{self.epp:.2f} per parameter); binding: {self.binding}")
        return Summary("\n".join(lines), self.table())

    def __str__(self):
        return self.summary().text


def development(rsquared: float, parameters: int, rate: float, timepoint: float, meanfup: float,
                shrinkage: float = 0.9, delta: float = 0.05) -> DevelopmentSampleSize:
    """Minimum sample size to develop a Cox-type survival model (Riley et al. BMJ 2020, criteria 1-3).

    Parameters
    ----------
    rsquared : anticipated Cox-Snell R2 of the new model (e.g. from a published model)
    parameters : number of candidate predictor parameters (df, not variables)
    rate : overall event rate per unit of time (e.g. per year)
    timepoint : horizon of interest, same unit
    meanfup : anticipated mean follow-up, same unit
    shrinkage : target expected uniform shrinkage (criterion 1), default 0.9
    delta : largest acceptable optimism in Nagelkerke R2 (criterion 2), default 0.05
    """
    r2 = _positive("rsquared", rsquared, 1.0)
    if isinstance(parameters, bool) or int(parameters) != parameters or parameters < 1:
        raise InputError(f"parameters must be a positive integer, got {parameters!r}")
    p = int(parameters)
    rate = _positive("rate", rate)
    timepoint = _positive("timepoint", timepoint)
    meanfup = _positive("meanfup", meanfup)
    s1 = _positive("shrinkage", shrinkage, 1.0)
    delta = _positive("delta", delta, 1.0)
    if s1 <= r2:
        raise InputError(f"shrinkage ({s1:g}) must exceed rsquared ({r2:g}); ln(1 - R2/S) is undefined otherwise")

    def n_for(s):
        return math.ceil(p / ((s - 1.0) * math.log(1.0 - r2 / s)))

    n1 = n_for(s1)
    n_ref = 10000  # pmsampsize's nominal development size for max R2 (ratio E/n is what matters)
    events_ref = math.ceil(rate * meanfup * n_ref)
    lnl0 = events_ref * math.log(events_ref / n_ref) - events_ref
    max_r2 = 1.0 - math.exp(2.0 * lnl0 / n_ref)
    if r2 >= max_r2:
        raise InputError(f"rsquared {r2:g} is not below the maximum Cox-Snell R2 ({max_r2:.4f}) for this event "
                         "rate and follow-up (Riley et al. 2019, eq. 23)")
    s2 = r2 / (r2 + delta * max_r2)
    n2 = n_for(s2)
    n3 = max(n1, n2)
    per = round(meanfup * n3, 1)
    half = 1.96 * math.sqrt(rate / per)
    risk = 1.0 - math.exp(-rate * timepoint)
    ci = (1.0 - math.exp(-(rate - half) * timepoint), 1.0 - math.exp(-(rate + half) * timepoint))
    s3 = max(s1, s2)
    crit = []
    for name, n, s in (("criterion 1 (shrinkage)", n1, s1), ("criterion 2 (optimism in R2)", n2, s2),
                       ("criterion 3 (overall risk)", n3, s3)):
        ev = n * rate * meanfup
        crit.append({"criterion": name, "n": n, "shrinkage": s, "events": ev, "epp": ev / p})
    binding = crit[0]["criterion"] if n1 >= n2 else crit[1]["criterion"]
    ev = n3 * rate * meanfup
    return DevelopmentSampleSize(crit, n=n3, binding=binding, events=ev, epp=ev / p, max_r2=max_r2,
                                 nagelkerke_r2=r2 / max_r2, risk=risk, risk_ci=ci,
                                 inputs={"rsquared": r2, "parameters": p, "rate": rate, "timepoint": timepoint,
                                         "meanfup": meanfup, "shrinkage": s1, "delta": delta})


def sd_lp_from_c(c: float) -> float:
    """SD of a normal linear predictor giving Harrell C ~ ``c`` in a Cox model with little censoring.

    Uses the approximation C = Phi(sd / sqrt(2)) for two patients whose LPs differ by a normal
    with variance 2 sd^2 (the binormal relation Riley et al. 2021 use, var = 2 * qnorm(C)^2 for
    the logistic LP); an approximation: time-to-event C also depends on censoring and on the
    baseline hazard.
    """
    from scipy.stats import norm

    c = _positive("cstatistic", c, 1.0)
    if c <= 0.5:
        raise InputError(f"cstatistic must be > 0.5, got {c!r}")
    return float(math.sqrt(2.0) * norm.ppf(c))


@dataclass
class ValidationSampleSize:
    """Result of :func:`validation`: size per criterion (O/E, slope, C) and the binding one."""

    criteria: list = field(repr=False)   # dicts: criterion, n, events, se, target
    n: int = 0
    binding: str = ""
    events: float = 0.0
    inputs: dict = field(default_factory=dict, repr=False)

    def table(self):
        import pandas as pd

        return pd.DataFrame(self.criteria).set_index("criterion")

    def summary(self) -> Summary:
        """Each criterion's size and the binding one: ``str()`` is the text, ``.table`` the criteria."""
        i = self.inputs
        lines = [("Minimum sample size to validate a survival model externally "
                  "(Riley et al., Stat Med 2021;40:4230 and 2022;41:1280)"),
                 (f"  inputs: event probability by t {i['risk']:g}, proportion dying during follow-up "
                  f"{i['event_fraction']:g}, C {i['cstatistic']:g}, SD of LP {i['sd_lp']:.3f}")]
        for c in self.criteria:
            mark = "  <- binding" if c["criterion"] == self.binding else ""
            lines.append(f"  {c['criterion']}: n = {c['n']:,} ({c['events']:.0f} events; {c['target']}){mark}")
        lines.append(f"  minimum sample size: {self.n:,} patients ({self.events:.0f} events); binding: {self.binding}")
        return Summary("\n".join(lines), self.table())

    def __str__(self):
        return self.summary().text


def _newcombe_se(c, n, q):
    n = np.asarray(n, dtype=float)
    m = n / 2.0 - 1.0
    var = c * (1 - c) * (1 + m * (1 - c) / (2 - c) + m * c / (1 + c)) / (n * n * q * (1 - q))
    return np.sqrt(var)


def validation(risk: float, cstatistic: float, event_fraction: float | None = None, sd_lp: float | None = None,
               oe: float = 1.0, oe_ciwidth: float = 0.2, slope_ciwidth: float = 0.2,
               c_ciwidth: float = 0.1) -> ValidationSampleSize:
    """Minimum sample size for external validation of a survival model (precise O/E, slope, C).

    Parameters
    ----------
    risk : anticipated event probability by the horizon t, F(t) = 1 - S(t)
    cstatistic : anticipated C-index in the new population
    event_fraction : proportion of patients expected to die during follow-up (default ``risk``)
    sd_lp : SD of the linear predictor in the new population (default ``sd_lp_from_c(cstatistic)``)
    oe, oe_ciwidth : anticipated O/E and target width of its 95% CI (default 1 and 0.2)
    slope_ciwidth : target width of the 95% CI of the calibration slope (default 0.2)
    c_ciwidth : target width of the 95% CI of C (default 0.1)
    """
    F = _positive("risk", risk, 1.0)
    c = _positive("cstatistic", cstatistic, 1.0)
    q = F if event_fraction is None else _positive("event_fraction", event_fraction, 1.0)
    sd = sd_lp_from_c(c) if sd_lp is None else _positive("sd_lp", sd_lp)
    oe = _positive("oe", oe)
    w_oe = _positive("oe_ciwidth", oe_ciwidth)
    w_sl = _positive("slope_ciwidth", slope_ciwidth)
    w_c = _positive("c_ciwidth", c_ciwidth, 1.0)
    se_oe = math.asinh(w_oe / (2.0 * oe)) / 1.96
    n1 = math.ceil((1.0 - F) / (F * se_oe ** 2))
    se_sl = w_sl / (2 * 1.96)
    n2 = math.ceil(1.0 / (q * sd * sd * se_sl ** 2))
    # smallest n with 2 * 1.96 * SE(C) <= w: the width decreases in n; bracket then bisect on integers
    lo, hi = 2, 4
    while 2 * 1.96 * _newcombe_se(c, hi, q) > w_c:
        lo, hi = hi, hi * 2
        if hi > 10 ** 9:
            raise InputError("no sample size below 1e9 reaches that C-index precision")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if 2 * 1.96 * _newcombe_se(c, mid, q) <= w_c:
            hi = mid
        else:
            lo = mid
    n3 = hi
    crit = [
        {"criterion": "O/E", "n": n1, "events": n1 * F, "se": se_oe,
         "target": f"95% CI width {w_oe:g} around O/E {oe:g}"},
        {"criterion": "calibration slope", "n": n2, "events": n2 * q, "se": se_sl,
         "target": f"95% CI width {w_sl:g}"},
        {"criterion": "C-index", "n": n3, "events": n3 * q, "se": float(_newcombe_se(c, n3, q)),
         "target": f"95% CI width {w_c:g} around C {c:g}"},
    ]
    best = max(crit, key=lambda d: d["n"])
    return ValidationSampleSize(crit, n=best["n"], binding=best["criterion"], events=best["n"] * q,
                                inputs={"risk": F, "cstatistic": c, "event_fraction": q, "sd_lp": sd, "oe": oe})
