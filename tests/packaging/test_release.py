"""Release metadata agrees with the one version source, prognosis/_version.py."""
from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import yaml

import prognosis


def test_version_single_source(repo_root):
    with open(repo_root / "pyproject.toml", "rb") as f:
        project = tomllib.load(f)
    assert "version" not in project["project"], "write the version only in prognosis/_version.py"
    assert "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "prognosis._version.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+((a|b|rc)\d+)?(\.dev\d+)?", prognosis.__version__)


def test_cli_version_is_package_version(repo_root):
    out = subprocess.run([sys.executable, "-m", "prognosis", "--version"], capture_output=True,
                         text=True, cwd=repo_root, check=True).stdout.strip()
    assert out == f"prognosis {prognosis.__version__}"


def test_citation_and_changelog_follow_the_version(repo_root):
    cff = yaml.safe_load((repo_root / "CITATION.cff").read_text(encoding="utf-8"))
    assert str(cff["version"]) == prognosis.__version__
    assert cff["license"] == "GPL-3.0-or-later"
    changelog = (repo_root / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{prognosis.__version__}]" in changelog


def test_distribution_name_and_licence(repo_root):
    with open(repo_root / "pyproject.toml", "rb") as f:
        project = tomllib.load(f)["project"]
    # "prognosis" on PyPI is an unrelated project (an econdb API client); checked 2026-11-30
    assert project["name"] == "prognosis-spine"
    assert project["license"] == "GPL-3.0-or-later"      # SPDX expression (PEP 639)
    assert not any(c.startswith("License ::") for c in project.get("classifiers", []))
    assert (repo_root / "prognosis" / "py.typed").exists()
