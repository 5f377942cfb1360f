"""The simulator's MAR preset (missingness="mar"): labs missing more often in sicker patients and
early deaths; nothing else blanked; the other presets unchanged."""
from __future__ import annotations

import pandas as pd

from prognosis.simulate import simulate_cohort


def test_mar_preset_mechanism():
    f = simulate_cohort(1500, seed=5, missingness="mar").frame
    full = simulate_cohort(1500, seed=5).frame
    miss = f["albumin_g_dl"].isna()
    assert 0.15 < miss.mean() < 0.4
    assert f["kps"].notna().all()
    assert f["age_years"].notna().all()
    early = (f["event"] == 1) & (f["time_months"] < 3)
    assert miss[f["kps"] <= 50].mean() > miss[f["kps"] > 50].mean() + 0.1
    assert miss[early].mean() > miss[~early].mean() + 0.1
    # only the laboratory panel is touched; recorded values are the complete cohort's
    untouched = [c for c in f.columns if c not in ("albumin_g_dl", "crp_mg_dl", "ldh_u_l", "hemoglobin_g_dl",
                                                  "platelets_10e9_l")]
    pd.testing.assert_frame_equal(f[untouched], full[untouched], check_dtype=False)
    ok = f["albumin_g_dl"].notna()
    assert (f.loc[ok, "albumin_g_dl"].astype(float) == full.loc[ok, "albumin_g_dl"].astype(float)).all()
