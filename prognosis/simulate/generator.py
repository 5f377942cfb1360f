"""Literature-calibrated generator of spinal-metastasis cohorts (:func:`simulate_cohort`).

Generation order for each patient (all numbers from ``parameters.yaml``):

1. primary site (preset mix), age, sex;
2. a latent disease burden ``B ~ N(0, 1)`` driving visceral / brain / extraspinal / vertebral
   metastases, neurological deficit (Frankel, ambulatory), KPS (and ECOG from KPS) and the
   laboratory values, so these are correlated the way clinicians see them;
3. molecular markers within primary (lung drivers mutually exclusive, breast subtype,
   prostate castration status, melanoma BRAF, KRAS, HER2) and whether each was tested
   (untested -> ``unknown``);
4. targeted / hormonal therapy, mostly where a target is recorded;
5. survival time from the Weibull proportional-hazards model of :mod:`.truth` using the
   TRUE covariates (an untested marker still acts), administrative censoring plus random loss
   to follow-up, optional delayed entry;
6. optional missingness (MCAR + MAR) applied to the recorded table only.
"""
from __future__ import annotations

import json
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.stats import norm

from ..clinical import kps_to_ecog
from ..cohort.cohort import Cohort
from ..cohort.schema import CANONICAL_COLUMNS, LAB_COLUMNS
from ..errors import ConfigError, InputError
from .params import load_parameters
from .spine import simulate_spine_columns
from .truth import DESIGN_COLUMNS, log_hazard_ratios, true_design

__all__ = ["simulate_cohort", "site_alphas", "KPS_TO_ECOG"]

#: Seed of the fixed reference sample used to calibrate the per-primary baseline scale.
_CALIBRATION_SEED = 20141001
_CALIBRATION_N_PER_SITE = 20000

#: KPS -> ECOG correspondence used to derive ECOG from KPS: the package's default convention
#: (:func:`prognosis.clinical.kps_to_ecog`, Ma C et al., Eur J Cancer 2010 [V1]), kept as a
#: dict of the KPS deciles for readers of the simulator.
KPS_TO_ECOG = {k: int(kps_to_ecog(k)) for k in range(100, 0, -10)}

_FEMALE_SITES = {"breast": 0.99, "uterus": 1.0, "cervix": 1.0, "ovary": 1.0}
_MALE_SITES = {"prostate", "testis"}
_FRANKEL = np.array(["E", "D", "C", "B", "A"])
_AMBULATORY_BY_FRANKEL = {"E": 0.97, "D": 0.75, "C": 0.12, "B": 0.0, "A": 0.0}  # [C] Frankel C = motor useless
_KPS_PENALTY_BY_FRANKEL = {"E": 0.0, "D": 6.0, "C": 16.0, "B": 24.0, "A": 28.0}  # [C]


def _choice(rng: np.random.Generator, probs: dict, size: int) -> np.ndarray:
    keys = list(probs)
    p = np.array([probs[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=size, p=p / p.sum())]


def _covariates(rng: np.random.Generator, sites: np.ndarray, p: dict) -> tuple[dict, dict]:
    """Draw covariates. Returns (true, recorded) dicts of arrays with identical clinical columns;
    the recorded one has untested markers set to ``unknown``."""
    n = len(sites)
    mf = p["molecular_frequencies"]
    B = rng.standard_normal(n)
    is_ = {s: sites == s for s in set(sites.tolist())}
    get = lambda s: is_.get(s, np.zeros(n, dtype=bool))  # noqa: E731

    age = rng.normal(p["age_mean"], p["age_sd"], n) - 4.0 * get("breast")
    age = np.clip(np.round(age), 18, 95)

    male = rng.random(n) < p["male_share_sex_neutral_sites"]
    for s, pf in _FEMALE_SITES.items():
        male = np.where(get(s), rng.random(n) >= pf, male)
    for s in _MALE_SITES:
        male = np.where(get(s), True, male)
    sex = np.where(male, "male", "female").astype(object)

    # visceral: P(any) = Phi(a + 0.8 B); marginal = Phi(a / sqrt(1 + 0.64)) = visceral_any
    a_v = norm.ppf(p["visceral_any"]) * np.sqrt(1 + 0.8**2)
    visc_any = rng.random(n) < norm.cdf(a_v + 0.8 * B)
    removable = rng.random(n) < p["visceral_removable_share"]
    visceral = np.where(~visc_any, "none", np.where(removable, "removable", "unremovable")).astype(object)
    disseminated = rng.random(n) < np.where(removable, 0.10, 0.65)  # [C]
    pattern = np.where(~visc_any, "none", np.where(disseminated, "disseminated", "nodular")).astype(object)
    brain = rng.random(n) < 0.04 + 0.10 * (get("lung") | get("melanoma")) + 0.06 * visc_any  # [C]

    a_e = norm.ppf(p["extraspinal_any"]) * np.sqrt(1 + 0.6**2)
    extra_any = rng.random(n) < norm.cdf(a_e + 0.6 * B)
    extraspinal = np.where(extra_any, 1 + rng.poisson(1.5 * np.exp(0.3 * B)), 0)
    vertebral = 1 + rng.poisson(p["vertebral_extra_mean"] * np.exp(0.3 * B - 0.045))

    # Frankel from an ordinal latent (worse with burden and more involved levels)
    lat = 0.3 * B + 0.1 * (vertebral >= 3) + rng.standard_normal(n)
    sd_lat = np.sqrt(1 + 0.09 + 0.1**2 * 0.25)
    cum = np.cumsum([p["frankel_probs"][g] for g in _FRANKEL])
    thr = norm.ppf(np.clip(cum[:-1] / cum[-1], 1e-12, 1 - 1e-12)) * sd_lat
    f_idx = np.searchsorted(thr, lat)
    frankel = _FRANKEL[f_idx].astype(object)
    amb_p = np.array([_AMBULATORY_BY_FRANKEL[g] for g in _FRANKEL])[f_idx]
    ambulatory = rng.random(n) < amb_p

    kps_c = (p["kps_mean"] - 7.0 * B - 12.0 * (visceral == "unremovable") - 5.0 * (visceral == "removable")
             - 6.0 * brain - np.array([_KPS_PENALTY_BY_FRANKEL[g] for g in _FRANKEL])[f_idx]
             + rng.normal(0, 10.0, n))
    kps = np.clip(np.round(kps_c / 10.0) * 10, 10, 100).astype(int)
    ecog = kps_to_ecog(kps).astype(int)

    fracture = rng.random(n) < np.clip(p["pathological_fracture"] + 0.05 * B, 0, 1)
    chemo = rng.random(n) < np.where(get("prostate"), 0.5, 1.0) * p["prior_chemotherapy"]

    # laboratory values [C]: correlated with the burden B and with visceral disease
    albumin = np.clip(np.round(p["albumin_mean"] - 0.30 * B - 0.15 * (visceral == "unremovable")
                               + rng.normal(0, 0.4, n), 1), 1.5, 5.2)
    crp = np.clip(np.round(np.exp(0.8 * B + rng.normal(0, 0.9, n)), 2), 0.01, 50)
    ldh = np.clip(np.round(np.exp(np.log(220) + 0.3 * B + rng.normal(0, 0.35, n))), 80, 5000)
    platelets = np.clip(np.round(rng.normal(260, 85, n) + 20 * B), 20, 900)
    calcium = np.clip(np.round(rng.normal(9.4, 0.6, n) + 0.2 * B, 1), 6.0, 16.0)
    bilirubin = np.clip(np.round(np.exp(np.log(0.6) + 0.15 * B + rng.normal(0, 0.4, n)), 2), 0.1, 20)
    hemoglobin = np.clip(np.round(rng.normal(12.0, 1.6, n) - 0.6 * B, 1), 5.0, 18.0)

    # --- molecular (true values; NA where the marker does not apply) ---------------------
    na = np.full(n, None, dtype=object)
    egfr, alk, ros1, kras, braf, er, pr, her2, castration, histology = (na.copy() for _ in range(10))
    tr = p["testing_rate"]
    tested = {k: rng.random(n) < v for k, v in tr.items()}

    lung = get("lung")
    hist = _choice(rng, mf["lung_histology"], n)
    u = rng.random(n)

    def driver(freqs: dict) -> np.ndarray:
        edges = np.cumsum([freqs[k] for k in ("egfr", "alk", "ros1", "kras")])
        idx = np.searchsorted(edges, u, side="right")
        return np.array(["egfr", "alk", "ros1", "kras", "none"], dtype=object)[idx]

    drv = np.where(hist == "adenocarcinoma", driver(mf["lung_driver_adenocarcinoma"]),
                   np.where(hist == "sclc", "none", driver(mf["lung_driver_other_nsclc"])))
    histology[lung] = hist[lung]
    egfr[lung] = np.where(drv == "egfr", "mutant", "wildtype")[lung]
    alk[lung] = np.where(drv == "alk", "rearranged", "negative")[lung]
    ros1[lung] = np.where(drv == "ros1", "rearranged", "negative")[lung]
    kras[lung] = np.where(drv == "kras", "mutant", "wildtype")[lung]
    lung_tested = tested["lung"] & (hist != "sclc")

    breast = get("breast")
    sub = _choice(rng, mf["breast_subtypes"], n)
    hr_pos = np.isin(sub, ["hr_pos_her2_neg", "hr_pos_her2_pos"])
    er_pos = hr_pos & (rng.random(n) < mf["breast_er_given_hr_positive"])
    pr_pos = np.where(er_pos, rng.random(n) < mf["breast_pr_given_er_positive"], hr_pos)
    her2_pos = np.isin(sub, ["hr_pos_her2_pos", "hr_neg_her2_pos"])
    er[breast] = np.where(er_pos, "positive", "negative")[breast]
    pr[breast] = np.where(pr_pos, "positive", "negative")[breast]
    her2[breast] = np.where(her2_pos, "positive", "negative")[breast]
    histology[breast] = np.where(rng.random(n) < 0.85, "ductal", "lobular")[breast]  # [M]

    prostate = get("prostate")
    crpc = rng.random(n) < mf["prostate_castration_resistant"]
    castration[prostate] = np.where(crpc, "resistant", "sensitive")[prostate]
    histology[prostate] = "adenocarcinoma"

    melanoma = get("melanoma")
    v600 = rng.random(n) < mf["melanoma_braf_v600"]
    braf[melanoma] = np.where(v600, "v600", "wildtype")[melanoma]

    colorectal = get("colon") | get("rectum")
    pancreas = get("pancreas")
    kmut = rng.random(n) < np.where(pancreas, mf["kras_pancreas"], mf["kras_colorectal"])
    kras[colorectal | pancreas] = np.where(kmut, "mutant", "wildtype")[colorectal | pancreas]
    gastro = get("stomach") | get("esophagus")
    h2 = rng.random(n) < mf["her2_gastroesophageal"]
    her2[gastro] = np.where(h2, "positive", "negative")[gastro]
    kidney = get("kidney")
    histology[kidney] = np.where(rng.random(n) < mf["kidney_clear_cell"], "clear_cell", "non_clear_cell")[kidney]

    # recorded markers: untested -> "unknown"
    def rec(true: np.ndarray, mask_site: np.ndarray, was_tested: np.ndarray) -> np.ndarray:
        out = true.copy()
        out[mask_site & ~was_tested] = "unknown"
        return out

    r_egfr, r_alk, r_ros1 = (rec(x, lung, lung_tested) for x in (egfr, alk, ros1))
    r_kras = rec(rec(kras, lung, lung_tested), colorectal | pancreas, tested["kras"])
    r_er, r_pr = rec(er, breast, tested["breast"]), rec(pr, breast, tested["breast"])
    r_her2 = rec(rec(her2, breast, tested["breast"]), gastro, tested["her2_other"])
    r_castration = rec(castration, prostate, tested["prostate"])
    r_braf = rec(braf, melanoma, tested["melanoma"])

    # targeted / hormonal therapy, mostly where a target is recorded (hormonal therapy of HR+
    # breast and of prostate cancer counts as targeted, cohort-schema.md)
    tp = p["targeted_prob"]
    prob = np.full(n, tp["no_target"])
    lung_act_rec = lung & ((r_egfr == "mutant") | (r_alk == "rearranged") | (r_ros1 == "rearranged"))
    prob = np.where(lung_act_rec, tp["lung_actionable"], prob)
    b_hr = breast & ((r_er == "positive") | (r_pr == "positive"))
    b_h2 = breast & (r_her2 == "positive")
    pb = 1 - (1 - np.where(b_hr, tp["breast_hr_positive"], 0)) * (1 - np.where(b_h2, tp["breast_her2_positive"], 0))
    prob = np.where(b_hr | b_h2, pb, prob)
    prob = np.where(prostate, np.where(crpc, tp["prostate_resistant"], tp["prostate_sensitive"]), prob)
    prob = np.where(kidney, tp["kidney"], prob)
    prob = np.where(melanoma & (r_braf == "v600"), tp["melanoma_v600"], prob)
    prob = np.where(get("thyroid"), tp["thyroid"], prob)
    targeted = rng.random(n) < prob

    common = {
        "age_years": age, "sex": sex, "primary_site": sites.astype(object), "primary_histology": histology,
        "kps": kps, "ecog": ecog, "extraspinal_bone_mets": extraspinal, "vertebral_mets": vertebral,
        "visceral_mets": visceral, "visceral_pattern": pattern, "brain_mets": brain, "frankel": frankel,
        "ambulatory": ambulatory, "pathological_fracture": fracture, "prior_chemotherapy": chemo,
        "targeted_therapy": targeted, "albumin_g_dl": albumin, "crp_mg_dl": crp, "ldh_u_l": ldh,
        "platelets_10e9_l": platelets, "calcium_mg_dl": calcium, "bilirubin_mg_dl": bilirubin,
        "hemoglobin_g_dl": hemoglobin,
    }
    true = {**common, "egfr": egfr, "alk": alk, "ros1": ros1, "kras": kras, "braf": braf,
            "er": er, "pr": pr, "her2": her2, "castration": castration}
    recorded = {**common, "egfr": r_egfr, "alk": r_alk, "ros1": r_ros1, "kras": r_kras,
                "braf": r_braf, "er": r_er, "pr": r_pr, "her2": r_her2, "castration": r_castration}
    return true, recorded


def _xbeta(true_frame, p: dict) -> np.ndarray:
    log_hr = log_hazard_ratios(p)
    beta = np.array([log_hr[c] for c in DESIGN_COLUMNS])
    return true_design(true_frame).to_numpy(dtype=float) @ beta


#: Parameters that do not change the covariate distribution or the hazard (so the per-site
#: calibration can be reused when only these differ).
_NOT_IN_CALIBRATION = ("checksum", "admin_censoring_months", "loss_to_followup_per_year", "missingness_realistic",
                       "description", "time_origin", "site_weights")


@lru_cache(maxsize=16)
def _site_alphas_cached(params_json: str) -> tuple:
    p = json.loads(params_json)
    sites = list(p["median_months"])
    rng = np.random.default_rng(_CALIBRATION_SEED)
    ref_sites = np.repeat(np.array(sites, dtype=object), _CALIBRATION_N_PER_SITE)
    true_frame, _ = _covariates(rng, ref_sites, p)
    xb = _xbeta(true_frame, p)
    k = p["weibull_shape"]
    out = []
    for i, s in enumerate(sites):
        xs = xb[i * _CALIBRATION_N_PER_SITE:(i + 1) * _CALIBRATION_N_PER_SITE]
        m = p["median_months"][s]
        # solve mean_i exp(-m^k exp(alpha + xb_i)) = 1/2 for alpha (monotone decreasing)
        def f(a, m=m, xs=xs):
            return float(np.mean(np.exp(-np.exp(a + k * np.log(m) + xs)))) - 0.5

        out.append((s, brentq(f, -40.0, 40.0, xtol=1e-10)))
    return tuple(out)


def site_alphas(params: dict) -> dict:
    """Per-primary log baseline scale ``alpha[site]`` so each primary's MARGINAL median survival
    (over the preset's covariate distribution; a fixed reference sample of 20,000 simulated
    patients per site) equals ``median_months[site]``. Deterministic for given parameters.

    Returns every site of ``median_months`` (also those with zero weight in the mix).
    """
    body = {k: v for k, v in params.items() if k not in _NOT_IN_CALIBRATION}
    return dict(_site_alphas_cached(json.dumps(body, sort_keys=True, default=list)))


#: ``missingness="mar"``: the laboratory panel is missing more often in sicker patients and in
#: those who die early (a missing-at-random mechanism: it depends only on KPS, age and the
#: outcome, which stay recorded). logit P(panel missing) = intercept + kps_le_50 * [KPS <= 50]
#: + per_10_years * (age - 65) / 10 + early_death * [death before 3 months]; each lab value is
#: then also missing completely at random with probability ``mcar_single``. All values are
#: assumptions (tag C: no registry publishes this mechanism), chosen so that about a quarter of
#: panels are missing and a complete-case Cox analysis is visibly biased (missingness depends
#: on the outcome) while multiple imputation with the outcome in the imputation model is not
#: (White & Royston, Stat Med 2009). Used by ``benchmarks/bench_impute.py`` and the tests of
#: :mod:`prognosis.impute`.
MAR_SICKER = {"intercept": -1.7, "kps_le_50": 1.2, "per_10_years": 0.3, "early_death": 1.0,
              "early_death_months": 3.0, "mcar_single": 0.02,
              "panel": ("albumin_g_dl", "crp_mg_dl", "ldh_u_l", "hemoglobin_g_dl", "platelets_10e9_l")}


def _apply_mar_sicker(out: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    m = MAR_SICKER
    n = len(out)
    kps = pd.to_numeric(out["kps"], errors="coerce").to_numpy(dtype=float)
    age = pd.to_numeric(out["age_years"], errors="coerce").to_numpy(dtype=float)
    early = (out["event"].to_numpy(dtype=int) == 1) & (
        out["time_months"].to_numpy(dtype=float) < m["early_death_months"]
    )
    eta = (m["intercept"] + m["kps_le_50"] * (np.nan_to_num(kps, nan=70.0) <= 50)
           + m["per_10_years"] * (np.nan_to_num(age, nan=65.0) - 65) / 10 + m["early_death"] * early)
    panel_missing = rng.random(n) < 1 / (1 + np.exp(-eta))
    cols = [c for c in m["panel"] if c in out.columns]
    out[cols] = out[cols].astype("object")
    for col in cols:
        out.loc[panel_missing | (rng.random(n) < m["mcar_single"]), col] = None
    return out


def _apply_missingness(frame: pd.DataFrame, rng: np.random.Generator, missingness, p: dict) -> pd.DataFrame:
    out = frame.copy()
    if missingness is None:
        return out
    if isinstance(missingness, dict):
        return _apply_rates(out, rng, missingness)
    if missingness == "mar":
        return _apply_mar_sicker(out, rng)
    if missingness != "realistic":
        raise ConfigError(f"missingness must be None, 'realistic', 'mar' or a dict of rates, got {missingness!r}")
    return _apply_realistic(out, rng, p)


def _apply_rates(out: pd.DataFrame, rng: np.random.Generator, rates: dict) -> pd.DataFrame:
    """``missingness={column: rate}``: each value blanked completely at random."""
    n = len(out)
    for col, rate in rates.items():
        if col not in out.columns or col in ("patient_id", "cohort", "time_months", "event") or col.startswith("true_"):
            raise ConfigError(f"missingness: column {col!r} cannot be blanked (not a covariate of the schema)")
        if not 0 <= float(rate) <= 1:
            raise ConfigError(f"missingness rate for {col!r} must be in [0, 1], got {rate!r}")
        out[col] = out[col].astype("object")
        out.loc[rng.random(n) < float(rate), col] = None
    return out


def _apply_realistic(out: pd.DataFrame, rng: np.random.Generator, p: dict) -> pd.DataFrame:
    """``missingness="realistic"``: the preset's ``missingness_realistic`` rates (MCAR and MAR)."""
    n = len(out)
    m = p["missingness_realistic"]
    rt = 1.0 if p["preset"] == "radiotherapy" else 0.0
    age = out["age_years"].to_numpy(dtype=float)
    # labs: MCAR + MAR on cohort type and on age (observed), one draw per patient for the panel
    p_lab = (
        m["mcar_labs"]
        + rt * m["mar_labs_radiotherapy_extra"]
        + m["mar_labs_per_10_years_over_60"] * np.clip((age - 60) / 10, 0, None)
    )
    panel_missing = rng.random(n) < np.clip(p_lab, 0, 1)
    touched = list(LAB_COLUMNS) + [
        "kps",
        "ecog",
        "pathological_fracture",
        "prior_chemotherapy",
        "extraspinal_bone_mets",
        "vertebral_mets",
        "brain_mets",
        "frankel",
        "visceral_pattern",
    ]
    out[touched] = out[touched].astype("object")
    for col in LAB_COLUMNS:
        single = rng.random(n) < m["mcar_labs"] / 2
        out.loc[panel_missing | single, col] = None
    # ECOG recorded instead of KPS in some, KPS only in others
    u = rng.random(n)
    out.loc[u < m["ecog_instead_of_kps"], "kps"] = None
    out.loc[(u >= m["ecog_instead_of_kps"]) & (u < m["ecog_instead_of_kps"] + m["kps_only"]), "ecog"] = None
    for col in ("pathological_fracture", "prior_chemotherapy", "extraspinal_bone_mets", "vertebral_mets",
                "brain_mets", "frankel", "visceral_pattern"):
        out.loc[rng.random(n) < m["mcar_clinical"], col] = None
    if rt:
        for col in ("egfr", "alk", "ros1", "kras", "braf", "er", "pr", "her2", "castration"):
            known = out[col].notna() & (out[col] != "unknown")
            out.loc[known & (rng.random(n) < m["molecular_extra_unknown_radiotherapy"]), col] = "unknown"
    return out


def simulate_cohort(n: int, *, seed: int, preset: str = "surgical", missingness=None,
                    delayed_entry: float = 0.0, max_entry_months: float = 6.0,
                    cohort: str | None = None, id_prefix: str = "SIM", return_latent: bool = False,
                    **params) -> Cohort:
    """Simulate a spinal-metastasis cohort with a known true survival model.

    Parameters
    ----------
    n : int
        Number of patients.
    seed : int
        Seed of the random generator (same seed and parameters -> identical frame).
    preset : {"surgical", "radiotherapy"}
        ``"surgical"``: modern surgical series, median OS ~11-12 months, 1-2 years follow-up,
        ~40-60% deaths. ``"radiotherapy"``: 2000-2010 RT cohorts (Bollen medians), median ~5
        months, ~90-96% deaths.
    missingness : None, "realistic" or dict
        None: complete recorded covariates (markers can still be ``unknown`` = not tested).
        ``"realistic"``: MCAR + MAR pattern of ``parameters.yaml`` (labs missing more often in RT
        cohorts and in older patients, ECOG recorded instead of KPS in some, more untested
        markers in older cohorts). A dict ``{column: rate}`` blanks columns completely at
        random. ``"mar"``: the laboratory panel missing at random, more often in sicker
        patients (KPS <= 50), older ones and those who die within 3 months (:data:`MAR_SICKER`).
    delayed_entry : float
        Share of patients with delayed entry (left truncation); they get ``entry_months`` ~
        U(0, ``max_entry_months``) and only those still alive at entry are kept.
    max_entry_months : float
        Upper limit of the delayed-entry time.
    cohort : str, optional
        Value of the ``cohort`` column (default ``"simulated-<preset>"``).
    id_prefix : str
        Prefix of the synthetic ``patient_id``.
    return_latent : bool
        Also add ``true_event_months`` and ``true_censor_months`` (latent times; for tests and
        teaching - never use them as features).
    **params
        Overrides of ``parameters.yaml`` (see :func:`prognosis.simulate.load_parameters`).

    Returns
    -------
    Cohort
        Canonical frame plus ``true_lp`` (log of the hazard multiplier, including the
        primary-site baseline) and ``true_weibull_shape``; ``S(t|x) = exp(-t**shape *
        exp(true_lp))``. ``metadata`` holds source, preset, seed, params checksum and
        time_origin.

    Examples
    --------
    >>> from prognosis.simulate import simulate_cohort, true_survival
    >>> sim = simulate_cohort(300, seed=7, preset="radiotherapy")
    >>> len(sim.frame), "true_lp" in sim.frame
    (300, True)
    >>> simulate_cohort(300, seed=7, preset="radiotherapy").frame.equals(sim.frame)  # same seed
    True
    >>> s = true_survival(sim.frame, [6, 12])      # true S(t | x) per patient
    >>> bool((s[6] >= s[12]).all())
    True
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise InputError(f"n must be a positive integer, got {n!r}")
    if not 0.0 <= delayed_entry <= 1.0:
        raise InputError(f"delayed_entry must be a share in [0, 1], got {delayed_entry!r}")
    if delayed_entry > 0 and not max_entry_months > 0:
        raise InputError(f"max_entry_months must be > 0, got {max_entry_months!r}")
    p = load_parameters(preset, **params)
    alphas = site_alphas(p)
    rng = np.random.default_rng(seed)
    sites_all = [s for s in p["site_weights"] if p["site_weights"][s] > 0]
    weights = np.array([p["site_weights"][s] for s in sites_all], dtype=float)
    k = float(p["weibull_shape"])

    kept: list[pd.DataFrame] = []
    n_kept = 0
    while n_kept < n:
        m = (n - n_kept) if delayed_entry == 0 else int(np.ceil((n - n_kept) * 1.5)) + 10
        sites = np.array(sites_all, dtype=object)[rng.choice(len(sites_all), size=m, p=weights / weights.sum())]
        true_frame, rec = _covariates(rng, sites, p)
        recorded = pd.DataFrame(rec)
        lp = np.array([alphas[s] for s in sites]) + _xbeta(true_frame, p)
        t_event = np.power(rng.exponential(1.0, m) / np.exp(lp), 1.0 / k)
        lo, hi = p["admin_censoring_months"]
        admin = rng.uniform(lo, hi, m)
        rate = p["loss_to_followup_per_year"] / 12.0
        loss = rng.exponential(1.0 / rate, m) if rate > 0 else np.full(m, np.inf)
        t_cens = np.minimum(admin, loss)
        entry = np.where(rng.random(m) < delayed_entry, rng.uniform(0, max_entry_months, m), np.nan)
        recorded["time_months"] = np.minimum(t_event, t_cens)
        recorded["event"] = (t_event <= t_cens).astype(int)
        recorded["entry_months"] = entry
        recorded["true_lp"] = lp
        recorded["true_weibull_shape"] = k
        if return_latent:
            recorded["true_event_months"] = t_event
            recorded["true_censor_months"] = t_cens
        ok = np.isnan(entry) | (entry < recorded["time_months"].to_numpy())
        batch = recorded[ok]
        kept.append(batch)
        n_kept += len(batch)
    frame = pd.concat(kept, ignore_index=True).iloc[:n].reset_index(drop=True)
    # spine level, SINS items, ESCC, treatment: a separate stream, so nothing above changes
    spine = simulate_spine_columns(frame, seed, p["preset"])
    for col in spine.columns:
        frame[col] = spine[col].to_numpy()
    frame = _apply_missingness(frame, rng, missingness, p)
    label = cohort or f"simulated-{preset}"
    frame.insert(0, "patient_id", [f"{id_prefix}{i + 1:05d}" for i in range(n)])
    frame.insert(1, "cohort", label)
    extras = [c for c in frame.columns if c.startswith("true_")]
    frame = frame[list(CANONICAL_COLUMNS) + extras]
    metadata = {
        "source": "simulated",
        "cohort": label,
        "preset": preset,
        "seed": int(seed),
        "params_checksum": p["checksum"],
        "time_origin": p["time_origin"],
        "missingness": missingness if not isinstance(missingness, dict) else dict(missingness),
        "delayed_entry": float(delayed_entry),
        "weibull_shape": k,
        "site_alpha": {s: alphas[s] for s in sites_all},
        "generator": "prognosis.simulate.simulate_cohort",
    }
    return Cohort(frame=frame, metadata=metadata)
