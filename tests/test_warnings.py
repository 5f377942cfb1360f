"""The package's warnings form one family, so callers filter them by class, never all at once."""
from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest

from prognosis import errors
from prognosis.errors import FeatureEncodingWarning, PrognosisWarning, ReversedScoreWarning
from prognosis.metrics import harrell_c


def test_every_warning_class_is_a_prognosis_warning():
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, Warning)]
    assert len(classes) >= 6
    for c in classes:
        assert issubclass(c, PrognosisWarning), c
        assert issubclass(c, UserWarning), c
    from prognosis.scores._base import ScoreInputWarning

    assert issubclass(ScoreInputWarning, PrognosisWarning)


def test_reversed_concordance_has_its_own_class():
    time = np.arange(1, 11.0)
    with pytest.warns(ReversedScoreWarning, match="reversed"):
        harrell_c(time, np.ones(10), time)


def test_filtering_one_class_keeps_the_others():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", FeatureEncodingWarning)
        warnings.warn("encoding note", FeatureEncodingWarning, stacklevel=1)
        time = np.arange(1, 11.0)
        harrell_c(time, np.ones(10), time)
    assert [type(w.message) for w in caught] == [ReversedScoreWarning]
