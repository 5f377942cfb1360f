"""Features: canonical cohort frame -> numeric model matrix.

``FeatureBuilder`` (a scikit-learn transformer) encodes clinical items, primary site and
molecular subtype within primary, with imputation fitted on training data only; named sets in
``FEATURE_SETS``.
"""
from .builder import FEATURE_SETS, FeatureBuilder, feature_items
from .encoders import (
    ECOG_TO_KPS,
    SUBTYPE_LEVELS,
    SUBTYPE_REFERENCE,
    breast_subtype,
    lung_subtype,
    melanoma_subtype,
    prostate_subtype,
)

__all__ = [
    "FeatureBuilder", "FEATURE_SETS", "feature_items", "ECOG_TO_KPS", "SUBTYPE_LEVELS",
    "SUBTYPE_REFERENCE", "lung_subtype", "breast_subtype", "prostate_subtype", "melanoma_subtype",
]
