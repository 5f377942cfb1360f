"""Survival models with one scikit-learn interface.

All models take a structured survival ``y`` (or a DataFrame with ``time_months``/``event``)
and expose ``predict`` (risk, higher = worse), ``predict_survival(X, times)`` (DataFrame, rows =
patients, columns = months; step functions, error or NaN beyond the training follow-up) and
``score`` (Harrell's C).
"""
from .boosting import GradientBoostingSurvivalModel
from .cox import CoxModel
from .forest import RandomSurvivalForestModel
from .mi import ImputedModel, pooled_cox, score_group_shares
from .persistence import load, save
from .pipeline import MODEL_KINDS, SurvivalPipeline, make_model, make_pipeline
from .registry import ModelKind, model_kinds, register_model
from .score_model import ScoreModel
from .scoring import make_scorer
from .update import UpdateReport, update  # noqa: E402  (function shadows the submodule name, by design)

__all__ = [
    "CoxModel", "RandomSurvivalForestModel", "GradientBoostingSurvivalModel", "ScoreModel",
    "SurvivalPipeline", "make_pipeline", "make_model", "MODEL_KINDS", "make_scorer", "save", "load",
    "ImputedModel", "pooled_cox", "score_group_shares",
]
__all__ += ["update", "UpdateReport"]
__all__ += ["ModelKind", "model_kinds", "register_model"]
