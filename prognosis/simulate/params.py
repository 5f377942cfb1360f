"""Loader of the cited simulator parameter file (``parameters.yaml``).

Every number in the file is a leaf ``{value, tag, source}``; :func:`load_parameters` checks
that each leaf is cited, resolves a preset plus user overrides into a plain dict, and computes a
checksum so a simulated cohort records exactly which parameters produced it.
"""
from __future__ import annotations

import copy
import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError

__all__ = ["PARAMETER_FILE", "PRESETS", "TAGS", "load_parameters", "raw_parameters", "citations"]

PARAMETER_FILE = Path(__file__).with_name("parameters.yaml")
TAGS = ("V1", "V2", "M", "C")
PRESETS = ("surgical", "radiotherapy")


def _is_leaf(node: Any) -> bool:
    return isinstance(node, dict) and "value" in node


def _check_and_resolve(node: Any, path: str) -> Any:
    if _is_leaf(node):
        tag, source = node.get("tag"), node.get("source")
        if tag not in TAGS:
            raise ConfigError(f"{PARAMETER_FILE.name}: parameter {path!r} has tag {tag!r}; expected one of {TAGS}")
        if not isinstance(source, str) or not source.strip():
            raise ConfigError(f"{PARAMETER_FILE.name}: parameter {path!r} has no source")
        return copy.deepcopy(node["value"])
    if isinstance(node, dict):
        return {k: _check_and_resolve(v, f"{path}.{k}" if path else k) for k, v in node.items()}
    raise ConfigError(f"{PARAMETER_FILE.name}: {path!r} is a bare value without tag and source")


@lru_cache(maxsize=1)
def _raw() -> dict:
    with open(PARAMETER_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def raw_parameters() -> dict:
    """The parameter file as written (with ``value``/``tag``/``source`` leaves)."""
    return copy.deepcopy(_raw())


def citations() -> list[dict]:
    """One record per cited number: ``path``, ``value``, ``tag``, ``source`` (for reports/docs)."""
    out: list[dict] = []

    def walk(node, path):
        if _is_leaf(node):
            out.append({"path": path, "value": node["value"], "tag": node["tag"], "source": node["source"]})
        elif isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{path}.{k}" if path else k)

    walk(_raw(), "")
    return out


def _merge(base: dict, key: str, value: Any) -> None:
    if isinstance(base.get(key), dict) and isinstance(value, dict):
        unknown = set(value) - set(base[key])
        # new primary sites may be added to site tables; other tables are closed
        if unknown and key not in ("site_weights", "median_months"):
            raise ConfigError(f"unknown key(s) {sorted(unknown)} for parameter {key!r}; valid: {sorted(base[key])}")
        base[key] = {**base[key], **value}
    else:
        base[key] = copy.deepcopy(value)


def load_parameters(preset: str = "surgical", **overrides: Any) -> dict:
    """Resolve one preset of ``parameters.yaml`` into a plain parameter dict.

    Parameters
    ----------
    preset : {"surgical", "radiotherapy"}
        Which cohort setting to mimic.
    **overrides
        Replace or update any preset key (e.g. ``weibull_shape=0.7``,
        ``median_months={"lung": 3.0}``, ``admin_censoring_months=(6, 18)``) or
        ``hazard_ratios={"prostate_castration_resistant": 3.0}``,
        ``molecular_frequencies={...}``, ``missingness_realistic={...}``. Dict values are merged
        into the defaults.

    Returns
    -------
    dict
        Keys: every preset key plus ``preset``, ``hazard_ratios``, ``molecular_frequencies``,
        ``missingness_realistic`` and ``checksum`` (sha256 of the resolved values).
    """
    raw = _raw()
    if preset not in raw["presets"]:
        raise ConfigError(f"unknown simulation preset {preset!r}; choose one of {sorted(raw['presets'])}")
    resolved = _check_and_resolve(raw, "")
    params = dict(resolved["presets"][preset])
    params["preset"] = preset
    for shared in ("hazard_ratios", "molecular_effect_scale", "molecular_frequencies", "missingness_realistic"):
        params[shared] = resolved[shared]
    for key, value in overrides.items():
        if key not in params or key in ("preset",):
            valid = sorted(k for k in params if k != "preset")
            raise ConfigError(f"unknown simulation parameter {key!r}; valid parameters: {valid}")
        _merge(params, key, value)
    _validate(params)
    params["checksum"] = checksum(params)
    return params


def _validate_sites(p: dict, primary_sites) -> None:
    """Every weighted site is a schema primary with a positive median; weights >= 0, sum > 0."""
    for site in p["site_weights"]:
        if site not in primary_sites:
            raise ConfigError(f"site_weights: {site!r} is not a primary_site of the schema")
        if site not in p["median_months"]:
            raise ConfigError(f"median_months has no value for site {site!r}")
        if not p["median_months"][site] > 0:
            raise ConfigError(f"median_months[{site!r}] must be > 0, got {p['median_months'][site]!r}")
    if any(w < 0 for w in p["site_weights"].values()) or sum(p["site_weights"].values()) <= 0:
        raise ConfigError("site_weights must be non-negative with a positive sum")


def _validate(p: dict) -> None:
    from ..cohort.schema import PRIMARY_SITES

    _validate_sites(p, PRIMARY_SITES)
    for k, hr in p["hazard_ratios"].items():
        if not (isinstance(hr, (int, float)) and hr > 0):
            raise ConfigError(f"hazard_ratios[{k!r}] must be a positive number, got {hr!r}")
    if not (isinstance(p["molecular_effect_scale"], (int, float)) and p["molecular_effect_scale"] >= 0):
        raise ConfigError(f"molecular_effect_scale must be a number >= 0, got {p['molecular_effect_scale']!r}")
    if not p["weibull_shape"] > 0:
        raise ConfigError(f"weibull_shape must be > 0, got {p['weibull_shape']!r}")
    lo, hi = p["admin_censoring_months"]
    if not 0 < lo <= hi:
        raise ConfigError(f"admin_censoring_months must be (low, high) with 0 < low <= high, got {(lo, hi)!r}")
    if p["loss_to_followup_per_year"] < 0:
        raise ConfigError("loss_to_followup_per_year must be >= 0")


def checksum(params: dict) -> str:
    """sha256 of the resolved parameter values (order-independent JSON)."""
    body = {k: v for k, v in params.items() if k != "checksum"}
    text = json.dumps(body, sort_keys=True, default=list)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
