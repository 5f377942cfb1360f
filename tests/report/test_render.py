"""The report renders in a real browser: every section, every figure, nothing fetched from outside.

Uses ``benchmarks/check_report_render.py``; needs a Chromium binary (Debian: ``apt-get install
chromium``) and is skipped with that reason otherwise (CI machines usually have none).
"""
from __future__ import annotations

import importlib.util

import pytest


def _checker(repo_root):
    spec = importlib.util.spec_from_file_location("check_report_render",
                                                  repo_root / "benchmarks" / "check_report_render.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_report_renders_in_headless_chromium(small_report, repo_root, tmp_path):
    mod = _checker(repo_root)
    if mod.find_chromium() is None:
        pytest.skip("no Chromium binary on this machine (apt-get install chromium to run this check)")
    shot = tmp_path / "shot.png"
    res = mod.check_report(small_report["html"], shot)
    assert res["broken"] == 0
    assert res["images"] >= 9
    assert "external" in res["sections"]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert res["height"] > 5000
