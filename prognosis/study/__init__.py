"""Studies: a validated YAML config in, tidy result tables and an HTML report out.

- :func:`run` — run a study (``prognosis.study.run(config) -> StudyResult``);
- :func:`load_config` — validate a config without running it;
- :class:`StudyResult` — tables, ``save(folder)``, ``to_html(path)``;
- :func:`table1`, :func:`bootstrap_optimism`, :func:`repeated_cv`, :func:`external_validation`.
"""
from __future__ import annotations

from .config import DEMO_CONFIG, StudyConfig, load_config
from .result import StudyResult
from .run import run
from .table1 import table1
from .validation import bootstrap_optimism, external_validation, paired_difference, repeated_cv

__all__ = ["run", "load_config", "StudyConfig", "StudyResult", "DEMO_CONFIG", "table1",
           "bootstrap_optimism", "repeated_cv", "external_validation", "paired_difference"]
