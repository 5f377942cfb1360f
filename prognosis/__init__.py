"""prognosis: overall-survival prediction for patients with spinal metastases."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version as _version

from .cohort import Cohort
from .errors import PrognosisError

try:
    __version__ = _version("prognosis")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.1.0"


def read_cohort(source, mapping=None, *, cohort=None):
    """Read and harmonize an institutional table into a canonical :class:`Cohort`.

    See :func:`prognosis.cohort.harmonize.read_cohort`.
    """
    from .cohort.harmonize import read_cohort as _read

    return _read(source, mapping, cohort=cohort)


__all__ = ["Cohort", "PrognosisError", "read_cohort", "__version__"]
