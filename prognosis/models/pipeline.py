"""From the canonical cohort frame to predictions with one object.

``make_pipeline(model, feature_set=...)`` chains :class:`~prognosis.features.FeatureBuilder`
and a survival model in a :class:`SurvivalPipeline` (a scikit-learn ``Pipeline`` that also
forwards ``predict_survival``). ``make_model(kind, ...)`` builds one by name.
"""
from __future__ import annotations

from sklearn.pipeline import Pipeline

from ..errors import InputError
from ..features import FeatureBuilder
from .registry import SCORE_PREFIX, get_model_kind, model_kinds

__all__ = ["SurvivalPipeline", "make_pipeline", "make_model", "MODEL_KINDS"]


class SurvivalPipeline(Pipeline):
    """``Pipeline`` whose final step is a survival model; adds ``predict_survival``."""

    def predict_survival(self, X, times, truncate: bool = False):
        """S(t | x) at ``times`` (months) after transforming ``X`` through the pipeline steps."""
        Xt = X
        for _, _, step in self._iter(with_final=False):
            Xt = step.transform(Xt)
        return self.steps[-1][1].predict_survival(Xt, times, truncate=truncate)

    def predict_survival_interval(self, X, times, level: float = 0.95, truncate: bool = False):
        """Pointwise interval of S(t | x) when the final model provides one (CoxModel)."""
        final = self.steps[-1][1]
        if not hasattr(final, "predict_survival_interval"):
            raise AttributeError(f"{type(final).__name__} provides no survival interval")
        Xt = X
        for _, _, step in self._iter(with_final=False):
            Xt = step.transform(Xt)
        return final.predict_survival_interval(Xt, times, level=level, truncate=truncate)

    @property
    def feature_names_(self) -> list[str]:
        """Model-matrix column names produced by the first step."""
        return list(self.steps[0][1].get_feature_names_out())


def make_pipeline(model, feature_set: str = "clinical+molecular", impute: str | None = "indicator",
                  **feature_params) -> SurvivalPipeline:
    """``SurvivalPipeline([("features", FeatureBuilder(...)), ("model", model)])``."""
    return SurvivalPipeline([
        ("features", FeatureBuilder(feature_set=feature_set, impute=impute, **feature_params)),
        ("model", model),
    ])


#: Names accepted by :func:`make_model` when this module was imported (the live list is
#: :func:`prognosis.models.registry.model_kinds`); kept for backwards compatibility.
MODEL_KINDS = (*model_kinds(), SCORE_PREFIX + "<name>")

#: What a score model does with a patient whose total is incomplete (an item not recorded): the
#: middle of the possible range, ``(min + max) / 2``. One default for ``make_model("score:...")``,
#: ``prognosis fit/predict`` and studies (``scores: [{name: ..., missing: midrange}]``); the number
#: of such patients is always counted and printed / reported. ``"error"`` stops instead.
INCOMPLETE_TOTAL_DEFAULT = "midrange"


def make_model(kind: str, feature_set: str = "clinical+molecular", impute: str | None = "indicator",
               feature_params: dict | None = None, **params):
    """Build a model by name; every result takes the canonical cohort frame as ``X``.

    Parameters
    ----------
    kind : str
        A name in :func:`prognosis.models.registry.model_kinds`, built from the registry:
        ``"cox"`` (:class:`CoxModel`), ``"rsf"`` (:class:`RandomSurvivalForestModel`),
        ``"gbm"`` (:class:`GradientBoostingSurvivalModel`) -- each inside a
        :class:`SurvivalPipeline` with a :class:`FeatureBuilder` -- or ``"score:<name>"``
        (:class:`ScoreModel`, e.g. ``"score:tokuhashi_revised"``; ``how="cox"|"published"`` and
        ``options={...}`` go in ``params``; ``missing`` defaults to
        :data:`INCOMPLETE_TOTAL_DEFAULT`).
    feature_set, impute, feature_params
        Passed to :class:`FeatureBuilder` (ignored for scores).
    **params
        Estimator parameters (e.g. ``n_estimators=300``, ``penalizer=0.01``, ``random_state``).
    """
    from .score_model import ScoreModel

    if kind.startswith(SCORE_PREFIX):
        cls, name = ScoreModel, kind[len(SCORE_PREFIX):]
        params.setdefault("missing", INCOMPLETE_TOTAL_DEFAULT)
    else:
        cls, name = get_model_kind(kind).estimator_class(), None
    allowed = [k for k in cls().get_params(deep=False) if k != "name"]
    unknown = [k for k in params if k not in allowed]
    if unknown:
        from ..errors import did_you_mean

        raise InputError(f"model {kind!r} has no parameter {unknown[0]!r}{did_you_mean(unknown[0], allowed)}; "
                         f"its parameters are {sorted(allowed)}")
    if name is not None:
        return cls(name, **params)
    return make_pipeline(cls(**params), feature_set=feature_set, impute=impute, **(feature_params or {}))
