"""Classic prognostic scores for spinal metastases, exact and explainable.

``available()`` lists them; ``compute(frame, name, **options)`` scores a canonical cohort frame;
``explain(frame.loc[[i]], name)`` gives the item-by-item breakdown of one patient;
``group_survival(name)``, ``groups(name)`` and ``required_columns(name)`` describe each score.
Point tables live beside their citation in one module per score; ambiguities of the published
definitions are named options with documented defaults. ``available("survival")`` lists the
prognostic scores, ``available("mechanical")`` the mechanical SINS.
"""
from __future__ import annotations

from ._base import ScoreInputWarning
from .registry import Explanation, available, compute, explain, get_score, group_survival, groups, required_columns

__all__ = ["available", "compute", "explain", "group_survival", "groups", "required_columns",
           "get_score", "Explanation", "ScoreInputWarning"]
