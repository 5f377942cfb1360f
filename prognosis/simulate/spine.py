"""Simulated mechanical and neurological status of the index lesion (spine level, SINS items,
ESCC grade, myelopathy) and the treatment received, for the demo cohorts.

Drawn *after* the survival data from a separate random stream (``default_rng([seed, 15])``) and
conditioned only on already simulated columns (primary site, Frankel grade, pathological
fracture), so that adding them leaves every other simulated value — and the true survival model —
unchanged. None of these columns enters the true hazard: SINS is a mechanical score, not a
prognostic one (c-statistic 0.54 for 1-year survival; Schoenfeld AJ et al., Spine J 2022, PMID
33741509 [V1]), and the treatment received is a post-baseline descriptor.

Every proportion below is **[C]** (our assumption, chosen to be clinically plausible), except
where a source is named. The SINS categories are those of Fisher CG et al., Spine
2010;35(22):E1221-9; the ESCC grades those of Bilsky MH et al., J Neurosurg Spine 2010;13:324-8.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..cohort.schema import SPINE_LEVELS

__all__ = ["simulate_spine_columns", "SPINE_STREAM"]

#: Second element of the seed sequence of the spine stream (issue 15).
SPINE_STREAM = 15

#: Region of the index lesion [C]: thoracic spine most often, then lumbar, cervical, sacral
#: (the usual textbook split of roughly 60-70% thoracic, 20-30% lumbosacral, <10-15% cervical [M]).
_REGION_P = {"C": 0.10, "T": 0.60, "L": 0.25, "S": 0.05}
_SACRAL_LEVEL_P = np.array([0.5, 0.2, 0.15, 0.1, 0.05])  # S1..S5 [C]

#: Bone-lesion quality by primary [C]: prostate mostly blastic, breast often mixed, most others
#: lytic (kidney, thyroid, myeloma, lung, ...).
_LESION_P = {"prostate": (0.10, 0.20, 0.70), "breast": (0.45, 0.40, 0.15), "_other": (0.75, 0.20, 0.05)}
#: Pain: mechanical / occasional / none [C]; mechanical pain more likely with a fracture.
_PAIN_P = {True: (0.70, 0.25, 0.05), False: (0.35, 0.40, 0.25)}
#: Collapse: over_50 / under_50 / involved_over_50 / none [C], by pathological fracture.
_COLLAPSE_P = {True: (0.35, 0.65, 0.0, 0.0), False: (0.0, 0.0, 0.30, 0.70)}
#: Alignment: subluxation / deformity / normal [C], by pathological fracture.
_ALIGN_P = {True: (0.08, 0.25, 0.67), False: (0.01, 0.04, 0.95)}
_POSTERO_P = (0.20, 0.35, 0.45)  # bilateral / unilateral / none [C]
#: ESCC grade 0/1a/1b/1c/2/3 by Frankel grade [C]: complete or severe deficits come with
#: high-grade compression, no deficit mostly with low grades.
_ESCC = ("0", "1a", "1b", "1c", "2", "3")
_ESCC_P = {"A": (0, 0, 0, 0.05, 0.35, 0.60), "B": (0, 0, 0, 0.05, 0.35, 0.60),
           "C": (0, 0, 0.05, 0.10, 0.40, 0.45), "D": (0, 0.05, 0.10, 0.25, 0.40, 0.20),
           "E": (0.35, 0.25, 0.20, 0.10, 0.08, 0.02)}
_MYELOPATHY_P = {"A": 0.95, "B": 0.95, "C": 0.9, "D": 0.8, "E": 0.03}  # [C]
#: Treatment received [C]: the surgical preset is a surgical series; the radiotherapy preset an
#: RT cohort of 2000-2010 (mostly conventional EBRT).
_TREATMENT = {"surgical": {"surgery_radiotherapy": 0.6, "surgery": 0.4},
              "radiotherapy": {"cebrt": 0.9, "sbrt": 0.1}}


def _choice(rng: np.random.Generator, values, probs: np.ndarray) -> np.ndarray:
    """One draw per row from row-specific probabilities (rows of ``probs`` sum to 1)."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs))[:, None]
    idx = (u >= cum).sum(axis=1)
    return np.asarray(values, dtype=object)[np.minimum(idx, len(values) - 1)]


def _levels(rng: np.random.Generator, n: int) -> np.ndarray:
    regions = _choice(rng, list(_REGION_P), np.tile(list(_REGION_P.values()), (n, 1)))
    out = np.empty(n, dtype=object)
    for reg in _REGION_P:
        m = regions == reg
        levels = [lv for lv in SPINE_LEVELS if lv[0] == reg]
        p = _SACRAL_LEVEL_P if reg == "S" else np.full(len(levels), 1 / len(levels))
        out[m] = _choice(rng, levels, np.tile(p, (int(m.sum()), 1)))
    return out


def simulate_spine_columns(frame: pd.DataFrame, seed: int, preset: str) -> pd.DataFrame:
    """Columns ``spine_level``, SINS items, ``escc_grade``, ``myelopathy``, ``treatment_received``,
    ``months_since_primary`` and ``motor_deficit_days`` (NA without a motor deficit) for a
    simulated frame (``sins_location`` and ``radiosensitivity`` stay missing: they are derived
    from ``spine_level`` and the primary by :mod:`prognosis.scores` / :mod:`prognosis.noms`)."""
    rng = np.random.default_rng([int(seed), SPINE_STREAM])
    n = len(frame)
    fracture = frame["pathological_fracture"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    site = frame["primary_site"].astype(object).to_numpy()
    frankel = frame["frankel"].astype(object).where(frame["frankel"].notna(), "E").to_numpy()

    def by(key_arr, table, default=None):
        return np.array([table.get(k, table.get(default)) for k in key_arr], dtype=float)

    out = pd.DataFrame(index=frame.index)
    out["spine_level"] = _levels(rng, n)
    out["sins_location"] = None
    out["sins_pain"] = _choice(rng, ("mechanical", "occasional", "none"), by(fracture, _PAIN_P))
    lesion_key = np.where(np.isin(site, ["prostate", "breast"]), site, "_other")
    out["sins_lesion"] = _choice(rng, ("lytic", "mixed", "blastic"), by(lesion_key, _LESION_P))
    out["sins_alignment"] = _choice(rng, ("subluxation", "deformity", "normal"), by(fracture, _ALIGN_P))
    out["sins_collapse"] = _choice(rng, ("over_50", "under_50", "involved_over_50", "none"),
                                   by(fracture, _COLLAPSE_P))
    out["sins_posterolateral"] = _choice(rng, ("bilateral", "unilateral", "none"), np.tile(_POSTERO_P, (n, 1)))
    out["escc_grade"] = _choice(rng, _ESCC, by(frankel, _ESCC_P))
    out["myelopathy"] = rng.random(n) < np.array([_MYELOPATHY_P[f] for f in frankel])
    out["radiosensitivity"] = None
    t = _TREATMENT.get(preset, _TREATMENT["surgical"])
    out["treatment_received"] = _choice(rng, list(t), np.tile(list(t.values()), (n, 1)))
    # interval primary -> spinal metastasis [C]: 25% synchronous (< 1 month), else log-normal
    # with median 24 months; speed of motor deficits [C] only where there is a deficit (Frankel
    # A-D): exponential, mean 10 days (Rades' cut-offs are 7 and 14 days)
    sync = rng.random(n) < 0.25
    interval = np.where(sync, rng.uniform(0, 1, n), rng.lognormal(np.log(24.0), 1.0, n))
    out["months_since_primary"] = np.round(interval, 1)
    deficit = frankel != "E"
    out["motor_deficit_days"] = np.where(deficit, np.ceil(rng.exponential(10.0, n)), np.nan)
    return out
