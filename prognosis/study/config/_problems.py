"""Collecting every problem of a config before raising ONE :class:`~prognosis.errors.ConfigError`."""
from __future__ import annotations

from ...errors import ConfigError, did_you_mean


class Problems:
    """The problems found so far in one config (``where`` names the file or ``config``)."""

    def __init__(self, where: str):
        self.where = where
        self.items: list[str] = []

    def add(self, msg: str) -> None:
        self.items.append(msg)

    def raise_if_any(self) -> None:
        if self.items:
            head = f"{self.where}: {len(self.items)} problem(s) in the study config"
            raise ConfigError(head + ":\n  - " + "\n  - ".join(self.items))


def check_keys(d: dict, allowed, where: str, probs: Problems) -> None:
    """Report every key of ``d`` not in ``allowed``, with a "did you mean ...?" suggestion."""
    for k in d:
        if k not in allowed:
            probs.add(f"unknown key {k!r} in {where}{did_you_mean(k, allowed)}; allowed: {', '.join(allowed)}")


def number(x, where: str, probs: Problems, *, positive=True) -> float | None:
    """``x`` as a float, or None after reporting why it is not a (positive) number."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        probs.add(f"{where} must be a number, got {x!r}")
        return None
    if positive and not x > 0:
        probs.add(f"{where} must be > 0, got {x!r}")
        return None
    return float(x)
