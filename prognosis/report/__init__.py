"""Reports: one self-contained HTML file per study (figures embedded), model card, TRIPOD+AI.

- :func:`render_study` — write the HTML for a :class:`~prognosis.study.StudyResult`;
- :func:`model_card`, :func:`tripod_checklist`.
"""
from __future__ import annotations

from .html import render_study
from .model_card import model_card
from .tripod import TRIPOD_AI_ITEMS, tripod_checklist

__all__ = ["render_study", "model_card", "tripod_checklist", "TRIPOD_AI_ITEMS"]
