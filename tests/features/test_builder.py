"""FeatureBuilder: encodings checked against hand-worked expectations."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from prognosis.cohort.schema import conform_dtypes
from prognosis.errors import InputError, ModelError
from prognosis.features import (
    FEATURE_SETS,
    FeatureBuilder,
    breast_subtype,
    lung_subtype,
    melanoma_subtype,
    prostate_subtype,
)


def frame(rows: list[dict]) -> pd.DataFrame:
    base = {"patient_id": "p", "cohort": "c", "time_months": 1.0, "event": 1}
    return conform_dtypes(pd.DataFrame([{**base, **r} for r in rows]))


def test_lung_subtypes_hierarchy_and_untested_distinct_from_wildtype():
    f = frame([
        {"primary_site": "lung", "egfr": "mutant", "kras": "mutant"},
        {"primary_site": "lung", "alk": "rearranged"},
        {"primary_site": "lung", "ros1": "rearranged", "egfr": "wildtype"},
        {"primary_site": "lung", "kras": "mutant", "egfr": "wildtype"},
        {"primary_site": "lung", "egfr": "wildtype", "alk": "negative"},
        {"primary_site": "lung", "egfr": "unknown", "alk": "unknown"},
        {"primary_site": "lung"},
        {"primary_site": "breast", "egfr": "mutant"},
    ])
    assert lung_subtype(f).tolist() == ["egfr_mutant", "alk_ros1_rearranged", "alk_ros1_rearranged", "kras_mutant",
                                        "wildtype", "untested", "untested", None]


def test_breast_prostate_melanoma_subtypes():
    f = frame([
        {"primary_site": "breast", "er": "positive", "pr": "negative", "her2": "negative"},
        {"primary_site": "breast", "er": "negative", "pr": "positive", "her2": "positive"},
        {"primary_site": "breast", "er": "negative", "pr": "negative", "her2": "positive"},
        {"primary_site": "breast", "er": "negative", "pr": "negative", "her2": "negative"},
        {"primary_site": "breast", "er": "negative", "pr": "unknown", "her2": "negative"},
        {"primary_site": "breast", "er": "positive", "her2": "unknown"},
    ])
    assert breast_subtype(f).tolist() == ["hr+her2-", "hr+her2+", "hr-her2+", "triple_negative", "unknown", "unknown"]
    p = frame([{"primary_site": "prostate", "castration": "resistant"},
               {"primary_site": "prostate", "castration": "sensitive"},
               {"primary_site": "prostate"}, {"primary_site": "lung", "castration": "resistant"}])
    assert prostate_subtype(p).tolist() == ["castration_resistant", "castration_sensitive", "unknown", None]
    m = frame([{"primary_site": "melanoma", "braf": "v600"}, {"primary_site": "melanoma", "braf": "wildtype"},
               {"primary_site": "melanoma", "braf": "unknown"}])
    assert melanoma_subtype(m).tolist() == ["braf_v600", "wildtype", "unknown"]


def _train():
    rows = []
    for i in range(40):
        rows.append({"primary_site": "lung", "egfr": ["mutant", "wildtype", "unknown", "wildtype"][i % 4],
                     "alk": ["negative", "negative", "unknown", "negative"][i % 4], "kps": 50 + (i % 5) * 10,
                     "age_years": 50 + i, "sex": "male",
                     "targeted_therapy": i % 2 == 0, "visceral_mets": ["none", "removable", "unremovable"][i % 3]})
        rows.append({"primary_site": "breast", "er": "positive", "pr": "positive",
                     "her2": ["negative", "positive"][i % 2], "kps": 80, "age_years": 60, "sex": "female",
                     "targeted_therapy": True, "visceral_mets": "none"})
    rows += [{"primary_site": "thyroid", "kps": 90, "age_years": 40, "sex": "female", "visceral_mets": "none",
              "targeted_therapy": False}] * 3
    return frame(rows)


def test_matrix_values_and_names():
    fb = FeatureBuilder("clinical+molecular").fit(_train())
    names = list(fb.get_feature_names_out())
    # thyroid (3 of 83 patients) is pooled into the reference "other": no column
    assert "site[lung]" in names
    assert "site[breast]" in names
    assert "site[thyroid]" not in names
    test = frame([{"primary_site": "lung", "egfr": "mutant", "kps": 70, "age_years": 61.5, "sex": "male",
                   "targeted_therapy": True, "visceral_mets": "unremovable"},
                  {"primary_site": "lung", "egfr": "unknown", "alk": "unknown", "kps": 60, "age_years": 70,
                   "sex": "female",
                   "targeted_therapy": False, "visceral_mets": "none"}])
    X = fb.transform(test)
    r0, r1 = X.iloc[0], X.iloc[1]
    assert r0["site[lung]"] == 1
    assert r0["site[breast]"] == 0
    assert r0["lung[egfr_mutant]"] == 1
    assert r0["lung[untested]"] == 0
    assert r1["lung[egfr_mutant]"] == 0
    assert r1["lung[untested]"] == 1
    assert r0["kps"] == 70
    assert r0["age_years"] == 61.5
    assert r0["sex[male]"] == 1
    assert r1["sex[male]"] == 0
    assert r0["visceral_mets[unremovable]"] == 1
    assert r0["visceral_mets[removable]"] == 0
    assert r0["targeted_therapy"] == 1
    assert r1["targeted_therapy"] == 0
    assert list(X.index) == list(test.index)


def test_feature_sets_differ_as_documented():
    f = _train()
    clin = FeatureBuilder("clinical").fit(f).get_feature_names_out()
    mol = FeatureBuilder("clinical+molecular").fit(f).get_feature_names_out()
    items = FeatureBuilder("score_items").fit(f).get_feature_names_out()
    assert not any("[egfr" in c or c == "targeted_therapy" for c in clin)
    assert "lung[egfr_mutant]" in mol
    assert "targeted_therapy" in mol
    assert "targeted_therapy" in items
    assert not any(c.startswith("lung[") for c in items)
    assert set(FEATURE_SETS) == {"clinical", "clinical+molecular", "score_items"}


def test_imputation_is_fitted_on_training_data_only():
    train = _train()
    train.loc[train.index[:5], "kps"] = pd.NA
    fb = FeatureBuilder("clinical", impute="indicator", min_indicator_count=1).fit(train)
    med = float(np.median(pd.to_numeric(train["kps"].dropna()).to_numpy(float)))
    test = frame([{"primary_site": "lung", "kps": None, "age_years": 60, "sex": "male"}] * 2)
    X = fb.transform(test)
    assert (X["kps"] == med).all()
    assert (X["kps_missing"] == 1).all()
    # the fill value does not move when the test data are very different
    test2 = frame([{"primary_site": "lung", "kps": 10, "age_years": 60}, {"primary_site": "lung", "kps": None}])
    assert fb.transform(test2)["kps"].tolist() == [10.0, med]


def test_missing_category_gets_its_own_level_and_none_raises():
    train = _train()
    train.loc[train.index[:4], "visceral_mets"] = pd.NA
    X = FeatureBuilder("clinical", min_indicator_count=1).fit_transform(train)
    assert X["visceral_mets[missing]"].iloc[:4].tolist() == [1.0] * 4
    assert X[["visceral_mets[removable]", "visceral_mets[unremovable]"]].iloc[:4].to_numpy().sum() == 0
    with pytest.raises(ModelError, match="row 0"):
        FeatureBuilder("clinical", impute=None).fit(train)


def test_iterative_imputation_runs_and_is_seeded():
    train = _train()
    train.loc[train.index[::7], "age_years"] = pd.NA
    a = FeatureBuilder("clinical", impute="iterative", seed=3).fit_transform(train)
    b = FeatureBuilder("clinical", impute="iterative", seed=3).fit_transform(train)
    assert not a.isna().any().any()
    assert a.equals(b)
    assert "age_years_missing" not in a.columns


def test_ecog_to_kps_only_when_asked_and_flagged():
    train = _train()
    train["ecog"] = pd.array([1] * len(train), dtype="Int64")
    train.loc[train.index[0], "kps"] = pd.NA
    X = FeatureBuilder("clinical", ecog_to_kps=True, min_indicator_count=1).fit_transform(train)
    assert X["kps"].iloc[0] == 85.0
    assert X["kps_from_ecog"].iloc[0] == 1
    assert X["kps_from_ecog"].iloc[1:].sum() == 0
    X2 = FeatureBuilder("clinical", min_indicator_count=1).fit_transform(train)
    assert "kps_from_ecog" not in X2.columns
    assert X2["kps_missing"].iloc[0] == 1


def test_truth_and_identifier_columns_are_ignored():
    train = _train()
    fb = FeatureBuilder().fit(train)
    spiked = train.assign(true_lp=np.arange(len(train)), patient_id=[f"x{i}" for i in range(len(train))])
    pd.testing.assert_frame_equal(fb.transform(train), fb.transform(spiked))


def test_bad_vocabulary_names_row_and_column():
    f = _train()
    f["frankel"] = f["frankel"].astype(object)
    f.loc[f.index[2], "frankel"] = "F"
    with pytest.raises(InputError, match=r"'frankel', row 2: value 'F'"):
        FeatureBuilder().fit(f)


def test_level_unseen_in_training_is_not_silently_merged():
    train = _train()
    train = train[~((train["primary_site"] == "lung") & (train["egfr"] == "unknown"))]
    fb = FeatureBuilder().fit(train)
    assert "lung[untested]" in fb.dropped_
    test = frame([{"primary_site": "lung", "egfr": "unknown", "alk": "unknown", "kps": 60}])
    with pytest.warns(UserWarning, match="lung\\[untested\\]"):
        fb.transform(test)


def test_clone_and_absent_column():
    fb = FeatureBuilder("clinical", impute="iterative", min_site_count=5)
    assert clone(fb).get_params() == fb.get_params()
    fitted = FeatureBuilder("clinical").fit(_train())
    with pytest.raises(ModelError, match="kps"):
        fitted.transform(_train().drop(columns=["kps"]))


def test_labs_missing_together_share_one_indicator():
    train = _train()
    train["crp_mg_dl"] = pd.array([1.0] * len(train), dtype="Float64")
    train["albumin_g_dl"] = pd.array([3.5 + (i % 3) * 0.2 for i in range(len(train))], dtype="Float64")
    train.loc[train.index[:6], ["crp_mg_dl", "albumin_g_dl"]] = pd.NA
    fb = FeatureBuilder("clinical", min_indicator_count=1).fit(train)
    names = list(fb.get_feature_names_out())
    assert "albumin_g_dl_missing" in names
    assert "crp_mg_dl_missing" not in names
    assert fb.duplicates_["crp_mg_dl_missing"] == "albumin_g_dl_missing"


def test_delayed_entry_is_flagged_not_ignored_silently():
    train = _train()
    train["entry_months"] = pd.array([0.5] + [None] * (len(train) - 1), dtype="Float64")
    with pytest.warns(UserWarning, match="1 training patient.*left truncation"):
        FeatureBuilder().fit(train)


def _prostate_unknown_frame():
    """Castration status never recorded (as on MSK-MET): every prostate patient is 'unknown'."""
    t = _train()
    rows = [{"primary_site": "prostate", "kps": 60 + (i % 4) * 10, "age_years": 60 + i, "sex": "male",
             "targeted_therapy": False, "visceral_mets": "none"} for i in range(30)]
    return pd.concat([t, frame(rows)], ignore_index=True)


def test_all_unknown_marker_within_site_is_the_reference_not_a_duplicate_of_the_site():
    f = _prostate_unknown_frame()
    with pytest.warns(UserWarning, match=r"prostate\[unknown\].*castration_sensitive.*no training patients"):
        fb = FeatureBuilder("clinical+molecular").fit(f)
    names = list(fb.get_feature_names_out())
    assert "site[prostate]" in names
    assert not any(c.startswith("prostate[") for c in names)
    assert fb.references_["subtype:prostate"] == "prostate[unknown]"
    assert "reference level of the prostate block" in fb.drop_reasons_["prostate[unknown]"]
    assert fb.spec()["drop_reasons"]["prostate[unknown]"] == fb.drop_reasons_["prostate[unknown]"]
    # the documented references stay the references where they are observed
    assert fb.references_["subtype:lung"] == "lung[wildtype]"
    assert "lung[wildtype]" not in names
    assert fb.references_["subtype:breast"] == "breast[hr+her2-]"
    X = fb.transform(f)
    block = X[[c for c in X.columns if c.startswith(("site[", "prostate[", "lung[", "breast["))]].to_numpy()
    assert np.linalg.matrix_rank(np.column_stack([np.ones(len(X)), block])) == block.shape[1] + 1
    # a later prostate patient with a known status is flagged, not silently folded in
    with pytest.warns(UserWarning, match=r"prostate\[castration_resistant\]"):
        fb.transform(frame([{"primary_site": "prostate", "castration": "resistant", "kps": 70}]))


def test_documented_reference_is_kept_when_observed():
    f = _prostate_unknown_frame()
    f["castration"] = f["castration"].astype(object)
    pro = f.index[f["primary_site"] == "prostate"]
    f.loc[pro[:10], "castration"] = "sensitive"
    f.loc[pro[10:20], "castration"] = "resistant"
    f = conform_dtypes(f)
    fb = FeatureBuilder("clinical+molecular").fit(f)
    names = list(fb.get_feature_names_out())
    assert fb.references_["subtype:prostate"] == "prostate[castration_sensitive]"
    # HRs read "vs castration-sensitive"; unknown is its own level, never merged with it
    assert "prostate[castration_resistant]" in names
    assert "prostate[unknown]" in names


def test_categorical_block_without_its_reference_level_drops_one_level():
    f = _train()
    f["visceral_mets"] = f["visceral_mets"].astype(object)
    f.loc[f["visceral_mets"] == "none", "visceral_mets"] = "removable"
    f = conform_dtypes(f)
    with pytest.warns(UserWarning, match="visceral_mets"):
        fb = FeatureBuilder("clinical").fit(f)
    kept = [c for c in fb.get_feature_names_out() if c.startswith("visceral_mets[")]
    assert len(kept) == 1
    assert fb.references_["visceral_mets"] == "visceral_mets[removable]"


def test_rare_missingness_gets_no_indicator_and_warns_at_transform():
    """One patient with missing sex must not create a sex[missing] column (its Cox log-HR
    diverged to -17.5 on MSK-MET); the value is imputed and later missing values warn."""
    import warnings

    import pandas as pd

    from prognosis.cohort.schema import conform_dtypes
    from prognosis.features import FeatureBuilder

    n = 60
    raw = pd.DataFrame({
        "patient_id": [f"p{i}" for i in range(n)], "cohort": "x",
        "time_months": [1.0 + i for i in range(n)], "event": [i % 2 for i in range(n)],
        "age_years": [50.0 + (i % 20) for i in range(n)],
        # the documented reference is present
        "sex": ["female", "male"] * (n // 2), "primary_site": ["lung", "breast", "prostate", "other"] * (n // 4),
        "kps": [50 + 10 * (i % 5) for i in range(n)],
    })
    raw.loc[3, "sex"] = None                       # 1 missing  -> below the threshold
    raw.loc[list(range(0, 60, 5)), "kps"] = None   # 12 missing -> indicator kept
    frame = conform_dtypes(raw)
    fb = FeatureBuilder(feature_set="clinical", min_indicator_count=10).fit(frame)
    names = list(fb.get_feature_names_out())
    assert not any(nm.startswith("sex[missing]") for nm in names)
    assert "kps_missing" in names
    assert fb.few_missing_ == {"sex": 1}
    assert fb.spec()["few_missing"] == {"sex": 1}
    # with the threshold lowered to 1 the level is created again
    names = FeatureBuilder(feature_set="clinical", min_indicator_count=1).fit(frame).get_feature_names_out()
    assert "sex[missing]" in names
    new = frame.iloc[:10].copy()
    new.loc[new.index[[1, 2]], "sex"] = None
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        fb.transform(new)
    assert any("'sex' was missing in only 1 training row" in str(x.message) for x in w)
