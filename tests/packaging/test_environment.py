"""environment.yml (conda) and pyproject.toml (pip) declare the same dependencies.

Same names and the same version specifiers: runtime dependencies plus every optional extra of
pyproject.toml on one side; the conda dependencies (minus ``python``/``pip`` and the editable
install of the package itself) on the other. A dependency added to one file only fails here with
the name to add.
"""
from __future__ import annotations

import re
import tomllib

import pytest
import yaml

#: pip requirement -> conda-forge package names where they differ (extras become packages)
PIP_TO_CONDA = {"dask[distributed]": ("dask", "distributed")}

_REQ = re.compile(r"^\s*([A-Za-z0-9_.\-]+(?:\[[A-Za-z0-9_,\-]+\])?)\s*(.*?)\s*(?:;.*)?$")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _split(req: str) -> tuple[str, str]:
    m = _REQ.match(req)
    assert m, f"cannot parse requirement {req!r}"
    return m.group(1), m.group(2).replace(" ", "")


def pip_requirements(pyproject: dict) -> dict[str, str]:
    reqs = list(pyproject["project"]["dependencies"])
    for extra in pyproject["project"].get("optional-dependencies", {}).values():
        reqs += extra
    out: dict[str, str] = {}
    for req in reqs:
        name, spec = _split(req)
        for conda_name in PIP_TO_CONDA.get(name, (name,)):
            key = _norm(conda_name)
            assert out.get(key, spec) == spec, f"{key} pinned two ways in pyproject.toml"
            out[key] = spec
    return out


def conda_requirements(env: dict) -> dict[str, str]:
    out: dict[str, str] = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):  # the pip: section installs the package itself
            assert set(dep) == {"pip"}, dep
            assert dep["pip"] == ["-e ."], f"unexpected pip section in environment.yml: {dep}"
            continue
        name, spec = _split(dep)
        if name in ("python", "pip"):
            continue
        out[_norm(name)] = spec
    return out


@pytest.fixture(scope="module")
def both(repo_root):
    with open(repo_root / "pyproject.toml", "rb") as f:
        pyproject = tomllib.load(f)
    env = yaml.safe_load((repo_root / "environment.yml").read_text(encoding="utf-8"))
    return pip_requirements(pyproject), conda_requirements(env)


def test_same_names(both):
    pip, conda = both
    assert not sorted(set(pip) - set(conda)), "add these to environment.yml"
    assert not sorted(set(conda) - set(pip)), "add these to pyproject.toml (or remove from environment.yml)"


def test_same_specifiers(both):
    pip, conda = both
    differ = {k: (pip[k], conda[k]) for k in pip.keys() & conda.keys() if pip[k] != conda[k]}
    assert not differ, f"pyproject.toml vs environment.yml specifiers differ: {differ}"


def test_parser_sees_a_difference():
    """The comparison is not vacuous: a missing package and a changed pin are both caught."""
    pyproject = {"project": {"dependencies": ["numpy>=1.26", "pandas >= 2.1"],
                             "optional-dependencies": {"x": ["dask[distributed]>=2024.1"]}}}
    env = {"dependencies": ["python>=3.11", "numpy>=1.26", "pandas>=2.0", "dask>=2024.1", "pip",
                            {"pip": ["-e ."]}]}
    pip, conda = pip_requirements(pyproject), conda_requirements(env)
    assert set(pip) - set(conda) == {"distributed"}
    assert pip["pandas"] == ">=2.1"
    assert conda["pandas"] == ">=2.0"
