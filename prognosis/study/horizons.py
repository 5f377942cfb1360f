"""The one horizon rule, used by ``prognosis validate``, ``prognosis predict`` and studies.

A measure that needs S(t) at a horizon ``h`` (time-dependent AUC, Brier score, IPA, calibration,
observed/expected, recalibration, decision curves) is computed only when

1. ``h`` is within the follow-up of the data the model was trained on (``h <= max_time_``,
   the longest training follow-up): beyond it S(t) is not estimable and models refuse to
   extrapolate; and
2. ``h`` is reached by the cohort it is evaluated on: at least one patient is still under
   follow-up at ``h`` (``time >= h``, i.e. ``h <=`` the longest follow-up) -- the same bound
   the metrics check (:func:`prognosis.metrics._checks.check_horizons`).

Otherwise the measure is *left out* with a printed reason; nothing is truncated or
extrapolated. Horizon-free measures (Harrell's and Uno's C) are always reported.

Default horizons adapt to the follow-up: :data:`STANDARD_HORIZONS` (3, 6, 12 and 24 months,
the time points of the classic spinal-metastasis scores, e.g. Tokuhashi et al., Spine 2005;
Katagiri et al., Cancer Med 2014) that satisfy the rule above.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["STANDARD_HORIZONS", "HorizonPlan", "plan_horizons", "model_max_time"]

#: Default horizons in months before the follow-up rule is applied.
STANDARD_HORIZONS: tuple[float, ...] = (3.0, 6.0, 12.0, 24.0)


@dataclass
class HorizonPlan:
    """Horizons kept for S(t)-based measures, and the reason for each one left out."""

    kept: tuple[float, ...]
    left_out: dict = field(default_factory=dict)  # horizon -> reason
    default: bool = False

    def notes(self, what: str = "measures needing S(t)") -> list[str]:
        """One sentence per horizon left out (for printing and for reports)."""
        return [f"{what} at {h:g} months left out: {r}" for h, r in self.left_out.items()]


def model_max_time(model) -> float | None:
    """Longest training follow-up of a fitted model (pipeline or estimator), or None."""
    final = model.steps[-1][1] if hasattr(model, "steps") else model
    t = getattr(final, "max_time_", None)
    return None if t is None else float(t)


def plan_horizons(horizons, time, *, model_max: float | None = None, cohort: str = "the cohort") -> HorizonPlan:
    """Apply the horizon rule (module docstring).

    Parameters
    ----------
    horizons : sequence of float or None
        Requested horizons (months); None = :data:`STANDARD_HORIZONS`, adapted to follow-up.
    time : array-like or None
        Follow-up times (months) of the cohort the measures are computed on; None when there is
        no outcome (``prognosis predict``): then only the model's follow-up limits the horizons.
    model_max : float, optional
        Longest training follow-up of the model (``max_time_``); None when not applicable.
    cohort : str
        How to name the cohort in the reasons.
    """
    default = horizons is None
    hs = STANDARD_HORIZONS if default else tuple(float(h) for h in horizons)
    t = np.asarray([np.inf] if time is None else time, dtype=float)
    tmax = float(np.nanmax(t)) if t.size else 0.0
    kept, left = [], {}
    for h in sorted(dict.fromkeys(hs)):
        if model_max is not None and h > model_max:
            left[h] = (f"beyond the model's training follow-up ({model_max:.4g} months); "
                       "S(t) is not estimable there")
        elif h > tmax:
            left[h] = (
                f"beyond the longest follow-up of {cohort} ({tmax:.4g} months); nobody is observed at {h:g} months"
            )
        else:
            kept.append(h)
    return HorizonPlan(tuple(kept), left, default)


def study_plans(horizons, default: bool, times: dict) -> dict:
    """Horizon plans of a study, per cohort role (``"development"``, ``"external"``).

    The development cohort's follow-up bounds every horizon (the models are fitted on it, so it
    is also the models' training follow-up); the external cohort keeps those of the
    development horizons its own follow-up reaches. ``default`` = the config gave no horizons.
    """
    dev_t = times["development"]
    plans = {"development": plan_horizons(None if default else horizons, dev_t, cohort="the development cohort")}
    if "external" in times:
        plans["external"] = plan_horizons(plans["development"].kept, times["external"],
                                          model_max=float(np.max(dev_t)), cohort="the external cohort")
    return plans
