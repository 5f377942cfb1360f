"""``FeatureBuilder``: canonical cohort frame -> numeric model matrix (a scikit-learn transformer).

Named feature sets (:data:`FEATURE_SETS`) let a study compare the same model on different
information:

``"clinical"``
    age, sex, KPS, extraspinal bone and vertebral metastasis counts, visceral metastases
    (removable / unremovable vs none), brain metastases, Frankel grade (A-B, C-D vs E, the
    Tokuhashi grouping), ambulatory, pathological fracture, prior chemotherapy, the seven
    laboratory values (CRP and LDH as ``log1p``) and primary site.
``"clinical+molecular"``
    ``clinical`` plus molecular subtype within primary (lung, breast, prostate, melanoma; see
    :mod:`prognosis.features.encoders`) and targeted therapy.
``"score_items"``
    the items the classic scores use (Tokuhashi, Tomita, Bauer, van der Linden, Katagiri-New,
    NESMS): KPS, ECOG, primary site, extraspinal bone and vertebral metastases, visceral
    metastases and pattern, brain metastases, Frankel, ambulatory, pathological fracture, prior
    chemotherapy, targeted therapy (a Katagiri-New item), CRP, LDH, albumin, platelets, calcium,
    bilirubin -- but no molecular subtype.

Primary sites seen in fewer than ``max(min_site_count, min_site_frequency * n_train)`` training
patients are pooled into ``other`` (the reference level, no column); the kept sites are learnt
on the training data only.

Missing values (``impute``):

``"indicator"`` (default)
    numeric and binary columns with missing values *in the training data* get a
    ``<column>_missing`` indicator and are filled with the training median (numeric) or mode
    (binary); a categorical item with missing values gets a ``<item>[missing]`` level. Values
    missing only at prediction time are filled the same way (no new column can appear).
``"iterative"``
    numeric and binary columns are imputed by scikit-learn's ``IterativeImputer`` (fit on the
    training data, ``random_state=seed``) without indicators; categoricals as above.
``None``
    no imputation: any missing value raises :class:`~prognosis.errors.ModelError` naming row
    and column.

``true_*`` columns, ``patient_id``, ``cohort`` and the outcome are never used.
"""
from __future__ import annotations

import hashlib
import json
import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from ..cohort.schema import COLUMN_BY_NAME
from ..errors import ArtifactError, DelayedEntryWarning, FeatureEncodingWarning, InputError, ModelError, NotFittedError
from .encoders import (
    ECOG_TO_KPS,
    SUBTYPE_FUNCTIONS,
    SUBTYPE_LEVELS,
    SUBTYPE_REFERENCE,
    as_binary,
    as_float,
)

__all__ = ["FeatureBuilder", "FEATURE_SETS", "feature_items", "source_columns"]


#: Molecular marker columns whose vocabulary the encoder checks (they feed the subtype items).
_MARKERS = ("egfr", "alk", "ros1", "kras", "braf", "er", "pr", "her2", "castration")
#: The primary site whose subtype each marker defines (a missing marker matters only there).
_MARKER_SITE = {"egfr": "lung", "alk": "lung", "ros1": "lung", "kras": "lung", "er": "breast", "pr": "breast",
                "her2": "breast", "castration": "prostate", "braf": "melanoma"}


def _object_column(frame: pd.DataFrame, item: str) -> pd.Series:
    """``frame[item]`` as object dtype; all missing when the column is absent."""
    if item in frame.columns:
        return frame[item].astype(object)
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _training_events(y, n: int) -> np.ndarray | None:
    """Event indicator of the training outcome (None without ``y``), checked against ``n`` rows."""
    if y is None:
        return None
    from ..survival_data import split_y

    event = np.asarray(split_y(y)[1], dtype=int)
    if event.size != n:
        raise InputError(f"X has {n} rows but y has {event.size}")
    return event

_LABS = ("albumin_g_dl", "crp_mg_dl", "ldh_u_l", "platelets_10e9_l", "calcium_mg_dl",
         "bilirubin_mg_dl", "hemoglobin_g_dl")
_CLINICAL = (
    "age_years", "sex", "kps", "extraspinal_bone_mets", "vertebral_mets", "visceral_mets",
    "brain_mets", "frankel", "ambulatory", "pathological_fracture", "prior_chemotherapy",
    *_LABS, "primary_site",
)

#: Named feature sets -> the items (canonical concepts) they contain.
FEATURE_SETS: dict[str, tuple[str, ...]] = {
    "clinical": _CLINICAL,
    "clinical+molecular": (*_CLINICAL, "subtype:lung", "subtype:breast", "subtype:prostate",
                           "subtype:melanoma", "targeted_therapy"),
    "score_items": (
        "kps", "ecog", "primary_site", "extraspinal_bone_mets", "vertebral_mets", "visceral_mets",
        "visceral_pattern", "brain_mets", "frankel", "ambulatory", "pathological_fracture",
        "prior_chemotherapy", "targeted_therapy", "crp_mg_dl", "ldh_u_l", "albumin_g_dl",
        "platelets_10e9_l", "calcium_mg_dl", "bilirubin_mg_dl",
    ),
}

_NUMERIC = {"age_years", "kps", "ecog", "extraspinal_bone_mets", "vertebral_mets", *_LABS}
_BINARY = {"brain_mets", "ambulatory", "pathological_fracture", "prior_chemotherapy", "targeted_therapy"}
#: categorical item -> (levels with a column, reference level); Frankel uses Tokuhashi's grouping
_CATEGORICAL = {
    "sex": ({"male": "male"}, "female"),
    "visceral_mets": ({"removable": "removable", "unremovable": "unremovable"}, "none"),
    "visceral_pattern": ({"nodular": "nodular", "disseminated": "disseminated"}, "none"),
    "frankel": ({"A": "A-B", "B": "A-B", "C": "C-D", "D": "C-D"}, "E"),
}
_LOG_DEFAULT = ("crp_mg_dl", "ldh_u_l")

#: Sparse levels: a 0/1 model column (a primary site, a molecular subtype, a category level, a
#: ``[missing]`` level, a binary item or missingness indicator) whose patients had fewer than this
#: many deaths in the training data is not a feature -- its patients are pooled with the reference
#: level (primary sites into ``other``) -- because its coefficient would rest on a handful of events
#: and, with 0 deaths, is unbounded (monotone likelihood: the log-HR tends to -infinity; Heinze &
#: Schemper, Biometrics 2001;57:114-9). For binary items both sides (value 1 and value 0) must
#: reach it. Five deaths per level follows the "at least 5 events per parameter" lower bound of
#: Vittinghoff & McCulloch (Am J Epidemiol 2007;165:710-8). The pooled columns and their counts
#: are in ``FeatureBuilder.pooled_`` (printed by ``prognosis fit``, stored in the model artifact).
MIN_LEVEL_EVENTS = 5
_SUBTYPE_SOURCES = {
    "subtype:lung": ("primary_site", "egfr", "alk", "ros1", "kras"),
    "subtype:breast": ("primary_site", "er", "pr", "her2"),
    "subtype:prostate": ("primary_site", "castration"),
    "subtype:melanoma": ("primary_site", "braf"),
}


def source_columns(feature_set: str, ecog_to_kps: bool = False) -> tuple[str, ...]:
    """Canonical columns read by a feature set."""
    cols: list[str] = []
    for item in feature_items(feature_set):
        cols += list(_SUBTYPE_SOURCES.get(item, (item,)))
        if item == "kps" and ecog_to_kps:
            cols.append("ecog")
    return tuple(dict.fromkeys(cols))


def feature_items(feature_set: str) -> tuple[str, ...]:
    """The items of a named feature set (raises :class:`InputError` for an unknown name)."""
    if feature_set not in FEATURE_SETS:
        raise InputError(f"unknown feature_set {feature_set!r}; choose one of {sorted(FEATURE_SETS)}")
    return FEATURE_SETS[feature_set]


def _check_vocabulary(frame: pd.DataFrame, cols) -> None:
    for col in cols:
        meta = COLUMN_BY_NAME.get(col)
        if meta is None or meta.categories is None or col not in frame.columns:
            continue
        s = frame[col]
        vals = s[s.notna()].astype(str)
        bad = ~vals.isin(meta.categories)
        if bad.any():
            pos = int(np.flatnonzero(frame.index.isin(vals.index[bad]))[0])
            raise InputError(f"column {col!r}, row {pos}: value {vals[bad].iloc[0]!r} is not one of "
                             f"{list(meta.categories)}")


class FeatureBuilder(TransformerMixin, BaseEstimator):
    """Build the numeric model matrix from a canonical cohort frame.

    Parameters
    ----------
    feature_set : {"clinical", "clinical+molecular", "score_items"}
        Named set of items (see module docstring).
    impute : {"indicator", "iterative", None}
        Missing-value strategy, fitted on the training data only.
    ecog_to_kps : bool, default False
        Fill a missing KPS from ECOG (:data:`~prognosis.features.encoders.ECOG_TO_KPS`); converted
        rows are flagged in the ``kps_from_ecog`` column.
    min_site_frequency, min_site_count : float, int
        Primary sites with fewer than ``max(min_site_count, min_site_frequency * n)`` training
        patients are pooled into ``other`` (the reference).
    log_labs : tuple of str
        Laboratory columns entered as ``log1p(value)`` (right-skewed: CRP, LDH).
    seed : int
        Random state of the iterative imputer.
    min_indicator_count : int, default 10
        With ``impute="indicator"``, an item missing in fewer training rows than this gets no
        missingness indicator / ``[missing]`` level (its coefficient would rest on a handful of
        patients and can diverge in an unpenalised Cox); those values are imputed (median or mode;
        the reference level for a category) and counted in ``few_missing_``. A transform that
        meets missing values of such an item warns.

    min_level_events : int, default :data:`MIN_LEVEL_EVENTS` (5)
        With an outcome ``y`` passed to :meth:`fit` (as a pipeline does), 0/1 columns whose
        patients had fewer training deaths are pooled with the reference level (see
        :data:`MIN_LEVEL_EVENTS`); 0 disables pooling.

    Attributes
    ----------
    feature_names_out_ : list of str
    pooled_ : dict
        Column -> why it was pooled into the reference (patients and deaths in training).
    sites_ : list of str
        Primary sites with their own column.
    fill_values_ : dict
        Training medians / modes used by the indicator imputer.
    dropped_ : list of str
        Columns constant in the training data (e.g. a subtype never observed), dropped; a
        patient who differs at transform time triggers a
        :class:`~prognosis.errors.FeatureEncodingWarning` naming the rows.
    duplicates_ : dict
        Missingness indicators or subtype levels identical to an earlier column in the training
        data (labs always missing together) -> the column that represents them; a patient who
        differs at transform time triggers a :class:`~prognosis.errors.FeatureEncodingWarning`.
    references_ : dict
        Categorical block (``"subtype:<site>"``, ``"primary_site"``, ``"sex"``, ...) -> the
        column dropped as its reference level (``None``: the documented reference has no column
        anyway, or the block has no training patients).
    drop_reasons_ : dict
        Every encoded column that is not a feature -> why (constant, reference level,
        duplicate). Also in :meth:`spec` (``"drop_reasons"``), so studies and artifacts show it.

    Notes
    -----
    Reference levels. Each categorical block drops one level so that its columns never sum to
    the intercept or to their site indicator (exact collinearity, which makes an unpenalised Cox
    fit fail). Within a primary the reference is
    :data:`~prognosis.features.encoders.SUBTYPE_REFERENCE` -- the wild-type / negative-like level
    (lung wild-type, melanoma BRAF wild-type, prostate castration-sensitive, breast HR+/HER2-,
    the commonest and the one without a targetable amplification) -- so hazard ratios read
    "mutant vs wild-type"; ``untested``/``unknown`` is always a level of its own. If the
    documented reference has no training patients (on MSK-MET castration status is never
    recorded, so every prostate patient is ``unknown``; without an ER/PR definition no breast
    patient is HR+/HER2-), the first observed level in :data:`SUBTYPE_LEVELS` order, tested
    levels before ``untested``/``unknown``, becomes the reference, and :meth:`fit` emits a
    :class:`~prognosis.errors.FeatureEncodingWarning` and records the reason in :attr:`drop_reasons_`.
    Likewise a block of
    ``primary_site``, ``sex``, ``visceral_mets``, ``visceral_pattern`` or ``frankel`` whose
    documented reference (``other``, female, none, none, E) has no training patient uses its
    most frequent level as the reference.
    """

    def __init__(self, feature_set: str = "clinical+molecular", impute: str | None = "indicator",
                 ecog_to_kps: bool = False, min_site_frequency: float = 0.01, min_site_count: int = 10,
                 log_labs: tuple = _LOG_DEFAULT, seed: int = 0, min_indicator_count: int = 10,
                 min_level_events: int = MIN_LEVEL_EVENTS):
        self.feature_set = feature_set
        self.min_level_events = min_level_events
        self.min_indicator_count = min_indicator_count
        self.impute = impute
        self.ecog_to_kps = ecog_to_kps
        self.min_site_frequency = min_site_frequency
        self.min_site_count = min_site_count
        self.log_labs = log_labs
        self.seed = seed

    # -- encoding --------------------------------------------------------------------------
    def _encode(self, frame: pd.DataFrame, sites) -> tuple[pd.DataFrame, dict]:
        """Raw encoding with NaN for missing; returns (matrix, blocks: item -> columns)."""
        if not isinstance(frame, pd.DataFrame):
            raise InputError(f"FeatureBuilder needs the canonical cohort DataFrame, got {type(frame).__name__}")
        items = feature_items(self.feature_set)
        _check_vocabulary(frame, [i for i in items if not i.startswith("subtype:")] + list(_MARKERS))
        cols: dict[str, np.ndarray] = {}
        blocks: dict[str, list[str]] = {}
        for item in items:
            if item in _NUMERIC:
                self._encode_numeric(frame, item, cols, blocks)
            elif item in _BINARY:
                cols[item] = as_binary(frame, item)
                blocks[item] = [item]
            elif item in _CATEGORICAL or item == "primary_site":
                s = _object_column(frame, item)
                if item == "primary_site":
                    levels = {f"site[{site}]": s == site for site in sites}
                else:
                    mapping = _CATEGORICAL[item][0]
                    levels = {f"{item}[{lev}]": s.isin([k for k, v in mapping.items() if v == lev])
                              for lev in dict.fromkeys(mapping.values())}
                miss = s.isna().to_numpy()
                for name, hit in levels.items():
                    v = hit.to_numpy().astype(float)
                    v[miss] = np.nan
                    cols[name] = v
                blocks[item] = list(levels)
            elif item.startswith("subtype:"):
                site = item.split(":", 1)[1]
                sub = SUBTYPE_FUNCTIONS[site](frame)
                # every level; fit() chooses the reference to drop
                names = [f"{site}[{lev}]" for lev in SUBTYPE_LEVELS[site]]
                for name, lev in zip(names, SUBTYPE_LEVELS[site], strict=True):
                    cols[name] = (sub == lev).to_numpy().astype(float)
                blocks[item] = names
            else:  # pragma: no cover - FEATURE_SETS and the dispatch above are maintained together
                raise ModelError(f"no encoder for item {item!r}")
        return pd.DataFrame(cols, index=frame.index), blocks

    def _encode_numeric(self, frame: pd.DataFrame, item: str, cols: dict, blocks: dict) -> None:
        v = as_float(frame, item)
        if item == "kps" and self.ecog_to_kps:
            ecog = as_float(frame, "ecog")
            conv = np.isnan(v) & ~np.isnan(ecog)
            v = v.copy()
            v[conv] = [ECOG_TO_KPS[int(e)] for e in ecog[conv]]
            cols["kps_from_ecog"] = conv.astype(float)
            blocks["kps_from_ecog"] = ["kps_from_ecog"]
        name = item
        if item in self.log_labs:
            v = np.log1p(v)
            name = f"log1p({item})"
        cols[name] = v
        blocks[item] = [name]

    # -- fit / transform ---------------------------------------------------------------------
    def fit(self, X: pd.DataFrame, y=None):
        """Learn kept primary sites, fill values and indicator columns from training data."""
        self._fit(X, y)
        return self

    def fit_transform(self, X: pd.DataFrame, y=None, **fit_params) -> pd.DataFrame:
        """``fit(X, y).transform(X)`` with ``X`` encoded once (fit's encoding is the transform's)."""
        raw, full = self._fit(X, y)
        return self._finish(X, raw, full)

    def _fit(self, X: pd.DataFrame, y) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Fit; returns the raw encoding of ``X`` and its imputed matrix (all columns)."""
        if self.impute not in ("indicator", "iterative", None):
            raise InputError(f"impute must be 'indicator', 'iterative' or None, got {self.impute!r}")
        items = feature_items(self.feature_set)
        n = len(X)
        if n == 0:
            raise InputError("cannot fit FeatureBuilder on an empty frame")
        event = _training_events(y, n)
        self.pooled_ = {}
        k_ev = int(self.min_level_events or 0)
        self._learn_sites(X, items, event, k_ev)
        if "entry_months" in X.columns and X["entry_months"].notna().any():
            k = int(X["entry_months"].notna().sum())
            warnings.warn(f"{k} training patient(s) have delayed entry (entry_months); the models of "
                          "prognosis.models do not adjust for left truncation, so their survival "
                          "estimates may be biased upwards", DelayedEntryWarning, stacklevel=3)
        self.input_columns_ = [c for c in source_columns(self.feature_set, self.ecog_to_kps) if c in X.columns]
        # the columns with at least one training value: the ones prediction input must supply
        # (an all-missing training column carries no information and is not required)
        self.observed_columns_ = [c for c in self.input_columns_ if X[c].notna().any()]
        raw, blocks = self._encode(X, self.sites_)
        self.blocks_ = blocks
        cat_items = self._learn_fill_values(X, raw, blocks)
        if self.impute == "iterative":
            self._fit_iterative(raw, blocks, cat_items)
        full = self._impute(raw, X)
        std = full.std(axis=0).to_numpy()
        self.dropped_ = [c for c, s in zip(full.columns, std, strict=False) if not (s > 0)]
        self.dropped_values_ = {c: float(full[c].iloc[0]) for c in self.dropped_}
        self.drop_reasons_ = {c: f"constant ({self.dropped_values_[c]:g}) in the training data" for c in self.dropped_}
        # one reference level per categorical block, so no block sums to the intercept or to
        # its site indicator (exact collinearity breaks an unpenalised Cox fit)
        self.references_ = self._choose_references(full, blocks)
        if event is not None and k_ev > 0:
            self._pool_sparse(full, blocks, event, k_ev)
        self._learn_duplicates(full, blocks)
        self._warn_noteworthy()
        self.feature_names_out_ = [c for c in full.columns if c not in self.drop_reasons_]
        self.n_features_in_ = X.shape[1]
        return raw, full

    def _learn_sites(self, X: pd.DataFrame, items, event, k_ev: int) -> None:
        """Primary sites kept as their own level (frequent enough, and with >= k_ev deaths)."""
        if "primary_site" not in items or "primary_site" not in X.columns:
            self.sites_ = []
            return
        site_s = X["primary_site"].astype(object)
        counts = site_s.dropna().value_counts()
        thr = max(self.min_site_count, self.min_site_frequency * len(X))
        self.sites_ = sorted(str(s) for s, c in counts.items() if c >= thr and s != "other")
        if event is None or k_ev <= 0:
            return
        for site in list(self.sites_):
            m = (site_s == site).to_numpy()
            d = int(event[m].sum())
            if d < k_ev:
                self.sites_.remove(site)
                self.pooled_[f"site[{site}]"] = (f"{int(m.sum())} training patients, {d} deaths "
                                                 f"(< {k_ev}): pooled into primary site 'other'")

    def _learn_fill_values(self, X: pd.DataFrame, raw: pd.DataFrame, blocks: dict) -> set:
        """Fill values, indicator columns and the few-missing counts; returns the categorical items.

        Items missing in fewer than min_indicator_count training rows get no indicator column:
        a coefficient for a handful of patients is not estimable (on MSK-MET one patient with
        missing sex gave a Cox log-HR of -17.5, i.e. infinite). Their values are imputed (median
        / mode for numeric and binary items; the reference level for categorical items) and the
        counts are kept in ``few_missing_``.
        """
        self.fill_values_ = {}
        self.indicators_ = []
        self.few_missing_ = {}
        cat_items = {i for i in blocks if i in _CATEGORICAL or i == "primary_site"}
        for item, names in blocks.items():
            if item in cat_items:
                self._learn_categorical_fill(X, raw, item, names)
            else:
                for nm in names:
                    self._learn_numeric_fill(raw[nm].to_numpy(), item, nm)
        return cat_items

    def _learn_categorical_fill(self, X: pd.DataFrame, raw: pd.DataFrame, item: str, names: list) -> None:
        from_frame = item == "primary_site" or not names
        if from_frame:
            anymiss = bool(X[item].isna().any()) if item in X.columns else True
            nmiss = int(X[item].isna().sum()) if item in X.columns else len(X)
        else:
            anymiss = bool(raw[names[0]].isna().any())
            nmiss = int(raw[names[0]].isna().sum())
        if anymiss and self.impute is not None:
            if nmiss >= self.min_indicator_count:
                self.indicators_.append(item)
            else:
                self.few_missing_[item] = nmiss
        for nm in names:
            self.fill_values_[nm] = 0.0

    def _learn_numeric_fill(self, v: np.ndarray, item: str, nm: str) -> None:
        obs = v[~np.isnan(v)]
        if item in _BINARY:
            fill = float(np.round(obs.mean())) if obs.size else 0.0
        else:
            fill = float(np.median(obs)) if obs.size else 0.0
        self.fill_values_[nm] = fill
        if np.isnan(v).any() and self.impute == "indicator":
            if int(np.isnan(v).sum()) >= self.min_indicator_count:
                self.indicators_.append(nm)
            else:
                self.few_missing_[nm] = int(np.isnan(v).sum())

    def _fit_iterative(self, raw: pd.DataFrame, blocks: dict, cat_items: set) -> None:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.experimental import enable_iterative_imputer  # noqa: F401
        from sklearn.impute import IterativeImputer

        self.iter_columns_ = [nm for item, names in blocks.items() if item not in cat_items for nm in names]
        self.iterative_ = IterativeImputer(random_state=self.seed, max_iter=10, sample_posterior=False,
                                           keep_empty_features=True)
        with warnings.catch_warnings():
            # "[IterativeImputer] Early stopping criterion not reached": 10 rounds are the documented setting
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.iterative_.fit(raw[self.iter_columns_].to_numpy())

    def _learn_duplicates(self, full: pd.DataFrame, blocks: dict) -> None:
        """Exact duplicates of an earlier column, for missingness indicators (labs missing
        together) and subtype levels (e.g. a level that is the only one observed besides an
        empty reference would equal its site indicator). Keep the first, record the alias; a
        patient who differs at transform time is named. Other substantive columns that happen
        to coincide (e.g. sex and site in a tiny frame) are kept: merging them would silently
        relabel a clinical item; CoxModel names such collinear columns if it cannot fit."""
        subtype_cols = {c for item, names in blocks.items() if item.startswith("subtype:") for c in names}
        self.duplicates_ = {}
        seen: dict[bytes, str] = {}
        for c in full.columns:
            if c in self.dropped_ or c in self.drop_reasons_:
                continue
            key = full[c].to_numpy(dtype=float).tobytes()
            dedup = c in subtype_cols or c.endswith("_missing") or c.endswith("[missing]")
            if key in seen and dedup:
                self.duplicates_[c] = seen[key]
                self.drop_reasons_[c] = f"identical to {seen[key]!r} in the training data"
            elif key not in seen:
                seen[key] = c

    def _warn_noteworthy(self) -> None:
        noteworthy = {c: r for c, r in self.drop_reasons_.items() if c not in self.dropped_ and c not in self.pooled_
                      and not (c in self.duplicates_ and (c.endswith("_missing") or c.endswith("[missing]")))
                      and not r.startswith("reference level (as documented)")}
        if noteworthy:
            lines = "; ".join(f"{c}: {r}" for c, r in noteworthy.items())
            warnings.warn(f"FeatureBuilder dropped {len(noteworthy)} column(s) that would be collinear "
                          f"with others on the training data (see .drop_reasons_): {lines}",
                          FeatureEncodingWarning, stacklevel=4)

    def _pool_sparse(self, full: pd.DataFrame, blocks: dict, event: np.ndarray, k_ev: int) -> None:
        """Pool 0/1 columns with fewer than ``k_ev`` training deaths (see :data:`MIN_LEVEL_EVENTS`).

        Level columns (category, subtype, ``[missing]`` levels) are checked on the patients who
        have the level; binary items and missingness indicators on both sides. A subtype block
        whose reference level is itself sparse after pooling is pooled entirely (the site column
        carries the site's effect); a categorical block whose reference is sparse takes its level
        with most deaths as the reference instead (an equivalent parametrisation).
        """
        cat_items = {i for i in blocks if i in _CATEGORICAL or i == "primary_site"}
        level_cols = {c for item, names in blocks.items() if item in cat_items or item.startswith("subtype:")
                      for c in [*names, f"{item}[missing]"] if c in names or c in full.columns}
        for c in full.columns:
            if not self._taken(c):
                self._pool_sparse_column(c, full[c].to_numpy(dtype=float), c in level_cols, event, k_ev)
        # sparse references after pooling
        for item, names in blocks.items():
            if not (item in cat_items or item.startswith("subtype:")):
                continue
            kept = [c for c in names + [f"{item}[missing]"] if c in full.columns and not self._taken(c)
                    and c not in self.pooled_]
            if not kept:
                continue
            if item.startswith("subtype:"):
                self._pool_sparse_subtype_reference(item, names, kept, full, event, k_ev)
            else:
                self._pool_sparse_reference(item, kept, full, event, k_ev)
        for c, r in self.pooled_.items():
            if c in full.columns:
                self.drop_reasons_[c] = "sparse level: " + r

    def _taken(self, c: str) -> bool:
        return c in self.dropped_ or c in self.drop_reasons_

    def _pool_sparse_column(self, c: str, v: np.ndarray, is_level: bool, event: np.ndarray, k_ev: int) -> None:
        if not np.isin(v, (0.0, 1.0)).all():
            return
        one = v == 1.0
        d1, d0 = int(event[one].sum()), int(event[~one].sum())
        if is_level:
            if d1 < k_ev:
                self.pooled_[c] = (f"{int(one.sum())} training patients, {d1} deaths (< {k_ev}): "
                                   "pooled into the reference level")
        elif d1 < k_ev or d0 < k_ev:
            side, dd, nn = ("1", d1, int(one.sum())) if d1 < d0 else ("0", d0, int((~one).sum()))
            self.pooled_[c] = (f"{nn} training patients with value {side}, {dd} deaths (< {k_ev}): "
                               "not a feature (all patients pooled)")

    def _pool_sparse_subtype_reference(self, item: str, names: list, kept: list, full: pd.DataFrame,
                                       event: np.ndarray, k_ev: int) -> None:
        anyk = full[kept].to_numpy(dtype=float).sum(axis=1) > 0
        in_site = full[names].to_numpy(dtype=float).sum(axis=1) > 0
        ref_rows = in_site & ~anyk
        d_ref = int(event[ref_rows].sum())
        if d_ref < k_ev:
            for c in kept:
                self.pooled_[c] = (f"the {item.split(':', 1)[1]} reference level has {int(ref_rows.sum())} "
                                   f"training patients and {d_ref} deaths (< {k_ev}): the whole subtype "
                                   "block is pooled (the primary-site column carries the site's effect)")

    def _pool_sparse_reference(self, item: str, kept: list, full: pd.DataFrame, event: np.ndarray,
                               k_ev: int) -> None:
        anyk = full[kept].to_numpy(dtype=float).sum(axis=1) > 0
        d_ref = int(event[~anyk].sum())
        if d_ref >= k_ev:
            return
        new_ref = max(kept, key=lambda c: (int(event[full[c].to_numpy() == 1].sum()), -kept.index(c)))
        d_new = int(event[full[new_ref].to_numpy() == 1].sum())
        if d_new >= k_ev:
            self.references_[item] = new_ref
            self.drop_reasons_[new_ref] = (f"reference level of {item}: the documented reference has "
                                           f"{d_ref} training deaths (< {k_ev}); the level with most "
                                           "deaths is the reference")
        else:
            for c in kept:
                self.pooled_[c] = (f"{item}: neither the reference ({d_ref} deaths) nor any level "
                                   f"reaches {k_ev} training deaths: pooled")

    def _choose_references(self, full: pd.DataFrame, blocks: dict) -> dict:
        """Pick and drop one reference column per categorical block (see class docstring)."""
        refs: dict[str, str | None] = {}
        for item, names in blocks.items():
            if item.startswith("subtype:"):
                site = item.split(":", 1)[1]
                preferred = f"{site}[{SUBTYPE_REFERENCE[site]}]"
                untested = [f"{site}[{lv}]" for lv in ("untested", "unknown")]
                order = [preferred] + [c for c in names if c != preferred and c not in untested] + \
                        [c for c in names if c in untested]
                n_site = float(full[names].to_numpy().sum())
                observed = [c for c in order if full[c].to_numpy().sum() > 0]
                if not observed:  # no training patient of this primary: every column is constant
                    refs[item] = None
                    continue
                ref = observed[0]
                if ref == preferred:
                    reason = "reference level (as documented) of the " + site + " block"
                else:
                    counts = ", ".join(f"{c} {int(full[c].sum())}" for c in observed)
                    reason = (f"reference level of the {site} block: the documented reference {preferred!r} has no "
                              f"training patients (levels observed among {int(n_site)} {site} patients: {counts})")
                refs[item] = ref
                if ref in self.dropped_:  # every training patient has this level: already constant
                    continue
                self.drop_reasons_[ref] = reason
            elif item in _CATEGORICAL or item == "primary_site":
                cols = [c for c in names if c not in self.dropped_]
                if f"{item}[missing]" in full.columns and f"{item}[missing]" not in self.dropped_:
                    cols_all = cols + [f"{item}[missing]"]
                else:
                    cols_all = cols
                if not cols or not np.all(full[cols_all].to_numpy().sum(axis=1) == 1):
                    refs[item] = None  # the documented reference level has patients
                    continue
                # no training patient in the documented reference level: the block sums to one
                # (collinear with a Cox baseline); the most frequent level becomes the reference
                ref = max(cols, key=lambda c: (full[c].sum(), -cols.index(c)))
                documented = "other" if item == "primary_site" else _CATEGORICAL[item][1]
                refs[item] = ref
                self.drop_reasons_[ref] = (f"reference level of {item}: no training patient has the documented "
                                           f"reference {documented!r}; the most frequent level is the reference")
        return refs

    def _impute(self, raw: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
        out = raw.copy()
        cat_items = {i for i in self.blocks_ if i in _CATEGORICAL or i == "primary_site"}
        if self.impute is None:
            if out.isna().any().any():
                col = out.columns[out.isna().any()][0]
                row = int(np.flatnonzero(out[col].isna().to_numpy())[0])
                raise ModelError(f"missing value in column {col!r} at row {row} and impute=None; "
                                 "use impute='indicator' or 'iterative', or complete the data")
            return out
        # categorical: missing level column + zeros
        for item in self.blocks_:
            if item in cat_items:
                self._impute_categorical(out, frame, item)
        if self.impute == "iterative" and self.iter_columns_:
            vals = self.iterative_.transform(out[self.iter_columns_].to_numpy())
            out[self.iter_columns_] = vals
        else:
            for nm, fill in self.fill_values_.items():
                if nm in self.indicators_:
                    base = nm[6:-1] if nm.startswith("log1p(") else nm
                    out[f"{base}_missing"] = out[nm].isna().to_numpy().astype(float)
                out[nm] = out[nm].fillna(fill)
        return out

    def _impute_categorical(self, out: pd.DataFrame, frame: pd.DataFrame, item: str) -> None:
        names = self.blocks_[item]
        if item == "primary_site":
            src = frame[item] if item in frame.columns else pd.Series([None] * len(frame), index=frame.index)
            miss = src.isna().to_numpy()
        else:
            miss = out[names[0]].isna().to_numpy() if names else np.zeros(len(out), bool)
        for nm in names:
            out[nm] = out[nm].fillna(0.0)
        if item in self.indicators_:
            out[f"{item}[missing]"] = miss.astype(float)

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Numeric matrix (DataFrame, index of ``X``) with columns :meth:`get_feature_names_out`."""
        if not hasattr(self, "feature_names_out_"):
            raise NotFittedError("FeatureBuilder is not fitted; call fit(frame) first")
        if not isinstance(X, pd.DataFrame):
            raise InputError(f"FeatureBuilder needs the canonical cohort DataFrame, got {type(X).__name__}")
        absent = [c for c in self.input_columns_ if c not in X.columns]
        if absent:
            msg = (f"input lacks column(s) {absent} that were present when the model was fitted "
                   f"(feature set {self.feature_set!r}); add them (NA allowed) instead of dropping them")
            if getattr(self, "loaded_from_artifact_", False):
                raise ArtifactError("feature spec of the saved model does not match the input: " + msg)
            raise ModelError(msg)
        raw, _ = self._encode(X, self.sites_)
        return self._finish(X, raw)

    def _finish(self, X: pd.DataFrame, raw: pd.DataFrame, full: pd.DataFrame | None = None) -> pd.DataFrame:
        """From the raw encoding to the model matrix, naming the rows the fit cannot represent.
        ``full``: the imputed matrix when already computed (:meth:`fit_transform`)."""
        self._warn_few_missing(X, raw)
        if full is None:
            full = self._impute(raw, X)
        for col in self.dropped_:
            # a level never (or always) seen in training has no column; say so rather than
            # silently folding those patients into the reference level
            diff = (full[col] != self.dropped_values_[col]).to_numpy() if col in full.columns else np.zeros(0, bool)
            if diff.any():
                rows = np.flatnonzero(diff)[:5].tolist()
                warnings.warn(f"column {col!r} was constant in the training data and is not a model feature; "
                              f"rows {rows} differ from the training value and are encoded as the training value",
                              FeatureEncodingWarning, stacklevel=3)
        for col, kept in self.duplicates_.items():
            diff = (full[col] != full[kept]).to_numpy()
            if diff.any():
                warnings.warn(f"column {col!r} equalled {kept!r} in the training data and is represented by it; "
                              f"rows {np.flatnonzero(diff)[:5].tolist()} differ", FeatureEncodingWarning, stacklevel=3)
        return full[self.feature_names_out_].astype(float)

    def _warn_few_missing(self, X: pd.DataFrame, raw: pd.DataFrame) -> None:
        if self.impute != "indicator":
            return
        for key, n_train in getattr(self, "few_missing_", {}).items():
            if key == "primary_site":
                miss = X[key].isna().to_numpy() if key in X.columns else np.ones(len(X), bool)
            else:
                col = self.blocks_[key][0] if key in self.blocks_ and self.blocks_[key] else key
                miss = raw[col].isna().to_numpy() if col in raw.columns else np.zeros(len(X), bool)
            if miss.any():
                warnings.warn(f"{key!r} was missing in only {n_train} training row(s), so the model has no "
                              f"missingness indicator for it; rows {np.flatnonzero(miss)[:5].tolist()} are "
                              "imputed (median/mode, or the reference level for a category)",
                              FeatureEncodingWarning, stacklevel=4)

    def patient_notes(self, X: pd.DataFrame) -> list[list[str]]:
        """Per row of ``X``: which model inputs were unknown and how the model filled them, and
        which of the patient's levels were pooled (sparse in training). Row order of ``X``."""
        if not hasattr(self, "feature_names_out_"):
            raise NotFittedError("FeatureBuilder is not fitted; call fit(frame) first")
        n = len(X)
        notes: list[list[str]] = [[] for _ in range(n)]
        site = X["primary_site"].astype(object) if "primary_site" in X.columns else pd.Series([None] * n, index=X.index)
        for col in getattr(self, "observed_columns_", self.input_columns_):
            if col not in X.columns:
                continue
            miss = X[col].isna().to_numpy()
            if col in _MARKER_SITE:
                miss &= (site == _MARKER_SITE[col]).to_numpy()
            how = self._fill_description(col)
            for i in np.flatnonzero(miss):
                notes[i].append(f"{col} unknown ({how})")
        raw, _ = self._encode(X, self.sites_)
        self._encoding_notes(self._impute(raw, X), site, notes)
        return notes

    def _fill_description(self, col: str) -> str:
        """How the fitted encoding fills a missing value of input column ``col``."""
        if col in _MARKER_SITE:
            return f"{_MARKER_SITE[col]} subtype taken as 'untested/unknown'"
        if col == "primary_site" or col in _CATEGORICAL:
            return ("own 'missing' level" if col in self.indicators_ else
                    "taken as the reference level (too few missing in training for a level of its own)")
        if self.impute == "iterative":
            return "imputed (iterative imputer fitted on the training data)"
        name = f"log1p({col})" if col in self.log_labs else col
        fill = self.fill_values_.get(name)
        val = "" if fill is None else f" {np.expm1(fill):.3g}" if name != col else f" {fill:.3g}"
        return (("training median" if col in _NUMERIC else "training mode") + val
                + (" + missingness indicator" if name in self.indicators_ else ""))

    def _encoding_notes(self, full: pd.DataFrame, site: pd.Series, notes: list[list[str]]) -> None:
        """Levels never seen in training, aliases that differ, and pooled levels, per row."""
        pooled = getattr(self, "pooled_", {})
        for col in self.dropped_:
            if col in full.columns and col not in pooled:
                for i in np.flatnonzero((full[col] != self.dropped_values_[col]).to_numpy()):
                    notes[i].append(f"{col} = {full[col].iloc[i]:g}, never seen in training "
                                    f"(encoded as the training value {self.dropped_values_[col]:g})")
        for col, kept in self.duplicates_.items():
            if col in full.columns and kept in full.columns:
                for i in np.flatnonzero((full[col] != full[kept]).to_numpy()):
                    notes[i].append(f"{col} differs from {kept}, which represents it (identical in training)")
        for col in pooled:
            if col.startswith("site[") and col not in full.columns:
                hit = (site == col[5:-1]).to_numpy()
            else:
                hit = (full[col] == 1).to_numpy() if col in full.columns else np.zeros(len(notes), bool)
            for i in np.flatnonzero(hit):
                notes[i].append(f"{col} pooled with the reference (< {self.min_level_events} training deaths)")

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        if not hasattr(self, "feature_names_out_"):
            raise NotFittedError("FeatureBuilder is not fitted")
        return np.asarray(self.feature_names_out_, dtype=object)

    def spec(self) -> dict:
        """JSON-able description of the fitted encoding (stored in model artifacts)."""
        if not hasattr(self, "feature_names_out_"):
            raise NotFittedError("FeatureBuilder is not fitted")
        spec = {
            "feature_set": self.feature_set,
            "input_columns": list(self.input_columns_),
            "observed_columns": list(getattr(self, "observed_columns_", self.input_columns_)),
            "impute": self.impute,
            "ecog_to_kps": self.ecog_to_kps,
            "log_labs": list(self.log_labs),
            "sites": list(self.sites_),
            "features": list(self.feature_names_out_),
            "dropped": list(self.dropped_),
            "duplicates": dict(self.duplicates_),
            "references": dict(getattr(self, "references_", {})),
            "drop_reasons": dict(getattr(self, "drop_reasons_", {})),
            "fill_values": dict(self.fill_values_.items()),
            "min_indicator_count": int(self.min_indicator_count),
            "few_missing": dict(getattr(self, "few_missing_", {})),
            "min_level_events": int(getattr(self, "min_level_events", 0) or 0),
            "pooled": dict(getattr(self, "pooled_", {})),
        }
        spec["sha256"] = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()
        return spec
