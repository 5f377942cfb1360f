"""Typed errors raised by :mod:`prognosis`.

Every error the package raises on bad input is a subclass of :class:`PrognosisError`, so callers
can catch one type. Messages name the file, row, column and value at fault where these are known,
but never a patient identifier (row positions are used instead).
"""
from __future__ import annotations

from sklearn.exceptions import NotFittedError as _SklearnNotFittedError

__all__ = [
    "PrognosisError",
    "InputError",
    "ReadError",
    "MappingError",
    "SchemaError",
    "ScoreInputError",
    "MetricInputError",
    "ModelError",
    "NotFittedError",
    "ArtifactError",
    "ConfigError",
    "DataUnavailableError",
    "did_you_mean",
    "PrognosisWarning",
    "SeparationWarning",
    "ReversedScoreWarning",
    "BootstrapWarning",
    "FeatureEncodingWarning",
    "DelayedEntryWarning",
    "UnseenLevelWarning",
    "ImputationConvergenceWarning",
]


def did_you_mean(word, choices) -> str:
    """``" (did you mean 'x'?)"`` for the closest of ``choices`` to a mistyped ``word``, else ``""``."""
    import difflib

    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


#: Longest error message (characters); longer ones are cut with a note, so that a hostile or
#: huge input (a 1 MB column name, an expanded YAML alias) cannot produce a huge message.
MAX_MESSAGE_CHARS = 2000


class PrognosisError(Exception):
    """Base class of every error raised by prognosis on bad input or bad state.

    Examples
    --------
    Catch one type for every input problem; the message names the column and the value:

    >>> import pandas as pd
    >>> import prognosis
    >>> from prognosis import scores
    >>> try:
    ...     scores.compute(pd.DataFrame({"kps": [150]}), "revised_tokuhashi")
    ... except prognosis.PrognosisError as err:
    ...     print(type(err).__name__)
    ScoreInputError
    """

    def __init__(self, *args):
        if args and isinstance(args[0], str) and len(args[0]) > MAX_MESSAGE_CHARS:
            cut = len(args[0]) - MAX_MESSAGE_CHARS
            args = (args[0][:MAX_MESSAGE_CHARS] + f" … [{cut} more characters not shown]",) + args[1:]
        super().__init__(*args)


class InputError(PrognosisError, ValueError):
    """Generic invalid input (wrong shape, type or value)."""


class ReadError(PrognosisError):
    """A file cannot be read as a table (missing, empty, not a table, unknown format)."""


class MappingError(PrognosisError):
    """A mapping file is invalid, or refers to a column or value the input does not have."""


class SchemaError(PrognosisError, ValueError):
    """A canonical cohort table violates the schema (type, range, vocabulary, uniqueness).

    ``failures`` holds a DataFrame (row, column, value, reason) with every failure found, since
    validation is lazy and collects all failures before raising.
    """

    def __init__(self, message: str, failures=None):
        super().__init__(message)
        self.failures = failures


class ScoreInputError(PrognosisError, ValueError):
    """A value cannot be scored (e.g. KPS 150, Frankel "F", negative count)."""


class MetricInputError(PrognosisError, ValueError):
    """Inputs to a metric are degenerate or inconsistent (no events, NaN risk, t beyond follow-up)."""


class ModelError(PrognosisError, ValueError):
    """A model cannot be fitted or used as asked (a ``ValueError``, as scikit-learn expects)."""


class NotFittedError(ModelError, _SklearnNotFittedError):
    """The estimator is used before ``fit``.

    Subclasses scikit-learn's ``NotFittedError`` (itself a ``ValueError`` and an
    ``AttributeError``), so ``sklearn.utils.validation.check_is_fitted`` callers catch it.
    """


class ArtifactError(PrognosisError):
    """A saved model artifact is invalid, tampered with, or does not match the input columns."""


class ConfigError(PrognosisError, ValueError):
    """A study configuration is invalid (typo, unknown model, horizon beyond follow-up, ...)."""


class DataUnavailableError(PrognosisError, FileNotFoundError):
    """An external data set (e.g. MSK-MET) is not present at the given path."""


class PrognosisWarning(UserWarning):
    """Base class of the warnings prognosis emits about numbers it cannot fully stand behind."""


class SeparationWarning(PrognosisWarning):
    """A fitted coefficient is unbounded or nearly so (absurd standard error or log-HR).

    Typical causes: a level without deaths (monotone likelihood), complete separation, or
    near-collinearity. The message names the feature(s); refit with a penalty (e.g.
    ``penalizer=0.01``) or pool the level.
    """


class ProportionalHazardsWarning(PrognosisWarning):
    """A Cox model's proportional-hazards assumption is rejected (cox.zph-style score test)."""


class ImputationConvergenceWarning(PrognosisWarning):
    """Multiple-imputation chains may not have converged (Gelman-Rubin R-hat above 1.1)."""


class ReversedScoreWarning(PrognosisWarning):
    """A concordance below 0.5: the score may run in the wrong direction (higher should be worse)."""


class BootstrapWarning(PrognosisWarning):
    """Some bootstrap replicates could not be computed (e.g. no deaths in a resample) and are excluded."""


class FeatureEncodingWarning(PrognosisWarning):
    """How :class:`~prognosis.features.FeatureBuilder` encoded a column differs from the naive reading:
    a column dropped as constant or collinear, a rare missingness without an indicator, a level
    unseen in training. Informative; resampling loops filter this class rather than all warnings."""


class DelayedEntryWarning(PrognosisWarning):
    """Patients enter late (left truncation) but the model does not adjust for it."""


class UnseenLevelWarning(PrognosisWarning):
    """A category level not seen when a transformer was fitted is treated as missing."""


class ImputationMethodWarning(PrognosisWarning):
    """The requested imputation method cannot be used for a model and another one is used
    instead (e.g. substantive-model-compatible imputation falls back to chained equations
    because a covariate is categorical); the message gives the reason."""
