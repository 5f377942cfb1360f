"""Properties that must hold for every score: the missing-item range always contains the total of
any completion of the patient, and explain() agrees with compute()."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from prognosis.cohort.schema import COLUMN_BY_NAME
from prognosis.scores import available, compute, explain
from prognosis.scores.sins import LEVEL_LOCATION


def random_complete(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)

    def cat(col):
        cats = list(COLUMN_BY_NAME[col].categories)
        return pd.Categorical(rng.choice(cats, n), categories=cats)

    # molecular columns drawn without 'unknown' so that a complete row is fully determined;
    # visceral_pattern is consistent with visceral_mets (none <-> none), as in real data
    levels = rng.choice(list(COLUMN_BY_NAME["spine_level"].categories), n)
    visceral = cat("visceral_mets")
    pattern = np.where(np.asarray(visceral) == "none", "none",
                       rng.choice(["nodular", "disseminated"], n))
    return pd.DataFrame({
        "primary_site": cat("primary_site"),
        "kps": rng.integers(0, 101, n), "ecog": rng.integers(0, 5, n),
        "extraspinal_bone_mets": rng.integers(0, 6, n), "vertebral_mets": rng.integers(1, 6, n),
        "visceral_mets": visceral, "visceral_pattern": pattern,
        "brain_mets": rng.random(n) < 0.2, "frankel": cat("frankel"),
        "ambulatory": rng.random(n) < 0.6, "pathological_fracture": rng.random(n) < 0.3,
        "prior_chemotherapy": rng.random(n) < 0.5, "targeted_therapy": rng.random(n) < 0.3,
        "albumin_g_dl": rng.uniform(2.5, 4.5, n), "crp_mg_dl": rng.uniform(0, 1, n),
        "ldh_u_l": rng.uniform(150, 350, n), "platelets_10e9_l": rng.uniform(50, 300, n),
        "calcium_mg_dl": rng.uniform(8.5, 11, n), "bilirubin_mg_dl": rng.uniform(0.2, 2, n),
        "er": rng.choice(["positive", "negative"], n), "pr": rng.choice(["positive", "negative"], n),
        "castration": rng.choice(["sensitive", "resistant"], n),
        "spine_level": levels, "sins_location": [LEVEL_LOCATION[lv] for lv in levels],  # consistent
        "sins_pain": cat("sins_pain"), "age_years": rng.uniform(30, 90, n),
        "months_since_primary": rng.uniform(0, 40, n), "motor_deficit_days": rng.integers(0, 20, n),
        "sins_lesion": cat("sins_lesion"), "sins_alignment": cat("sins_alignment"),
        "sins_collapse": cat("sins_collapse"), "sins_posterolateral": cat("sins_posterolateral"),
    })


#: options under which nothing is imputed: the documented defaults visceral_unknown_as=
#: 'unremovable' (Bollen) and brain_mets_unknown='ignore' (Katagiri) deliberately score a value
#: that was not recorded, so the range property holds only with them switched off.
NO_GUESS = {"revised_tokuhashi": {"visceral_unknown_as": None},
            "original_tokuhashi": {"visceral_unknown_as": None},
            "tomita": {"visceral_unknown_as": None},
            "katagiri_new": {"brain_mets_unknown": "range"}}


@pytest.mark.parametrize("name", available())
def test_range_contains_every_completion(name):
    full = random_complete(400, seed=11)
    rng = np.random.default_rng(12)
    holed = full.astype(object).mask(rng.random(full.shape) < 0.25)
    ref = compute(full, name)
    assert ref[name].notna().all()  # complete rows are fully determined
    out = compute(holed, name, **NO_GUESS.get(name, {}))
    lo, hi = out[f"{name}_min"].to_numpy(), out[f"{name}_max"].to_numpy()
    tot = ref[name].to_numpy()
    assert ((lo <= tot) & (tot <= hi)).all()
    det = out[name].notna().to_numpy()
    assert (out[name][det].to_numpy() == tot[det]).all()
    assert (det == (lo == hi)).all()
    # a group is reported with a missing item only when every possible total lies in it
    grp = out[f"{name}_group"]
    assert (grp[grp.notna()].astype(str) == ref[f"{name}_group"][grp.notna()].astype(str)).all()


@pytest.mark.parametrize("name", available())
def test_explain_matches_compute(name):
    full = random_complete(6, seed=3)
    full.iloc[1, :5] = None
    res = compute(full, name)
    for i in range(len(full)):
        ex = explain(full.iloc[[i]], name)
        t = ex.to_frame()
        assert t["min"].sum() >= res[f"{name}_min"].iloc[i]  # NESMS has a ceiling
        assert ex.total_min == res[f"{name}_min"].iloc[i]
        assert ex.total_max == res[f"{name}_max"].iloc[i]
        comps = res[[f"{name}__{c}" for c in t["item"]]].iloc[i]
        assert [None if pd.isna(v) else int(v) for v in comps] == \
            [None if pd.isna(v) else int(v) for v in t["points"]]
        assert str(ex).count("\n") == len(t) + 2  # title, header, items, total
