"""prognosis: overall-survival prediction for patients with spinal metastases."""
from __future__ import annotations

from ._summary import Summary
from ._version import __version__
from .cohort import Cohort
from .errors import PrognosisError


def read_cohort(source, mapping=None, *, cohort=None):
    """Read and harmonize an institutional table into a canonical :class:`Cohort`.

    See :func:`prognosis.cohort.harmonize.read_cohort`.
    """
    from .cohort.harmonize import read_cohort as _read

    return _read(source, mapping, cohort=cohort)


__all__ = ["Cohort", "PrognosisError", "read_cohort", "__version__", "Summary"]
