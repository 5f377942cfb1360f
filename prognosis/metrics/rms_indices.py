"""The validation indices of R ``rms::validate.cph`` for a Cox linear predictor.

For a linear predictor ``lp`` (risk, **higher = worse**) on data (time, event), with a Cox model
of the outcome on ``lp`` (Efron ties; own Newton code, :mod:`prognosis.metrics._cox`):

- ``Dxy`` = 2 (C − 1/2), Somers' rank correlation of ``lp`` with survival (C = Harrell's C);
- ``R2`` = Nagelkerke's R² of that model: (1 − exp(−LR/n)) / (1 − exp(−LL0/n)), LR the
  likelihood-ratio χ², LL0 = −2 log L(0);
- ``Slope`` = its coefficient (calibration slope of the linear predictor);
- ``D`` = (LR − 1) / LL0 (discrimination index), ``U`` = (LR(frozen at slope 1) − LR) / LL0
  (unreliability), ``Q`` = D − U (quality), ``g`` = Gini's mean difference of slope · lp
  (the g-index, on the log-hazard scale).

``apparent=True`` gives the index of a model on its own training data as rms does
(``evalfit``): slope 1 and U = −2 / LL0 by definition (LR, D, R² then come from the model refit on
``lp``, which equals the model's own LR for an unpenalised Cox fit). Harrell, *Regression
Modeling Strategies*, 2nd ed. 2015, §5.3 and §20; checked against ``rms::validate`` in
tests/metrics/test_rms_validate.py.
"""
from __future__ import annotations

import numpy as np

from ..errors import MetricInputError
from ._checks import check_survival, check_vector
from ._cox import _Efron
from .concordance import harrell_c

__all__ = ["rms_indices", "gini_mean_difference", "RMS_INDICES"]

RMS_INDICES = ("Dxy", "R2", "Slope", "D", "U", "Q", "g")


def gini_mean_difference(x) -> float:
    """Gini's mean difference, mean |x_i − x_j| over i ≠ j (as ``Hmisc::GiniMd``), in O(n log n)."""
    x = np.sort(np.asarray(x, dtype=float))
    n = x.size
    if n < 2:
        return 0.0
    i = np.arange(1, n + 1)
    return float(2.0 * np.sum((2 * i - n - 1) * x) / (n * (n - 1)))


def rms_indices(time, event, lp, *, apparent: bool = False) -> dict:
    """``rms::validate``'s indices of linear predictor ``lp`` (higher = worse) on (time, event)."""
    t, e = check_survival(time, event)
    x = check_vector(lp, t.size, "lp")
    n = t.size
    if np.ptp(x) == 0:
        return {"Dxy": 0.0, "R2": 0.0, "Slope": 1.0, "D": 0.0, "U": 0.0, "Q": 0.0, "g": 0.0}
    m = _Efron(t, e, x[:, None])
    ll_0 = m.loglik_grad_hess(np.zeros(1))[0]
    m.fit(max_iter=100, tol=1e-13)
    if not np.isfinite(m.beta).all():
        raise MetricInputError("the Cox model on the linear predictor did not converge")
    ll_hat = m.loglik_grad_hess(m.beta)[0]
    ll0 = -2.0 * ll_0
    lr = 2.0 * (ll_hat - ll_0)
    if apparent:
        slope, U, g = 1.0, -2.0 / ll0, gini_mean_difference(x)
    else:
        slope = float(m.beta[0])
        ll_1 = m.loglik_grad_hess(np.ones(1))[0]
        U = -2.0 * (ll_1 - ll_hat) / ll0
        g = gini_mean_difference(slope * x)
    D = (lr - 1.0) / ll0
    r2 = (1 - np.exp(-lr / n)) / (1 - np.exp(-ll0 / n))
    dxy = 2.0 * (float(harrell_c(t, e, x, warn_reversed=False)) - 0.5)
    return {"Dxy": dxy, "R2": float(r2), "Slope": slope, "D": float(D), "U": float(U), "Q": float(D - U),
            "g": float(g)}
