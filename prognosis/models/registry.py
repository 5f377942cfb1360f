"""The one list of model kinds.

Every place that needs to know which models exist reads this registry: :func:`make_model`
(building by name), the study configuration check (``prognosis.study.config``), the artifact
loader's trusted types (:mod:`prognosis.models.persistence`) and the CLI help (``prognosis fit
--model``). A new model kind is therefore two files: its module and one :func:`register_model`
call below (or in user code, before the model is used).

Estimators are named by dotted path and imported only when built, so reading the registry
(e.g. for ``--help``) does not import scikit-survival.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass

from ..errors import InputError, did_you_mean

__all__ = ["ModelKind", "register_model", "unregister_model", "model_kinds", "get_model_kind", "trusted_types"]

#: ``score:<name>`` builds :class:`~prognosis.models.ScoreModel` for any registered score.
SCORE_PREFIX = "score:"


@dataclass(frozen=True)
class ModelKind:
    """A model kind that can be built by name.

    Attributes
    ----------
    name : str
        The name used in configs and on the command line (``"cox"``).
    estimator : str
        Dotted path of the estimator class (``"prognosis.models.cox.CoxModel"``).
    label : str
        One line for help texts.
    seeded : bool
        Whether the estimator takes ``random_state`` (the CLI passes ``--seed`` to it).
    trusted : tuple of str
        Dotted paths of further types the fitted estimator holds, which the artifact loader
        must accept (e.g. scikit-survival trees).
    """

    name: str
    estimator: str
    label: str
    seeded: bool = False
    trusted: tuple[str, ...] = ()

    def estimator_class(self):
        module, _, cls = self.estimator.rpartition(".")
        return getattr(importlib.import_module(module), cls)


_REGISTRY: dict[str, ModelKind] = {}


def register_model(kind: ModelKind, replace: bool = False) -> ModelKind:
    """Add a model kind to the registry (``replace=True`` to overwrite an existing name)."""
    if kind.name.startswith(SCORE_PREFIX) or not kind.name.isidentifier():
        raise InputError(f"model kind name {kind.name!r} must be an identifier and not start with {SCORE_PREFIX!r}")
    if kind.name in _REGISTRY and not replace:
        raise InputError(f"model kind {kind.name!r} is already registered")
    _REGISTRY[kind.name] = kind
    return kind


def unregister_model(name: str) -> ModelKind:
    """Remove a model kind (e.g. one registered by a test or a plug-in); returns it."""
    get_model_kind(name)
    return _REGISTRY.pop(name)


def model_kinds() -> tuple[str, ...]:
    """Names of the registered model kinds, in registration order (without ``score:<name>``)."""
    return tuple(_REGISTRY)


def get_model_kind(name: str) -> ModelKind:
    """The registered :class:`ModelKind` called ``name``; :class:`InputError` naming the choices."""
    try:
        return _REGISTRY[name]
    except KeyError:
        choices = [*_REGISTRY, SCORE_PREFIX + "<name>"]
        raise InputError(f"unknown model kind {name!r}{did_you_mean(name, _REGISTRY)}; "
                         f"choose one of {choices}") from None


def trusted_types() -> tuple[str, ...]:
    """Dotted paths of every registered estimator and the types it holds when fitted."""
    out: list[str] = []
    for k in _REGISTRY.values():
        out += [k.estimator, *k.trusted]
    return tuple(dict.fromkeys(out))


register_model(ModelKind(
    "cox", "prognosis.models.cox.CoxModel", "Cox proportional hazards (Efron ties)"))
register_model(ModelKind(
    "rsf", "prognosis.models.forest.RandomSurvivalForestModel", "random survival forest", seeded=True,
    trusted=("sksurv.ensemble.forest.RandomSurvivalForest", "sksurv.tree.tree.SurvivalTree")))
register_model(ModelKind(
    "gbm", "prognosis.models.boosting.GradientBoostingSurvivalModel", "gradient-boosted Cox model", seeded=True,
    trusted=("prognosis.models.boosting.FastCoxGradientBoosting", "prognosis.models._coxph_loss.FastCoxPH",
             "sksurv.ensemble.boosting.GradientBoostingSurvivalAnalysis", "sksurv.ensemble.survival_loss.CoxPH")))
